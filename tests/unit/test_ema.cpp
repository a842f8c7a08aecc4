// Weight average (EMA): the update rule, the in-place exchange used for validation, and which weights a
// checkpoint gives to evaluation (the average) and to a resume (the training weights).
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <vector>

#include "io/checkpoint.h"
#include "model/trm.h"
#include "optim/ema.h"
#include "sudoku/generator.h"
#include "train/trainer.h"
#include "util/error.h"
#include "test_support.h"

using namespace trm;

namespace {
TRMConfig tiny_cells(float ema_decay) {
  TRMConfig c = trm_test::tiny_config("cells", 8, 1, 1, 1);
  c.O_layers = 1;
  c.dropout = 0.0f;
  c.batch_size = 4;
  c.epochs = 1;
  c.ema_decay = ema_decay;
  return c;
}
}  // namespace

TEST_CASE("the weight average follows its update rule, warm-up included", "[ema]") {
  TRM model(tiny_cells(0.9f));
  model.init(1);
  Parameters& p = model.parameters();
  WeightAverage average(p, 0.9f);
  const float start = p.values()[5];
  CHECK(average.average()[5] == start);

  // Reference recursion on one element, with the weights moving by +1 each step.
  double expected = start;
  for (int t = 0; t < 30; ++t) {
    p.values()[5] += 1.0f;
    average.update(p);
    const double d = std::min(0.9, (1.0 + t) / (10.0 + t));
    expected = d * expected + (1.0 - d) * p.values()[5];
  }
  CHECK(average.updates() == 30);
  CHECK(average.average()[5] == Approx(expected).epsilon(1e-6));
  // The average lags the weights (they kept rising) but stays within the last ~1/(1-0.9) steps.
  CHECK(average.average()[5] < p.values()[5]);
  CHECK(average.average()[5] > p.values()[5] - 12.0f);
}

TEST_CASE("swapping the average in and out restores the weights exactly", "[ema]") {
  TRM model(tiny_cells(0.5f));
  model.init(2);
  Parameters& p = model.parameters();
  WeightAverage average(p, 0.5f);
  for (int64_t i = 0; i < p.size(); ++i) p.values()[i] += 0.25f;
  average.update(p);
  const std::vector<float> weights(p.values(), p.values() + p.size());
  const std::vector<float> averaged(average.average().data(), average.average().data() + p.size());
  CHECK(weights != averaged);
  average.swap_with(p);
  CHECK(std::vector<float>(p.values(), p.values() + p.size()) == averaged);
  average.swap_with(p);
  CHECK(std::vector<float>(p.values(), p.values() + p.size()) == weights);
  CHECK_THROWS(WeightAverage(p, 1.0f));
  CHECK_THROWS(WeightAverage(p, -0.1f));
}

TEST_CASE("a checkpoint gives evaluation the average and a resume the training weights", "[ema][checkpoint]") {
  const sudoku::Dataset data = sudoku::generate(12, 4);
  TRM model(tiny_cells(0.8f));
  model.init(3);
  TrainOptions options;
  options.seed = 5;
  options.max_steps = 3;
  Trainer trainer(model, data, nullptr, options);
  REQUIRE(trainer.run({}));
  REQUIRE(trainer.weight_average() != nullptr);
  CHECK(trainer.weight_average()->updates() == 3);

  const nlohmann::json checkpoint = make_checkpoint(model, trainer.state_json(), nlohmann::json::object());
  REQUIRE(checkpoint["training"].contains("ema"));
  const LoadedModel for_eval = model_from_any_json(checkpoint, "ckpt.json");
  const LoadedModel for_resume = model_from_any_json(checkpoint, "ckpt.json", CheckpointWeights::Training);
  CHECK(for_eval.averaged);
  CHECK_FALSE(for_resume.averaged);
  const Parameters& live = model.parameters();
  const float* avg = trainer.weight_average()->average().data();
  CHECK(std::equal(avg, avg + live.size(), for_eval.model->parameters().values()));
  CHECK(std::equal(live.values(), live.values() + live.size(), for_resume.model->parameters().values()));
  CHECK_FALSE(std::equal(avg, avg + live.size(), live.values()));

  // A resumed trainer gets the average back; a state without one is refused by name.
  TRM resumed(tiny_cells(0.8f));
  Trainer again(resumed, data, nullptr, options);
  again.restore_state(checkpoint["training"], "ckpt.json");
  CHECK(again.weight_average()->updates() == 3);
  CHECK(std::equal(avg, avg + live.size(), again.weight_average()->average().data()));
  nlohmann::json no_average = checkpoint["training"];
  no_average.erase("ema");
  CHECK_THROWS_WITH(again.restore_state(no_average, "ckpt.json"), Catch::Contains("\"ema\""));

  // Without ema_decay nothing is averaged and checkpoints carry no "ema".
  TRM plain(tiny_cells(0.0f));
  plain.init(3);
  Trainer plain_trainer(plain, data, nullptr, options);
  REQUIRE(plain_trainer.run({}));
  CHECK(plain_trainer.weight_average() == nullptr);
  CHECK_FALSE(plain_trainer.state_json().contains("ema"));
}
