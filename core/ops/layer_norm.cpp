// LayerNorm over the last axis with affine parameters, as torch.nn.LayerNorm (biased variance).
#include <cmath>
#include <stdexcept>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#include "ops/ops.h"

namespace trm {

// out[N, C] = (x - mean) * rstd * w + b;  saves mean[N], rstd[N] for backward.
static void layer_norm_forward(float* out, float* mean, float* rstd, const float* x, const float* w, const float* b,
                               int64_t rows, int64_t cols) {
#pragma omp parallel for schedule(static) if (rows * cols > 32768)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* outr = out + r * cols;
#ifdef __wasm_simd128__
    // The WebAssembly build: the same sums in double, two lanes at a time (a float and the square of a float's
    // difference are exact in double, so the order barely matters), and the same float expression per element.
    if (cols % 4 == 0) {
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
      mean[r] = m;
      rstd[r] = s;
      continue;
    }
#endif
    double sum = 0.0;
    for (int64_t c = 0; c < cols; ++c) sum += xr[c];
    const float m = static_cast<float>(sum / static_cast<double>(cols));
    double sq = 0.0;
    for (int64_t c = 0; c < cols; ++c) {
      const float d = xr[c] - m;
      sq += static_cast<double>(d) * d;
    }
    const float s = 1.0f / std::sqrt(static_cast<float>(sq / static_cast<double>(cols)) + kLayerNormEps);
    for (int64_t c = 0; c < cols; ++c) outr[c] = (xr[c] - m) * s * w[c] + b[c];
    mean[r] = m;
    rstd[r] = s;
  }
}

// With xhat = (x - mean) * rstd and g = dout * w:
//   dx += rstd * (g - mean(g) - xhat * mean(g * xhat));  dw += sum_rows dout * xhat;  db += sum_rows dout
// (dx = ... instead when not accumulate_dx).
static void layer_norm_backward(float* dx, bool accumulate_dx, float* dw, float* db, const float* dout, const float* x,
                                const float* w, const float* mean, const float* rstd, int64_t rows, int64_t cols) {
  if (dx) {
#pragma omp parallel for schedule(static) if (rows * cols > 32768)
    for (int64_t r = 0; r < rows; ++r) {
      const float* xr = x + r * cols;
      const float* gr = dout + r * cols;
      float* dxr = dx + r * cols;
      double g_mean = 0.0, gx_mean = 0.0;
      for (int64_t c = 0; c < cols; ++c) {
        const float g = gr[c] * w[c];
        g_mean += g;
        gx_mean += static_cast<double>(g) * (xr[c] - mean[r]) * rstd[r];
      }
      const auto inv = 1.0 / static_cast<double>(cols);
      const auto gm = static_cast<float>(g_mean * inv), gxm = static_cast<float>(gx_mean * inv);
      for (int64_t c = 0; c < cols; ++c) {
        const float xhat = (xr[c] - mean[r]) * rstd[r];
        const float v = rstd[r] * (gr[c] * w[c] - gm - xhat * gxm);
        dxr[c] = accumulate_dx ? dxr[c] + v : v;
      }
    }
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    const float* gr = dout + r * cols;
    for (int64_t c = 0; c < cols; ++c) {
      if (dw) dw[c] += gr[c] * (xr[c] - mean[r]) * rstd[r];
      if (db) db[c] += gr[c];
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
