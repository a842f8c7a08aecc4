// LayerNorm over the last axis with affine parameters, as torch.nn.LayerNorm (biased variance).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#include "ops/ops.h"

namespace trm {

// Rows are normalised kRowGroup at a time. Each row's sums run in double, column by column, and one row's chain of
// dependent double adds (cols long) leaves their latency exposed; the rows of a group are independent chains that
// overlap. Every row is reduced in the same order as alone, so the same bits, whatever the grouping or the threads.
constexpr int64_t kRowGroup = 4;

// out[R, C] = (x - mean) * rstd * w + b for R rows;  mean[R], rstd[R]
template <int R>
static void normalize_rows(float* out, float* mean, float* rstd, const float* x, const float* w, const float* b,
                           int64_t cols) {
  double sum[R] = {};
  for (int64_t c = 0; c < cols; ++c)
    for (int i = 0; i < R; ++i) sum[i] += x[i * cols + c];
  float m[R], s[R];
  for (int i = 0; i < R; ++i) m[i] = static_cast<float>(sum[i] / static_cast<double>(cols));
  double sq[R] = {};
  for (int64_t c = 0; c < cols; ++c)
    for (int i = 0; i < R; ++i) {
      const float d = x[i * cols + c] - m[i];
      sq[i] += static_cast<double>(d) * d;
    }
  for (int i = 0; i < R; ++i) s[i] = 1.0f / std::sqrt(static_cast<float>(sq[i] / static_cast<double>(cols)) + kLayerNormEps);
  for (int i = 0; i < R; ++i) {
    const float* xr = x + i * cols;
    float* outr = out + i * cols;
    for (int64_t c = 0; c < cols; ++c) outr[c] = (xr[c] - m[i]) * s[i] * w[c] + b[c];
    mean[i] = m[i];
    rstd[i] = s[i];
  }
}

#ifdef __wasm_simd128__
// The WebAssembly build, one row (cols a multiple of 4): the same sums in double, two lanes at a time (a float and
// the square of a float's difference are exact in double, so the order barely matters), and the same float
// expression per element.
static void normalize_row_simd(float* outr, float* mean, float* rstd, const float* xr, const float* w, const float* b,
                               int64_t cols) {
  const auto add_promoted = [](v128_t acc, v128_t v) {  // acc (f64x2) += the four floats of v
    return wasm_f64x2_add(wasm_f64x2_add(acc, wasm_f64x2_promote_low_f32x4(v)),
                          wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)));
  };
  v128_t acc = wasm_f64x2_splat(0.0);
  for (int64_t c = 0; c < cols; c += 4) acc = add_promoted(acc, wasm_v128_load(xr + c));
  const double sum = wasm_f64x2_extract_lane(acc, 0) + wasm_f64x2_extract_lane(acc, 1);
  const float m = static_cast<float>(sum / static_cast<double>(cols));
  const v128_t mv = wasm_f32x4_splat(m);
  v128_t sq_lo = wasm_f64x2_splat(0.0), sq_hi = sq_lo;
  for (int64_t c = 0; c < cols; c += 4) {
    const v128_t d = wasm_f32x4_sub(wasm_v128_load(xr + c), mv);
    const v128_t lo = wasm_f64x2_promote_low_f32x4(d), hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(d, d, 2, 3, 0, 1));
    sq_lo = wasm_f64x2_add(sq_lo, wasm_f64x2_mul(lo, lo));
    sq_hi = wasm_f64x2_add(sq_hi, wasm_f64x2_mul(hi, hi));
  }
  const v128_t sq2 = wasm_f64x2_add(sq_lo, sq_hi);
  const double sq = wasm_f64x2_extract_lane(sq2, 0) + wasm_f64x2_extract_lane(sq2, 1);
  const float s = 1.0f / std::sqrt(static_cast<float>(sq / static_cast<double>(cols)) + kLayerNormEps);
  const v128_t sv = wasm_f32x4_splat(s);
  for (int64_t c = 0; c < cols; c += 4) {
    const v128_t v = wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + c), mv), sv), wasm_v128_load(w + c));
    wasm_v128_store(outr + c, wasm_f32x4_add(v, wasm_v128_load(b + c)));
  }
  *mean = m;
  *rstd = s;
}
#endif

// out[N, C] = (x - mean) * rstd * w + b;  saves mean[N], rstd[N] for backward.
static void layer_norm_forward(float* out, float* mean, float* rstd, const float* x, const float* w, const float* b,
                               int64_t rows, int64_t cols) {
  const int64_t groups = (rows + kRowGroup - 1) / kRowGroup;
#pragma omp parallel for schedule(static) if (rows * cols > 32768)
  for (int64_t g = 0; g < groups; ++g) {
    const int64_t r0 = g * kRowGroup, r1 = std::min(rows, r0 + kRowGroup);
#ifdef __wasm_simd128__
    if (cols % 4 == 0) {
      for (int64_t r = r0; r < r1; ++r) normalize_row_simd(out + r * cols, mean + r, rstd + r, x + r * cols, w, b, cols);
      continue;
    }
#endif
    if (r1 - r0 == kRowGroup) {
      normalize_rows<kRowGroup>(out + r0 * cols, mean + r0, rstd + r0, x + r0 * cols, w, b, cols);
    } else {
      for (int64_t r = r0; r < r1; ++r) normalize_rows<1>(out + r * cols, mean + r, rstd + r, x + r * cols, w, b, cols);
    }
  }
}

