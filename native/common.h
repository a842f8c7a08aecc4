#pragma once
// Pieces the subcommands share: loading data and models with messages that name the file.
#include <string>

#include <CLI/CLI.hpp>

#include "io/checkpoint.h"
#include "sudoku/csv.h"

namespace trm::cli {

// Reads a puzzle CSV; with skip_invalid, bad rows are counted and reported on stderr.
sudoku::Dataset load_dataset(const std::string& path, bool skip_invalid, size_t limit = 0, bool quiet = false);
// A checkpoint or a production weights file.
LoadedModel load_model_file(const std::string& path, CheckpointWeights which = CheckpointWeights::Evaluation);
std::string percent(double fraction);  // "97.3%"

// Flag checks with messages in words, the same for every command. CLI11's own print a double's range as a
// 300-digit number and let nan through a Range.
//   count_flag: a whole number of at least 1 (a count flag never takes 0 to mean "all" or "no limit": that is
//               what leaving the flag out means, `omitted` says so in the message)
//   positive_flag: a finite number above 0;  fraction_flag: a number from 0 to 1 (not nan)
CLI::Validator count_flag(const std::string& omitted);
CLI::Validator positive_flag();
CLI::Validator fraction_flag();

// --precision fp32|bf16 (train, bench): bf16 matrix products only where the CPU has AVX512-BF16 (asked here, in the
// command line: core has no platform code); elsewhere an error that says so, never a silent fallback.
CLI::Option* add_precision_flag(CLI::App* cmd, std::string& precision);
bool cpu_has_avx512_bf16();
void apply_precision(const std::string& precision);  // sets core's matmul precision (ops/precision.h)

}  // namespace trm::cli
