// Decoding: single pass equals the trace's last frame with givens kept; iterative commit keeps
// givens, fills every blank, and needs at most one pass per blank.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "model/decode.h"
#include "model/inference.h"
#include "util/error.h"
#include "test_sudoku_samples.h"
#include "test_support.h"

using namespace trm;

TEST_CASE("single pass and iterative commit decoding", "[model][decode]") {
  TRMConfig c = trm_test::tiny_config("cells", 8, 1, 1, 2);
  TRM model(c);
  model.init(21);
  std::vector<uint8_t> puzzles(2 * 81, 0);
  for (int i = 0; i < 81; i += 4) puzzles[static_cast<size_t>(i)] = static_cast<uint8_t>(1 + (i * 7) % 9);
  puzzles[81] = 5;

  DecodeOptions single;
  single.decoding = Decoding::SinglePass;
  const DecodeResult one = decode(model, puzzles, single);
  const InferenceTrace trace = infer(model, puzzles.data(), 2);
  for (size_t i = 0; i < puzzles.size(); ++i)
    CHECK(one.digits[i] == (puzzles[i] ? puzzles[i] : trace.frames.back().digits[i]));
  CHECK(one.passes == std::vector<int>{1, 1});

  DecodeOptions iterative;
  iterative.decoding = Decoding::IterativeCommit;
  iterative.symmetries = 1;  // the puzzle as given: a first pass can then be reused
  iterative.threshold = 1.01f;  // nothing is ever that sure: exactly one cell per pass
  const DecodeResult many = decode(model, puzzles, iterative);
  int blanks0 = 0, blanks1 = 0;
  for (int i = 0; i < 81; ++i) {
    blanks0 += puzzles[static_cast<size_t>(i)] == 0;
    blanks1 += puzzles[static_cast<size_t>(81 + i)] == 0;
  }
  CHECK(many.passes == std::vector<int>{blanks0, blanks1});
  for (size_t i = 0; i < puzzles.size(); ++i) {
    CHECK(many.digits[i] >= 1);
    CHECK(many.digits[i] <= 9);
    if (puzzles[i]) CHECK(many.digits[i] == puzzles[i]);
  }
  // The first committed cell is the single pass's most confident blank, with the same digit.
  int best = -1;
  for (int i = 0; i < 81; ++i)
    if (!puzzles[static_cast<size_t>(i)] && (best < 0 || trace.frames.back().confidence[static_cast<size_t>(i)] >
                                                             trace.frames.back().confidence[static_cast<size_t>(best)]))
      best = i;
  CHECK(many.digits[static_cast<size_t>(best)] == trace.frames.back().digits[static_cast<size_t>(best)]);

  // Handing decode the trace's own last frame as the first pass changes nothing but the work done.
  iterative.threshold = 0.3f;
  const DecodeResult rerun = decode(model, puzzles, iterative);
  const DecodeResult reused = decode(model, puzzles, iterative, &trace.frames.back());
  CHECK(reused.digits == rerun.digits);
  CHECK(reused.passes == rerun.passes);
  // A different first frame is really used: one whose digits are all 9 at full confidence fills every blank with 9.
  CycleFrame nines{std::vector<uint8_t>(puzzles.size(), 9), std::vector<float>(puzzles.size(), 1.0f)};
  const DecodeResult forced = decode(model, puzzles, iterative, &nines);
  for (size_t i = 0; i < puzzles.size(); ++i) CHECK(forced.digits[i] == (puzzles[i] ? puzzles[i] : 9));
  CHECK(forced.passes == std::vector<int>{1, 1});
  CycleFrame short_frame{std::vector<uint8_t>(81, 1), std::vector<float>(81, 1.0f)};
  CHECK_THROWS(decode(model, puzzles, iterative, &short_frame));

  CHECK(parse_decoding("iterative") == Decoding::IterativeCommit);
  CHECK_THROWS_AS(parse_decoding("beam"), InputError);
}

TEST_CASE("a complete grid needs no forward pass", "[model][decode]") {
  TRMConfig c = trm_test::tiny_config("flat", 4, 1, 1, 1);
  TRM model(c);
  model.init(2);
  std::vector<uint8_t> full(81);
  for (int i = 0; i < 81; ++i) full[static_cast<size_t>(i)] = static_cast<uint8_t>(1 + (i % 9 * 3 + i / 9 + i / 27) % 9);
  const DecodeResult result = decode(model, full, DecodeOptions{});
  CHECK(result.passes == std::vector<int>{0});
  CHECK(result.digits == full);
}

