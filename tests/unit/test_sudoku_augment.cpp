// Validity-preserving symmetries: their structure, their effect on grids, and pairs moved together.
#include <algorithm>
#include <numeric>

#include <catch2/catch.hpp>

#include "sudoku/augment.h"
#include "sudoku/solver.h"
#include "test_sudoku_samples.h"

using namespace trm::sudoku;
using trm_test::grid;

namespace {

template <size_t N>
bool is_permutation_of_range(std::array<uint8_t, N> values, int first) {
  std::sort(values.begin(), values.end());
  for (size_t i = 0; i < N; ++i) {
    if (values[i] != first + static_cast<int>(i)) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("random symmetries are bijections that keep bands and stacks", "[sudoku][augment]") {
  trm::Rng rng(17);
  int transposed = 0;
  for (int draw = 0; draw < 200; ++draw) {
    const Symmetry s = random_symmetry(rng);
    CHECK(s.digit_map[0] == 0);
    CHECK(is_permutation_of_range(std::array<uint8_t, 9>{s.digit_map[1], s.digit_map[2], s.digit_map[3],
                                                         s.digit_map[4], s.digit_map[5], s.digit_map[6],
                                                         s.digit_map[7], s.digit_map[8], s.digit_map[9]},
                                  1));
    CHECK(is_permutation_of_range(s.row_order, 0));
    CHECK(is_permutation_of_range(s.col_order, 0));
    for (int band = 0; band < 3; ++band) {
      CHECK(s.row_order[3 * band] / 3 == s.row_order[3 * band + 1] / 3);
      CHECK(s.row_order[3 * band] / 3 == s.row_order[3 * band + 2] / 3);
      CHECK(s.col_order[3 * band] / 3 == s.col_order[3 * band + 2] / 3);
    }
    CHECK(is_permutation_of_range(cell_sources(s), 0));
    transposed += s.transpose;
  }
  CHECK(transposed > 60);  // p = 1/2: 100 expected, below 60 is vanishingly unlikely
  CHECK(transposed < 140);
}

TEST_CASE("apply moves rows, columns and digits as the symmetry says", "[sudoku][augment]") {
  const Grid solution = grid(trm_test::kEasySolution);
  CHECK(apply_symmetry(Symmetry{}, solution) == solution);

  Symmetry transpose;
  transpose.transpose = true;
  const Grid t = apply_symmetry(transpose, solution);
  for (int r = 0; r < 9; ++r) {
    for (int c = 0; c < 9; ++c) CHECK(t[9 * r + c] == solution[9 * c + r]);
  }

  Symmetry moves;
  moves.row_order = {5, 3, 4, 0, 1, 2, 8, 6, 7};
  moves.col_order = {0, 2, 1, 6, 7, 8, 3, 4, 5};
  moves.digit_map = {0, 2, 3, 4, 5, 6, 7, 8, 9, 1};
  const Grid m = apply_symmetry(moves, solution);
  for (int r = 0; r < 9; ++r) {
    for (int c = 0; c < 9; ++c) {
      CHECK(m[9 * r + c] == moves.digit_map[solution[9 * moves.row_order[r] + moves.col_order[c]]]);
    }
  }
  CHECK(is_complete_valid(m));
}

TEST_CASE("augmented pairs stay valid, agreeing and uniquely solvable", "[sudoku][augment]") {
  trm::Rng rng(5);
  for (int draw = 0; draw < 50; ++draw) {
    Grid puzzle = grid(trm_test::kHardPuzzle);
    Grid solution = grid(trm_test::kHardSolution);
    augment_pair(rng, puzzle, solution);
    CHECK(is_complete_valid(solution));
    CHECK(agrees(puzzle, solution));
    CHECK(count_givens(puzzle) == count_givens(grid(trm_test::kHardPuzzle)));
    const SolveResult result = solve(puzzle);
    CHECK(result.solutions == 1);
    CHECK(result.first == solution);
  }
}

TEST_CASE("augment_pair applies one draw to both grids", "[sudoku][augment]") {
  trm::Rng rng(8), replay(8);
  Grid puzzle = grid(trm_test::kEasyPuzzle), solution = grid(trm_test::kEasySolution);
  augment_pair(rng, puzzle, solution);
  const Symmetry s = random_symmetry(replay);
  CHECK(puzzle == apply_symmetry(s, grid(trm_test::kEasyPuzzle)));
  CHECK(solution == apply_symmetry(s, grid(trm_test::kEasySolution)));
  CHECK(rng.state() == replay.state());
}
