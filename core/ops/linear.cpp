// matmul and bias_add: the Linear layer's two halves. The GEMMs are Eigen's, run directly on the
// tensors' memory through Eigen::Map (no copies).
//
// Threads: Eigen's own OpenMP GEMM synchronises its threads on every packed panel, and on two busy
// cores that spin-waiting was half the profile. So Eigen runs single-threaded (EIGEN_DONT_PARALLELIZE,
// set for the whole core) and we split each GEMM once, by blocks of output rows or columns, one
// block per thread: one parallel region and one barrier per GEMM. Each output element is still
// reduced in the same order as with one thread, so results do not depend on the thread count.
#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif
#ifndef TRM_ONEDNN
#define TRM_ONEDNN 0  // set by core/CMakeLists.txt where the build found oneDNN
#endif
#if TRM_ONEDNN
#include <dnnl.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#endif

#include "ops/ops.h"
#include "ops/parallel.h"
#include "ops/precision.h"

namespace trm {

namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr double kParallelFlops = 1 << 20;  // smaller GEMMs stay on one thread (a barrier costs more)
constexpr int64_t kAlign = 16;               // split points are multiples of this (whole SIMD panels)
constexpr int64_t kFewRows = 2;              // up to this many rows, out = x w^T is dot products (matrix-vector)
// Which kernel multiplies x by w^T: Eigen's (natively, AVX-512 with FMA, at 98% of its sgemm peak) or ours
// (gemm_xwt_tiled, the WebAssembly build's: 1.7-2x Eigen's speed there). Set by the build (cmake/Emscripten.cmake).
#ifndef TRM_TILED_GEMM
#define TRM_TILED_GEMM 0
#endif
constexpr bool kTiledGemm = TRM_TILED_GEMM;
constexpr bool kOneDnn = TRM_ONEDNN;  // sgemm() below runs oneDNN's dnnl_sgemm (set by the build: core/CMakeLists.txt)

// c[M, N] = beta c + op(a) op(b), row-major, on the calling thread: a is [M, K] ([K, M] when ta), b is [K, N] ([N, K]
// when tb), each with its row stride. One slice of a split GEMM. Natively through oneDNN's sgemm where the build has
// it (TRM_ONEDNN: 1.1-1.6x Eigen's kernels on the models' shapes, one thread; docs/performance.md), else Eigen.
// oneDNN gives a slice the same bits as the whole product (each element's sum runs over k in the same blocks
// whatever the slice; tests/unit/test_gemm.cpp checks the thread counts agree), and it must run on this thread alone:
// inside our parallel region it does by itself, and outside one its thread count is held at one for the call.
void sgemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
           int64_t ldb, float beta, float* c, int64_t ldc) {
#if TRM_ONEDNN
#ifdef _OPENMP
  const int threads = omp_get_max_threads();
  if (threads != 1) omp_set_num_threads(1);
#endif
  const dnnl_status_t status = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
#ifdef _OPENMP
  if (threads != 1) omp_set_num_threads(threads);
#endif
  if (status != dnnl_success) throw std::runtime_error("oneDNN sgemm failed (status " + std::to_string(status) + ")");
#else
  using Stride = Eigen::OuterStride<>;
  using Const = Eigen::Map<const Matrix, 0, Stride>;
  Eigen::Map<Matrix, 0, Stride> C(c, m, n, Stride(ldc));
  const Const A(a, ta ? k : m, ta ? m : k, Stride(lda)), B(b, tb ? n : k, tb ? k : n, Stride(ldb));
  auto store = [&](const auto& product) {  // beta is 0 or 1 here: overwrite or accumulate
    if (beta == 0.0f) C.noalias() = product;
    else C.noalias() += product;
  };
  if (ta && tb) store(A.transpose() * B.transpose());
  else if (ta) store(A.transpose() * B);
  else if (tb) store(A * B.transpose());
  else store(A * B);
#endif
}

// Calls body(begin, end) for contiguous slices of [0, n) (whole SIMD panels), one per thread, when the work is large
// enough.
template <typename Body>
void split(int64_t n, double flops, const Body& body) {
  parallel_slices(n, kAlign, flops, kParallelFlops, body);
}

