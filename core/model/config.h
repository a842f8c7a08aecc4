#pragma once
// TRMConfig: every hyper-parameter of a model and its training run, in one place. Field names
// follow the reference project's spelling (hidden_dim, L_layers, L_cycles, H_cycles, ...), and the
// JSON form uses exactly these names, so a config file from the reference reads as it is.
#include <nlohmann/json.hpp>
#include <string>

namespace trm {

struct TRMConfig {
  // Architecture. "flat": the reference model, one 810 -> d vector per puzzle. "cells": 81 cell
  // tokens with shared weights and row/column/box mixing (model/cells.h).
  std::string arch = "flat";
  int input_dim = 810;    // 81 cells x 10 one-hot digits (0 = blank)
  int hidden_dim = 512;   // d
  int output_dim = 729;   // 81 cells x 9 digits
  int L_layers = 3;       // blocks in the latent net R
  int L_cycles = 8;       // inner refinements of z per outer cycle
  int H_cycles = 4;       // outer cycles (updates of y)
  int O_layers = 2;       // blocks in the output net O
  float dropout = 0.1f;
  float gate_init = 1.0f;           // initial value of the latent and output gates
  std::string gate_type = "scalar";  // "scalar" (one learnable number) or "vector" (one per channel)

  // Training.
  float lr = 1e-3f;
  float weight_decay = 0.01f;
  int batch_size = 64;
  int epochs = 10;
  int warmup_steps = 0;
  float min_lr_ratio = 0.0f;  // cosine schedule floor, as a fraction of lr
  float grad_clip = 1.0f;     // global gradient-norm clip; 0 disables
  float adam_beta1 = 0.9f;
  float adam_beta2 = 0.999f;
  float adam_eps = 1e-8f;
  // Deep supervision: the loss is the mean of the cross-entropies after every outer cycle, so every
  // cycle's prediction (every frame the page shows) is trained, not only the last.
  bool deep_supervision = false;
  // Supervision steps (TRM's deep supervision): each batch is trained this many times in a row, every time for
  // H_cycles outer cycles starting from the previous time's final states (y, z), detached. Each is one AdamW
  // update; a trainer step is the whole sequence. Training thus reaches supervision_steps * H_cycles cycles of
  // recursion with the memory of H_cycles, and inference runs that many (inference_cycles()).
  int supervision_steps = 1;
  // EMA of the weights (optim/ema.h) for validation, evaluation and export; 0 keeps none.
  float ema_decay = 0.0f;
  // Constraint-aware loss: this weight times unit_conflict (ops.h: the probability that two cells of a row,
  // column or box take the same digit) is added to every supervised cross-entropy term; 0 leaves it out.
  float constraint_weight = 0.0f;
  // Learned halting (TRM's Q-head): with a weight above 0 the model has a halting head, halt_head(y) -> 2 logits
  // (go on, halt) read from the whole answer state, trained with this weight times the cross-entropy against "every
  // blank of this cycle's answer is right", on every supervised cycle; the head reads the state without sending
  // gradient back into it. Inference stops a reading at the first cycle whose head says halt (model/inference.h).
  // 0: no head.
  float halt_weight = 0.0f;

  // The outer cycles inference runs by default: every supervision step's, as trained.
  int inference_cycles() const { return H_cycles * supervision_steps; }

  // Throws InputError naming the first field whose value is out of range.
  void validate() const;
};

// JSON with every field. Reading is strict: an unknown key, a wrong type or an invalid value is an
// InputError naming the key and `where` (a file name); a missing key keeps its default.
nlohmann::json config_to_json(const TRMConfig& config);
TRMConfig config_from_json(const nlohmann::json& json, const std::string& where);
// Applies the keys present in `json` on top of `config` (for --config files and overrides).
void apply_config_json(TRMConfig& config, const nlohmann::json& json, const std::string& where);

}  // namespace trm
