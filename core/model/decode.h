#pragma once
// Decoding: turning the model's per-cell beliefs into a filled grid, using only the model.
//
//   single pass        run once; every blank takes its most likely digit.
//   iterative commit   run; write the blank cells the model is surest of (all above `threshold`,
//                      and always at least the single most confident one) into the puzzle as if
//                      they were givens; run again on the fuller puzzle; repeat until no blank is
//                      left. No search and no backtracking: a committed digit is never revisited.
//   search             iterative commit that branches where it would have to guess. Commits are the same
//                      (every blank at least `threshold` sure), but only digits the rules allow. When no blank
//                      is that sure, it does not force the surest one: it branches on that cell, trying its
//                      `branch_candidates` most likely allowed digits in the model's order, each continued by
//                      the model. The rules only reject: a branch ends when some blank has no digit left or some
//                      unit has no place for a digit it lacks, and the search goes back to the next candidate.
//                      Every digit written is the model's choice; the rules never fill a cell. A puzzle stops
//                      when a grid is full (it then satisfies the rules and the givens), when every branch was
//                      rejected, or at `max_forward_passes`; the last two leave blanks the model could not fill
//                      filled with its best unverified guess, and the result says it was not solved.
//                      A confident commit can be wrong, and no branch after it can mend it: when every branch
//                      is rejected, the search starts again from the givens, committing only at 0.9999, then
//                      committing nothing (every step a branch), within the same budget.
//
// Either can read the puzzle through several of Sudoku's symmetries (`symmetries` > 1): the model runs on the
// puzzle and on symmetric copies of it (digits relabelled, bands, rows, stacks and columns reordered, maybe
// transposed: the same puzzle to a human, a different input to the model), each copy's per-cell probabilities
// are mapped back to the original cells and digits and combined, and decoding proceeds on the combination. Still
// only the model; it costs `symmetries` forward passes per pass. The readings combine as a product (their
// log-probabilities averaged, then normalised): a digit is sure only where every reading finds it likely, and one
// unsure reading does not hold back a cell the others agree on as an average does. Measured on the hard
// development set, iterative commit over 4 readings: product 92.0% of puzzles at 13.6 forward passes per puzzle,
// average 84.5% at 41.9.
#include <cstdint>
#include <string>
#include <vector>

#include "model/trm.h"
#include "sudoku/augment.h"

