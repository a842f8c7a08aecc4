#include "model/cells.h"

#include <cmath>
#include <stdexcept>

namespace trm {

CellBlock::CellBlock(Parameters& params, const std::string& prefix, int d)
    : norm_weight_(params.declare(prefix + "norm.weight", Shape{d})),
      norm_bias_(params.declare(prefix + "norm.bias", Shape{d})),
      mix_weight_(params.declare(prefix + "mix.weight", Shape{d, 3 * d})),
      mix_bias_(params.declare(prefix + "mix.bias", Shape{d})),
      feed_forward_(params, prefix, d) {}

Var CellBlock::forward(Tape& tape, const Parameters& p, const Var& v, BlockContext& ctx) const {
  Var h = layer_norm(tape, v, p.var(norm_weight_), p.var(norm_bias_));  // [B, 81, d]
  // h + linear(unit_means(h)) [B, 81, 3d] -> [B, 81, d], computed on the 27 unit means (ops/unit_mix.cpp).
  Var m = unit_mix(tape, h, p.var(mix_weight_), p.var(mix_bias_), /*residual=*/true);  // [B, 81, d]
  return feed_forward_.forward(tape, p, m, ctx);                                   // [B, 81, d]
}

void CellBlock::init(Parameters& params, Rng& rng) const {
  init_layer_norm(params, norm_weight_, norm_bias_);
  init_linear(params, mix_weight_, mix_bias_, rng);
  feed_forward_.init(params, rng);
}

CellArchitecture::CellArchitecture(Parameters& params, const TRMConfig& config) : d_(config.hidden_dim) {
  digit_embedding_ = params.declare("digit_embedding.weight", Shape{10, d_});
  position_embedding_ = params.declare("position_embedding.weight", Shape{81, d_});
  for (int i = 0; i < config.L_layers; ++i)
    latent_net.push_back(std::make_unique<CellBlock>(params, "latent_net.blocks." + std::to_string(i) + ".", d_));
  for (int i = 0; i < config.O_layers; ++i)
    output_net.push_back(std::make_unique<CellBlock>(params, "output_net.blocks." + std::to_string(i) + ".", d_));
  head_weight_ = params.declare("output_head.weight", Shape{9, d_});
  head_bias_ = params.declare("output_head.bias", Shape{9});
}

Var CellArchitecture::embed(Tape& tape, const Parameters& p, const uint8_t* puzzles, int64_t batch) const {
  std::vector<int32_t> digits(static_cast<size_t>(batch * 81)), cells(digits.size());
  for (size_t i = 0; i < digits.size(); ++i) {
    if (puzzles[i] > 9) throw std::invalid_argument("embed: digit " + std::to_string(puzzles[i]) + " out of range");
    digits[i] = puzzles[i];
    cells[i] = static_cast<int32_t>(i % 81);
  }
  const Shape shape{batch, 81, d_};
  return add(tape, embedding(tape, p.var(digit_embedding_), digits, shape),
             embedding(tape, p.var(position_embedding_), cells, shape));  // [B, 81, d]
}

Var CellArchitecture::head(Tape& tape, const Parameters& p, const Var& y) const {
  return linear(tape, y, p.var(head_weight_), p.var(head_bias_));  // [B, 81, 9]
}

void CellArchitecture::init(Parameters& params, Rng& rng) const {
  // Embeddings as N(0, 1): LayerNorm follows, so their scale only sets the balance with the states.
  for (int table : {digit_embedding_, position_embedding_}) {
    Tensor& t = params.value(table);
    for (int64_t i = 0; i < t.numel(); ++i) t[i] = rng.normal();
  }
  latent_net.init(params, rng);
  output_net.init(params, rng);
  init_linear(params, head_weight_, head_bias_, rng);
}

}  // namespace trm
