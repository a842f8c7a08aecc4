#include "optim/ema.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace trm {

WeightAverage::WeightAverage(const Parameters& params, float decay) : decay_(decay), average_(params.size()) {
  if (!(decay >= 0.0f && decay < 1.0f)) throw std::invalid_argument("WeightAverage: decay must be in [0, 1)");
  std::memcpy(average_.data(), params.values(), static_cast<size_t>(params.size()) * sizeof(float));
}

void WeightAverage::update(const Parameters& params) {
  const auto t = static_cast<float>(updates_);
  const float d = std::min(decay_, (1.0f + t) / (10.0f + t));
  const float* w = params.values();
  float* a = average_.data();
  for (int64_t i = 0; i < average_.size(); ++i) a[i] = d * a[i] + (1.0f - d) * w[i];
  ++updates_;
}

void WeightAverage::swap_with(Parameters& params) {
  float* w = params.values();
  float* a = average_.data();
  for (int64_t i = 0; i < average_.size(); ++i) std::swap(a[i], w[i]);
}

}  // namespace trm
