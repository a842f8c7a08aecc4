#pragma once
// The `trm` subcommands; each file adds one to the app.
#include <CLI/CLI.hpp>

namespace trm::cli {

void add_train_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_solve_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_generate_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_info_command(CLI::App& app);

}  // namespace trm::cli
