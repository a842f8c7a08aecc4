#pragma once
// Augmentation: the symmetries of Sudoku that map every valid grid to a valid grid, used to show the model many
// versions of each training puzzle (as the TRM paper does). A symmetry relabels digits, reorders the three bands
// and the rows within each band, the three stacks and the columns within each stack, and may transpose. The same
// symmetry applied to a puzzle and its solution gives a new puzzle whose solution is the new solution.
#include <array>
#include <cstdint>

#include "sudoku/grid.h"
#include "util/rng.h"

namespace trm::sudoku {

struct Symmetry {
  std::array<uint8_t, 10> digit_map{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};  // new digit of each old one; 0 stays 0
  // Output row r is input row row_order[r] (likewise columns). Always a band permutation composed with
  // permutations within the bands: row_order[r] / 3 is the same for the three rows of a band.
  std::array<uint8_t, 9> row_order{0, 1, 2, 3, 4, 5, 6, 7, 8};
  std::array<uint8_t, 9> col_order{0, 1, 2, 3, 4, 5, 6, 7, 8};
  bool transpose = false;  // applied after the row and column reordering
};

// Draws, in this order: the digit relabelling, the band order, the rows within each band, the stack order, the
// columns within each stack, then transpose with probability 1/2. Every part uniform.
Symmetry random_symmetry(Rng& rng);

// For each output cell, the input cell its digit comes from: a permutation of 0..80.
std::array<uint8_t, kCells> cell_sources(const Symmetry& symmetry);

// (Not named apply: argument-dependent lookup on std::array would also find std::apply.)
Grid apply_symmetry(const Symmetry& symmetry, const Grid& grid);

// One random symmetry applied to both grids of a training pair.
void augment_pair(Rng& rng, Grid& puzzle, Grid& solution);

}  // namespace trm::sudoku
