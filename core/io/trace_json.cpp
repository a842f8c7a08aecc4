#include "io/trace_json.h"

#include <string>
#include <vector>

namespace trm {

nlohmann::json trace_to_json(const InferenceTrace& trace, int64_t b) {
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

}  // namespace trm
