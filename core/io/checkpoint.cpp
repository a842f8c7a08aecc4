#include "io/checkpoint.h"

#include "io/weights_json.h"
#include "util/error.h"

namespace trm {

using Json = nlohmann::json;

Json make_checkpoint(const TRM& model, const Json& training_state, const Json& run) {
  Json j;
  j["format"] = kCheckpointFormat;
  j["version"] = kCheckpointVersion;
  j["weights"] = weights_to_json(model);
  j["training"] = training_state;
  j["run"] = run;
  return j;
}

LoadedModel model_from_any_json(const Json& json, const std::string& where) {
  LoadedModel loaded;
  const bool is_checkpoint = json.is_object() && json.contains("format") && json["format"] == kCheckpointFormat;
  if (!is_checkpoint) {
    loaded.model = model_from_json(json, where);
    return loaded;
  }
  if (!json.contains("version") || !json["version"].is_number_integer() || json["version"].get<int64_t>() != kCheckpointVersion)
    throw InputError(where + ": checkpoint version " + (json.contains("version") ? json["version"].dump() : "missing") +
                     " is not supported (this build reads " + std::to_string(kCheckpointVersion) + ")");
  if (!json.contains("weights")) throw InputError(where + ": checkpoint has no \"weights\"");
  loaded.model = model_from_json(json["weights"], where + ": weights");
  loaded.is_checkpoint = true;
  loaded.training = json.value("training", Json());
  loaded.run = json.value("run", Json());
  return loaded;
}

LoadedModel load_model(std::istream& in, const std::string& where) { return model_from_any_json(parse_json(in, where), where); }

}  // namespace trm
