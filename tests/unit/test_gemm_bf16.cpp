// The bf16 matrix products (ops/precision.h, ops/gemm_bf16.cpp).
//
// The kernel is checked exactly where exactness is defined: against a double-precision product of the operands
// rounded to bf16 (round_to_bf16), which leaves only float32 summation error. The training path is checked against
// the float32 path, whose gradients the finite-difference tests check: bf16 keeps 8 significant bits (a relative
// rounding of at most 2^-9 = 0.2% per operand), so one step's gradient may differ from float32's by about that much
// per product, compounded through the recursion. The stated tolerance: the whole gradient within 3% of float32's
// (normwise) and pointing the same way (cosine >= 0.999), the loss within 0.5%.
// Without AVX512-BF16 on this CPU only the refusal is tested (the kernel cannot run); the test says so.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <vector>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "model/trm.h"
#include "ops/ops.h"
#include "ops/precision.h"
#include "optim/adamw.h"
#include "test_support.h"
#include "train/train_step.h"
#include "util/rng.h"

using namespace trm;

namespace {

bool cpu_has_bf16() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  return __builtin_cpu_supports("avx512bf16");
#else
  return false;
#endif
}

bool bf16_runs() { return bf16_matmul_compiled() && cpu_has_bf16(); }
// Ends a test case early, saying why, on a machine or build without the bf16 kernel.
#define RETURN_UNLESS_BF16_RUNS()                                      \
  do {                                                                 \
    if (!bf16_runs()) {                                                \
      WARN("no AVX512-BF16 here: the bf16 kernel is not run");         \
      return;                                                          \
    }                                                                  \
  } while (0)

// Sets the precision for one scope, back to fp32 after (also when a REQUIRE throws).
struct PrecisionScope {
  explicit PrecisionScope(MatmulPrecision p) { set_matmul_precision(p, cpu_has_bf16()); }
  ~PrecisionScope() { set_matmul_precision(MatmulPrecision::fp32, false); }
};

Tensor random_matrix(int64_t rows, int64_t cols, Rng& rng) {
  Tensor t = Tensor::empty(Shape{rows, cols});
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = rng.uniform(-1.0f, 1.0f);
  return t;
}

// |got - want| within float32 summation error of a sum of `depth` products of size <= 1.
void require_close(const Tensor& got, const std::vector<double>& want, int64_t depth) {
  REQUIRE(static_cast<size_t>(got.numel()) == want.size());
  for (int64_t i = 0; i < got.numel(); ++i) {
    REQUIRE(std::isfinite(got.data()[i]));
    REQUIRE(std::abs(got.data()[i] - want[static_cast<size_t>(i)]) <= 2e-6 * (1.0 + static_cast<double>(depth)));
  }
}

struct Case { int64_t n, k, m; };
// Every tail: rows not a multiple of the 4-row tile (and few enough to split by columns), columns not a multiple of
// 16 or of the 64-column tile, odd depth, depth 1, the flat and cell-wise models' shapes.
const Case kCases[] = {{3, 1, 1},    {5, 3, 17},    {7, 33, 65},    {33, 17, 31},  {64, 512, 2048},
                       {64, 2048, 512}, {162, 64, 256}, {162, 256, 64}, {130, 9, 70}, {40, 100, 16}};

}  // namespace

TEST_CASE("bf16: refused where there is no kernel or no CPU support, by name", "[gemm][bf16]") {
  REQUIRE_THROWS_WITH(set_matmul_precision(MatmulPrecision::bf16, false),
                      bf16_matmul_compiled() ? Catch::Contains("AVX512-BF16") : Catch::Contains("no bf16 kernel"));
  REQUIRE(matmul_precision() == MatmulPrecision::fp32);
  REQUIRE_THROWS_WITH(parse_precision("fp16"), Catch::Contains("\"fp16\"") && Catch::Contains("fp32, bf16"));
  REQUIRE(parse_precision("bf16") == MatmulPrecision::bf16);
  REQUIRE(precision_name(parse_precision("fp32")) == "fp32");
}

