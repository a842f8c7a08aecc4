// unit_mix: the cell block's mixing layer, linear(unit_means(x), w, b), computed on the 27 unit means instead of
// the 81 cells. Every cell of a row sees the same row mean, so W_row * mean is the same vector for all nine of
// them: multiply each unit's mean once ([27, d] @ [d, d] per kind instead of [81, 3d] @ [3d, d], 9 times fewer
// multiply-adds) and add each cell's three products. Same function as the unfused pair; only the rounding differs.
//
//   w [d, 3d] = [W_row | W_col | W_box] (Linear's layout: columns kd..(k+1)d read unit kind k's mean)
//   means[k, b*9 + i, :]  = mean of x[b, cells of unit i of kind k, :]        [3, B*9, d]
//   products[k, b*9 + i]  = W_k means[k, b*9 + i]                             [3, B*9, d]
//   out[b, c]             = b + products[row(c)] + products[col(c)] + products[box(c)]
#include <stdexcept>
#include <vector>

#include "ops/ops.h"
#include "sudoku/grid.h"

namespace trm {

namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<Matrix>;
using ConstMatrixMap = Eigen::Map<const Matrix>;

// The unit of kind k (0 row, 1 column, 2 box) that holds each cell.
struct CellUnitIndex {
  int of[3][81];
  CellUnitIndex() {
    for (int c = 0; c < 81; ++c) of[0][c] = c / 9, of[1][c] = c % 9, of[2][c] = sudoku::box_of(c);
  }
};
const CellUnitIndex& cell_unit_index() {
  static const CellUnitIndex index;
  return index;
}

// sums[k, b*9 + u, :] = scale * sum of x[b, c, :] over the cells c of unit u of kind k.   x [B, 81, d]
void pool_units(float* sums, const float* x, int64_t batch, int64_t d, float scale) {
  const CellUnitIndex& index = cell_unit_index();
  const int64_t kind_stride = batch * 9 * d;
  std::fill(sums, sums + 3 * kind_stride, 0.0f);
#pragma omp parallel for schedule(static) if (batch * d > 4096)
  for (int64_t b = 0; b < batch; ++b) {
    const float* xb = x + b * 81 * d;
    for (int c = 0; c < 81; ++c) {
      const float* xc = xb + c * d;
      float* r = sums + (b * 9 + index.of[0][c]) * d;
      float* k = sums + kind_stride + (b * 9 + index.of[1][c]) * d;
      float* q = sums + 2 * kind_stride + (b * 9 + index.of[2][c]) * d;
      for (int64_t i = 0; i < d; ++i) r[i] += xc[i], k[i] += xc[i], q[i] += xc[i];
    }
    for (int k = 0; k < 3; ++k)
      for (int64_t i = 0; i < 9 * d; ++i) sums[k * kind_stride + b * 9 * d + i] *= scale;
  }
}

// out[b, c, :] (=|+=) residual[b, c, :] + v,  v = scale * (units[0, b*9 + row(c)] + units[1, b*9 + col(c)] +
// units[2, b*9 + box(c)]) + bias;  residual and bias may be null. The sums are in the order of the unfused ops:
// out + residual first (add's backward, then this op's), then v (add(residual, v) in the forward).
void spread_units(float* out, const float* units, const float* bias, const float* residual, int64_t batch, int64_t d,
                  float scale, bool accumulate) {
  const CellUnitIndex& index = cell_unit_index();
  const int64_t kind_stride = batch * 9 * d;
#pragma omp parallel for schedule(static) if (batch * d > 4096)
  for (int64_t b = 0; b < batch; ++b)
    for (int c = 0; c < 81; ++c) {
      const float* r = units + (b * 9 + index.of[0][c]) * d;
      const float* k = units + kind_stride + (b * 9 + index.of[1][c]) * d;
      const float* q = units + 2 * kind_stride + (b * 9 + index.of[2][c]) * d;
      float* o = out + (b * 81 + c) * d;
      const float* res = residual ? residual + (b * 81 + c) * d : nullptr;
      for (int64_t i = 0; i < d; ++i) {
        const float v = scale * (r[i] + k[i] + q[i]) + (bias ? bias[i] : 0.0f);
        if (res) o[i] = (accumulate ? o[i] + res[i] : res[i]) + v;
        else o[i] = accumulate ? o[i] + v : v;
      }
    }
}

}  // namespace

