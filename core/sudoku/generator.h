#pragma once
// Generator: new puzzles with exactly one solution, for training sets of any size. Each puzzle starts from a
// random complete grid (the solver filling an empty grid with digits tried in random order), then loses givens
// in random order, each removal kept only while the puzzle still has exactly one solution, until the number of
// givens reaches a target drawn uniformly from [min_givens, max_givens]. When a puzzle cannot reach its target
// it stops at the fewest givens it reached (every remaining given is then needed): below max_givens that is what
// it has; above it the puzzle is made again (see max_attempts), so the range holds.
// Random removal seldom gets below 24: with the default range, 100k puzzles had 22 givens 0.2% of the time,
// 23 2.5%, 24 8%, 25 12%, 26 10%, and 27-36 about 6.7% each. Mean solver guesses 1.5 (mostly singles).
//
// Difficulty: the solver's guess count (the search it needs beyond naked and hidden singles) is what separates
// the levels of the rated public set: on graded-5k, Beginner puzzles need 0 guesses, Easy 4.5 on average,
// Medium 9.5, Hard 18, Expert 30. Random removal mostly makes singles-only puzzles (with givens 17-26, 43% need
// no guess and 3% need 20 or more), so `min_guesses` sets a floor: the puzzle is made again from a new grid
// until the solver needs at least that many guesses, up to `max_attempts` times; if no attempt reaches the floor,
// the hardest attempt is kept (the floor is a goal, not a promise, so a set never fails to generate).
//
// Puzzle i depends only on (seed, i): it draws from its own Rng seeded from both, so a set is the same whatever
// the number of threads, and the first k puzzles of a larger set equal a set of k.
#include <cstddef>
#include <cstdint>

#include "sudoku/dataset.h"
#include "sudoku/grid.h"
#include "sudoku/solver.h"

namespace trm::sudoku {

// The default range covers the public sets we compare against: Kaggle's 1M set has 29-37 givens (easy, mostly
// singles) and the rated 3M set 20-28 (hard), so 22-36 spans both (in practice few get below 24, see above).
struct GeneratorOptions {
  int min_givens = 22;  // at least 17, the fewest any uniquely solvable Sudoku has
  int max_givens = 36;  // at most 81
  int64_t min_guesses = 0;  // difficulty floor (see above); 0 accepts the first puzzle made
  int max_attempts = 500;   // puzzles made per slot at most when chasing the floor
  // Hill climbing toward harder puzzles, after the attempts: each step puts back one or two givens of the solution
  // at random, then removes givens in random order while the solution stays unique (within the givens range), and
  // keeps the result when the solver needs at least as many guesses. Random removal alone seldom passes 50
  // guesses; 2,000 steps reach a median of 164 (still easier puzzles than the hardest published ones, for the model:
  // docs/results.md). 0: no climbing.
  int climb_steps = 0;
  // What climbing maximises. Guesses: the solver's guess count. Trial: the trial rating (solver.h rate_by_trial):
  // beyond depth 1 first (the most blanks it leaves), then the most sweeps, the most blanks when the last sweep
  // began, the fewest candidates that sweep ruled out, then guesses. Guesses hardly tell which puzzles the model
  // finds hard (the hard development set's 100 most-guessed puzzles: 67% solved by the model alone against 70% for
  // the rest); trial sweeps do (2 sweeps: 55%, 1 sweep: 72%).
  enum class Measure { Guesses, Trial } climb_by = Measure::Guesses;
};

struct GeneratedPuzzle {
  Grid puzzle{};
  Grid solution{};
  int64_t guesses = 0;  // solve(puzzle).guesses: the search needed to prove the solution unique
  TrialRating trial;    // rate_by_trial(puzzle), when climbing by it (otherwise left at its defaults)
  int attempts = 1;     // puzzles made to reach the difficulty floor (1 without a floor)
};

// Puzzle number `index` of the set with `seed`. Throws InputError on an invalid range.
GeneratedPuzzle generate_puzzle(uint64_t seed, uint64_t index, const GeneratorOptions& options = {});

// Throws InputError when `puzzle` has more givens than options.max_givens (removal got stuck above the range in
// every attempt), naming the range and the fewest givens reached, so a caller never passes it off as in range.
void require_in_range(const GeneratedPuzzle& puzzle, const GeneratorOptions& options);

// Puzzles 0..count-1 of the set with `seed` (in parallel with OpenMP when built with it); difficulty: the measure
// climbed by: guesses, or with Measure::Trial the trial sweeps (100 + the blanks left for one beyond depth 1).
Dataset generate(size_t count, uint64_t seed, const GeneratorOptions& options = {});

}  // namespace trm::sudoku
