// Softmax cross-entropy over the last axis, mean over the rows that have a target.
#include <cmath>
#include <stdexcept>

#include "ops/ops.h"

namespace trm {

// probs[N, C] = softmax(logits);  returns sum over counted rows of -log probs[target]
static double cross_entropy_forward(float* probs, const float* logits, const int32_t* targets, int64_t rows,
                                    int64_t cols) {
  double total = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : total) if (rows * cols > 65536)
  for (int64_t r = 0; r < rows; ++r) {
    const float* lr = logits + r * cols;
    float* pr = probs + r * cols;
    float mx = lr[0];
    for (int64_t c = 1; c < cols; ++c) mx = std::max(mx, lr[c]);
    double sum = 0.0;
    for (int64_t c = 0; c < cols; ++c) {
      pr[c] = std::exp(lr[c] - mx);
      sum += pr[c];
    }
    const auto inv = static_cast<float>(1.0 / sum);
    for (int64_t c = 0; c < cols; ++c) pr[c] *= inv;
    if (targets[r] >= 0) total += -(static_cast<double>(lr[targets[r]]) - mx - std::log(sum));
  }
  return total;
}
// dlogits[r, c] += dloss / count * (probs[r, c] - [c == target])   for counted rows
static void cross_entropy_backward(float* dlogits, const float* probs, const int32_t* targets, int64_t rows,
                                   int64_t cols, float scale) {
#pragma omp parallel for schedule(static) if (rows * cols > 65536)
  for (int64_t r = 0; r < rows; ++r) {
    if (targets[r] < 0) continue;
    for (int64_t c = 0; c < cols; ++c)
      dlogits[r * cols + c] += scale * (probs[r * cols + c] - (c == targets[r] ? 1.0f : 0.0f));
  }
}

Var cross_entropy(Tape& tape, const Var& logits, const std::vector<int32_t>& targets) {
  const Shape& ls = logits->value.shape();
  const int64_t rows = ls.rows(), cols = ls.last();
  if (static_cast<int64_t>(targets.size()) != rows)
    throw std::invalid_argument("cross_entropy: " + std::to_string(targets.size()) + " targets for logits " + ls.str());
  int64_t counted = 0;
  for (int32_t t : targets) {
    if (t >= cols || t < -1) throw std::invalid_argument("cross_entropy: target " + std::to_string(t) + " out of range");
    counted += t >= 0;
  }
  Tensor probs = Tensor::empty(ls);
  const double total = cross_entropy_forward(probs.data(), logits->value.data(), targets.data(), rows, cols);
  const double denom = counted > 0 ? static_cast<double>(counted) : 1.0;
  Var out = make_var(Tensor::full(Shape{1}, static_cast<float>(total / denom)));
  if (tape.needs_grad({&logits})) {
    tape.record(out, [logits, probs, targets, rows, cols, denom, o = out.get()] {
      cross_entropy_backward(logits->grad_buffer().data(), probs.data(), targets.data(), rows, cols,
                             static_cast<float>(o->grad[0] / denom));
    });
  }
  return out;
}

}  // namespace trm
