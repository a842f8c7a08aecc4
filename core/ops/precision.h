#pragma once
// The precision of the matrix products (gemm_xwt, gemm_dx, gemm_dw, hence matmul and linear, forward and backward).
//
//   fp32: every product in float32 (the default).
//   bf16: both operands rounded to bfloat16 (8 significant bits, round to nearest even), products summed in float32,
//         results written in float32; weights, gradients, AdamW state and every other op stay float32 (the weights
//         are the float32 master copy; only the product's inputs are rounded, on the fly). Needs a CPU with
//         AVX512-BF16 dot products; core does not look at the CPU itself (no platform code here): the caller (the
//         command line, which can ask the CPU) says whether it has them, and core refuses bf16 where this build has
//         no kernel for it.
// Matrix-vector products (one or two rows, batch-1 inference) stay float32 in both: they are bound by reading the
// weights, not by multiply-adds.
#include <cstdint>
#include <string>
#include <vector>

namespace trm {

enum class MatmulPrecision { fp32, bf16 };

// Whether this build has the bf16 kernel (x86-64 GCC or Clang; not the WebAssembly build).
bool bf16_matmul_compiled();
// Sets the precision for every later product, in every thread. bf16 needs bf16_matmul_compiled() and
// cpu_has_bf16 (what the caller found on the CPU); otherwise std::invalid_argument saying which is missing.
void set_matmul_precision(MatmulPrecision precision, bool cpu_has_bf16);
MatmulPrecision matmul_precision();

// "fp32" / "bf16", and back (std::invalid_argument naming the accepted values).
std::string precision_name(MatmulPrecision precision);
MatmulPrecision parse_precision(const std::string& name);

// The bf16 GEMM itself (ops/gemm_bf16.cpp), on strided operands:
//   c[i, j] (+)= sum_k A(i, k) B(k, j)   for i < rows, j < cols, k < depth
// with A(i, k) = a[i * a_row + k * a_depth], B(k, j) = b[k * b_depth + j * b_col], c row-major with row stride ldc;
// accumulate: add to c (else overwrite). A and B are rounded to bf16, sums are float32. Results do not depend on the
// thread count (each element is reduced in the same order however the work is split). Only where
// bf16_matmul_compiled().
void gemm_bf16(float* c, long ldc, bool accumulate, long rows, long cols, long depth, const float* a, long a_row,
               long a_depth, const float* b, long b_depth, long b_col);

// The right-hand operand packed once, for products that reuse it (a weight used by every recursion step: linear
// keeps it on the tape for the tape's life, ops/linear.cpp). Same layout and same sums as gemm_bf16's own packing.
struct PackedBf16 {
  long cols = 0, depth = 0;
  std::vector<uint32_t> words;  // [ceil(cols / 16), ceil(depth / 2), 16] pairs of bf16
};
void pack_bf16(PackedBf16& out, long cols, long depth, const float* b, long b_depth, long b_col);
void gemm_bf16(float* c, long ldc, bool accumulate, long rows, const float* a, long a_row, long a_depth,
               const PackedBf16& b);

// x rounded to bfloat16 (round to nearest even) and back to float: the scalar reference the tests compare with.
float round_to_bf16(float x);

}  // namespace trm
