#include "sudoku/augment.h"

#include <numeric>

#include <xtensor/xbuilder.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

namespace trm::sudoku {

namespace {

// A permutation of 0..8 that moves whole groups of three (bands or stacks) and reorders within each group.
std::array<uint8_t, 9> random_line_order(Rng& rng) {
  std::array<uint8_t, 3> groups{0, 1, 2};
  rng.shuffle(groups.begin(), groups.end());
  std::array<uint8_t, 9> order{};
  for (int g = 0; g < 3; ++g) {
    std::array<uint8_t, 3> within{0, 1, 2};
    rng.shuffle(within.begin(), within.end());
    for (int i = 0; i < 3; ++i) order[3 * g + i] = static_cast<uint8_t>(3 * groups[g] + within[i]);
  }
  return order;
}

Grid apply_with_sources(const Symmetry& symmetry, const std::array<uint8_t, kCells>& sources, const Grid& grid) {
  Grid out;
  for (int cell = 0; cell < kCells; ++cell) out[cell] = symmetry.digit_map[grid[sources[cell]]];
  return out;
}

}  // namespace

Symmetry random_symmetry(Rng& rng) {
  Symmetry symmetry;
  rng.shuffle(symmetry.digit_map.begin() + 1, symmetry.digit_map.end());
  symmetry.row_order = random_line_order(rng);
  symmetry.col_order = random_line_order(rng);
  symmetry.transpose = rng.below(2) == 1;
  return symmetry;
}

std::array<uint8_t, kCells> cell_sources(const Symmetry& symmetry) {
  // Move the cell numbers themselves: a [9, 9] board of 0..80 picked by rows and columns, then transposed.
  const xt::xtensor<uint8_t, 2> board = xt::reshape_view(xt::arange<uint8_t>(kCells), {9, 9});  // (9, 9)
  const std::vector<size_t> rows(symmetry.row_order.begin(), symmetry.row_order.end());
  const std::vector<size_t> cols(symmetry.col_order.begin(), symmetry.col_order.end());
  xt::xtensor<uint8_t, 2> moved = xt::view(board, xt::keep(rows), xt::keep(cols));  // (9, 9)
  if (symmetry.transpose) moved = xt::transpose(moved);
  std::array<uint8_t, kCells> sources{};
  std::copy(moved.begin(), moved.end(), sources.begin());
  return sources;
}

Grid apply_symmetry(const Symmetry& symmetry, const Grid& grid) {
  return apply_with_sources(symmetry, cell_sources(symmetry), grid);
}

void augment_pair(Rng& rng, Grid& puzzle, Grid& solution) {
  const Symmetry symmetry = random_symmetry(rng);
  const auto sources = cell_sources(symmetry);
  puzzle = apply_with_sources(symmetry, sources, puzzle);
  solution = apply_with_sources(symmetry, sources, solution);
}

}  // namespace trm::sudoku
