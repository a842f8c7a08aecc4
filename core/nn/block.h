#pragma once
// The building blocks of the recursion nets.
//
// A Block is a pure transform B(v) (no residual inside); ResidualStack composes blocks as the spec
// says: v_0 = u, v_i = v_{i-1} + B_i(v_{i-1}), and R(u) = v_n - u. We return v_n - u as the sum of
// the block outputs, which is the same value without the cancellation error of a subtraction.
#include <memory>
#include <string>
#include <vector>

#include "nn/parameters.h"
#include "ops/ops.h"

namespace trm {

// Per-forward settings the blocks need.
struct BlockContext {
  bool training = false;
  float dropout = 0.0f;
  Rng* rng = nullptr;  // dropout masks; required when training with dropout > 0
  // Data-parallel training: this forward runs shard `shard_index` of `shard_count` equal shards of a global
  // batch. Dropout draws one number per element, serially over the batch, so a shard skips the draws of the
  // shards before and after it and gets exactly the masks one process would give its samples.
  int shard_index = 0, shard_count = 1;
};

class Block {
 public:
  virtual ~Block() = default;
  virtual Var forward(Tape& tape, const Parameters& params, const Var& v, BlockContext& ctx) const = 0;
  virtual void init(Parameters& params, Rng& rng) const = 0;
};

// torch.nn.Linear's default init: weight and bias uniform in +-1/sqrt(fan_in).
void init_linear(Parameters& params, int weight, int bias, Rng& rng);
// torch.nn.LayerNorm's: gain 1, bias 0.
void init_layer_norm(Parameters& params, int weight, int bias);

// The feed-forward half every block shares:
// F(h) = Dropout(Linear(4d, d)(Dropout(GELU(Linear(d, 4d)(h)))))   h: [rows, d]
class FeedForward {
 public:
  FeedForward(Parameters& params, const std::string& prefix, int d);
  Var forward(Tape& tape, const Parameters& params, const Var& h, BlockContext& ctx) const;
  void init(Parameters& params, Rng& rng) const;

 private:
  int fc1_weight_, fc1_bias_;  // [4d, d], [4d]
  int fc2_weight_, fc2_bias_;  // [d, 4d], [d]
};

// B(v) = F(LayerNorm(v))   v: [rows, d]
class MlpBlock : public Block {
 public:
  MlpBlock(Parameters& params, const std::string& prefix, int d);
  Var forward(Tape& tape, const Parameters& params, const Var& v, BlockContext& ctx) const override;
  void init(Parameters& params, Rng& rng) const override;

 private:
  int norm_weight_, norm_bias_;  // [d], [d]
  FeedForward feed_forward_;
};

// R(u) = v_n - u for v_i = v_{i-1} + B_i(v_{i-1}).
class ResidualStack {
 public:
  void push_back(std::unique_ptr<Block> block) { blocks_.push_back(std::move(block)); }
  Var forward(Tape& tape, const Parameters& params, const Var& u, BlockContext& ctx) const;
  void init(Parameters& params, Rng& rng) const;
  size_t size() const { return blocks_.size(); }

 private:
  std::vector<std::unique_ptr<Block>> blocks_;
};

}  // namespace trm