namespace trm {

enum class Decoding { SinglePass, IterativeCommit, Search };
// How a pass's readings combine (see above): Product (the default) or Mean (the arithmetic average, as before).
enum class ReadingCombine { Product, Mean };
ReadingCombine parse_reading_combine(const std::string& name);  // "product" | "mean"; InputError otherwise
std::string reading_combine_name(ReadingCombine combine);       // "product" | "mean"
Decoding parse_decoding(const std::string& name);  // "single" | "iterative" | "search"; InputError otherwise
std::string decoding_name(Decoding decoding);  // "single pass" | "iterative commit" | "verified search"
std::string decoding_flag(Decoding decoding);  // the name parse_decoding reads: "single" | "iterative" | "search"

// The default commit threshold. Chosen on the shipped model's own held-out training split (generated puzzles, not
// graded-5k): exact puzzles 78.5% at 0.9, 80.1% at 0.99, 78.3% at 0.999 (4 outer cycles); 0.99 leads at 8 and
// 12 cycles too.
constexpr float kDefaultCommitThreshold = 0.99f;

// The product's decoding, used by `trm solve`, `trm eval` and the page unless told otherwise: verified search over
// the puzzle alone. Chosen on the generated hard development set (docs/hard-puzzles.md: 200 climbed puzzles, seed
// 9101, shipped model): search, 1 reading, 256 forward passes at most: 99.5% at 257 outer cycles per puzzle; the
// same with a budget of 64: 96.0% at 202; iterative commit over 4 readings (the default before): 84.5% at 1,005
// with the readings averaged, 92.0% at 325 combined as a product. Search with 2 or 4 readings as a product, budget
// 256: 98.5% and 98.0%, so branches still beat readings.
constexpr Decoding kDefaultDecoding = Decoding::Search;

constexpr int kMaxSymmetries = 64;

// The readings per pass when none is asked for: kDefaultSymmetries for iterative commit, 1 (the puzzle as given)
// for search and a single pass. Iterative commit over 4 readings was chosen on stage 3's development set (1,000
// generated puzzles, not a test set): 95.8% of puzzles against 92.6% for the puzzle alone, at 24 outer cycles, for
// about 7 times the forward passes. Search gains more from spending its passes on branches than on readings
// (hard development set, budget 64: 1 reading 96.0% at 8.4 forward passes per puzzle, 4 readings 87.5% at 27.8:
// the budget runs out three times as fast).
constexpr int kDefaultSymmetries = 4;
int default_symmetries(Decoding decoding);

// The search's budget per puzzle when none is given: forward passes, every reading of every pass and branch. The
// hard development set's puzzles need 10.7 on average at 256 (most far fewer); the few that need many still stop
// within seconds natively (256 passes of 24 outer cycles), and the mean stays far below the 1,536 outer cycles the
// hardest puzzles may take on average.
constexpr int kDefaultSearchBudget = 256;

// Watches a decode pass by pass, to show it as it runs (the page streams it). Before each forward pass of a batch
// of `count` puzzles (their boards so far, [count * 81], committed cells written in), on_pass names the pass
// (1-based: the first puzzle of the batch's) and may return an observer for that forward: its batch rows are the
// readings, puzzle k's reading t at row k * symmetries + t, the puzzle as given (t = 0) first, and on_cycle_end
// gets every cycle's logits.
class DecodeObserver {
 public:
  virtual ~DecodeObserver() = default;
  virtual RecursionObserver* on_pass(int pass, const uint8_t* boards, size_t count) = 0;
  // Once per puzzle, when its decoding has ended: its index among the decode's puzzles and its answer [81], exactly
  // the grid decode returns for it (for progress reports: evaluation counts right answers as they come).
  virtual void on_puzzle_end(size_t puzzle, const uint8_t* answer) {
    (void)puzzle;
    (void)answer;
  }
};

struct DecodeOptions {
  Decoding decoding = kDefaultDecoding;
  int h_cycles = 0;           // 0: the model's
  float threshold = kDefaultCommitThreshold;  // iterative and search: commit every blank at least this confident
  int64_t batch_size = 256;  // puzzles per forward pass (symmetric copies included)
  int symmetries = 0;         // readings per pass: 1 the puzzle as given, k: averaged over it and k - 1 fixed
                              // random symmetries; 0: default_symmetries(decoding)
  ReadingCombine combine = ReadingCombine::Product;  // with symmetries > 1: how the readings combine
  // Search: digits tried at a branch point, most likely first. All of them (every digit the rules do not refute):
  // with 3, a branch whose right digit is the model's fourth choice cannot be found, and the search gives up once
  // every branch is rejected: 84.0% of 257 generated puzzles beyond depth-1 trial at 1,502 outer cycles, against
  // 100.0% at 783 with all; the hard test set 99.0% -> 99.5%, the other hard sets unchanged (2026-12-07).
  int branch_candidates = 9;
  int max_forward_passes = 0; // search: per puzzle, every reading counted; 0: kDefaultSearchBudget
  // Passes after a puzzle's first continue the recursion from that puzzle's previous final states (each reading
  // its own) on the fuller grid, for this many outer cycles; 0: every pass starts from zeros and runs h_cycles.
  int continue_cycles = 0;
  // Learned halting: with a model that has a halting head, each reading of each pass stops at the cycle its head
  // says halt (model/inference.h), so a settled reading costs fewer cycles; false runs every reading its cycles.
  bool halting = true;
  DecodeObserver* observer = nullptr;  // sees every pass as it runs (null: none)
};

// Whether a decode with `options` stops each reading where the model's halting head says halt: asked for (the
// default) and the model has a head.
inline bool uses_halting(const TRM& model, const DecodeOptions& options) { return options.halting && model.has_halting(); }

// The symmetries a decode with `count` symmetries averages over: the identity first, then fixed random ones (the
// same on every call, so decoding is deterministic).
std::vector<sudoku::Symmetry> decoding_symmetries(int count);

// How a searched puzzle ended: a full grid (it satisfies the rules and the givens), every branch rejected by the
// rules (also when the givens leave no way to fill some cell), or the budget spent.
enum SearchEnd : uint8_t { kComplete = 0, kRejected = 1, kBudgetSpent = 2 };

struct DecodeResult {
  std::vector<uint8_t> digits;        // [N * 81], givens kept
  std::vector<int> passes;            // passes per puzzle (each reads the puzzle `symmetries` times)
  std::vector<int> forward_passes;    // per puzzle: every reading of every pass (and, searching, of every branch)
  std::vector<int> outer_cycles;      // per puzzle: outer cycles run, summed over every reading of every forward pass
  std::vector<int> branches;          // per puzzle: branch points the search opened (0 for the other decodings)
  // Per puzzle, why the search stopped without a full grid (SearchEnd); kComplete for the other decodings.
  std::vector<uint8_t> search_end;
  int symmetries = 1;                 // readings per pass, as resolved from the options
};

// puzzles: [N * 81], 0 = blank. `first_pass`, when given, is the model's final frame for exactly these puzzles
// (digits and confidence [N * 81], e.g. from the infer() a caller ran for its per-cycle trace): the first pass
// uses it instead of running the model again (ignored with symmetries > 1: that pass needs the copies too; and
// with learned halting, which that frame did not use).
struct CycleFrame;
DecodeResult decode(const TRM& model, const std::vector<uint8_t>& puzzles, const DecodeOptions& options,
                    const CycleFrame* first_pass = nullptr);

}  // namespace trm
