#include "train/trainer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "sudoku/augment.h"
#include "sudoku/solver.h"
#include "train/streams.h"
#include "util/error.h"

namespace trm {

using Json = nlohmann::json;

namespace {
AdamWSettings adamw_settings(const TRMConfig& c) {
  AdamWSettings s;
  s.beta1 = c.adam_beta1;
  s.beta2 = c.adam_beta2;
  s.eps = c.adam_eps;
  s.weight_decay = c.weight_decay;
  return s;
}
}  // namespace

Trainer::Trainer(TRM& model, const sudoku::Dataset& train, const sudoku::Dataset* validation, const TrainOptions& options)
    : model_(model),
      train_(train),
      validation_(validation),
      options_(options),
      optimizer_(model.parameters(), adamw_settings(model.config())) {
  state_.dropout_rng = Rng(stream_seed(options.seed, Stream::kDropout));
  state_.augment_rng = Rng(stream_seed(options.seed, Stream::kAugment));
  const auto batch = static_cast<size_t>(model.config().batch_size);
  if (train.size() == 0 && !options.generate) throw InputError("training data is empty");
  const size_t epoch_puzzles = options.generate ? static_cast<size_t>(kGeneratedEpoch) : train.size();
  steps_per_epoch_ = static_cast<int64_t>(std::max<size_t>(1, epoch_puzzles / batch));
  total_steps_ = steps_per_epoch_ * model.config().epochs;
  if (options.max_steps > 0) total_steps_ = std::min(total_steps_, options.max_steps);
  if (parallel() && batch_size() % options.ranks->size() != 0)
    throw InputError("the global batch of " + std::to_string(batch_size()) + " puzzles does not split evenly over " +
                     std::to_string(options.ranks->size()) + " ranks: run a number of ranks that divides it, or set "
                     "--batch_size to a multiple of " + std::to_string(options.ranks->size()));
  if (model.config().ema_decay > 0.0f) average_.emplace(model.parameters(), model.config().ema_decay);
  if (options.curriculum && !options.generate) {
    // Rank once: guesses the solver needs beyond singles (what separates rated levels), then blanks; ties keep
    // file order, so the ranking (and a resumed run) is the same every time.
    std::vector<std::pair<int64_t, int>> key(train.size());
#pragma omp parallel for schedule(dynamic, 256)
    for (int64_t i = 0; i < static_cast<int64_t>(train.size()); ++i) {
      const sudoku::Grid p = train.puzzle(static_cast<size_t>(i));
      key[static_cast<size_t>(i)] = {sudoku::solve(p).guesses,
                                     static_cast<int>(std::count(p.begin(), p.end(), uint8_t{0}))};
    }
    easiest_first_.resize(train.size());
    std::iota(easiest_first_.begin(), easiest_first_.end(), size_t{0});
    std::stable_sort(easiest_first_.begin(), easiest_first_.end(), [&](size_t a, size_t b) { return key[a] < key[b]; });
  }
}

double Trainer::progress() const {
  const double by_step = cosine_progress(state_.step, total_steps_, model_.config().warmup_steps);
  if (options_.time_limit_seconds <= 0.0) return by_step;
  return std::max(by_step, std::min(1.0, state_.train_seconds / options_.time_limit_seconds));
}

void Trainer::make_batch(const std::vector<size_t>& order, int64_t batch, uint8_t* puzzles, uint8_t* solutions,
                         int64_t first, int64_t end) {
  if (end < 0) end = batch;
  if (options_.generate) {
    const uint64_t stream = stream_seed(options_.seed, Stream::kGeneratedTraining);
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t b = first; b < end; ++b) {  // each puzzle has a seed of its own: a shard makes only its own
      const sudoku::GeneratedPuzzle g =
          sudoku::generate_puzzle(stream, static_cast<uint64_t>(state_.step * batch + b), *options_.generate);
      std::copy(g.puzzle.begin(), g.puzzle.end(), puzzles + b * 81);
      std::copy(g.solution.begin(), g.solution.end(), solutions + b * 81);
    }
  } else {
    // The curriculum's pool: the easiest c(p) of the rows; its draws come from a generator of the step's own.
    size_t pool = train_.size();
    if (options_.curriculum) {
      const double c0 = 0.2, p_all = 0.5;
      const double competence = std::sqrt(c0 * c0 + (1.0 - c0 * c0) * std::min(1.0, progress() / p_all));
      pool = std::clamp(static_cast<size_t>(std::ceil(competence * static_cast<double>(train_.size()))),
                        std::min(train_.size(), static_cast<size_t>(batch)), train_.size());
    }
    Rng draw(stream_seed(options_.seed, Stream::kCurriculumDraw, static_cast<uint64_t>(state_.step)));
    for (int64_t b = 0; b < batch; ++b) {  // every slot draws, in slot order: the same draws for every shard
      const size_t row = options_.curriculum ? easiest_first_[draw.next_u64() % pool]
                                             : order[static_cast<size_t>((state_.epoch_step * batch + b)) % order.size()];
      if (b < first || b >= end) continue;
      std::copy_n(&train_.puzzles(row, 0), 81, puzzles + b * 81);
      std::copy_n(&train_.solutions(row, 0), 81, solutions + b * 81);
    }
  }
  if (!options_.augment) return;
  for (int64_t b = 0; b < batch; ++b) {  // one generator, in slot order: the same on every run
    if (b < first || b >= end) {  // another shard's slot: draw its symmetry, apply it there
      sudoku::random_symmetry(state_.augment_rng);
      continue;
    }
    sudoku::Grid p, s;
    std::copy_n(puzzles + b * 81, 81, p.begin());
    std::copy_n(solutions + b * 81, 81, s.begin());
    sudoku::augment_pair(state_.augment_rng, p, s);
    std::copy(p.begin(), p.end(), puzzles + b * 81);
    std::copy(s.begin(), s.end(), solutions + b * 81);
  }
}

