// The register-tiled GEMM (ops/linear.cpp's gemm_xwt_tiled, what the WebAssembly build runs) against a
// double-precision reference, over shapes that exercise every tail: rows not a multiple of the tile, columns not
// a multiple of the panel, K of 1, and the shipped model's shapes. And the float32 GEMMs the native build trains
// with (Eigen's or oneDNN's, per slice): the same bits on one thread and on two, whichever way they split.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "ops/ops.h"
#include "util/rng.h"

namespace {

trm::Tensor random_matrix(int64_t rows, int64_t cols, trm::Rng& rng) {
  trm::Tensor t = trm::Tensor::empty(trm::Shape{rows, cols});
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = rng.uniform(-1.0f, 1.0f);
  return t;
}

}  // namespace

TEST_CASE("gemm_xwt_tiled equals x w^T for every tail of rows, columns and K", "[gemm]") {
  trm::Rng rng(11);
  struct Case { int64_t n, k, m; };
  const Case cases[] = {{1, 1, 1},   {3, 5, 7},    {4, 8, 8},    {5, 17, 9},  {7, 64, 33},
                        {81, 64, 256}, {81, 256, 64}, {81, 192, 64}, {82, 9, 63}, {13, 300, 70}};
  for (const Case& c : cases) {
    CAPTURE(c.n, c.k, c.m);
    const trm::Tensor x = random_matrix(c.n, c.k, rng), w = random_matrix(c.m, c.k, rng);
    trm::Tensor tiled = trm::Tensor::full(trm::Shape{c.n, c.m}, NAN);  // every element must be written
    trm::gemm_xwt_tiled(tiled, x, w);
    for (int64_t r = 0; r < c.n; ++r)
      for (int64_t j = 0; j < c.m; ++j) {
        double want = 0.0;
        for (int64_t i = 0; i < c.k; ++i) want += double(x.data()[r * c.k + i]) * double(w.data()[j * c.k + i]);
        const float got = tiled.data()[r * c.m + j];
        REQUIRE(std::isfinite(got));
        REQUIRE(std::abs(got - want) <= 1e-5 * (1.0 + std::sqrt(double(c.k))));
      }
  }
}

TEST_CASE("gemm_xwt_tiled gives the same bits on a second call (packing reused, no state leaks)", "[gemm]") {
  trm::Rng rng(12);
  const trm::Tensor x = random_matrix(81, 64, rng), w = random_matrix(256, 64, rng), w2 = random_matrix(9, 64, rng);
  trm::Tensor a = trm::Tensor::empty(trm::Shape{81, 256}), b = trm::Tensor::empty(trm::Shape{81, 256});
  trm::Tensor small = trm::Tensor::empty(trm::Shape{81, 9});
  trm::gemm_xwt_tiled(a, x, w);
  trm::gemm_xwt_tiled(small, x, w2);  // a different, smaller w in between
  trm::gemm_xwt_tiled(b, x, w);
  for (int64_t i = 0; i < a.numel(); ++i) REQUIRE(a.data()[i] == b.data()[i]);
}

TEST_CASE("gemm_xwt_tiled on a block of w's columns, with a bias, equals the reference", "[gemm]") {
  // The raw form (what unit_mix and linear run in the WebAssembly build): w's rows ldw floats apart, bias added to
  // each finished sum, so the result equals the product then a separate bias pass, bit for bit.
  trm::Rng rng(13);
  struct Case { int64_t n, k, m, ldw, col0; };
  const Case cases[] = {{9, 64, 64, 192, 0}, {9, 64, 64, 192, 128}, {81, 64, 256, 64, 0}, {5, 7, 13, 20, 3},
                        {3, 4, 4, 4, 0},    {82, 9, 63, 11, 2}};
  for (const Case& c : cases) {
    CAPTURE(c.n, c.k, c.m, c.ldw, c.col0);
    const trm::Tensor x = random_matrix(c.n, c.k, rng), wide = random_matrix(c.m, c.ldw, rng),
                      bias = random_matrix(1, c.m, rng);
    trm::Tensor w = trm::Tensor::empty(trm::Shape{c.m, c.k});  // the block, copied out
    for (int64_t j = 0; j < c.m; ++j)
      for (int64_t i = 0; i < c.k; ++i) w.data()[j * c.k + i] = wide.data()[j * c.ldw + c.col0 + i];
    trm::Tensor plain = trm::Tensor::empty(trm::Shape{c.n, c.m});
    trm::gemm_xwt_tiled(plain, x, w);
    std::vector<float> got(static_cast<size_t>(c.n * c.m), NAN);
    trm::gemm_xwt_tiled(got.data(), x.data(), wide.data() + c.col0, c.n, c.k, c.m, c.ldw, bias.data());
    for (int64_t r = 0; r < c.n; ++r)
      for (int64_t j = 0; j < c.m; ++j) REQUIRE(got[static_cast<size_t>(r * c.m + j)] == plain.data()[r * c.m + j] + bias.data()[j]);
  }
}

TEST_CASE("float32 products give the same bits on one thread and on two (rows split, columns split, every tail)",
          "[gemm]") {
#ifndef _OPENMP
  WARN("built without OpenMP: one thread only");
  return;
#else
  struct Case {
    int64_t n, k, m;
  };
  // The three models' shapes (default d=512, small d=128, cells d=64 at batch 32 = 2592 rows), the few-rows
  // column split (16-63 rows: the flat models at batch 16 and 32; Eigen's sums there depended on the slice until
  // linear.cpp's split_columns), and sizes that leave tails.
  const Case cases[] = {{64, 512, 2048},  {64, 2048, 512}, {256, 128, 512}, {256, 512, 128}, {2592, 64, 256},
                        {2592, 256, 64},  {2592, 64, 9},   {40, 300, 700},  {17, 810, 512},  {130, 9, 70},
                        {333, 77, 93},    {1000, 33, 1000}, {32, 512, 2048},  {16, 2048, 512}};
  trm::Rng rng(23);
  const int before = omp_get_max_threads();
  for (const Case& c : cases) {
    CAPTURE(c.n, c.k, c.m);
    const trm::Tensor x = random_matrix(c.n, c.k, rng), w = random_matrix(c.m, c.k, rng), dy = random_matrix(c.n, c.m, rng);
    std::vector<std::vector<float>> results[2];
    for (int threads = 1; threads <= 2; ++threads) {
      omp_set_num_threads(threads);
      trm::Tensor out = trm::Tensor::empty(trm::Shape{c.n, c.m});
      trm::Tensor dx = trm::Tensor::zeros(trm::Shape{c.n, c.k}), dw = trm::Tensor::zeros(trm::Shape{c.m, c.k});
      trm::gemm_xwt(out, x, w);
      trm::gemm_dx(dx, dy, w);
      trm::gemm_dw(dw, dy, x);
      for (const trm::Tensor* t : {&out, &dx, &dw}) results[threads - 1].emplace_back(t->data(), t->data() + t->numel());
      // And the products are the products: against a double reference, one element of each in every row.
      for (int64_t r = 0; r < c.n; r += 7) {
        const int64_t j = (r * 31) % c.m;
        double ref = 0;
        for (int64_t i = 0; i < c.k; ++i) ref += static_cast<double>(x.data()[r * c.k + i]) * w.data()[j * c.k + i];
        REQUIRE(std::abs(out.data()[r * c.m + j] - ref) < 1e-4 * (1.0 + std::sqrt(static_cast<double>(c.k))));
      }
    }
    omp_set_num_threads(before);
    REQUIRE(results[0] == results[1]);
  }
#endif
}
