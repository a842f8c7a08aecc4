// Training options beyond the plain loop: a wall-clock budget, curriculum by difficulty, fresh generated
// puzzles, and the constraint-aware loss term. Each must also resume exactly.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "model/inference.h"
#include "model/trm.h"
#include "ops/ops.h"
#include "sudoku/generator.h"
#include "sudoku/solver.h"
#include "train/train_step.h"
#include "train/trainer.h"
#include "test_support.h"

using namespace trm;

namespace {

TRMConfig tiny_cells() {
  TRMConfig c = trm_test::tiny_config("cells", 8, 1, 1, 1);
  c.O_layers = 1;
  c.dropout = 0.0f;
  c.batch_size = 8;
  c.epochs = 1000;
  return c;
}

// A clock that moves half a second each time it is read: every step (read at its start and end) costs 0.5 s.
struct FakeClock {
  double now = 0.0;
  double operator()() { return now += 0.5; }
};

std::vector<float> weights_of(TRM& model) {
  return {model.parameters().values(), model.parameters().values() + model.parameters().size()};
}

// Trains `steps` steps straight, and again as `first` steps, a checkpoint-style restore into a new model and
// trainer, then the rest: both must end with the same weights, bit for bit.
void check_exact_resume(const TRMConfig& config, const sudoku::Dataset& data, const TrainOptions& options, int first) {
  TRM straight(config);
  straight.init(3);
  Trainer a(straight, data, nullptr, options);
  REQUIRE(a.run({}));

  TRM part(config);
  part.init(3);
  Trainer b(part, data, nullptr, options);
  int64_t taken = 0;
  TrainerHooks stop_early;
  stop_early.on_step = [&](const StepProgress&) { ++taken; };
  stop_early.should_stop = [&] { return taken >= first; };
  REQUIRE_FALSE(b.run(stop_early));
  const nlohmann::json state = b.state_json();

  TRM resumed(config);
  std::copy_n(part.parameters().values(), part.parameters().size(), resumed.parameters().values());
  Trainer c(resumed, data, nullptr, options);
  c.restore_state(state, "test state");
  REQUIRE(c.run({}));
  CHECK(c.step() == a.step());
  CHECK(weights_of(resumed) == weights_of(straight));
}

}  // namespace

TEST_CASE("a time budget ends the run and anneals the schedule over it", "[train][budget]") {
  const sudoku::Dataset data = sudoku::generate(64, 1);
  TRMConfig config = tiny_cells();
  config.lr = 0.01f;
  TRM model(config);
  model.init(1);
  TrainOptions options;
  options.seed = 2;
  options.max_steps = 1000;
  options.time_limit_seconds = 5.0;  // 10 steps of 0.5 s
  Trainer trainer(model, data, nullptr, options);
  FakeClock clock;
  std::vector<float> lrs;
  TrainerHooks hooks;
  hooks.now_seconds = std::ref(clock);
  hooks.on_step = [&](const StepProgress& p) { lrs.push_back(p.lr); };
  REQUIRE(trainer.run(hooks));
  CHECK(trainer.step() == 10);
  CHECK(trainer.finished());
  CHECK(trainer.train_seconds() == Approx(5.0));
  REQUIRE(lrs.size() == 10);
  // Step 0 starts at the top; by the last step 90% of the budget is gone, so the cosine is near its floor.
  CHECK(lrs.front() == Approx(0.01f));
  CHECK(lrs.back() < 0.001f);
  for (size_t i = 1; i < lrs.size(); ++i) CHECK(lrs[i] < lrs[i - 1]);

  // The budget survives a checkpoint: a run stopped after 4 steps and resumed takes only the 6 left.
  TRM again(config);
  again.init(1);
  Trainer first(again, data, nullptr, options);
  FakeClock clock2;
  TrainerHooks stop_after_4;
  stop_after_4.now_seconds = std::ref(clock2);
  int64_t taken = 0;
  stop_after_4.on_step = [&](const StepProgress&) { ++taken; };
  stop_after_4.should_stop = [&] { return taken >= 4; };
  REQUIRE_FALSE(first.run(stop_after_4));
  Trainer second(again, data, nullptr, options);
  second.restore_state(first.state_json(), "test state");
  CHECK(second.train_seconds() == Approx(2.0));
  FakeClock clock3;
  TrainerHooks plain;
  plain.now_seconds = std::ref(clock3);
  REQUIRE(second.run(plain));
  CHECK(second.step() == 10);

  // A budget without a clock is a programming error, not a silent endless run.
  Trainer clockless(again, data, nullptr, options);
  CHECK_THROWS_AS(clockless.run({}), std::logic_error);
}

