// Sudoku-structured mixing: every cell sees the mean of its row, column or box. The op is its own
// adjoint (out = M x with M symmetric), so backward applies the same averaging to the gradient.
#include <stdexcept>

#include "ops/ops.h"
#include "sudoku/grid.h"

namespace trm {

namespace {

int unit_of(int cell, SudokuUnit unit) {
  const int row = cell / 9, col = cell % 9;
  switch (unit) {
    case SudokuUnit::Row: return row;
    case SudokuUnit::Column: return col;
    case SudokuUnit::Box: return sudoku::box_of(cell);
  }
  return 0;
}

// out[b, c, :] (+)= 1/9 * sum over cells c' in c's unit of x[b, c', :]
void unit_mean_apply(float* out, const float* x, int64_t batch, int64_t d, SudokuUnit unit, bool accumulate) {
#pragma omp parallel for schedule(static) if (batch * d > 4096)
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<float> sums(static_cast<size_t>(9 * d), 0.0f);  // [9 units, d]
    const float* xb = x + b * 81 * d;
    for (int c = 0; c < 81; ++c) {
      float* s = sums.data() + unit_of(c, unit) * d;
      for (int64_t k = 0; k < d; ++k) s[k] += xb[c * d + k];
    }
    float* ob = out + b * 81 * d;
    for (int c = 0; c < 81; ++c) {
      const float* s = sums.data() + unit_of(c, unit) * d;
      for (int64_t k = 0; k < d; ++k) {
        const float mean = s[k] * (1.0f / 9.0f);
        ob[c * d + k] = accumulate ? ob[c * d + k] + mean : mean;
      }
    }
  }
}

// out[b, c, 0:d] = row mean, [d:2d] = column mean, [2d:3d] = box mean of x [B, 81, d] at cell c.
void unit_means_forward(float* out, const float* x, int64_t batch, int64_t d) {
#pragma omp parallel for schedule(static) if (batch * d > 4096)
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<float> sums(static_cast<size_t>(27 * d), 0.0f);  // [3 kinds, 9 units, d]
    const float* xb = x + b * 81 * d;
    for (int c = 0; c < 81; ++c) {
      const float* xc = xb + c * d;
      float* r = sums.data() + unit_of(c, SudokuUnit::Row) * d;
      float* k = sums.data() + (9 + unit_of(c, SudokuUnit::Column)) * d;
      float* q = sums.data() + (18 + unit_of(c, SudokuUnit::Box)) * d;
      for (int64_t i = 0; i < d; ++i) {
        r[i] += xc[i];
        k[i] += xc[i];
        q[i] += xc[i];
      }
    }
    float* ob = out + b * 81 * 3 * d;
    for (int c = 0; c < 81; ++c) {
      const float* r = sums.data() + unit_of(c, SudokuUnit::Row) * d;
      const float* k = sums.data() + (9 + unit_of(c, SudokuUnit::Column)) * d;
      const float* q = sums.data() + (18 + unit_of(c, SudokuUnit::Box)) * d;
      float* oc = ob + c * 3 * d;
      for (int64_t i = 0; i < d; ++i) {
        oc[i] = r[i] * (1.0f / 9.0f);
        oc[d + i] = k[i] * (1.0f / 9.0f);
        oc[2 * d + i] = q[i] * (1.0f / 9.0f);
      }
    }
  }
}

// dx[b, c] += box mean of dout[.., 2d:3d] + column mean of dout[.., d:2d] + row mean of dout[.., 0:d]
// (the op is symmetric: each third is its own adjoint).
void unit_means_backward(float* dx, const float* dout, int64_t batch, int64_t d) {
#pragma omp parallel for schedule(static) if (batch * d > 4096)
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<float> sums(static_cast<size_t>(27 * d), 0.0f);
    const float* gb = dout + b * 81 * 3 * d;
    for (int c = 0; c < 81; ++c) {
      const float* gc = gb + c * 3 * d;
      float* r = sums.data() + unit_of(c, SudokuUnit::Row) * d;
      float* k = sums.data() + (9 + unit_of(c, SudokuUnit::Column)) * d;
      float* q = sums.data() + (18 + unit_of(c, SudokuUnit::Box)) * d;
      for (int64_t i = 0; i < d; ++i) {
        r[i] += gc[i];
        k[i] += gc[d + i];
        q[i] += gc[2 * d + i];
      }
    }
    float* db = dx + b * 81 * d;
    for (int c = 0; c < 81; ++c) {
      const float* r = sums.data() + unit_of(c, SudokuUnit::Row) * d;
      const float* k = sums.data() + (9 + unit_of(c, SudokuUnit::Column)) * d;
      const float* q = sums.data() + (18 + unit_of(c, SudokuUnit::Box)) * d;
      float* dc = db + c * d;
      for (int64_t i = 0; i < d; ++i) {
        dc[i] += q[i] * (1.0f / 9.0f);
        dc[i] += k[i] * (1.0f / 9.0f);
        dc[i] += r[i] * (1.0f / 9.0f);
      }
    }
  }
}

}  // namespace

Var unit_means(Tape& tape, const Var& x) {
  const Shape& xs = x->value.shape();
  if (xs.rank() != 3 || xs[1] != 81) throw std::invalid_argument("unit_means: expected [B, 81, d], got " + xs.str());
  Var out = make_var(Tensor::empty(Shape{xs[0], 81, 3 * xs[2]}));
  unit_means_forward(out->value.data(), x->value.data(), xs[0], xs[2]);
  if (tape.needs_grad({&x})) {
    tape.record(out, [x, o = out.get()] {
      const Shape& s = x->value.shape();
      unit_means_backward(x->grad_buffer().data(), o->grad.data(), s[0], s[2]);
    });
  }
  return out;
}

Var unit_mean(Tape& tape, const Var& x, SudokuUnit unit) {
  const Shape& xs = x->value.shape();
  if (xs.rank() != 3 || xs[1] != 81) throw std::invalid_argument("unit_mean: expected [B, 81, d], got " + xs.str());
  Var out = make_var(Tensor::empty(xs));
  unit_mean_apply(out->value.data(), x->value.data(), xs[0], xs[2], unit, false);
  if (tape.needs_grad({&x})) {
    tape.record(out, [x, unit, o = out.get()] {
      const Shape& s = x->value.shape();
      unit_mean_apply(x->grad_buffer().data(), o->grad.data(), s[0], s[2], unit, true);
    });
  }
  return out;
}

}  // namespace trm
