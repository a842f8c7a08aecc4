// libFuzzer target: the puzzle CSV reader (sudoku/csv.h). Any input must either read or fail with an
// InputError; what reads must write back and read again to the same puzzles, solutions and difficulties.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "sudoku/csv.h"
#include "util/error.h"

using namespace trm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string text(reinterpret_cast<const char*>(bytes), size);
  for (const bool skip_invalid : {false, true}) {
    sudoku::CsvOptions options;
    options.skip_invalid = skip_invalid;
    options.limit = size % 3 == 0 ? 2 : 0;  // some inputs stop early
    std::istringstream in(text);
    sudoku::Dataset data;
    sudoku::CsvReport report;
    try {
      data = sudoku::read_csv(in, "fuzz.csv", options, &report);
    } catch (const InputError&) {
      continue;  // a clear refusal is a correct answer
    }
    if (report.rows_skipped > report.rows_read || report.first_errors.size() > 10) std::abort();
    if (data.difficulty.size() != 0 && data.difficulty.size() != data.size()) std::abort();
    std::stringstream copy;
    sudoku::write_csv(copy, data);
    const sudoku::Dataset again = sudoku::read_csv(copy, "copy.csv");  // must not throw
    if (again.size() != data.size() || again.puzzles != data.puzzles || again.solutions != data.solutions ||
        again.difficulty != data.difficulty)
      std::abort();
  }
  return 0;
}
