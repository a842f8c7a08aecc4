// trm train: train a model on a puzzle CSV, validating every epoch, checkpointing atomically every
// epoch and on Ctrl-C, resumable exactly.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <ctime>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <tuple>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "files.h"
#include "parallel.h"
#include "io/checkpoint.h"
#include "io/weights_json.h"
#include "progress.h"
#include "report.h"
#include "sudoku/csv.h"
#include "sudoku/dataset.h"
#include "sudoku/generator.h"
#include "train/streams.h"
#include "train/trainer.h"
#include "signals.h"
#include "util/error.h"

namespace trm::cli {

namespace {
using Json = nlohmann::json;

struct TrainArgs {
  std::string data, val_data, config_file, out, resume, init_from;
  double val_fraction = 0.05;
  size_t val_limit = 2000;
  int64_t max_steps = 0;
  uint64_t seed = 1;
  bool augment = false, skip_invalid = false, force = false, recompute_activations = false;
  int64_t checkpoint_every = -1;  // -1: not given (a resume keeps the run's)
  int64_t val_every = -1;         // -1: not given (a resume keeps the run's)
  std::string val_decoding;       // empty: not given (a resume keeps the run's; a new run validates with one pass)
  bool skip_nonfinite = false;
  bool allow_other_data = false;  // --resume on data whose checksum differs from the run's
  double time_limit_minutes = 0.0;
  std::string budget_clock = "wall";
  std::string precision = "fp32";  // matrix products; not part of the run, so a resume may change it
  bool curriculum = false, generate = false;
  sudoku::GeneratorOptions generator;
  std::map<std::string, std::string> overrides;  // TRMConfig field -> flag text
  std::vector<std::string> run_flags_given;      // flags a resume takes from the checkpoint instead
};

// "--hidden_dim 128" -> {"hidden_dim": 128}, typed by the field's default value.
Json parse_override(const std::string& key, const std::string& text, const Json& prototype) {
  const std::string flag = "--" + key;
  try {
    size_t used = 0;
    if (prototype.is_string()) return text;
    if (prototype.is_boolean()) {
      if (text == "true" || text == "1") return true;
      if (text == "false" || text == "0") return false;
      throw InputError(flag + ": expected true or false, got '" + text + "'");
    }
    if (prototype.is_number_integer()) {
      const long long v = std::stoll(text, &used);
      if (used == text.size()) return v;
    } else {
      const double v = std::stod(text, &used);
      if (used == text.size()) return v;
    }
  } catch (const InputError&) {
    throw;
  } catch (const std::exception&) {
  }
  throw InputError(flag + ": expected " + (prototype.is_number_integer() ? "an integer" : "a number") + ", got '" + text + "'");
}

TRMConfig build_config(const TrainArgs& a) {
  TRMConfig config;
  if (!a.config_file.empty()) {
    std::ifstream in = open_input(a.config_file);
    apply_config_json(config, parse_json(in, a.config_file), a.config_file);
  }
  const Json prototype = config_to_json(config);
  Json overrides = Json::object();
  for (const auto& [key, text] : a.overrides) overrides[key] = parse_override(key, text, prototype[key]);
  apply_config_json(config, overrides, "command line");
  config.validate();
  return config;
}

std::string run_line(const TRMConfig& c, int64_t params) {
  char text[256];
  std::snprintf(text, sizeof text, "%s model, %lld parameters: d=%d L_layers=%d L_cycles=%d H_cycles=%d dropout=%.2g, "
                "batch %d, lr %.3g, weight decay %.3g", c.arch.c_str(), static_cast<long long>(params), c.hidden_dim,
                c.L_layers, c.L_cycles, c.H_cycles, c.dropout, c.batch_size, c.lr, c.weight_decay);
  return text;
}

void append_line(const std::string& path, const Json& line) {
  // A run killed mid-line leaves a partial last line: the first append of this process ends it first, so the
  // partial line stays alone (the report skips it) instead of swallowing the next good one.
  static std::string checked;
  std::string prefix;
  if (checked != path) {
    checked = path;
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (in && in.tellg() > 0) {
      in.seekg(-1, std::ios::end);
      if (in.get() != '\n') prefix = "\n";
    }
  }
  std::ofstream out(path, std::ios::app);
  if (!out) throw InputError("cannot append to " + path);
  out << prefix << line.dump() << '\n';
}

std::vector<Json> read_lines(const std::string& path) {
  std::vector<Json> lines;
  std::ifstream in(path);
  std::string text;
  while (std::getline(in, text)) {
    if (text.empty()) continue;
    try {
      lines.push_back(Json::parse(text));
    } catch (const Json::parse_error&) {
      // a line cut short by a kill: the report skips it
    }
  }
  return lines;
}

double score(const Json& epoch) {  // higher is better: whole puzzles first, then blank cells
  return epoch.value("val_puzzle_accuracy", 0.0) * 1000.0 + epoch.value("val_blank_accuracy", 0.0) -
         1e-6 * epoch.value("val_loss", 0.0);
}

// --init-from: a new run (fresh optimiser and schedule) that starts from another model's weights, e.g. to train
// further on harder data. The architecture must match tensor for tensor; training settings may differ. A halting
// head the source lacks (halt_weight > 0 here, 0 there) starts from its initial values: the head is learned on top.
void start_from_weights(TRM& model, const std::string& path) {
  LoadedModel source = load_model_file(path);
  const auto& want = model.parameters().infos();
  const auto& have = source.model->parameters().infos();
  const bool adds_halting = model.has_halting() && !source.model->has_halting();
  for (size_t i = 0; i < std::max(want.size(), have.size()); ++i) {
    if (adds_halting && i >= have.size() && want[i].name.rfind("halt_head.", 0) == 0) continue;
    if (i >= want.size() || i >= have.size() || want[i].name != have[i].name || !(want[i].shape == have[i].shape)) {
      const std::string name = i < want.size() ? want[i].name : have[i].name;
      throw InputError(path + ": --init-from weights do not match the config at tensor \"" + name +
                       "\" (the architecture fields, e.g. arch, hidden_dim, L_layers, must be the same)");
    }
  }
  std::copy_n(source.model->parameters().values(), source.model->parameters().size(), model.parameters().values());
  if (adds_halting) model.init_halting_head();
}

// Where a run starts: a fresh model (maybe from another model's weights) with the run settings of these flags, or
// the model, trainer state and run settings of the checkpoint --resume names.
struct RunStart {
  std::unique_ptr<TRM> model;
  Json resume_state;  // null for a new run
  Json run;           // the run's settings, as checkpoints record them
};

RunStart start_run(const TrainArgs& a) {
  RunStart start;
  if (!a.resume.empty()) {
    if (!a.overrides.empty() || !a.config_file.empty())
      throw InputError("--resume continues a run with its saved config; drop --config and the config flags");
    if (!a.run_flags_given.empty())
      throw InputError("--resume continues a run with its saved settings; drop " + a.run_flags_given.front());
    LoadedModel loaded = load_model_file(a.resume, CheckpointWeights::Training);
    if (!loaded.is_checkpoint) throw InputError(a.resume + ": is production weights, not a checkpoint (nothing to resume)");
    start.model = std::move(loaded.model);
    start.resume_state = loaded.training;
    start.run = loaded.run;
  } else {
    const TRMConfig config = build_config(a);
    start.model = std::make_unique<TRM>(config);
    start.model->init(a.seed);
    if (!a.init_from.empty()) start_from_weights(*start.model, a.init_from);
    start.run = {{"data", a.data}, {"val_data", a.val_data}, {"val_fraction", a.val_fraction}, {"seed", a.seed},
           {"augment", a.augment}, {"max_steps", a.max_steps}, {"val_limit", a.val_limit}, {"init_from", a.init_from},
           {"time_limit_minutes", a.time_limit_minutes}, {"budget_clock", a.budget_clock},
           {"curriculum", a.curriculum}};
    if (a.generate)
      start.run["generate"] = {{"min_givens", a.generator.min_givens}, {"max_givens", a.generator.max_givens},
                         {"min_guesses", a.generator.min_guesses}};
  }
  return start;
}

// --generate's settings from the run, checked before anything is touched (none: the run trains on a file).
std::optional<sudoku::GeneratorOptions> generator_of(const Json& run) {
  std::optional<sudoku::GeneratorOptions> generate;
  if (run.contains("generate")) {
    const Json& g = run["generate"];
    generate.emplace();
    generate->min_givens = g.value("min_givens", generate->min_givens);
    generate->max_givens = g.value("max_givens", generate->max_givens);
    generate->min_guesses = g.value("min_guesses", generate->min_guesses);
    // An invalid or unreachable range fails here, naming it, before any file is touched.
    sudoku::require_in_range(sudoku::generate_puzzle(0, 0, *generate), *generate);
  }
  return generate;
}

// The run folder's life cycle, in one place: refused when it holds another run (unless --force or --resume) or
// another trainer holds it; made, locked and cleared only once every input is good; then the checkpoints (last and
// best, written atomically), metrics.jsonl, report.html and the held-out validation.csv.
class RunFolder {
 public:
  explicit RunFolder(const TrainArgs& a)
      : dir_(a.out), last(a.out + "/last.json"), best(a.out + "/best.json"), metrics(a.out + "/metrics.jsonl"),
        report(a.out + "/report.html") {
    // A folder in use by another trainer is refused at once, before anything is read (when the folder does not exist
    // yet it is locked as soon as it is made, in prepare).
    std::error_code ec;
    if (std::filesystem::is_directory(dir_, ec)) lock_.emplace(dir_);
    // Anything of a run (a run killed before its first checkpoint leaves metrics or a report, no last.json).
    if (a.resume.empty() && !a.force) {
      std::string held;
      for (const char* name : {"last.json", "best.json", "metrics.jsonl", "report.html"})
        if (file_exists(dir_ + "/" + std::string(name))) held += (held.empty() ? "" : ", ") + std::string(name);
      if (!held.empty() && file_exists(last))
        throw InputError(dir_ + " already holds a run (" + held + "); pass --resume " + last +
                         " to continue it or --force to start over");
      if (!held.empty())  // stopped before its first checkpoint: nothing to resume, but its metrics are kept
        throw InputError(dir_ + " already holds a run with no checkpoint to resume (" + held +
                         "); pass --force to start over");
    }
  }

