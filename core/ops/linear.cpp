// matmul and bias_add: the Linear layer's two halves. The GEMMs are Eigen's, run directly on the
// tensors' memory through Eigen::Map (no copies); Eigen uses OpenMP threads when enabled.
#include <stdexcept>

#include "ops/ops.h"

namespace trm {

// out[N, M] = x[N, K] @ w[M, K]^T
static void matmul_forward(Tensor& out, const Tensor& x, const Tensor& w) {
  out.matrix().noalias() = x.matrix() * w.matrix().transpose();
}
// dx[N, K] += dout[N, M] @ w[M, K];  dw[M, K] += dout[N, M]^T @ x[N, K]
static void matmul_backward(Tensor* dx, Tensor* dw, const Tensor& dout, const Tensor& x, const Tensor& w) {
  if (dx) dx->matrix().noalias() += dout.matrix() * w.matrix();
  if (dw) dw->matrix().noalias() += dout.matrix().transpose() * x.matrix();
}

Var matmul(Tape& tape, const Var& x, const Var& w) {
  const Shape& xs = x->value.shape();
  const Shape& ws = w->value.shape();
  if (ws.rank() != 2 || xs.rank() < 1 || xs.last() != ws[1])
    throw std::invalid_argument("matmul: x " + xs.str() + " does not fit w " + ws.str());
  std::vector<int64_t> dims = xs.to_vector();
  dims.back() = ws[0];
  Var out = make_var(Tensor::empty(Shape(dims)));
  matmul_forward(out->value, x->value, w->value);
  if (tape.needs_grad({&x, &w})) {
    tape.record(out, [x, w, o = out.get()] {
      matmul_backward(x->requires_grad ? &x->grad_buffer() : nullptr, w->requires_grad ? &w->grad_buffer() : nullptr,
                      o->grad, x->value, w->value);
    });
  }
  return out;
}

// out[N, M] = x[N, M] + b[M]
static void bias_add_forward(Tensor& out, const Tensor& x, const Tensor& b) {
  out.matrix().noalias() = x.matrix();
  out.matrix().rowwise() += b.matrix().row(0);
}
// dx += dout;  db[M] += sum over rows of dout
static void bias_add_backward(Tensor* dx, Tensor* db, const Tensor& dout) {
  if (dx) dx->array() += dout.array();
  if (db) db->matrix().row(0) += dout.matrix().colwise().sum();
}

Var bias_add(Tape& tape, const Var& x, const Var& b) {
  const Shape& xs = x->value.shape();
  if (b->value.shape().rank() != 1 || b->value.numel() != xs.last())
    throw std::invalid_argument("bias_add: x " + xs.str() + " does not fit bias " + b->value.shape().str());
  Var out = make_var(Tensor::empty(xs));
  Tensor b_row = b->value.reshaped(Shape{1, xs.last()});
  bias_add_forward(out->value, x->value, b_row);
  if (tape.needs_grad({&x, &b})) {
    tape.record(out, [x, b, o = out.get()] {
      Tensor db_row;
      if (b->requires_grad) db_row = b->grad_buffer().reshaped(Shape{1, b->value.numel()});
      bias_add_backward(x->requires_grad ? &x->grad_buffer() : nullptr, b->requires_grad ? &db_row : nullptr, o->grad);
    });
  }
  return out;
}

}  // namespace trm
