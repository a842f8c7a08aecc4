#include "train/training_state.h"

#include <cmath>

#include "io/weights_json.h"
#include "util/error.h"

namespace trm {

using Json = nlohmann::json;

namespace {
Json rng_json(const Rng& rng) { return Json(std::vector<uint64_t>(rng.state().begin(), rng.state().end())); }
void rng_from_json(Rng& rng, const Json& j, const std::string& where) {
  if (!j.is_array() || j.size() != 4) throw InputError(where + ": bad generator state");
  Rng::State s{};
  for (size_t i = 0; i < 4; ++i) {
    if (!j[i].is_number_unsigned()) throw InputError(where + ": bad generator state");
    s[i] = j[i].get<uint64_t>();
  }
  rng.set_state(s);
}
// A finite number at `key`, `fallback` when the key is absent.
double get_number(const Json& j, const char* key, double fallback, const std::string& where) {
  if (!j.contains(key)) return fallback;
  if (!j[key].is_number() || !std::isfinite(j[key].get<double>()))
    throw InputError(where + ": \"" + key + "\" is not a finite number");
  return j[key].get<double>();
}
int64_t get_int(const Json& j, const char* key, const std::string& where) {
  if (!j.contains(key) || !j[key].is_number_integer()) throw InputError(where + ": \"" + key + "\" is missing or not an integer");
  return j[key].get<int64_t>();
}
}  // namespace

Json training_state_to_json(const TrainingState& state, int64_t total_steps, const AdamW& optimizer,
                            const WeightAverage* average, const Parameters& params) {
  Json j;
  j["step"] = state.step;
  j["epoch"] = state.epoch;
  j["epoch_step"] = state.epoch_step;
  j["epoch_skipped"] = state.epoch_skipped;
  j["total_steps"] = total_steps;
  j["epoch_loss_sum"] = state.epoch_loss_sum;
  j["epoch_accuracy_sum"] = state.epoch_accuracy_sum;
  j["lr_scale"] = state.lr_scale;
  j["skipped_steps"] = state.skipped_steps;
  j["train_seconds"] = state.train_seconds;
  j["dropout_rng"] = rng_json(state.dropout_rng);
  j["augment_rng"] = rng_json(state.augment_rng);
  j["optimizer"] = {{"steps", optimizer.steps()},
                    {"m", tensors_to_json(params, optimizer.first_moment().data(), TensorEncoding::Base64)},
                    {"v", tensors_to_json(params, optimizer.second_moment().data(), TensorEncoding::Base64)}};
  if (average) {
    j["ema"] = {{"updates", average->updates()},
                {"weights", tensors_to_json(params, average->average().data(), TensorEncoding::Base64)}};
  }
  j["history"] = state.history;
  return j;
}

void training_state_from_json(const Json& state, const std::string& where, int64_t steps_per_epoch, TrainingState& out,
                              AdamW& optimizer, WeightAverage* average, const Parameters& params) {
  if (!state.is_object()) throw InputError(where + ": training state must be an object");
  out.step = get_int(state, "step", where);
  out.epoch = static_cast<int>(get_int(state, "epoch", where));
  out.epoch_step = get_int(state, "epoch_step", where);
  out.epoch_skipped = state.contains("epoch_skipped") ? get_int(state, "epoch_skipped", where) : 0;
  if (out.epoch_skipped < 0 || out.epoch_skipped > out.epoch_step)
    throw InputError(where + ": \"epoch_skipped\" must be between 0 and \"epoch_step\"");
  if (out.step < 0 || out.epoch < 0 || out.epoch_step < 0 || out.epoch_step > steps_per_epoch)
    throw InputError(where + ": training position out of range (the data or batch size differs from the saved run?)");
  out.epoch_loss_sum = get_number(state, "epoch_loss_sum", 0.0, where);
  out.epoch_accuracy_sum = get_number(state, "epoch_accuracy_sum", 0.0, where);
  out.lr_scale = static_cast<float>(get_number(state, "lr_scale", 1.0, where));
  if (!(out.lr_scale > 0.0f && out.lr_scale <= 1.0f)) throw InputError(where + ": \"lr_scale\" must be in (0, 1]");
  out.skipped_steps = state.contains("skipped_steps") ? get_int(state, "skipped_steps", where) : 0;
  out.train_seconds = get_number(state, "train_seconds", 0.0, where);
  if (out.train_seconds < 0.0) throw InputError(where + ": \"train_seconds\" must be >= 0");
  rng_from_json(out.dropout_rng, state.value("dropout_rng", Json()), where + ": dropout_rng");
  rng_from_json(out.augment_rng, state.value("augment_rng", Json()), where + ": augment_rng");
  if (!state.contains("optimizer") || !state["optimizer"].is_object()) throw InputError(where + ": optimizer state missing");
  const Json& opt = state["optimizer"];
  optimizer.set_steps(get_int(opt, "steps", where + ": optimizer"));
  tensors_from_json(opt.value("m", Json()), params, optimizer.first_moment().data(), where + ": optimizer m");
  tensors_from_json(opt.value("v", Json()), params, optimizer.second_moment().data(), where + ": optimizer v");
  if (average) {
    if (!state.contains("ema") || !state["ema"].is_object())
      throw InputError(where + ": the config keeps a weight average (ema_decay > 0) but the state has no \"ema\"");
    const Json& ema = state["ema"];
    average->set_updates(get_int(ema, "updates", where + ": ema"));
    tensors_from_json(ema.value("weights", Json()), params, average->average().data(), where + ": ema weights");
  }
  out.history.clear();
  if (state.contains("history") && state["history"].is_array())
    for (const auto& h : state["history"]) {
      // Epoch metrics: objects whose scores (what picks best.json) are numbers; anything else is a damaged file.
      if (!h.is_object()) throw InputError(where + ": \"history\" holds an entry that is not an object");
      for (const char* key : {"val_loss", "val_blank_accuracy", "val_puzzle_accuracy", "train_loss"})
        if (h.contains(key) && !h[key].is_number())
          throw InputError(where + ": \"history\" entry key \"" + std::string(key) + "\" is not a number");
      out.history.push_back(h);
    }
}

}  // namespace trm
