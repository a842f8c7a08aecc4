// Reading one puzzle written as text (core/sudoku/lines.h): a line of 81 characters or a drawn grid, the
// honest variants of both, and the messages for the rest.
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "sudoku/lines.h"
#include "test_sudoku_samples.h"

using namespace trm::sudoku;
using namespace trm_test;
using Catch::Matchers::Contains;

namespace {
// Reads `text`; returns the problem ("" when it read, and then checks the cells are kEasyPuzzle's).
std::string read(const std::string& text, bool check_conflicts = true) {
  Grid out{};
  std::string problem;
  const bool ok = check_conflicts ? try_read_puzzle(text, out, problem) : try_read_puzzle_cells(text, out, problem);
  if (ok) {
    CHECK(problem.empty());
    CHECK(to_string(out) == kEasyPuzzle);
  } else {
    CHECK_FALSE(problem.empty());
  }
  return problem;
}

std::string dotted(std::string text) {
  for (char& c : text)
    if (c == '0') c = '.';
  return text;
}
}  // namespace

TEST_CASE("try_read_puzzle: one line, with the honest variants", "[sudoku][lines]") {
  const std::string p = kEasyPuzzle;
  CHECK(read(p).empty());
  CHECK(read(dotted(p)).empty());
  CHECK(read("  " + p + " \t").empty());
  CHECK(read("\xEF\xBB\xBF" + p).empty());
  CHECK(read(p + "\r\n").empty());
  CHECK(read(p + "\r").empty());
  CHECK(read("\n\n" + p + "\n\n").empty());
}

TEST_CASE("try_read_puzzle: a drawn grid, as trm solve prints it, reads back", "[sudoku][lines]") {
  const std::string drawn = format_grid(grid(kEasyPuzzle));
  REQUIRE(drawn.find('\n') != std::string::npos);
  CHECK(read(drawn).empty());
  std::string crlf;
  for (const char c : drawn) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  CHECK(read("\xEF\xBB\xBF" + crlf).empty());
  // Nine lines of nine digits, zeros or dots, no drawing at all.
  std::string rows;
  for (int r = 0; r < 9; ++r) rows += std::string(kEasyPuzzle).substr(9 * r, 9) + "\n";
  CHECK(read(rows).empty());
  CHECK(read(dotted(rows)).empty());
}

TEST_CASE("try_read_puzzle: bad text names the problem", "[sudoku][lines]") {
  const std::string p = kEasyPuzzle;
  CHECK(read("") == "has 0 characters, expected 81");
  CHECK(read(p.substr(1)) == "has 80 characters, expected 81");
  CHECK(read(p + "5") == "has 82 characters, expected 81");
  CHECK_THAT(read("x" + p.substr(1)), Contains("character 1 is 'x'"));
  std::string rows;
  for (int r = 0; r < 9; ++r) rows += p.substr(9 * r, 9) + "\n";
  CHECK(read(rows.substr(1)) == "a grid of 9 lines has 80 cells, expected 81");
  CHECK(read(rows + "1\n") == "a grid of 10 lines has 82 cells, expected 81");
  std::string bad = rows;
  bad[10 * 2 + 4] = 'x';  // line 3, character 5
  CHECK_THAT(read(bad), Contains("line 3 of the grid, character 5 is 'x'"));
  bad[10 * 2 + 4] = '\x01';
  CHECK_THAT(read(bad), Contains("is byte 0x01"));
  CHECK_THAT(read(std::string(kMaxLineBytes + 1, '1')), Contains("bytes, more than the 1048576 a puzzle may have"));
}

TEST_CASE("try_read_puzzle refuses conflicting givens, try_read_puzzle_cells reads them", "[sudoku][lines]") {
  std::string p = kEasyPuzzle;
  p[0] = '3';  // r1c1 = 3 and r1c4 = 3
  Grid out{};
  std::string problem;
  CHECK_FALSE(try_read_puzzle(p, out, problem));
  CHECK_THAT(problem, Contains("the givens conflict: digit 3 twice in row 1"));
  problem.clear();
  CHECK(try_read_puzzle_cells(p, out, problem));
  CHECK(to_string(out) == p);
}

TEST_CASE("PuzzleListReader: one puzzle per line, first field, header and blank lines skipped", "[sudoku][lines]") {
  std::istringstream in(std::string("\xEF\xBB\xBFquizzes,solutions\r\n") + kEasyPuzzle + "," + kEasySolution +
                        "\r\n\r\n" + dotted(kHardPuzzle) + "  \r" + std::string(kEasyPuzzle).substr(0, 80) + "\n");
  PuzzleListReader reader(in, "list.csv");
  Grid g{};
  REQUIRE(reader.next(g));
  CHECK(to_string(g) == kEasyPuzzle);
  REQUIRE(reader.next(g));
  CHECK(to_string(g) == kHardPuzzle);
  CHECK(reader.line_number() == 4);
  CHECK_THROWS_WITH(reader.next(g), "list.csv:5: has 80 characters, expected 81");
}
