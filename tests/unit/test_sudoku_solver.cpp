// The exact solver: solution counts, the solution found, guess counts, random completion.
#include <algorithm>

#include <catch2/catch.hpp>

#include "sudoku/solver.h"
#include "test_sudoku_samples.h"
#include "util/error.h"

using namespace trm::sudoku;
using trm_test::grid;

TEST_CASE("solve: a proper puzzle has exactly one solution", "[sudoku][solver]") {
  const SolveResult easy = solve(grid(trm_test::kEasyPuzzle));
  CHECK(easy.solutions == 1);
  CHECK(easy.first == grid(trm_test::kEasySolution));
  CHECK(easy.guesses == 0);  // singles alone solve it

  const SolveResult hard = solve(grid(trm_test::kHardPuzzle));
  CHECK(hard.solutions == 1);
  CHECK(hard.first == grid(trm_test::kHardSolution));
  CHECK(hard.guesses > 0);
  CHECK(solve(grid(trm_test::kHardSolution)).solutions == 1);
}

TEST_CASE("solve: counts many solutions up to the limit", "[sudoku][solver]") {
  const SolveResult empty = solve(Grid{});
  CHECK(empty.solutions == 2);
  CHECK(is_complete_valid(empty.first));
  CHECK(solve(Grid{}, 5).solutions == 5);

  // Without its top band, a grid can take the band's three rows in any of 3! = 6 orders.
  Grid no_top_band = grid(trm_test::kEasySolution);
  std::fill(no_top_band.begin(), no_top_band.begin() + 27, 0);
  CHECK(solve(no_top_band, 100).solutions >= 6);
  CHECK(solve(no_top_band, 2).solutions == 2);
}

TEST_CASE("solve: contradictions have no solution", "[sudoku][solver]") {
  Grid clash = grid(trm_test::kEasyPuzzle);
  clash[0] = 4;  // r1c3 is already 4
  const SolveResult clashing = solve(clash);
  CHECK(clashing.solutions == 0);
  CHECK(clashing.first == Grid{});

  // No two givens clash, but r1c9 has no digit left: row 1 holds 1-8 and column 9 holds 9.
  Grid stuck{};
  for (int c = 0; c < 8; ++c) stuck[c] = static_cast<uint8_t>(c + 1);
  stuck[9 * 4 + 8] = 9;
  REQUIRE(find_conflicts(stuck).empty());
  CHECK(solve(stuck).solutions == 0);

  Grid wrong = grid(trm_test::kEasyPuzzle);
  wrong[1] = 8;  // no clash, but not the unique solution's digit: the puzzle becomes unsolvable
  REQUIRE(find_conflicts(wrong).empty());
  CHECK(solve(wrong).solutions == 0);
}

TEST_CASE("solve: rejects a bad limit or cell value", "[sudoku][solver]") {
  CHECK_THROWS_AS(solve(Grid{}, 0), trm::InputError);
  Grid bad{};
  bad[10] = 12;
  CHECK_THROWS_WITH(solve(bad), Catch::Matchers::Contains("r2c2 holds 12"));
}

TEST_CASE("solve_randomly completes grids at random", "[sudoku][solver]") {
  trm::Rng rng(3);
  const auto a = solve_randomly(Grid{}, rng);
  const auto b = solve_randomly(Grid{}, rng);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(is_complete_valid(*a));
  CHECK(is_complete_valid(*b));
  CHECK(*a != *b);

  trm::Rng same(3);
  CHECK(solve_randomly(Grid{}, same) == a);
  CHECK(solve_randomly(grid(trm_test::kHardPuzzle), rng) == grid(trm_test::kHardSolution));
  Grid clash{};
  clash[0] = clash[1] = 1;
  CHECK_FALSE(solve_randomly(clash, rng));
}

