#include "sudoku/generator.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>
#include <tuple>

#include "sudoku/solver.h"
#include "util/error.h"
#include "util/rng.h"

namespace trm::sudoku {

namespace {

void check_options(const GeneratorOptions& options) {
  if (options.min_givens < 17 || options.min_givens > options.max_givens || options.max_givens > kCells) {
    throw InputError("generator: givens range [" + std::to_string(options.min_givens) + ", " +
                     std::to_string(options.max_givens) + "] is invalid, expected 17 <= min <= max <= 81");
  }
  if (options.min_guesses < 0) {
    throw InputError("generator: min_guesses " + std::to_string(options.min_guesses) + " is negative");
  }
  if (options.climb_steps < 0) {
    throw InputError("generator: climb_steps " + std::to_string(options.climb_steps) + " is negative");
  }
  if (options.max_attempts < 1) {
    throw InputError("generator: max_attempts " + std::to_string(options.max_attempts) + " must be at least 1");
  }
}

// The trial rating only where climbing asks for it: it costs about a third of a millisecond, a large part of an
// attempt's cost when chasing a guesses floor.
void rate(GeneratedPuzzle& puzzle, const GeneratorOptions& options) {
  puzzle.guesses = solve(puzzle.puzzle, 2).guesses;
  if (options.climb_by == GeneratorOptions::Measure::Trial) puzzle.trial = rate_by_trial(puzzle.puzzle);
}

// Whether climbing keeps `next` over `best`: at least as hard by the measure climbed.
bool at_least_as_hard(const GeneratedPuzzle& next, const GeneratedPuzzle& best, GeneratorOptions::Measure measure) {
  if (measure == GeneratorOptions::Measure::Guesses) return next.guesses >= best.guesses;
  const auto key = [](const GeneratedPuzzle& p) {
    return std::make_tuple(p.trial.depth, p.trial.blanks_left, p.trial.sweeps, p.trial.last_sweep_blanks, -p.trial.last_sweep_eliminations, p.guesses);
  };
  return key(next) >= key(best);
}

// The difficulty column: the measure climbed. Trial: the sweeps, or 100 + the blanks left for a puzzle beyond depth 1.
int64_t difficulty_of(const GeneratedPuzzle& puzzle, const GeneratorOptions& options) {
  if (options.climb_by == GeneratorOptions::Measure::Guesses) return puzzle.guesses;
  return puzzle.trial.depth > 1 ? 100 + puzzle.trial.blanks_left : puzzle.trial.sweeps;
}

// One attempt: a random complete grid, then givens removed in random order while the solution stays unique,
// down to a target drawn from the givens range.
GeneratedPuzzle make_puzzle(Rng& rng, const GeneratorOptions& options) {
  GeneratedPuzzle out;
  out.solution = *solve_randomly(Grid{}, rng);  // an empty grid always has a solution
  const auto range = static_cast<uint32_t>(options.max_givens - options.min_givens + 1);
  const int target = options.min_givens + static_cast<int>(rng.below(range));

  std::array<int, kCells> order;
  std::iota(order.begin(), order.end(), 0);
  rng.shuffle(order.begin(), order.end());
  out.puzzle = out.solution;
  int givens = kCells;
  for (int k = 0; k < kCells && givens > target; ++k) {
    const int cell = order[k];
    out.puzzle[cell] = 0;
    if (solve(out.puzzle, 2).solutions == 1) {
      --givens;
    } else {
      out.puzzle[cell] = out.solution[cell];
    }
  }
  rate(out, options);
  return out;
}

// One climbing step from `from`: one or two of the solution's digits put back, then givens removed in random order
// while the solution stays unique and the count stays at least min_givens.
GeneratedPuzzle climb_step(const GeneratedPuzzle& from, Rng& rng, const GeneratorOptions& options) {
  GeneratedPuzzle out = from;
  std::vector<int> blanks;
  for (int cell = 0; cell < kCells; ++cell)
    if (out.puzzle[cell] == 0) blanks.push_back(cell);
  const int added = 1 + static_cast<int>(rng.below(2));
  rng.shuffle(blanks.begin(), blanks.end());
  for (int k = 0; k < added && k < static_cast<int>(blanks.size()); ++k)
    out.puzzle[blanks[static_cast<size_t>(k)]] = out.solution[blanks[static_cast<size_t>(k)]];
  std::array<int, kCells> order;
  std::iota(order.begin(), order.end(), 0);
  rng.shuffle(order.begin(), order.end());
  int givens = count_givens(out.puzzle);
  for (int k = 0; k < kCells && givens > options.min_givens; ++k) {
    const int cell = order[k];
    if (out.puzzle[cell] == 0) continue;
    out.puzzle[cell] = 0;
    if (solve(out.puzzle, 2).solutions == 1) {
      --givens;
    } else {
      out.puzzle[cell] = out.solution[cell];
    }
  }
  rate(out, options);
  return out;
}

// Puzzle `index`'s own stream: the index scrambled through an Rng and folded into the set's seed, so neighbouring
// indices do not start overlapping streams (as seed + index would: Rng's seeding steps by a fixed increment).
uint64_t puzzle_seed(uint64_t seed, uint64_t index) { return seed ^ Rng(index).next_u64(); }

}  // namespace

GeneratedPuzzle generate_puzzle(uint64_t seed, uint64_t index, const GeneratorOptions& options) {
  check_options(options);
  Rng rng(puzzle_seed(seed, index));
  // An attempt is accepted when it is within the givens range (removal can get stuck above it: every remaining
  // given needed) and reaches the difficulty floor. Otherwise the best so far is kept: the fewest givens above
  // the range, then the most guesses.
  const auto excess = [&](const GeneratedPuzzle& p) { return std::max(0, count_givens(p.puzzle) - options.max_givens); };
  const auto accepted = [&](const GeneratedPuzzle& p) { return excess(p) == 0 && p.guesses >= options.min_guesses; };
  GeneratedPuzzle best = make_puzzle(rng, options);
  for (int attempt = 2; attempt <= options.max_attempts && !accepted(best); ++attempt) {
    GeneratedPuzzle next = make_puzzle(rng, options);
    if (excess(next) < excess(best) || (excess(next) == excess(best) && next.guesses > best.guesses)) best = next;
    best.attempts = attempt;
  }
  for (int step = 0; step < options.climb_steps; ++step) {
    GeneratedPuzzle next = climb_step(best, rng, options);
    if (count_givens(next.puzzle) <= std::max(options.max_givens, count_givens(best.puzzle)) &&
        at_least_as_hard(next, best, options.climb_by))
      best = next;
  }
  return best;
}

void require_in_range(const GeneratedPuzzle& puzzle, const GeneratorOptions& options) {
  const int givens = count_givens(puzzle.puzzle);
  if (givens <= options.max_givens) return;
  throw InputError("generator: cannot reach the givens range " + std::to_string(options.min_givens) + "-" +
                   std::to_string(options.max_givens) + ": removal stopped at " + std::to_string(givens) +
                   " givens after " + std::to_string(puzzle.attempts) +
                   " attempts (random removal seldom gets below 24 givens; raise the maximum)");
}

Dataset generate(size_t count, uint64_t seed, const GeneratorOptions& options) {
  check_options(options);
  Dataset data;
  data.puzzles = xt::xtensor<uint8_t, 2>(std::array<size_t, 2>{count, static_cast<size_t>(kCells)});    // (N, 81)
  data.solutions = xt::xtensor<uint8_t, 2>(std::array<size_t, 2>{count, static_cast<size_t>(kCells)});  // (N, 81)
  data.difficulty.resize(count);
  const auto n = static_cast<int64_t>(count);
  // Puzzles vary in cost (hard ones need more search), so threads take small batches as they finish.
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 16)
#endif
  for (int64_t i = 0; i < n; ++i) {
    const GeneratedPuzzle puzzle = generate_puzzle(seed, static_cast<uint64_t>(i), options);
    std::memcpy(data.puzzles.data() + i * kCells, puzzle.puzzle.data(), kCells);
    std::memcpy(data.solutions.data() + i * kCells, puzzle.solution.data(), kCells);
    data.difficulty[i] = static_cast<float>(difficulty_of(puzzle, options));
  }
  return data;
}

}  // namespace trm::sudoku
