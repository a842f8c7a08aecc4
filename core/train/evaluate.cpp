#include "train/evaluate.h"

#include <algorithm>
#include <map>

#include "model/inference.h"
#include "ops/ops.h"
#include "sudoku/baseline.h"
#include "train/train_step.h"

namespace trm {

std::string group_of(const sudoku::Dataset& data, size_t i) {
  if (!data.level.empty()) return data.level_names[data.level[i]];
  const sudoku::Grid puzzle = data.puzzle(i);
  const int givens = sudoku::count_givens(puzzle);
  const int low = givens / 3 * 3;
  return std::to_string(low) + "-" + std::to_string(low + 2) + " givens";
}

namespace {

// Groups in a stable, readable order: levels as the file lists them, givens ranges ascending.
std::vector<GroupAccuracy> ordered_groups(const sudoku::Dataset& data, const std::map<std::string, AccuracyCounter>& by) {
  std::vector<GroupAccuracy> groups;
  if (!data.level.empty()) {
    for (const auto& name : data.level_names)
      if (by.count(name)) groups.push_back({name, by.at(name)});
  } else {
    for (const auto& [name, counter] : by) groups.push_back({name, counter});
    std::sort(groups.begin(), groups.end(),
              [](const GroupAccuracy& a, const GroupAccuracy& b) { return std::stoi(a.name) < std::stoi(b.name); });
  }
  return groups;
}

// Counts each puzzle's answer as its decoding ends, for EvalOptions::on_progress.
class ProgressWatch : public DecodeObserver {
 public:
  ProgressWatch(const EvalOptions& options, size_t total) : options_(options), total_(total) {}
  void start_batch(const uint8_t* puzzles, const uint8_t* solutions) { puzzles_ = puzzles, solutions_ = solutions; }
  RecursionObserver* on_pass(int, const uint8_t*, size_t) override { return nullptr; }
  void on_puzzle_end(size_t puzzle, const uint8_t* answer) override {
    so_far_.add(puzzles_ + puzzle * 81, solutions_ + puzzle * 81, answer);
    options_.on_progress(++done_, total_, so_far_);
  }

 private:
  const EvalOptions& options_;
  size_t total_, done_ = 0;
  const uint8_t *puzzles_ = nullptr, *solutions_ = nullptr;
  AccuracyCounter so_far_;
};

}  // namespace

EvalResult evaluate(const TRM& model, const sudoku::Dataset& data, const EvalOptions& options) {
  const size_t n = options.limit ? std::min(options.limit, data.size()) : data.size();
  const int h_cycles = options.decode.h_cycles > 0 ? options.decode.h_cycles : model.config().inference_cycles();
  EvalResult result;
  result.puzzles = n;
  result.per_cycle.resize(static_cast<size_t>(h_cycles));
  std::map<std::string, AccuracyCounter> by_group;
  double loss_sum = 0.0, passes = 0.0, forward_passes = 0.0, outer_cycles = 0.0, branches = 0.0;
  ProgressWatch watch(options, n);
  // A single pass of the puzzle alone is the trace's last frame (unless learned halting stops it sooner); anything
  // else is decoded from it.
  const bool decoded = options.decode.decoding != Decoding::SinglePass || options.decode.symmetries > 1 ||
                       uses_halting(model, options.decode);
  for (size_t start = 0; start < n; start += static_cast<size_t>(options.batch_size)) {
    const auto batch = static_cast<int64_t>(std::min<size_t>(static_cast<size_t>(options.batch_size), n - start));
    const uint8_t* puzzles = data.puzzles.data() + start * 81;
    const uint8_t* solutions = data.solutions.data() + start * 81;
    InferenceTrace trace = infer(model, puzzles, batch, h_cycles);
    for (int h = 0; h < h_cycles; ++h)
      for (int64_t b = 0; b < batch; ++b)
        result.per_cycle[static_cast<size_t>(h)].add(puzzles + b * 81, solutions + b * 81,
                                                     trace.frames[static_cast<size_t>(h)].digits.data() + b * 81);
    std::vector<uint8_t> answers(trace.frames.back().digits);
    if (decoded) {
      DecodeOptions decode_options = options.decode;
      decode_options.h_cycles = h_cycles;
      decode_options.batch_size = options.batch_size;
      if (options.on_progress) {
        watch.start_batch(puzzles, solutions);
        decode_options.observer = &watch;
      }
      // The trace above is the first pass: decoding continues from it rather than running it again.
      DecodeResult decoding =
          decode(model, std::vector<uint8_t>(puzzles, puzzles + batch * 81), decode_options, &trace.frames.back());
      answers = std::move(decoding.digits);
      result.symmetries = decoding.symmetries;
      for (size_t b = 0; b < decoding.passes.size(); ++b) {
        passes += decoding.passes[b];
        forward_passes += decoding.forward_passes[b];
        outer_cycles += decoding.outer_cycles[b];
        branches += decoding.branches[b];
        result.search_rejected += decoding.search_end[b] == kRejected;
        result.search_budget_spent += decoding.search_end[b] == kBudgetSpent;
      }
    } else {
      passes += static_cast<double>(batch);
      forward_passes += static_cast<double>(batch);
      outer_cycles += static_cast<double>(batch) * h_cycles;
    }
    for (int64_t b = 0; b < batch; ++b) {
      AccuracyCounter one;
      one.add(puzzles + b * 81, solutions + b * 81, answers.data() + b * 81);
      result.final_cycle.merge(one);
      by_group[group_of(data, start + static_cast<size_t>(b))].merge(one);
    }
    if (options.on_progress && !decoded) options.on_progress(start + static_cast<size_t>(batch), n, result.final_cycle);
    Tape tape(false);
    loss_sum += static_cast<double>(cross_entropy(tape, constant(trace.logits), cell_targets(solutions, batch))->value[0]) *
                static_cast<double>(batch);
  }
  result.loss = n ? loss_sum / static_cast<double>(n) : 0.0;
  result.mean_passes = n ? passes / static_cast<double>(n) : 0.0;
  result.mean_forward_passes = n ? forward_passes / static_cast<double>(n) : 0.0;
  result.mean_outer_cycles = n ? outer_cycles / static_cast<double>(n) : 0.0;
  result.mean_branches = n ? branches / static_cast<double>(n) : 0.0;
  result.groups = ordered_groups(data, by_group);
  return result;
}

EvalResult evaluate_baseline(const sudoku::Dataset& data, size_t limit, uint64_t seed) {
  const size_t n = limit ? std::min(limit, data.size()) : data.size();
  Rng rng(seed);
  EvalResult result;
  result.puzzles = n;
  std::map<std::string, AccuracyCounter> by_group;
  for (size_t i = 0; i < n; ++i) {
    const sudoku::Grid puzzle = data.puzzle(i), solution = data.solution(i);
    const sudoku::Grid guess = sudoku::baseline_guess(puzzle, rng);
    AccuracyCounter one;
    one.add(puzzle.data(), solution.data(), guess.data());
    result.final_cycle.merge(one);
    by_group[group_of(data, i)].merge(one);
  }
  result.per_cycle = {result.final_cycle};
  result.groups = ordered_groups(data, by_group);
  return result;
}

}  // namespace trm
