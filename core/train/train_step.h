#pragma once
// One optimisation step: forward, cell-wise cross-entropy over (B*81, 9), backward, global-norm
// clipping, AdamW. Non-finite loss or gradients are detected before the parameters change.
#include <cstdint>

#include "model/trm.h"
#include "optim/adamw.h"

namespace trm {

struct StepResult {
  float loss = 0.0f;         // mean cross-entropy over all B*81 cells
  float grad_norm = 0.0f;    // before clipping
  double blank_accuracy = 0.0;  // fraction of blank cells the final logits get right (training batch)
};

// puzzles, solutions: [batch, 81]. Throws NumericError (parameters untouched) when the loss or a
// gradient is not finite.
StepResult train_step(TRM& model, AdamW& optimizer, const uint8_t* puzzles, const uint8_t* solutions, int64_t batch,
                      float lr, Rng& dropout_rng);

// Cell-wise targets (solution digit - 1) for [batch, 81] solutions.
std::vector<int32_t> cell_targets(const uint8_t* solutions, int64_t batch);

}  // namespace trm
