// AdamW details the golden test cannot isolate: which parameters decay, clipping, the schedule.
#include <catch2/catch.hpp>

#include <cmath>

#include "model/trm.h"
#include "optim/adamw.h"
#include "test_support.h"

using namespace trm;

namespace {
TRMConfig tiny() {
  TRMConfig c = trm_test::tiny_config("flat", 4, 1, 1, 1);
  return c;
}
}  // namespace

TEST_CASE("AdamW decays matrices only, and a zero gradient only decays", "[optim]") {
  TRM model(tiny());
  model.init(1);
  Parameters& p = model.parameters();
  model.parameters().zero_grad();
  const int matrix = p.find("output_head.weight"), bias = p.find("input_proj.bias"), gate = p.find("latent_gate");
  const float w0 = p.value(matrix)[0], b0 = p.value(bias)[0], g0 = p.value(gate)[0];
  AdamWSettings s;
  s.weight_decay = 0.5f;
  AdamW opt(p, s);
  opt.step(0.1f);
  CHECK(p.value(matrix)[0] == Approx(w0 * (1.0f - 0.1f * 0.5f)));
  CHECK(p.value(bias)[0] == b0);
  CHECK(p.value(gate)[0] == g0);
  CHECK(opt.steps() == 1);
}

TEST_CASE("AdamW first step moves each parameter by lr against its gradient's sign", "[optim]") {
  TRM model(tiny());
  model.init(1);
  Parameters& p = model.parameters();
  const int gate = p.find("latent_gate");
  p.zero_grad();
  p.grad(gate)[0] = -3.0f;
  AdamWSettings s;
  s.weight_decay = 0.0f;
  AdamW opt(p, s);
  const float before = p.value(gate)[0];
  opt.step(0.01f);
  CHECK(p.value(gate)[0] == Approx(before + 0.01f).epsilon(1e-5));
}

TEST_CASE("clip_grad_norm scales to the limit and reports the norm before", "[optim]") {
  TRM model(tiny());
  Parameters& p = model.parameters();
  p.zero_grad();
  p.grad(p.find("latent_gate"))[0] = 3.0f;
  p.grad(p.find("output_gate"))[0] = 4.0f;
  CHECK(grad_norm(p) == Approx(5.0f));
  CHECK(clip_grad_norm(p, 1.0f) == Approx(5.0f));
  CHECK(grad_norm(p) == Approx(1.0f).epsilon(1e-5));
  CHECK(clip_grad_norm(p, 10.0f) == Approx(1.0f).epsilon(1e-5));  // under the limit: unchanged
  CHECK(grad_norm(p) == Approx(1.0f).epsilon(1e-5));
}

TEST_CASE("cosine schedule with warmup", "[optim]") {
  CHECK(cosine_lr(0, 100, 1.0f, 10, 0.0f) == Approx(0.1f));
  CHECK(cosine_lr(9, 100, 1.0f, 10, 0.0f) == Approx(1.0f));
  CHECK(cosine_lr(10, 100, 1.0f, 10, 0.0f) == Approx(1.0f));
  CHECK(cosine_lr(99, 100, 1.0f, 10, 0.1f) == Approx(0.1f));
  const float middle = cosine_lr(10 + 89 / 2, 100, 1.0f, 10, 0.0f);
  CHECK(middle == Approx(0.5f).margin(0.02f));
  CHECK(cosine_lr(0, 100, 1.0f, 0, 0.0f) == Approx(1.0f));
  for (int s = 11; s < 100; ++s) CHECK(cosine_lr(s, 100, 1.0f, 10, 0.0f) <= cosine_lr(s - 1, 100, 1.0f, 10, 0.0f));
}
