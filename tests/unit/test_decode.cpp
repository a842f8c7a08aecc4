// Decoding: single pass equals the trace's last frame with givens kept; iterative commit keeps
// givens, fills every blank, and needs at most one pass per blank.
#include <catch2/catch.hpp>

#include "model/decode.h"
#include "model/inference.h"
#include "util/error.h"
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
