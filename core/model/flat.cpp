#include "model/flat.h"

#include <stdexcept>

namespace trm {

FlatArchitecture::FlatArchitecture(Parameters& params, const TRMConfig& config) : d_(config.hidden_dim) {
  input_weight_ = params.declare("input_proj.weight", Shape{d_, 810});
  input_bias_ = params.declare("input_proj.bias", Shape{d_});
  for (int i = 0; i < config.L_layers; ++i)
    latent_net.push_back(std::make_unique<MlpBlock>(params, "latent_net.blocks." + std::to_string(i) + ".", d_));
  for (int i = 0; i < config.O_layers; ++i)
    output_net.push_back(std::make_unique<MlpBlock>(params, "output_net.blocks." + std::to_string(i) + ".", d_));
  head_weight_ = params.declare("output_head.weight", Shape{729, d_});
}

Var FlatArchitecture::embed(Tape& tape, const Parameters& p, const uint8_t* puzzles, int64_t batch) const {
  Tensor one_hot = Tensor::zeros(Shape{batch, 810});  // [B, 81 * 10]
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t cell = 0; cell < 81; ++cell) {
      const uint8_t digit = puzzles[b * 81 + cell];
      if (digit > 9) throw std::invalid_argument("embed: digit " + std::to_string(digit) + " out of range");
      one_hot[b * 810 + cell * 10 + digit] = 1.0f;
    }
  return linear(tape, constant(one_hot), p.var(input_weight_), p.var(input_bias_));  // [B, d]
}

Var FlatArchitecture::head(Tape& tape, const Parameters& p, const Var& y) const {
  Var logits = linear(tape, y, p.var(head_weight_), nullptr);       // [B, 729]
  return reshape(tape, logits, Shape{y->value.shape()[0], 81, 9});  // [B, 81, 9]
}

void FlatArchitecture::init(Parameters& params, Rng& rng) const {
  init_linear(params, input_weight_, input_bias_, rng);
  latent_net.init(params, rng);
  output_net.init(params, rng);
  init_linear(params, head_weight_, -1, rng);
}

}  // namespace trm
