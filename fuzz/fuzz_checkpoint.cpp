// libFuzzer target: the checkpoint loader as `trm train --resume` uses it: io/checkpoint.h, then the training
// state restored into a Trainer. Any input must load or fail with an InputError; no other exception, no crash.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "io/checkpoint.h"
#include "sudoku/dataset.h"
#include "train/trainer.h"
#include "util/error.h"

using namespace trm;

namespace {
// Four copies of one solved puzzle: enough rows for any batch size to make a valid Trainer.
sudoku::Dataset tiny_dataset() {
  static const char* kSolution = "534678912672195348198342567859761423426853791713924856961537284287419635345286179";
  sudoku::Dataset data;
  data.puzzles = xt::xtensor<uint8_t, 2>(std::array<size_t, 2>{4, 81});
  data.solutions = xt::xtensor<uint8_t, 2>(std::array<size_t, 2>{4, 81});
  for (size_t r = 0; r < 4; ++r)
    for (size_t c = 0; c < 81; ++c) {
      data.solutions(r, c) = static_cast<uint8_t>(kSolution[c] - '0');
      data.puzzles(r, c) = c % 3 == 0 ? 0 : data.solutions(r, c);
    }
  return data;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  static const sudoku::Dataset data = tiny_dataset();
  std::istringstream in(std::string(reinterpret_cast<const char*>(bytes), size));
  try {
    LoadedModel loaded = load_model(in, "fuzz.json");
    if (!loaded.is_checkpoint) return 0;
    TrainOptions options;
    options.max_steps = 1;
    Trainer trainer(*loaded.model, data, nullptr, options);
    trainer.restore_state(loaded.training, "fuzz.json");
    (void)trainer.state_json();
  } catch (const InputError&) {
  }
  return 0;
}
