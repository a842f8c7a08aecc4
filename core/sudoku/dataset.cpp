#include "sudoku/dataset.h"

#include <cstdio>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include <xtensor/xview.hpp>

#include "util/error.h"
#include "util/rng.h"

namespace trm::sudoku {

namespace {

Grid row_of_tensor(const xt::xtensor<uint8_t, 2>& grids, size_t i) {
  if (i >= grids.shape(0)) {
    throw std::out_of_range("dataset row " + std::to_string(i) + " of " + std::to_string(grids.shape(0)));
  }
  Grid grid;
  std::memcpy(grid.data(), grids.data() + i * kCells, kCells);
  return grid;
}

// Rows grouped by identical puzzle, each group's rows ascending, groups in puzzle-text order.
std::vector<std::vector<size_t>> group_by_puzzle(const Dataset& data) {
  const uint8_t* puzzles = data.puzzles.data();
  std::vector<size_t> order(data.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [puzzles](size_t a, size_t b) {
    const int cmp = std::memcmp(puzzles + a * kCells, puzzles + b * kCells, kCells);
    return cmp != 0 ? cmp < 0 : a < b;
  });
  std::vector<std::vector<size_t>> groups;
  for (size_t k = 0; k < order.size(); ++k) {
    const bool same_as_previous =
        k > 0 && std::memcmp(puzzles + order[k] * kCells, puzzles + order[k - 1] * kCells, kCells) == 0;
    if (!same_as_previous) groups.emplace_back();
    groups.back().push_back(order[k]);
  }
  return groups;
}

}  // namespace

Grid Dataset::puzzle(size_t i) const { return row_of_tensor(puzzles, i); }
Grid Dataset::solution(size_t i) const { return row_of_tensor(solutions, i); }

Dataset subset(const Dataset& data, const std::vector<size_t>& rows) {
  Dataset out;
  out.level_names = data.level_names;
  for (const size_t row : rows) {
    if (row >= data.size()) {
      throw std::out_of_range("subset: row " + std::to_string(row) + " of a dataset of " + std::to_string(data.size()));
    }
  }
  if (rows.empty()) return out;
  out.puzzles = xt::view(data.puzzles, xt::keep(rows), xt::all());
  out.solutions = xt::view(data.solutions, xt::keep(rows), xt::all());
  for (const size_t row : rows) {
    if (!data.difficulty.empty()) out.difficulty.push_back(data.difficulty[row]);
    if (!data.level.empty()) out.level.push_back(data.level[row]);
  }
  return out;
}

DatasetSplit split_by_puzzle(const Dataset& data, double test_fraction, uint64_t seed) {
  if (!(test_fraction >= 0.0 && test_fraction <= 1.0)) {
    throw InputError("test fraction is " + std::to_string(test_fraction) + ", expected a number in [0, 1]");
  }
  std::vector<std::vector<size_t>> groups = group_by_puzzle(data);
  Rng rng(seed);
  rng.shuffle(groups.begin(), groups.end());

  const auto target = static_cast<size_t>(std::llround(test_fraction * static_cast<double>(data.size())));
  std::vector<bool> in_test(data.size(), false);
  size_t test_rows = 0;
  for (size_t g = 0; g < groups.size() && test_rows < target; ++g) {
    for (const size_t row : groups[g]) in_test[row] = true;
    test_rows += groups[g].size();
  }

  std::vector<size_t> train_rows, test_rows_list;
  for (size_t i = 0; i < data.size(); ++i) (in_test[i] ? test_rows_list : train_rows).push_back(i);
  return {subset(data, train_rows), subset(data, test_rows_list)};
}

namespace {
uint64_t hash_bytes(uint64_t h, const uint8_t* data, size_t size) {
  // Eight bytes at a time, each word mixed in with a multiply and a rotate (FNV-style, 64-bit words).
  constexpr uint64_t kPrime = 0x100000001B3ULL;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, 8);
    h = (h ^ word) * kPrime;
    h ^= h >> 29;
  }
  for (; i < size; ++i) h = (h ^ data[i]) * kPrime;
  return h;
}
}  // namespace

uint64_t checksum(const Dataset& data) {
  uint64_t h = 0xCBF29CE484222325ULL ^ data.size();
  h = hash_bytes(h, data.puzzles.data(), data.puzzles.size());
  return hash_bytes(h, data.solutions.data(), data.solutions.size());
}

std::string checksum_hex(const Dataset& data) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(checksum(data)));
  return text;
}

}  // namespace trm::sudoku