  // The inputs are good: only now touch the folder (a refused run leaves nothing behind). Starting over (--force)
  // drops the old run's files, so a kill before the first checkpoint cannot mix the two runs. A new run keeps its
  // held-out puzzles beside the checkpoints (`validation`, null when they came from a file), so `trm eval` can use
  // exactly them.
  void prepare(bool new_run, const sudoku::Dataset* validation) {
    make_directories(dir_);
    if (!lock_) lock_.emplace(dir_);
    remove_stale_temporaries(dir_);  // left by a run killed while writing
    if (new_run)
      for (const std::string& old : {metrics, last, best, report}) std::remove(old.c_str());
    if (validation)
      write_atomically(dir_ + "/validation.csv", [&](std::ostream& out) { sudoku::write_csv(out, *validation); });
  }

  void save_checkpoint(const std::string& path, const TRM& model, const Json& trainer_state, const Json& run) const {
    const Json checkpoint = make_checkpoint(model, trainer_state, run);
    write_atomically(path, [&](std::ostream& out) { out << checkpoint.dump() << '\n'; });
  }

  void write_report(const Json& run) const {
    const std::string html = render_report(read_lines(metrics), run);
    write_atomically(report, [&](std::ostream& out) { out << html; });
  }

 private:
  std::string dir_;
  std::optional<FolderLock> lock_;

