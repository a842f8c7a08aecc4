#include "sudoku/grid.h"

#include <cstdio>

#include <xtensor/xbuilder.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "util/error.h"

namespace trm::sudoku {

namespace {

// Unit table read off a [band, row-in-band, stack, column-in-stack] view of the cell numbers: a row fixes the
// first two axes, a column the last two, a box the band and the stack. Each view's row-major order is the
// reading order of its cells.
UnitTable build_unit_table() {
  const xt::xtensor<int, 4> board = xt::reshape_view(xt::arange<int>(kCells), {3, 3, 3, 3});  // (3,3,3,3)
  UnitTable table{};
  auto store = [&table](int unit, const auto& view) {
    std::copy(view.begin(), view.end(), table[unit].begin());
  };
  for (int i = 0; i < 9; ++i) {
    store(i, xt::view(board, i / 3, i % 3, xt::all(), xt::all()));       // row i
    store(9 + i, xt::view(board, xt::all(), xt::all(), i / 3, i % 3));   // column i
    store(18 + i, xt::view(board, i / 3, xt::all(), i % 3, xt::all()));  // box i
  }
  return table;
}

bool is_blank_char(char ch) { return ch == '0' || ch == '.'; }

}  // namespace

// 'x' for a printable ASCII character; "byte 0x00" for anything else (a NUL would cut the message short, a
// control character would garble the terminal, half of a UTF-8 sequence would print as garbage).
std::string quote_char(char ch) {
  const auto byte = static_cast<unsigned char>(ch);
  if (byte >= 0x20 && byte < 0x7F) return std::string("'") + ch + "'";
  static const char hex[] = "0123456789abcdef";
  return std::string("byte 0x") + hex[byte >> 4] + hex[byte & 15];
}

const UnitTable& unit_cells() {
  static const UnitTable table = build_unit_table();
  return table;
}

namespace {

// Characters of UTF-8 text: bytes that do not continue a sequence (a stray continuation byte counts as part of
// the character before it, so binary junk gets a count no larger than its bytes).
size_t count_characters(std::string_view text) {
  size_t characters = 0;
  for (const char ch : text) characters += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  return characters;
}

// "U+FF11" for a well-formed multi-byte UTF-8 sequence at text[i] (its length in *bytes), else empty.
std::string code_point_at(std::string_view text, size_t i, size_t* bytes) {
  const auto lead = static_cast<unsigned char>(text[i]);
  const size_t n = lead >= 0xF0 && lead < 0xF5 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 && lead < 0xE0 ? 2 : 0;
  if (n == 0 || i + n > text.size()) return "";
  uint32_t value = lead & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0) != 0x80) return "";
    value = (value << 6) | (next & 0x3F);
  }
  char name[16];
  std::snprintf(name, sizeof name, "U+%04X", static_cast<unsigned>(value));
  *bytes = n;
  return name;
}

}  // namespace

bool try_parse_grid(std::string_view text, Grid& out, bool allow_blanks, std::string* problem) {
  if (text.size() != kCells) {
    // Counted in characters, as a person counts them: a fullwidth digit is one character of three bytes.
    const size_t characters = count_characters(text);
    if (characters == kCells) {
      // 81 characters, some of them not ASCII: name the first such.
      for (size_t i = 0, character = 1; i < text.size(); ++character) {
        size_t bytes = 1;
        const std::string name = code_point_at(text, i, &bytes);
        if (!name.empty()) {
          if (problem)
            *problem = "character " + std::to_string(character) + " is " + name + " (not ASCII), expected a digit 1-9" +
                       (allow_blanks ? " or 0/. for a blank" : " (no blanks allowed)");
          return false;
        }
        i += bytes;
        while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
      }
    }
    if (problem) {
      *problem = "has " + std::to_string(characters) + " characters, expected 81";
      if (characters != text.size()) *problem += " (" + std::to_string(text.size()) + " bytes: not all ASCII)";
    }
    return false;
  }
  for (int i = 0; i < kCells; ++i) {
    const char ch = text[i];
    if (ch >= '1' && ch <= '9') {
      out[i] = static_cast<uint8_t>(ch - '0');
    } else if (allow_blanks && is_blank_char(ch)) {
      out[i] = 0;
    } else {
      if (problem) {
        *problem = "character " + std::to_string(i + 1) + " is " + quote_char(ch) + ", expected a digit 1-9" +
                   (allow_blanks ? " or 0/. for a blank" : " (no blanks allowed)");
      }
      return false;
    }
  }
  return true;
}