TEST_CASE("decoding over symmetries combines the copies' probabilities, mapped back to the puzzle", "[model][decode]") {
  TRMConfig c = trm_test::tiny_config("cells", 8, 1, 1, 2);
  TRM model(c);
  model.init(23);
  sudoku::Grid puzzle{};
  for (int i = 0; i < 81; i += 3) puzzle[static_cast<size_t>(i)] = static_cast<uint8_t>(1 + (i * 5 + i / 9) % 9);
  const std::vector<uint8_t> puzzles(puzzle.begin(), puzzle.end());

  const auto symmetries = decoding_symmetries(3);
  REQUIRE(symmetries.size() == 3);
  CHECK(sudoku::apply_symmetry(symmetries[0], puzzle) == puzzle);  // the identity comes first
  CHECK(sudoku::apply_symmetry(symmetries[1], puzzle) != puzzle);
  CHECK(decoding_symmetries(3)[2].digit_map == symmetries[2].digit_map);  // the same set every call

  // Both combinations, computed here independently: each copy's softmax, cell c of the copy holding original
  // cell sources[c], original digit d shown as digit_map[d]; the mean of the probabilities, and the mean of the
  // log-probabilities (the product's logarithm: its argmax is the normalised product's).
  std::vector<double> mean(81 * 9, 0.0), log_mean(81 * 9, 0.0);
  for (const auto& symmetry : symmetries) {
    const sudoku::Grid copy = sudoku::apply_symmetry(symmetry, puzzle);
    const Tensor logits = predict(model, copy.data(), 1);
    const auto sources = sudoku::cell_sources(symmetry);
    for (int cell = 0; cell < 81; ++cell) {
      const float* row = logits.data() + cell * 9;
      double total = 0.0;
      for (int d = 0; d < 9; ++d) total += std::exp(double(row[d]));
      for (int d = 1; d <= 9; ++d) {
        const double p = std::exp(double(row[symmetry.digit_map[static_cast<size_t>(d)] - 1])) / total;
        const size_t at = sources[static_cast<size_t>(cell)] * 9 + static_cast<size_t>(d - 1);
        mean[at] += p / 3.0;
        log_mean[at] += std::log(p) / 3.0;
      }
    }
  }
  DecodeOptions options;
  options.decoding = Decoding::SinglePass;
  options.symmetries = 3;
  CHECK(options.combine == ReadingCombine::Product);  // the default
  const DecodeResult product = decode(model, puzzles, options);
  options.combine = ReadingCombine::Mean;
  const DecodeResult averaged = decode(model, puzzles, options);
  options.symmetries = 1;
  const DecodeResult plain = decode(model, puzzles, options);
  int compared = 0, differs_from_plain = 0, product_differs = 0;
  for (size_t cell = 0; cell < 81; ++cell) {
    if (puzzle[cell]) {
      CHECK(averaged.digits[cell] == puzzle[cell]);
      CHECK(product.digits[cell] == puzzle[cell]);
      continue;
    }
    for (const auto* combined : {&mean, &log_mean}) {
      std::vector<double> p(combined->begin() + static_cast<std::ptrdiff_t>(cell * 9),
                            combined->begin() + static_cast<std::ptrdiff_t>(cell * 9 + 9));
      const auto best = std::max_element(p.begin(), p.end()) - p.begin();
      std::vector<double> sorted = p;
      std::sort(sorted.rbegin(), sorted.rend());
      if (sorted[0] - sorted[1] < 1e-4) continue;  // a near tie may round either way
      const DecodeResult& decoded = combined == &mean ? averaged : product;
      ++compared;
      CHECK(decoded.digits[cell] == best + 1);
    }
    differs_from_plain += averaged.digits[cell] != plain.digits[cell];
    product_differs += averaged.digits[cell] != product.digits[cell];
  }
  CHECK(compared > 80);
  CHECK(differs_from_plain > 0);  // the copies really changed the answer: the mapping back is exercised
  CHECK(product_differs > 0);     // and the two combinations are not the same rule
  CHECK(averaged.passes == std::vector<int>{1});
  CHECK(parse_reading_combine("mean") == ReadingCombine::Mean);
  CHECK(reading_combine_name(parse_reading_combine("product")) == "product");
  CHECK_THROWS_AS(parse_reading_combine("vote"), InputError);

  options.symmetries = -1;
  CHECK_THROWS_AS(decode(model, puzzles, options), InputError);
  options.symmetries = 0;  // the decoding's default: one reading for a single pass
  CHECK(decode(model, puzzles, options).symmetries == 1);
  options.decoding = Decoding::IterativeCommit;
  CHECK(decode(model, puzzles, options).symmetries == kDefaultSymmetries);
  options.symmetries = kMaxSymmetries + 1;
  CHECK_THROWS_AS(decode(model, puzzles, options), InputError);
}

