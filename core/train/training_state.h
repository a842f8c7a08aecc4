#pragma once
// TrainingState: everything a resume needs besides the model's weights, and its one format. A checkpoint's
// "training" object (io/checkpoint.h) is training_state_to_json's output; --resume reads it back with
// training_state_from_json, which checks every field and names the one that is wrong. The Trainer (trainer.h)
// runs the loop and keeps its position here; it does not know the format.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nn/parameters.h"
#include "optim/adamw.h"
#include "optim/ema.h"
#include "util/rng.h"

namespace trm {

struct TrainingState {
  int64_t step = 0;                      // trainer steps taken, skipped ones included
  int epoch = 0;                         // epochs completed
  int64_t epoch_step = 0;                // steps into the current epoch
  int64_t epoch_skipped = 0;             // skipped steps of the current epoch (not in its means)
  double epoch_loss_sum = 0.0, epoch_accuracy_sum = 0.0;  // the current epoch's running sums
  float lr_scale = 1.0f;                 // halved at every skipped non-finite step
  int64_t skipped_steps = 0;
  double train_seconds = 0.0;            // time spent in steps, across resumes
  Rng dropout_rng, augment_rng;          // the generators a step draws from (train/streams.h seeds them)
  std::vector<nlohmann::json> history;   // one metrics object per finished epoch
};

// The state with the optimiser's moments and step count and, when kept, the weight average (tensors named as the
// model's parameters). total_steps is recorded for readers; a resume recomputes it.
nlohmann::json training_state_to_json(const TrainingState& state, int64_t total_steps, const AdamW& optimizer,
                                      const WeightAverage* average, const Parameters& params);

// Reads `state` into out, optimizer and average (null exactly when the config keeps none); an InputError names
// `where` and the field. steps_per_epoch bounds the saved position.
void training_state_from_json(const nlohmann::json& state, const std::string& where, int64_t steps_per_epoch,
                              TrainingState& out, AdamW& optimizer, WeightAverage* average, const Parameters& params);

}  // namespace trm
