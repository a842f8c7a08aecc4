// Finite-difference check of a whole tiny TRM with respect to every parameter, the gates included.
#include "gradcheck.h"
#include "model/trm.h"
#include "test_support.h"

using namespace trm;

namespace {

std::vector<uint8_t> random_puzzles(int64_t batch, Rng& rng) {
  std::vector<uint8_t> puzzles(static_cast<size_t>(batch * 81));
  for (auto& d : puzzles) d = static_cast<uint8_t>(rng.below(10));
  return puzzles;
}

void check_model(const TRMConfig& config, bool training, bool halting = false) {
  TRM model(config);
  model.init(5);
  // Non-trivial gates and LayerNorm parameters, so their gradients carry information.
  Parameters& params = model.parameters();
  Rng rng(17);
  for (const auto& info : params.infos()) {
    Tensor& v = params.value(params.find(info.name));
    if (info.name.find("norm.") != std::string::npos)
      for (int64_t i = 0; i < v.numel(); ++i) v[i] += 0.2f * rng.normal();
  }
  if (halting) {  // a head that reads something, so gradients flow through it into the recursion
    Tensor& w = params.value(params.find("halt_head.weight"));
    for (int64_t i = 0; i < w.numel(); ++i) w[i] = 0.3f * rng.normal();
  }
  params.value(params.find("latent_gate")).fill(0.8f);
  params.value(params.find("output_gate")).fill(1.2f);
  const std::vector<uint8_t> puzzles = random_puzzles(2, rng);

  std::vector<std::pair<std::string, Var>> leaves;
  for (int i = 0; i < params.count(); ++i) {
    const std::string& name = params.infos()[static_cast<size_t>(i)].name;
    if (halting && name.rfind("halt_head.", 0) != 0) continue;  // the halting head reads the state as a constant
    leaves.emplace_back(name, params.var(i));
  }
  trm_test::GradCheckOptions options;
  options.eps = 5e-3f;
  options.atol = 1e-3;  // float32 rounding through 20+ blocks puts the difference quotient's noise near 5e-4 of the largest gradient
  options.max_elements = 48;
  trm_test::check_gradients(leaves, [&](Tape& tape) {
    Rng dropout_rng(99);  // same masks every evaluation
    ForwardOptions fo;
    fo.training = training;
    fo.dropout_rng = &dropout_rng;
    fo.halt_logits = halting;
    const ForwardResult out = model.forward(tape, puzzles.data(), 2, fo);
    return halting ? out.halt : out.logits;
  }, options);
}

}  // namespace

TEST_CASE("tiny TRM: gradients of every parameter", "[model][gradcheck]") {
  TRMConfig config = trm_test::tiny_config("flat", 8, 1, 2, 2);
  config.dropout = 0.0f;
  check_model(config, false);
}

TEST_CASE("tiny TRM with dropout and vector gates: gradients of every parameter", "[model][gradcheck]") {
  TRMConfig config = trm_test::tiny_config("flat", 8, 2, 2, 2);
  config.dropout = 0.2f;
  config.gate_type = "vector";
  check_model(config, true);
}

TEST_CASE("tiny cell-wise TRM: gradients of every parameter", "[model][gradcheck]") {
  TRMConfig config = trm_test::tiny_config("cells", 6, 1, 2, 2);
  config.dropout = 0.1f;
  check_model(config, true);
}

TEST_CASE("tiny cell-wise TRM with a halting head: gradients of its logits to the head's parameters", "[model][gradcheck]") {
  TRMConfig config = trm_test::tiny_config("cells", 6, 1, 2, 2);
  config.dropout = 0.0f;
  config.halt_weight = 1.0f;
  check_model(config, false, /*halting=*/true);
}
