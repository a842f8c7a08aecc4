#pragma once
// Central finite-difference gradient checks for ops and whole models.
//
// The checked function's output is reduced to L = sum(out * R) for a fixed random R (so every
// output element's gradient matters, with a different weight), L is evaluated in double from the
// float outputs, and for each checked element x_i the analytic dL/dx_i is compared with
// (L(x_i + eps) - L(x_i - eps)) / 2 eps.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "autodiff/tape.h"
#include "util/rng.h"

namespace trm_test {

using trm::Shape;
using trm::Tape;
using trm::Tensor;
using trm::Var;

inline Tensor random_tensor(const Shape& shape, trm::Rng& rng, float scale = 1.0f) {
  Tensor t = Tensor::empty(shape);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = scale * rng.normal();
  return t;
}

// A trainable leaf with its own zeroed gradient buffer.
inline Var make_leaf(Tensor value) {
  Tensor grad = Tensor::zeros(value.shape());
  return trm::leaf(std::move(value), std::move(grad));
}

// L = sum(out * weights) as a tape op, so backward seeds out's gradient with `weights`.
inline Var weighted_sum(Tape& tape, const Var& out, const Tensor& weights) {
  double total = 0.0;
  for (int64_t i = 0; i < out->value.numel(); ++i) total += static_cast<double>(out->value[i]) * weights[i];
  Var loss = trm::make_var(Tensor::full(Shape{1}, static_cast<float>(total)));
  if (tape.needs_grad({&out}))
    tape.record(loss, [out, weights, l = loss.get()] { out->grad_buffer().array() += l->grad[0] * weights.array(); });
  return loss;
}

struct GradCheckOptions {
  float eps = 1e-2f;
  double rtol = 1e-2;   // relative to the larger of the two gradients
  double atol = 1e-4;   // absolute floor, scaled by the largest |gradient| of the tensor
  int max_elements = 0;  // per leaf; 0 checks every element, else a random sample of this many
};

// Checks d(sum(build(tape) * R))/d(leaf) for every leaf. `build` must be deterministic (reseed any
// Rng inside it).
inline void check_gradients(const std::vector<std::pair<std::string, Var>>& leaves,
                            const std::function<Var(Tape&)>& build, const GradCheckOptions& options = {}) {
  trm::Rng rng(1234);
  Tensor weights;
  {
    Tape probe(false);
    weights = random_tensor(build(probe)->value.shape(), rng);
  }
  auto loss_at = [&]() {
    Tape tape(false);
    Var out = build(tape);
    double total = 0.0;
    for (int64_t i = 0; i < out->value.numel(); ++i) total += static_cast<double>(out->value[i]) * weights[i];
    return total;
  };

  for (auto& entry : leaves) entry.second->grad.fill(0.0f);
  {
    Tape tape;
    Var loss = weighted_sum(tape, build(tape), weights);
    tape.backward(loss);
  }

  for (auto& [name, leaf] : leaves) {
    Tensor& x = leaf->value;
    const Tensor& analytic = leaf->grad;
    std::vector<int64_t> indices(static_cast<size_t>(x.numel()));
    for (int64_t i = 0; i < x.numel(); ++i) indices[static_cast<size_t>(i)] = i;
    if (options.max_elements > 0 && x.numel() > options.max_elements) {
      rng.shuffle(indices.begin(), indices.end());
      indices.resize(static_cast<size_t>(options.max_elements));
    }
    double largest = 0.0;
    for (int64_t i = 0; i < x.numel(); ++i) largest = std::max(largest, std::fabs(static_cast<double>(analytic[i])));
    int failures = 0;
    std::ostringstream report;
    for (int64_t i : indices) {
      const float saved = x[i];
      x[i] = saved + options.eps;
      const double plus = loss_at();
      x[i] = saved - options.eps;
      const double minus = loss_at();
      x[i] = saved;
      const double numeric = (plus - minus) / (2.0 * static_cast<double>(options.eps));
      const double a = analytic[i];
      const double tolerance = options.atol * std::max(1.0, largest) + options.rtol * std::max(std::fabs(a), std::fabs(numeric));
      if (!(std::fabs(a - numeric) <= tolerance)) {
        if (failures++ < 5) report << "  " << name << "[" << i << "]: analytic " << a << ", numeric " << numeric << "\n";
      }
    }
    INFO("gradient check of " << name << " (" << indices.size() << " elements, largest |grad| " << largest << ")\n"
                              << report.str());
    CHECK(failures == 0);
    // A check on an all-zero gradient proves nothing: make sure something flowed.
    CHECK(largest > 0.0);
  }
}

}  // namespace trm_test
