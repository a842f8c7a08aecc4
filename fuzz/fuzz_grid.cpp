// libFuzzer target: the puzzle-string parser and the rules on a parsed grid (sudoku/grid.h), and the puzzle
// text reader (sudoku/lines.h). Parsing either succeeds or explains the first bad character; a parsed grid
// prints back (as 81 characters, or drawn as solve prints it) to an equal grid.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sudoku/grid.h"
#include "sudoku/lines.h"
#include "util/error.h"

using namespace trm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(bytes), size);
  {
    sudoku::Grid cells{}, puzzle{};
    std::string problem, puzzle_problem;
    const bool read = sudoku::try_read_puzzle_cells(text, cells, problem);
    if (read != problem.empty()) std::abort();
    const bool checked = sudoku::try_read_puzzle(text, puzzle, puzzle_problem);
    if (checked != puzzle_problem.empty() || (checked && (!read || puzzle != cells))) std::abort();
    if (read) {
      if (checked != sudoku::find_conflicts(cells).empty()) std::abort();
      for (const std::string& written : {sudoku::to_string(cells), sudoku::format_grid(cells)}) {
        sudoku::Grid back{};
        std::string again;
        if (!sudoku::try_read_puzzle_cells(written, back, again) || back != cells) std::abort();
      }
    }
  }
  for (const bool allow_blanks : {true, false}) {
    sudoku::Grid grid{};
    std::string problem;
    const bool ok = sudoku::try_parse_grid(text, grid, allow_blanks, &problem);
    if (ok != problem.empty()) std::abort();  // a refusal always says why, a success says nothing
    try {
      const sudoku::Grid parsed = sudoku::parse_grid(text, "puzzle", allow_blanks);
      if (!ok || parsed != grid) std::abort();
    } catch (const InputError& e) {
      if (ok || std::string(e.what()).find(problem) == std::string::npos) std::abort();
    }
    if (!ok) continue;
    for (const uint8_t digit : grid)
      if (digit > 9 || (!allow_blanks && digit == 0)) std::abort();
    sudoku::Grid back{};
    if (!sudoku::try_parse_grid(sudoku::to_string(grid), back, true, nullptr) || back != grid) std::abort();
    (void)sudoku::format_grid(grid);
    const auto conflicts = sudoku::find_conflicts(grid);
    for (const auto& c : conflicts) {
      if (c.cells[0] >= c.cells[1] || c.cells[1] >= sudoku::kCells || grid[c.cells[0]] != grid[c.cells[1]]) std::abort();
      (void)sudoku::describe(c);
    }
    if (sudoku::is_complete_valid(grid) && !conflicts.empty()) std::abort();
    for (int cell = 0; cell < sudoku::kCells; ++cell) (void)sudoku::candidates(grid, cell);
    (void)sudoku::count_givens(grid);
  }
  return 0;
}