namespace {
// A complete valid grid: (row * 3 + row / 3 + column) % 9 + 1.
sudoku::Grid solved_grid() {
  sudoku::Grid g{};
  for (int r = 0; r < 9; ++r)
    for (int c = 0; c < 9; ++c) g[static_cast<size_t>(r * 9 + c)] = static_cast<uint8_t>((r * 3 + r / 3 + c) % 9 + 1);
  return g;
}
}  // namespace

TEST_CASE("search: the rules reject, the model orders, and a full grid is the puzzle's solution", "[model][decode]") {
  TRMConfig c = trm_test::tiny_config("cells", 8, 1, 1, 2);
  TRM model(c);
  model.init(31);  // untrained: its digits are mostly wrong, so only the search can finish the grid
  const sudoku::Grid solution = solved_grid();
  REQUIRE(sudoku::is_complete_valid(solution));
  sudoku::Grid puzzle = solution;
  for (int cell : {0, 10, 20, 30, 40, 50, 60}) puzzle[static_cast<size_t>(cell)] = 0;  // one solution: each cell forced
  const std::vector<uint8_t> puzzles(puzzle.begin(), puzzle.end());

  DecodeOptions options;
  options.decoding = Decoding::Search;
  options.symmetries = 2;
  options.branch_candidates = 9;  // every allowed digit: the search is then complete
  options.max_forward_passes = 100000;
  const DecodeResult found = decode(model, puzzles, options);
  CHECK(found.search_end == std::vector<uint8_t>{kComplete});
  CHECK(std::equal(solution.begin(), solution.end(), found.digits.begin()));
  CHECK(found.forward_passes[0] == 2 * found.passes[0]);
  CHECK(found.outer_cycles[0] == found.forward_passes[0] * c.inference_cycles());
  CHECK(found.passes[0] >= 1);

  // A budget stops it: nothing is that sure, so each pass branches on one cell; 3 forward passes fill 3 of 60.
  sudoku::Grid sparse = solution;
  for (int cell = 0; cell < 60; ++cell) sparse[static_cast<size_t>(cell)] = 0;
  options.symmetries = 1;
  options.threshold = 1.5f;
  options.max_forward_passes = 3;
  const DecodeResult stopped = decode(model, std::vector<uint8_t>(sparse.begin(), sparse.end()), options);
  CHECK(stopped.search_end == std::vector<uint8_t>{kBudgetSpent});
  CHECK(stopped.forward_passes == std::vector<int>{3});
  CHECK(stopped.branches[0] >= 1);

  // Givens that leave a cell no digit are rejected before any pass: r1c9 blank, its row holds 1-8 and its
  // column a 9.
  sudoku::Grid dead{};
  for (int col = 0; col < 8; ++col) dead[static_cast<size_t>(col)] = static_cast<uint8_t>(col + 1);
  dead[9 * 4 + 8] = 9;
  const DecodeResult rejected = decode(model, std::vector<uint8_t>(dead.begin(), dead.end()), options);
  CHECK(rejected.search_end == std::vector<uint8_t>{kRejected});
  CHECK(rejected.passes == std::vector<int>{0});

  options.branch_candidates = 0;
  CHECK_THROWS_AS(decode(model, puzzles, options), InputError);
  CHECK(parse_decoding("search") == Decoding::Search);
  CHECK(parse_decoding(decoding_flag(Decoding::Search)) == Decoding::Search);
}

