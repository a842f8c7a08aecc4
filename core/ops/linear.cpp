// matmul and bias_add: the Linear layer's two halves. The GEMMs are Eigen's, run directly on the
// tensors' memory through Eigen::Map (no copies).
//
// Threads: Eigen's own OpenMP GEMM synchronises its threads on every packed panel, and on two busy
// cores that spin-waiting was half the profile. So Eigen runs single-threaded (EIGEN_DONT_PARALLELIZE,
// set for the whole core) and we split each GEMM once, by blocks of output rows or columns, one
// block per thread: one parallel region and one barrier per GEMM. Each output element is still
// reduced in the same order as with one thread, so results do not depend on the thread count.
#include <algorithm>
#include <stdexcept>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "ops/ops.h"

namespace trm {

namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr double kParallelFlops = 1 << 20;  // smaller GEMMs stay on one thread (a barrier costs more)
constexpr int64_t kAlign = 16;               // split points are multiples of this (whole SIMD panels)

// Calls body(begin, end) for contiguous slices of [0, n), one per thread, when the work is large enough.
template <typename Body>
void split(int64_t n, double flops, const Body& body) {
#ifdef _OPENMP
  const int threads = omp_get_max_threads();
  if (threads > 1 && flops >= kParallelFlops && n >= 2 * kAlign && !omp_in_parallel()) {
#pragma omp parallel num_threads(threads)
    {
      const int t = omp_get_thread_num(), nt = omp_get_num_threads();
      const int64_t per = (n / nt + kAlign - 1) / kAlign * kAlign;
      const int64_t begin = std::min(n, t * per), end = std::min(n, begin + per);
      if (begin < end) body(begin, end);
    }
    return;
  }
#endif
  (void)flops;
  body(int64_t{0}, n);
}

}  // namespace

// out[N, M] = x[N, K] @ w[M, K]^T: split over the rows of out, or (few rows) over its columns.
void gemm_xwt(Tensor& out, const Tensor& x, const Tensor& w) {
  const int64_t n = x.shape().rows(), k = x.shape().last(), m = w.shape()[0];
  const double flops = 2.0 * n * m * k;
  auto X = x.matrix();
  auto W = w.matrix();
  auto O = out.matrix();
  if (n >= 4 * kAlign) {
    split(n, flops, [&](int64_t b, int64_t e) { O.middleRows(b, e - b).noalias() = X.middleRows(b, e - b) * W.transpose(); });
  } else {
    split(m, flops, [&](int64_t b, int64_t e) {
      O.middleCols(b, e - b).noalias() = X * W.middleRows(b, e - b).transpose();
    });
  }
}

// dx[N, K] += dout[N, M] @ w[M, K]: split over the rows of dx, or (few rows) over its columns.
void gemm_dx(Tensor& dx, const Tensor& dout, const Tensor& w) {
  const int64_t n = dout.shape().rows(), m = dout.shape().last(), k = w.shape()[1];
  const double flops = 2.0 * n * m * k;
  auto D = dout.matrix();
  auto W = w.matrix();
  auto X = dx.matrix();
  if (n >= 4 * kAlign) {
    split(n, flops, [&](int64_t b, int64_t e) { X.middleRows(b, e - b).noalias() += D.middleRows(b, e - b) * W; });
  } else {
    split(k, flops, [&](int64_t b, int64_t e) { X.middleCols(b, e - b).noalias() += D * W.middleCols(b, e - b); });
  }
}

// dw[M, K] += dout[N, M]^T @ x[N, K]: split over the rows of dw (each thread reduces all N rows).
void gemm_dw(Tensor& dw, const Tensor& dout, const Tensor& x) {
  const int64_t n = dout.shape().rows(), m = dout.shape().last(), k = x.shape().last();
  const double flops = 2.0 * n * m * k;
  auto D = dout.matrix();
  auto X = x.matrix();
  auto G = dw.matrix();
  split(m, flops, [&](int64_t b, int64_t e) { G.middleRows(b, e - b).noalias() += D.middleCols(b, e - b).transpose() * X; });
}

// dx[N, K] += dout[N, M] @ w[M, K];  dw[M, K] += dout[N, M]^T @ x[N, K]
static void matmul_backward(Tensor* dx, Tensor* dw, const Tensor& dout, const Tensor& x, const Tensor& w) {
  if (dx) gemm_dx(*dx, dout, w);
  if (dw) gemm_dw(*dw, dout, x);
}

Var matmul(Tape& tape, const Var& x, const Var& w) {
  const Shape& xs = x->value.shape();
  const Shape& ws = w->value.shape();
  if (ws.rank() != 2 || xs.rank() < 1 || xs.last() != ws[1])
    throw std::invalid_argument("matmul: x " + xs.str() + " does not fit w " + ws.str());
  std::vector<int64_t> dims = xs.to_vector();
  dims.back() = ws[0];
  Var out = make_var(Tensor::empty(Shape(dims)));
  gemm_xwt(out->value, x->value, w->value);
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

namespace trm {

// out[N, M] = x[N, K] @ w[M, K]^T + b[M]: matmul and bias_add in one op (one output tensor, one node).
//   dx += dout @ w;  dw += dout^T @ x;  db += sum over rows of dout
Var linear(Tape& tape, const Var& x, const Var& w, const Var& b) {
  const Shape& xs = x->value.shape();
  const Shape& ws = w->value.shape();
  if (ws.rank() != 2 || xs.rank() < 1 || xs.last() != ws[1])
    throw std::invalid_argument("linear: x " + xs.str() + " does not fit w " + ws.str());
  if (b && (b->value.shape().rank() != 1 || b->value.numel() != ws[0]))
    throw std::invalid_argument("linear: w " + ws.str() + " does not fit bias " + b->value.shape().str());
  std::vector<int64_t> dims = xs.to_vector();
  dims.back() = ws[0];
  Var out = make_var(Tensor::empty(Shape(dims)));
  gemm_xwt(out->value, x->value, w->value);
  if (b) out->value.matrix().rowwise() += b->value.reshaped(Shape{1, ws[0]}).matrix().row(0);
  const bool bias_grad = b && b->requires_grad;
  if (tape.needs_grad({&x, &w}) || (tape.recording() && bias_grad)) {
    tape.record(out, [x, w, b, o = out.get()] {
      if (x->requires_grad) gemm_dx(x->grad_buffer(), o->grad, w->value);
      if (w->requires_grad) gemm_dw(w->grad_buffer(), o->grad, x->value);
      if (b && b->requires_grad) {
        Tensor db = b->grad_buffer().reshaped(Shape{1, b->value.numel()});
        db.matrix().row(0) += o->grad.matrix().colwise().sum();
      }
    });
  }
  return out;
}

}  // namespace trm