// The few-row products, split over output columns: product(begin, end) for slices of [0, cols). Eigen blocks the
// depth by the product's shape, so a column slice's sums would depend on where the thread's slice ends (40 x 300 x
// 700: one thread and two differed); with Eigen each thread multiplies fixed chunks of kEigenColumns columns at fixed
// places (slices are whole chunks), so every chunk has the same shape, and the same sums, whatever the thread count.
// oneDNN's slices sum as the whole product does and need no chunks.
constexpr int64_t kEigenColumns = 128;
template <typename Product>
void split_columns(int64_t cols, double flops, const Product& product) {
  if (kOneDnn) return split(cols, flops, product);
  parallel_slices(cols, kEigenColumns, flops, kParallelFlops, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; c += kEigenColumns) product(c, std::min(e, c + kEigenColumns));
  });
}

// out[j] = dot(x, w[j, :]) for rows j in [begin, end) of w [M, K]: batch-1 inference, bound by reading w once.
// Four rows at a time share each load of x; SIMD through Eigen's packet primitives (AVX-512 natively, wasm SIMD128
// through the SSE mapping), so the same code is the fast path on both.
void dot_rows(float* out, const float* x, const float* w, int64_t k64, int64_t begin, int64_t end) {
  namespace ei = Eigen::internal;
  using Packet = ei::packet_traits<float>::type;
  // Loop indices as ptrdiff_t: 32-bit in wasm32, where 64-bit indices cost a wrap per load.
  constexpr std::ptrdiff_t S = ei::packet_traits<float>::size;
  const auto k = static_cast<std::ptrdiff_t>(k64);
  auto j = static_cast<std::ptrdiff_t>(begin);
  const auto stop = static_cast<std::ptrdiff_t>(end);
  for (; j + 4 <= stop; j += 4) {
    const float* w0 = w + j * k;
    const float *w1 = w0 + k, *w2 = w1 + k, *w3 = w2 + k;
    Packet a0 = ei::pset1<Packet>(0.0f), a1 = a0, a2 = a0, a3 = a0;
    std::ptrdiff_t i = 0;
    for (; i + S <= k; i += S) {
      const Packet xv = ei::ploadu<Packet>(x + i);
      a0 = ei::pmadd(ei::ploadu<Packet>(w0 + i), xv, a0);
      a1 = ei::pmadd(ei::ploadu<Packet>(w1 + i), xv, a1);
      a2 = ei::pmadd(ei::ploadu<Packet>(w2 + i), xv, a2);
      a3 = ei::pmadd(ei::ploadu<Packet>(w3 + i), xv, a3);
    }
    float s0 = ei::predux(a0), s1 = ei::predux(a1), s2 = ei::predux(a2), s3 = ei::predux(a3);
    for (; i < k; ++i) {
      s0 += w0[i] * x[i], s1 += w1[i] * x[i], s2 += w2[i] * x[i], s3 += w3[i] * x[i];
    }
    out[j] = s0, out[j + 1] = s1, out[j + 2] = s2, out[j + 3] = s3;
  }
  for (; j < stop; ++j) {
    const float* wj = w + j * k;
    Packet a = ei::pset1<Packet>(0.0f);
    std::ptrdiff_t i = 0;
    for (; i + S <= k; i += S) a = ei::pmadd(ei::ploadu<Packet>(wj + i), ei::ploadu<Packet>(x + i), a);
    float sum = ei::predux(a);
    for (; i < k; ++i) sum += wj[i] * x[i];
    out[j] = sum;
  }
}

// The register-tiled GEMM (gemm_xwt_tiled below). A tile is kTileRows rows of out by kTilePackets SIMD packets
// of columns: 8 accumulators. More spill in V8 (x64 has 16 vector registers; the tile also needs its column
// packets and one broadcast): measured in wasm on the shipped model's shapes (81 rows, K and M of 64-256),
// 4x2 and 2x4 packets reach 34-40 GFLOP/s, 4x3, 3x4 and 6x2 21-26, and Eigen's own kernel 20 (it takes
// wasm32 for a machine with 8 registers and picks a tile of one packet by 4 columns). Measured again on
// 2026-12-07 with pointers stepped through the loop (see tile()), in one process, interleaved: 4x2 and 2x4 still
// best (38-60 GFLOP/s as the host's load swung), 3x3 24-35, 3x4 22-24; unrolling k by 2 or 4 and packing x's
// rows as well were slower. On this AMD EPYC (Zen 4: two multiply and two add pipes for 128-bit vectors) the
// kernel's mul+add pairs cap it at 16 flops a cycle; clang 14's relaxed-SIMD fma is a pre-standard opcode that
// Node 20 rejects even with --experimental-wasm-relaxed-simd, so no fused multiply-add is available.
constexpr int kTileRows = 4;
constexpr std::ptrdiff_t kTilePackets = 2;