// Records what a DecodeObserver sees: each pass's number and boards, and the cycles of each pass's forward.
namespace {
class PassRecorder : public DecodeObserver, public RecursionObserver {
 public:
  std::vector<int> passes;
  std::vector<std::vector<uint8_t>> boards;   // per pass: [count * 81]
  std::vector<int> cycles;                    // per pass: outer cycles seen
  std::vector<std::vector<float>> last_logits;  // per pass: the last cycle's logits, every batch row
  RecursionObserver* on_pass(int pass, const uint8_t* b, size_t count) override {
    passes.push_back(pass);
    boards.emplace_back(b, b + count * 81);
    cycles.push_back(0);
    last_logits.emplace_back();
    return this;
  }
  std::vector<std::pair<size_t, std::vector<uint8_t>>> ended;  // (puzzle, answer) as each decoding ended
  void on_puzzle_end(size_t puzzle, const uint8_t* answer) override { ended.emplace_back(puzzle, std::vector<uint8_t>(answer, answer + 81)); }
  void on_latent_update(int, int, const Tensor&, const Tensor&) override {}
  void on_cycle_end(int, const Tensor&, const Tensor* logits) override {
    REQUIRE(logits != nullptr);
    ++cycles.back();
    last_logits.back().assign(logits->data(), logits->data() + logits->numel());
  }
};
}  // namespace

TEST_CASE("a decode observer sees every pass, its boards and its cycles, and changes nothing", "[model][decode]") {
  TRMConfig c = trm_test::tiny_config("cells", 8, 1, 1, 3);
  TRM model(c);
  model.init(5);
  const sudoku::Grid hard = trm_test::grid(trm_test::kHardPuzzle);
  const std::vector<uint8_t> puzzle(hard.begin(), hard.end());
  for (const Decoding decoding : {Decoding::IterativeCommit, Decoding::Search}) {
    for (const int symmetries : {1, 4}) {
      DecodeOptions options;
      options.decoding = decoding;
      options.symmetries = symmetries;
      options.threshold = 0.6f;
      const DecodeResult plain = decode(model, puzzle, options);
      PassRecorder recorder;
      options.observer = &recorder;
      const DecodeResult watched = decode(model, puzzle, options);
      CHECK(watched.digits == plain.digits);
      CHECK(watched.passes == plain.passes);
      REQUIRE(plain.passes[0] > 0);
      REQUIRE(static_cast<int>(recorder.passes.size()) == plain.passes[0]);
      for (size_t p = 0; p < recorder.passes.size(); ++p) {
        CHECK(recorder.passes[p] == static_cast<int>(p) + 1);
        CHECK(recorder.cycles[p] == c.inference_cycles());
        CHECK(recorder.last_logits[p].size() == static_cast<size_t>(symmetries) * 81 * 9);
      }
      // The first pass reads the puzzle as given; iterative commit's later boards keep every earlier commit.
      CHECK(recorder.boards.front() == puzzle);
      if (decoding == Decoding::IterativeCommit)
        for (size_t p = 1; p < recorder.boards.size(); ++p)
          for (int i = 0; i < 81; ++i)
            if (recorder.boards[p - 1][static_cast<size_t>(i)]) CHECK(recorder.boards[p][static_cast<size_t>(i)] == recorder.boards[p - 1][static_cast<size_t>(i)]);
      // Row 0 of the first pass is the puzzle as given: its last logits are predict()'s.
      const Tensor alone = predict(model, puzzle.data(), 1);
      for (int i = 0; i < 81 * 9; ++i)
        CHECK(recorder.last_logits.front()[static_cast<size_t>(i)] == Approx(alone[i]).margin(1e-5));
    }
  }
}

