#pragma once
// The differentiable ops the models are built from. Each op's forward and backward kernels sit
// side by side in its own file (ops/<op>.cpp); shapes are written [rows, cols] where "rows" is the
// product of all leading axes, so the same op serves the flat model ([B, d]) and the cell-wise
// one ([B, 81, d]).
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "autodiff/tape.h"
#include "util/rng.h"

namespace trm {

// out[rows, M] = x[rows, K] @ w[M, K]^T   (PyTorch's Linear layout: w is [out, in])
Var matmul(Tape& tape, const Var& x, const Var& w);
// out[rows, M] = x[rows, K] @ w[M, K]^T + b[M]: matmul and bias_add fused; b may be null (no bias)
Var linear(Tape& tape, const Var& x, const Var& w, const Var& b);
// out[rows, M] = x[rows, M] + b[M]
Var bias_add(Tape& tape, const Var& x, const Var& b);
// out = a + b (same shape)
Var add(Tape& tape, const Var& a, const Var& b);
// out = a + b + c (same shape)
Var add3(Tape& tape, const Var& a, const Var& b, const Var& c);
// out = x + g * r with a learnable gate g of shape [1] (scalar) or [M] (per channel): the gated residual
Var gated_add(Tape& tape, const Var& x, const Var& r, const Var& g);
// out = s * x with a learnable scalar s of shape [1] (the recursion gates)
Var scale_by_scalar(Tape& tape, const Var& x, const Var& s);
// out[rows, M] = x[rows, M] * g[M] with a learnable vector g (per-channel gates)
Var scale_by_vector(Tape& tape, const Var& x, const Var& g);
// The same values viewed with another shape of equal size (no copy).
Var reshape(Tape& tape, const Var& x, const Shape& shape);
// out = c * x for a constant c (loss weights)
Var scale_by_constant(Tape& tape, const Var& x, float c);
// LayerNorm over the last axis with affine weight and bias [M]; eps as PyTorch's default.
constexpr float kLayerNormEps = 1e-5f;
Var layer_norm(Tape& tape, const Var& x, const Var& weight, const Var& bias);
// GELU, the exact erf form (PyTorch's default): 0.5 x (1 + erf(x / sqrt 2)).
Var gelu(Tape& tape, const Var& x);
// Inverted dropout: in training each element is zeroed with probability p and the rest scaled by
// 1/(1-p), drawing from `rng`; in evaluation (or p == 0) it is the identity.
Var dropout(Tape& tape, const Var& x, float p, bool training, Rng& rng);
// out[i, :] = table[indices[i], :]: rows of a [V, d] table; out has shape `shape` (last axis d).
Var embedding(Tape& tape, const Var& table, const std::vector<int32_t>& indices, const Shape& shape);
// Concatenation along the last axis: [rows, d_0] ++ [rows, d_1] ++ ... -> [rows, sum d_i].
Var concat_last(Tape& tape, const std::vector<Var>& parts);
// Sudoku unit mean over x [B, 81, d]: each cell gets the mean of the 9 cells (itself included) of
// its row, column or 3x3 box.
enum class SudokuUnit { Row, Column, Box };
Var unit_mean(Tape& tape, const Var& x, SudokuUnit unit);
// The three unit means side by side: [B, 81, d] -> [B, 81, 3d] = [row mean, column mean, box mean]
// (concat_last of the three unit_means, in one pass and one tensor).
Var unit_means(Tape& tape, const Var& x);
// linear(unit_means(x), w, b) for x [B, 81, d], w [d, 3d], b [d] (may be null) -> [B, 81, d], computed on the 27
// unit means (each unit's product is shared by its nine cells): 9 times fewer multiply-adds, same function.
// residual: x + linear(unit_means(x), w, b), the bits of add(x, unit_mix(x, w, b)) in one pass and one tensor.
Var unit_mix(Tape& tape, const Var& x, const Var& w, const Var& b, bool residual = false);
// Mean softmax cross-entropy over the last axis: logits [rows, C], one target class per row in
// [0, C), or -1 to leave the row out of the loss and the mean. Returns a [1] tensor.
Var cross_entropy(Tape& tape, const Var& logits, const std::vector<int32_t>& targets);
// The constraint-aware loss term on logits [B, 81, 9]: the probability, averaged over every pair of cells that
// share a row, column or box (972 per puzzle) and over the batch, that both cells take the same digit when each
// draws its digit from its softmax. 0 for a confident valid grid, 1/9 for uniform guesses. Returns a [1] tensor.
Var unit_conflict(Tape& tape, const Var& logits);

// Kernels the tape-free inference path shares with the ops (no Var, no tape).
// out[N, M] = x[N, K] @ w[M, K]^T, split across threads when large enough.
void gemm_xwt(Tensor& out, const Tensor& x, const Tensor& w);
// The same product by our register-tiled kernel (w packed into column panels, 4x2-packet tiles): what gemm_xwt
// runs in the WebAssembly build, where it is 1.7-2x Eigen's speed; callable everywhere so native tests check it.
void gemm_xwt_tiled(Tensor& out, const Tensor& x, const Tensor& w);
// The same kernel on raw rows: out[N, M] = x[N, K] @ w[M, K]^T (+ bias[M] when not null, added to each finished sum),
// with w's rows ldw floats apart (a block of columns of a wider matrix); x and out contiguous.
void gemm_xwt_tiled(float* out, const float* x, const float* w, int64_t n, int64_t k, int64_t m, int64_t ldw,
                    const float* bias);
// dst += src (same number of elements), split across threads when large
void accumulate(Tensor& dst, const Tensor& src);
// x's gradient += dout (same shape): a copy when it is the first contribution (Node::grad_target)
void accumulate_grad(Node& x, const Tensor& dout);
// Each input's gradient += o's gradient (null inputs skipped, one may appear twice); one input with no gradient yet
// may take o's gradient buffer itself (Node::adopt_grad). add's and add3's backward.
void pass_grad(Node& o, std::initializer_list<Node*> inputs);
// dx[N, K] += dout[N, M] @ w[M, K]
void gemm_dx(Tensor& dx, const Tensor& dout, const Tensor& w);
// dw[M, K] += dout[N, M]^T @ x[N, K]
void gemm_dw(Tensor& dw, const Tensor& dout, const Tensor& x);

}  // namespace trm
