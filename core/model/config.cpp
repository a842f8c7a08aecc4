#include "model/config.h"

#include <cmath>
#include <functional>
#include <limits>
#include <map>

#include "util/error.h"

namespace trm {

namespace {

using Json = nlohmann::json;

// One table drives both directions, so a new field cannot be saved but forgotten when loading.
struct Field {
  std::function<Json(const TRMConfig&)> get;
  std::function<void(TRMConfig&, const Json&, const std::string&)> set;
};

template <typename T>
Field field(T TRMConfig::*member) {
  return Field{[member](const TRMConfig& c) { return Json(c.*member); },
               [member](TRMConfig& c, const Json& j, const std::string& where) {
                 if constexpr (std::is_same_v<T, std::string>) {
                   if (!j.is_string()) throw InputError(where + ": expected a string");
                   c.*member = j.get<std::string>();
                 } else if constexpr (std::is_same_v<T, bool>) {
                   if (!j.is_boolean()) throw InputError(where + ": expected true or false");
                   c.*member = j.get<bool>();
                 } else if constexpr (std::is_integral_v<T>) {
                   if (!j.is_number_integer()) throw InputError(where + ": expected an integer");
                   const auto v = j.get<int64_t>();
                   if (v < -2147483647LL || v > 2147483647LL) throw InputError(where + ": integer out of range");
                   c.*member = static_cast<T>(v);
                 } else {
                   if (!j.is_number()) throw InputError(where + ": expected a number");
                   const double v = j.get<double>();
                   if (std::isfinite(v) && std::fabs(v) > static_cast<double>(std::numeric_limits<T>::max()))
                     throw InputError(where + ": " + j.dump() + " is out of range (a 32-bit float holds at most about 3.4e38)");
                   c.*member = static_cast<T>(v);
                 }
               }};
}

const std::map<std::string, Field>& fields() {
  static const std::map<std::string, Field> table = {
      {"arch", field(&TRMConfig::arch)},
      {"input_dim", field(&TRMConfig::input_dim)},
      {"hidden_dim", field(&TRMConfig::hidden_dim)},
      {"output_dim", field(&TRMConfig::output_dim)},
      {"L_layers", field(&TRMConfig::L_layers)},
      {"L_cycles", field(&TRMConfig::L_cycles)},
      {"H_cycles", field(&TRMConfig::H_cycles)},
      {"O_layers", field(&TRMConfig::O_layers)},
      {"dropout", field(&TRMConfig::dropout)},
      {"gate_init", field(&TRMConfig::gate_init)},
      {"gate_type", field(&TRMConfig::gate_type)},
      {"lr", field(&TRMConfig::lr)},
      {"weight_decay", field(&TRMConfig::weight_decay)},
      {"batch_size", field(&TRMConfig::batch_size)},
      {"epochs", field(&TRMConfig::epochs)},
      {"warmup_steps", field(&TRMConfig::warmup_steps)},
      {"min_lr_ratio", field(&TRMConfig::min_lr_ratio)},
      {"grad_clip", field(&TRMConfig::grad_clip)},
      {"adam_beta1", field(&TRMConfig::adam_beta1)},
      {"adam_beta2", field(&TRMConfig::adam_beta2)},
      {"adam_eps", field(&TRMConfig::adam_eps)},
      {"deep_supervision", field(&TRMConfig::deep_supervision)},
      {"ema_decay", field(&TRMConfig::ema_decay)},
      {"supervision_steps", field(&TRMConfig::supervision_steps)},
      {"constraint_weight", field(&TRMConfig::constraint_weight)},
      {"halt_weight", field(&TRMConfig::halt_weight)},
  };
  return table;
}

void require(bool ok, const std::string& what) {
  if (!ok) throw InputError("config: " + what);
}

}  // namespace

void TRMConfig::validate() const {
  require(arch == "flat" || arch == "cells", "arch must be \"flat\" or \"cells\", got \"" + arch + "\"");
  require(input_dim == 810, "input_dim must be 810 (81 cells x 10 digits), got " + std::to_string(input_dim));
  require(output_dim == 729, "output_dim must be 729 (81 cells x 9 digits), got " + std::to_string(output_dim));
  require(hidden_dim >= 1 && hidden_dim <= 8192, "hidden_dim must be in [1, 8192], got " + std::to_string(hidden_dim));
  require(L_layers >= 1 && L_layers <= 64, "L_layers must be in [1, 64], got " + std::to_string(L_layers));
  require(L_cycles >= 1 && L_cycles <= 256, "L_cycles must be in [1, 256], got " + std::to_string(L_cycles));
  require(H_cycles >= 1 && H_cycles <= 256, "H_cycles must be in [1, 256], got " + std::to_string(H_cycles));
  require(O_layers >= 1 && O_layers <= 64, "O_layers must be in [1, 64], got " + std::to_string(O_layers));
  require(dropout >= 0.0f && dropout < 1.0f, "dropout must be in [0, 1), got " + std::to_string(dropout));
  require(std::isfinite(gate_init), "gate_init must be finite");
  require(gate_type == "scalar" || gate_type == "vector", "gate_type must be \"scalar\" or \"vector\", got \"" + gate_type + "\"");
  require(std::isfinite(lr) && lr > 0.0f, "lr must be positive, got " + std::to_string(lr));
  require(std::isfinite(weight_decay) && weight_decay >= 0.0f, "weight_decay must be >= 0");
  require(batch_size >= 1 && batch_size <= 1000000, "batch_size must be in [1, 1000000], got " + std::to_string(batch_size));
  require(epochs >= 1, "epochs must be >= 1, got " + std::to_string(epochs));
  require(warmup_steps >= 0, "warmup_steps must be >= 0");
  require(min_lr_ratio >= 0.0f && min_lr_ratio <= 1.0f, "min_lr_ratio must be in [0, 1]");
  require(std::isfinite(grad_clip) && grad_clip >= 0.0f, "grad_clip must be >= 0 (0 disables)");
  require(adam_beta1 >= 0.0f && adam_beta1 < 1.0f, "adam_beta1 must be in [0, 1)");
  require(adam_beta2 >= 0.0f && adam_beta2 < 1.0f, "adam_beta2 must be in [0, 1)");
  require(adam_eps > 0.0f, "adam_eps must be positive");
  require(supervision_steps >= 1 && supervision_steps <= 64,
          "supervision_steps must be in [1, 64], got " + std::to_string(supervision_steps));
  require(H_cycles * supervision_steps <= 256, "H_cycles * supervision_steps must be at most 256");
  require(std::isfinite(constraint_weight) && constraint_weight >= 0.0f,
          "constraint_weight must be >= 0 (0: no constraint term), got " + std::to_string(constraint_weight));
  require(std::isfinite(halt_weight) && halt_weight >= 0.0f,
          "halt_weight must be >= 0 (0: no halting head), got " + std::to_string(halt_weight));
  require(ema_decay >= 0.0f && ema_decay < 1.0f, "ema_decay must be in [0, 1) (0: no average), got " + std::to_string(ema_decay));
}

Json config_to_json(const TRMConfig& config) {
  Json out = Json::object();
  for (const auto& [name, f] : fields()) out[name] = f.get(config);
  return out;
}

void apply_config_json(TRMConfig& config, const Json& json, const std::string& where) {
  if (!json.is_object()) throw InputError(where + ": config must be a JSON object");
  for (const auto& [key, value] : json.items()) {
    auto it = fields().find(key);
    if (it == fields().end()) throw InputError(where + ": unknown config key \"" + printable(key) + "\"");
    it->second.set(config, value, where + ": config key \"" + key + "\"");
  }
}

TRMConfig config_from_json(const Json& json, const std::string& where) {
  TRMConfig config;
  apply_config_json(config, json, where);
  try {
    config.validate();
  } catch (const InputError& e) {
    throw InputError(where + ": " + e.what());
  }
  return config;
}

}  // namespace trm
