// The bf16 matrix product (MatmulPrecision::bf16, ops/precision.h): operands rounded to bfloat16, float32 sums.
//
//   c[i, j] (+)= sum_k A(i, k) B(k, j)
//
// AVX512-BF16's vdpbf16ps multiplies 16 pairs of bf16 and adds each pair's two products into a float32 lane, so the
// operands are packed as pairs along k (a 32-bit word holds A(i, 2kk) and A(i, 2kk+1)):
//   packed A: [rows, depth2] words, row i's pairs in order                 (one broadcast word per row and step)
//   packed B: [panels, depth2, 16] words, panel p = columns 16p .. 16p+15   (one 64-byte load per panel and step)
// with depth2 = ceil(depth / 2) (an odd depth is padded with a zero). A tile of kRows rows by kPanels panels
// (4 x 64 columns: 16 accumulators of 16 floats) walks k from 0 to depth in order, so each element of c is the same
// sum however the rows or panels are split across threads.
//
// The intrinsics are compiled with a target attribute, so this file builds without -march flags and the rest of the
// binary still runs on CPUs without AVX512-BF16; the caller only selects bf16 where the CPU has it (precision.h).
// Other compilers and the WebAssembly build get no kernel: bf16_matmul_compiled() is false and bf16 is refused.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "ops/parallel.h"
#include "ops/precision.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(__EMSCRIPTEN__)
#define TRM_BF16_KERNEL 1
#include <immintrin.h>
#else
#define TRM_BF16_KERNEL 0
#endif

