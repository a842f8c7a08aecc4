#include "io/checkpoint.h"

#include <cmath>

#include "io/weights_json.h"
#include "util/error.h"

namespace trm {

using Json = nlohmann::json;

Json make_checkpoint(const TRM& model, const Json& training_state, const Json& run) {
  // A checkpoint must load again: never write one whose weights are not finite (training stops instead).
  const Parameters& params = model.parameters();
  for (const auto& info : params.infos()) {
    const float* values = params.values() + info.offset;
    for (int64_t i = 0; i < info.shape.numel(); ++i)
      if (!std::isfinite(values[i]))
        throw NumericError("not writing a checkpoint: tensor \"" + info.name + "\" value " + std::to_string(i) +
                           " is not finite");
  }
  Json j;
  j["format"] = kCheckpointFormat;
  j["version"] = kCheckpointVersion;
  j["weights"] = weights_to_json(model);
  j["training"] = training_state;
  j["run"] = run;
  return j;
}

LoadedModel model_from_any_json(const Json& json, const std::string& where, CheckpointWeights which) {
  LoadedModel loaded;
  const bool is_checkpoint = json.is_object() && json.contains("format") && json["format"] == kCheckpointFormat;
  if (!is_checkpoint) {
    loaded.model = model_from_json(json, where);
    return loaded;
  }
  if (!json.contains("version") || !json["version"].is_number_integer() || json["version"].get<int64_t>() != kCheckpointVersion)
    throw InputError(where + ": checkpoint version " +
                     (!json.contains("version")            ? std::string("missing")
                      : json["version"].is_number_integer() ? json["version"].dump()
                                                            : std::string("not an integer")) +
                     " is not supported (this build reads " + std::to_string(kCheckpointVersion) + ")");
  if (!json.contains("weights")) throw InputError(where + ": checkpoint has no \"weights\"");
  loaded.model = model_from_json(json["weights"], where + ": weights");
  loaded.is_checkpoint = true;
  // The training state and the run's settings are what a resume needs: a checkpoint without them is damaged.
  if (!json.contains("training") || !json["training"].is_object())
    throw InputError(where + ": checkpoint has no training state (a \"training\" object)");
  if (json.contains("run") && !json["run"].is_object()) throw InputError(where + ": checkpoint \"run\" must be an object");
  loaded.training = json["training"];
  loaded.run = json.value("run", Json::object());
  const bool has_average = loaded.training.is_object() && loaded.training.contains("ema");
  if (which == CheckpointWeights::Evaluation && has_average) {
    const Json& ema = loaded.training["ema"];
    if (!ema.is_object() || !ema.contains("weights"))
      throw InputError(where + ": training: ema: \"weights\" is missing");
    tensors_from_json(ema["weights"], loaded.model->parameters(), loaded.model->parameters().values(),
                      where + ": training: ema weights");
    loaded.averaged = true;
  }
  return loaded;
}

LoadedModel load_model(std::istream& in, const std::string& where, CheckpointWeights which) {
  return model_from_any_json(parse_json(in, where), where, which);
}

}  // namespace trm
