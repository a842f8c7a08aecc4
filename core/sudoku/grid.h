#pragma once
// Grid: one Sudoku board as 81 digits in row-major order (0 = blank, 1-9 = a digit), and the rules of the
// game on it: the 27 units (9 rows, 9 columns, 9 boxes), conflicts between equal digits in a unit, candidate
// digits of a cell. Every other file of the data layer (CSV reader, solver, generator, augmentation, baseline)
// speaks in Grids and in the unit table defined here, so the geometry is written once.
//
// Cells are numbered 0-80 (cell = 9 * row + column); messages shown to people use 1-based r<row>c<column>.
// Digit sets are 16-bit masks with bit d set for digit d (bits 1-9; bit 0 unused), so "all digits" is 0x3FE.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trm::sudoku {

using Grid = std::array<uint8_t, 81>;  // (81,) row-major, 0 = blank

constexpr int kCells = 81;
constexpr int kUnits = 27;
constexpr uint16_t kAllDigits = 0x3FE;

constexpr int row_of(int cell) { return cell / 9; }
constexpr int col_of(int cell) { return cell % 9; }
constexpr int box_of(int cell) { return (cell / 27) * 3 + (cell % 9) / 3; }

// The cells of each unit: units 0-8 are rows, 9-17 columns, 18-26 boxes (boxes numbered row-major).
using UnitTable = std::array<std::array<uint8_t, 9>, kUnits>;
const UnitTable& unit_cells();

// Digit-mask helpers (the solver's inner loop lives on these, hence compiler builtins rather than loops).
inline int digit_count(uint16_t mask) { return __builtin_popcount(mask); }
inline int lowest_digit(uint16_t mask) { return __builtin_ctz(mask); }
constexpr uint16_t digit_bit(int digit) { return static_cast<uint16_t>(1u << digit); }

// Parses exactly 81 characters: '1'-'9' are digits, '0' and '.' blanks (refused when !allow_blanks).
// try_parse_grid is the allocation-free form for bulk readers: on failure it returns false and, when `problem`
// is given, describes the first bad character, e.g. "character 17 is 'x', expected a digit 1-9 or 0/. for a
// blank". parse_grid throws InputError "<where>: <problem>".
bool try_parse_grid(std::string_view text, Grid& out, bool allow_blanks, std::string* problem);
// A character as messages name it: 'x' when printable ASCII, else "byte 0x0a" (a NUL or control byte would cut
// or garble the message).
std::string quote_char(char ch);
Grid parse_grid(std::string_view text, std::string_view where, bool allow_blanks = true);

// 81 characters, blanks written as `blank`.
std::string to_string(const Grid& grid, char blank = '0');
// Nine lines of "5 3 . | . 7 . | . . ." with a "------+-------+------" line between bands.
std::string format_grid(const Grid& grid);

// Two cells of one unit holding the same digit.
struct Conflict {
  enum Unit { Row, Column, Box } unit;
  int index;                  // 0-based row, column or box (boxes row-major)
  int digit;                  // 1-9
  std::array<int, 2> cells;   // cell numbers, ascending
};

// Every pair of equal nonzero digits sharing a unit. Two cells in the same row and box give two conflicts,
// one per unit, so every broken rule is reported. Empty for a grid that breaks no rule.
std::vector<Conflict> find_conflicts(const Grid& grid);
// "digit 5 twice in row 3 (r3c1, r3c7)", 1-based.
std::string describe(const Conflict& conflict);
// "r3c7" for cell 24.
std::string cell_name(int cell);

// True when every cell holds a digit and no unit repeats one.
bool is_complete_valid(const Grid& grid);
// True when `solution` holds every given of `puzzle` in its cell.
bool agrees(const Grid& puzzle, const Grid& solution);
int count_givens(const Grid& grid);

// Digits that no other cell of the cell's row, column or box holds (the cell's own digit is ignored).
uint16_t candidates(const Grid& grid, int cell);

}  // namespace trm::sudoku
