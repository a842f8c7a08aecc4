// GELU, exact erf form (torch.nn.GELU() default, not the tanh approximation).
#include <cmath>

#include "ops/ops.h"

namespace trm {

static constexpr float kInvSqrt2 = 0.70710678118654752f;
static constexpr float kInvSqrt2Pi = 0.39894228040143268f;

// out = 0.5 x (1 + erf(x / sqrt 2))
static void gelu_forward(float* out, const float* x, int64_t n) {
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) out[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * kInvSqrt2));
}
// d/dx = Phi(x) + x phi(x), with Phi the normal CDF and phi its density
static void gelu_backward(float* dx, const float* dout, const float* x, int64_t n) {
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) {
    const float cdf = 0.5f * (1.0f + std::erf(x[i] * kInvSqrt2));
    const float pdf = kInvSqrt2Pi * std::exp(-0.5f * x[i] * x[i]);
    dx[i] += dout[i] * (cdf + x[i] * pdf);
  }
}

Var gelu(Tape& tape, const Var& x) {
  Var out = make_var(Tensor::empty(x->value.shape()));
  gelu_forward(out->value.data(), x->value.data(), x->value.numel());
  if (tape.needs_grad({&x})) {
    tape.record(out, [x, o = out.get()] {
      gelu_backward(x->grad_buffer().data(), o->grad.data(), x->value.data(), x->value.numel());
    });
  }
  return out;
}

}  // namespace trm
