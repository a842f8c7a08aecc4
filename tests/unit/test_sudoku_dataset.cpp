// Dataset subsets and the seeded train/test split by puzzle.
#include <set>

#include <catch2/catch.hpp>

#include "sudoku/dataset.h"
#include "sudoku/generator.h"
#include "util/error.h"

using namespace trm::sudoku;

namespace {

// 40 distinct generated puzzles, then rows 0-9 again (so 10 puzzles appear twice), with levels attached.
Dataset with_duplicates() {
  Dataset base = generate(40, 7);
  base.level_names = {"even", "odd"};
  for (size_t i = 0; i < base.size(); ++i) base.level.push_back(static_cast<uint8_t>(i % 2));
  std::vector<size_t> rows;
  for (size_t i = 0; i < 40; ++i) rows.push_back(i);
  for (size_t i = 0; i < 10; ++i) rows.push_back(i);
  return subset(base, rows);
}

std::set<std::string> puzzles_of(const Dataset& data) {
  std::set<std::string> texts;
  for (size_t i = 0; i < data.size(); ++i) texts.insert(to_string(data.puzzle(i)));
  return texts;
}

}  // namespace

TEST_CASE("subset takes rows in the given order with their columns", "[sudoku][dataset]") {
  const Dataset data = with_duplicates();
  REQUIRE(data.size() == 50);
  CHECK(data.puzzle(43) == data.puzzle(3));

  const Dataset picked = subset(data, {5, 2, 5});
  REQUIRE(picked.size() == 3);
  CHECK(picked.puzzle(0) == data.puzzle(5));
  CHECK(picked.solution(1) == data.solution(2));
  CHECK(picked.puzzle(2) == data.puzzle(5));
  CHECK(picked.difficulty == std::vector<float>{data.difficulty[5], data.difficulty[2], data.difficulty[5]});
  CHECK(picked.level == std::vector<uint8_t>{1, 0, 1});
  CHECK(picked.level_names == data.level_names);

  const Dataset none = subset(data, {});
  CHECK(none.size() == 0);
  CHECK(none.puzzles.shape(1) == 81);
  CHECK_THROWS_AS(subset(data, {50}), std::out_of_range);
  CHECK_THROWS_AS(data.puzzle(50), std::out_of_range);
}

TEST_CASE("split_by_puzzle is disjoint by puzzle, complete and seeded", "[sudoku][dataset]") {
  const Dataset data = with_duplicates();
  const DatasetSplit split = split_by_puzzle(data, 0.3, 11);
  CHECK(split.train.size() + split.test.size() == data.size());
  CHECK(split.test.size() >= 15);  // round(0.3 * 50), plus at most one extra copy of the last puzzle taken
  CHECK(split.test.size() <= 16);

  const auto train = puzzles_of(split.train), test = puzzles_of(split.test);
  for (const auto& puzzle : test) CHECK(train.count(puzzle) == 0);
  CHECK(train.size() + test.size() == 40);
  CHECK(split.train.level.size() == split.train.size());
  CHECK(split.test.difficulty.size() == split.test.size());

  const DatasetSplit again = split_by_puzzle(data, 0.3, 11);
  CHECK(again.test.puzzles == split.test.puzzles);
  CHECK(again.train.puzzles == split.train.puzzles);
  const DatasetSplit other = split_by_puzzle(data, 0.3, 12);
  CHECK(puzzles_of(other.test) != test);

  CHECK(split_by_puzzle(data, 0.0, 1).test.size() == 0);
  CHECK(split_by_puzzle(data, 1.0, 1).train.size() == 0);
  CHECK_THROWS_AS(split_by_puzzle(data, 1.5, 1), trm::InputError);
}
