#pragma once
// TRM: the Tiny Recursive Model. The recursion is written once, here, for every architecture:
//
//   x = embed(puzzle)                                   input embedding
//   z = 0, y = 0                                        latent and answer states
//   repeat H_cycles:
//     repeat L_cycles:  z <- z + latent_gate * R(x + y + z)     refine the latent
//     y <- y + output_gate * O(y + z)                            refine the answer
//   logits = head(y)                                    [B, 81, 9]
//   halt = halt_head(y)                                 [B, 2], with learned halting: stop when "halt" wins
//
// An Architecture supplies embed, the blocks of R and O, and head. "flat" is the reference model:
// one-hot [B, 810] -> Linear -> states [B, d], MLP blocks, Linear(d, 729) head.
#include <cstdint>
#include <memory>
#include <vector>

#include "model/config.h"
#include "nn/block.h"

namespace trm {

class Architecture {
 public:
  virtual ~Architecture() = default;
  // x_emb for a batch of puzzles [B, 81] (digits 0..9): the state shape, [B, d] or [B, 81, d].
  virtual Var embed(Tape& tape, const Parameters& params, const uint8_t* puzzles, int64_t batch) const = 0;
  // logits [B, 81, 9] from the answer state y.
  virtual Var head(Tape& tape, const Parameters& params, const Var& y) const = 0;
  virtual void init(Parameters& params, Rng& rng) const = 0;
  ResidualStack latent_net;  // R
  ResidualStack output_net;  // O
};

// Called during the forward pass so inference can report the refinement as it happens.
class RecursionObserver {
 public:
  virtual ~RecursionObserver() = default;
  // After each inner step: the latent before and after the update.
  virtual void on_latent_update(int h, int l, const Tensor& z_before, const Tensor& z_after) = 0;
  // After each outer cycle: the answer state and (when computed) that cycle's logits.
  virtual void on_cycle_end(int h, const Tensor& y, const Tensor* logits) = 0;
};

struct ForwardOptions {
  bool training = false;
  int h_cycles = 0;                // 0: the config's inference_cycles(); training passes H_cycles
  bool logits_every_cycle = false;  // also apply the head after every outer cycle (deep supervision, traces)
  bool halt_logits = false;         // with a halting head: its logits too, wherever the logits are computed
  Rng* dropout_rng = nullptr;       // needed when training with dropout
  // Data-parallel training: the batch is shard `shard_index` of `shard_count` equal shards of the global batch,
  // and dropout draws the masks one process would give these samples (BlockContext).
  int shard_index = 0, shard_count = 1;
  RecursionObserver* observer = nullptr;
  // Where the recursion starts (the x_emb shape, [B, d] or [B, 81, d]); null: zeros. Supervision steps start
  // from the previous step's final states, as constants (no gradient flows back into them).
  const Tensor* start_y = nullptr;
  const Tensor* start_z = nullptr;
};

struct ForwardResult {
  Var logits;                      // [B, 81, 9] after the last outer cycle
  std::vector<Var> cycle_logits;   // [B, 81, 9] per outer cycle when logits_every_cycle
  Var halt;                        // [B, 2] after the last outer cycle, when asked for (halt_logits)
  std::vector<Var> cycle_halt;     // [B, 2] per outer cycle, when asked for with logits_every_cycle
  Tensor y, z;                     // the final states (values), where a next supervision step starts
};

class TRM {
 public:
  explicit TRM(const TRMConfig& config);  // declares and zero-allocates the parameters
  void init(uint64_t seed);               // random initialisation
  // The parameters a config implies (names, shapes, arena offsets), without allocating them.
  static std::vector<ParameterInfo> parameter_layout(const TRMConfig& config);
  static int64_t parameter_count(const TRMConfig& config);

  ForwardResult forward(Tape& tape, const uint8_t* puzzles, int64_t batch, const ForwardOptions& options) const;

  const TRMConfig& config() const { return config_; }
  // Learned halting (config.halt_weight > 0): the head's logits [B, 2] (go on, halt) for answer states y.
  bool has_halting() const { return halt_weight_ >= 0; }
  Var halt_logits(Tape& tape, const Var& y) const;
  // Sets the halting head to its initial values (e.g. after loading a model trained without one).
  void init_halting_head();
  // Activation recomputation (a run setting, not part of the model; `trm train --checkpoint-activations`): when on,
  // a recorded forward keeps only each inner step's input state and recomputes the step's activations during
  // backward. The gradients are identical; training memory falls by about the number of inner steps.
  void set_recompute_activations(bool on) { recompute_activations_ = on; }
  bool recompute_activations() const { return recompute_activations_; }
  Parameters& parameters() { return params_; }
  const Parameters& parameters() const { return params_; }

 private:
  TRMConfig config_;
  Parameters params_;
  std::unique_ptr<Architecture> arch_;
  int latent_gate_, output_gate_;  // [1] or [d]
  int halt_weight_, halt_bias_;    // [2, S], [2] (S: y's size per puzzle); -1 without a halting head
  bool recompute_activations_ = false;
};

}  // namespace trm
