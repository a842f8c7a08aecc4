#include "sudoku/baseline.h"

namespace trm::sudoku {

Grid baseline_guess(const Grid& puzzle, Rng& rng) {
  Grid guess = puzzle;
  for (int cell = 0; cell < kCells; ++cell) {
    if (puzzle[cell] != 0) continue;
    uint16_t allowed = candidates(puzzle, cell);
    if (allowed == 0) allowed = kAllDigits;
    // Skip a uniform number of the allowed digits, lowest first, and take the next one.
    for (uint32_t skip = rng.below(static_cast<uint32_t>(digit_count(allowed))); skip > 0; --skip) {
      allowed &= allowed - 1;
    }
    guess[cell] = static_cast<uint8_t>(lowest_digit(allowed));
  }
  return guess;
}

}  // namespace trm::sudoku
