#include "model/decode.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include "model/inference.h"
#include "sudoku/augment.h"
#include "util/error.h"

namespace trm {

std::vector<sudoku::Symmetry> decoding_symmetries(int count) {
  std::vector<sudoku::Symmetry> symmetries(1);
  Rng rng(0x5eed5);
  while (static_cast<int>(symmetries.size()) < count) symmetries.push_back(sudoku::random_symmetry(rng));
  return symmetries;
}

namespace {

// One pass over `count` puzzles [count * 81], each read through every symmetry: the model's final-cycle
// probabilities of each copy are mapped back to the original cells and digits and averaged. Fills `frame`
// (digits and confidence [count * 81]) from the average.
void symmetric_pass(const TRM& model, const uint8_t* puzzles, size_t count, int h_cycles,
                    const std::vector<sudoku::Symmetry>& symmetries, CycleFrame& frame) {
  const size_t s = symmetries.size();
  std::vector<std::array<uint8_t, sudoku::kCells>> sources;
  for (const auto& symmetry : symmetries) sources.push_back(sudoku::cell_sources(symmetry));
  std::vector<uint8_t> copies(count * s * 81);  // (count * s, 81): puzzle k's copy t is row k * s + t
  for (size_t k = 0; k < count; ++k) {
    sudoku::Grid grid;
    std::copy_n(puzzles + k * 81, 81, grid.begin());
    for (size_t t = 0; t < s; ++t) {
      const sudoku::Grid copy = sudoku::apply_symmetry(symmetries[t], grid);
      std::copy(copy.begin(), copy.end(), copies.begin() + static_cast<std::ptrdiff_t>((k * s + t) * 81));
    }
  }
  const Tensor logits = predict(model, copies.data(), static_cast<int64_t>(count * s), h_cycles);  // [count*s, 81, 9]
  std::vector<float> mean(count * 81 * 9, 0.0f);  // [count, 81, 9]: probability of original digit d + 1
  const float weight = 1.0f / static_cast<float>(s);
  for (size_t k = 0; k < count; ++k)
    for (size_t t = 0; t < s; ++t)
      for (int c = 0; c < 81; ++c) {
        const float* row = logits.data() + ((k * s + t) * 81 + static_cast<size_t>(c)) * 9;
        const float top = *std::max_element(row, row + 9);
        float p[9], total = 0.0f;
        for (int d = 0; d < 9; ++d) total += (p[d] = std::exp(row[d] - top));
        // Copy cell c holds original cell sources[t][c], with original digit d shown as digit_map[d].
        float* out = mean.data() + (k * 81 + sources[t][static_cast<size_t>(c)]) * 9;
        for (int d = 1; d <= 9; ++d) out[d - 1] += weight * p[symmetries[t].digit_map[static_cast<size_t>(d)] - 1] / total;
      }
  frame.digits.resize(count * 81);
  frame.confidence.resize(count * 81);
  for (size_t cell = 0; cell < count * 81; ++cell) {
    const float* p = mean.data() + cell * 9;
    const auto best = std::max_element(p, p + 9) - p;
    frame.digits[cell] = static_cast<uint8_t>(best + 1);
    frame.confidence[cell] = p[best];
  }
}

}  // namespace

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
  if (options.symmetries < 1 || options.symmetries > kMaxSymmetries)
    throw InputError("decode: symmetries must be 1 to " + std::to_string(kMaxSymmetries) + ", not " +
                     std::to_string(options.symmetries));
  const std::vector<sudoku::Symmetry> symmetries = decoding_symmetries(options.symmetries);
  if (options.symmetries > 1) first_pass = nullptr;
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
    const size_t per_batch = std::max<size_t>(1, static_cast<size_t>(options.batch_size) / symmetries.size());
    for (size_t start = 0; start < open.size(); start += per_batch) {
      const size_t count = std::min(open.size() - start, per_batch);
      std::vector<uint8_t> batch(count * 81);  // (count, 81)
      for (size_t k = 0; k < count; ++k)
        std::copy_n(result.digits.begin() + static_cast<std::ptrdiff_t>(open[start + k] * 81), 81, batch.begin() + static_cast<std::ptrdiff_t>(k * 81));
      CycleFrame frame;
      if (symmetries.size() > 1) {
        symmetric_pass(model, batch.data(), count, options.h_cycles, symmetries, frame);
      } else {
        frame = std::move(infer(model, batch.data(), static_cast<int64_t>(count), options.h_cycles).frames.back());
      }
      for (size_t k = 0; k < count; ++k)
        if (commit(open[start + k], frame.digits.data() + k * 81, frame.confidence.data() + k * 81))
          still_open.push_back(open[start + k]);
    }
    open = std::move(still_open);
  }
  return result;
}

}  // namespace trm