namespace trm {

namespace {
MatmulPrecision g_precision = MatmulPrecision::fp32;
}

bool bf16_matmul_compiled() { return TRM_BF16_KERNEL != 0; }

void set_matmul_precision(MatmulPrecision precision, bool cpu_has_bf16) {
  if (precision == MatmulPrecision::bf16) {
    if (!bf16_matmul_compiled()) throw std::invalid_argument("bf16 matrix products: this build has no bf16 kernel");
    if (!cpu_has_bf16)
      throw std::invalid_argument("bf16 matrix products: this CPU has no AVX512-BF16 (avx512_bf16 in /proc/cpuinfo)");
  }
  g_precision = precision;
}

MatmulPrecision matmul_precision() { return g_precision; }

std::string precision_name(MatmulPrecision precision) { return precision == MatmulPrecision::bf16 ? "bf16" : "fp32"; }

MatmulPrecision parse_precision(const std::string& name) {
  if (name == "fp32") return MatmulPrecision::fp32;
  if (name == "bf16") return MatmulPrecision::bf16;
  throw std::invalid_argument("unknown precision \"" + name + "\" (precisions: fp32, bf16)");
}

// Round to nearest even on the upper 16 bits (what vcvtne2ps2bf16 does for finite values; NaN stays NaN).
static uint16_t to_bf16_bits(float x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);  // quiet NaN
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

float round_to_bf16(float x) {
  const uint32_t u = static_cast<uint32_t>(to_bf16_bits(x)) << 16;
  float out;
  std::memcpy(&out, &u, sizeof out);
  return out;
}

#if TRM_BF16_KERNEL

namespace {

#define TRM_BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

constexpr long kLanes = 16;   // floats per zmm: columns per panel
constexpr int kRows = 4;      // rows per tile
constexpr int kPanels = 4;    // panels per tile (64 columns)
constexpr long kParallelMacs = 1 << 19;  // smaller products stay on one thread (a barrier costs more)

// A pair of bf16 as the 32-bit word vdpbf16ps reads: low half = the even k, high half = the odd k.
uint32_t pair(float even, float odd) {
  return static_cast<uint32_t>(to_bf16_bits(even)) | (static_cast<uint32_t>(to_bf16_bits(odd)) << 16);
}

// Calls body(begin, end) on contiguous slices of [0, n) (multiples of `align`), one per thread, when `macs` is large.
template <typename Body>
void split(long n, long align, double macs, const Body& body) {
  parallel_slices(n, align, macs, static_cast<double>(kParallelMacs), body);
}

// Two rows of 16 floats -> 16 words, word c = pair(even[c], odd[c]).
TRM_BF16_TARGET __m512i interleave_pairs(__m512 even, __m512 odd) {
  // cvtne2ps(hi, lo) gives lo's 16 bf16 then hi's; permute so that halves 2c and 2c+1 are even[c] and odd[c]
  const __m512i both = (__m512i)_mm512_cvtne2ps_pbh(odd, even);
  const __m512i idx = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8, 23, 7, 22, 6, 21,
                                       5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  return _mm512_permutexvar_epi16(idx, both);
}

// Row i of a matrix contiguous along k (src[k]) as depth2 words: dst[kk] = pair(src[2kk], src[2kk+1]).
TRM_BF16_TARGET void pack_row(uint32_t* dst, const float* src, long depth) {
  const long depth2 = (depth + 1) / 2;
  long kk = 0;
  // 32 floats -> 16 words: cvtne2ps(hi, lo) lays out lo's 16 bf16 then hi's, which read as words are already the
  // pairs (src[2j], src[2j+1]) in order
  for (; 2 * kk + 32 <= depth; kk += 16) {
    const __m512 lo = _mm512_loadu_ps(src + 2 * kk), hi = _mm512_loadu_ps(src + 2 * kk + 16);
    _mm512_storeu_si512(dst + kk, (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
  }
  for (; kk < depth2; ++kk) dst[kk] = pair(src[2 * kk], 2 * kk + 1 < depth ? src[2 * kk + 1] : 0.0f);
}

// Rows [r0, r1) of A as pairs: pa[i, kk] = pair(A(i, 2kk), A(i, 2kk+1)).   pa: [rows, depth2]
TRM_BF16_TARGET void pack_a(uint32_t* pa, long r0, long r1, long depth, const float* a, long a_row, long a_depth) {
  const long depth2 = (depth + 1) / 2;
  long i = r0;
  if (a_depth == 1) {
    for (; i < r1; ++i) pack_row(pa + i * depth2, a + i * a_row, depth);
    return;
  }
  if (a_row == 1) {
    // A is the transpose of a row-major matrix (the dw product's dout^T): source rows k hold 16 rows i side by side;
    // interleave rows 2kk and 2kk+1 and scatter the 16 words to their rows of pa
    const __m512i rows16 = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                              _mm512_set1_epi32(static_cast<int>(depth2)));
    for (; i + kLanes <= r1; i += kLanes)
      for (long kk = 0; kk < depth2; ++kk) {
        const long k = 2 * kk;
        const __m512 even = _mm512_loadu_ps(a + k * a_depth + i);
        const __m512 odd = k + 1 < depth ? _mm512_loadu_ps(a + (k + 1) * a_depth + i) : _mm512_setzero_ps();
        _mm512_i32scatter_epi32(pa + i * depth2 + kk, rows16, interleave_pairs(even, odd), 4);
      }
  }
  for (; i < r1; ++i) {
    uint32_t* dst = pa + i * depth2;
    const float* src = a + i * a_row;
    for (long kk = 0; kk < depth2; ++kk) {
      const long k = 2 * kk;
      dst[kk] = pair(src[k * a_depth], k + 1 < depth ? src[(k + 1) * a_depth] : 0.0f);
    }
  }
}

// Panels [p0, p1) of B: pb[p, kk, c] = pair(B(2kk, 16p + c), B(2kk+1, 16p + c)), zero past the last column.
TRM_BF16_TARGET void pack_b(uint32_t* pb, long p0, long p1, long cols, long depth, const float* b, long b_depth,
                            long b_col) {
  const long depth2 = (depth + 1) / 2;
  thread_local std::vector<uint32_t> rows;  // b_depth == 1: the panel's 16 columns of B as rows of pairs
  for (long p = p0; p < p1; ++p) {
    uint32_t* dst = pb + p * depth2 * kLanes;
    const long c0 = p * kLanes, n = std::min(kLanes, cols - c0);
    if (b_col == 1 && n == kLanes) {
      // B's rows contiguous along the columns (dx's w, dw's x): two rows of 16 floats -> 16 words per step
      for (long kk = 0; kk < depth2; ++kk) {
        const long k = 2 * kk;
        const __m512 even = _mm512_loadu_ps(b + k * b_depth + c0);
        const __m512 odd = k + 1 < depth ? _mm512_loadu_ps(b + (k + 1) * b_depth + c0) : _mm512_setzero_ps();
        _mm512_storeu_si512(dst + kk * kLanes, interleave_pairs(even, odd));
      }
    } else if (b_depth == 1) {
      // B = w^T with w's rows contiguous along k (the forward x w^T): pack the panel's 16 rows of w as pairs, then
      // gather word kk of each
      rows.assign(static_cast<size_t>(kLanes * depth2), 0u);
      for (long c = 0; c < n; ++c) pack_row(rows.data() + c * depth2, b + (c0 + c) * b_col, depth);
      const __m512i rows16 = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                                _mm512_set1_epi32(static_cast<int>(depth2)));
      for (long kk = 0; kk < depth2; ++kk)
        _mm512_storeu_si512(dst + kk * kLanes, _mm512_i32gather_epi32(rows16, rows.data() + kk, 4));
    } else {
      for (long kk = 0; kk < depth2; ++kk) {
        const long k = 2 * kk;
        for (long c = 0; c < kLanes; ++c) {
          const bool in = c < n;
          const float even = in ? b[k * b_depth + (c0 + c) * b_col] : 0.0f;
          const float odd = in && k + 1 < depth ? b[(k + 1) * b_depth + (c0 + c) * b_col] : 0.0f;
          dst[kk * kLanes + c] = pair(even, odd);
        }
      }
    }
  }
}

// One tile: c[R rows, P panels (cols columns in all)] (+)= pa rows @ pb panels, k in order.
template <int R, int P>
TRM_BF16_TARGET void tile(float* c, long ldc, bool accumulate, const uint32_t* pa, long depth2, const uint32_t* pb,
                          long cols) {
  __m512 acc[R][P];
  for (int r = 0; r < R; ++r)
    for (int p = 0; p < P; ++p) acc[r][p] = _mm512_setzero_ps();
  const long panel_stride = depth2 * kLanes;
  for (long kk = 0; kk < depth2; ++kk) {
    __m512bh bv[P];
    for (int p = 0; p < P; ++p) bv[p] = (__m512bh)_mm512_loadu_si512(pb + p * panel_stride + kk * kLanes);
    for (int r = 0; r < R; ++r) {
      const __m512bh av = (__m512bh)_mm512_set1_epi32(static_cast<int>(pa[r * depth2 + kk]));
      for (int p = 0; p < P; ++p) acc[r][p] = _mm512_dpbf16_ps(acc[r][p], av, bv[p]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int p = 0; p < P; ++p) {
      const long c0 = p * kLanes, n = std::min(kLanes, cols - c0);
      float* dst = c + r * ldc + c0;
      const __mmask16 mask = static_cast<__mmask16>((1u << n) - 1u);
      __m512 v = acc[r][p];
      if (accumulate) v = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, dst), v);
      _mm512_mask_storeu_ps(dst, mask, v);
    }
}

template <int R>
TRM_BF16_TARGET void tile_row(float* c, long ldc, bool accumulate, const uint32_t* pa, long depth2, const uint32_t* pb,
                              long p0, long p1, long cols) {
  const long panel_stride = depth2 * kLanes;
  long p = p0;
  for (; p + kPanels <= p1; p += kPanels)
    tile<R, kPanels>(c + p * kLanes, ldc, accumulate, pa, depth2, pb + p * panel_stride, cols - p * kLanes);
  switch (p1 - p) {
    case 3: tile<R, 3>(c + p * kLanes, ldc, accumulate, pa, depth2, pb + p * panel_stride, cols - p * kLanes); break;
    case 2: tile<R, 2>(c + p * kLanes, ldc, accumulate, pa, depth2, pb + p * panel_stride, cols - p * kLanes); break;
    case 1: tile<R, 1>(c + p * kLanes, ldc, accumulate, pa, depth2, pb + p * panel_stride, cols - p * kLanes); break;
    default: break;
  }
}

// Rows [r0, r1) x panels [p0, p1) of c.
void block(float* c, long ldc, bool accumulate, const uint32_t* pa, long depth2, const uint32_t* pb, long r0, long r1,
           long p0, long p1, long cols) {
  long r = r0;
  for (; r + kRows <= r1; r += kRows) tile_row<kRows>(c + r * ldc, ldc, accumulate, pa + r * depth2, depth2, pb, p0, p1, cols);
  static_assert(kRows == 4, "the tail below handles up to 3 rows");
  switch (r1 - r) {
    case 3: tile_row<3>(c + r * ldc, ldc, accumulate, pa + r * depth2, depth2, pb, p0, p1, cols); break;
    case 2: tile_row<2>(c + r * ldc, ldc, accumulate, pa + r * depth2, depth2, pb, p0, p1, cols); break;
    case 1: tile_row<1>(c + r * ldc, ldc, accumulate, pa + r * depth2, depth2, pb, p0, p1, cols); break;
    default: break;
  }
}

}  // namespace

// c (+)= A @ B from packed A (pa) and packed B (pb), split across threads by rows of c or, with few rows, by panels.
static void run_packed(float* c, long ldc, bool accumulate, long rows, long cols, long depth2, const uint32_t* pa,
                       const uint32_t* pb, double macs) {
  const long panels = (cols + kLanes - 1) / kLanes;
  if (rows >= 8 * kRows) {
    split(rows, kRows, macs, [&](long r0, long r1) { block(c, ldc, accumulate, pa, depth2, pb, r0, r1, 0, panels, cols); });
  } else {
    split(panels, kPanels, macs, [&](long p0, long p1) { block(c, ldc, accumulate, pa, depth2, pb, 0, rows, p0, p1, cols); });
  }
}

static const uint32_t* packed_a(long rows, long depth, const float* a, long a_row, long a_depth, double macs) {
  thread_local std::vector<uint32_t> pa_buf;  // reused: no allocation per call once warm
  pa_buf.resize(static_cast<size_t>(rows * ((depth + 1) / 2)));
  uint32_t* pa = pa_buf.data();
  split(rows, 1, macs, [&](long r0, long r1) { pack_a(pa, r0, r1, depth, a, a_row, a_depth); });
  return pa;
}

void pack_bf16(PackedBf16& out, long cols, long depth, const float* b, long b_depth, long b_col) {
  const long depth2 = (depth + 1) / 2, panels = (cols + kLanes - 1) / kLanes;
  out.cols = cols, out.depth = depth;
  out.words.resize(static_cast<size_t>(panels * depth2 * kLanes));
  uint32_t* pb = out.words.data();
  split(panels, 1, 64.0 * cols * depth,  // as much work as a product with 64 rows: worth a barrier when that is
        [&](long p0, long p1) { pack_b(pb, p0, p1, cols, depth, b, b_depth, b_col); });
}

void gemm_bf16(float* c, long ldc, bool accumulate, long rows, long cols, long depth, const float* a, long a_row,
               long a_depth, const float* b, long b_depth, long b_col) {
  if (rows <= 0 || cols <= 0) return;
  const long depth2 = (depth + 1) / 2, panels = (cols + kLanes - 1) / kLanes;
  thread_local std::vector<uint32_t> pb_buf;
  pb_buf.resize(static_cast<size_t>(panels * depth2 * kLanes));
  uint32_t* pb = pb_buf.data();
  const double macs = static_cast<double>(rows) * cols * depth;
  // Packing is split like the product (rows of A, panels of B), each thread packing a slice: one barrier each.
  const uint32_t* pa = packed_a(rows, depth, a, a_row, a_depth, macs);
  split(panels, 1, macs, [&](long p0, long p1) { pack_b(pb, p0, p1, cols, depth, b, b_depth, b_col); });
  run_packed(c, ldc, accumulate, rows, cols, depth2, pa, pb, macs);
}

void gemm_bf16(float* c, long ldc, bool accumulate, long rows, const float* a, long a_row, long a_depth,
               const PackedBf16& b) {
  if (rows <= 0 || b.cols <= 0) return;
  const double macs = static_cast<double>(rows) * b.cols * b.depth;
  const uint32_t* pa = packed_a(rows, b.depth, a, a_row, a_depth, macs);
  run_packed(c, ldc, accumulate, rows, b.cols, (b.depth + 1) / 2, pa, b.words.data(), macs);
}

#else  // no kernel: bf16 is refused by set_matmul_precision, so this is never reached

void gemm_bf16(float*, long, bool, long, long, long, const float*, long, long, const float*, long, long) {
  throw std::logic_error("gemm_bf16: this build has no bf16 kernel");
}
void pack_bf16(PackedBf16&, long, long, const float*, long, long) {
  throw std::logic_error("pack_bf16: this build has no bf16 kernel");
}
void gemm_bf16(float*, long, bool, long, const float*, long, long, const PackedBf16&) {
  throw std::logic_error("gemm_bf16: this build has no bf16 kernel");
}

#endif

}  // namespace trm