TEST_CASE("bf16: round_to_bf16 rounds to nearest even on 8 significant bits", "[gemm][bf16]") {
  REQUIRE(round_to_bf16(1.0f) == 1.0f);
  REQUIRE(round_to_bf16(1.0f + 1.0f / 256) == 1.0f);                 // halfway: to even (1.0)
  REQUIRE(round_to_bf16(1.0f + 3.0f / 256) == 1.0f + 4.0f / 256);    // halfway: to even (1 + 2/128)
  REQUIRE(round_to_bf16(1.0f + 1.5f / 256) == 1.0f + 2.0f / 256);    // above halfway: up
  REQUIRE(round_to_bf16(-3.0f) == -3.0f);
  REQUIRE(std::isnan(round_to_bf16(NAN)));
}

TEST_CASE("bf16: gemm_xwt, gemm_dx and gemm_dw equal the double product of bf16-rounded operands", "[gemm][bf16]") {
  RETURN_UNLESS_BF16_RUNS();
  PrecisionScope scope(MatmulPrecision::bf16);
  Rng rng(21);
  auto r = [](float v) { return static_cast<double>(round_to_bf16(v)); };
  for (const Case& c : kCases) {
    CAPTURE(c.n, c.k, c.m);
    const Tensor x = random_matrix(c.n, c.k, rng), w = random_matrix(c.m, c.k, rng), dy = random_matrix(c.n, c.m, rng);
    const float* px = x.data();
    const float* pw = w.data();
    const float* pd = dy.data();
    // out[N, M] = x w^T
    Tensor out = Tensor::full(Shape{c.n, c.m}, NAN);  // every element must be written
    gemm_xwt(out, x, w);
    std::vector<double> want(static_cast<size_t>(c.n * c.m));
    for (int64_t i = 0; i < c.n; ++i)
      for (int64_t j = 0; j < c.m; ++j) {
        double s = 0;
        for (int64_t k = 0; k < c.k; ++k) s += r(px[i * c.k + k]) * r(pw[j * c.k + k]);
        want[static_cast<size_t>(i * c.m + j)] = s;
      }
    require_close(out, want, c.k);
    // dx[N, K] += dy w: accumulates onto what is there (0.5 each)
    Tensor dx = Tensor::full(Shape{c.n, c.k}, 0.5f);
    gemm_dx(dx, dy, w);
    want.assign(static_cast<size_t>(c.n * c.k), 0.0);
    for (int64_t i = 0; i < c.n; ++i)
      for (int64_t k = 0; k < c.k; ++k) {
        double s = 0.5;
        for (int64_t j = 0; j < c.m; ++j) s += r(pd[i * c.m + j]) * r(pw[j * c.k + k]);
        want[static_cast<size_t>(i * c.k + k)] = s;
      }
    require_close(dx, want, c.m);
    // dw[M, K] += dy^T x
    Tensor dw = Tensor::full(Shape{c.m, c.k}, -0.25f);
    gemm_dw(dw, dy, x);
    want.assign(static_cast<size_t>(c.m * c.k), 0.0);
    for (int64_t j = 0; j < c.m; ++j)
      for (int64_t k = 0; k < c.k; ++k) {
        double s = -0.25;
        for (int64_t i = 0; i < c.n; ++i) s += r(pd[i * c.m + j]) * r(px[i * c.k + k]);
        want[static_cast<size_t>(j * c.k + k)] = s;
      }
    require_close(dw, want, c.n);
  }
}