namespace ei = Eigen::internal;
using Packet = ei::packet_traits<float>::type;
constexpr std::ptrdiff_t kPacket = ei::packet_traits<float>::size;
constexpr std::ptrdiff_t kPanel = kTilePackets * kPacket;  // columns of out per panel

// w [M, K] (row stride ldw) as panels of kPanel rows, each stored k-major so the kernel reads it in order:
// packed[p, i, c] = w[p * kPanel + c, i], zero past M.   packed: [ceil(M / kPanel), K, kPanel]
// Packing runs on every call (a weight may change between calls), so it is written to be cheap: rows of w are read
// kPacket at a time and, in wasm, transposed four by four in registers (a scalar pack cost 15-25% of the kernel).
void pack_group(float* dst, const float* w, std::ptrdiff_t rows, std::ptrdiff_t k, std::ptrdiff_t ldw) {
  // dst[i * kPanel + c] = w[c, i] for the kPacket rows c of one group (zero for c >= rows)
  std::ptrdiff_t i = 0;
#ifdef __wasm_simd128__
  if (kPacket == 4 && rows == 4) {
    const float *r0 = w, *r1 = w + ldw, *r2 = r1 + ldw, *r3 = r2 + ldw;
    float* d = dst;
    for (; i + 4 <= k; i += 4, r0 += 4, r1 += 4, r2 += 4, r3 += 4, d += 4 * kPanel) {
      const v128_t a = wasm_v128_load(r0), b = wasm_v128_load(r1), c = wasm_v128_load(r2), e = wasm_v128_load(r3);
      const v128_t ab_lo = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), ce_lo = wasm_i32x4_shuffle(c, e, 0, 4, 1, 5);
      const v128_t ab_hi = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7), ce_hi = wasm_i32x4_shuffle(c, e, 2, 6, 3, 7);
      wasm_v128_store(d, wasm_i32x4_shuffle(ab_lo, ce_lo, 0, 1, 4, 5));
      wasm_v128_store(d + kPanel, wasm_i32x4_shuffle(ab_lo, ce_lo, 2, 3, 6, 7));
      wasm_v128_store(d + 2 * kPanel, wasm_i32x4_shuffle(ab_hi, ce_hi, 0, 1, 4, 5));
      wasm_v128_store(d + 3 * kPanel, wasm_i32x4_shuffle(ab_hi, ce_hi, 2, 3, 6, 7));
    }
  }
#endif
  for (; i < k; ++i)
    for (std::ptrdiff_t c = 0; c < kPacket; ++c) dst[i * kPanel + c] = c < rows ? w[c * ldw + i] : 0.0f;
}

void pack_panels(std::vector<float>& packed, const float* w, std::ptrdiff_t m, std::ptrdiff_t k, std::ptrdiff_t ldw) {
  const std::ptrdiff_t panels = (m + kPanel - 1) / kPanel;
  packed.resize(static_cast<size_t>(panels * k * kPanel));  // every element is written below
  for (std::ptrdiff_t p = 0; p < panels; ++p)
    for (std::ptrdiff_t g = 0; g < kTilePackets; ++g) {
      const std::ptrdiff_t row0 = p * kPanel + g * kPacket;
      pack_group(packed.data() + p * k * kPanel + g * kPacket, w + std::min(row0, m) * ldw,
                 std::max<std::ptrdiff_t>(0, std::min(kPacket, m - row0)), k, ldw);
    }
}