// With xhat = (x - mean) * rstd and g = dout * w, for R rows:
//   dx (+)= rstd * (g - mean(g) - xhat * mean(g * xhat))   (= when not accumulate)
template <int R>
static void layer_norm_dx_rows(float* dx, bool accumulate, const float* dout, const float* x, const float* w,
                               const float* mean, const float* rstd, int64_t cols) {
  double g_sum[R] = {}, gx_sum[R] = {};
  for (int64_t c = 0; c < cols; ++c)
    for (int i = 0; i < R; ++i) {
      const float g = dout[i * cols + c] * w[c];
      g_sum[i] += g;
      gx_sum[i] += static_cast<double>(g) * (x[i * cols + c] - mean[i]) * rstd[i];
    }
  const auto inv = 1.0 / static_cast<double>(cols);
  for (int i = 0; i < R; ++i) {
    const auto gm = static_cast<float>(g_sum[i] * inv), gxm = static_cast<float>(gx_sum[i] * inv);
    const float *xr = x + i * cols, *gr = dout + i * cols;
    float* dxr = dx + i * cols;
    const float m = mean[i], s = rstd[i];
    for (int64_t c = 0; c < cols; ++c) {
      const float xhat = (xr[c] - m) * s;
      const float v = s * (gr[c] * w[c] - gm - xhat * gxm);
      dxr[c] = accumulate ? dxr[c] + v : v;
    }
  }
}

// dx (+)= as layer_norm_dx_rows;  dw += sum_rows dout * xhat;  db += sum_rows dout
static void layer_norm_backward(float* dx, bool accumulate_dx, float* dw, float* db, const float* dout, const float* x,
                                const float* w, const float* mean, const float* rstd, int64_t rows, int64_t cols) {
  if (dx) {
    const int64_t groups = (rows + kRowGroup - 1) / kRowGroup;
#pragma omp parallel for schedule(static) if (rows * cols > 32768)
    for (int64_t g = 0; g < groups; ++g) {
      const int64_t r0 = g * kRowGroup, r1 = std::min(rows, r0 + kRowGroup);
      if (r1 - r0 == kRowGroup) {
        layer_norm_dx_rows<kRowGroup>(dx + r0 * cols, accumulate_dx, dout + r0 * cols, x + r0 * cols, w, mean + r0,
                                      rstd + r0, cols);
      } else {
        for (int64_t r = r0; r < r1; ++r)
          layer_norm_dx_rows<1>(dx + r * cols, accumulate_dx, dout + r * cols, x + r * cols, w, mean + r, rstd + r, cols);
      }
    }
  }
  // Each column summed over the rows in order.
  if (dw) {
    for (int64_t r = 0; r < rows; ++r) {
      const float *xr = x + r * cols, *gr = dout + r * cols;
      const float m = mean[r], s = rstd[r];
      for (int64_t c = 0; c < cols; ++c) dw[c] += gr[c] * (xr[c] - m) * s;
    }
  }
  if (db) {
    for (int64_t r = 0; r < rows; ++r) {
      const float* gr = dout + r * cols;
      for (int64_t c = 0; c < cols; ++c) db[c] += gr[c];
    }
  }
}

Var layer_norm(Tape& tape, const Var& x, const Var& weight, const Var& bias) {
  const Shape& xs = x->value.shape();
  const int64_t cols = xs.last(), rows = xs.rows();
  if (weight->value.numel() != cols || bias->value.numel() != cols)
    throw std::invalid_argument("layer_norm: x " + xs.str() + " does not fit weight " + weight->value.shape().str() +
                                " / bias " + bias->value.shape().str());
  Var out = make_var(Tensor::empty(xs));
  Tensor mean = Tensor::empty(Shape{rows}), rstd = Tensor::empty(Shape{rows});
  layer_norm_forward(out->value.data(), mean.data(), rstd.data(), x->value.data(), weight->value.data(),
                     bias->value.data(), rows, cols);
  if (tape.needs_grad({&x, &weight, &bias})) {
    tape.record(out, [x, weight, bias, mean, rstd, rows, cols, o = out.get()] {
      float* dx = nullptr;
      bool accumulate_dx = false;
      if (x->requires_grad) {
        auto target = x->grad_target();
        dx = target.buffer.data(), accumulate_dx = target.accumulate;
      }
      layer_norm_backward(dx, accumulate_dx, weight->requires_grad ? weight->grad_buffer().data() : nullptr,
                          bias->requires_grad ? bias->grad_buffer().data() : nullptr, o->grad.data(), x->value.data(),
                          weight->value.data(), mean.data(), rstd.data(), rows, cols);
    });
  }
  return out;
}

}  // namespace trm
