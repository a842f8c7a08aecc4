#pragma once
// Evaluation that cannot flatter: on a held-out dataset, the loss, blank-cell accuracy and
// exact-puzzle accuracy (all 81 cells right, givens kept) after every outer cycle, broken down by
// the dataset's level column when it has one, else by number of givens. The no-model baseline
// (a random digit the givens allow) is computed the same way for comparison.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/decode.h"
#include "model/trm.h"
#include "sudoku/dataset.h"
#include "train/metrics.h"

namespace trm {

struct EvalOptions {
  int64_t batch_size = 256;
  size_t limit = 0;     // first `limit` puzzles; 0 = all
  // How the final answer is decoded: the product's default unless told otherwise (per-cycle rows are always the
  // single pass's). decode.h_cycles 0: the model's inference_cycles().
  DecodeOptions decode;
  // Told as puzzles finish (each as its decoding ends; a single pass, a batch at a time): puzzles done of the total
  // and the accuracy of the answers so far. For a progress line; the result is the same with or without it.
  std::function<void(size_t done, size_t total, const AccuracyCounter& so_far)> on_progress;
};

struct GroupAccuracy {
  std::string name;  // a level ("Expert") or a givens range ("29-31 givens")
  AccuracyCounter counter;
};

struct EvalResult {
  size_t puzzles = 0;
  double loss = 0.0;                       // mean cross-entropy over all cells, final cycle
  AccuracyCounter final_cycle;             // the decoded answer (after the last outer cycle for single pass)
  std::vector<AccuracyCounter> per_cycle;  // single pass, after each outer cycle
  int symmetries = 1;                      // readings per pass of the decoding
  double mean_passes = 1.0;                // passes per puzzle (iterative commit needs several; each reads `symmetries` copies)
  double mean_forward_passes = 1.0;        // every reading of every pass and branch, per puzzle
  double mean_outer_cycles = 0.0;          // outer cycles per puzzle, summed over every forward pass
  double mean_branches = 0.0;              // search: branch points per puzzle
  size_t search_rejected = 0;              // search: puzzles where the rules rejected every branch
  size_t search_budget_spent = 0;          // search: puzzles stopped by the budget
  std::vector<GroupAccuracy> groups;       // final cycle, by level or givens
};

EvalResult evaluate(const TRM& model, const sudoku::Dataset& data, const EvalOptions& options);

// The no-model baseline on the same puzzles: per blank cell, a random digit among those the givens
// allow in its row, column and box.
EvalResult evaluate_baseline(const sudoku::Dataset& data, size_t limit, uint64_t seed);

// Group label of row i: its level name, or its givens count bucketed in threes.
std::string group_of(const sudoku::Dataset& data, size_t i);

}  // namespace trm
