// Golden test in llm.c's manner: the same model, weights and puzzles in PyTorch
// (tests/golden/make_fixture.py) produced logits, loss, every gradient and three AdamW steps with
// clipping; we must reproduce all of them.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "io/weights_json.h"
#include "model/inference.h"
#include "optim/adamw.h"
#include "test_support.h"

using namespace trm;
using Json = nlohmann::json;

namespace {

Json read_json(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  return Json::parse(in);
}

std::vector<uint8_t> flatten_grids(const Json& grids) {
  std::vector<uint8_t> out;
  for (const Json& grid : grids)
    for (const Json& d : grid) out.push_back(d.get<uint8_t>());
  return out;
}

// Worst |ours - theirs| relative to the reference's scale, reported like llm.c's check_tensor.
void check_tensor(const std::string& name, const float* ours, const Json& theirs, double tolerance) {
  REQUIRE(theirs.is_array());
  double worst = 0.0, scale = 0.0;
  size_t worst_at = 0;
  for (size_t i = 0; i < theirs.size(); ++i) {
    const double ref = theirs[i].get<double>();
    scale = std::max(scale, std::fabs(ref));
    const double diff = std::fabs(static_cast<double>(ours[i]) - ref);
    if (diff > worst) {
      worst = diff;
      worst_at = i;
    }
  }
  INFO(name << ": worst difference " << worst << " at " << worst_at << " (scale " << scale << ")");
  CHECK(worst <= tolerance * std::max(1.0, scale));
}

std::vector<int32_t> targets_of(const std::vector<uint8_t>& solutions) {
  std::vector<int32_t> targets;
  for (uint8_t d : solutions) targets.push_back(static_cast<int32_t>(d) - 1);
  return targets;
}

float loss_and_grads(TRM& model, const std::vector<uint8_t>& puzzles, const std::vector<int32_t>& targets, int64_t batch) {
  model.parameters().zero_grad();
  Tape tape;
  ForwardOptions options;
  Var loss = cross_entropy(tape, model.forward(tape, puzzles.data(), batch, options).logits, targets);
  tape.backward(loss);
  return loss->value[0];
}

// Every section of one architecture's fixture (sections run one at a time, each on fresh weights).
void check_against_reference(const std::string& arch) {
  const Json fixture = read_json(trm_test::golden("fixture_" + arch + ".json"));
  std::ifstream weights_file(trm_test::golden(fixture["weights"].get<std::string>()));
  std::unique_ptr<TRM> model = load_weights(weights_file, fixture["weights"].get<std::string>());
  REQUIRE(model->config().arch == arch);
  const auto batch = fixture["batch"].get<int64_t>();
  const std::vector<uint8_t> puzzles = flatten_grids(fixture["puzzles"]);
  const std::vector<int32_t> targets = targets_of(flatten_grids(fixture["solutions"]));

  SECTION("logits after every cycle and the latent update sizes") {
    InferenceTrace trace = infer(*model, puzzles.data(), batch);
    check_tensor("logits", trace.logits.data(), fixture["logits"], 1e-5);
    const Json& cycles = fixture["cycle_logits"];
    REQUIRE(trace.frames.size() == cycles.size());
    for (size_t h = 0; h < cycles.size(); ++h) {
      // Frames hold decoded digits; compare them with the reference logits' argmax.
      const Json& ref = cycles[h];
      for (int64_t cell = 0; cell < batch * 81; ++cell) {
        int best = 0;
        for (int k = 1; k < 9; ++k)
          if (ref[static_cast<size_t>(cell * 9 + k)].get<double>() > ref[static_cast<size_t>(cell * 9 + best)].get<double>()) best = k;
        CHECK(trace.frames[h].digits[static_cast<size_t>(cell)] == best + 1);
      }
    }
    const Json& norms = fixture["latent_update_norms"];
    REQUIRE(trace.latent_update_norms.size() == norms.size());
    for (size_t s = 0; s < norms.size(); ++s)
      check_tensor("latent_update_norms[" + std::to_string(s) + "]", trace.latent_update_norms[s].data(), norms[s], 1e-5);
  }

  SECTION("intermediate cycle logits with deep-supervision forward") {
    Tape tape(false);
    ForwardOptions options;
    options.logits_every_cycle = true;
    ForwardResult result = model->forward(tape, puzzles.data(), batch, options);
    REQUIRE(result.cycle_logits.size() == fixture["cycle_logits"].size());
    for (size_t h = 0; h < result.cycle_logits.size(); ++h)
      check_tensor("cycle_logits[" + std::to_string(h) + "]", result.cycle_logits[h]->value.data(),
                   fixture["cycle_logits"][h], 1e-5);
  }

  SECTION("loss and the gradient of every parameter") {
    const float loss = loss_and_grads(*model, puzzles, targets, batch);
    CHECK(loss == Approx(fixture["loss"].get<double>()).epsilon(1e-6));
    Parameters& params = model->parameters();
    REQUIRE(static_cast<size_t>(params.count()) == fixture["grads"].size());
    for (int i = 0; i < params.count(); ++i) {
      const std::string& name = params.infos()[static_cast<size_t>(i)].name;
      REQUIRE(fixture["grads"].contains(name));
      check_tensor("grad " + name, params.grad(i).data(), fixture["grads"][name], 1e-5);
    }
  }

  if (fixture.contains("deep_supervision")) {
    SECTION("deep supervision: the mean loss over outer cycles and its gradients") {
      Parameters& params = model->parameters();
      params.zero_grad();
      Tape tape;
      ForwardOptions options;
      options.logits_every_cycle = true;
      ForwardResult out = model->forward(tape, puzzles.data(), batch, options);
      Var loss;
      for (const Var& cycle : out.cycle_logits) {
        Var term = cross_entropy(tape, cycle, targets);
        loss = loss ? add(tape, loss, term) : term;
      }
      loss = scale_by_constant(tape, loss, 1.0f / static_cast<float>(out.cycle_logits.size()));
      tape.backward(loss);
      const Json& ds = fixture["deep_supervision"];
      CHECK(loss->value[0] == Approx(ds["loss"].get<double>()).epsilon(1e-6));
      for (int i = 0; i < params.count(); ++i) {
        const std::string& name = params.infos()[static_cast<size_t>(i)].name;
        REQUIRE(ds["grads"].contains(name));
        check_tensor("deep-supervision grad " + name, params.grad(i).data(), ds["grads"][name], 1e-5);
      }
    }
  }

  SECTION("three AdamW steps with clipping") {
    const Json& train = fixture["train"];
    AdamWSettings settings;
    settings.beta1 = train["beta1"].get<float>();
    settings.beta2 = train["beta2"].get<float>();
    settings.eps = train["eps"].get<float>();
    settings.weight_decay = train["weight_decay"].get<float>();
    AdamW optimizer(model->parameters(), settings);
    const auto steps = train["steps"].get<int>();
    for (int s = 0; s < steps; ++s) {
      const float loss = loss_and_grads(*model, puzzles, targets, batch);
      CHECK(loss == Approx(train["losses"][static_cast<size_t>(s)].get<double>()).epsilon(1e-5));
      const float norm = clip_grad_norm(model->parameters(), train["grad_clip"].get<float>());
      CHECK(norm == Approx(train["grad_norms"][static_cast<size_t>(s)].get<double>()).epsilon(1e-5));
      optimizer.step(train["lr"].get<float>());
    }
    const float final_loss = loss_and_grads(*model, puzzles, targets, batch);
    CHECK(final_loss == Approx(train["losses"][static_cast<size_t>(steps)].get<double>()).epsilon(1e-5));
    Parameters& params = model->parameters();
    for (int i = 0; i < params.count(); ++i) {
      const std::string& name = params.infos()[static_cast<size_t>(i)].name;
      check_tensor("param " + name, params.value(i).data(), train["final_params"][name], 2e-5);
    }
  }
}

}  // namespace

TEST_CASE("golden: flat TRM matches the PyTorch reference", "[golden][model]") { check_against_reference("flat"); }
TEST_CASE("golden: cell-wise TRM matches the PyTorch reference", "[golden][model]") { check_against_reference("cells"); }
