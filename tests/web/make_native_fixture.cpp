// make_native_fixture: writes tests/web/fixture_native.json, the NATIVE build's inference traces that
// tests/web/wasm.test.js compares the WebAssembly build against (within 1e-5). Each case is one puzzle run
// with a number of outer cycles, and its trace in exactly the JSON form Model.run returns (web/trace_json.h).
//
// Regenerate with `scripts/test-web.sh --regen-fixture`, which runs:
//   cmake -S . -B build-wasm/native -G Ninja -DCMAKE_BUILD_TYPE=Release -DTRM_BUILD_TESTS=OFF
//   cmake --build build-wasm/native --target trm_core
//   g++ -O2 -std=c++17 -march=native -fopenmp -DEIGEN_NO_DEBUG -I core -I web -isystem /usr/include/eigen3 \
//       tests/web/make_native_fixture.cpp build-wasm/native/core/libtrm_core.a -o build-wasm/make_native_fixture
//   build-wasm/make_native_fixture tests/golden/weights_flat.json > tests/web/fixture_native.json
//
// Usage: make_native_fixture WEIGHTS.json   (the weights path is recorded as given, so pass it repo-relative)
#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/weights_json.h"
#include "model/inference.h"
#include "trace_json.h"

namespace {

struct Case {
  const char* name;
  const char* puzzle;  // 81 chars, 0 = blank
  int h_cycles;        // 0: the model's H_cycles
};

// Puzzles written here (no external data): blank, full, typical and sparse, with default and other cycles.
const Case kCases[] = {
    {"empty grid", "000000000000000000000000000000000000000000000000000000000000000000000000000000000", 0},
    {"classic, 30 givens", "530070000600195000098000060800060003400803001700020006060000280000419005000080079", 0},
    {"classic, one cycle", "530070000600195000098000060800060003400803001700020006060000280000419005000080079", 1},
    {"classic, more cycles than trained", "530070000600195000098000060800060003400803001700020006060000280000419005000080079", 5},
    {"sparse, 21 givens", "800000000003600000070090200050007000000045700000100030001000068008500010090000400", 0},
    {"complete grid", "534678912672195348198342567859761423426853791713924856961537284287419635345286179", 3},
    {"dots for blanks", "..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3..", 0},
};

std::vector<uint8_t> cells_of(const std::string& text) {
  std::vector<uint8_t> cells(81);
  for (size_t i = 0; i < 81; ++i) cells[i] = text[i] == '.' ? 0 : static_cast<uint8_t>(text[i] - '0');
  return cells;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_native_fixture WEIGHTS.json > fixture_native.json\n";
    return 2;
  }
  try {
    std::ifstream in(argv[1]);
    if (!in) throw std::runtime_error(std::string("cannot open ") + argv[1]);
    const auto model = trm::load_weights(in, argv[1]);
    nlohmann::json out;
    out["weights"] = argv[1];
    out["tolerance"] = 1e-5;
    out["cases"] = nlohmann::json::array();
    for (const Case& c : kCases) {
      const std::vector<uint8_t> cells = cells_of(c.puzzle);
      const trm::InferenceTrace trace = trm::infer(*model, cells.data(), 1, c.h_cycles);
      out["cases"].push_back(
          {{"name", c.name}, {"puzzle", c.puzzle}, {"h_cycles", c.h_cycles}, {"result", trm::web::trace_to_json(trace)}});
    }
    std::cout << out.dump() << '\n';
  } catch (const std::exception& e) {
    std::cerr << "make_native_fixture: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
