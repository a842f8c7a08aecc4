// The inference trace: one frame per outer cycle, one latent-update size per inner step, more
// outer cycles than trained allowed, and the same answer as the training forward pass.
#include <catch2/catch.hpp>

#include "model/inference.h"
#include "ops/ops.h"
#include "test_support.h"

using namespace trm;

TEST_CASE("inference trace shapes and consistency", "[model][inference]") {
  TRMConfig c = trm_test::tiny_config("flat", 16, 1, 3, 2);
  TRM model(c);
  model.init(11);
  std::vector<uint8_t> puzzles(2 * 81, 0);
  puzzles[5] = 7;
  puzzles[81 + 40] = 2;

  InferenceTrace trace = infer(model, puzzles.data(), 2);
  REQUIRE(trace.frames.size() == 2);
  REQUIRE(trace.latent_update_norms.size() == 6);
  for (const auto& step : trace.latent_update_norms) {
    REQUIRE(step.size() == 2);
    CHECK(step[0] > 0.0f);
  }
  for (size_t i = 0; i < trace.frames[1].digits.size(); ++i) {
    CHECK(trace.frames[1].digits[i] >= 1);
    CHECK(trace.frames[1].digits[i] <= 9);
    CHECK(trace.frames[1].confidence[i] > 1.0f / 9.0f - 1e-6f);
    CHECK(trace.frames[1].confidence[i] <= 1.0f);
  }

  // Same as a plain evaluation-mode forward.
  Tape tape(false);
  Var logits = model.forward(tape, puzzles.data(), 2, ForwardOptions{}).logits;
  for (int64_t i = 0; i < logits->value.numel(); ++i) REQUIRE(logits->value[i] == trace.logits[i]);

  // More outer cycles than trained: more frames, and the first frames are unchanged.
  InferenceTrace longer = infer(model, puzzles.data(), 2, 5);
  REQUIRE(longer.frames.size() == 5);
  REQUIRE(longer.latent_update_norms.size() == 15);
  CHECK(longer.frames[0].digits == trace.frames[0].digits);
  CHECK(longer.frames[1].confidence == trace.frames[1].confidence);
}

TEST_CASE("decode_logits picks the argmax digit and its probability", "[inference]") {
  const float logits[9] = {0, 0, 0, 0, 0, 0, 0, std::log(7.0f), 0};
  uint8_t digit = 0;
  float confidence = 0;
  decode_logits(logits, 1, &digit, &confidence);
  CHECK(digit == 8);
  CHECK(confidence == Approx(7.0f / 15.0f));
}
