// Numerical faults in training: a non-finite loss stops the run naming the step (nothing changed), or with
// skip_nonfinite the step is skipped and the learning rate halved, exactly again on resume; no checkpoint is
// ever made of non-finite weights.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "io/checkpoint.h"
#include "sudoku/generator.h"
#include "train/trainer.h"
#include "util/error.h"

using namespace trm;

namespace {

TRMConfig tiny() {
  TRMConfig c;
  c.arch = "cells";
  c.hidden_dim = 4;
  c.L_layers = 1;
  c.O_layers = 1;
  c.L_cycles = 1;
  c.H_cycles = 2;
  c.batch_size = 4;
  c.epochs = 1;
  c.dropout = 0.0f;
  return c;
}

std::vector<float> weights(const TRM& model) {
  const Parameters& p = model.parameters();
  return std::vector<float>(p.values(), p.values() + p.size());
}

// Hooks that poison one weight with NaN after step `at` (so step at+1 has a NaN loss) and, when the trainer
// skips that step, put the weight back, as if one bad batch had come and gone.
struct Poison {
  Poison(TRM& poisoned, int64_t after) : model(poisoned), at(after) {}
  TRM& model;
  int64_t at;
  float kept = 0.0f;
  std::vector<int64_t> skipped;
  std::vector<float> scales;

  TrainerHooks hooks() {
    TrainerHooks h;
    h.on_step = [this](const StepProgress& p) {
      if (p.step != at) return;
      kept = model.parameters().values()[0];
      model.parameters().values()[0] = std::numeric_limits<float>::quiet_NaN();
    };
    h.on_skip = [this](int64_t step, const std::string&, float scale) {
      skipped.push_back(step);
      scales.push_back(scale);
      model.parameters().values()[0] = kept;
    };
    return h;
  }
};

}  // namespace

TEST_CASE("a non-finite loss stops training with the step's number, parameters untouched", "[train][nonfinite]") {
  const sudoku::Dataset data = sudoku::generate(40, 5);
  TRM model(tiny());
  model.init(1);
  TrainOptions options;
  options.seed = 2;
  Trainer trainer(model, data, nullptr, options);
  Poison poison{model, 3};
  std::vector<float> before;
  TrainerHooks hooks = poison.hooks();
  auto poison_step = hooks.on_step;
  hooks.on_step = [&](const StepProgress& p) {
    poison_step(p);
    if (p.step == 3) before = weights(model);
  };
  CHECK_THROWS_MATCHES(trainer.run(hooks), NumericError, Catch::Message("step 4 (epoch 1): the loss is not finite (nan)"));
  CHECK(trainer.step() == 3);
  CHECK(trainer.optimizer().steps() == 3);
  const std::vector<float> after = weights(model);
  CHECK(std::memcmp(after.data(), before.data(), after.size() * sizeof(float)) == 0);  // NaN included
  // The spoilt weights are never written as a checkpoint.
  CHECK_THROWS_MATCHES(make_checkpoint(model, trainer.state_json(), nullptr), NumericError,
                       Catch::Message("not writing a checkpoint: tensor \"" + model.parameters().infos()[0].name +
                                      "\" value 0 is not finite"));
}

