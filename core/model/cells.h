#pragma once
// The cell-wise architecture (the reference's "attention across the 81 cells" extension, with
// Sudoku's structure): each cell is a token with its own state, every weight is shared across
// cells, and each block lets a cell see the mean of its row, column and box.
//
//   x[b, c] = digit_embedding[puzzle[b, c]] + position_embedding[c]        [B, 81, d]
//   block:  h = LayerNorm(v)
//           m = h + mix([row_mean(h), col_mean(h), box_mean(h)])            mix: Linear(3d, d)
//           B(v) = Dropout(fc2(Dropout(GELU(fc1(m)))))                        fc1: d -> 4d, fc2: 4d -> d
//   logits[b, c] = output_head(y[b, c])                                      Linear(d, 9)
#include "model/trm.h"

namespace trm {

class CellBlock : public Block {
 public:
  CellBlock(Parameters& params, const std::string& prefix, int d);
  Var forward(Tape& tape, const Parameters& params, const Var& v, BlockContext& ctx) const override;
  void init(Parameters& params, Rng& rng) const override;

 private:
  int norm_weight_, norm_bias_;  // [d], [d]
  int mix_weight_, mix_bias_;    // [d, 3d], [d]
  FeedForward feed_forward_;
};

class CellArchitecture : public Architecture {
 public:
  CellArchitecture(Parameters& params, const TRMConfig& config);
  Var embed(Tape& tape, const Parameters& params, const uint8_t* puzzles, int64_t batch) const override;
  Var head(Tape& tape, const Parameters& params, const Var& y) const override;
  void init(Parameters& params, Rng& rng) const override;

 private:
  int d_;
  int digit_embedding_, position_embedding_;  // [10, d], [81, d]
  int head_weight_, head_bias_;               // [9, d], [9]
};

}  // namespace trm
