#pragma once
// The JSON form of one puzzle's inference trace that Model.run returns (web/bindings.cpp). It is the per-puzzle
// part of `trm solve --trace --json` (native/cmd_solve.cpp), which tests/web/make-fixture.js records as the
// native side of the wasm-vs-native test:
//   {"h_cycles": H, "l_cycles": L,
//    "frames": [{"digits": "81 chars 1-9", "confidence": [81 floats]}, ... one per outer cycle],
//    "latent_update_norms": [H * L floats, |z_new - z|_2 per inner step],
//    "logits": [729 floats, [81, 9] row-major, after the last outer cycle]}
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/inference.h"

namespace trm::web {

// Puzzle `b` of the trace's batch.
inline nlohmann::json trace_to_json(const InferenceTrace& trace, int64_t b = 0) {
  nlohmann::json out;
  out["h_cycles"] = trace.h_cycles;
  out["l_cycles"] = trace.l_cycles;
  nlohmann::json frames = nlohmann::json::array();
  const size_t first = static_cast<size_t>(b) * 81;
  for (const CycleFrame& frame : trace.frames) {
    std::string digits(81, '0');
    std::vector<float> confidence(81);
    for (size_t i = 0; i < 81; ++i) {
      digits[i] = static_cast<char>('0' + frame.digits[first + i]);
      confidence[i] = frame.confidence[first + i];
    }
    frames.push_back({{"digits", digits}, {"confidence", confidence}});
  }
  out["frames"] = std::move(frames);
  std::vector<float> norms;
  norms.reserve(trace.latent_update_norms.size());
  for (const auto& step : trace.latent_update_norms) norms.push_back(step.at(static_cast<size_t>(b)));
  out["latent_update_norms"] = norms;
  const float* logits = trace.logits.data() + b * 729;
  out["logits"] = std::vector<float>(logits, logits + 729);
  return out;
}

}  // namespace trm::web