TEST_CASE("the curriculum starts from the easiest puzzles and resumes exactly", "[train][curriculum]") {
  // 24 puzzles singles alone solve (many givens) and 24 that need search (few givens, a difficulty floor).
  sudoku::GeneratorOptions easy, hard;
  easy.min_givens = 34, easy.max_givens = 36;
  hard.min_givens = 22, hard.max_givens = 24, hard.min_guesses = 3;
  const sudoku::Dataset easy_set = sudoku::generate(24, 11, easy), hard_set = sudoku::generate(24, 12, hard);
  sudoku::Dataset data = sudoku::subset(easy_set, {});
  {
    // Interleave hard and easy rows, hard first, so file order alone would start with hard ones.
    xt::xtensor<uint8_t, 2> p({48, 81}), s({48, 81});
    for (size_t i = 0; i < 24; ++i)
      for (size_t c = 0; c < 81; ++c) {
        p(2 * i, c) = hard_set.puzzles(i, c), s(2 * i, c) = hard_set.solutions(i, c);
        p(2 * i + 1, c) = easy_set.puzzles(i, c), s(2 * i + 1, c) = easy_set.solutions(i, c);
      }
    data.puzzles = p, data.solutions = s;
  }
  for (size_t i = 0; i < 24; ++i) REQUIRE(sudoku::solve(hard_set.puzzle(i)).guesses >= 1);

  TRM model(tiny_cells());
  model.init(1);
  TrainOptions options;
  options.seed = 4;
  options.max_steps = 20;
  options.curriculum = true;
  Trainer trainer(model, data, nullptr, options);
  std::vector<uint8_t> puzzles(8 * 81), solutions(8 * 81);
  trainer.next_batch(puzzles.data(), solutions.data());
  // At the start the pool is the easiest 20% (10 rows): all singles-only puzzles with the most givens.
  for (int b = 0; b < 8; ++b) {
    sudoku::Grid p;
    std::copy_n(puzzles.begin() + b * 81, 81, p.begin());
    CHECK(sudoku::solve(p).guesses == 0);
    CHECK(std::count(p.begin(), p.end(), uint8_t{0}) <= 81 - 34);
  }
  // By the end every row is in the pool: over the last steps, hard puzzles are drawn too.
  int hard_seen = 0;
  TrainerHooks hooks;
  hooks.on_step = [&](const StepProgress& p) {
    if (p.step < 14) return;
    trainer.next_batch(puzzles.data(), solutions.data());
    for (int b = 0; b < 8; ++b) {
      sudoku::Grid g;
      std::copy_n(puzzles.begin() + b * 81, 81, g.begin());
      hard_seen += sudoku::solve(g).guesses > 0;
    }
  };
  REQUIRE(trainer.run(hooks));
  CHECK(hard_seen > 0);

  options.augment = true;
  check_exact_resume(tiny_cells(), data, options, 7);
}

TEST_CASE("fresh generated puzzles: valid, in range, new every step, and resumed exactly", "[train][generate]") {
  TrainOptions options;
  options.seed = 9;
  options.max_steps = 6;
  options.generate.emplace();
  options.generate->min_givens = 24;
  options.generate->max_givens = 28;
  const sudoku::Dataset none;
  TRM model(tiny_cells());
  model.init(2);
  Trainer trainer(model, none, nullptr, options);
  CHECK(trainer.steps_per_epoch() == kGeneratedEpoch / 8);
  std::vector<uint8_t> first(8 * 81), first_solutions(8 * 81), later(8 * 81), later_solutions(8 * 81);
  trainer.next_batch(first.data(), first_solutions.data());
  for (int b = 0; b < 8; ++b) {
    sudoku::Grid p, s;
    std::copy_n(first.begin() + b * 81, 81, p.begin());
    std::copy_n(first_solutions.begin() + b * 81, 81, s.begin());
    const auto givens = 81 - std::count(p.begin(), p.end(), uint8_t{0});
    CHECK(givens >= 24);
    CHECK(givens <= 28);
    const sudoku::SolveResult solved = sudoku::solve(p);
    CHECK(solved.solutions == 1);
    CHECK(solved.first == s);
  }
  TrainerHooks hooks;
  hooks.on_step = [&](const StepProgress& p) {
    if (p.step == 1) trainer.next_batch(later.data(), later_solutions.data());
  };
  REQUIRE(trainer.run(hooks));
  CHECK(later != first);
  options.augment = true;
  check_exact_resume(tiny_cells(), none, options, 3);
}

