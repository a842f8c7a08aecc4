#include "nn/block.h"

#include <cmath>
#include <stdexcept>

namespace trm {

void init_linear(Parameters& params, int weight, int bias, Rng& rng) {
  Tensor& w = params.value(weight);
  const float bound = 1.0f / std::sqrt(static_cast<float>(w.shape()[1]));
  for (int64_t i = 0; i < w.numel(); ++i) w[i] = rng.uniform(-bound, bound);
  if (bias >= 0) {
    Tensor& b = params.value(bias);
    for (int64_t i = 0; i < b.numel(); ++i) b[i] = rng.uniform(-bound, bound);
  }
}

FeedForward::FeedForward(Parameters& params, const std::string& prefix, int d)
    : fc1_weight_(params.declare(prefix + "fc1.weight", Shape{4 * d, d})),
      fc1_bias_(params.declare(prefix + "fc1.bias", Shape{4 * d})),
      fc2_weight_(params.declare(prefix + "fc2.weight", Shape{d, 4 * d})),
      fc2_bias_(params.declare(prefix + "fc2.bias", Shape{d})) {}

Var FeedForward::forward(Tape& tape, const Parameters& p, const Var& h, BlockContext& ctx) const {
  if (ctx.training && ctx.dropout > 0.0f && !ctx.rng) throw std::logic_error("FeedForward: dropout needs an Rng");
  Rng unused;
  Rng& rng = ctx.rng ? *ctx.rng : unused;
  // Rows are batch-major ([B, d] or [B * 81, d]), so a shard's elements follow shard_index earlier shards of the
  // same size.
  auto sharded_dropout = [&](const Var& x) {
    const bool draws = ctx.training && ctx.dropout > 0.0f && ctx.shard_count > 1;
    const auto per_shard = static_cast<uint64_t>(x->value.numel());
    if (draws) rng.discard(per_shard * static_cast<uint64_t>(ctx.shard_index));
    Var out = dropout(tape, x, ctx.dropout, ctx.training, rng);
    if (draws) rng.discard(per_shard * static_cast<uint64_t>(ctx.shard_count - 1 - ctx.shard_index));
    return out;
  };
  Var f = linear(tape, h, p.var(fc1_weight_), p.var(fc1_bias_));  // [rows, 4d]
  f = sharded_dropout(gelu(tape, f));                              // [rows, 4d]
  f = linear(tape, f, p.var(fc2_weight_), p.var(fc2_bias_));       // [rows, d]
  return sharded_dropout(f);                                       // [rows, d]
}

void FeedForward::init(Parameters& params, Rng& rng) const {
  init_linear(params, fc1_weight_, fc1_bias_, rng);
  init_linear(params, fc2_weight_, fc2_bias_, rng);
}

void init_layer_norm(Parameters& params, int weight, int bias) {
  params.value(weight).fill(1.0f);
  params.value(bias).fill(0.0f);
}

// Parameter order in the arena follows declaration: norm, then the feed-forward (as PyTorch's).
MlpBlock::MlpBlock(Parameters& params, const std::string& prefix, int d)
    : norm_weight_(params.declare(prefix + "norm.weight", Shape{d})),
      norm_bias_(params.declare(prefix + "norm.bias", Shape{d})),
      feed_forward_(params, prefix, d) {}

Var MlpBlock::forward(Tape& tape, const Parameters& p, const Var& v, BlockContext& ctx) const {
  return feed_forward_.forward(tape, p, layer_norm(tape, v, p.var(norm_weight_), p.var(norm_bias_)), ctx);
}

void MlpBlock::init(Parameters& params, Rng& rng) const {
  init_layer_norm(params, norm_weight_, norm_bias_);
  feed_forward_.init(params, rng);
}

Var ResidualStack::forward(Tape& tape, const Parameters& params, const Var& u, BlockContext& ctx) const {
  Var v = u;      // v_0
  Var sum;        // v_i - u, accumulated
  for (size_t i = 0; i < blocks_.size(); ++i) {
    Var delta = blocks_[i]->forward(tape, params, v, ctx);   // B_i(v_{i-1})
    sum = sum ? add(tape, sum, delta) : delta;  // (no in-place sum: a tape node's value never changes)
    if (i + 1 < blocks_.size()) v = add(tape, v, delta);     // v_i (v_n itself is not needed)
  }
  return sum;
}

void ResidualStack::init(Parameters& params, Rng& rng) const {
  for (const auto& block : blocks_) block->init(params, rng);
}

}  // namespace trm