Var unit_mix(Tape& tape, const Var& x, const Var& w, const Var& b, bool residual) {
  const Shape& xs = x->value.shape();
  if (xs.rank() != 3 || xs[1] != 81) throw std::invalid_argument("unit_mix: expected x [B, 81, d], got " + xs.str());
  const int64_t batch = xs[0], d = xs[2];
  if (w->value.shape() != Shape{d, 3 * d})
    throw std::invalid_argument("unit_mix: expected w [" + std::to_string(d) + ", " + std::to_string(3 * d) + "], got " +
                                w->value.shape().str());
  if (b && b->value.shape() != Shape{d})
    throw std::invalid_argument("unit_mix: expected b [" + std::to_string(d) + "], got " + b->value.shape().str());
  const int64_t rows = batch * 9;
  auto means = std::make_shared<std::vector<float>>(static_cast<size_t>(3 * rows * d));  // [3, B*9, d]
  pool_units(means->data(), x->value.data(), batch, d, 1.0f / 9.0f);
  std::vector<float> products(means->size());  // [3, B*9, d]
#if TRM_TILED_GEMM
  // The WebAssembly build: the core's register-tiled kernel (ops/linear.cpp), reading W_k in place as a block of
  // w's columns; Eigen's GEMM spends more on packing than on these small products there.
  for (int k = 0; k < 3; ++k)
    gemm_xwt_tiled(products.data() + k * rows * d, means->data() + k * rows * d, w->value.data() + k * d, rows, d, d,
                   3 * d, nullptr);
#else
  const ConstMatrixMap W(w->value.data(), d, 3 * d);
  for (int k = 0; k < 3; ++k) {
    MatrixMap P(products.data() + k * rows * d, rows, d);
    P.noalias() = ConstMatrixMap(means->data() + k * rows * d, rows, d) * W.middleCols(k * d, d).transpose();
  }
#endif
  Var out = make_var(Tensor::empty(xs));
  spread_units(out->value.data(), products.data(), b ? b->value.data() : nullptr, residual ? x->value.data() : nullptr,
               batch, d, 1.0f, false);
  const bool bias_grad = b && b->requires_grad;
  if (tape.needs_grad({&x, &w}) || (tape.recording() && bias_grad)) {
    tape.record(out, [x, w, b, residual, means, batch, d, rows, o = out.get()] {
      const float* dout = o->grad.data();  // [B, 81, d]
      if (b && b->requires_grad) {
        float* db = b->grad_buffer().data();
        for (int64_t r = 0; r < batch * 81; ++r)
          for (int64_t i = 0; i < d; ++i) db[i] += dout[r * d + i];
      }
      // d products[k, u] = sum of dout over the cells of unit u (the adjoint of spread_units).
      std::vector<float> dproducts(static_cast<size_t>(3 * rows * d));  // [3, B*9, d]
      pool_units(dproducts.data(), dout, batch, d, 1.0f);
      if (w->requires_grad) {
        MatrixMap dW(w->grad_buffer().data(), d, 3 * d);
        for (int k = 0; k < 3; ++k)
          dW.middleCols(k * d, d).noalias() += ConstMatrixMap(dproducts.data() + k * rows * d, rows, d).transpose() *
                                               ConstMatrixMap(means->data() + k * rows * d, rows, d);
      }
      if (x->requires_grad) {
        const ConstMatrixMap weight(w->value.data(), d, 3 * d);
        std::vector<float> dmeans(dproducts.size());  // [3, B*9, d]
        for (int k = 0; k < 3; ++k)
          MatrixMap(dmeans.data() + k * rows * d, rows, d).noalias() =
              ConstMatrixMap(dproducts.data() + k * rows * d, rows, d) * weight.middleCols(k * d, d);
        // d x[b, c] = (d means[row(c)] + d means[col(c)] + d means[box(c)]) / 9 (the adjoint of pool_units),
        // + dout for the residual: in dout's own buffer when x can take it (Node::adopt_grad; dout is read above).
        if (residual && x->adopt_grad(*o)) {
          spread_units(x->grad.data(), dmeans.data(), nullptr, x->grad.data(), batch, d, 1.0f / 9.0f, false);
        } else {
          auto [dx, accumulate] = x->grad_target();
          spread_units(dx.data(), dmeans.data(), nullptr, residual ? dout : nullptr, batch, d, 1.0f / 9.0f, accumulate);
        }
      }
    });
  }
  return out;
}

}  // namespace trm