Grid parse_grid(std::string_view text, std::string_view where, bool allow_blanks) {
  Grid grid{};
  std::string problem;
  if (!try_parse_grid(text, grid, allow_blanks, &problem)) throw InputError(std::string(where) + ": " + problem);
  return grid;
}

std::string to_string(const Grid& grid, char blank) {
  std::string text(kCells, blank);
  for (int i = 0; i < kCells; ++i) {
    if (grid[i] != 0) text[i] = static_cast<char>('0' + grid[i]);
  }
  return text;
}

std::string format_grid(const Grid& grid) {
  std::string text;
  for (int r = 0; r < 9; ++r) {
    if (r == 3 || r == 6) text += "------+-------+------\n";
    for (int c = 0; c < 9; ++c) {
      if (c == 3 || c == 6) text += "| ";
      const uint8_t digit = grid[9 * r + c];
      text += digit ? static_cast<char>('0' + digit) : '.';
      text += c == 8 ? '\n' : ' ';
    }
  }
  return text;
}

std::vector<Conflict> find_conflicts(const Grid& grid) {
  std::vector<Conflict> conflicts;
  const UnitTable& units = unit_cells();
  for (int u = 0; u < kUnits; ++u) {
    const auto& cells = units[u];
    // Fast path: a mask pass finds the repeated digits; only units that have one pay for the pair loop.
    uint16_t seen = 0, repeated = 0;
    for (const uint8_t cell : cells) {
      const uint16_t bit = digit_bit(grid[cell]) & kAllDigits;
      repeated |= seen & bit;
      seen |= bit;
    }
    if (!repeated) continue;
    for (int i = 0; i < 9; ++i) {
      for (int j = i + 1; j < 9; ++j) {
        const uint8_t digit = grid[cells[i]];
        if (digit != 0 && digit == grid[cells[j]]) {
          conflicts.push_back({static_cast<Conflict::Unit>(u / 9), u % 9, digit, {cells[i], cells[j]}});
        }
      }
    }
  }
  return conflicts;
}

std::string cell_name(int cell) {
  return "r" + std::to_string(row_of(cell) + 1) + "c" + std::to_string(col_of(cell) + 1);
}

std::string describe(const Conflict& conflict) {
  static const char* const unit_names[] = {"row", "column", "box"};
  return "digit " + std::to_string(conflict.digit) + " twice in " + unit_names[conflict.unit] + " " +
         std::to_string(conflict.index + 1) + " (" + cell_name(conflict.cells[0]) + ", " +
         cell_name(conflict.cells[1]) + ")";
}

bool is_complete_valid(const Grid& grid) {
  for (const auto& cells : unit_cells()) {
    uint16_t seen = 0;
    for (const uint8_t cell : cells) seen |= digit_bit(grid[cell]);
    if (seen != kAllDigits) return false;  // a blank sets bit 0, a repeat leaves a digit's bit unset
  }
  return true;
}

bool agrees(const Grid& puzzle, const Grid& solution) {
  for (int i = 0; i < kCells; ++i) {
    if (puzzle[i] != 0 && puzzle[i] != solution[i]) return false;
  }
  return true;
}

int count_givens(const Grid& grid) {
  int givens = 0;
  for (const uint8_t digit : grid) givens += digit != 0;
  return givens;
}

uint16_t candidates(const Grid& grid, int cell) {
  const UnitTable& units = unit_cells();
  uint16_t used = 0;
  for (const int u : {row_of(cell), 9 + col_of(cell), 18 + box_of(cell)}) {
    for (const uint8_t other : units[u]) {
      if (other != cell) used |= digit_bit(grid[other]);
    }
  }
  return kAllDigits & ~used;
}

}  // namespace trm::sudoku
