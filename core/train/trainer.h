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
#include "train/communicator.h"
#include "train/training_state.h"
#include "train/evaluate.h"
#include "train/train_step.h"

namespace trm {

struct TrainOptions {
  uint64_t seed = 0;
  bool augment = false;      // a random Sudoku symmetry per sample (sudoku/augment.h)
  int64_t max_steps = 0;     // stop after this many steps in total (0: epochs decide); also the schedule's length
  size_t val_limit = 0;      // validate on at most this many puzzles (0: all)
  // Also validate every this many steps within an epoch (0: at epoch ends only), for learning curves and
  // time-to-quality: TrainerHooks::on_validation gets each result. Validation reads the weights and moves no
  // random stream, so the run trains exactly as without it.
  int64_t validate_every = 0;
  // How validation decodes its answer (the puzzle alone, one reading): one pass by default, which is cheap; iterative
  // commit or search measure what users get, at a few passes per puzzle. Per-cycle rows are always one pass.
  Decoding val_decoding = Decoding::SinglePass;
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
  // Data-parallel training (train/communicator.h): this trainer is one of ranks->size() ranks. Each draws the same
  // global batches, random streams included, trains on its shard of each and sums the gradients with the others,
  // so the weights, the optimiser and the saved state are those of one process training on the whole batch (to
  // floating-point summation order), and a run may resume on any number of ranks. The global batch must split
  // evenly (the constructor refuses otherwise). The ranks agree on stopping and on the steps' time (the slowest
  // rank's). Validation runs wherever a validation set is given: the CLI gives it to rank 0 alone. Null: one
  // process alone, exactly as before.
  Communicator* ranks = nullptr;
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
  double train_seconds;  // the training steps' time since the run began (the budget's clock; validation not counted)
};

// A validation within an epoch (TrainOptions::validate_every).
struct ValidationPoint {
  int epoch;             // 0-based: the epoch in progress
  int64_t step;          // steps done, in total
  double train_seconds;  // the training steps' time so far (the budget's clock; validation not counted)
  EvalResult validation;
};

struct TrainerHooks {
  std::function<void(const StepProgress&)> on_step;
  std::function<void(const EpochMetrics&)> on_epoch;  // after validation; a checkpoint here resumes at the next epoch
  std::function<void(const ValidationPoint&)> on_validation;  // TrainOptions::validate_every, within an epoch
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
  // The validation fields of a metrics line (val_loss, val_puzzle_accuracy, ...), epoch's and mid-epoch's alike.
  static void add_validation_json(const EvalResult& v, nlohmann::json& line);

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
  // Data-parallel: only the slots [first, end) of the batch are filled (this rank's shard), while the random
  // streams move on exactly as for the whole batch.
  void make_batch(const std::vector<size_t>& order, int64_t batch, uint8_t* puzzles, uint8_t* solutions,
                  int64_t first = 0, int64_t end = -1);
  // The validation set scored with the weights evaluation and export use (the average when there is one).
  EvalResult validate();
  bool parallel() const { return options_.ranks && options_.ranks->size() > 1; }
  // Data-parallel: every rank applies the same update to the same weights, so they stay identical bit for bit as
  // long as the all-reduce gives every rank the same sums (MPI advises it; Open MPI's algorithms do). Checked at
  // each epoch's end, on a hash of the weights: a NumericError on every rank when they differ.
  void require_same_weights_on_all_ranks() const;

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
