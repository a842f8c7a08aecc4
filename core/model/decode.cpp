#include "model/decode.h"

#include <algorithm>
#include <stdexcept>

#include "model/inference.h"
#include "util/error.h"

namespace trm {

Decoding parse_decoding(const std::string& name) {
  if (name == "single") return Decoding::SinglePass;
  if (name == "iterative") return Decoding::IterativeCommit;
  throw InputError("unknown decoding \"" + name + "\" (expected single or iterative)");
}

std::string decoding_name(Decoding decoding) {
  return decoding == Decoding::SinglePass ? "single pass" : "iterative commit";
}

DecodeResult decode(const TRM& model, const std::vector<uint8_t>& puzzles, const DecodeOptions& options,
                    const CycleFrame* first_pass) {
  const size_t n = puzzles.size() / 81;
  if (first_pass && (first_pass->digits.size() != n * 81 || first_pass->confidence.size() != n * 81))
    throw std::invalid_argument("decode: the first pass's frame does not cover the puzzles");
  DecodeResult result;
  result.digits = puzzles;  // filled in place: committed cells become givens
  result.passes.assign(n, 0);
  std::vector<size_t> open;  // puzzles that still have blanks (a complete grid needs no pass)
  for (size_t i = 0; i < n; ++i)
    if (std::count(puzzles.begin() + static_cast<std::ptrdiff_t>(i * 81), puzzles.begin() + static_cast<std::ptrdiff_t>(i * 81 + 81), uint8_t{0}) > 0)
      open.push_back(i);

  // One pass's outcome for one puzzle: commit from its frame (digits and confidence of its 81 cells); true
  // while blanks remain.
  const auto commit = [&](size_t puzzle, const uint8_t* digits, const float* confidence) {
    uint8_t* grid = result.digits.data() + puzzle * 81;
    ++result.passes[puzzle];
    int best = -1;
    int committed = 0;
    for (int c = 0; c < 81; ++c) {
      if (grid[c] != 0) continue;
      if (options.decoding == Decoding::SinglePass || confidence[c] >= options.threshold) {
        grid[c] = digits[c];
        ++committed;
      } else if (best < 0 || confidence[c] > confidence[best]) {
        best = c;
      }
    }
    if (committed == 0 && best >= 0) grid[best] = digits[best];
    return std::count(grid, grid + 81, uint8_t{0}) > 0;
  };

  if (first_pass && !open.empty()) {
    std::vector<size_t> still_open;
    for (size_t puzzle : open)
      if (commit(puzzle, first_pass->digits.data() + puzzle * 81, first_pass->confidence.data() + puzzle * 81))
        still_open.push_back(puzzle);
    open = std::move(still_open);
  }
  while (!open.empty()) {
    std::vector<size_t> still_open;
    for (size_t start = 0; start < open.size(); start += static_cast<size_t>(options.batch_size)) {
      const size_t count = std::min(open.size() - start, static_cast<size_t>(options.batch_size));
      std::vector<uint8_t> batch(count * 81);  // (count, 81)
      for (size_t k = 0; k < count; ++k)
        std::copy_n(result.digits.begin() + static_cast<std::ptrdiff_t>(open[start + k] * 81), 81, batch.begin() + static_cast<std::ptrdiff_t>(k * 81));
      const InferenceTrace trace = infer(model, batch.data(), static_cast<int64_t>(count), options.h_cycles);
      const CycleFrame& frame = trace.frames.back();
      for (size_t k = 0; k < count; ++k)
        if (commit(open[start + k], frame.digits.data() + k * 81, frame.confidence.data() + k * 81))
          still_open.push_back(open[start + k]);
    }
    open = std::move(still_open);
  }
  return result;
}

}  // namespace trm
