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

// The answer state's size per puzzle: d for flat, 81 * d for cells (what the halting head reads).
static int64_t state_size(const TRMConfig& config) {
  return config.arch == "cells" ? int64_t{81} * config.hidden_dim : config.hidden_dim;
}

// Declares every parameter of `config` into `params`: the architecture's, then the two gates, then the halting
// head when the config has one (last, so a model without one is the same arena up to there).
static std::unique_ptr<Architecture> declare_model(Parameters& params, const TRMConfig& config, int* latent_gate,
                                                   int* output_gate, int* halt_weight, int* halt_bias) {
  config.validate();
  auto arch = make_architecture(params, config);
  const Shape gate_shape = config.gate_type == "vector" ? Shape{config.hidden_dim} : Shape{1};
  *latent_gate = params.declare("latent_gate", gate_shape);
  *output_gate = params.declare("output_gate", gate_shape);
  *halt_weight = *halt_bias = -1;
  if (config.halt_weight > 0.0f) {
    *halt_weight = params.declare("halt_head.weight", Shape{2, state_size(config)});
    *halt_bias = params.declare("halt_head.bias", Shape{2});
  }
  return arch;
}

TRM::TRM(const TRMConfig& config) : config_(config) {
  arch_ = declare_model(params_, config_, &latent_gate_, &output_gate_, &halt_weight_, &halt_bias_);
  params_.allocate();
}

std::vector<ParameterInfo> TRM::parameter_layout(const TRMConfig& config) {
  Parameters params;
  int latent_gate = 0, output_gate = 0, halt_weight = 0, halt_bias = 0;
  declare_model(params, config, &latent_gate, &output_gate, &halt_weight, &halt_bias);
  return params.infos();
}

Var TRM::halt_logits(Tape& tape, const Var& y) const {
  if (!has_halting()) throw std::logic_error("TRM::halt_logits: the model has no halting head");
  const int64_t batch = y->value.shape()[0];
  // The head reads the state as a constant: its loss teaches it when the answer is settled and never changes the
  // answer the recursion computes (fine-tuning a trained model with it undid accuracy when the gradient flowed back).
  Var flat = reshape(tape, constant(y->value), Shape{batch, state_size(config_)});  // [B, S]
  return linear(tape, flat, params_.var(halt_weight_), params_.var(halt_bias_));  // [B, 2]: go on, halt
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
  if (has_halting()) init_halting_head();
}

void TRM::init_halting_head() {
  // As TRM's Q-head: reading nothing at first, and sure it should go on (p(halt) = e^-5), so an untrained head
  // never stops a reading early. No random draw: the rest of the model initialises as it would without it.
  params_.value(halt_weight_).fill(0.0f);
  Tensor& bias = params_.value(halt_bias_);
  bias[0] = 0.0f;
  bias[1] = -5.0f;
}

ForwardResult TRM::forward(Tape& tape, const uint8_t* puzzles, int64_t batch, const ForwardOptions& options) const {
  if (batch < 1) throw std::invalid_argument("TRM::forward: empty batch");
  const int h_cycles = options.h_cycles > 0 ? options.h_cycles : config_.inference_cycles();
  BlockContext ctx{options.training, config_.dropout, options.dropout_rng, options.shard_index, options.shard_count};
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
      if (options.halt_logits && has_halting()) {
        Var halt = halt_logits(tape, y);
        if (options.logits_every_cycle) result.cycle_halt.push_back(halt);
        if (last) result.halt = halt;
      }
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
