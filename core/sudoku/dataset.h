#pragma once
// Dataset: a set of Sudoku puzzles with their solutions, held as two dense [N, 81] byte tensors so a million
// rows cost 162 MB and a training batch is a slice, plus the optional per-row columns some sources carry
// (a numeric difficulty, a named level). Also the two ways of cutting one: a subset by row list, and a seeded
// train/test split that keeps every copy of a puzzle on one side, so no test puzzle is seen in training.
#include <cstdint>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "sudoku/grid.h"

namespace trm::sudoku {

struct Dataset {
  xt::xtensor<uint8_t, 2> puzzles{std::array<size_t, 2>{0, kCells}};    // (N, 81), 0 = blank
  xt::xtensor<uint8_t, 2> solutions{std::array<size_t, 2>{0, kCells}};  // (N, 81), digits 1-9
  // (N,) or empty: the source's difficulty column (guesses, rating), or the generator's guess count.
  std::vector<float> difficulty;
  // (N,) or empty: index into level_names (e.g. "Beginner", ..., "Expert", in order of first appearance).
  std::vector<uint8_t> level;
  std::vector<std::string> level_names;

  size_t size() const { return puzzles.shape(0); }
  Grid puzzle(size_t i) const;
  Grid solution(size_t i) const;
};

// The given rows, in the given order (repeats allowed); optional columns follow, level_names are kept whole.
Dataset subset(const Dataset& data, const std::vector<size_t>& rows);

// A 64-bit checksum of the puzzles and solutions, in order (difficulty and level are not part of it): what a
// resume compares to tell the same data from other data of the same size. About 3 GB/s.
uint64_t checksum(const Dataset& data);
std::string checksum_hex(const Dataset& data);  // 16 hex digits

struct DatasetSplit {
  Dataset train;
  Dataset test;
};

// Splits by distinct puzzle: the distinct puzzles are shuffled with Rng(seed) and taken into `test` until it
// holds round(test_fraction * N) rows or just more (all copies of a puzzle go together). Both sides keep the
// original row order. The same data and seed always give the same split.
DatasetSplit split_by_puzzle(const Dataset& data, double test_fraction, uint64_t seed);

}  // namespace trm::sudoku
