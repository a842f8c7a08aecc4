#pragma once
// The training run's random streams, in one registry. Every stream a run draws from is seeded from the run's seed
// and the stream's name here, so two streams never share numbers by accident and a reader sees them all at once.
// The values are part of every checkpoint's meaning (a resumed run must draw what an uninterrupted one would):
// never renumber one; add new streams with new numbers.
#include <cstdint>

namespace trm {

enum class Stream : uint64_t {
  kDropout = 1,              // dropout masks (Trainer)
  kAugment = 2,              // the symmetry applied to each training sample (Trainer)
  kGeneratedTraining = 5,    // train --generate: the generator's seed for training puzzles (Trainer)
  kGeneratedValidation = 6,  // train --generate: the generator's seed for the validation puzzles (trm train)
  kEpochOrder = 1000,        // + epoch: the permutation an epoch visits the training rows in (Trainer)
  kCurriculumDraw = 3000,    // + step: the rows a curriculum batch draws from its pool (Trainer)
};

// The seed of `stream` (offset by `index` for the per-epoch and per-step streams) in the run with `seed`.
constexpr uint64_t stream_seed(uint64_t seed, Stream stream, uint64_t index = 0) {
  return seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(stream) + index;
}

}  // namespace trm
