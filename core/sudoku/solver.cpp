#include "sudoku/solver.h"

#include <string>

#include "util/error.h"

namespace trm::sudoku {

namespace {

// The three units (row, column, box) each cell belongs to, as indices into the unit table.
struct CellUnits {
  std::array<std::array<uint8_t, 3>, kCells> of{};
  CellUnits() {
    for (int cell = 0; cell < kCells; ++cell) {
      of[cell] = {static_cast<uint8_t>(row_of(cell)), static_cast<uint8_t>(9 + col_of(cell)),
                  static_cast<uint8_t>(18 + box_of(cell))};
    }
  }
};

const CellUnits& cell_units() {
  static const CellUnits table;
  return table;
}

// A search node: the digits placed so far and, per unit, the set of digits it already holds. Small (about 140
// bytes), so a guess copies it rather than undoing moves.
struct Board {
  Grid cells{};
  std::array<uint16_t, kUnits> used{};
  int blanks = kCells;

  uint16_t candidates(int cell) const {
    const auto& u = cell_units().of[cell];
    return kAllDigits & ~(used[u[0]] | used[u[1]] | used[u[2]]);
  }

  void place(int cell, int digit) {
    cells[cell] = static_cast<uint8_t>(digit);
    for (const uint8_t u : cell_units().of[cell]) used[u] |= digit_bit(digit);
    --blanks;
  }
};

// A board that also remembers digits ruled out of cells by trial (rate_by_trial): its candidates are the unit
// rules' less those. The search's own Board stays small, since every guess copies it.
struct TrialBoard : Board {
  std::array<uint16_t, kCells> ruled_out{};
  uint16_t candidates(int cell) const { return Board::candidates(cell) & ~ruled_out[cell]; }
};

// Places naked and hidden singles until none is left. Returns false on a contradiction: a cell with no
// candidate, or a digit with no place left in some unit.
template <class B>
bool propagate(B& board) {
  const UnitTable& units = unit_cells();
  bool placed_any = true;
  while (placed_any && board.blanks > 0) {
    placed_any = false;
    for (int cell = 0; cell < kCells; ++cell) {
      if (board.cells[cell] != 0) continue;
      const uint16_t options = board.candidates(cell);
      if (options == 0) return false;
      if ((options & (options - 1)) == 0) {
        board.place(cell, lowest_digit(options));
        placed_any = true;
      }
    }
    for (int u = 0; u < kUnits; ++u) {
      // Digits possible in at least one blank cell of the unit, and in at least two.
      uint16_t once = 0, twice = 0;
      for (const uint8_t cell : units[u]) {
        if (board.cells[cell] != 0) continue;
        const uint16_t options = board.candidates(cell);
        twice |= once & options;
        once |= options;
      }
      if ((once | board.used[u]) != kAllDigits) return false;
      for (uint16_t hidden = once & ~twice; hidden != 0; hidden &= hidden - 1) {
        const int digit = lowest_digit(hidden);
        int home = -1;
        for (const uint8_t cell : units[u]) {
          if (board.cells[cell] == 0 && (board.candidates(cell) & digit_bit(digit))) home = cell;
        }
        if (home < 0) return false;  // an earlier single of this unit took the digit's only cell
        board.place(home, digit);
        placed_any = true;
      }
    }
  }
  return true;
}

struct Search {
  int limit = 2;
  Rng* rng = nullptr;  // when set, each branch tries its digits in random order
  SolveResult result;

  void run(Board board) {
    if (!propagate(board)) return;
    if (board.blanks == 0) {
      if (result.solutions == 0) result.first = board.cells;
      ++result.solutions;
      return;
    }
    // Branch on the blank cell with the fewest candidates (two is the least possible after propagation).
    int branch_cell = -1, fewest = 10;
    for (int cell = 0; cell < kCells && fewest > 2; ++cell) {
      if (board.cells[cell] != 0) continue;
      const int count = digit_count(board.candidates(cell));
      if (count < fewest) fewest = count, branch_cell = cell;
    }
    std::array<int, 9> digits{};
    int n = 0;
    for (uint16_t options = board.candidates(branch_cell); options != 0; options &= options - 1) {
      digits[n++] = lowest_digit(options);
    }
    if (rng) rng->shuffle(digits.begin(), digits.begin() + n);
    for (int i = 0; i < n && result.solutions < limit; ++i) {
      ++result.guesses;
      Board next = board;
      next.place(branch_cell, digits[i]);
      run(next);
    }
  }
};

// The givens as a starting board, or nullopt when two of them already clash.
template <class B = Board>
std::optional<B> board_from(const Grid& puzzle) {
  B board;
  for (int cell = 0; cell < kCells; ++cell) {
    const int digit = puzzle[cell];
    if (digit == 0) continue;
    if (digit > 9) {
      throw InputError("solve: cell " + cell_name(cell) + " holds " + std::to_string(digit) + ", expected 0-9");
    }
    if (!(board.candidates(cell) & digit_bit(digit))) return std::nullopt;
    board.place(cell, digit);
  }
  return board;
}

}  // namespace

SolveResult solve(const Grid& puzzle, int limit) {
  if (limit < 1) throw InputError("solve: limit is " + std::to_string(limit) + ", expected at least 1");
  Search search;
  search.limit = limit;
  if (const auto board = board_from(puzzle)) search.run(*board);
  return search.result;
}

std::optional<Grid> solve_randomly(const Grid& puzzle, Rng& rng) {
  Search search;
  search.limit = 1;
  search.rng = &rng;
  if (const auto board = board_from(puzzle)) search.run(*board);
  if (search.result.solutions == 0) return std::nullopt;
  return search.result.first;
}

bool singles_consistent(const Grid& grid) {
  std::optional<Board> board = board_from(grid);
  return board && propagate(*board);
}

TrialRating rate_by_trial(const Grid& puzzle) {
  TrialRating rating;
  std::optional<TrialBoard> start = board_from<TrialBoard>(puzzle);
  if (!start || !propagate(*start)) {
    rating.contradiction = true;
    return rating;
  }
  TrialBoard& board = *start;
  while (board.blanks > 0) {
    // One sweep: every candidate of every blank tried against the board as the sweep found it; those whose
    // singles reach a contradiction are ruled out together, then singles run again.
    std::array<uint16_t, kCells> refuted{};
    int found = 0;
    for (int cell = 0; cell < kCells; ++cell) {
      if (board.cells[cell] != 0) continue;
      for (uint16_t options = board.candidates(cell); options != 0; options &= options - 1) {
        TrialBoard trial = board;
        trial.place(cell, lowest_digit(options));
        if (!propagate(trial)) refuted[cell] |= options & -options, ++found;
      }
    }
    if (found == 0) break;
    ++rating.sweeps;
    rating.blanks_swept += board.blanks;
    rating.last_sweep_blanks = board.blanks;
    rating.last_sweep_eliminations = found;
    rating.eliminations += found;
    for (int cell = 0; cell < kCells; ++cell) board.ruled_out[cell] |= refuted[cell];
    if (!propagate(board)) {
      rating.contradiction = true;
      return rating;
    }
  }
  rating.blanks_left = board.blanks;
  rating.reached = board.cells;
  rating.depth = board.blanks > 0 ? 2 : rating.sweeps > 0 ? 1 : 0;
  return rating;
}

}  // namespace trm::sudoku
