// The puzzle generator: unique solutions, givens in range, reproducible from the seed alone.
#include <tuple>

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

TEST_CASE("a difficulty floor makes puzzles that need at least that much search", "[sudoku][generator]") {
  GeneratorOptions options;
  options.min_givens = 17;
  options.max_givens = 26;
  options.min_guesses = 10;  // about one puzzle in eight reaches it on the first attempt
  const Dataset data = generate(16, 3, options);
  int made_again = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    const SolveResult result = solve(data.puzzle(i));
    CHECK(result.solutions == 1);
    CHECK(result.first == data.solution(i));
    CHECK(result.guesses >= 10);
    CHECK(data.difficulty[i] == static_cast<float>(result.guesses));
    made_again += generate_puzzle(3, i, options).attempts > 1;
  }
  CHECK(made_again > 0);  // the floor did reject first attempts

  // Without a floor the first attempt stands: a floor of 0 changes no puzzle.
  GeneratorOptions no_floor = options;
  no_floor.min_guesses = 0;
  CHECK(generate_puzzle(3, 0, no_floor).attempts == 1);
  GeneratorOptions defaults_range;
  defaults_range.min_guesses = 0;
  const Dataset floorless = generate(4, 99, defaults_range), plain = generate(4, 99);
  for (size_t i = 0; i < plain.size(); ++i) CHECK(floorless.puzzle(i) == plain.puzzle(i));
}

TEST_CASE("an unreachable difficulty floor keeps the hardest attempt", "[sudoku][generator]") {
  GeneratorOptions options;
  options.min_givens = 30;
  options.max_givens = 30;
  options.min_guesses = 1000000;
  options.max_attempts = 5;
  const GeneratedPuzzle puzzle = generate_puzzle(8, 1, options);
  CHECK(puzzle.attempts == 5);
  CHECK(solve(puzzle.puzzle).solutions == 1);
  CHECK(puzzle.guesses < options.min_guesses);
}

TEST_CASE("generator rejects a negative difficulty floor or no attempts", "[sudoku][generator]") {
  GeneratorOptions negative;
  negative.min_guesses = -1;
  CHECK_THROWS_AS(generate(1, 0, negative), trm::InputError);
  GeneratorOptions no_attempts;
  no_attempts.max_attempts = 0;
  CHECK_THROWS_AS(generate_puzzle(0, 0, no_attempts), trm::InputError);
}

TEST_CASE("climbing makes puzzles that need at least as much search, still unique and in range", "[sudoku][generator]") {
  GeneratorOptions plain;
  plain.min_givens = 20;
  plain.max_givens = 26;
  GeneratorOptions climbing = plain;
  climbing.climb_steps = 30;
  int64_t plain_total = 0, climbed_total = 0;
  for (uint64_t i = 0; i < 6; ++i) {
    const GeneratedPuzzle a = generate_puzzle(77, i, plain);
    const GeneratedPuzzle b = generate_puzzle(77, i, climbing);
    CHECK(b.solution == a.solution);  // climbing starts from the same puzzle
    CHECK(b.guesses >= a.guesses);
    CHECK(solve(b.puzzle, 2).solutions == 1);
    CHECK(solve(b.puzzle, 2).guesses == b.guesses);
    CHECK(agrees(b.puzzle, b.solution));
    CHECK(count_givens(b.puzzle) >= plain.min_givens);
    CHECK(count_givens(b.puzzle) <= std::max(plain.max_givens, count_givens(a.puzzle)));
    plain_total += a.guesses;
    climbed_total += b.guesses;
  }
  CHECK(climbed_total > plain_total);
  climbing.climb_steps = -1;
  CHECK_THROWS_AS(generate_puzzle(77, 0, climbing), trm::InputError);
}

TEST_CASE("climbing by trial rating keeps puzzles at least as deep, still unique", "[sudoku][generator][rating]") {
  GeneratorOptions plain;
  plain.min_givens = 20;
  plain.max_givens = 26;
  plain.climb_by = GeneratorOptions::Measure::Trial;
  GeneratorOptions climbing = plain;
  climbing.climb_steps = 40;
  const auto key = [](const TrialRating& r) { return std::make_tuple(r.depth, r.blanks_left, r.sweeps); };
  int plain_sweeps = 0, climbed_sweeps = 0;
  for (uint64_t i = 0; i < 6; ++i) {
    const GeneratedPuzzle a = generate_puzzle(91, i, plain);
    const GeneratedPuzzle b = generate_puzzle(91, i, climbing);
    CHECK(b.solution == a.solution);
    CHECK(key(b.trial) >= key(a.trial));
    const TrialRating rated = rate_by_trial(b.puzzle);  // the rating kept is the puzzle's own
    CHECK(key(rated) == key(b.trial));
    CHECK(rated.depth < 2);  // random puzzles beyond depth 1 are far rarer than 1 in 6
    CHECK(solve(b.puzzle, 2).solutions == 1);
    CHECK(agrees(b.puzzle, b.solution));
    plain_sweeps += a.trial.sweeps;
    climbed_sweeps += b.trial.sweeps;
  }
  CHECK(climbed_sweeps > plain_sweeps);

  // The difficulty column is the measure climbed.
  const Dataset data = generate(3, 91, climbing);
  for (size_t i = 0; i < 3; ++i) CHECK(data.difficulty[i] == static_cast<float>(generate_puzzle(91, i, climbing).trial.sweeps));
}
