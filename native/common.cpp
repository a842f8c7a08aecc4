#include "common.h"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "files.h"
#include "ops/precision.h"
#include "util/error.h"

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

namespace {
bool parse_whole(const std::string& text, long long& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  value = std::strtoll(text.c_str(), &end, 10);
  return errno == 0 && end == text.c_str() + text.size();
}

bool parse_real(const std::string& text, double& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}
}  // namespace

CLI::Validator count_flag(const std::string& omitted) {
  return CLI::Validator(
      [omitted](std::string& text) -> std::string {
        long long value = 0;
        if (!parse_whole(text, value)) return "expected a whole number, got '" + text + "'";
        if (value < 1) return "must be at least 1, got " + text + " (" + omitted + ")";
        return "";
      },
      "N >= 1");
}

CLI::Validator positive_flag() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0;
        if (!parse_real(text, value)) return "expected a number, got '" + text + "'";
        if (!std::isfinite(value) || value <= 0) return "must be a positive number, got " + text;
        return "";
      },
      "X > 0");
}

CLI::Validator fraction_flag() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0;
        if (!parse_real(text, value)) return "expected a number, got '" + text + "'";
        if (!(value >= 0.0 && value <= 1.0)) return "must be a number from 0 to 1, got " + text;
        return "";
      },
      "0 <= X <= 1");
}

CLI::Option* add_precision_flag(CLI::App* cmd, std::string& precision) {
  return cmd
      ->add_option("--precision", precision,
                   "Matrix products: fp32, or bf16 (bf16 operands, float32 sums and weights; needs AVX512-BF16)")
      ->check(CLI::IsMember({"fp32", "bf16"}))
      ->capture_default_str();
}

bool cpu_has_avx512_bf16() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  return __builtin_cpu_supports("avx512bf16");
#else
  return false;
#endif
}

void apply_precision(const std::string& precision) {
  try {
    set_matmul_precision(parse_precision(precision), cpu_has_avx512_bf16());
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("--precision ") + precision + ": " + e.what());
  }
}

}  // namespace trm::cli
