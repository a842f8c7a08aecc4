#pragma once
// CSV files of puzzles and solutions, as public Sudoku sets ship them. The reference format is the Kaggle
// "1 million Sudoku games" file: a `quizzes,solutions` header, 81 digits per field, 0 for a blank. Common
// variants read as well:
//   - other header names: quiz/quizzes/puzzle/puzzles and solution/solutions (any case);
//   - extra columns in any order; a numeric difficulty/guesses/rating column and a text level column are kept;
//   - '.' for a blank; CRLF or CR-only line ends, a UTF-8 byte order mark, no final newline, trailing spaces and
//     the 1 MiB line limit, all as sudoku/lines.h reads lines for every puzzle reader; blank lines (the Kaggle file
//     ends with two); surrounding spaces or double quotes around a field (fields never contain commas);
//   - no header at all, when the first field of the first line is a puzzle: then column 1 is the puzzle and
//     column 2 the solution.
// Every row is checked (81 characters of digits, no clashing givens, a complete valid solution that keeps the
// givens). A bad row is an InputError "FILE:LINE: problem" (LINE is the 1-based physical line), or with
// skip_invalid it is counted and left out. The reader keeps no per-row strings: rows go straight into byte
// chunks, copied once into the dataset's tensors at the end, so a 1M-row file peaks near its final 162 MB.
#include <cstddef>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "sudoku/dataset.h"

namespace trm::sudoku {

struct CsvOptions {
  bool skip_invalid = false;  // count and skip bad rows instead of throwing on the first one
  size_t limit = 0;           // stop after this many valid rows; 0 reads them all
};

struct CsvReport {
  size_t rows_read = 0;     // data rows seen (valid or not), not counting the header and blank lines
  size_t rows_skipped = 0;  // invalid rows left out (only with skip_invalid)
  std::vector<std::string> first_errors;  // the messages of the first 10 skipped rows
};

// `source_name` (usually the file's path) starts every error message.
Dataset read_csv(std::istream& in, const std::string& source_name, const CsvOptions& options = {},
                 CsvReport* report = nullptr);

// The reference format: header `quizzes,solutions`, plus `,difficulty` and `,level` when the dataset has them;
// blanks as 0. read_csv reads it back unchanged.
void write_csv(std::ostream& out, const Dataset& data);

}  // namespace trm::sudoku