std::vector<size_t> Trainer::epoch_order(int epoch) const {
  if (options_.generate || options_.curriculum) return {};  // their batches do not follow an epoch order
  std::vector<size_t> order(train_.size());
  std::iota(order.begin(), order.end(), size_t{0});
  Rng rng(stream_seed(options_.seed, Stream::kEpochOrder, static_cast<uint64_t>(epoch)));
  rng.shuffle(order.begin(), order.end());
  return order;
}

int64_t Trainer::batch_size() const {
  const auto configured = static_cast<size_t>(model_.config().batch_size);
  return static_cast<int64_t>(options_.generate ? configured : std::min(configured, train_.size()));
}

void Trainer::next_batch(uint8_t* puzzles, uint8_t* solutions) {
  const Rng saved = state_.augment_rng;  // looking must not move the run on
  make_batch(epoch_order(state_.epoch), batch_size(), puzzles, solutions);
  state_.augment_rng = saved;
}

bool Trainer::run(const TrainerHooks& hooks) {
  const TRMConfig& config = model_.config();
  const int64_t batch = batch_size();
  if (options_.time_limit_seconds > 0.0 && !hooks.now_seconds)
    throw std::logic_error("Trainer: a time limit needs TrainerHooks::now_seconds");
  std::vector<uint8_t> puzzles(static_cast<size_t>(batch * 81)), solutions(puzzles.size());
  auto clock = [&] { return hooks.now_seconds ? hooks.now_seconds() : 0.0; };
  double epoch_start = clock();

  // Data-parallel: this rank's slots of every global batch, and agreement on what each rank decides alone.
  Communicator* ranks = parallel() ? options_.ranks : nullptr;
  const int64_t shard = ranks ? batch / ranks->size() : batch;
  const int64_t first = ranks ? shard * ranks->rank() : 0;
  auto stop_requested = [&] {  // a stop on any rank (Ctrl-C reaches them at different steps) stops them all
    double stop = hooks.should_stop && hooks.should_stop() ? 1.0 : 0.0;
    if (ranks) ranks->all_reduce_max(&stop, 1);
    return stop > 0.0;
  };
  auto step_seconds = [&](double since) {  // the slowest rank's: the time budget ends on the same step everywhere
    double seconds = clock() - since;
    if (ranks) ranks->all_reduce_max(&seconds, 1);
    return seconds;
  };

  const bool has_validation = validation_ != nullptr && validation_->size() > 0;
  while (!finished()) {
    const std::vector<size_t> order = epoch_order(state_.epoch);
    while (state_.epoch_step < steps_per_epoch_ && !finished()) {
      if (stop_requested()) return false;
      const double step_start = clock();
      make_batch(order, batch, puzzles.data(), solutions.data(), first, first + shard);
      const float lr = state_.lr_scale * cosine_lr_at(progress(), state_.step, config.lr, config.warmup_steps, config.min_lr_ratio);
      StepResult result;
      const std::string at = "step " + std::to_string(state_.step + 1) + " (epoch " + std::to_string(state_.epoch + 1) + "): ";
      try {
        result = train_step(model_, optimizer_, puzzles.data() + first * 81, solutions.data() + first * 81, shard, lr,
                            state_.dropout_rng, ranks);
      } catch (const NonFiniteStep& e) {
        // Nothing changed yet: skip the batch (when allowed) with a lower learning rate from here on.
        if (!options_.skip_nonfinite) throw NumericError(at + e.what());
        if (state_.lr_scale < 1.0f / 512.0f)
          throw NumericError(at + e.what() + "; stopping: " + std::to_string(state_.skipped_steps) +
                             " steps were skipped already and the learning rate is down to 1/1024");
        state_.lr_scale *= 0.5f;
        ++state_.skipped_steps;
        ++state_.epoch_skipped;
        ++state_.step;
        ++state_.epoch_step;
        state_.train_seconds += step_seconds(step_start);
        if (hooks.on_skip) hooks.on_skip(state_.step, e.what(), state_.lr_scale);
        continue;
      } catch (const NumericError& e) {
        throw NumericError(at + e.what());
      }
      if (average_) average_->update(model_.parameters());
      state_.train_seconds += step_seconds(step_start);
      ++state_.step;
      ++state_.epoch_step;
      state_.epoch_loss_sum += result.loss;
      state_.epoch_accuracy_sum += result.blank_accuracy;
      if (hooks.on_step) hooks.on_step({state_.epoch, state_.step, total_steps_, state_.epoch_step, steps_per_epoch_, lr, result});
      // Within the epoch only (its end validates anyway) and not on a step that ends the run.
      if (has_validation && options_.validate_every > 0 && state_.step % options_.validate_every == 0 &&
          state_.epoch_step < steps_per_epoch_ && !finished() && hooks.on_validation)
        hooks.on_validation({state_.epoch, state_.step, state_.train_seconds, validate()});
    }
    // End of an epoch (or of the run, when max_steps ends it early): validate and report.
    if (ranks) require_same_weights_on_all_ranks();
    EpochMetrics m{};
    m.epoch = state_.epoch + 1;
    m.step = state_.step;
    // Means over the steps that trained (a skipped step added nothing to the sums).
    const int64_t trained = state_.epoch_step - state_.epoch_skipped;
    m.train_loss = trained > 0 ? state_.epoch_loss_sum / static_cast<double>(trained) : 0.0;
    m.train_blank_accuracy = trained > 0 ? state_.epoch_accuracy_sum / static_cast<double>(trained) : 0.0;
    m.has_validation = has_validation;
    if (m.has_validation) m.validation = validate();
    m.seconds = clock() - epoch_start;
    m.train_seconds = state_.train_seconds;
    ++state_.epoch;
    state_.epoch_step = 0;
    state_.epoch_skipped = 0;
    state_.epoch_loss_sum = state_.epoch_accuracy_sum = 0.0;
    state_.history.push_back(metrics_json(m));
    if (hooks.on_epoch) hooks.on_epoch(m);
    epoch_start = clock();
  }
  return true;
}

