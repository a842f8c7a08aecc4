#pragma once
// Pieces the subcommands share: loading data and models with messages that name the file.
#include <string>

#include "io/checkpoint.h"
#include "sudoku/csv.h"

namespace trm::cli {

// Reads a puzzle CSV; with skip_invalid, bad rows are counted and reported on stderr.
sudoku::Dataset load_dataset(const std::string& path, bool skip_invalid, size_t limit = 0, bool quiet = false);
// A checkpoint or a production weights file.
LoadedModel load_model_file(const std::string& path, CheckpointWeights which = CheckpointWeights::Evaluation);
std::string percent(double fraction);  // "97.3%"

}  // namespace trm::cli
