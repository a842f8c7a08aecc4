// The constraint-aware loss term: the probability that two cells of one row, column or box hold the same
// digit, when each cell's digit is drawn from its softmax. A solved grid scores 0; uniform guesses 1/9.
//
// For a unit u and digit k, with S_uk = sum over the unit's cells c of p_ck, the expected number of same-digit
// pairs in u is sum_k (S_uk^2 - sum_c p_ck^2) / 2; the loss is the mean over the batch's 27 * 36 = 972 unit
// pairs per puzzle. Gradient: dL/dp_ck = (1/(B*972)) * sum over c's three units u of (S_uk - p_ck), then the
// softmax's backward dL/dlogit = p * (g - sum_k p_k g_k).
#include <array>
#include <cmath>
#include <stdexcept>

#include "ops/ops.h"
#include "sudoku/grid.h"

namespace trm {

namespace {

constexpr int kUnitPairs = 27 * 36;  // pairs of cells sharing a unit, counted once per shared unit

// unit index of each cell for rows (0-8), columns (9-17), boxes (18-26)
struct CellUnits {
  std::array<std::array<int, 3>, 81> of{};
  CellUnits() {
    for (int c = 0; c < 81; ++c) of[c] = {c / 9, 9 + c % 9, 18 + sudoku::box_of(c)};
  }
};
const CellUnits& cell_units() {
  static const CellUnits units;
  return units;
}

// probs[B, 81, 9] = softmax(logits); sums[B, 27, 9] = S; returns the summed expected pair count.
double unit_conflict_forward(float* probs, float* sums, const float* logits, int64_t batch) {
  const CellUnits& units = cell_units();
  double total = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : total) if (batch > 64)
  for (int64_t b = 0; b < batch; ++b) {
    float* pb = probs + b * 729;
    float* sb = sums + b * 243;
    std::fill(sb, sb + 243, 0.0f);
    double squares = 0.0;
    for (int c = 0; c < 81; ++c) {
      const float* l = logits + b * 729 + c * 9;
      float* p = pb + c * 9;
      float mx = l[0];
      for (int k = 1; k < 9; ++k) mx = std::max(mx, l[k]);
      float sum = 0.0f;
      for (int k = 0; k < 9; ++k) sum += p[k] = std::exp(l[k] - mx);
      for (int k = 0; k < 9; ++k) {
        p[k] /= sum;
        squares += 3.0 * static_cast<double>(p[k]) * p[k];  // each cell is in three units
        for (int u : units.of[c]) sb[u * 9 + k] += p[k];
      }
    }
    double pairs = -squares;
    for (int i = 0; i < 243; ++i) pairs += static_cast<double>(sb[i]) * sb[i];
    total += 0.5 * pairs;
  }
  return total;
}

// dlogits[B, 81, 9] += softmax backward of g_ck = scale * sum over c's units of (S_uk - p_ck)
void unit_conflict_backward(float* dlogits, const float* probs, const float* sums, int64_t batch, float scale) {
  const CellUnits& units = cell_units();
#pragma omp parallel for schedule(static) if (batch > 64)
  for (int64_t b = 0; b < batch; ++b) {
    for (int c = 0; c < 81; ++c) {
      const float* p = probs + b * 729 + c * 9;
      float g[9];
      float dot = 0.0f;
      for (int k = 0; k < 9; ++k) {
        float s = -3.0f * p[k];
        for (int u : units.of[c]) s += sums[b * 243 + u * 9 + k];
        g[k] = scale * s;
        dot += p[k] * g[k];
      }
      float* d = dlogits + b * 729 + c * 9;
      for (int k = 0; k < 9; ++k) d[k] += p[k] * (g[k] - dot);
    }
  }
}

}  // namespace

Var unit_conflict(Tape& tape, const Var& logits) {
  const Shape& ls = logits->value.shape();
  if (ls.rank() != 3 || ls[1] != 81 || ls[2] != 9)
    throw std::invalid_argument("unit_conflict: expected logits [B, 81, 9], got " + ls.str());
  const int64_t batch = ls[0];
  Tensor probs = Tensor::empty(ls);
  Tensor sums = Tensor::empty(Shape{batch, 27, 9});
  const double total = unit_conflict_forward(probs.data(), sums.data(), logits->value.data(), batch);
  const double denom = static_cast<double>(batch) * kUnitPairs;
  Var out = make_var(Tensor::full(Shape{1}, static_cast<float>(total / denom)));
  if (tape.needs_grad({&logits})) {
    tape.record(out, [logits, probs, sums, batch, denom, o = out.get()] {
      unit_conflict_backward(logits->grad_buffer().data(), probs.data(), sums.data(), batch,
                             static_cast<float>(o->grad[0] / denom));
    });
  }
  return out;
}

}  // namespace trm
