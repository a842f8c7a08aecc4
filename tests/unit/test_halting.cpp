// Learned halting: the head's parameters, its training targets, and inference that stops each row where its head
// says halt (model/inference.h), the same with or without an observer and row for row as the plain recursion.
#include <catch2/catch.hpp>

#include <cmath>

#include "model/decode.h"
#include "ops/ops.h"
#include "model/inference.h"
#include "test_sudoku_samples.h"
#include "test_support.h"
#include "train/train_step.h"
#include "util/error.h"

using namespace trm;

namespace {

TRMConfig halting_config() {
  TRMConfig c = trm_test::tiny_config("cells", 8, 1, 1, 6);
  c.halt_weight = 1.0f;
  return c;
}

std::vector<uint8_t> three_puzzles() {
  std::vector<uint8_t> puzzles;
  for (const char* text : {trm_test::kHardPuzzle, trm_test::kHardPuzzle, trm_test::kHardPuzzle}) {
    const sudoku::Grid g = trm_test::grid(text);
    puzzles.insert(puzzles.end(), g.begin(), g.end());
  }
  // Three different rows: the second and third lose some givens.
  for (size_t i = 0; i < 81; ++i) {
    if (i % 5 == 0) puzzles[81 + i] = 0;
    if (i % 3 == 0) puzzles[162 + i] = 0;
  }
  return puzzles;
}

// A halting head that reads the state: random weights of the given scale.
void randomize_head(TRM& model, uint64_t seed, float scale) {
  Tensor& w = model.parameters().value(model.parameters().find("halt_head.weight"));
  Rng rng(seed);
  for (int64_t i = 0; i < w.numel(); ++i) w[i] = scale * rng.normal();
}

// Records every cycle's logits an observer is shown.
class CycleLog : public RecursionObserver {
 public:
  std::vector<int> cycles;
  std::vector<std::vector<float>> logits;
  void on_latent_update(int, int, const Tensor&, const Tensor&) override {}
  void on_cycle_end(int h, const Tensor&, const Tensor* l) override {
    cycles.push_back(h);
    logits.emplace_back(l->data(), l->data() + l->numel());
  }
};

}  // namespace

TEST_CASE("a halting head is two logits read from the whole answer state, declared last", "[model][halting]") {
  TRMConfig plain = trm_test::tiny_config("cells", 8, 1, 1, 2);
  TRMConfig with = plain;
  with.halt_weight = 0.5f;
  const auto a = TRM::parameter_layout(plain), b = TRM::parameter_layout(with);
  REQUIRE(b.size() == a.size() + 2);
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i].name == b[i].name);
  CHECK(b[a.size()].name == "halt_head.weight");
  CHECK(b[a.size()].shape == Shape{2, 81 * 8});
  CHECK(b[a.size() + 1].shape == Shape{2});
  TRMConfig flat = trm_test::tiny_config("flat", 8, 1, 1, 2);
  flat.halt_weight = 1.0f;
  CHECK(TRM::parameter_layout(flat).back().name == "halt_head.bias");
  with.halt_weight = -1.0f;
  CHECK_THROWS_AS(with.validate(), InputError);

  // Without the head the model initialises exactly as before: the head draws no random number.
  TRM m0(plain), m1(halting_config());
  TRMConfig same = plain;
  same.halt_weight = 1.0f;
  TRM m2(same);
  m0.init(3);
  m2.init(3);
  CHECK(std::equal(m0.parameters().values(), m0.parameters().values() + m0.parameters().size(), m2.parameters().values()));
  CHECK_FALSE(m0.has_halting());
  CHECK(m2.has_halting());
}

TEST_CASE("the halting loss trains the head only: no gradient reaches the recursion", "[model][halting]") {
  TRM model(halting_config());
  model.init(2);
  randomize_head(model, 5, 0.1f);
  Parameters& params = model.parameters();
  const std::vector<uint8_t> puzzles = three_puzzles();
  params.zero_grad();
  Tape tape;
  ForwardOptions options;
  Rng dropout(9);
  options.training = true;
  options.dropout_rng = &dropout;
  options.halt_logits = true;
  const ForwardResult out = model.forward(tape, puzzles.data(), 3, options);
  tape.backward(cross_entropy(tape, out.halt, {1, 0, 1}));
  const int head = params.find("halt_head.weight");
  float head_norm = 0.0f;
  for (int i = 0; i < params.count(); ++i) {
    const Tensor& g = params.grad(i);
    float norm = 0.0f;
    for (int64_t k = 0; k < g.numel(); ++k) norm += std::fabs(g[k]);
    if (i == head) head_norm = norm;
    else if (params.infos()[static_cast<size_t>(i)].name != "halt_head.bias") CHECK(norm == 0.0f);
  }
  CHECK(head_norm > 0.0f);
}

