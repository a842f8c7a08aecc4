#include "model/decode.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include "model/inference.h"
#include "sudoku/augment.h"
#include "sudoku/grid.h"
#include "sudoku/solver.h"
#include "util/error.h"

namespace trm {

std::vector<sudoku::Symmetry> decoding_symmetries(int count) {
  std::vector<sudoku::Symmetry> symmetries(1);
  Rng rng(0x5eed5);
  while (static_cast<int>(symmetries.size()) < count) symmetries.push_back(sudoku::random_symmetry(rng));
  return symmetries;
}

namespace {

// The model's reading of one pass over `count` puzzles: per cell the most likely digit, its probability and, for
// the search, the probability of every digit.
struct PassReading {
  CycleFrame frame;               // digits and confidence [count * 81]
  std::vector<float> probability; // [count, 81, 9]: probability of digit d + 1 (filled when asked for)
  Tensor y, z;                    // the recursion's final states, [count * readings, ...] (row k * readings + t)
  std::vector<int> cycles;        // [count * readings]: outer cycles each reading ran (fewer where it halted)
};

// p[0..9) = softmax(scores[0..9)), p may be scores: a cell's digit probabilities from its logits, or from the
// readings' mean log-probabilities.
void softmax9(const float* scores, float* p) {
  const float top = *std::max_element(scores, scores + 9);
  float total = 0.0f;
  for (int d = 0; d < 9; ++d) total += (p[d] = std::exp(scores[d] - top));
  for (int d = 0; d < 9; ++d) p[d] /= total;
}

// One pass over `count` puzzles [count * 81], each read through every symmetry: the model's final-cycle
// probabilities of each copy are mapped back to the original cells and digits and averaged. With the identity
// alone, the frame is exactly infer()'s last frame.
// start_y, start_z: where each copy's recursion starts (null: zeros).
PassReading read_pass(const TRM& model, const uint8_t* puzzles, size_t count, int h_cycles,
                      const std::vector<sudoku::Symmetry>& symmetries, ReadingCombine combine, bool want_probability,
                      RecursionObserver* observer, const Tensor* start_y, const Tensor* start_z, bool halting) {
  PassReading reading;
  CycleFrame& frame = reading.frame;
  const size_t s = symmetries.size();
  if (s == 1) {
    Continued run = predict_continued(model, puzzles, static_cast<int64_t>(count), h_cycles, start_y, start_z, observer, halting);
    const Tensor& logits = run.logits;  // [count, 81, 9]
    reading.y = std::move(run.y);
    reading.z = std::move(run.z);
    reading.cycles = std::move(run.cycles);
    frame.digits.resize(count * 81);
    frame.confidence.resize(count * 81);
    decode_logits(logits.data(), static_cast<int64_t>(count * 81), frame.digits.data(), frame.confidence.data());
    if (want_probability) {
      reading.probability.resize(count * 81 * 9);
      for (size_t cell = 0; cell < count * 81; ++cell)
        softmax9(logits.data() + cell * 9, reading.probability.data() + cell * 9);
    }
    return reading;
  }
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
  Continued run = predict_continued(model, copies.data(), static_cast<int64_t>(count * s), h_cycles, start_y, start_z, observer, halting);
  const Tensor& logits = run.logits;  // [count*s, 81, 9]
  reading.y = std::move(run.y);
  reading.z = std::move(run.z);
  reading.cycles = std::move(run.cycles);
  // [count, 81, 9]: probability of original digit d + 1; while summing, the mean of the readings' probabilities
  // (Mean) or of their log-probabilities (Product, normalised below).
  std::vector<float>& mean = reading.probability;
  mean.assign(count * 81 * 9, 0.0f);
  const bool product = combine == ReadingCombine::Product;
  const float weight = 1.0f / static_cast<float>(s);
  for (size_t k = 0; k < count; ++k)
    for (size_t t = 0; t < s; ++t)
      for (int c = 0; c < 81; ++c) {
        const float* row = logits.data() + ((k * s + t) * 81 + static_cast<size_t>(c)) * 9;
        const float top = *std::max_element(row, row + 9);
        float total = 0.0f;
        for (int d = 0; d < 9; ++d) total += std::exp(row[d] - top);
        const float log_total = std::log(total);
        // Copy cell c holds original cell sources[t][c], with original digit d shown as digit_map[d].
        float* out = mean.data() + (k * 81 + sources[t][static_cast<size_t>(c)]) * 9;
        for (int d = 1; d <= 9; ++d) {
          const float log_p = row[symmetries[t].digit_map[static_cast<size_t>(d)] - 1] - top - log_total;
          out[d - 1] += weight * (product ? log_p : std::exp(log_p));
        }
      }
  if (product)
    for (size_t cell = 0; cell < count * 81; ++cell) softmax9(mean.data() + cell * 9, mean.data() + cell * 9);
  frame.digits.resize(count * 81);
  frame.confidence.resize(count * 81);
  for (size_t cell = 0; cell < count * 81; ++cell) {
    const float* p = mean.data() + cell * 9;
    const auto best = std::max_element(p, p + 9) - p;
    frame.digits[cell] = static_cast<uint8_t>(best + 1);
    frame.confidence[cell] = p[best];
  }
  return reading;
}

// One puzzle's search: the grid being filled and the branch points still holding untried digits.
struct SearchState {
  struct BranchPoint {
    sudoku::Grid grid;               // the grid before the branch
    int cell = 0;
    std::array<uint8_t, 9> digits{};  // candidates, most likely first
    int count = 0, next = 1;          // candidates held, and the next one to try
  };
  sudoku::Grid grid{};
  std::vector<BranchPoint> stack;
  sudoku::Grid givens{};
  sudoku::Grid best{};  // the fullest grid reached, blanks filled with that pass's unverified guesses
  int best_blanks = 82;
  int attempt = 0;      // restarts from the givens so far (kRestartThresholds)
  bool finished = false;
  SearchEnd end = kComplete;

