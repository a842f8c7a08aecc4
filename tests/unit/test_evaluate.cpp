// Evaluation's progress reports: every puzzle is told once, and the last report is the result.
#include <catch2/catch.hpp>

#include "sudoku/generator.h"
#include "test_support.h"
#include "train/evaluate.h"

using namespace trm;

TEST_CASE("evaluation reports its progress puzzle by puzzle and ends on its result", "[eval]") {
  const sudoku::Dataset data = sudoku::generate(7, 11);
  TRM model(trm_test::tiny_config("cells", 8, 1, 1, 2));
  model.init(4);
  for (const Decoding decoding : {Decoding::SinglePass, Decoding::IterativeCommit, Decoding::Search}) {
    EvalOptions options;
    options.batch_size = 3;  // three batches: reports must run on across them
    options.decode.decoding = decoding;
    options.decode.symmetries = decoding == Decoding::SinglePass ? 1 : 2;
    options.decode.threshold = 0.6f;
    options.decode.max_forward_passes = 8;
    const EvalResult quiet = evaluate(model, data, options);
    std::vector<size_t> done;
    AccuracyCounter last;
    options.on_progress = [&](size_t n, size_t total, const AccuracyCounter& so_far) {
      CHECK(total == data.size());
      done.push_back(n);
      last = so_far;
    };
    const EvalResult told = evaluate(model, data, options);
    REQUIRE_FALSE(done.empty());
    CHECK(done.back() == data.size());
    CHECK(std::is_sorted(done.begin(), done.end()));
    if (decoding != Decoding::SinglePass) CHECK(done.size() == data.size());  // one report per puzzle
    CHECK(last.puzzles == static_cast<int64_t>(data.size()));
    CHECK(last.puzzles_solved == told.final_cycle.puzzles_solved);
    CHECK(last.blank_correct == told.final_cycle.blank_correct);
    // Watching changes nothing.
    CHECK(told.final_cycle.blank_correct == quiet.final_cycle.blank_correct);
    CHECK(told.mean_outer_cycles == quiet.mean_outer_cycles);
  }
}