// out[R rows, cols] = x[R rows, K] @ panel (+ bias[cols], added after the sum as a separate bias pass would):
// one tile, each element reduced over k in order.
template <int R>
void tile(float* out, std::ptrdiff_t ldo, const float* x, std::ptrdiff_t k, const float* panel, std::ptrdiff_t cols,
          const float* bias) {
  Packet acc[R][kTilePackets];
  for (int r = 0; r < R; ++r)
    for (std::ptrdiff_t c = 0; c < kTilePackets; ++c) acc[r][c] = ei::pset1<Packet>(0.0f);
  // Pointers stepped through the loop, not indices: Emscripten runs LLVM without loop strength reduction
  // (-disable-lsr), so x[r * k + i] and panel[i * kPanel] would redo their address arithmetic on every step.
  const float* xr[R];
  for (int r = 0; r < R; ++r) xr[r] = x + r * k;
  for (const float *p = panel, *const end = panel + k * kPanel; p != end; p += kPanel) {
    Packet b[kTilePackets];
    for (std::ptrdiff_t c = 0; c < kTilePackets; ++c) b[c] = ei::ploadu<Packet>(p + c * kPacket);
    for (int r = 0; r < R; ++r) {
      const Packet a = ei::pset1<Packet>(*xr[r]++);  // one load-and-broadcast (v128.load32_splat in wasm)
      for (std::ptrdiff_t c = 0; c < kTilePackets; ++c) acc[r][c] = ei::pmadd(a, b[c], acc[r][c]);
    }
  }
  if (cols == kPanel) {
    if (bias) {
      for (std::ptrdiff_t c = 0; c < kTilePackets; ++c) {
        const Packet b = ei::ploadu<Packet>(bias + c * kPacket);
        for (int r = 0; r < R; ++r) acc[r][c] = ei::padd(acc[r][c], b);
      }
    }
    for (int r = 0; r < R; ++r)
      for (std::ptrdiff_t c = 0; c < kTilePackets; ++c) ei::pstoreu(out + r * ldo + c * kPacket, acc[r][c]);
  } else {
    float row[kPanel];
    for (int r = 0; r < R; ++r) {
      for (std::ptrdiff_t c = 0; c < kTilePackets; ++c) ei::pstoreu(row + c * kPacket, acc[r][c]);
      if (bias)
        for (std::ptrdiff_t c = 0; c < cols; ++c) row[c] += bias[c];
      std::copy(row, row + cols, out + r * ldo);
    }
  }
}

// Rows [begin, end) of out [N, M] = x [N, K] @ w^T (+ bias), from w's panels.
void tiled_rows(float* out, const float* x, const float* packed, std::ptrdiff_t begin, std::ptrdiff_t end,
                std::ptrdiff_t m, std::ptrdiff_t k, const float* bias) {
  const std::ptrdiff_t panels = (m + kPanel - 1) / kPanel;
  for (std::ptrdiff_t p = 0; p < panels; ++p) {
    const float* panel = packed + p * k * kPanel;
    const std::ptrdiff_t c0 = p * kPanel, cols = std::min(kPanel, m - c0);
    const float* b = bias ? bias + c0 : nullptr;
    std::ptrdiff_t r = begin;
    for (; r + kTileRows <= end; r += kTileRows) tile<kTileRows>(out + r * m + c0, m, x + r * k, k, panel, cols, b);
    static_assert(kTileRows == 4, "the tail below handles up to 3 rows");
    switch (end - r) {
      case 3: tile<3>(out + r * m + c0, m, x + r * k, k, panel, cols, b); break;
      case 2: tile<2>(out + r * m + c0, m, x + r * k, k, panel, cols, b); break;
      case 1: tile<1>(out + r * m + c0, m, x + r * k, k, panel, cols, b); break;
      default: break;
    }
  }
}

}  // namespace

void gemm_xwt_tiled(float* out, const float* x, const float* w, int64_t n64, int64_t k64, int64_t m64, int64_t ldw,
                    const float* bias) {
  const auto n = static_cast<std::ptrdiff_t>(n64), k = static_cast<std::ptrdiff_t>(k64),
             m = static_cast<std::ptrdiff_t>(m64);
  thread_local std::vector<float> packed;  // reused: no allocation per call once warm
  pack_panels(packed, w, m, k, static_cast<std::ptrdiff_t>(ldw));
  const float* pk = packed.data();
  split(n, 2.0 * n * m * k, [&](int64_t b, int64_t e) { tiled_rows(out, x, pk, b, e, m, k, bias); });
}

void gemm_xwt_tiled(Tensor& out, const Tensor& x, const Tensor& w) {
  const int64_t k = x.shape().last();
  gemm_xwt_tiled(out.data(), x.data(), w.data(), x.shape().rows(), k, w.shape()[0], k, nullptr);
}