  // Goes back to the most recent branch point with an untried digit; false when none is left.
  bool backtrack() {
    while (!stack.empty()) {
      BranchPoint& point = stack.back();
      grid = point.grid;
      grid[static_cast<size_t>(point.cell)] = point.digits[static_cast<size_t>(point.next++)];
      if (point.next >= point.count) stack.pop_back();
      if (sudoku::singles_consistent(grid)) return true;
    }
    return false;
  }
};

// The commit threshold of each attempt after the first (which uses the options' threshold): the search starts
// again from the givens when every branch was rejected, since a confident commit before the first branch may be
// the wrong digit. Above 1, nothing is committed: every step is a branch.
constexpr std::array<float, 2> kRestartThresholds = {0.9999f, 2.0f};

// Blanks a branch point weighs, surest first: enough to step past a sure-looking cell whose digits the rules
// refute, few enough that checking every digit of each stays cheap beside a forward pass.
constexpr size_t kBranchCellsConsidered = 4;

}  // namespace

Decoding parse_decoding(const std::string& name) {
  if (name == "single") return Decoding::SinglePass;
  if (name == "iterative") return Decoding::IterativeCommit;
  if (name == "search") return Decoding::Search;
  throw InputError("unknown decoding \"" + name + "\" (expected single, iterative or search)");
}

ReadingCombine parse_reading_combine(const std::string& name) {
  if (name == "product") return ReadingCombine::Product;
  if (name == "mean") return ReadingCombine::Mean;
  throw InputError("unknown way to combine readings \"" + name + "\" (expected product or mean)");
}

std::string reading_combine_name(ReadingCombine combine) { return combine == ReadingCombine::Product ? "product" : "mean"; }

int default_symmetries(Decoding decoding) { return decoding == Decoding::IterativeCommit ? kDefaultSymmetries : 1; }

std::string decoding_flag(Decoding decoding) {
  switch (decoding) {
    case Decoding::SinglePass: return "single";
    case Decoding::IterativeCommit: return "iterative";
    case Decoding::Search: return "search";
  }
  return "?";
}

std::string decoding_name(Decoding decoding) {
  switch (decoding) {
    case Decoding::SinglePass: return "single pass";
    case Decoding::IterativeCommit: return "iterative commit";
    case Decoding::Search: return "verified search";
  }
  return "?";
}

DecodeResult decode(const TRM& model, const std::vector<uint8_t>& puzzles, const DecodeOptions& options,
                    const CycleFrame* first_pass) {
  const size_t n = puzzles.size() / 81;
  const int readings = options.symmetries == 0 ? default_symmetries(options.decoding) : options.symmetries;
  if (readings < 1 || readings > kMaxSymmetries)
    throw InputError("decode: symmetries must be 1 to " + std::to_string(kMaxSymmetries) + " (0: the default), not " +
                     std::to_string(options.symmetries));
  if (options.branch_candidates < 1 || options.branch_candidates > 9)
    throw InputError("decode: branch candidates must be 1 to 9, not " + std::to_string(options.branch_candidates));
  if (options.max_forward_passes < 0)
    throw InputError("decode: the search budget must be at least 1 forward pass, not " + std::to_string(options.max_forward_passes));
  const std::vector<sudoku::Symmetry> symmetries = decoding_symmetries(readings);
  const int h_cycles = options.h_cycles > 0 ? options.h_cycles : model.config().inference_cycles();
  const bool searching = options.decoding == Decoding::Search;
  const int budget = options.max_forward_passes > 0 ? options.max_forward_passes : kDefaultSearchBudget;
  // The caller's frame ran every cycle: with learned halting the first pass must run as every other does.
  if (readings > 1 || searching || uses_halting(model, options)) first_pass = nullptr;
  if (first_pass && (first_pass->digits.size() != n * 81 || first_pass->confidence.size() != n * 81))
    throw std::invalid_argument("decode: the first pass's frame does not cover the puzzles");
  DecodeResult result;
  result.symmetries = readings;
  result.digits = puzzles;  // filled in place: committed cells become givens
  result.passes.assign(n, 0);
  result.branches.assign(n, 0);
  result.search_end.assign(n, kComplete);
  std::vector<SearchState> states(searching ? n : 0);
  // A puzzle's decoding has ended: a searched one's answer (its full grid, or else the fullest grid it reached with
  // that pass's unverified guesses in the blanks) goes into result.digits, and the observer hears of it.
  const auto end_puzzle = [&](size_t puzzle) {
    if (searching && result.passes[puzzle] > 0) {
      const SearchState& state = states[puzzle];
      if (!state.finished) result.search_end[puzzle] = state.end;
      const sudoku::Grid& answer = state.finished ? state.grid : state.best;
      std::copy(answer.begin(), answer.end(), result.digits.begin() + static_cast<std::ptrdiff_t>(puzzle * 81));
    }
    if (options.observer) options.observer->on_puzzle_end(puzzle, result.digits.data() + puzzle * 81);
  };
  std::vector<size_t> open;  // puzzles that still have blanks (a complete grid needs no pass)
  for (size_t i = 0; i < n; ++i) {
    const auto begin = puzzles.begin() + static_cast<std::ptrdiff_t>(i * 81);
    if (std::count(begin, begin + 81, uint8_t{0}) == 0) {
      end_puzzle(i);
      continue;
    }
    if (searching) {
      SearchState& state = states[i];
      std::copy_n(begin, 81, state.grid.begin());
      state.givens = state.grid;
      std::copy_n(begin, 81, state.best.begin());
      // Givens that clash, or whose singles leave some cell or unit without a digit, are rejected before any pass.
      if (!sudoku::singles_consistent(state.grid)) {
        result.search_end[i] = kRejected;
        end_puzzle(i);
        continue;
      }
    }
    open.push_back(i);
  }

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

  // One pass's outcome for one searched puzzle (probability [81, 9] of its cells): commit, branch or go back;
  // true while the search goes on.
  const auto search_step = [&](size_t puzzle, const float* probability) {
    SearchState& state = states[puzzle];
    ++result.passes[puzzle];
    sudoku::Grid& grid = state.grid;
    const float threshold = state.attempt == 0 ? options.threshold : kRestartThresholds[static_cast<size_t>(state.attempt - 1)];
    // The model's choice per blank among the digits the rules allow, surest first.
    struct Choice {
      int cell;
      float confidence;
    };
    std::vector<Choice> choices;
    int blanks = 0;
    sudoku::Grid guess = grid;
    for (int c = 0; c < 81; ++c) {
      if (grid[static_cast<size_t>(c)] != 0) continue;
      ++blanks;
      const float* p = probability + c * 9;
      guess[static_cast<size_t>(c)] = static_cast<uint8_t>(std::max_element(p, p + 9) - p + 1);
      choices.push_back({c, 0.0f});
    }
    if (blanks < state.best_blanks) state.best_blanks = blanks, state.best = guess;
    const auto allowed_best = [&](int cell, float* confidence) {
      const uint16_t allowed = sudoku::candidates(grid, cell);
      int digit = 0;
      float top = -1.0f;
      for (int d = 1; d <= 9; ++d)
        if ((allowed & sudoku::digit_bit(d)) && probability[cell * 9 + d - 1] > top) top = probability[cell * 9 + d - 1], digit = d;
      *confidence = top;
      return digit;
    };
    for (Choice& choice : choices) allowed_best(choice.cell, &choice.confidence);
    std::sort(choices.begin(), choices.end(), [](const Choice& a, const Choice& b) {
      return a.confidence != b.confidence ? a.confidence > b.confidence : a.cell < b.cell;
    });
    int committed = 0;
    for (const Choice& choice : choices) {
      if (choice.confidence < threshold) break;
      float confidence = 0.0f;
      const int digit = allowed_best(choice.cell, &confidence);  // earlier commits of this pass may have taken it
      if (digit == 0 || confidence < threshold) continue;
      grid[static_cast<size_t>(choice.cell)] = static_cast<uint8_t>(digit);
      if (!sudoku::singles_consistent(grid)) {  // the rules refute this digit: leave the cell to a later pass
        grid[static_cast<size_t>(choice.cell)] = 0;
        continue;
      }
      ++committed;
    }
    // The grid came in consistent and every commit kept it so; only a branch point can find it dead.
    bool alive = true;
    if (committed == 0 && !choices.empty()) {
      // Stalled: branch. Of the surest few blanks, take the one whose likeliest digit the rules do not refute is
      // likeliest (ties: the one with fewer such digits), and try its digits in the model's order. A blank with no
      // such digit at all means the grid is dead: go back.
      SearchState::BranchPoint point;
      float point_top = -1.0f;
      const size_t looked_at = std::min(choices.size(), kBranchCellsConsidered);
      for (size_t i = 0; i < looked_at && alive; ++i) {
        const int cell = choices[i].cell;
        const float* p = probability + cell * 9;
        std::array<uint8_t, 9> digits{};
        int count = 0;
        const uint16_t allowed = sudoku::candidates(grid, cell);
        for (int d = 1; d <= 9; ++d) {
          if (!(allowed & sudoku::digit_bit(d))) continue;
          grid[static_cast<size_t>(cell)] = static_cast<uint8_t>(d);
          if (sudoku::singles_consistent(grid)) digits[static_cast<size_t>(count++)] = static_cast<uint8_t>(d);
        }
        grid[static_cast<size_t>(cell)] = 0;
        if (count == 0) {
          alive = false;
          break;
        }
        std::stable_sort(digits.begin(), digits.begin() + count, [p](uint8_t a, uint8_t b) { return p[a - 1] > p[b - 1]; });
        const float top = p[digits[0] - 1];
        if (top > point_top || (top == point_top && count < point.count)) {
          point_top = top;
          point.cell = cell;
          point.digits = digits;
          point.count = count;
        }
      }
      if (alive) {
        point.grid = grid;
        point.count = std::min(point.count, options.branch_candidates);
        ++result.branches[puzzle];
        grid[static_cast<size_t>(point.cell)] = point.digits[0];
        if (point.count > 1) state.stack.push_back(point);
      }
    }
    if (!alive && !state.backtrack()) {
      if (state.attempt >= static_cast<int>(kRestartThresholds.size())) {
        state.end = kRejected;
        return false;
      }
      ++state.attempt;  // start again from the givens, committing less
      state.grid = state.givens;
      state.stack.clear();
    }
    if (std::count(grid.begin(), grid.end(), uint8_t{0}) == 0) {
      state.finished = true;
      return false;
    }
    if ((result.passes[puzzle] + 1) * readings > budget) {
      state.end = kBudgetSpent;
      return false;
    }
    return true;
  };

  result.outer_cycles.assign(n, 0);
  if (first_pass && !open.empty()) {
    std::vector<size_t> still_open;
    for (size_t puzzle : open) {
      result.outer_cycles[puzzle] += h_cycles;  // the caller's trace ran them
      if (commit(puzzle, first_pass->digits.data() + puzzle * 81, first_pass->confidence.data() + puzzle * 81))
        still_open.push_back(puzzle);
      else
        end_puzzle(puzzle);
    }
    open = std::move(still_open);
  }
  // Continuing passes: each puzzle's last final states (every reading's), [readings * state_size] floats.
  const bool carry = options.continue_cycles > 0;
  std::vector<std::vector<float>> carried_y(carry ? n : 0), carried_z(carry ? n : 0);
  std::vector<int64_t> state_dims;  // one reading's state shape without its batch axis: [d] or [81, d]
  while (!open.empty()) {
    std::vector<size_t> still_open;
    // Puzzles that continue from carried states run apart from those starting from zeros: fewer cycles.
    std::vector<size_t> fresh, continuing;
    for (const size_t puzzle : open) (carry && !carried_y[puzzle].empty() ? continuing : fresh).push_back(puzzle);
    for (const std::vector<size_t>* group : {&fresh, &continuing}) {
      const bool continues = group == &continuing;
      const int cycles = continues ? options.continue_cycles : h_cycles;
      const size_t per_batch = std::max<size_t>(1, static_cast<size_t>(options.batch_size) / symmetries.size());
      for (size_t start = 0; start < group->size(); start += per_batch) {
        const size_t count = std::min(group->size() - start, per_batch);
        const auto puzzle_at = [&](size_t k) { return (*group)[start + k]; };
        std::vector<uint8_t> batch(count * 81);  // (count, 81)
        for (size_t k = 0; k < count; ++k) {
          const uint8_t* grid = searching ? states[puzzle_at(k)].grid.data() : result.digits.data() + puzzle_at(k) * 81;
          std::copy_n(grid, 81, batch.begin() + static_cast<std::ptrdiff_t>(k * 81));
        }
        Tensor start_y, start_z;  // [count * readings, ...state_dims]
        if (continues) {
          std::vector<int64_t> dims = state_dims;
          dims.insert(dims.begin(), static_cast<int64_t>(count * symmetries.size()));
          start_y = Tensor::empty(Shape(dims));
          start_z = Tensor::empty(Shape(dims));
          const size_t per_puzzle = carried_y[puzzle_at(0)].size();
          for (size_t k = 0; k < count; ++k) {
            std::copy(carried_y[puzzle_at(k)].begin(), carried_y[puzzle_at(k)].end(), start_y.data() + k * per_puzzle);
            std::copy(carried_z[puzzle_at(k)].begin(), carried_z[puzzle_at(k)].end(), start_z.data() + k * per_puzzle);
          }
        }
        RecursionObserver* watcher =
            options.observer ? options.observer->on_pass(result.passes[puzzle_at(0)] + 1, batch.data(), count) : nullptr;
        const PassReading reading = read_pass(model, batch.data(), count, cycles, symmetries, options.combine, searching, watcher,
                                              continues ? &start_y : nullptr, continues ? &start_z : nullptr,
                                              options.halting);
        if (carry && state_dims.empty()) {
          state_dims = reading.y.shape().to_vector();
          state_dims.erase(state_dims.begin());
        }
        for (size_t k = 0; k < count; ++k) {
          const size_t puzzle = puzzle_at(k);
          for (int t = 0; t < readings; ++t) result.outer_cycles[puzzle] += reading.cycles[k * static_cast<size_t>(readings) + static_cast<size_t>(t)];
          const bool more = searching ? search_step(puzzle, reading.probability.data() + k * 81 * 9)
                                      : commit(puzzle, reading.frame.digits.data() + k * 81,
                                               reading.frame.confidence.data() + k * 81);
          if (more)
            still_open.push_back(puzzle);
          else
            end_puzzle(puzzle);
          if (!carry) continue;
          if (more) {
            const size_t per_puzzle = static_cast<size_t>(reading.y.numel()) / count;
            carried_y[puzzle].assign(reading.y.data() + k * per_puzzle, reading.y.data() + (k + 1) * per_puzzle);
            carried_z[puzzle].assign(reading.z.data() + k * per_puzzle, reading.z.data() + (k + 1) * per_puzzle);
          } else {
            std::vector<float>().swap(carried_y[puzzle]);
            std::vector<float>().swap(carried_z[puzzle]);
          }
        }
      }
    }
    open = std::move(still_open);
  }
  result.forward_passes.resize(n);
  for (size_t i = 0; i < n; ++i) result.forward_passes[i] = result.passes[i] * readings;
  return result;
}

}  // namespace trm