TEST_CASE("the halting targets say whether every blank is already right", "[train][halting]") {
  const sudoku::Grid puzzle = trm_test::grid(trm_test::kHardPuzzle);
  const sudoku::Grid solution = trm_test::grid(trm_test::kHardSolution);
  std::vector<uint8_t> puzzles(puzzle.begin(), puzzle.end()), solutions(solution.begin(), solution.end());
  puzzles.insert(puzzles.end(), puzzle.begin(), puzzle.end());
  solutions.insert(solutions.end(), solution.begin(), solution.end());
  Tensor logits = Tensor::zeros(Shape{2, 81, 9});
  for (int b = 0; b < 2; ++b)
    for (int c = 0; c < 81; ++c) logits[(b * 81 + c) * 9 + solution[static_cast<size_t>(c)] - 1] = 5.0f;
  // Puzzle 2 gets one blank wrong; a wrong given cell (puzzle 1) does not count: decoding keeps the givens.
  int blank = 0, given = 0;
  while (puzzle[static_cast<size_t>(blank)] != 0) ++blank;
  while (puzzle[static_cast<size_t>(given)] == 0) ++given;
  logits[(81 + blank) * 9 + solution[static_cast<size_t>(blank)] % 9] = 9.0f;
  logits[given * 9 + solution[static_cast<size_t>(given)] % 9] = 9.0f;
  CHECK(halt_targets(logits, puzzles.data(), solutions.data(), 2) == std::vector<int32_t>{1, 0});
}

TEST_CASE("halting inference: a head that never halts is the plain recursion, one that always halts stops at cycle 1",
          "[model][halting]") {
  TRM model(halting_config());
  model.init(11);
  const std::vector<uint8_t> puzzles = three_puzzles();
  const Continued plain = predict_continued(model, puzzles.data(), 3, 6, nullptr, nullptr);
  CHECK(plain.cycles == std::vector<int>{6, 6, 6});
  // The initial head (p(halt) = e^-5 against 1) never halts.
  const Continued never = predict_continued(model, puzzles.data(), 3, 6, nullptr, nullptr, nullptr, true);
  CHECK(never.cycles == std::vector<int>{6, 6, 6});
  for (int64_t i = 0; i < plain.logits.numel(); ++i) REQUIRE(never.logits[i] == Approx(plain.logits[i]).margin(1e-5));
  for (int64_t i = 0; i < plain.y.numel(); ++i) REQUIRE(never.y[i] == Approx(plain.y[i]).margin(1e-5));

  Tensor& bias = model.parameters().value(model.parameters().find("halt_head.bias"));
  bias[1] = 50.0f;
  const Continued always = predict_continued(model, puzzles.data(), 3, 6, nullptr, nullptr, nullptr, true);
  CHECK(always.cycles == std::vector<int>{1, 1, 1});
  const Tensor one = predict(model, puzzles.data(), 3, 1);
  for (int64_t i = 0; i < one.numel(); ++i) REQUIRE(always.logits[i] == Approx(one[i]).margin(1e-5));
}

TEST_CASE("halting inference stops rows at different cycles, the same with an observer as without", "[model][halting]") {
  TRM model(halting_config());
  model.init(11);
  // A head reading the state at random, its bias set so the three rows halt at different cycles.
  randomize_head(model, 3, 0.05f);
  Parameters& params = model.parameters();
  const std::vector<uint8_t> puzzles = three_puzzles();
  Tensor& bias = params.value(params.find("halt_head.bias"));
  std::vector<int> cycles;
  for (float b = -6.0f; b <= 6.0f; b += 0.25f) {  // find a bias at which the rows disagree
    bias[1] = b;
    cycles = predict_continued(model, puzzles.data(), 3, 6, nullptr, nullptr, nullptr, true).cycles;
    if (*std::min_element(cycles.begin(), cycles.end()) != *std::max_element(cycles.begin(), cycles.end())) break;
  }
  REQUIRE(*std::min_element(cycles.begin(), cycles.end()) != *std::max_element(cycles.begin(), cycles.end()));
  const Continued alone = predict_continued(model, puzzles.data(), 3, 6, nullptr, nullptr, nullptr, true);
  CycleLog log;
  const Continued watched = predict_continued(model, puzzles.data(), 3, 6, nullptr, nullptr, &log, true);
  CHECK(watched.cycles == alone.cycles);
  for (int64_t i = 0; i < alone.logits.numel(); ++i) REQUIRE(watched.logits[i] == Approx(alone.logits[i]).margin(1e-5));
  // The observer saw consecutive cycles until the last row halted, a halted row frozen at its answer.
  const int last = *std::max_element(alone.cycles.begin(), alone.cycles.end());
  REQUIRE(static_cast<int>(log.cycles.size()) == last);
  for (int h = 0; h < last; ++h) CHECK(log.cycles[static_cast<size_t>(h)] == h);
  for (int row = 0; row < 3; ++row)
    for (int i = 0; i < 729; ++i) REQUIRE(log.logits.back()[static_cast<size_t>(row * 729 + i)] == Approx(alone.logits[row * 729 + i]).margin(1e-5));
  // Each row's answer is the plain recursion's at the cycle it halted.
  for (int row = 0; row < 3; ++row) {
    const Tensor at = predict(model, puzzles.data() + row * 81, 1, alone.cycles[static_cast<size_t>(row)]);
    for (int i = 0; i < 729; ++i) REQUIRE(alone.logits[row * 729 + i] == Approx(at[i]).margin(1e-5));
  }

  // Decoding counts the cycles each reading ran; halting off runs them all.
  DecodeOptions options;
  options.decoding = Decoding::SinglePass;
  options.symmetries = 1;
  options.h_cycles = 6;
  const DecodeResult halted = decode(model, puzzles, options);
  CHECK(halted.outer_cycles == alone.cycles);
  options.halting = false;
  CHECK(decode(model, puzzles, options).outer_cycles == std::vector<int>{6, 6, 6});
}