// out[N, M] = x[N, K] @ w[M, K]^T: split over the rows of out, or (few rows) over its columns.
void gemm_xwt(Tensor& out, const Tensor& x, const Tensor& w) {
  const int64_t n = x.shape().rows(), k = x.shape().last(), m = w.shape()[0];
  const double flops = 2.0 * n * m * k;
  if (matmul_precision() == MatmulPrecision::bf16 && n > kFewRows) {
    // out[N, M] = x[N, K] (x rows contiguous along K) @ B[K, M] with B(k, j) = w[j, k]
    gemm_bf16(out.data(), m, false, n, m, k, x.data(), k, 1, w.data(), 1, k);
  } else if (kTiledGemm && n > kFewRows) {
    gemm_xwt_tiled(out, x, w);
  } else if (n <= kFewRows) {
    // Batch-1 inference: memory-bound dot products of each x row with every row of w (dot_rows above).
    split(m, flops, [&](int64_t b, int64_t e) {
      for (int64_t r = 0; r < n; ++r) dot_rows(out.data() + r * m, x.data() + r * k, w.data(), k, b, e);
    });
  } else if (n >= 4 * kAlign) {
    split(n, flops, [&](int64_t b, int64_t e) {
      sgemm(false, true, e - b, m, k, x.data() + b * k, k, w.data(), k, 0.0f, out.data() + b * m, m);
    });
  } else {
    split_columns(m, flops, [&](int64_t b, int64_t e) {
      sgemm(false, true, n, e - b, k, x.data(), k, w.data() + b * k, k, 0.0f, out.data() + b, m);
    });
  }
}

// dx[N, K] += dout[N, M] @ w[M, K]: split over the rows of dx, or (few rows) over its columns.
void gemm_dx(Tensor& dx, const Tensor& dout, const Tensor& w) {
  const int64_t n = dout.shape().rows(), m = dout.shape().last(), k = w.shape()[1];
  const double flops = 2.0 * n * m * k;
  if (matmul_precision() == MatmulPrecision::bf16 && n > kFewRows) {
    // dx[N, K] += dout[N, M] @ w[M, K], both row-major
    gemm_bf16(dx.data(), k, true, n, k, m, dout.data(), m, 1, w.data(), k, 1);
  } else if (n >= 4 * kAlign) {
    split(n, flops, [&](int64_t b, int64_t e) {
      sgemm(false, false, e - b, k, m, dout.data() + b * m, m, w.data(), k, 1.0f, dx.data() + b * k, k);
    });
  } else {
    split_columns(k, flops, [&](int64_t b, int64_t e) {
      sgemm(false, false, n, e - b, m, dout.data(), m, w.data() + b, k, 1.0f, dx.data() + b, k);
    });
  }
}

// dw[r0:r1, K] += dout[N, r0:r1]^T @ x[N, K] on the calling thread: the rows [r0, r1) of gemm_dw's product.
static void gemm_dw_rows(Tensor& dw, const Tensor& dout, const Tensor& x, int64_t r0, int64_t r1) {
  const int64_t n = dout.shape().rows(), m = dout.shape().last(), k = x.shape().last();
  if (matmul_precision() == MatmulPrecision::bf16 && n > kFewRows) {
    gemm_bf16(dw.data() + r0 * k, k, true, r1 - r0, k, n, dout.data() + r0, 1, m, x.data(), k, 1);
    return;
  }
  sgemm(true, false, r1 - r0, k, n, dout.data() + r0, m, x.data(), k, 1.0f, dw.data() + r0 * k, k);
}

// dw[M, K] += dout[N, M]^T @ x[N, K]: split over the rows of dw (each thread reduces all N rows).
void gemm_dw(Tensor& dw, const Tensor& dout, const Tensor& x) {
  const int64_t n = dout.shape().rows(), m = dout.shape().last(), k = x.shape().last();
  const double flops = 2.0 * n * m * k;
  if (matmul_precision() == MatmulPrecision::bf16 && n > kFewRows) {
    // dw[M, K] += A[M, N] @ x[N, K] with A(i, r) = dout[r, i]
    gemm_bf16(dw.data(), k, true, m, k, n, dout.data(), 1, m, x.data(), k, 1);
    return;
  }
  split(m, flops, [&](int64_t b, int64_t e) { gemm_dw_rows(dw, dout, x, b, e); });
}

