#pragma once
// Inference with a view of the refinement: what the page animates and `trm solve --trace` prints.
#include <cstdint>
#include <vector>

#include "model/trm.h"

namespace trm {

// The model's reading of one outer cycle: per cell, the most likely digit and its probability.
struct CycleFrame {
  std::vector<uint8_t> digits;     // [B * 81], 1..9
  std::vector<float> confidence;   // [B * 81], softmax probability of that digit
};

struct InferenceTrace {
  int64_t batch = 0;
  int h_cycles = 0;
  int l_cycles = 0;
  Tensor logits;                                        // [B, 81, 9] after the last outer cycle
  std::vector<CycleFrame> frames;                       // one per outer cycle
  std::vector<std::vector<float>> latent_update_norms;  // [h_cycles * l_cycles][B]: |z_new - z|_2 per puzzle
};

// Both entry points below check the logits they return (every cycle's for infer, the final ones for predict):
// a model with finite weights can still overflow float32 in its recursion (a gate of 3e38), and then they throw
// NumericError naming the cycle, the puzzle and the cell instead of answering with garbage.
void check_finite_logits(const float* logits, int64_t batch, int cycle);

// Runs the model in evaluation mode (no dropout, nothing recorded). h_cycles 0 uses the config's;
// more than the training value is allowed. puzzles: [batch, 81] digits 0..9.
InferenceTrace infer(const TRM& model, const uint8_t* puzzles, int64_t batch, int h_cycles = 0);

// The final logits [batch, 81, 9] only (evaluation mode, nothing recorded): the fastest path, for
// benchmarks and callers that need no trace.
// With an observer, it sees the recursion, and every cycle's logits (logits_every_cycle) for on_cycle_end.
Tensor predict(const TRM& model, const uint8_t* puzzles, int64_t batch, int h_cycles = 0,
               RecursionObserver* observer = nullptr);

// predict() that starts the recursion from given states instead of zeros (null: zeros; the x_emb shape, [batch, d]
// or [batch, 81, d]) and hands back the final ones: a decode pass continuing where the previous one stopped.
//
// Learned halting (halting true and a model with a halting head): each row stops at the first outer cycle whose
// halting head says halt (or at h_cycles); its logits and states are those of that cycle, and the rows still going
// run on without it (an observer sees every row every cycle, a halted row's logits frozen at its halt, and the run
// ends when every row has halted). Without a head, or with halting false, every row runs h_cycles.
struct Continued {
  Tensor logits;            // [batch, 81, 9]
  Tensor y, z;              // the final states
  std::vector<int> cycles;  // [batch]: outer cycles each row ran
};
Continued predict_continued(const TRM& model, const uint8_t* puzzles, int64_t batch, int h_cycles, const Tensor* start_y,
                            const Tensor* start_z, RecursionObserver* observer = nullptr, bool halting = false);

// Argmax digit (1..9) and its softmax probability for each of `cells` rows of 9 logits.
void decode_logits(const float* logits, int64_t cells, uint8_t* digits, float* confidence);

}  // namespace trm
