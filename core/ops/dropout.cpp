// Inverted dropout. The mask is drawn from the caller's Rng in a fixed order (serially), so a
// seeded run draws the same masks on every machine and after a resume.
#include <stdexcept>

#include "ops/ops.h"
#include "ops/parallel.h"

namespace trm {

// mask[i] = 0 with probability p, else 1/(1-p);  out = x * mask
static void dropout_forward(float* out, float* mask, const float* x, int64_t n, float p, Rng& rng) {
  const float keep_scale = 1.0f / (1.0f - p);
  for (int64_t i = 0; i < n; ++i) {
    mask[i] = rng.uniform() < p ? 0.0f : keep_scale;
    out[i] = x[i] * mask[i];
  }
}
// dx += dout * mask
static void dropout_backward(float* dx, const float* dout, const float* mask, int64_t n) {
  parallel_for_range(n, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) dx[i] += dout[i] * mask[i];
  });
}

Var dropout(Tape& tape, const Var& x, float p, bool training, Rng& rng) {
  if (!(p >= 0.0f && p < 1.0f)) throw std::invalid_argument("dropout: p must be in [0, 1), got " + std::to_string(p));
  if (!training || p == 0.0f) return x;
  const int64_t n = x->value.numel();
  Var out = make_var(Tensor::empty(x->value.shape()));
  Tensor mask = Tensor::empty(x->value.shape());
  dropout_forward(out->value.data(), mask.data(), x->value.data(), n, p, rng);
  if (tape.needs_grad({&x})) {
    tape.record(out, [x, mask, n, o = out.get()] {
      dropout_backward(x->grad_buffer().data(), o->grad.data(), mask.data(), n);
    });
  }
  return out;
}

}  // namespace trm