// The weight gradient of every use of w at the end of backward (Tape::defer): for the uses u (dout_u [N_u, M],
// x_u [N_u, K]) in the order their closures ran,
//   dw[M, K] += dout_1^T x_1;  dw += dout_2^T x_2;  ...
// the same sums in the same order as one gemm_dw per use, so the same bits (recomputed activations flush per
// recomputed step and still match). What changes is the memory traffic: a recursion step's product has only the
// batch's rows as its depth (64 at the default config) yet reads and writes all of dw (4 MB for a 2048 x 512
// weight), so 32 uses one after another were 32 passes over dw from main memory. Here each thread takes its rows of
// dw and walks them in blocks that stay in cache across all the uses.
static void flush_weight_grad(Node* w, std::vector<Tape::Deferred>& uses) {
  Tensor& dw = w->grad_buffer();
  const int64_t m = dw.shape()[0], k = dw.shape()[1];
  constexpr int64_t kBlockRows = 256;  // 256 x 512 floats = 512 KB of dw per block: stays in L2 across the uses
  double flops = 0;
  for (const auto& u : uses) flops += 2.0 * u.a.shape().rows() * m * k;
  split(m, flops, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; r += kBlockRows)
      for (const auto& u : uses) gemm_dw_rows(dw, u.a, u.b, r, std::min(e, r + kBlockRows));
  });
}


// bf16 products whose right-hand operand is the weight w, packed once per tape (Tape::scratch) instead of per use:
//   forward:  out[N, M] = x[N, K] @ w^T      (slot 0: w^T's panels)
//   backward: dx[N, K] += dout[N, M] @ w     (slot 1: w's panels)
// Same packing, same sums as gemm_xwt and gemm_dx at bf16 (xwt_packed returns false, doing nothing, where those
// would not run bf16).
static const PackedBf16& packed_weight(Tape& tape, const Node* w, int slot) {
  std::shared_ptr<void>& entry = tape.scratch(w, slot);
  if (!entry) {
    auto packed = std::make_shared<PackedBf16>();
    const int64_t m = w->value.shape()[0], k = w->value.shape()[1];
    if (slot == 0) pack_bf16(*packed, m, k, w->value.data(), 1, k);  // B[K, M] = w^T
    else pack_bf16(*packed, k, m, w->value.data(), k, 1);            // B[M, K] = w
    entry = packed;
  }
  return *static_cast<const PackedBf16*>(entry.get());
}

static bool xwt_packed(Tape& tape, Tensor& out, const Tensor& x, const Node* w) {
  const int64_t n = x.shape().rows(), k = x.shape().last();
  if (matmul_precision() != MatmulPrecision::bf16 || n <= kFewRows) return false;
  gemm_bf16(out.data(), w->value.shape()[0], false, n, x.data(), k, 1, packed_weight(tape, w, 0));
  return true;
}

// x's gradient += dout @ w. Eigen's GEMM zeroes its output before an assignment anyway, so it accumulates into the
// zeroed buffer; the bf16 kernel stores its first contribution (Node::grad_target).
static void dx_packed(Tape& tape, Node& x, const Tensor& dout, const Node* w) {
  const int64_t n = dout.shape().rows(), m = dout.shape().last();
  if (matmul_precision() != MatmulPrecision::bf16 || n <= kFewRows) return gemm_dx(x.grad_buffer(), dout, w->value);
  auto [dx, accumulate] = x.grad_target();
  gemm_bf16(dx.data(), w->value.shape()[1], accumulate, n, dout.data(), m, 1, packed_weight(tape, w, 1));
}

// dw += dout^T x for one use of w: deferred to the flush above when the use is shallow (few rows: the flat models'
// batch), at once when it is deep enough to amortise dw's traffic itself (the cell-wise model's batch x 81 rows:
// deferring those only made them re-read dout and x from memory, measured 6% slower). Every use of a weight has the
// same rows, so a weight's uses all go one way, in the same order either way.
static void weight_grad(Tape& tape, Node* w, const Tensor& dout, const Tensor& x) {
  constexpr int64_t kDeepUse = 256;
  if (dout.shape().rows() >= kDeepUse) gemm_dw(w->grad_buffer(), dout, x);
  else tape.defer(w, flush_weight_grad, Tape::Deferred{dout, x});
}

