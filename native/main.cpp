// trm: train, evaluate and use Tiny Recursive Models for Sudoku.
#include <cstdio>
#include <exception>
#include <string>

#include "commands.h"
#include "parallel.h"
#include "signals.h"
#include "util/error.h"

namespace {
// Parses and runs the command; the exit code, after any message.
int run(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s%s\n", trm::cli::message_prefix().c_str(), e.what());
    std::fprintf(stderr, "run 'trm --help' or 'trm COMMAND --help' for usage\n");
    return 2;
  } catch (const trm::InputError& e) {
    std::fprintf(stderr, "%serror: %s\n", trm::cli::message_prefix().c_str(), e.what());
    return 1;
  } catch (const trm::Interrupted&) {
    return 130;
  } catch (const trm::NumericError& e) {
    std::fprintf(stderr, "%snumerical error: %s\n", trm::cli::message_prefix().c_str(), e.what());
    return 3;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "%serror: out of memory\n", trm::cli::message_prefix().c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%serror: %s\n", trm::cli::message_prefix().c_str(), e.what());
    return 1;
  }
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  trm::cli::take_stop_signals();  // before any other thread starts (signals.h)
  CLI::App app{"trm: train, evaluate and use Tiny Recursive Models that solve Sudoku"};
  app.require_subcommand(1);
  trm::cli::add_train_command(app);
  trm::cli::add_eval_command(app);
  trm::cli::add_solve_command(app);
  trm::cli::add_export_command(app);
  trm::cli::add_generate_command(app);
  trm::cli::add_bench_command(app);
  trm::cli::add_info_command(app);
  // CLI11 would only say "A subcommand is required" for a misspelt command; name it.
  if (argc > 1 && argv[1][0] != '-' && app.get_subcommands([&](const CLI::App* sub) { return sub->get_name() == argv[1]; }).empty()) {
    std::string names;  // the commands as registered above: the list cannot fall behind them
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
      names += (names.empty() ? "" : ", ") + sub->get_name();
    std::fprintf(stderr, "trm: unknown command '%s' (commands: %s)\n", argv[1], names.c_str());
    return 2;
  }
  const int code = run(app, argc, argv);
  // A data-parallel rank that fails would leave the others waiting for it: end the whole job (not on Ctrl-C,
  // which every rank agreed to stop on).
  if (code != 130) trm::cli::end_job_on_error(code);
  return code;
}