TEST_CASE("the constraint-aware term adds its weight times unit_conflict to the loss", "[train][constraint]") {
  const sudoku::Dataset data = sudoku::generate(4, 3);
  for (const bool deep : {false, true}) {
    TRMConfig config = tiny_cells();
    config.H_cycles = 2;
    config.deep_supervision = deep;
    config.batch_size = 4;
    std::vector<float> losses;
    for (const float weight : {0.0f, 0.5f}) {
      config.constraint_weight = weight;
      TRM model(config);
      model.init(5);
      AdamW optimizer(model.parameters(), AdamWSettings{});
      Rng rng(1);
      const std::vector<uint8_t> puzzles(data.puzzles.begin(), data.puzzles.end());
      const std::vector<uint8_t> solutions(data.solutions.begin(), data.solutions.end());
      losses.push_back(train_step(model, optimizer, puzzles.data(), solutions.data(), 4, 0.0f, rng).loss);
    }
    // The expected penalty of the untrained model's logits, computed on their own.
    TRMConfig plain = config;
    plain.constraint_weight = 0.0f;
    TRM model(plain);
    model.init(5);
    Tape tape(false);
    ForwardOptions fo;
    fo.logits_every_cycle = deep;
    const std::vector<uint8_t> puzzles(data.puzzles.begin(), data.puzzles.end());
    ForwardResult out = model.forward(tape, puzzles.data(), 4, fo);
    double penalty = 0.0;
    if (deep) {
      for (const Var& l : out.cycle_logits) penalty += unit_conflict(tape, l)->value[0];
      penalty /= static_cast<double>(out.cycle_logits.size());
    } else {
      penalty = unit_conflict(tape, out.logits)->value[0];
    }
    CHECK(penalty > 0.0);
    CHECK(losses[1] - losses[0] == Approx(0.5 * penalty).epsilon(1e-3));
  }
}

TEST_CASE("supervision steps continue the recursion from the previous step's states", "[train][supervision]") {
  const sudoku::Dataset data = sudoku::generate(16, 7);
  TRMConfig config = tiny_cells();
  config.H_cycles = 2;
  config.supervision_steps = 3;
  CHECK(config.inference_cycles() == 6);
  TRM model(config);
  model.init(4);
  const std::vector<uint8_t> puzzles(data.puzzles.begin(), data.puzzles.begin() + 4 * 81);

  // Two cycles, then two more from where they ended, are four cycles from zero, value for value.
  Tape tape(false);
  ForwardOptions two;
  two.h_cycles = 2;
  const ForwardResult first = model.forward(tape, puzzles.data(), 4, two);
  ForwardOptions more = two;
  more.start_y = &first.y;
  more.start_z = &first.z;
  const ForwardResult second = model.forward(tape, puzzles.data(), 4, more);
  ForwardOptions four;
  four.h_cycles = 4;
  const ForwardResult whole = model.forward(tape, puzzles.data(), 4, four);
  const float* a = second.logits->value.data();
  CHECK(std::vector<float>(a, a + 4 * 729) == std::vector<float>(whole.logits->value.data(), whole.logits->value.data() + 4 * 729));
  // By default inference runs every supervision step's cycles.
  CHECK(infer(model, puzzles.data(), 4).h_cycles == 6);
  CHECK(infer(model, puzzles.data(), 4).frames.size() == 6);
  ForwardOptions wrong = two;
  const Tensor flat_state = Tensor::zeros(Shape{4, 8});
  wrong.start_y = &flat_state;
  CHECK_THROWS_AS(model.forward(tape, puzzles.data(), 4, wrong), std::invalid_argument);

  // Training: every trainer step makes supervision_steps AdamW updates on its batch, and resumes exactly.
  TrainOptions options;
  options.seed = 3;
  options.max_steps = 4;
  options.augment = true;
  TRM trained(config);
  trained.init(4);
  Trainer trainer(trained, data, nullptr, options);
  REQUIRE(trainer.run({}));
  CHECK(trainer.step() == 4);
  CHECK(trainer.optimizer().steps() == 12);
  check_exact_resume(config, data, options, 2);
}

