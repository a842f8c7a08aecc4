#pragma once
// Lines of puzzle text, read the same way by every reader of puzzles (the CSV reader, `trm solve --input`, the
// page's paste box through the wasm): one home for the variants an honest file may have and for the limits a
// hostile one meets.
//   - line ends "\n", "\r\n" or a lone "\r" (old Mac files); a final line with or without an end;
//   - a UTF-8 byte order mark before the first line; spaces and tabs at the end of a line;
//   - a line longer than kMaxLineBytes (1 MiB) is never held whole: its first kMaxLineBytes are kept, the rest
//     is counted (its length and where its first commas are, so messages can still say "has 4194304 characters"),
//     and past kMaxCountedBytes (64 MiB: /dev/zero, a binary file) reading stops with an InputError naming the
//     line. Memory stays bounded whatever the input.
#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "sudoku/grid.h"

namespace trm::sudoku {

constexpr size_t kMaxLineBytes = size_t{1} << 20;
constexpr size_t kMaxCountedBytes = size_t{64} << 20;

class LineReader {
 public:
  LineReader(std::istream& in, const std::string& source);

  // The next line, its end removed; false at the end of the input. The view lives until the next call.
  // Throws InputError "SOURCE: read error after line N" or "SOURCE:N: line is longer than ..." (see above).
  bool next(std::string_view& line);
  size_t line_number() const { return number_; }  // 1-based number of the line last returned

  // Whether the last line is longer than kMaxLineBytes; then `line` holds only its first kMaxLineBytes.
  bool overlong() const { return overlong_; }
  // The last line's length in bytes, all of it (trailing spaces removed when it was held whole).
  size_t length() const { return length_; }
  // Length in bytes of comma-separated field `index` of the last line, all of it, also for an overlong line;
  // std::string::npos when the line has fewer fields (or more commas than an overlong line keeps track of).
  size_t field_length(size_t index) const;
  // "line has N bytes, more than the 1048576 a line may have", for an overlong line.
  std::string overlong_problem() const;

 private:
  bool fill();
  void take(const char* data, size_t size);

  std::istream& in_;
  const std::string source_;  // a copy: callers pass temporaries
  std::vector<char> buffer_;
  size_t pos_ = 0, end_ = 0;
  bool pending_cr_ = false;  // the last line ended with '\r': a '\n' right after it belongs to it
  std::string text_;
  size_t number_ = 0, length_ = 0;
  bool overlong_ = false;
  std::vector<size_t> far_commas_;  // offsets of the first commas past the kept part of an overlong line
};

// One puzzle given as text (a command-line argument, a line of a list, the page's paste box through the wasm),
// written one of two ways:
//   - one line of exactly 81 characters: '1'-'9' givens, '0' or '.' blanks (spaces around it ignored);
//   - a drawn grid over several lines, as `trm solve` prints one: the digits and dots read row by row make the
//     81 cells, and spaces, tabs, '|', '+', '-' and '_' only draw (so "5 3 . | . 7 . | . . ." rows and
//     "------+-------+------" rules paste back as they were printed).
// The line ends, byte order mark and trailing spaces of LineReader are accepted alike. On failure returns false
// with `problem` set, e.g. "has 80 characters, expected 81", "a grid of 9 lines has 80 cells, expected 81".
// try_read_puzzle_cells checks the writing only; try_read_puzzle also refuses two equal givens in a unit ("the
// givens conflict: digit 5 twice in row 1 (r1c1, r1c9)"). The page reads with the first and draws the conflicts.
bool try_read_puzzle_cells(std::string_view text, Grid& grid, std::string& problem);
bool try_read_puzzle(std::string_view text, Grid& grid, std::string& problem);

// A list of puzzles, one per line: the first comma-separated field of each line (so a CSV works too), spaces
// around it ignored, blank lines skipped, and a first line with no puzzle character at all taken as a header.
class PuzzleListReader {
 public:
  PuzzleListReader(std::istream& in, const std::string& source) : lines_(in, source), source_(source) {}
  // The next puzzle; false at the end. Throws InputError "SOURCE:LINE: problem" for a bad line.
  bool next(Grid& grid);
  size_t line_number() const { return lines_.line_number(); }

 private:
  LineReader lines_;
  const std::string source_;  // a copy: callers pass temporaries
};

}  // namespace trm::sudoku
