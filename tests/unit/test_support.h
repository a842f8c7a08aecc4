#pragma once
// Shared helpers for the unit tests: where fixtures live, and the small model configs most tests use.
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "autodiff/tensor.h"
#include "model/config.h"
#include "model/trm.h"
#include "optim/adamw.h"
#include "train/train_step.h"
#include "util/rng.h"

namespace trm_test {

// Directory of the shared public puzzle sets (../shared/data), or "" when absent.
inline std::string shared_data_dir() {
  if (const char* env = std::getenv("TRM_SHARED_DATA")) return env;
  const std::string dir = TRM_SHARED_DATA_DIR;
  std::ifstream probe(dir + "/README.md");
  return probe ? dir : std::string();
}

inline std::string test_data(const std::string& name) { return std::string(TRM_TEST_DATA_DIR) + "/" + name; }
inline std::string golden(const std::string& name) { return std::string(TRM_GOLDEN_DIR) + "/" + name; }

// A small model: the shape fields that matter to a test; every other field keeps TRMConfig's default.
inline trm::TRMConfig tiny_config(const std::string& arch, int hidden_dim, int l_layers, int l_cycles, int h_cycles) {
  trm::TRMConfig c;
  c.arch = arch;
  c.hidden_dim = hidden_dim;
  c.L_layers = l_layers;
  c.L_cycles = l_cycles;
  c.H_cycles = h_cycles;
  return c;
}

// The inputs of one training step: `batch` rows of random digits as puzzles (0-9, 0 = blank) and as solutions (1-9).
// Not Sudoku, only numbers of the right shape and range, which is all a step's arithmetic needs.
struct RandomBatch {
  std::vector<uint8_t> puzzles;    // (batch, 81)
  std::vector<uint8_t> solutions;  // (batch, 81)
};
inline RandomBatch random_batch(int64_t batch, trm::Rng& rng) {
  const size_t cells = static_cast<size_t>(batch * 81);
  RandomBatch b{std::vector<uint8_t>(cells), std::vector<uint8_t>(cells)};
  for (auto& d : b.puzzles) d = static_cast<uint8_t>(rng.below(10));
  for (auto& d : b.solutions) d = static_cast<uint8_t>(1 + rng.below(9));
  return b;
}

// One training step of a fresh model (parameters from seed 3) on a random batch of 4 (seed 11), AdamW at lr 1e-3,
// dropout seed 5: the step that tests compare between two ways of computing it (bf16 against float32 products,
// recomputed against recorded activations). `prepare` sets the model up first; the tensor pool's peak is measured
// from an empty pool.
struct OneStep {
  std::vector<float> grads, params;  // (parameters,) after the step
  float loss = 0.0f;
  int64_t peak_pooled_bytes = 0;
};
inline OneStep one_training_step(const trm::TRMConfig& config, const std::function<void(trm::TRM&)>& prepare = {}) {
  trm::TRM model(config);
  model.init(3);
  if (prepare) prepare(model);
  const int64_t batch = 4;
  trm::Rng rng(11);
  const RandomBatch data = random_batch(batch, rng);
  trm::AdamWSettings settings;
  trm::AdamW optimizer(model.parameters(), settings);
  trm::Rng dropout_rng(5);
  trm::release_pooled_memory();
  trm::reset_pooled_bytes_peak();
  const trm::StepResult r =
      trm::train_step(model, optimizer, data.puzzles.data(), data.solutions.data(), batch, 1e-3f, dropout_rng);
  const trm::Parameters& p = model.parameters();
  OneStep out;
  out.grads.assign(p.grads(), p.grads() + p.size());
  out.params.assign(p.values(), p.values() + p.size());
  out.loss = r.loss;
  out.peak_pooled_bytes = trm::pooled_bytes_peak();
  return out;
}

}  // namespace trm_test
