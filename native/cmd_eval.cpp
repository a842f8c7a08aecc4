// trm eval: accuracy on a held-out CSV, beside the no-model baseline, after every outer cycle and
// by level or number of givens.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "progress.h"
#include "train/evaluate.h"
#include "util/error.h"

namespace trm::cli {

namespace {
using Json = nlohmann::json;

struct EvalArgs {
  std::string model, data;
  bool json = false, skip_invalid = false;
  uint64_t seed = 1;
  std::string decoding = decoding_flag(kDefaultDecoding);
  std::string combine = reading_combine_name(DecodeOptions{}.combine);
  EvalOptions options;  // decode: the product's defaults, as `trm solve` uses them
};

Json result_json(const EvalResult& r) {
  Json j;
  j["puzzles"] = r.puzzles;
  j["loss"] = r.loss;
  j["blank_cell_accuracy"] = r.final_cycle.blank_accuracy();
  j["puzzle_accuracy"] = r.final_cycle.puzzle_accuracy();
  Json blank = Json::array(), exact = Json::array();
  for (const auto& c : r.per_cycle) {
    blank.push_back(c.blank_accuracy());
    exact.push_back(c.puzzle_accuracy());
  }
  j["per_cycle_blank_cell_accuracy"] = blank;
  j["per_cycle_puzzle_accuracy"] = exact;
  Json groups = Json::array();
  for (const auto& g : r.groups)
    groups.push_back({{"group", g.name}, {"puzzles", g.counter.puzzles},
                      {"blank_cell_accuracy", g.counter.blank_accuracy()}, {"puzzle_accuracy", g.counter.puzzle_accuracy()}});
  j["groups"] = groups;
  return j;
}

void run_eval(const EvalArgs& a) {
  LoadedModel loaded = load_model_file(a.model);
  sudoku::Dataset data = load_dataset(a.data, a.skip_invalid, 0, a.json);
  if (data.size() == 0) throw InputError(a.data + ": no puzzles to evaluate");
  EvalOptions options = a.options;
  options.decode.decoding = parse_decoding(a.decoding);
  options.decode.combine = parse_reading_combine(a.combine);
  // On a terminal, a run longer than a few seconds shows its progress on stderr (stdout stays the result).
  std::unique_ptr<Progress> progress;
  if (::isatty(STDERR_FILENO)) {
    progress = std::make_unique<Progress>(10.0, stderr, "puzzle", "puzzles/s", 2.0);
    options.on_progress = [&progress](size_t done, size_t total, const AccuracyCounter& so_far) {
      progress->update(static_cast<int64_t>(done), static_cast<int64_t>(total), static_cast<int64_t>(done), "eval",
                       "exact " + percent(so_far.puzzle_accuracy()));
    };
  }
  const auto started = std::chrono::steady_clock::now();
  const EvalResult model = evaluate(*loaded.model, data, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (progress) progress->finish_line();
  // Wall time per puzzle of the whole evaluation: the per-cycle trace and the decoding.
  const double ms_per_puzzle = 1000.0 * seconds / static_cast<double>(model.puzzles);
  const EvalResult baseline = evaluate_baseline(data, options.limit, a.seed);
  if (a.json) {
    Json j = result_json(model);
    j["model"] = a.model;
    j["data"] = a.data;
    j["decoding"] = decoding_name(options.decode.decoding);
    j["symmetries"] = model.symmetries;
    j["combine_readings"] = reading_combine_name(options.decode.combine);
    j["mean_passes"] = model.mean_passes;
    j["mean_forward_passes"] = model.mean_forward_passes;
    j["mean_outer_cycles"] = model.mean_outer_cycles;
    j["mean_branches"] = model.mean_branches;
    j["search_rejected"] = model.search_rejected;
    j["search_budget_spent"] = model.search_budget_spent;
    j["h_cycles"] = model.per_cycle.size();
    j["ms_per_puzzle"] = ms_per_puzzle;
    j["halting"] = uses_halting(*loaded.model, options.decode);
    j["baseline"] = result_json(baseline);
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("%s on %s: %zu puzzles, %zu outer cycles, givens kept\n\n", a.model.c_str(), a.data.c_str(),
              model.puzzles, model.per_cycle.size());
  std::printf("%-28s %12s %12s\n", "", "blank cells", "puzzles");
  std::printf("%-28s %12s %12s\n", "no model (allowed digits)", percent(baseline.final_cycle.blank_accuracy()).c_str(),
              percent(baseline.final_cycle.puzzle_accuracy()).c_str());
  for (size_t h = 0; h < model.per_cycle.size(); ++h) {
    const std::string label = "single pass, cycle " + std::to_string(h + 1);
    std::printf("%-28s %12s %12s\n", label.c_str(), percent(model.per_cycle[h].blank_accuracy()).c_str(),
                percent(model.per_cycle[h].puzzle_accuracy()).c_str());
  }
  const std::string final_label =
      decoding_name(options.decode.decoding) + (model.symmetries > 1 ? " x" + std::to_string(model.symmetries) + " symmetries" : "") + " (final)";
  char passes[96];
  std::snprintf(passes, sizeof passes, "  %.1f forward passes, %.0f outer cycles, %.1f ms per puzzle",
                model.mean_forward_passes, model.mean_outer_cycles, ms_per_puzzle);
  std::printf("%-28s %12s %12s%s\n", final_label.c_str(), percent(model.final_cycle.blank_accuracy()).c_str(),
              percent(model.final_cycle.puzzle_accuracy()).c_str(), passes);
  std::printf("\n%-20s %8s %12s %12s %14s\n", "group", "puzzles", "blank cells", "puzzles", "no-model cells");
  for (size_t g = 0; g < model.groups.size(); ++g) {
    const auto& m = model.groups[g];
    const auto& b = baseline.groups[g];
    std::printf("%-20s %8lld %12s %12s %14s\n", m.name.c_str(), static_cast<long long>(m.counter.puzzles),
                percent(m.counter.blank_accuracy()).c_str(), percent(m.counter.puzzle_accuracy()).c_str(),
                percent(b.counter.blank_accuracy()).c_str());
  }
  std::printf("\nloss %.4f\n", model.loss);
}
}  // namespace

void add_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate a model on a CSV of puzzles and solutions");
  cmd->add_option("--model", args->model, "Checkpoint or production weights JSON")->required();
  cmd->add_option("--data", args->data, "CSV (quizzes,solutions or puzzle,solution[,...])")->required();
  cmd->add_option("--limit", args->options.limit, "Evaluate the first N puzzles only")->check(count_flag("leave --limit out to evaluate every puzzle"));
  cmd->add_option("--h-cycles", args->options.decode.h_cycles, "Outer cycles (default: the model's; more is allowed)")->check(CLI::Range(1, 256));
  cmd->add_option("--batch-size", args->options.batch_size, "Puzzles per forward pass")->capture_default_str()->check(CLI::Range(1, 65536));
  cmd->add_option("--seed", args->seed, "Seed of the no-model baseline")->capture_default_str();
  cmd->add_option("--decoding", args->decoding,
                  "single (one pass), iterative (commit the surest cells, re-run) or search (iterative commit that "
                  "branches where it would guess, checked by the rules)")
      ->capture_default_str()->check(CLI::IsMember({"single", "iterative", "search"}));
  cmd->add_option("--branch-candidates", args->options.decode.branch_candidates, "Search: digits tried where the model branches")
      ->capture_default_str()->check(CLI::Range(1, 9));
  cmd->add_option("--max-forward-passes", args->options.decode.max_forward_passes,
                  "Search: forward passes per puzzle at most, every reading counted (default " + std::to_string(kDefaultSearchBudget) + ")")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--continue-cycles", args->options.decode.continue_cycles,
                  "Passes after the first continue from the previous pass's states for this many outer cycles "
                  "(0: every pass starts afresh)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--commit-threshold", args->options.decode.threshold, "Iterative: commit every blank at least this confident")
      ->capture_default_str()->check(fraction_flag());
  cmd->add_option("--symmetries", args->options.decode.symmetries,
                  "Read each pass as the puzzle and K-1 symmetric copies of it, combined (K forward passes per pass). Default: " +
                      std::to_string(kDefaultSymmetries) + " with iterative commit, 1 (the puzzle as given) otherwise")
      ->check(CLI::Range(1, kMaxSymmetries));
  cmd->add_option("--combine-readings", args->combine,
                  "With several readings: product (their log-probabilities averaged, so a digit is sure only where "
                  "every reading finds it likely) or mean (their probabilities averaged)")
      ->capture_default_str()->check(CLI::IsMember({"product", "mean"}));
  cmd->add_flag("--no-halting", [args](int64_t) { args->options.decode.halting = false; },
                "Run every reading all its outer cycles even when the model has a learned halting head");
  cmd->add_flag("--json", args->json, "Print one JSON object");
  cmd->add_flag("--skip-invalid", args->skip_invalid, "Skip (and count) invalid rows instead of stopping");
  cmd->callback([args] { run_eval(*args); });
}

}  // namespace trm::cli
