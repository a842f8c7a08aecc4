// Fused elementwise ops of the recursion: fewer tensors, fewer passes over memory and fewer tape
// nodes than the same expressions built from add and the scalings.
#include <algorithm>
#include <stdexcept>

#include "ops/ops.h"
#include "ops/parallel.h"

namespace trm {

// dst += src, split across threads when large.
void accumulate(Tensor& dst, const Tensor& src) {
  float* d = dst.data();
  const float* s = src.data();
  parallel_for_range(dst.numel(), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) d[i] += s[i];
  });
}

// x's gradient += dout, or a copy of dout when it is the first contribution (Node::grad_target).
void accumulate_grad(Node& x, const Tensor& dout) {
  auto [dx, add] = x.grad_target();
  if (add) return accumulate(dx, dout);
  float* d = dx.data();
  const float* s = dout.data();
  parallel_for_range(dx.numel(), [&](int64_t begin, int64_t end) { std::copy(s + begin, s + end, d + begin); });
}

// Each input's gradient += dout, o's gradient (the inputs that need one; a node may appear twice). The first input
// with no gradient yet, and appearing once, takes dout's buffer itself (Node::adopt_grad), after the others have
// read it.
void pass_grad(Node& o, std::initializer_list<Node*> inputs) {
  Node* adopter = nullptr;
  for (Node* n : inputs)
    if (n && !n->has_grad() && std::count(inputs.begin(), inputs.end(), n) == 1) {
      adopter = n;
      break;
    }
  for (Node* n : inputs)
    if (n && n != adopter) accumulate_grad(*n, o.grad);
  if (adopter && !adopter->adopt_grad(o)) accumulate_grad(*adopter, o.grad);
}

static void require_same_shape(const char* op, const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape())
    throw std::invalid_argument(std::string(op) + ": shapes " + a.shape().str() + " and " + b.shape().str() + " differ");
}

// out = a + b + c;  da += dout; db += dout; dc += dout
Var add3(Tape& tape, const Var& a, const Var& b, const Var& c) {
  require_same_shape("add3", a->value, b->value);
  require_same_shape("add3", a->value, c->value);
  Var out = make_var(Tensor::empty(a->value.shape()));
  float* po = out->value.data();
  const float *pa = a->value.data(), *pb = b->value.data(), *pc = c->value.data();
  parallel_for_range(out->value.numel(), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) po[i] = pa[i] + pb[i] + pc[i];
  });
  if (tape.needs_grad({&a, &b, &c})) {
    tape.record(out, [a, b, c, o = out.get()] {
      auto needing = [](const Var& v) { return v->requires_grad ? v.get() : nullptr; };
      pass_grad(*o, {needing(a), needing(b), needing(c)});
    });
  }
  return out;
}

// out = x + g * r, with g a learnable scalar [1] or per-channel vector [M] (the recursion's gated residual):
//   dx += dout;  dr += g * dout;  dg += sum(dout * r) (per channel for a vector)
Var gated_add(Tape& tape, const Var& x, const Var& r, const Var& g) {
  require_same_shape("gated_add", x->value, r->value);
  const Shape& xs = x->value.shape();
  const bool scalar = g->value.numel() == 1;
  if (!scalar && (g->value.shape().rank() != 1 || g->value.numel() != xs.last()))
    throw std::invalid_argument("gated_add: x " + xs.str() + " does not fit gate " + g->value.shape().str());
  Var out = make_var(Tensor::empty(xs));
  if (scalar) {
    float* po = out->value.data();
    const float *px = x->value.data(), *pr = r->value.data(), gate = g->value[0];
    parallel_for_range(out->value.numel(), [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) po[i] = px[i] + gate * pr[i];
    });
  } else {
    const Tensor gr = g->value.reshaped(Shape{1, xs.last()});
    out->value.matrix().array() =
        x->value.matrix().array() + r->value.matrix().array().rowwise() * gr.matrix().row(0).array();
  }
  if (tape.needs_grad({&x, &r, &g})) {
    tape.record(out, [x, r, g, scalar, o = out.get()] {
      if (scalar) {
        if (r->requires_grad) r->grad_buffer().array() += g->value[0] * o->grad.array();
        if (g->requires_grad) g->grad_buffer()[0] += (o->grad.array() * r->value.array()).sum();
      } else {
        const Tensor gr = g->value.reshaped(Shape{1, g->value.numel()});
        if (r->requires_grad)
          r->grad_buffer().matrix().array() += o->grad.matrix().array().rowwise() * gr.matrix().row(0).array();
        if (g->requires_grad) {
          Tensor dg = g->grad_buffer().reshaped(Shape{1, g->value.numel()});
          dg.matrix().row(0) += (o->grad.matrix().array() * r->value.matrix().array()).colwise().sum().matrix();
        }
      }
      // x last: it may take dout's buffer itself (Node::adopt_grad)
      if (x->requires_grad && !x->adopt_grad(*o)) accumulate_grad(*x, o->grad);
    });
  }
  return out;
}

}  // namespace trm