TEST_CASE("validating every N steps reports within the epoch and leaves the run unchanged", "[train][validate-every]") {
  const sudoku::Dataset data = sudoku::generate(80, 11);  // 10 steps of 8 per epoch
  const sudoku::Dataset validation = sudoku::generate(12, 12);
  TRMConfig config = tiny_cells();
  config.ema_decay = 0.9f;  // validation swaps the average in and out: that must not disturb training either
  TrainOptions options;
  options.seed = 5;
  options.max_steps = 25;  // two whole epochs and half of a third
  options.augment = true;

  TRM plain(config);
  plain.init(6);
  Trainer a(plain, data, &validation, options);
  std::vector<nlohmann::json> plain_epochs;
  TrainerHooks plain_hooks;
  plain_hooks.on_epoch = [&](const EpochMetrics& m) { plain_epochs.push_back(Trainer::metrics_json(m)); };
  REQUIRE(a.run(plain_hooks));

  TRM model(config);
  model.init(6);
  options.validate_every = 4;
  Trainer b(model, data, &validation, options);
  std::vector<ValidationPoint> points;
  std::vector<nlohmann::json> epochs;
  TrainerHooks hooks;
  double clock = 0.0;
  hooks.now_seconds = [&] { return clock += 0.25; };
  hooks.on_validation = [&](const ValidationPoint& p) {
    // What a caller would measure itself at this point: the same weights (the average), the same result.
    EvalOptions eo;
    eo.decode.decoding = Decoding::SinglePass;
    eo.decode.symmetries = 1;
    b.weight_average()->swap_with(model.parameters());
    const EvalResult now = evaluate(model, validation, eo);
    b.weight_average()->swap_with(model.parameters());
    CHECK(p.validation.loss == now.loss);
    CHECK(p.validation.final_cycle.puzzle_accuracy() == now.final_cycle.puzzle_accuracy());
    points.push_back(p);
  };
  hooks.on_epoch = [&](const EpochMetrics& m) { epochs.push_back(Trainer::metrics_json(m)); };
  REQUIRE(b.run(hooks));

  // Steps 4 and 8 (epoch 1), 12 and 16 (epoch 2), 24 (epoch 3); never 20 (an epoch's end validates anyway) nor
  // 25 (the run's end does).
  std::vector<int64_t> steps;
  for (const auto& p : points) steps.push_back(p.step);
  CHECK(steps == std::vector<int64_t>{4, 8, 12, 16, 24});
  CHECK(points[2].epoch == 1);
  CHECK(points.front().validation.puzzles == validation.size());
  for (size_t i = 1; i < points.size(); ++i) CHECK(points[i].train_seconds > points[i - 1].train_seconds);
  // The same training, bit for bit, and the same epoch metrics (their validation included).
  CHECK(weights_of(model) == weights_of(plain));
  REQUIRE(epochs.size() == plain_epochs.size());
  for (size_t i = 0; i < epochs.size(); ++i) {
    CHECK(epochs[i]["val_loss"] == plain_epochs[i]["val_loss"]);
    CHECK(epochs[i]["train_loss"] == plain_epochs[i]["train_loss"]);
  }
}

TEST_CASE("validation decodes as told: iterative commit scores what `trm eval --decoding iterative` would",
          "[train][validate-every]") {
  const sudoku::Dataset data = sudoku::generate(16, 13);
  const sudoku::Dataset validation = sudoku::generate(10, 14);
  TRMConfig config = tiny_cells();
  TRM model(config);
  model.init(8);
  TrainOptions options;
  options.seed = 9;
  options.max_steps = 2;
  options.val_decoding = Decoding::IterativeCommit;
  Trainer trainer(model, data, &validation, options);
  std::optional<EvalResult> seen;
  TrainerHooks hooks;
  hooks.on_epoch = [&](const EpochMetrics& m) { seen = m.validation; };
  REQUIRE(trainer.run(hooks));
  REQUIRE(seen.has_value());
  EvalOptions eo;
  eo.decode.decoding = Decoding::IterativeCommit;
  eo.decode.symmetries = 1;
  const EvalResult expected = evaluate(model, validation, eo);
  CHECK(seen->final_cycle.blank_accuracy() == expected.final_cycle.blank_accuracy());
  CHECK(seen->mean_forward_passes == expected.mean_forward_passes);
  CHECK(seen->mean_forward_passes > 1.0);  // an untrained model commits little per pass: iterative really ran
}
