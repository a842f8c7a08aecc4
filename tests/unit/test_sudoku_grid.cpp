// Grid parsing, printing, units, conflicts and candidates.
#include <algorithm>
#include <set>

#include <catch2/catch.hpp>

#include "sudoku/grid.h"
#include "test_sudoku_samples.h"
#include "util/error.h"

using namespace trm::sudoku;
using trm_test::grid;
using trm_test::kEasyPuzzle;
using trm_test::kEasySolution;

namespace {

// The message parse_grid throws for `text`, or "" when it parses.
std::string parse_error(const std::string& text, bool allow_blanks = true) {
  try {
    parse_grid(text, "puzzle line 3", allow_blanks);
  } catch (const trm::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("parse_grid reads digits and both blank spellings", "[sudoku][grid]") {
  const Grid zeros = grid(kEasyPuzzle);
  std::string dotted = kEasyPuzzle;
  std::replace(dotted.begin(), dotted.end(), '0', '.');
  CHECK(parse_grid(dotted, "dotted") == zeros);
  CHECK(zeros[0] == 0);
  CHECK(zeros[2] == 4);
  CHECK(to_string(zeros) == kEasyPuzzle);
  CHECK(to_string(zeros, '.') == dotted);
  CHECK(count_givens(zeros) == 35);
}

TEST_CASE("parse_grid errors name the place, the position and the problem", "[sudoku][grid]") {
  std::string bad = kEasyPuzzle;
  bad[16] = 'x';
  CHECK(parse_error(bad) == "puzzle line 3: character 17 is 'x', expected a digit 1-9 or 0/. for a blank");
  CHECK(parse_error(std::string(kEasyPuzzle).substr(0, 80)) == "puzzle line 3: has 80 characters, expected 81");
  CHECK(parse_error(std::string(kEasyPuzzle) + "1") == "puzzle line 3: has 82 characters, expected 81");
  CHECK(parse_error("") == "puzzle line 3: has 0 characters, expected 81");
  CHECK(parse_error(kEasyPuzzle, false) ==
        "puzzle line 3: character 1 is '0', expected a digit 1-9 (no blanks allowed)");
  CHECK(parse_error(kEasySolution, false).empty());
}

TEST_CASE("parse_grid names unprintable characters by their byte (found by fuzz_grid)", "[sudoku][grid]") {
  std::string bad = kEasyPuzzle;
  bad[4] = '\0';  // a NUL used to end the message's C string early
  CHECK(parse_error(bad) == "puzzle line 3: character 5 is byte 0x00, expected a digit 1-9 or 0/. for a blank");
  bad[4] = '\xd9';  // half of a UTF-8 sequence
  CHECK(parse_error(bad) == "puzzle line 3: character 5 is byte 0xd9, expected a digit 1-9 or 0/. for a blank");
  bad[4] = '\n';
  CHECK(parse_error(bad) == "puzzle line 3: character 5 is byte 0x0a, expected a digit 1-9 or 0/. for a blank");
}

TEST_CASE("format_grid draws boxes", "[sudoku][grid]") {
  const std::string text = format_grid(grid(kEasyPuzzle));
  CHECK(text.substr(0, 22) == ". . 4 | 3 . . | 2 . 9\n");
  CHECK(std::count(text.begin(), text.end(), '\n') == 11);
  CHECK(text.find("------+-------+------\n") == 3 * 22);
}

TEST_CASE("unit table: rows, columns, boxes each cover the board once", "[sudoku][grid]") {
  const UnitTable& units = unit_cells();
  CHECK(units[0] == std::array<uint8_t, 9>{0, 1, 2, 3, 4, 5, 6, 7, 8});
  CHECK(units[9 + 2] == std::array<uint8_t, 9>{2, 11, 20, 29, 38, 47, 56, 65, 74});
  CHECK(units[18 + 4] == std::array<uint8_t, 9>{30, 31, 32, 39, 40, 41, 48, 49, 50});
  for (int kind = 0; kind < 3; ++kind) {
    std::multiset<int> covered;
    for (int u = 9 * kind; u < 9 * kind + 9; ++u) covered.insert(units[u].begin(), units[u].end());
    CHECK(covered.size() == 81);
    CHECK(std::set<int>(covered.begin(), covered.end()).size() == 81);
  }
  for (int cell = 0; cell < kCells; ++cell) {
    const auto& box = units[18 + box_of(cell)];
    CHECK(std::count(box.begin(), box.end(), cell) == 1);
  }
}

TEST_CASE("find_conflicts reports each clashing pair and describes it", "[sudoku][grid]") {
  CHECK(find_conflicts(grid(kEasyPuzzle)).empty());
  CHECK(find_conflicts(grid(kEasySolution)).empty());

  SECTION("row") {
    Grid g{};
    g[18] = g[24] = 5;  // r3c1, r3c7
    const auto conflicts = find_conflicts(g);
    REQUIRE(conflicts.size() == 1);
    CHECK(conflicts[0].unit == Conflict::Row);
    CHECK(conflicts[0].index == 2);
    CHECK(conflicts[0].digit == 5);
    CHECK(conflicts[0].cells == std::array<int, 2>{18, 24});
    CHECK(describe(conflicts[0]) == "digit 5 twice in row 3 (r3c1, r3c7)");
  }
  SECTION("column") {
    Grid g{};
    g[12] = g[66] = 7;  // r2c4, r8c4
    const auto conflicts = find_conflicts(g);
    REQUIRE(conflicts.size() == 1);
    CHECK(describe(conflicts[0]) == "digit 7 twice in column 4 (r2c4, r8c4)");
  }
  SECTION("box") {
    Grid g{};
    g[30] = g[50] = 2;  // r4c4, r6c6
    const auto conflicts = find_conflicts(g);
    REQUIRE(conflicts.size() == 1);
    CHECK(describe(conflicts[0]) == "digit 2 twice in box 5 (r4c4, r6c6)");
  }
  SECTION("a pair sharing a row and a box breaks both") {
    Grid g = grid(kEasyPuzzle);
    g[0] = 4;  // r1c3 holds a 4 already
    const auto conflicts = find_conflicts(g);
    REQUIRE(conflicts.size() == 2);
    CHECK(describe(conflicts[0]) == "digit 4 twice in row 1 (r1c1, r1c3)");
    CHECK(describe(conflicts[1]) == "digit 4 twice in box 1 (r1c1, r1c3)");
  }
  SECTION("three equal digits give three pairs") {
    Grid g{};
    g[0] = g[1] = g[2] = 9;
    CHECK(find_conflicts(g).size() == 6);  // 3 pairs in row 1, 3 in box 1
  }
}

TEST_CASE("completeness, agreement and givens", "[sudoku][grid]") {
  const Grid puzzle = grid(kEasyPuzzle);
  const Grid solution = grid(kEasySolution);
  CHECK(is_complete_valid(solution));
  CHECK_FALSE(is_complete_valid(puzzle));
  Grid swapped = solution;
  std::swap(swapped[0], swapped[1]);  // rows stay valid, two columns break
  CHECK_FALSE(is_complete_valid(swapped));
  Grid blank = solution;
  blank[40] = 0;
  CHECK_FALSE(is_complete_valid(blank));

  CHECK(agrees(puzzle, solution));
  CHECK(agrees(Grid{}, solution));
  Grid changed = solution;
  changed[2] = 6;  // r1c3 is a given 4
  CHECK_FALSE(agrees(puzzle, changed));
  CHECK(count_givens(Grid{}) == 0);
  CHECK(count_givens(solution) == 81);
}

TEST_CASE("candidates exclude the digits of the cell's row, column and box", "[sudoku][grid]") {
  CHECK(candidates(Grid{}, 40) == kAllDigits);
  const Grid puzzle = grid(kEasyPuzzle);
  // r1c1: row 1 holds 2 3 4 9, column 1 holds 1 6, box 1 holds 4 5 7.
  CHECK(candidates(puzzle, 0) == (digit_bit(8)));
  const Grid solution = grid(kEasySolution);
  for (int cell = 0; cell < kCells; ++cell) {
    CHECK((candidates(puzzle, cell) & digit_bit(solution[cell])) != 0);
    CHECK(candidates(solution, cell) == digit_bit(solution[cell]));  // the cell's own digit is ignored
  }
}
