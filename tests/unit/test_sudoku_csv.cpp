// Reading and writing puzzle CSV files: the reference format, its common variants, and bad rows.
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "sudoku/csv.h"
#include "test_sudoku_samples.h"
#include "test_support.h"
#include "util/error.h"

using namespace trm::sudoku;
using Catch::Matchers::Contains;

namespace {

Dataset load(const std::string& name, const CsvOptions& options = {}, CsvReport* report = nullptr) {
  std::ifstream in(trm_test::test_data("csv/" + name), std::ios::binary);
  REQUIRE(in);
  return read_csv(in, name, options, report);
}

// The message read_csv throws for fixture `name`; fails the test when it throws nothing.
std::string load_error(const std::string& name) {
  try {
    load(name);
  } catch (const trm::InputError& e) {
    return e.what();
  }
  FAIL(name << " was read without an error");
  return "";
}

void check_same_grids(const Dataset& a, const Dataset& b) {
  REQUIRE(a.size() == b.size());
  CHECK(a.puzzles == b.puzzles);
  CHECK(a.solutions == b.solutions);
}

}  // namespace

TEST_CASE("read_csv: reference format", "[sudoku][csv]") {
  CsvReport report;
  const Dataset data = load("reference.csv", {}, &report);
  REQUIRE(data.size() == 3);
  CHECK(data.puzzles.shape(1) == 81);
  CHECK(data.puzzle(0) == trm_test::grid(trm_test::kEasyPuzzle));
  CHECK(data.solution(0) == trm_test::grid(trm_test::kEasySolution));
  CHECK(data.difficulty.empty());
  CHECK(data.level.empty());
  CHECK(report.rows_read == 3);
  CHECK(report.rows_skipped == 0);
  CHECK(report.first_errors.empty());
}

TEST_CASE("read_csv: layout variants read the same rows as the reference", "[sudoku][csv]") {
  const Dataset reference = load("reference.csv");
  for (const char* name : {"crlf.csv", "no_trailing_newline.csv", "trailing_blank_lines.csv", "bom.csv",
                           "headerless.csv"}) {
    INFO(name);
    check_same_grids(load(name), reference);
  }
}

TEST_CASE("read_csv: other column names, dot blanks, extra columns in any order", "[sudoku][csv]") {
  // Header "id,Level,Solution,rating,Puzzle"; the level quoted, the rating padded with spaces.
  const Dataset data = load("dots_extra_columns.csv");
  REQUIRE(data.size() == 4);
  const Grid first = data.puzzle(0);
  CHECK(to_string(first, '.') ==
        "......95....64..7......7.1..38.15..25..87..6...72.....7...5...9.5.....2.3.94.....");
  CHECK(to_string(data.solution(0)) ==
        "471382956985641273263597418638915742592874361147263895724158639856739124319426587");
  CHECK(data.difficulty == std::vector<float>{0.0f, 1.2f, 2.4f, 4.0f});
  CHECK(data.level_names == std::vector<std::string>{"Beginner", "Easy", "Medium", "Hard"});
  CHECK(data.level == std::vector<uint8_t>{0, 1, 2, 3});
}

TEST_CASE("read_csv: a header with no data rows gives an empty dataset", "[sudoku][csv]") {
  const Dataset data = load("header_only.csv");
  CHECK(data.size() == 0);
  CHECK(data.puzzles.shape(1) == 81);
}

TEST_CASE("read_csv: a bad row names the file, its line and the problem", "[sudoku][csv]") {
  struct Case {
    const char* file;
    const char* problem;
  };
  // Each fixture has the bad row on line 3, between two good rows.
  const Case cases[] = {
      {"wrong_length.csv", "puzzle has 80 characters, expected 81"},
      {"non_digit.csv", "puzzle character 17 is 'x', expected a digit 1-9 or 0/. for a blank"},
      {"conflicting_givens.csv", "puzzle has conflicting givens: digit 4 twice in row 1 (r1c1, r1c3)"},
      {"incomplete_solution.csv", "solution character 5 is '0', expected a digit 1-9 (no blanks allowed)"},
      {"invalid_solution.csv", "solution is not a valid grid: digit 6 twice in column 1 (r1c1, r7c1)"},
      {"disagreeing_solution.csv", "solution disagrees with the puzzle at r1c3 (given 4, solution 6)"},
      {"too_few_fields.csv", "has 1 field, expected at least 2"},
  };
  for (const Case& c : cases) {
    INFO(c.file);
    CHECK(load_error(c.file) == std::string(c.file) + ":3: " + c.problem);
  }
}

TEST_CASE("read_csv: a bad difficulty value is an error", "[sudoku][csv]") {
  CHECK(load_error("bad_difficulty.csv") == "bad_difficulty.csv:3: difficulty \"hard\" is not a number");
}