Var matmul(Tape& tape, const Var& x, const Var& w) {
  const Shape& xs = x->value.shape();
  const Shape& ws = w->value.shape();
  if (ws.rank() != 2 || xs.rank() < 1 || xs.last() != ws[1])
    throw std::invalid_argument("matmul: x " + xs.str() + " does not fit w " + ws.str());
  std::vector<int64_t> dims = xs.to_vector();
  dims.back() = ws[0];
  Var out = make_var(Tensor::empty(Shape(dims)));
  if (!xwt_packed(tape, out->value, x->value, w.get())) gemm_xwt(out->value, x->value, w->value);
  if (tape.needs_grad({&x, &w})) {
    tape.record(out, [x, w, o = out.get(), t = &tape] {
      if (x->requires_grad) dx_packed(*t, *x, o->grad, w.get());
      if (w->requires_grad) weight_grad(*t, w.get(), o->grad, x->value);
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

// Whether linear's float32 product may start from the bias: out[N, M] = b, then out += x @ w^T by Eigen. Eigen's GEMM
// zeroes out before an assignment and then adds each block of the depth K to it, so with K in one block (its own
// blocking decides: computeProductBlockingSizes, the function its product calls; single-threaded, the block depends
// on K alone, so on no split of the rows) out = (0 + x w^T) + b and out = b + x w^T are the same float sums, and
// starting from b saves the zeroing pass and the bias pass over out (the zeroing alone was 2.5% of a cell-wise
// training step). With AVX-512 a block holds a depth up to 936 here: every product of the shipped models. Deeper
// products keep the zeroed start and the bias after: the same bits either way.
// With oneDNN (sgemm() above) no: it writes out without zeroing it first anyway, and its depth blocks are its own.
static bool bias_first(int64_t n, int64_t k, int64_t m) {
  if (kOneDnn || matmul_precision() != MatmulPrecision::fp32 || kTiledGemm || n < 4 * kAlign) return false;
  Eigen::Index kc = k, mc = m, nc = n;  // a row-major out is computed transposed: [M, N] = w [M, K] @ x^T
  Eigen::internal::computeProductBlockingSizes<float, float>(kc, mc, nc, Eigen::Index{1});
  return kc >= k;
}

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
  const int64_t n = xs.rows(), m = ws[0];
  float* po = out->value.data();
  const float* pb = b ? b->value.data() : nullptr;
  bool bias_added = false;
  if (kTiledGemm && n > kFewRows) {
    // The WebAssembly build: the bias is added in the kernel's tiles, while they are in registers (the same sums).
    gemm_xwt_tiled(po, x->value.data(), w->value.data(), n, xs.last(), m, ws[1], pb);
    bias_added = true;
  } else if (b && bias_first(n, xs.last(), m)) {
    // out[r, :] = b, then out += x @ w^T, both split over rows
    parallel_for_range(n, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) std::copy(pb, pb + m, po + r * m);
    });
    auto X = x->value.matrix();
    auto W = w->value.matrix();
    auto O = out->value.matrix();
    split(n, 2.0 * n * m * xs.last(),
          [&](int64_t b0, int64_t e) { O.middleRows(b0, e - b0).noalias() += X.middleRows(b0, e - b0) * W.transpose(); });
    bias_added = true;
  } else if (!xwt_packed(tape, out->value, x->value, w.get())) {
    gemm_xwt(out->value, x->value, w->value);
  }
  if (b && !bias_added) {
    // out[r, :] += b, rows split across threads when large
    parallel_for_range(n, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r)
        for (int64_t j = 0; j < m; ++j) po[r * m + j] += pb[j];
    });
  }
  const bool bias_grad = b && b->requires_grad;
  if (tape.needs_grad({&x, &w}) || (tape.recording() && bias_grad)) {
    tape.record(out, [x, w, b, o = out.get(), t = &tape] {
      if (x->requires_grad) dx_packed(*t, *x, o->grad, w.get());
      if (w->requires_grad) weight_grad(*t, w.get(), o->grad, x->value);
      if (b && b->requires_grad) {
        Tensor db = b->grad_buffer().reshaped(Shape{1, b->value.numel()});
        db.matrix().row(0) += o->grad.matrix().colwise().sum();
      }
    });
  }
  return out;
}

}  // namespace trm