EvalResult Trainer::validate() {
  EvalOptions eo;
  eo.limit = options_.val_limit;
  eo.batch_size = options_.eval_batch;
  eo.decode.decoding = options_.val_decoding;
  eo.decode.symmetries = 1;  // the puzzle alone: validation must stay cheap
  // Validation sees the weights that evaluation and export will use: the average when there is one.
  if (average_) average_->swap_with(model_.parameters());
  EvalResult result = evaluate(model_, *validation_, eo);
  if (average_) average_->swap_with(model_.parameters());
  return result;
}

void Trainer::require_same_weights_on_all_ranks() const {
  // FNV-1a over the weights' bits; its two 32-bit halves (exact in a double) and their negations, so one maximum
  // gives every rank both the largest and the smallest hash.
  const Parameters& params = model_.parameters();
  uint64_t hash = 1469598103934665603ULL;
  for (int64_t i = 0; i < params.size(); ++i) {
    uint32_t bits;
    std::memcpy(&bits, params.values() + i, sizeof bits);
    hash = (hash ^ bits) * 1099511628211ULL;
  }
  const auto high = static_cast<double>(hash >> 32), low = static_cast<double>(hash & 0xffffffffULL);
  double seen[4] = {high, low, -high, -low};
  options_.ranks->all_reduce_max(seen, 4);
  if (seen[0] != -seen[2] || seen[1] != -seen[3])
    throw NumericError("epoch " + std::to_string(state_.epoch + 1) + ": the ranks' weights differ (the MPI library's "
                       "all-reduce gave the ranks different sums); the checkpoints on disk hold the last agreed state");
}

Json Trainer::metrics_json(const EpochMetrics& m) {
  Json j;
  j["epoch"] = m.epoch;
  j["step"] = m.step;
  j["train_loss"] = m.train_loss;
  j["train_blank_accuracy"] = m.train_blank_accuracy;
  j["seconds"] = m.seconds;
  j["train_seconds"] = m.train_seconds;
  if (m.has_validation) add_validation_json(m.validation, j);
  return j;
}

void Trainer::add_validation_json(const EvalResult& v, Json& j) {
  j["val_puzzles"] = v.puzzles;
  j["val_loss"] = v.loss;
  j["val_blank_accuracy"] = v.final_cycle.blank_accuracy();
  j["val_puzzle_accuracy"] = v.final_cycle.puzzle_accuracy();
  Json blank = Json::array(), exact = Json::array();
  for (const auto& c : v.per_cycle) {
    blank.push_back(c.blank_accuracy());
    exact.push_back(c.puzzle_accuracy());
  }
  j["val_per_cycle_blank_accuracy"] = blank;
  j["val_per_cycle_puzzle_accuracy"] = exact;
}

Json Trainer::state_json() const {
  return training_state_to_json(state_, total_steps_, optimizer_, average_ ? &*average_ : nullptr, model_.parameters());
}

void Trainer::restore_state(const Json& state, const std::string& where) {
  training_state_from_json(state, where, steps_per_epoch_, state_, optimizer_, average_ ? &*average_ : nullptr,
                           model_.parameters());
}

}  // namespace trm
