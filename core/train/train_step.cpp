#include "train/train_step.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "model/inference.h"
#include "train/metrics.h"
#include "util/error.h"

namespace trm {

std::vector<int32_t> cell_targets(const uint8_t* solutions, int64_t batch) {
  std::vector<int32_t> targets(static_cast<size_t>(batch * 81));
  for (size_t i = 0; i < targets.size(); ++i) targets[i] = static_cast<int32_t>(solutions[i]) - 1;
  return targets;
}

std::vector<int32_t> halt_targets(const Tensor& logits, const uint8_t* puzzles, const uint8_t* solutions, int64_t batch) {
  std::vector<int32_t> targets(static_cast<size_t>(batch));
  for (int64_t b = 0; b < batch; ++b) {
    bool right = true;
    for (int64_t c = 0; c < 81 && right; ++c) {
      if (puzzles[b * 81 + c] != 0) continue;  // decoding keeps the givens
      const float* row = logits.data() + (b * 81 + c) * 9;
      right = std::max_element(row, row + 9) - row + 1 == solutions[b * 81 + c];
    }
    targets[static_cast<size_t>(b)] = right ? 1 : 0;
  }
  return targets;
}

namespace {
// True when no value is NaN or infinite: x * 0 is 0 for finite x and NaN otherwise, and the sum vectorises.
bool all_finite(const float* values, int64_t n) {
  float probe = 0.0f;
  for (int64_t i = 0; i < n; ++i) probe += values[i] * 0.0f;
  return probe == 0.0f;
}
}  // namespace

namespace {

// The parameters and optimiser state before a sequence of supervision steps, so a non-finite loss or gradient in
// a later step can put everything back: the whole trainer step is then skipped or stopped as one.
struct Snapshot {
  std::vector<float> values, m, v;
  int64_t steps = 0;
  Snapshot(const Parameters& params, const AdamW& optimizer)
      : values(params.values(), params.values() + params.size()),
        m(optimizer.first_moment().data(), optimizer.first_moment().data() + params.size()),
        v(optimizer.second_moment().data(), optimizer.second_moment().data() + params.size()),
        steps(optimizer.steps()) {}
  void restore(Parameters& params, AdamW& optimizer) const {
    std::copy(values.begin(), values.end(), params.values());
    std::copy(m.begin(), m.end(), optimizer.first_moment().data());
    std::copy(v.begin(), v.end(), optimizer.second_moment().data());
    optimizer.set_steps(steps);
  }
};

}  // namespace

StepResult train_step(TRM& model, AdamW& optimizer, const uint8_t* puzzles, const uint8_t* solutions, int64_t batch,
                      float lr, Rng& dropout_rng, Communicator* ranks) {
  const bool parallel = ranks && ranks->size() > 1;
  const TRMConfig& config = model.config();
  Parameters& params = model.parameters();
  const std::vector<int32_t> targets = cell_targets(solutions, batch);
  const int supervision_steps = config.supervision_steps;
  std::optional<Snapshot> before;
  if (supervision_steps > 1) before.emplace(params, optimizer);
  auto fail = [&](const std::string& why) {
    if (before) before->restore(params, optimizer);
    throw NonFiniteStep(why);
  };

  StepResult result;
  double loss_sum = 0.0, norm_sum = 0.0;
  Tensor carried_y, carried_z;  // the previous supervision step's final states
  for (int s = 0; s < supervision_steps; ++s) {
    params.zero_grad();
    {
      Tape tape;
      ForwardOptions options;
      options.training = true;
      options.h_cycles = config.H_cycles;
      options.dropout_rng = &dropout_rng;
      options.logits_every_cycle = config.deep_supervision;
      options.halt_logits = model.has_halting();
      if (parallel) options.shard_index = ranks->rank(), options.shard_count = ranks->size();
      if (s > 0) options.start_y = &carried_y, options.start_z = &carried_z;
      ForwardResult out = model.forward(tape, puzzles, batch, options);
      Var logits = out.logits;  // [B, 81, 9]
      // One supervised prediction's loss: cross-entropy, plus the weighted constraint term when configured, plus
      // the halting head's cross-entropy against whether this prediction is already exactly right.
      auto supervised = [&](const Var& cycle_logits, const Var& halt) {
        Var term = cross_entropy(tape, cycle_logits, targets);
        if (config.constraint_weight > 0.0f)
          term = add(tape, term, scale_by_constant(tape, unit_conflict(tape, cycle_logits), config.constraint_weight));
        if (halt)
          term = add(tape, term, scale_by_constant(tape, cross_entropy(tape, halt, halt_targets(cycle_logits->value, puzzles, solutions, batch)),
                                                   config.halt_weight));
        return term;
      };
      Var loss;
      if (config.deep_supervision) {
        for (size_t c = 0; c < out.cycle_logits.size(); ++c) {
          Var term = supervised(out.cycle_logits[c], out.cycle_halt.empty() ? Var() : out.cycle_halt[c]);
          loss = loss ? add(tape, loss, term) : term;
        }
        loss = scale_by_constant(tape, loss, 1.0f / static_cast<float>(out.cycle_logits.size()));
      } else {
        loss = supervised(logits, out.halt);
      }
      float value = loss->value[0];
      if (parallel) {  // the global batch's mean: every rank then takes the same decision below
        ranks->all_reduce_sum(&value, 1);
        value /= static_cast<float>(ranks->size());
      }
      if (!std::isfinite(value)) fail("the loss is not finite (" + std::to_string(value) + ")");
      loss_sum += value;
      tape.backward(loss);
      carried_y = out.y;
      carried_z = out.z;

      if (s + 1 == supervision_steps) {  // accuracy of the deepest prediction
        std::vector<uint8_t> digits(static_cast<size_t>(batch * 81));
        std::vector<float> confidence(digits.size());
        decode_logits(logits->value.data(), batch * 81, digits.data(), confidence.data());
        AccuracyCounter counter;
        for (int64_t b = 0; b < batch; ++b) counter.add(puzzles + b * 81, solutions + b * 81, digits.data() + b * 81);
        if (parallel) {  // counts, not fractions: shards hold different numbers of blanks
          double counts[2] = {static_cast<double>(counter.blank_correct), static_cast<double>(counter.blank_cells)};
          ranks->all_reduce_sum(counts, 2);
          counter.blank_correct = static_cast<int64_t>(counts[0]);
          counter.blank_cells = static_cast<int64_t>(counts[1]);
        }
        result.blank_accuracy = counter.blank_accuracy();
      }
    }
    if (parallel) {
      // The ranks' gradients are of means over equal shards: their mean is the global batch's gradient. One
      // all-reduce over the whole arena (params.grads() is contiguous); every rank receives the same sums.
      float* grads = params.grads();
      const int64_t n = params.size();
      ranks->all_reduce_sum(grads, n);
      const float inverse_ranks = 1.0f / static_cast<float>(ranks->size());
      for (int64_t i = 0; i < n; ++i) grads[i] *= inverse_ranks;
    }
    // Clipping only rescales gradients; the parameters change in optimizer.step, after the check.
    const float norm = clip_grad_norm(params, config.grad_clip);
    if (!std::isfinite(norm)) fail("the gradient norm is not finite (" + std::to_string(norm) + ")");
    norm_sum += norm;
    optimizer.step(lr);
    const int64_t n = params.size();
    if (!all_finite(params.values(), n) || !all_finite(optimizer.first_moment().data(), n) ||
        !all_finite(optimizer.second_moment().data(), n))
      throw NumericError("the update made a parameter or an optimiser moment non-finite (learning rate " +
                         std::to_string(lr) + " too high?)");
  }
  result.loss = static_cast<float>(loss_sum / supervision_steps);
  result.grad_norm = static_cast<float>(norm_sum / supervision_steps);
  return result;
}

}  // namespace trm
