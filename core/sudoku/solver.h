#pragma once
// Solver: an exact Sudoku solver used to prove that a puzzle has exactly one solution and to measure how hard it
// is. Depth-first search over digit masks per unit; before every guess it propagates naked singles (a cell with
// one candidate) and hidden singles (a digit with one place in a unit), then guesses in the cell with the fewest
// candidates. Fast enough that the generator can call it once per removed given.
#include <cstdint>
#include <optional>

#include "sudoku/grid.h"
#include "util/rng.h"

namespace trm::sudoku {

struct SolveResult {
  int solutions = 0;    // 0, 1, ... counted up to the limit, then the search stops
  Grid first{};         // the first solution found; all zeros when there is none
  int64_t guesses = 0;  // digits tried at branch points; 0 when singles alone solve the puzzle
};

// Counts the solutions of `puzzle` up to `limit` (>= 1). limit = 2 proves uniqueness: solutions == 1 means
// exactly one. Givens that already conflict give 0 solutions. With limit = 2 and a unique puzzle the search
// covers the whole tree, so `guesses` is independent of the order digits are tried in: a difficulty measure.
SolveResult solve(const Grid& puzzle, int limit = 2);

// The same search, trying each guessed cell's digits in random order and stopping at the first solution: from an
// empty grid this draws a random complete grid (varied, though not uniform over all grids). nullopt when the
// puzzle has no solution.
std::optional<Grid> solve_randomly(const Grid& puzzle, Rng& rng);

// False when the rules alone refute a partial grid: two givens clash, or placing its naked and hidden singles
// (on a scratch copy: `grid` is never changed) reaches a cell with no candidate or a unit with no place for a
// digit it lacks. True says only that this propagation found no contradiction, not that a solution exists.
// No guessing, so it costs microseconds: the verified search uses it to reject a branch.
bool singles_consistent(const Grid& grid);

// How deep a reasoner must look ahead to solve a puzzle with singles: trial and error of depth 1 with singles
// (Berthier's T&E(1)). A sweep tries every candidate of every blank on a scratch copy and rules out each whose
// singles reach a contradiction; singles then run on what is left, and sweeps repeat until the grid is full or a
// sweep rules nothing out. Guesses measure a search's luck as much as the puzzle; this measures what a solver that
// never guesses needs. Published lists of the hardest puzzles are mostly beyond depth 1, which random puzzles
// almost never are, so `sweeps` and `blanks_left` grade the way there. Meant for puzzles with one solution (one
// with several always ends at depth 2). Milliseconds: each sweep runs singles about 200 times.
struct TrialRating {
  int depth = 0;              // 0: singles solve it; 1: sweeps of depth-1 trials solve it; 2: they leave blanks
  int sweeps = 0;             // sweeps that ruled something out
  int eliminations = 0;       // candidates ruled out by trial, over all sweeps
  int blanks_swept = 0;       // blanks at the start of each sweep that ruled something out, summed: a finer grade
                              // than sweeps (a first sweep that unlocks little leaves much for the next)
  int last_sweep_blanks = 0;  // blanks when the last sweep that ruled something out began
  int last_sweep_eliminations = 0;  // and what it ruled out: the fewer, the nearer the puzzle is to one more sweep
  int blanks_left = 0;        // blanks when the sweeps stopped (0 unless depth 2)
  bool contradiction = false; // the givens (or singles and trials from them) contradict: no solution
  Grid reached{};             // the grid the sweeps and singles filled (all zeros on a contradiction)
};
TrialRating rate_by_trial(const Grid& puzzle);

}  // namespace trm::sudoku
