#pragma once
// Shared helpers for the unit tests: where fixtures live.
#include <cstdlib>
#include <fstream>
#include <string>

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

}  // namespace trm_test
