#pragma once
// Checkpoints: the weights (in the production format, embedded whole) plus the training state
// that makes `--resume` exact. `trm export` drops the state and keeps the weights.
//
//   {"format": "trm-sudoku-checkpoint", "version": 1,
//    "weights": {...weights JSON, see weights_json.h...},
//    "training": {...Trainer::state_json()...},
//    "run": {...what the caller wants to remember: seed, data files, options...}}
#include <istream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "model/trm.h"

namespace trm {

constexpr const char* kCheckpointFormat = "trm-sudoku-checkpoint";
constexpr int kCheckpointVersion = 1;

nlohmann::json make_checkpoint(const TRM& model, const nlohmann::json& training_state, const nlohmann::json& run);

// Which weights a checkpoint yields. A run with ema_decay > 0 keeps two sets: the training weights (what a resume
// continues from) and their average (what validation measured, and what eval, solve and export should use).
enum class CheckpointWeights { Evaluation, Training };

struct LoadedModel {
  std::unique_ptr<TRM> model;
  bool is_checkpoint = false;
  nlohmann::json training;  // the checkpoint's training state (null for production weights)
  nlohmann::json run;
  bool averaged = false;  // the model holds the checkpoint's weight average (CheckpointWeights::Evaluation)
};

// Reads a checkpoint or production weights (told apart by "format"), fully validated. Production weights are
// always the evaluation weights (export writes the average).
LoadedModel load_model(std::istream& in, const std::string& where,
                       CheckpointWeights which = CheckpointWeights::Evaluation);
LoadedModel model_from_any_json(const nlohmann::json& json, const std::string& where,
                                CheckpointWeights which = CheckpointWeights::Evaluation);

}  // namespace trm
