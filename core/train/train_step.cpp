#include "train/train_step.h"

#include <cmath>
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

namespace {
// True when no value is NaN or infinite: x * 0 is 0 for finite x and NaN otherwise, and the sum vectorises.
bool all_finite(const float* values, int64_t n) {
  float probe = 0.0f;
  for (int64_t i = 0; i < n; ++i) probe += values[i] * 0.0f;
  return probe == 0.0f;
}
}  // namespace

StepResult train_step(TRM& model, AdamW& optimizer, const uint8_t* puzzles, const uint8_t* solutions, int64_t batch,
                      float lr, Rng& dropout_rng) {
  const TRMConfig& config = model.config();
  Parameters& params = model.parameters();
  params.zero_grad();
  StepResult result;
  {
    Tape tape;
    ForwardOptions options;
    options.training = true;
    options.dropout_rng = &dropout_rng;
    options.logits_every_cycle = config.deep_supervision;
    ForwardResult out = model.forward(tape, puzzles, batch, options);
    Var logits = out.logits;  // [B, 81, 9]
    const std::vector<int32_t> targets = cell_targets(solutions, batch);
    // One supervised prediction's loss: cross-entropy, plus the weighted constraint term when configured.
    auto supervised = [&](const Var& cycle_logits) {
      Var term = cross_entropy(tape, cycle_logits, targets);
      if (config.constraint_weight > 0.0f)
        term = add(tape, term, scale_by_constant(tape, unit_conflict(tape, cycle_logits), config.constraint_weight));
      return term;
    };
    Var loss;
    if (config.deep_supervision) {
      for (const Var& cycle : out.cycle_logits) {
        Var term = supervised(cycle);
        loss = loss ? add(tape, loss, term) : term;
      }
      loss = scale_by_constant(tape, loss, 1.0f / static_cast<float>(out.cycle_logits.size()));
    } else {
      loss = supervised(logits);
    }
    result.loss = loss->value[0];
    if (!std::isfinite(result.loss)) throw NonFiniteStep("the loss is not finite (" + std::to_string(result.loss) + ")");
    tape.backward(loss);

    std::vector<uint8_t> digits(static_cast<size_t>(batch * 81));
    std::vector<float> confidence(digits.size());
    decode_logits(logits->value.data(), batch * 81, digits.data(), confidence.data());
    AccuracyCounter counter;
    for (int64_t b = 0; b < batch; ++b) counter.add(puzzles + b * 81, solutions + b * 81, digits.data() + b * 81);
    result.blank_accuracy = counter.blank_accuracy();
  }
  // Clipping only rescales gradients; the parameters change in optimizer.step, after the check.
  result.grad_norm = clip_grad_norm(params, config.grad_clip);
  if (!std::isfinite(result.grad_norm))
    throw NonFiniteStep("the gradient norm is not finite (" + std::to_string(result.grad_norm) + ")");
  optimizer.step(lr);
  const int64_t n = params.size();
  if (!all_finite(params.values(), n) || !all_finite(optimizer.first_moment().data(), n) ||
      !all_finite(optimizer.second_moment().data(), n))
    throw NumericError("the update made a parameter or an optimiser moment non-finite (learning rate " +
                       std::to_string(lr) + " too high?)");
  return result;
}

}  // namespace trm
