// add and the three scalings (learnable scalar gate, learnable per-channel gate, constant).
#include <stdexcept>

#include "ops/ops.h"
#include "ops/parallel.h"

namespace trm {

static void require_same_shape(const char* op, const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape())
    throw std::invalid_argument(std::string(op) + ": shapes " + a.shape().str() + " and " + b.shape().str() + " differ");
}

// out = a + b;  da += dout; db += dout
Var add(Tape& tape, const Var& a, const Var& b) {
  require_same_shape("add", a->value, b->value);
  Var out = make_var(Tensor::empty(a->value.shape()));
  float* po = out->value.data();
  const float *pa = a->value.data(), *pb = b->value.data();
  parallel_for_range(out->value.numel(), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) po[i] = pa[i] + pb[i];
  });
  if (tape.needs_grad({&a, &b})) {
    tape.record(out, [a, b, o = out.get()] {
      pass_grad(*o, {a->requires_grad ? a.get() : nullptr, b->requires_grad ? b.get() : nullptr});
    });
  }
  return out;
}

// out = s * x;  dx += s * dout;  ds += sum(dout * x)
Var scale_by_scalar(Tape& tape, const Var& x, const Var& s) {
  if (s->value.numel() != 1) throw std::invalid_argument("scale_by_scalar: gate has shape " + s->value.shape().str());
  Var out = make_var(Tensor::empty(x->value.shape()));
  out->value.array() = s->value[0] * x->value.array();
  if (tape.needs_grad({&x, &s})) {
    tape.record(out, [x, s, o = out.get()] {
      if (x->requires_grad) x->grad_buffer().array() += s->value[0] * o->grad.array();
      if (s->requires_grad) s->grad_buffer()[0] += (o->grad.array() * x->value.array()).sum();
    });
  }
  return out;
}

// out[N, M] = x[N, M] * g[M];  dx += dout * g;  dg[M] += sum over rows of dout * x
Var scale_by_vector(Tape& tape, const Var& x, const Var& g) {
  const Shape& xs = x->value.shape();
  if (g->value.shape().rank() != 1 || g->value.numel() != xs.last())
    throw std::invalid_argument("scale_by_vector: x " + xs.str() + " does not fit gate " + g->value.shape().str());
  Var out = make_var(Tensor::empty(xs));
  const Tensor g_row = g->value.reshaped(Shape{1, xs.last()});
  out->value.matrix().array() = x->value.matrix().array().rowwise() * g_row.matrix().row(0).array();
  if (tape.needs_grad({&x, &g})) {
    tape.record(out, [x, g, o = out.get()] {
      const Tensor gr = g->value.reshaped(Shape{1, g->value.numel()});
      if (x->requires_grad) x->grad_buffer().matrix().array() += o->grad.matrix().array().rowwise() * gr.matrix().row(0).array();
      if (g->requires_grad) {
        Tensor dg = g->grad_buffer().reshaped(Shape{1, g->value.numel()});
        dg.matrix().row(0) += (o->grad.matrix().array() * x->value.matrix().array()).colwise().sum().matrix();
      }
    });
  }
  return out;
}

// out shares x's storage;  dx += dout (viewed in x's shape)
Var reshape(Tape& tape, const Var& x, const Shape& shape) {
  Var out = make_var(x->value.reshaped(shape));
  if (tape.needs_grad({&x})) {
    tape.record(out, [x, o = out.get()] { x->grad_buffer().array() += o->grad.array(); });
  }
  return out;
}

// out = c * x;  dx += c * dout
Var scale_by_constant(Tape& tape, const Var& x, float c) {
  Var out = make_var(Tensor::empty(x->value.shape()));
  out->value.array() = c * x->value.array();
  if (tape.needs_grad({&x})) {
    tape.record(out, [x, c, o = out.get()] { x->grad_buffer().array() += c * o->grad.array(); });
  }
  return out;
}

}  // namespace trm
