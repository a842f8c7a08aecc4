#pragma once
// Trainer: the training loop, with everything needed to stop at any step and resume exactly.
//
// Epoch e visits the training set in the order of a permutation drawn from Rng(seed, e), so a
// resumed run can recompute it; the dropout and augmentation generators are part of the saved
// state. Hooks let the caller (the CLI) show progress, write checkpoints and ask to stop; the
// trainer itself knows nothing of files or terminals.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/trm.h"
#include "optim/adamw.h"
#include "optim/ema.h"
#include "sudoku/dataset.h"
#include "sudoku/generator.h"
#include "train/training_state.h"
#include "train/evaluate.h"
#include "train/train_step.h"

namespace trm {

struct TrainOptions {
  uint64_t seed = 0;
  bool augment = false;      // a random Sudoku symmetry per sample (sudoku/augment.h)
  int64_t max_steps = 0;     // stop after this many steps in total (0: epochs decide); also the schedule's length
  size_t val_limit = 0;      // validate on at most this many puzzles (0: all)
  int64_t eval_batch = 256;
  // A step whose loss or gradient is not finite: false stops with a NumericError naming the step; true skips
  // the step and halves the learning-rate multiplier (saved in the state, so a resume repeats it exactly).
  bool skip_nonfinite = false;
  // A wall-clock budget: stop once the training steps (batch making, forward, backward, update; not validation)
  // have taken this many seconds in total, across resumes. The cosine schedule then follows whichever is further
  // along, steps or time, so a budgeted run still anneals. 0: no budget. Needs TrainerHooks::now_seconds.
  double time_limit_seconds = 0.0;
  // Curriculum by difficulty: the rows are ranked easiest first (solver guesses beyond singles, then blanks), and
  // each sample is drawn from the easiest fraction c(p) = min(1, sqrt(c0^2 + (1 - c0^2) p / p_all)) of them, at
  // progress p of the run (c0 = 0.2, p_all = 0.5: the whole set from half-way on; Platanios et al. 2019).
  bool curriculum = false;
  // Fresh puzzles: every sample is a new puzzle from the generator (puzzle step * batch + slot of a stream seeded
  // from `seed`, so a resume repeats it) instead of a row of the training set, which may then be empty. An epoch
  // is then kGeneratedEpoch puzzles (validation and checkpoints follow epochs).
  std::optional<sudoku::GeneratorOptions> generate;
};

constexpr int64_t kGeneratedEpoch = 20000;

struct StepProgress {
  int epoch;            // 0-based
  int64_t step;         // steps done, in total
  int64_t total_steps;
  int64_t epoch_step, steps_per_epoch;
  float lr;
  StepResult result;
};

struct EpochMetrics {
  int epoch;           // 1-based: epochs completed
  int64_t step;
  double train_loss;   // mean over the epoch's steps
  double train_blank_accuracy;
  bool has_validation;
  EvalResult validation;
  double seconds;      // wall-clock of the epoch's steps and validation
};

struct TrainerHooks {
  std::function<void(const StepProgress&)> on_step;
  std::function<void(const EpochMetrics&)> on_epoch;  // after validation; a checkpoint here resumes at the next epoch
  std::function<bool()> should_stop;                   // polled between steps
  std::function<double()> now_seconds;                 // a clock (the core has none of its own)
  // A skipped non-finite step (skip_nonfinite): the step's number, why, and the learning-rate multiplier now.
  std::function<void(int64_t step, const std::string& why, float lr_scale)> on_skip;
};

class Trainer {
 public:
  Trainer(TRM& model, const sudoku::Dataset& train, const sudoku::Dataset* validation, const TrainOptions& options);

  // Trains until the last epoch (or max_steps) or until should_stop(). Returns true when finished.
  bool run(const TrainerHooks& hooks);

  int64_t steps_per_epoch() const { return steps_per_epoch_; }
  int64_t total_steps() const { return total_steps_; }
  int64_t step() const { return state_.step; }
  int epoch() const { return state_.epoch; }
  bool finished() const { return state_.step >= total_steps_ || out_of_time(); }
  double train_seconds() const { return state_.train_seconds; }
  const std::vector<nlohmann::json>& history() const { return state_.history; }
  AdamW& optimizer() { return optimizer_; }
  // The weight average when config.ema_decay > 0 (validation uses it; checkpoints keep it in their state).
  const WeightAverage* weight_average() const { return average_ ? &*average_ : nullptr; }
  // The same, to swap in and out (WeightAverage::swap_with) around an evaluation or export between steps.
  WeightAverage* weight_average() { return average_ ? &*average_ : nullptr; }

  // Everything a resume needs besides the model weights (train/training_state.h has the format): optimiser moments
  // and step, epoch and position, generator states, metrics history.
  nlohmann::json state_json() const;
  void restore_state(const nlohmann::json& state, const std::string& where);

  static nlohmann::json metrics_json(const EpochMetrics& m);

  // The batch the next step would train on ([batch, 81] each), without taking the step: for tests and tools.
  void next_batch(uint8_t* puzzles, uint8_t* solutions);
  int64_t batch_size() const;

 private:
  // The shuffled row order of `epoch`; empty for --generate and --curriculum, which draw their batches otherwise.
  std::vector<size_t> epoch_order(int epoch) const;
  bool out_of_time() const { return options_.time_limit_seconds > 0.0 && state_.train_seconds >= options_.time_limit_seconds; }
  // How far the run is, in [0, 1]: the step's place in the schedule, or the share of the time budget if larger.
  double progress() const;
  // puzzles, solutions: [batch, 81] for the step about to run (epoch order, curriculum or generator).
  void make_batch(const std::vector<size_t>& order, int64_t batch, uint8_t* puzzles, uint8_t* solutions);

  TRM& model_;
  const sudoku::Dataset& train_;
  const sudoku::Dataset* validation_;
  TrainOptions options_;
  AdamW optimizer_;
  std::optional<WeightAverage> average_;
  int64_t steps_per_epoch_ = 0, total_steps_ = 0;
  std::vector<size_t> easiest_first_;   // curriculum: row indices ranked by difficulty
  TrainingState state_;                 // the position, sums, generators and history a resume restores
};

}  // namespace trm
