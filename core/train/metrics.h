#pragma once
// Accuracy bookkeeping shared by training, `trm eval` and the page's tables: blank-cell accuracy,
// exact-puzzle accuracy (every cell right with the givens kept), per outer cycle.
#include <cstdint>
#include <vector>

namespace trm {

struct AccuracyCounter {
  int64_t blank_cells = 0, blank_correct = 0;
  int64_t puzzles = 0, puzzles_solved = 0;

  // digits: predictions [81] (1..9); givens kept, i.e. a given cell counts as right.
  void add(const uint8_t* puzzle, const uint8_t* solution, const uint8_t* digits) {
    bool all = true;
    for (int c = 0; c < 81; ++c) {
      if (puzzle[c] != 0) continue;
      ++blank_cells;
      const bool right = digits[c] == solution[c];
      blank_correct += right;
      all = all && right;
    }
    ++puzzles;
    puzzles_solved += all;
  }
  void merge(const AccuracyCounter& o) {
    blank_cells += o.blank_cells;
    blank_correct += o.blank_correct;
    puzzles += o.puzzles;
    puzzles_solved += o.puzzles_solved;
  }
  double blank_accuracy() const { return blank_cells ? static_cast<double>(blank_correct) / static_cast<double>(blank_cells) : 0.0; }
  double puzzle_accuracy() const { return puzzles ? static_cast<double>(puzzles_solved) / static_cast<double>(puzzles) : 0.0; }
};

}  // namespace trm