TEST_CASE("a decode observer hears each puzzle end once, with the answer decode returns", "[model][decode]") {
  TRMConfig c = trm_test::tiny_config("cells", 8, 1, 1, 3);
  TRM model(c);
  model.init(5);
  // A hard puzzle, a full grid (no pass needed), the hard puzzle again and a grid whose givens clash.
  const sudoku::Grid hard = trm_test::grid(trm_test::kHardPuzzle);
  std::vector<uint8_t> puzzles(hard.begin(), hard.end());
  std::vector<uint8_t> full(81);
  for (int i = 0; i < 81; ++i) full[static_cast<size_t>(i)] = static_cast<uint8_t>((i / 9 * 3 + i / 27 + i % 9) % 9 + 1);
  puzzles.insert(puzzles.end(), full.begin(), full.end());
  puzzles.insert(puzzles.end(), hard.begin(), hard.end());
  std::vector<uint8_t> clash(81, 0);
  clash[0] = clash[1] = 5;
  puzzles.insert(puzzles.end(), clash.begin(), clash.end());
  for (const Decoding decoding : {Decoding::IterativeCommit, Decoding::Search}) {
    DecodeOptions options;
    options.decoding = decoding;
    options.symmetries = 1;
    options.threshold = 0.6f;
    options.max_forward_passes = 12;
    PassRecorder recorder;
    options.observer = &recorder;
    const DecodeResult result = decode(model, puzzles, options);
    REQUIRE(recorder.ended.size() == 4);
    std::vector<size_t> seen;
    for (const auto& [puzzle, answer] : recorder.ended) {
      seen.push_back(puzzle);
      CHECK(answer == std::vector<uint8_t>(result.digits.begin() + static_cast<std::ptrdiff_t>(puzzle * 81),
                                           result.digits.begin() + static_cast<std::ptrdiff_t>(puzzle * 81 + 81)));
    }
    std::sort(seen.begin(), seen.end());
    CHECK(seen == std::vector<size_t>{0, 1, 2, 3});
    CHECK(recorder.ended.front().first == 1);  // the full grid ends before any pass
  }
}

TEST_CASE("continuing passes start from the previous pass's states and run their own cycles", "[model][decode]") {
  TRMConfig c = trm_test::tiny_config("cells", 8, 1, 1, 3);
  TRM model(c);
  model.init(7);
  const sudoku::Grid hard = trm_test::grid(trm_test::kHardPuzzle);
  const std::vector<uint8_t> puzzle(hard.begin(), hard.end());

  // Continuing is the same recursion: 3 cycles, then 2 more from its states, are 5 cycles from zeros.
  const Continued first = predict_continued(model, puzzle.data(), 1, 3, nullptr, nullptr);
  const Continued more = predict_continued(model, puzzle.data(), 1, 2, &first.y, &first.z);
  const Tensor five = predict(model, puzzle.data(), 1, 5);
  for (int64_t i = 0; i < five.numel(); ++i) REQUIRE(more.logits[i] == Approx(five[i]).margin(1e-6));
  const Tensor wrong_shape = Tensor::zeros(Shape{2, 81, 8});
  CHECK_THROWS_AS(predict_continued(model, puzzle.data(), 1, 2, &wrong_shape, &first.z), std::invalid_argument);

  for (const Decoding decoding : {Decoding::IterativeCommit, Decoding::Search}) {
    for (const int symmetries : {1, 4}) {
      DecodeOptions options;
      options.decoding = decoding;
      options.symmetries = symmetries;
      options.threshold = 0.6f;
      options.continue_cycles = 2;
      PassRecorder recorder;
      options.observer = &recorder;
      const DecodeResult result = decode(model, puzzle, options);
      REQUIRE(result.passes[0] > 1);
      REQUIRE(static_cast<int>(recorder.cycles.size()) == result.passes[0]);
      CHECK(recorder.cycles.front() == c.inference_cycles());
      for (size_t p = 1; p < recorder.cycles.size(); ++p) CHECK(recorder.cycles[p] == 2);
      CHECK(result.outer_cycles[0] == symmetries * (c.inference_cycles() + 2 * (result.passes[0] - 1)));
      CHECK(result.forward_passes[0] == symmetries * result.passes[0]);
      // Pass 2 of iterative commit continues pass 1: its logits are predict_continued's from pass 1's states.
      if (decoding == Decoding::IterativeCommit && symmetries == 1) {
        const Continued pass1 = predict_continued(model, puzzle.data(), 1, c.inference_cycles(), nullptr, nullptr);
        const Continued pass2 = predict_continued(model, recorder.boards[1].data(), 1, 2, &pass1.y, &pass1.z);
        for (int i = 0; i < 81 * 9; ++i)
          CHECK(recorder.last_logits[1][static_cast<size_t>(i)] == Approx(pass2.logits[i]).margin(1e-5));
      }
    }
  }
}
