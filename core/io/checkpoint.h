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

struct LoadedModel {
  std::unique_ptr<TRM> model;
  bool is_checkpoint = false;
  nlohmann::json training;  // the checkpoint's training state (null for production weights)
  nlohmann::json run;
};

// Reads a checkpoint or production weights (told apart by "format"), fully validated.
LoadedModel load_model(std::istream& in, const std::string& where);
LoadedModel model_from_any_json(const nlohmann::json& json, const std::string& where);

}  // namespace trm
