// Activation recomputation: the same loss and bit-identical gradients as recording everything, for both
// architectures, with dropout (the recomputation must replay the masks) and deep supervision; and less memory.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "model/trm.h"
#include "optim/adamw.h"
#include "train/train_step.h"
#include "test_support.h"

using namespace trm;

namespace {
trm_test::OneStep one_step(const TRMConfig& config, bool recompute) {
  return trm_test::one_training_step(config, [recompute](TRM& model) { model.set_recompute_activations(recompute); });
}

void check_identical(const TRMConfig& config) {
  const trm_test::OneStep plain = one_step(config, false), ckpt = one_step(config, true);
  CHECK(plain.loss == ckpt.loss);
  REQUIRE(plain.grads.size() == ckpt.grads.size());
  CHECK(std::memcmp(plain.grads.data(), ckpt.grads.data(), plain.grads.size() * sizeof(float)) == 0);
  CHECK(std::memcmp(plain.params.data(), ckpt.params.data(), plain.params.size() * sizeof(float)) == 0);
}
}  // namespace

TEST_CASE("recomputation: identical gradients, flat with dropout and vector gates", "[model][recompute]") {
  TRMConfig config = trm_test::tiny_config("flat", 16, 2, 3, 2);
  config.dropout = 0.2f;
  config.gate_type = "vector";
  check_identical(config);
}

TEST_CASE("recomputation: identical gradients, cells with deep supervision and dropout", "[model][recompute]") {
  TRMConfig config = trm_test::tiny_config("cells", 8, 2, 2, 3);
  config.dropout = 0.1f;
  config.deep_supervision = true;
  check_identical(config);
}

TEST_CASE("recomputation keeps the training step's activations small", "[model][recompute]") {
  TRMConfig config = trm_test::tiny_config("flat", 64, 3, 8, 4);
  config.dropout = 0.1f;
  // Peak pooled bytes (activations and their gradients) of one step, each from an empty pool.
  const trm_test::OneStep ckpt = one_step(config, true);
  const trm_test::OneStep plain = one_step(config, false);
  INFO("plain peak " << plain.peak_pooled_bytes << " bytes, recomputed " << ckpt.peak_pooled_bytes);
  CHECK(plain.peak_pooled_bytes > 4 * ckpt.peak_pooled_bytes);
}
