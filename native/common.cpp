#include "common.h"

#include <chrono>
#include <cstdio>

#include "files.h"

namespace trm::cli {

sudoku::Dataset load_dataset(const std::string& path, bool skip_invalid, size_t limit, bool quiet) {
  std::ifstream in = open_input(path);
  sudoku::CsvOptions options;
  options.skip_invalid = skip_invalid;
  options.limit = limit;
  sudoku::CsvReport report;
  const auto start = std::chrono::steady_clock::now();
  sudoku::Dataset data = sudoku::read_csv(in, path, options, &report);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!quiet) std::fprintf(stderr, "read %zu puzzles from %s in %.2f s\n", data.size(), path.c_str(), seconds);
  if (report.rows_skipped > 0) {
    std::fprintf(stderr, "skipped %zu invalid row%s of %s, first:\n", report.rows_skipped, report.rows_skipped == 1 ? "" : "s",
                 path.c_str());
    for (const auto& e : report.first_errors) std::fprintf(stderr, "  %s\n", e.c_str());
  }
  return data;
}

LoadedModel load_model_file(const std::string& path, CheckpointWeights which) {
  std::ifstream in = open_input(path);
  return load_model(in, path, which);
}

std::string percent(double fraction) {
  char text[16];
  std::snprintf(text, sizeof text, "%.1f%%", 100.0 * fraction);
  return text;
}

}  // namespace trm::cli
