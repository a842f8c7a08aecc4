#pragma once
// One training step: forward, cell-wise cross-entropy over (B*81, 9), backward, global-norm clipping, AdamW;
// with config.supervision_steps > 1, that many such updates on the same batch, each starting the recursion from
// the previous one's final states. Non-finite loss or gradients are detected before the parameters change (with
// several supervision steps, the earlier ones' updates are undone).
#include <cstdint>

#include "model/trm.h"
#include "optim/adamw.h"
#include "train/communicator.h"
#include "util/error.h"

namespace trm {

struct StepResult {
  float loss = 0.0f;         // mean cross-entropy over all B*81 cells (mean over the supervision steps)
  float grad_norm = 0.0f;    // before clipping (mean over the supervision steps)
  double blank_accuracy = 0.0;  // fraction of blank cells the final logits get right (training batch)
};

// The loss or the gradient of one step is not finite. Thrown before anything changes: parameters, optimiser
// moments and step count are as they were, so the caller may skip the step (the dropout generator has moved on,
// the same way on every run, so a resumed run still repeats it exactly).
class NonFiniteStep : public NumericError {
 public:
  using NumericError::NumericError;
};

// puzzles, solutions: [batch, 81]. Throws NonFiniteStep when the loss or the gradient norm is not finite, and
// NumericError when the update itself made a parameter or an optimiser moment non-finite (too high a learning
// rate; the state is then spoiled and must not be saved). Messages say what, not which step: the caller knows it.
//
// Data-parallel (ranks with size() > 1): puzzles and solutions are this rank's shard, [batch, 81] of a global batch
// of batch * size() samples whose slots rank * batch .. come here. The losses are means over the shard, so the mean
// of the ranks' gradients (all-reduced) is the global batch's gradient; the reported loss and accuracy are the
// global batch's too, and every rank takes the same decisions (non-finite, clipping) and the same update.
StepResult train_step(TRM& model, AdamW& optimizer, const uint8_t* puzzles, const uint8_t* solutions, int64_t batch,
                      float lr, Rng& dropout_rng, Communicator* ranks = nullptr);

// Cell-wise targets (solution digit - 1) for [batch, 81] solutions.
std::vector<int32_t> cell_targets(const uint8_t* solutions, int64_t batch);
// The halting head's targets [B] for one cycle's logits [B, 81, 9]: 1 where the argmax of every blank of puzzles
// [B, 81] is the solution's digit (the answer is right: halting now loses nothing), else 0.
std::vector<int32_t> halt_targets(const Tensor& logits, const uint8_t* puzzles, const uint8_t* solutions, int64_t batch);

}  // namespace trm
