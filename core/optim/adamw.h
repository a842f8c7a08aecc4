#pragma once
// AdamW (decoupled weight decay, Loshchilov & Hutter), global gradient-norm clipping and the
// cosine learning-rate schedule, each matching PyTorch's formulas so the golden test can compare
// training steps.
//
// Weight decay applies to matrices only (rank >= 2: Linear weights, embeddings); biases, LayerNorm
// parameters and the gates do not decay. Decaying a LayerNorm gain or a gate pulls it toward 0,
// which switches a block or the recursion off, not toward "simpler".
#include <cstdint>
#include <vector>

#include "nn/parameters.h"

namespace trm {

struct AdamWSettings {
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f, weight_decay = 0.01f;
};

class AdamW {
 public:
  AdamW(Parameters& params, const AdamWSettings& settings);
  // One update with the gradients currently in the arena.
  void step(float lr);

  int64_t steps() const { return steps_; }
  // Moment arenas, laid out like the parameter arena (for checkpoints).
  AlignedBuffer& first_moment() { return m_; }
  AlignedBuffer& second_moment() { return v_; }
  const AlignedBuffer& first_moment() const { return m_; }
  const AlignedBuffer& second_moment() const { return v_; }
  void set_steps(int64_t steps) { steps_ = steps; }
  const AdamWSettings& settings() const { return settings_; }

 private:
  Parameters& params_;
  AdamWSettings settings_;
  AlignedBuffer m_, v_;
  std::vector<uint8_t> decay_;  // per arena element
  int64_t steps_ = 0;
};

// L2 norm of all gradients together.
float grad_norm(const Parameters& params);
// torch.nn.utils.clip_grad_norm_: scales every gradient by min(1, max_norm / (norm + 1e-6)).
// Returns the norm before clipping. max_norm <= 0 leaves the gradients as they are.
float clip_grad_norm(Parameters& params, float max_norm);
// Learning rate at `step` (0-based) of `total_steps`: linear warmup over warmup_steps to base_lr,
// then cosine annealing down to base_lr * min_ratio at the last step.
float cosine_lr(int64_t step, int64_t total_steps, float base_lr, int64_t warmup_steps, float min_ratio);
// The fraction of the cosine part done at `step` of `total_steps`: 0 at the end of warmup, 1 at the last step.
double cosine_progress(int64_t step, int64_t total_steps, int64_t warmup_steps);
// The same schedule at a given progress in [0, 1] (warmup still by step): for runs whose length is a time budget.
float cosine_lr_at(double progress, int64_t step, float base_lr, int64_t warmup_steps, float min_ratio);

}  // namespace trm