TEST_CASE("skip_nonfinite skips the step, halves the learning rate and resumes exactly", "[train][nonfinite]") {
  const sudoku::Dataset data = sudoku::generate(40, 5);
  TrainOptions options;
  options.seed = 2;
  options.skip_nonfinite = true;

  // One run straight through: step 4 is skipped.
  TRM whole(tiny());
  whole.init(1);
  Trainer straight(whole, data, nullptr, options);
  Poison poison{whole, 3};
  TrainerHooks recorded = poison.hooks();
  std::vector<double> losses;
  double epoch_mean = -1.0;
  recorded.on_step = [&, poisoning = recorded.on_step](const StepProgress& p) {
    losses.push_back(p.result.loss);
    poisoning(p);
  };
  recorded.on_epoch = [&](const EpochMetrics& m) { epoch_mean = m.train_loss; };
  REQUIRE(straight.run(recorded));
  CHECK(poison.skipped == std::vector<int64_t>{4});
  // The epoch's mean loss is over the steps that trained: the skipped one is in neither the sum nor the count.
  REQUIRE(losses.size() == static_cast<size_t>(straight.total_steps() - 1));
  double sum = 0.0;
  for (double l : losses) sum += l;
  CHECK(epoch_mean == Approx(sum / static_cast<double>(losses.size())).epsilon(1e-9));
  CHECK(poison.scales == std::vector<float>{0.5f});
  CHECK(straight.step() == straight.total_steps());
  CHECK(straight.optimizer().steps() == straight.total_steps() - 1);
  const nlohmann::json state = straight.state_json();
  CHECK(state["lr_scale"] == 0.5);
  CHECK(state["skipped_steps"] == 1);
  for (float v : weights(whole)) REQUIRE(std::isfinite(v));

  // The same run stopped after the skip (step 6) and resumed from its state ends bit-identical.
  TRM first(tiny());
  first.init(1);
  Trainer part(first, data, nullptr, options);
  Poison poison2{first, 3};
  TrainerHooks hooks = poison2.hooks();
  hooks.should_stop = [&] { return part.step() == 6; };
  REQUIRE_FALSE(part.run(hooks));
  const nlohmann::json checkpoint = make_checkpoint(first, part.state_json(), nlohmann::json::object());
  CHECK(checkpoint["training"]["lr_scale"] == 0.5);
  LoadedModel loaded = model_from_any_json(checkpoint, "ckpt.json", CheckpointWeights::Training);
  Trainer rest(*loaded.model, data, nullptr, options);
  rest.restore_state(loaded.training, "ckpt.json");
  REQUIRE(rest.run({}));
  const std::vector<float> a = weights(whole), b = weights(*loaded.model);
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
  CHECK(rest.state_json()["lr_scale"] == 0.5);
}

TEST_CASE("skip_nonfinite gives up after ten skips, naming the step", "[train][nonfinite]") {
  const sudoku::Dataset data = sudoku::generate(80, 6);
  TRM model(tiny());
  model.init(1);
  TrainOptions options;
  options.seed = 2;
  options.skip_nonfinite = true;
  Trainer trainer(model, data, nullptr, options);
  model.parameters().values()[0] = std::numeric_limits<float>::infinity();  // every step is non-finite
  int skips = 0;
  TrainerHooks hooks;
  hooks.on_skip = [&](int64_t, const std::string&, float) { ++skips; };
  CHECK_THROWS_WITH(trainer.run(hooks), Catch::StartsWith("step 11 (epoch 1): the loss is not finite") &&
                                            Catch::Contains("10 steps were skipped already"));
  CHECK(skips == 10);
}

TEST_CASE("a training state with a bad lr_scale or history is refused by name", "[train][nonfinite][checkpoint]") {
  const sudoku::Dataset data = sudoku::generate(12, 4);
  TRM model(tiny());
  model.init(1);
  TrainOptions options;
  options.max_steps = 2;
  Trainer trainer(model, data, nullptr, options);
  REQUIRE(trainer.run({}));
  const nlohmann::json good = trainer.state_json();
  Trainer other(model, data, nullptr, options);
  nlohmann::json bad = good;
  bad["lr_scale"] = 2.0;
  CHECK_THROWS_WITH(other.restore_state(bad, "c.json"), "c.json: \"lr_scale\" must be in (0, 1]");
  bad = good;
  bad["epoch_loss_sum"] = "x";
  CHECK_THROWS_WITH(other.restore_state(bad, "c.json"), "c.json: \"epoch_loss_sum\" is not a finite number");
  bad = good;
  bad["history"] = nlohmann::json::array({1});
  CHECK_THROWS_WITH(other.restore_state(bad, "c.json"), Catch::Contains("\"history\""));
  bad = good;
  bad["history"][0]["val_loss"] = "low";
  CHECK_THROWS_WITH(other.restore_state(bad, "c.json"), Catch::Contains("\"val_loss\" is not a number"));
}
