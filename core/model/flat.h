#pragma once
// The reference architecture, exactly as specified: one-hot [B, 810] -> x = W_in x + b -> [B, d];
// R and O are stacks of MLP blocks on [B, d]; logits = W_out y (no bias) -> [B, 81, 9].
#include "model/trm.h"

namespace trm {

class FlatArchitecture : public Architecture {
 public:
  FlatArchitecture(Parameters& params, const TRMConfig& config);
  Var embed(Tape& tape, const Parameters& params, const uint8_t* puzzles, int64_t batch) const override;
  Var head(Tape& tape, const Parameters& params, const Var& y) const override;
  void init(Parameters& params, Rng& rng) const override;

 private:
  int d_;
  int input_weight_, input_bias_;  // [d, 810], [d]
  int head_weight_;                // [729, d]
};

}  // namespace trm