 public:
  const std::string last, best, metrics, report;
};

// The training rows and the validation puzzles: the training file and a validation file or a held-out split of
// disjoint puzzles; with --generate no training file, and validation puzzles from a stream of the generator no
// training step uses. A resume must get the data it trained on (row count and checksums); records both in `run`.
struct RunData {
  sudoku::Dataset train, validation;
  std::string val_data;  // the validation file, or empty for a split (or generated puzzles)
};

RunData load_run_data(const TrainArgs& a, Json& run, const std::optional<sudoku::GeneratorOptions>& generate) {
  RunData data;
  const auto seed = run.value("seed", uint64_t{1});
  if (!generate && a.data.empty())
    throw InputError("--data is needed: the run in " + a.resume + " trained on a file (give the same one)");
  sudoku::Dataset all = generate ? sudoku::Dataset() : load_dataset(a.data, a.skip_invalid);
  sudoku::Dataset& train = data.train;
  sudoku::Dataset& validation = data.validation;
  const std::string val_data = data.val_data = run.value("val_data", std::string());
  if (generate) {
    if (!val_data.empty()) validation = load_dataset(val_data, a.skip_invalid);
    else validation = sudoku::generate(std::max<size_t>(1, run.value("val_limit", size_t{2000})),
                                       stream_seed(seed, Stream::kGeneratedValidation), *generate);
  } else if (!val_data.empty()) {
    std::error_code same_ec;
    if (std::filesystem::equivalent(a.data, val_data, same_ec))
      std::fprintf(stderr, "warning: --val-data %s is the training file: validation will measure puzzles the model trains on, "
                   "not held-out ones (leave --val-data out for a held-out split)\n", val_data.c_str());
    train = std::move(all);
    validation = load_dataset(val_data, a.skip_invalid);
  } else {
    sudoku::DatasetSplit split = sudoku::split_by_puzzle(all, run.value("val_fraction", 0.05), seed);
    train = std::move(split.train);
    validation = std::move(split.test);
  }
  if (train.size() == 0 && !generate) throw InputError(a.data + ": no puzzles to train on");
  if (!a.resume.empty() && run.value("train_rows", size_t{0}) != train.size())
    throw InputError(a.data + ": has " + std::to_string(train.size()) + " training rows, the checkpoint was trained on " +
                     std::to_string(run.value("train_rows", size_t{0})) + " (pass the same --data as the original run)");
  // Same size is not same data: a resume compares checksums of the training rows and of the validation split
  // (checkpoints written before they were recorded have none, and are taken on trust).
  const std::string train_checksum = sudoku::checksum_hex(train), val_checksum = sudoku::checksum_hex(validation);
  if (!a.resume.empty()) {
    for (const auto& [key, sum, what] : {std::tuple<const char*, std::string, std::string>{"train_checksum", train_checksum,
                                             a.data + ": the training rows"},
                                         {"val_checksum", val_checksum,
                                          (val_data.empty() ? a.data : val_data) + ": the validation puzzles"}}) {
      if (!run.contains(key) || run[key] == sum) continue;
      if (!a.allow_other_data)
        throw InputError(what + " differ from those the checkpoint was trained on (checksum " + sum + ", the run's " +
                         run[key].get<std::string>() + "); give the original data, or --allow-other-data to continue on these");
      std::fprintf(stderr, "note: %s differ from the run's (--allow-other-data): continuing on them\n", what.c_str());
    }
  }
  run["train_rows"] = train.size();
  run["val_rows"] = validation.size();
  run["train_checksum"] = train_checksum;
  run["val_checksum"] = val_checksum;

  return data;
}

void run_train(const TrainArgs& a) {
  apply_precision(a.precision);  // before anything is read: a CPU without bf16 fails at once
  // Data-parallel (mpirun -np N): every rank reads the same inputs and trains its shard of each batch; rank 0
  // alone holds the run folder (lock, checkpoints, metrics, report), validates and prints.
  Communicator& ranks = job_ranks();
  const bool writer = ranks.rank() == 0;
  RunStart begun = start_run(a);
  std::unique_ptr<TRM>& model = begun.model;
  const Json& resume_state = begun.resume_state;
  Json& run = begun.run;
  const std::optional<sudoku::GeneratorOptions> generate = generator_of(run);
  std::optional<RunFolder> folder;
  if (writer) folder.emplace(a);
  const std::string last_path = a.out + "/last.json";
  if (a.resume.empty()) run["skip_nonfinite"] = a.skip_nonfinite;
  if (a.resume.empty() || a.checkpoint_every >= 0) run["checkpoint_every"] = std::max<int64_t>(0, a.checkpoint_every);
  if (a.resume.empty() || a.val_every >= 0) run["val_every"] = std::max<int64_t>(0, a.val_every);
  if (a.resume.empty() || !a.val_decoding.empty()) run["val_decoding"] = a.val_decoding.empty() ? "single" : a.val_decoding;

  const auto seed = run.value("seed", uint64_t{1});
  RunData data = load_run_data(a, run, generate);
  const sudoku::Dataset& train = data.train;
  const sudoku::Dataset& validation = data.validation;

  TrainOptions options;
  options.seed = seed;
  options.augment = run.value("augment", false);
  options.max_steps = run.value("max_steps", int64_t{0});
  options.val_limit = run.value("val_limit", size_t{2000});
  options.validate_every = run.value("val_every", int64_t{0});
  options.val_decoding = parse_decoding(run.value("val_decoding", std::string("single")));
  options.skip_nonfinite = run.value("skip_nonfinite", false);
  options.time_limit_seconds = 60.0 * run.value("time_limit_minutes", 0.0);
  options.curriculum = run.value("curriculum", false);
  options.generate = generate;
  options.ranks = &ranks;
  const int64_t checkpoint_every = run.value("checkpoint_every", int64_t{0});
  // Recompute each inner cycle's activations during backward instead of keeping them: same gradients (bit for
  // bit), a fraction of the memory, about a third more time. Not part of the run, so a resume may change it.
  model->set_recompute_activations(a.recompute_activations);
  Trainer trainer(*model, train, validation.size() && writer ? &validation : nullptr, options);
  if (!resume_state.is_null()) trainer.restore_state(resume_state, a.resume);
  const auto start = std::chrono::steady_clock::now();
  auto now = [start] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  // The budget's clock: wall time, or this process's CPU time (all threads), which other jobs on the machine do
  // not eat into: with one thread it is the wall time the run would take alone, so budgets compare fairly.
  const bool cpu_clock = run.value("budget_clock", std::string("wall")) == "cpu";
  const std::function<double()> budget_clock =
      cpu_clock ? std::function<double()>([] { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; })
                : std::function<double()>(now);
  if (!writer) {  // the other ranks only train: no files, no output
    TrainerHooks hooks;
    const std::atomic<bool>& stop_requested = stop_gracefully();
    hooks.should_stop = [&stop_requested] { return stop_requested.load(); };
    hooks.now_seconds = budget_clock;
    if (!trainer.run(hooks)) throw Interrupted();
    return;
  }
  folder->prepare(a.resume.empty(), data.val_data.empty() && a.resume.empty() ? &validation : nullptr);

  const TRMConfig& config = model->config();
  std::printf("%s\n", run_line(config, TRM::parameter_count(config)).c_str());
  const std::string source =
      generate ? "fresh generated puzzles (" + std::to_string(generate->min_givens) + "-" + std::to_string(generate->max_givens) +
                     " givens, at least " + std::to_string(generate->min_guesses) + " guesses)"
               : std::to_string(train.size()) + " training puzzles";
  char budget[64] = "";
  if (options.time_limit_seconds > 0.0)
    std::snprintf(budget, sizeof budget, ", or %s of steps if sooner", format_duration(options.time_limit_seconds).c_str());
  std::printf("%s%s%s, %zu validation puzzles; %lld steps of %d (%lld per epoch)%s%s\n", source.c_str(),
              options.augment ? " (augmented)" : "", options.curriculum ? " (curriculum: easiest first)" : "",
              validation.size(), static_cast<long long>(trainer.total_steps()), config.batch_size,
              static_cast<long long>(trainer.steps_per_epoch()), budget,
              trainer.step() ? (", resuming at step " + std::to_string(trainer.step())).c_str() : "");
  if (ranks.size() > 1)
    std::printf("data-parallel over %d ranks: %lld puzzles of each batch per rank\n", ranks.size(),
                static_cast<long long>(trainer.batch_size() / ranks.size()));
  std::fflush(stdout);
  if (!a.resume.empty()) append_line(folder->metrics, {{"type", "resume"}, {"step", trainer.step()}});

  auto save_checkpoint = [&](const std::string& path) { folder->save_checkpoint(path, *model, trainer.state_json(), run); };
  double best = -1e300;
  for (const auto& h : trainer.history()) best = std::max(best, score(h));

  Progress progress;
  const int64_t log_every = std::max<int64_t>(1, trainer.total_steps() / 400);
  double window_loss = 0.0, window_accuracy = 0.0;
  int64_t window = 0;
  TrainerHooks hooks;
  hooks.now_seconds = budget_clock;
  hooks.on_step = [&](const StepProgress& p) {
    window_loss += p.result.loss;
    window_accuracy += p.result.blank_accuracy;
    ++window;
    if (p.step % log_every == 0)
      append_line(folder->metrics, {{"type", "step"}, {"step", p.step}, {"epoch", p.epoch + 1}, {"loss", p.result.loss},
                                 {"lr", p.lr}, {"grad_norm", p.result.grad_norm}, {"blank_accuracy", p.result.blank_accuracy}});
    char fields[96];
    std::snprintf(fields, sizeof fields, "loss %.4f  acc %.3f", window_loss / static_cast<double>(window),
                  window_accuracy / static_cast<double>(window));
    char prefix[48];
    std::snprintf(prefix, sizeof prefix, "epoch %d/%d", p.epoch + 1, config.epochs);
    // Under a time budget the run ends when the budget does: the step count it will reach is estimated from it.
    int64_t expected_steps = p.total_steps;
    if (options.time_limit_seconds > 0.0 && trainer.train_seconds() > 0.0)
      expected_steps = std::clamp(static_cast<int64_t>(static_cast<double>(p.step) * options.time_limit_seconds /
                                                       trainer.train_seconds()),
                                  p.step, p.total_steps);
    progress.update(p.step, expected_steps, p.step * config.batch_size, prefix, fields);
    if (window >= 50) window_loss = window_accuracy = 0.0, window = 0;  // a running mean over ~50 steps
    // --checkpoint-every: mid-epoch checkpoints (an epoch's end writes its own just after).
    if (checkpoint_every > 0 && p.step % checkpoint_every == 0 && p.epoch_step < p.steps_per_epoch) save_checkpoint(folder->last);
  };
  hooks.on_skip = [&](int64_t step, const std::string& why, float lr_scale) {
    progress.finish_line();
    std::printf("step %lld skipped: %s; learning rate now x%g\n", static_cast<long long>(step), why.c_str(), lr_scale);
    std::fflush(stdout);
    append_line(folder->metrics, {{"type", "skip"}, {"step", step}, {"reason", why}, {"lr_scale", lr_scale}});
  };
  hooks.on_validation = [&](const ValidationPoint& v) {  // --val-every: a learning curve within the epoch
    progress.finish_line();
    Json line = {{"type", "validation"}, {"epoch", v.epoch + 1}, {"step", v.step}, {"train_seconds", v.train_seconds}};
    Trainer::add_validation_json(v.validation, line);
    append_line(folder->metrics, line);
    std::printf("step %lld: validation loss %.4f, blank cells %s, whole puzzles %s (%zu puzzles, %s of training)\n",
                static_cast<long long>(v.step), v.validation.loss,
                percent(v.validation.final_cycle.blank_accuracy()).c_str(),
                percent(v.validation.final_cycle.puzzle_accuracy()).c_str(), v.validation.puzzles,
                format_duration(v.train_seconds).c_str());
    std::fflush(stdout);
  };
  hooks.on_epoch = [&](const EpochMetrics& m) {
    progress.finish_line();
    Json line = Trainer::metrics_json(m);
    line["type"] = "epoch";
    append_line(folder->metrics, line);
    std::printf("epoch %d: train loss %.4f", m.epoch, m.train_loss);
    if (m.has_validation)
      std::printf(", validation loss %.4f, blank cells %s, whole puzzles %s (%zu puzzles)", m.validation.loss,
                  percent(m.validation.final_cycle.blank_accuracy()).c_str(),
                  percent(m.validation.final_cycle.puzzle_accuracy()).c_str(), m.validation.puzzles);
    std::printf(", %s\n", format_duration(m.seconds).c_str());
    std::fflush(stdout);
    save_checkpoint(folder->last);
    if (score(line) > best) {
      best = score(line);
      save_checkpoint(folder->best);
    }
    folder->write_report(run);
  };

  // Ctrl-C or SIGTERM: stop between two steps and save (signals.h); a second one stops at once.
  const std::atomic<bool>& stop_requested = stop_gracefully();
  hooks.should_stop = [&stop_requested] { return stop_requested.load(); };
  bool finished = false;
  try {
    finished = trainer.run(hooks);
  } catch (const NumericError& e) {
    // Nothing of the failed step was saved: the checkpoints on disk hold the last good state.
    progress.finish_line();
    throw NumericError(std::string(e.what()) + "; " +
                       (file_exists(last_path) ? last_path + " holds the last good state" : "no checkpoint was written") +
                       (options.skip_nonfinite ? "" : " (--skip-nonfinite skips such steps and halves the learning rate)"));
  }
  stop_at_once();
  progress.finish_line();
  if (!finished) {
    save_checkpoint(folder->last);
    std::printf("stopped at step %lld; checkpoint %s\ncontinue with: trm train %s--out %s --resume %s\n",
                static_cast<long long>(trainer.step()), folder->last.c_str(),
                generate ? "" : ("--data " + a.data + " ").c_str(), a.out.c_str(), folder->last.c_str());
    throw Interrupted();
  }
  std::printf("done in %s: checkpoints %s (last) and %s (best), report %s\n", format_duration(now()).c_str(),
              folder->last.c_str(), folder->best.c_str(), folder->report.c_str());
}
}  // namespace

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "Train a model on a puzzle CSV");
  CLI::Option* data = cmd->add_option("--data", args->data, "Training CSV (quizzes,solutions or puzzle,solution[,...])");
  std::vector<CLI::Option*> run_options;
  CLI::Option* generate = cmd->add_flag("--generate", args->generate,
                                        "Train on fresh puzzles from the generator (one new puzzle per sample) instead of --data");
  run_options.push_back(generate);
  data->excludes(generate);
  run_options.push_back(cmd->add_option("--min-givens", args->generator.min_givens, "--generate: fewest givens")
                            ->capture_default_str()->check(CLI::Range(17, 81))->needs(generate));
  run_options.push_back(cmd->add_option("--max-givens", args->generator.max_givens, "--generate: most givens")
                            ->capture_default_str()->check(CLI::Range(17, 81))->needs(generate));
  run_options.push_back(cmd->add_option("--min-guesses", args->generator.min_guesses,
                                        "--generate: difficulty floor, solver guesses beyond singles")
                            ->capture_default_str()->check(CLI::NonNegativeNumber)->needs(generate));

  run_options.push_back(cmd->add_option("--val-data", args->val_data, "Validation CSV (default: a held-out split of --data)"));
  run_options.push_back(cmd->add_option("--val-fraction", args->val_fraction, "Held-out fraction when there is no --val-data")
                            ->capture_default_str()->check(CLI::Range(0.0, 0.9)));
  run_options.push_back(
      cmd->add_option("--val-limit", args->val_limit, "Validate on at most N puzzles each epoch")->capture_default_str()
          ->check(count_flag("give the validation set's size to validate on all of it")));
  cmd->add_option("--config", args->config_file, "TRMConfig JSON (keys as the reference: hidden_dim, L_layers, ...)");
  // One flag per TRMConfig field, spelled as the field (--hidden_dim) or with dashes (--hidden-dim).
  const Json defaults = config_to_json(TRMConfig{});
  for (const auto& item : defaults.items()) {
    const std::string key = item.key();
    std::string names = "--" + key;
    std::string dashed = key;
    for (char& c : dashed) c = c == '_' ? '-' : c;
    if (dashed != key) names += ",--" + dashed;
    const Json prototype = item.value();
    cmd->add_option_function<std::string>(
        names,
        [args, key, prototype](const std::string& v) {
          try {
            parse_override(key, v, prototype);  // a bad value is a usage error (exit 2), found while parsing
          } catch (const InputError& e) {
            throw CLI::ValidationError(e.what());
          }
          args->overrides[key] = v;
        },
        "TRMConfig." + key + " (default " + prototype.dump() + ")");
  }
  run_options.push_back(cmd->add_option("--max-steps", args->max_steps, "Stop after N optimisation steps (the schedule spans them)")
                            ->check(count_flag("leave --max-steps out for the epochs' steps")));
  run_options.push_back(cmd->add_option("--seed", args->seed, "Seed for initialisation, data order, split, dropout, augmentation")
                            ->capture_default_str()->check(CLI::NonNegativeNumber));
  run_options.push_back(cmd->add_option("--init-from", args->init_from,
                                        "Start from these weights (checkpoint or production file) with a fresh optimiser"));
  run_options.push_back(cmd->add_flag("--augment", args->augment, "Apply a random Sudoku symmetry to each sample"));
  run_options.push_back(cmd->add_option("--time-limit", args->time_limit_minutes,
                                        "Stop after this many minutes of training steps (validation not counted); the "
                                        "learning-rate schedule follows the budget")
                            ->check(positive_flag()));
  run_options.push_back(cmd->add_option("--budget-clock", args->budget_clock,
                                        "What --time-limit counts: wall (elapsed time) or cpu (this process's CPU time: "
                                        "fair budgets on a shared machine with OMP_NUM_THREADS=1)")
                            ->capture_default_str()->check(CLI::IsMember({"wall", "cpu"})));
  run_options.push_back(cmd->add_flag("--curriculum", args->curriculum,
                                      "Curriculum by difficulty: easiest rows of --data first, all of them from half-way on")
                            ->excludes(generate));
  cmd->add_option("--out", args->out, "Run folder: checkpoints, metrics.jsonl, report.html")->required();
  cmd->add_option("--resume", args->resume, "Continue from a checkpoint (e.g. OUT/last.json)");
  cmd->add_flag("--checkpoint-activations", args->recompute_activations,
                "Recompute inner-cycle activations in backward: much less memory, ~35% more time, same results");
  add_precision_flag(cmd, args->precision);
  cmd->add_flag("--allow-other-data", args->allow_other_data,
                "--resume: continue on data whose checksum differs from the run's (same row count still required)");
  cmd->add_flag("--skip-invalid", args->skip_invalid, "Skip (and count) invalid CSV rows instead of stopping");
  run_options.push_back(cmd->add_flag("--skip-nonfinite", args->skip_nonfinite,
                                      "Skip a step whose loss or gradient is not finite and halve the learning rate"));
  cmd->add_option("--checkpoint-every", args->checkpoint_every, "Also write OUT/last.json every N steps (0: at epoch ends only)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--val-every", args->val_every,
                  "Also validate every N steps within an epoch (0: at epoch ends only); metrics.jsonl gets a "
                  "\"validation\" line with the training time so far")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--val-decoding", args->val_decoding,
                  "How validation decodes (the puzzle alone): single (one pass, the default), iterative or search; "
                  "metrics' val_puzzle_accuracy and val_blank_accuracy are the decoded answer's")
      ->check(CLI::IsMember({"single", "iterative", "search"}));
  cmd->add_flag("--force", args->force, "Start over in an --out folder that already holds a run");
  cmd->callback([args, run_options, data, generate] {
    if (data->count() == 0 && generate->count() == 0 && args->resume.empty())
      throw CLI::RequiredError("--data (or --generate)");
    for (const CLI::Option* option : run_options)
      if (option->count() > 0) args->run_flags_given.push_back(option->get_name());
    run_train(*args);
  });
}

}  // namespace trm::cli