TEST_CASE("singles_consistent: propagation rejects what the plain rules allow", "[sudoku][solver]") {
  CHECK(singles_consistent(Grid{}));
  CHECK(singles_consistent(grid(trm_test::kHardPuzzle)));
  CHECK(singles_consistent(grid(trm_test::kHardSolution)));
  Grid clash{};
  clash[0] = clash[1] = 1;
  CHECK_FALSE(singles_consistent(clash));

  // Every correct digit is kept; some wrong ones that no unit check refutes directly are rejected by the singles
  // they force. Wrong digits it keeps exist too (it does not guess), and solve() proves each of those unsolvable.
  const Grid puzzle = grid(trm_test::kHardPuzzle), solution = grid(trm_test::kHardSolution);
  int kept_right = 0, rejected_wrong = 0, kept_wrong = 0;
  for (int cell = 0; cell < kCells; ++cell) {
    if (puzzle[cell] != 0) continue;
    for (int digit = 1; digit <= 9; ++digit) {
      if (!(candidates(puzzle, cell) & digit_bit(digit))) continue;
      Grid placed = puzzle;
      placed[cell] = static_cast<uint8_t>(digit);
      const Grid before = placed;
      const bool consistent = singles_consistent(placed);
      CHECK(placed == before);  // a scratch copy is propagated, never the caller's grid
      if (digit == solution[cell]) {
        CHECK(consistent);
        ++kept_right;
      } else if (consistent) {
        ++kept_wrong;
        CHECK(solve(placed, 1).solutions == 0);
      } else {
        ++rejected_wrong;
      }
    }
  }
  CHECK(kept_right == 81 - static_cast<int>(std::count_if(puzzle.begin(), puzzle.end(), [](uint8_t d) { return d != 0; })));
  CHECK(rejected_wrong > 0);
  CHECK(kept_wrong > 0);
}

TEST_CASE("rate_by_trial: singles, depth-1 sweeps, and what is beyond them", "[sudoku][solver][rating]") {
  const TrialRating easy = rate_by_trial(grid(trm_test::kEasyPuzzle));
  CHECK(easy.depth == 0);
  CHECK(easy.sweeps == 0);
  CHECK(easy.eliminations == 0);
  CHECK(easy.reached == grid(trm_test::kEasySolution));

  // Needs the solver's guesses, and depth-1 trials: every digit they place is the solution's.
  const TrialRating hard = rate_by_trial(grid(trm_test::kHardPuzzle));
  CHECK(hard.depth == 1);
  CHECK(hard.sweeps >= 1);
  CHECK(hard.eliminations >= hard.sweeps);
  CHECK(hard.blanks_left == 0);
  CHECK(hard.blanks_swept >= hard.last_sweep_blanks);
  CHECK(hard.reached == grid(trm_test::kHardSolution));

  // Two sweeps: the first one's eliminations and singles leave blanks only a second sweep opens (a puzzle of our
  // own generator: trm generate --count 3000 --seed 5 --min-givens 17 --max-givens 24 made 5 such in 3,000).
  const Grid two = grid("306000000080013200005800000900080010000040607000000090020500076607090000100000004");
  const TrialRating second = rate_by_trial(two);
  CHECK(second.depth == 1);
  CHECK(second.sweeps == 2);
  CHECK(second.last_sweep_blanks < second.blanks_swept);
  CHECK(second.reached == solve(two).first);

  // Many solutions: no trial contradicts anything, so nothing is ruled out and every blank is left.
  const TrialRating empty = rate_by_trial(Grid{});
  CHECK(empty.depth == 2);
  CHECK(empty.sweeps == 0);
  CHECK(empty.blanks_left == 81);
  CHECK_FALSE(empty.contradiction);

  // No solution: two givens clash; or the rules leave r1c9 nothing (row 1 holds 1-8, column 9 holds 9).
  Grid clash{};
  clash[0] = clash[1] = 1;
  CHECK(rate_by_trial(clash).contradiction);
  Grid stuck{};
  for (int c = 0; c < 8; ++c) stuck[c] = static_cast<uint8_t>(c + 1);
  stuck[9 * 4 + 8] = 9;
  CHECK(rate_by_trial(stuck).contradiction);
}
