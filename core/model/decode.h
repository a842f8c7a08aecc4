#pragma once
// Decoding: turning the model's per-cell beliefs into a filled grid, using only the model.
//
//   single pass        run once; every blank takes its most likely digit.
//   iterative commit   run; write the blank cells the model is surest of (all above `threshold`,
//                      and always at least the single most confident one) into the puzzle as if
//                      they were givens; run again on the fuller puzzle; repeat until no blank is
//                      left. No search and no backtracking: a committed digit is never revisited.
//
// Either can read the puzzle through several of Sudoku's symmetries (`symmetries` > 1): the model runs on the
// puzzle and on symmetric copies of it (digits relabelled, bands, rows, stacks and columns reordered, maybe
// transposed: the same puzzle to a human, a different input to the model), each copy's per-cell probabilities
// are mapped back to the original cells and digits and averaged, and decoding proceeds on the average. Still
// only the model; it costs `symmetries` forward passes per pass.
#include <cstdint>
#include <string>
#include <vector>

#include "model/trm.h"
#include "sudoku/augment.h"

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
  int64_t batch_size = 256;  // puzzles per forward pass (symmetric copies included)
  int symmetries = 1;         // 1: the puzzle as given; k: averaged over it and k - 1 fixed random symmetries
};

constexpr int kMaxSymmetries = 64;

// The default of `trm solve` and the page: iterative commit over the puzzle and 3 symmetric copies. Chosen on stage
// 3's development set (1,000 generated puzzles, not a test set): 95.8% of puzzles against 92.6% for the puzzle alone,
// at 24 outer cycles, for about 7 times the forward passes. `trm eval` keeps 1 (it measures; a flag asks for more).
constexpr int kDefaultSymmetries = 4;

// The symmetries a decode with `count` symmetries averages over: the identity first, then fixed random ones (the
// same on every call, so decoding is deterministic).
std::vector<sudoku::Symmetry> decoding_symmetries(int count);

struct DecodeResult {
  std::vector<uint8_t> digits;   // [N * 81], givens kept
  std::vector<int> passes;       // forward passes per puzzle
};

// puzzles: [N * 81], 0 = blank. `first_pass`, when given, is the model's final frame for exactly these puzzles
// (digits and confidence [N * 81], e.g. from the infer() a caller ran for its per-cycle trace): the first pass
// uses it instead of running the model again (ignored with symmetries > 1: that pass needs the copies too).
struct CycleFrame;
DecodeResult decode(const TRM& model, const std::vector<uint8_t>& puzzles, const DecodeOptions& options,
                    const CycleFrame* first_pass = nullptr);

}  // namespace trm
