// The puzzle generator: unique solutions, givens in range, reproducible from the seed alone.
#include <catch2/catch.hpp>

#include "sudoku/generator.h"
#include "sudoku/solver.h"
#include "util/error.h"

using namespace trm::sudoku;

TEST_CASE("generated puzzles have exactly one solution and givens in range", "[sudoku][generator]") {
  GeneratorOptions options;
  options.min_givens = 28;
  options.max_givens = 34;
  const Dataset data = generate(30, 2024, options);
  REQUIRE(data.size() == 30);
  REQUIRE(data.difficulty.size() == 30);
  for (size_t i = 0; i < data.size(); ++i) {
    INFO("puzzle " << i << ": " << to_string(data.puzzle(i)));
    const Grid puzzle = data.puzzle(i), solution = data.solution(i);
    CHECK(is_complete_valid(solution));
    CHECK(agrees(puzzle, solution));
    CHECK(count_givens(puzzle) >= options.min_givens);
    CHECK(count_givens(puzzle) <= options.max_givens);
    const SolveResult result = solve(puzzle);
    CHECK(result.solutions == 1);
    CHECK(result.first == solution);
    CHECK(data.difficulty[i] == static_cast<float>(result.guesses));
  }
}

TEST_CASE("generation stops at the fewest givens it can reach", "[sudoku][generator]") {
  GeneratorOptions options;
  options.min_givens = 17;
  options.max_givens = 17;  // random removal almost never reaches 17
  const GeneratedPuzzle puzzle = generate_puzzle(5, 0, options);
  const int givens = count_givens(puzzle.puzzle);
  CHECK(givens >= 17);
  CHECK(givens < 40);
  CHECK(solve(puzzle.puzzle).solutions == 1);
  // Minimal: every remaining given is needed for uniqueness (unless the target was met).
  if (givens > 17) {
    for (int cell = 0; cell < kCells; ++cell) {
      if (puzzle.puzzle[cell] == 0) continue;
      Grid fewer = puzzle.puzzle;
      fewer[cell] = 0;
      CHECK(solve(fewer).solutions == 2);
    }
  }
}

TEST_CASE("generation depends only on the seed and the puzzle index", "[sudoku][generator]") {
  const Dataset a = generate(12, 99);
  const Dataset b = generate(12, 99);
  CHECK(a.puzzles == b.puzzles);
  CHECK(a.solutions == b.solutions);
  CHECK(a.difficulty == b.difficulty);

  const GeneratedPuzzle fifth = generate_puzzle(99, 5);
  CHECK(fifth.puzzle == a.puzzle(5));
  CHECK(fifth.solution == a.solution(5));
  const Dataset prefix = generate(6, 99);
  CHECK(prefix.puzzle(5) == a.puzzle(5));

  const Dataset c = generate(12, 100);
  int same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += a.solution(i) == c.solution(i);
  CHECK(same == 0);
  CHECK(a.puzzle(0) != a.puzzle(1));
}

TEST_CASE("generator rejects an impossible givens range", "[sudoku][generator]") {
  CHECK_THROWS_AS(generate(1, 0, GeneratorOptions{16, 30}), trm::InputError);
  CHECK_THROWS_AS(generate(1, 0, GeneratorOptions{30, 29}), trm::InputError);
  CHECK_THROWS_AS(generate_puzzle(0, 0, GeneratorOptions{20, 82}), trm::InputError);
}
