#pragma once
// Shared helpers for the unit tests: where fixtures live, and the small model configs most tests use.
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "model/config.h"
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

}  // namespace trm_test
