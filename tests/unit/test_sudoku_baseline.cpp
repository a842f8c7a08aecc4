// The no-model baseline: fills only blanks, only with digits the givens allow.
#include <catch2/catch.hpp>

#include "sudoku/baseline.h"
#include "test_sudoku_samples.h"

using namespace trm::sudoku;
using trm_test::grid;

TEST_CASE("baseline keeps givens and fills blanks with allowed digits", "[sudoku][baseline]") {
  const Grid puzzle = grid(trm_test::kHardPuzzle);
  trm::Rng rng(1);
  for (int draw = 0; draw < 20; ++draw) {
    const Grid guess = baseline_guess(puzzle, rng);
    for (int cell = 0; cell < kCells; ++cell) {
      if (puzzle[cell] != 0) {
        CHECK(guess[cell] == puzzle[cell]);
      } else {
        CHECK((candidates(puzzle, cell) & digit_bit(guess[cell])) != 0);
      }
    }
  }
  trm::Rng a(4), b(4);
  CHECK(baseline_guess(puzzle, a) == baseline_guess(puzzle, b));
}

TEST_CASE("baseline draws every allowed digit, and any digit when none is allowed", "[sudoku][baseline]") {
  // r1c9 allows only 8 and 9 (row 1 holds 1-7); r5c9 allows nothing (row 5 holds 1-8, its box a 9).
  Grid puzzle{};
  for (int c = 0; c < 7; ++c) puzzle[c] = static_cast<uint8_t>(c + 1);
  for (int c = 0; c < 8; ++c) puzzle[36 + c] = static_cast<uint8_t>(c + 2 <= 8 ? c + 2 : 1);
  puzzle[9 * 5 + 6] = 9;  // r6c7
  REQUIRE(find_conflicts(puzzle).empty());
  REQUIRE(candidates(puzzle, 8) == (digit_bit(8) | digit_bit(9)));
  REQUIRE(candidates(puzzle, 44) == 0);

  trm::Rng rng(2);
  std::array<int, 10> seen_r1c9{}, seen_r5c9{};
  for (int draw = 0; draw < 300; ++draw) {
    const Grid guess = baseline_guess(puzzle, rng);
    ++seen_r1c9[guess[8]];
    ++seen_r5c9[guess[44]];
  }
  CHECK(seen_r1c9[8] + seen_r1c9[9] == 300);
  CHECK(seen_r1c9[8] > 100);  // 150 expected of each
  CHECK(seen_r1c9[9] > 100);
  CHECK(seen_r5c9[0] == 0);
  for (int digit = 1; digit <= 9; ++digit) CHECK(seen_r5c9[digit] > 10);  // 33 expected of each
}
