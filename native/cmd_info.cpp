// trm info: what a model file holds (architecture, size, the outer cycles it runs by default), without running it.
#include <cstdio>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "model/config.h"
#include "model/decode.h"

namespace trm::cli {

namespace {
struct InfoArgs {
  std::string model;
  bool json = false;
};

void run_info(const InfoArgs& a) {
  const LoadedModel loaded = load_model_file(a.model);  // fully validated: a file info accepts is one eval runs
  const TRMConfig& config = loaded.model->config();
  const long long parameters = static_cast<long long>(TRM::parameter_count(config));
  const std::string kind = loaded.is_checkpoint ? "checkpoint" : "weights";
  nlohmann::json info = {{"model", a.model},
                         {"kind", kind},
                         {"arch", config.arch},
                         {"parameters", parameters},
                         {"h_cycles", config.inference_cycles()},
                         {"averaged", loaded.averaged},
                         // What `trm solve` and the page do with this model when not told otherwise.
                         {"default_decoding", {{"decoding", decoding_name(kDefaultDecoding)},
                                               {"symmetries", default_symmetries(kDefaultDecoding)},
                                               {"commit_threshold", kDefaultCommitThreshold},
                                               {"max_forward_passes", kDefaultSearchBudget},
                                               {"halting", loaded.model->has_halting()},
                                               {"h_cycles", config.inference_cycles()}}},
                         {"config", config_to_json(config)}};
  if (loaded.is_checkpoint) info["step"] = loaded.training.value("step", 0);
  if (a.json) {
    std::printf("%s\n", info.dump().c_str());
    return;
  }
  std::printf("%s: %s, %s, %lld parameters, d=%d, L_layers %d, L_cycles %d\n", a.model.c_str(),
              loaded.is_checkpoint ? "training checkpoint" : "production weights", config.arch.c_str(), parameters,
              config.hidden_dim, config.L_layers, config.L_cycles);
  std::printf("default outer cycles: %d\n", config.inference_cycles());
  const int readings = default_symmetries(kDefaultDecoding);
  std::printf("default decoding (trm solve, the page): %s%s, %d outer cycles%s, commit threshold %.2f, at most %d forward "
              "passes\n",
              decoding_name(kDefaultDecoding).c_str(),
              readings > 1 ? (" over " + std::to_string(readings) + " symmetries").c_str() : ", the puzzle as given",
              config.inference_cycles(), loaded.model->has_halting() ? " with learned halting" : "",
              static_cast<double>(kDefaultCommitThreshold), kDefaultSearchBudget);
  if (loaded.is_checkpoint)
    std::printf("training step: %lld%s\n", static_cast<long long>(info["step"].get<int64_t>()),
                loaded.averaged ? " (evaluation uses the weight average)" : "");
  std::printf("config: %s\n", info["config"].dump().c_str());
}
}  // namespace

void add_info_command(CLI::App& app) {
  auto args = std::make_shared<InfoArgs>();
  CLI::App* cmd = app.add_subcommand("info", "Describe a model file (architecture, size, default outer cycles)");
  cmd->add_option("--model", args->model, "Checkpoint or production weights file")->required();
  cmd->add_flag("--json", args->json, "Print one JSON object");
  cmd->callback([args] { run_info(*args); });
}

}  // namespace trm::cli