TEST_CASE("read_csv: a header without a puzzle or solution column is an error naming it", "[sudoku][csv]") {
  const std::string no_solution = load_error("missing_solution_column.csv");
  CHECK_THAT(no_solution, Contains("missing_solution_column.csv:1: "));
  CHECK_THAT(no_solution, Contains("header \"quizzes,answers\""));
  CHECK_THAT(no_solution, Contains("has no solution column"));

  const std::string no_puzzle = load_error("missing_puzzle_column.csv");
  CHECK_THAT(no_puzzle, Contains("missing_puzzle_column.csv:1: "));
  CHECK_THAT(no_puzzle, Contains("header \"id,solutions\""));
  CHECK_THAT(no_puzzle, Contains("has no puzzle column"));
}

TEST_CASE("read_csv: an empty file is an error", "[sudoku][csv]") {
  CHECK_THAT(load_error("empty.csv"), Contains("empty.csv: is empty"));
  std::istringstream blank_lines("\n\r\n  \n");
  CHECK_THROWS_WITH(read_csv(blank_lines, "blank.csv"), Contains("blank.csv: is empty"));
}

TEST_CASE("read_csv: skip_invalid counts and reports bad rows", "[sudoku][csv]") {
  CsvReport report;
  CsvOptions options;
  options.skip_invalid = true;
  const Dataset data = load("mixed_invalid.csv", options, &report);
  CHECK(data.size() == 4);
  CHECK(report.rows_read == 8);
  CHECK(report.rows_skipped == 4);
  REQUIRE(report.first_errors.size() == 4);
  CHECK_THAT(report.first_errors[0], Contains("mixed_invalid.csv:3: puzzle has 80 characters"));
  CHECK_THAT(report.first_errors[1], Contains("mixed_invalid.csv:5: puzzle has conflicting givens"));
  CHECK_THAT(report.first_errors[2], Contains("mixed_invalid.csv:6: solution disagrees"));
  CHECK_THAT(report.first_errors[3], Contains("mixed_invalid.csv:8: solution character 5"));
  CHECK(data.puzzle(3) == trm_test::grid(trm_test::kEasyPuzzle));  // line 10, after a blank line

  std::ostringstream many;
  many << "quizzes,solutions\n";
  for (int i = 0; i < 12; ++i) many << "123\n";
  std::istringstream in(many.str());
  read_csv(in, "many.csv", options, &report);
  CHECK(report.rows_skipped == 12);
  CHECK(report.first_errors.size() == 10);
  CHECK(report.first_errors.back() == "many.csv:11: has 1 field, expected at least 2");
}

TEST_CASE("read_csv: limit stops after that many valid rows", "[sudoku][csv]") {
  CsvOptions options;
  options.limit = 2;
  CsvReport report;
  const Dataset data = load("reference.csv", options, &report);
  CHECK(data.size() == 2);
  CHECK(report.rows_read == 2);
}

TEST_CASE("write_csv writes the reference format and reads back unchanged", "[sudoku][csv]") {
  const Dataset original = load("dots_extra_columns.csv");
  std::stringstream file;
  write_csv(file, original);
  const std::string text = file.str();
  CHECK(text.substr(0, text.find('\n')) == "quizzes,solutions,difficulty,level");
  CHECK_THAT(text, Contains(",1.2,Easy\n"));
  CHECK_THAT(text, Contains("\n000000950000640070000007010038015002500870060007200000700050009050000020309400000,"
                            "471382956985641273263597418638915742592874361147263895724158639856739124319426587,"
                            "0,Beginner\n"));  // blanks written as 0

  const Dataset copy = read_csv(file, "copy");
  check_same_grids(copy, original);
  CHECK(copy.difficulty == original.difficulty);
  CHECK(copy.level == original.level);
  CHECK(copy.level_names == original.level_names);

  std::ostringstream plain;
  write_csv(plain, load("reference.csv"));
  std::ifstream reference(trm_test::test_data("csv/reference.csv"), std::ios::binary);
  std::stringstream expected;
  expected << reference.rdbuf();
  CHECK(plain.str() == expected.str());
}

TEST_CASE("read_csv: the shared public sets load completely", "[sudoku][csv][shared-data]") {
  const std::string dir = trm_test::shared_data_dir();
  if (dir.empty()) {
    WARN("shared data not found (../shared/data or TRM_SHARED_DATA); skipped");
    return;
  }
  std::ifstream kaggle_file(dir + "/kaggle-25k.csv", std::ios::binary);
  const Dataset kaggle = read_csv(kaggle_file, "kaggle-25k.csv");
  CHECK(kaggle.size() == 24997);
  CHECK(kaggle.puzzle(0) == trm_test::grid(trm_test::kEasyPuzzle));

  std::ifstream graded_file(dir + "/graded-5k.csv", std::ios::binary);
  const Dataset graded = read_csv(graded_file, "graded-5k.csv");
  REQUIRE(graded.size() == 5000);
  CHECK(graded.level_names == std::vector<std::string>{"Beginner", "Easy", "Medium", "Hard", "Expert"});
  REQUIRE(graded.level.size() == 5000);
  REQUIRE(graded.difficulty.size() == 5000);
  std::array<int, 5> per_level{};
  for (const uint8_t level : graded.level) ++per_level[level];
  CHECK(per_level == std::array<int, 5>{1000, 1000, 1000, 1000, 1000});
}
