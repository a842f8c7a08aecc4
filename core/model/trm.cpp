#include "model/trm.h"

#include <stdexcept>

#include "model/cells.h"
#include "model/flat.h"

namespace trm {

namespace {

std::unique_ptr<Architecture> make_architecture(Parameters& params, const TRMConfig& config) {
  if (config.arch == "flat") return std::make_unique<FlatArchitecture>(params, config);
  if (config.arch == "cells") return std::make_unique<CellArchitecture>(params, config);
  throw std::invalid_argument("unknown architecture \"" + config.arch + "\"");
}

}  // namespace

// Declares every parameter of `config` into `params`: the architecture's, then the two gates.
static std::unique_ptr<Architecture> declare_model(Parameters& params, const TRMConfig& config, int* latent_gate,
                                                   int* output_gate) {
  config.validate();
  auto arch = make_architecture(params, config);
  const Shape gate_shape = config.gate_type == "vector" ? Shape{config.hidden_dim} : Shape{1};
  *latent_gate = params.declare("latent_gate", gate_shape);
  *output_gate = params.declare("output_gate", gate_shape);
  return arch;
}

TRM::TRM(const TRMConfig& config) : config_(config) {
  arch_ = declare_model(params_, config_, &latent_gate_, &output_gate_);
  params_.allocate();
}

std::vector<ParameterInfo> TRM::parameter_layout(const TRMConfig& config) {
  Parameters params;
  int latent_gate = 0, output_gate = 0;
  declare_model(params, config, &latent_gate, &output_gate);
  return params.infos();
}

int64_t TRM::parameter_count(const TRMConfig& config) {
  int64_t total = 0;
  for (const auto& info : parameter_layout(config)) total += info.shape.numel();
  return total;
}

void TRM::init(uint64_t seed) {
  Rng rng(seed);
  arch_->init(params_, rng);
  params_.value(latent_gate_).fill(config_.gate_init);
  params_.value(output_gate_).fill(config_.gate_init);
}

ForwardResult TRM::forward(Tape& tape, const uint8_t* puzzles, int64_t batch, const ForwardOptions& options) const {
  if (batch < 1) throw std::invalid_argument("TRM::forward: empty batch");
  const int h_cycles = options.h_cycles > 0 ? options.h_cycles : config_.inference_cycles();
  BlockContext ctx{options.training, config_.dropout, options.dropout_rng};
  const Var latent_gate = params_.var(latent_gate_);
  const Var output_gate = params_.var(output_gate_);

  // One inner step z <- z + alpha R(x + y + z) and one answer step y <- y + beta O(y + z). With activation
  // recomputation each runs unrecorded now and again, recorded, during backward (recompute_in_backward in
  // autodiff/tape.h).
  const Architecture* arch = arch_.get();
  const Parameters* params = &params_;
  auto latent_step = [arch, params, latent_gate](Tape& t, const std::vector<Var>& in, BlockContext& c) {
    const Var &x = in[0], &y = in[1], &z = in[2];
    return gated_add(t, z, arch->latent_net.forward(t, *params, add3(t, x, y, z), c), latent_gate);  // [B, (81,) d]
  };
  auto answer_step = [arch, params, output_gate](Tape& t, const std::vector<Var>& in, BlockContext& c) {
    const Var &y = in[0], &z = in[1];
    return gated_add(t, y, arch->output_net.forward(t, *params, add(t, y, z), c), output_gate);  // [B, (81,) d]
  };
  const bool recomputing = recompute_activations_ && tape.recording();
  auto run = [&](const auto& step, std::vector<Var> in) -> Var {
    if (!recomputing) return step(tape, in, ctx);
    // The recomputation must draw the same dropout masks: it replays the generator from its state now.
    const Rng rng_start = ctx.rng ? *ctx.rng : Rng();
    const BlockContext base = ctx;
    return recompute_in_backward(
        tape, std::move(in), [&](Tape& t, const std::vector<Var>& inputs) { return step(t, inputs, ctx); },
        [step, base, rng_start](Tape& t, const std::vector<Var>& inputs) {
          Rng replay = rng_start;
          BlockContext c = base;
          if (c.rng) c.rng = &replay;
          return step(t, inputs, c);
        });
  };

  ForwardResult result;
  Var x = arch_->embed(tape, params_, puzzles, batch);  // [B, d] or [B, 81, d]
  auto start = [&](const Tensor* state, const char* name) {
    if (!state) return constant(Tensor::zeros(x->value.shape()));
    if (state->shape() != x->value.shape())
      throw std::invalid_argument(std::string("TRM::forward: start state ") + name + " has shape " + state->shape().str() +
                                  ", the recursion's is " + x->value.shape().str());
    return constant(*state);
  };
  Var z = start(options.start_z, "z");
  Var y = start(options.start_y, "y");
  for (int h = 0; h < h_cycles; ++h) {
    for (int l = 0; l < config_.L_cycles; ++l) {
      Var z_next = run(latent_step, {x, y, z});
      if (options.observer) options.observer->on_latent_update(h, l, z->value, z_next->value);
      z = z_next;
    }
    y = run(answer_step, {y, z});
    const bool last = h + 1 == h_cycles;
    if (options.logits_every_cycle || last) {
      Var logits = arch_->head(tape, params_, y);
      if (options.logits_every_cycle) result.cycle_logits.push_back(logits);
      if (last) result.logits = logits;
      if (options.observer) options.observer->on_cycle_end(h, y->value, &logits->value);
    } else if (options.observer) {
      options.observer->on_cycle_end(h, y->value, nullptr);
    }
  }
  result.y = y->value;
  result.z = z->value;
  return result;
}

}  // namespace trm
