#pragma once
// Decoding: turning the model's per-cell beliefs into a filled grid, using only the model.
//
//   single pass        run once; every blank takes its most likely digit.
//   iterative commit   run; write the blank cells the model is surest of (all above `threshold`,
//                      and always at least the single most confident one) into the puzzle as if
//                      they were givens; run again on the fuller puzzle; repeat until no blank is
//                      left. No search and no backtracking: a committed digit is never revisited.
#include <cstdint>
#include <string>
#include <vector>

#include "model/trm.h"

namespace trm {

enum class Decoding { SinglePass, IterativeCommit };
Decoding parse_decoding(const std::string& name);  // "single" | "iterative"; InputError otherwise
std::string decoding_name(Decoding decoding);

// The default commit threshold. Chosen on the shipped model's own held-out training split (generated puzzles, not
// graded-5k): exact puzzles 78.5% at 0.9, 80.1% at 0.99, 78.3% at 0.999 (4 outer cycles); 0.99 leads at 8 and
// 12 cycles too.
constexpr float kDefaultCommitThreshold = 0.99f;

struct DecodeOptions {
  Decoding decoding = Decoding::IterativeCommit;
  int h_cycles = 0;           // 0: the model's
  float threshold = kDefaultCommitThreshold;  // iterative: commit every blank at least this confident
  int64_t batch_size = 256;
};

struct DecodeResult {
  std::vector<uint8_t> digits;   // [N * 81], givens kept
  std::vector<int> passes;       // forward passes per puzzle
};

// puzzles: [N * 81], 0 = blank. `first_pass`, when given, is the model's final frame for exactly these puzzles
// (digits and confidence [N * 81], e.g. from the infer() a caller ran for its per-cycle trace): the first pass
// uses it instead of running the model again.
struct CycleFrame;
DecodeResult decode(const TRM& model, const std::vector<uint8_t>& puzzles, const DecodeOptions& options,
                    const CycleFrame* first_pass = nullptr);

}  // namespace trm
