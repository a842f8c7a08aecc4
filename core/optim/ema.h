#pragma once
// WeightAverage: an exponential moving average (EMA) of the weights, kept beside the training weights and used
// for validation, evaluation and export. Averaging over the last ~1/(1 - decay) steps smooths out the noise of
// small-batch AdamW; the TRM paper's ablation credits EMA (0.999) with 7.5 points of Sudoku accuracy.
//
// After every optimiser step: average <- d_t * average + (1 - d_t) * weights, with d_t = min(decay, (1+t)/(10+t))
// for the t-th update, so the first averages follow the weights closely instead of remembering the random
// initialisation for thousands of steps (the usual warm-up, as in TensorFlow's ExponentialMovingAverage).
#include <cstdint>

#include "nn/parameters.h"
#include "util/aligned_buffer.h"

namespace trm {

class WeightAverage {
 public:
  // Starts from the current weights.
  WeightAverage(const Parameters& params, float decay);

  void update(const Parameters& params);
  // Exchanges the average and the weights in place: call once to evaluate with the average, again to go back.
  void swap_with(Parameters& params);

  float decay() const { return decay_; }
  int64_t updates() const { return updates_; }
  void set_updates(int64_t updates) { updates_ = updates; }
  AlignedBuffer& average() { return average_; }  // laid out like the parameter arena (for checkpoints)
  const AlignedBuffer& average() const { return average_; }

 private:
  float decay_;
  int64_t updates_ = 0;
  AlignedBuffer average_;  // (parameter arena)
};

}  // namespace trm