TEST_CASE("bf16: products give the same bits on one thread and on two", "[gemm][bf16]") {
#ifndef _OPENMP
  WARN("built without OpenMP: one thread only");
  return;
#else
  RETURN_UNLESS_BF16_RUNS();
  PrecisionScope scope(MatmulPrecision::bf16);
  Rng rng(22);
  const int before = omp_get_max_threads();
  for (const Case& c : kCases) {
    CAPTURE(c.n, c.k, c.m);
    const Tensor x = random_matrix(c.n, c.k, rng), w = random_matrix(c.m, c.k, rng), dy = random_matrix(c.n, c.m, rng);
    std::vector<std::vector<float>> results[2];
    for (int threads = 1; threads <= 2; ++threads) {
      omp_set_num_threads(threads);
      Tensor out = Tensor::empty(Shape{c.n, c.m}), dx = Tensor::zeros(Shape{c.n, c.k}), dw = Tensor::zeros(Shape{c.m, c.k});
      gemm_xwt(out, x, w);
      gemm_dx(dx, dy, w);
      gemm_dw(dw, dy, x);
      for (const Tensor* t : {&out, &dx, &dw}) results[threads - 1].emplace_back(t->data(), t->data() + t->numel());
    }
    omp_set_num_threads(before);
    REQUIRE(results[0] == results[1]);
  }
#endif
}

namespace {

trm_test::OneStep one_step(const TRMConfig& config, MatmulPrecision precision) {
  PrecisionScope scope(precision);
  return trm_test::one_training_step(config);
}

void check_against_fp32(const TRMConfig& config) {
  const trm_test::OneStep fp32 = one_step(config, MatmulPrecision::fp32), bf16 = one_step(config, MatmulPrecision::bf16);
  REQUIRE(fp32.grads.size() == bf16.grads.size());
  double diff = 0, norm = 0, norm_bf16 = 0, dot = 0;
  for (size_t i = 0; i < fp32.grads.size(); ++i) {
    const double a = fp32.grads[i], b = bf16.grads[i];
    diff += (a - b) * (a - b), norm += a * a, norm_bf16 += b * b, dot += a * b;
  }
  const double relative = std::sqrt(diff / norm), cosine = dot / std::sqrt(norm * norm_bf16);
  INFO("normwise relative difference " << relative << ", cosine " << cosine << ", loss " << fp32.loss << " vs "
                                       << bf16.loss);
  CHECK(relative > 0.0);  // the bf16 path really ran: rounding changes something
  CHECK(relative <= 0.03);
  CHECK(cosine >= 0.999);
  CHECK(std::abs(bf16.loss - fp32.loss) <= 0.005 * std::abs(fp32.loss));
}

}  // namespace

TEST_CASE("bf16: one training step's gradients stay within 3% of float32's (flat and cell-wise)", "[model][bf16]") {
  RETURN_UNLESS_BF16_RUNS();
  TRMConfig flat = trm_test::tiny_config("flat", 32, 2, 2, 2);
  flat.dropout = 0.1f;
  check_against_fp32(flat);
  TRMConfig cells = trm_test::tiny_config("cells", 16, 1, 2, 2);
  cells.deep_supervision = true;
  check_against_fp32(cells);
}

TEST_CASE("bf16: linear's weight packed once per tape gives the bits of gemm_xwt and gemm_dx", "[gemm][bf16]") {
  RETURN_UNLESS_BF16_RUNS();
  PrecisionScope scope(MatmulPrecision::bf16);
  Rng rng(23);
  const Tensor xv = random_matrix(40, 70, rng), wv = random_matrix(33, 70, rng), dyv = random_matrix(40, 33, rng);
  Tape tape;
  Var w = leaf(wv.clone(), Tensor::zeros(wv.shape()));
  Var x = leaf(xv.clone(), Tensor::zeros(xv.shape()));
  Var out = matmul(tape, x, w);
  Var again = matmul(tape, x, w);  // the second use reads the packing the first one made
  Tensor want = Tensor::empty(Shape{40, 33}), want_dx = Tensor::zeros(Shape{40, 70});
  gemm_xwt(want, xv, wv);
  for (int64_t i = 0; i < want.numel(); ++i) {
    REQUIRE(out->value.data()[i] == want.data()[i]);
    REQUIRE(again->value.data()[i] == want.data()[i]);
  }
  out->grad = dyv.clone();
  again->grad = dyv.clone();
  tape.backward_seeded();
  gemm_dx(want_dx, dyv, wv);
  gemm_dx(want_dx, dyv, wv);
  for (int64_t i = 0; i < want_dx.numel(); ++i) REQUIRE(x->grad.data()[i] == want_dx.data()[i]);
}
