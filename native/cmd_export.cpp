// trm export: the production artifact (weights and config only) from a checkpoint.
#include <cstdio>
#include <memory>

#include "commands.h"
#include "common.h"
#include "files.h"
#include "io/weights_json.h"
#include "model/inference.h"
#include "util/error.h"

namespace trm::cli {

namespace {
struct ExportArgs {
  std::string checkpoint, out;
  std::string dtype = "float32";
  int h_cycles = 0;  // 0: keep the model's
  bool list = false, force = false;
};

void run_export(const ExportArgs& a) {
  refuse_overwrite(a.out, a.force);
  LoadedModel loaded = load_model_file(a.checkpoint);
  const TensorEncoding encoding = a.list ? TensorEncoding::List : parse_tensor_encoding(a.dtype);
  if (a.list && a.dtype != "float32") throw InputError("--list-encoding writes float32 only; drop --dtype " + a.dtype);
  // A model whose forward pass overflows (finite weights can) is not worth shipping: one forward pass on the empty
  // grid at the exported depth finds it (predict throws, naming the cycle).
  const int h_cycles = a.h_cycles > 0 ? a.h_cycles : loaded.model->config().inference_cycles();
  const std::vector<uint8_t> empty_grid(81, 0);
  try {
    predict(*loaded.model, empty_grid.data(), 1, h_cycles);
  } catch (const NumericError& e) {
    throw NumericError(a.checkpoint + ": not exporting: " + e.what());
  }
  // The outer cycles the model runs by default (eval, solve, the page). A recursion's weights are the same for
  // any count, and a model can refine further at test time than it was trained to: the count that serves it
  // best is measured after training (see docs/results.md).
  const nlohmann::json weights = production_weights_json(*loaded.model, encoding, a.h_cycles);
  write_atomically(a.out, [&](std::ostream& out) { out << weights.dump() << '\n'; });
  if (a.h_cycles > 0 && a.h_cycles != loaded.model->config().inference_cycles())
    std::printf("default outer cycles %d (trained with %d)\n", a.h_cycles, loaded.model->config().inference_cycles());
  std::printf("exported %lld parameters (%s%s, %s) to %s\n",
              static_cast<long long>(TRM::parameter_count(loaded.model->config())), loaded.model->config().arch.c_str(),
              loaded.averaged ? ", the weight average" : "", a.list ? "float32 lists" : a.dtype.c_str(), a.out.c_str());
}
}  // namespace

void add_export_command(CLI::App& app) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand("export", "Write the production weights (config + tensors, JSON) from a checkpoint");
  cmd->add_option("--checkpoint", args->checkpoint, "Checkpoint (or weights) file")->required();
  cmd->add_option("--out", args->out, "Output weights JSON")->required();
  cmd->add_option("--dtype", args->dtype,
                  "Tensor storage: float32 (exact), float16 (half the size) or int8 (matrices per-row scaled, a "
                  "quarter)")
      ->capture_default_str()
      ->check(CLI::IsMember({"float32", "float16", "int8"}));
  cmd->add_option("--h-cycles", args->h_cycles,
                  "Outer cycles the exported model runs by default (default: as trained)")
      ->check(CLI::Range(1, 256));
  cmd->add_flag("--list-encoding", args->list, "Write tensors as plain number arrays instead of base64 float32");
  cmd->add_flag("--force", args->force, "Overwrite an existing output");
  cmd->callback([args] { run_export(*args); });
}

}  // namespace trm::cli
