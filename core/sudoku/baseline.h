#pragma once
// Baseline: what a model must beat. It looks only at the givens: each blank cell gets a uniformly random digit
// among those its row, column and box do not already hold (any digit 1-9 when the givens rule out all nine).
// Its cell accuracy is the floor for "the model learned something beyond the rules it can read off the givens".
#include "sudoku/grid.h"
#include "util/rng.h"

namespace trm::sudoku {

// The puzzle with every blank filled by the rule above; givens are kept. Draws one number per blank, in cell
// order.
Grid baseline_guess(const Grid& puzzle, Rng& rng);

}  // namespace trm::sudoku
