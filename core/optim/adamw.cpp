#include "optim/adamw.h"

#include <algorithm>
#include <cmath>

namespace trm {

AdamW::AdamW(Parameters& params, const AdamWSettings& settings)
    : params_(params),
      settings_(settings),
      m_(params.size()),
      v_(params.size()),
      decay_(static_cast<size_t>(params.size()), 0) {
  for (const auto& info : params.infos())
    if (info.decay) std::fill_n(decay_.begin() + info.offset, info.shape.numel(), 1);
}

void AdamW::step(float lr) {
  ++steps_;
  const auto& s = settings_;
  const float bias1 = 1.0f - static_cast<float>(std::pow(static_cast<double>(s.beta1), static_cast<double>(steps_)));
  const float bias2 = 1.0f - static_cast<float>(std::pow(static_cast<double>(s.beta2), static_cast<double>(steps_)));
  const float step_size = lr / bias1;
  const float bias2_sqrt = std::sqrt(bias2);
  const float decay_factor = 1.0f - lr * s.weight_decay;
  float* p = params_.values();
  const float* g = params_.grads();
  const int64_t n = params_.size();
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) {
    if (decay_[static_cast<size_t>(i)]) p[i] *= decay_factor;
    m_[i] = s.beta1 * m_[i] + (1.0f - s.beta1) * g[i];
    v_[i] = s.beta2 * v_[i] + (1.0f - s.beta2) * g[i] * g[i];
    const float denom = std::sqrt(v_[i]) / bias2_sqrt + s.eps;
    p[i] -= step_size * m_[i] / denom;
  }
}

float grad_norm(const Parameters& params) {
  double sq = 0.0;
  const float* g = params.grads();
  const int64_t n = params.size();
#pragma omp parallel for schedule(static) reduction(+ : sq) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) sq += static_cast<double>(g[i]) * g[i];
  return static_cast<float>(std::sqrt(sq));
}

float clip_grad_norm(Parameters& params, float max_norm) {
  const float norm = grad_norm(params);
  if (max_norm <= 0.0f) return norm;
  const float coef = max_norm / (norm + 1e-6f);
  if (coef < 1.0f) {
    float* g = params.grads();
    for (int64_t i = 0, n = params.size(); i < n; ++i) g[i] *= coef;
  }
  return norm;
}

double cosine_progress(int64_t step, int64_t total_steps, int64_t warmup_steps) {
  const int64_t span = std::max<int64_t>(1, total_steps - warmup_steps - 1);
  return std::clamp(static_cast<double>(step - warmup_steps) / static_cast<double>(span), 0.0, 1.0);
}

float cosine_lr_at(double progress, int64_t step, float base_lr, int64_t warmup_steps, float min_ratio) {
  if (warmup_steps > 0 && step < warmup_steps)
    return base_lr * static_cast<float>(step + 1) / static_cast<float>(warmup_steps);
  const double cosine = 0.5 * (1.0 + std::cos(3.14159265358979323846 * std::clamp(progress, 0.0, 1.0)));
  return static_cast<float>(base_lr * (min_ratio + (1.0 - min_ratio) * cosine));
}

float cosine_lr(int64_t step, int64_t total_steps, float base_lr, int64_t warmup_steps, float min_ratio) {
  return cosine_lr_at(cosine_progress(step, total_steps, warmup_steps), step, base_lr, warmup_steps, min_ratio);
}

}  // namespace trm
