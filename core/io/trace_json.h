#pragma once
// The JSON form of one puzzle's inference trace, in one home: what Model.run returns (web/bindings.cpp) and the
// per-puzzle part of `trm solve --trace --json` (native/cmd_solve.cpp), which tests/web/make-fixture.js records
// as the native side of the wasm-vs-native test:
//   {"h_cycles": H, "l_cycles": L,
//    "frames": [{"digits": "81 chars 1-9", "confidence": [81 floats]}, ... one per outer cycle],
//    "latent_update_norms": [H * L floats, |z_new - z|_2 per inner step],
//    "logits": [729 floats, [81, 9] row-major, after the last outer cycle]}
#include <cstdint>

#include <nlohmann/json.hpp>

#include "model/inference.h"

namespace trm {

// Puzzle `b` of the trace's batch.
nlohmann::json trace_to_json(const InferenceTrace& trace, int64_t b = 0);

}  // namespace trm
