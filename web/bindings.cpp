// The JavaScript surface of the WebAssembly build: one embind class, Model, with seven methods, and two functions. Everything
// crosses the boundary as JSON text, so the page needs no knowledge of the model's memory layout:
//
//   const m = new Module.Model();
//   m.load(jsonText, "name.json")  -> '{"config":{...},"parameter_count":N,"simd":true,
//                                       "default_decoding":{"decoding":"search","symmetries":1,"iterative_symmetries":4,
//                                       "commit_threshold":T,"max_forward_passes":N,"halting":false}}'   (or '{"error":"..."}')
//   m.loaded()                     -> true once a load succeeded
//   m.info()                       -> the same JSON as load() returns, for the model now held
//   m.run("81 chars", hCycles)     -> '{"h_cycles":H,"l_cycles":L,
//                                       "frames":[{"digits":"81 chars 1-9","confidence":[81]}, ...H],
//                                       "latent_update_norms":[H*L], "logits":[729]}'
//   m.runLive("81 chars", hCycles, onCycle)
//                                  -> the same as run(), and calls onCycle('{"cycle":h,"digits":"81 chars",
//                                     "confidence":[81],"latent_update_norms":[L]}') after each outer cycle, as it
//                                     is computed (what the page's worker posts for live refinement)
//   m.decode("81 chars", hCycles, threshold, symmetries)
//                                  -> '{"digits":"81 chars","passes":N,"threshold":T,"symmetries":K}': iterative-commit
//                                     decoding (core/model/decode.h, `trm solve --decoding iterative`): run, commit the
//                                     blanks at least `threshold` sure (at least the surest one), run again, until none
//                                     is left; each pass averages the puzzle and K-1 symmetric copies (0: the default)
//   m.decodeLive("81 chars", hCycles, threshold, symmetries, "iterative"|"search", onEvent)
//                                  -> decode()'s answer with "decoding", "forward_passes", "outer_cycles", "branches",
//                                     "search_end" and "trace" (pass 1's cycles, as run() gives them); calls
//                                     onEvent('{"pass":k,"board":"81 chars"}') before each pass and onEvent with each
//                                     outer cycle as runLive does (plus "pass":k) as it is computed
//   m.delete()                     (embind: frees the C++ object)
//
//   Module.readPuzzle(text)         -> '{"digits":"81 chars 0-9","givens":N}': text read by core's puzzle reader
//                                     (core/sudoku/lines.h: one line of 81 characters or a drawn grid, BOM, CRLF/CR,
//                                     trailing spaces, '.' or '0' blanks), the same reader as `trm solve`'s
//   Module.countSolutions("81 chars", limit)
//                                  -> '{"solutions":N,"guesses":G}': the exact solver (core/sudoku/solver.h), counting
//                                     up to limit (2 proves uniqueness); needs no model, takes milliseconds
//
// No C++ exception leaves this file: every method catches everything and answers {"error": "message"};
// www/trm-api.js turns that into a thrown Error. A failed load keeps the model held before it.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>

#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/trace_json.h"
#include "io/weights_json.h"
#include "model/decode.h"
#include "model/config.h"
#include "model/inference.h"
#include "model/trm.h"
#include "sudoku/lines.h"
#include "sudoku/solver.h"
#include "util/error.h"


namespace {

using Json = nlohmann::json;

// Messages can quote parts of a hostile file; keep what the page shows bounded.
constexpr size_t kMaxMessage = 600;
// A weights file nests four levels deep. JSON nested deeper than this is refused before parsing, so no
// recursive walk (dump, copy, compare) can ever overflow the wasm stack on a hostile file.
constexpr int kMaxJsonDepth = 64;
constexpr int kMaxCycles = 256;  // the config's own bound on H_cycles

void check_cycles(const trm::TRM& model, int h_cycles) {
  if (h_cycles < 0 || h_cycles > kMaxCycles)
    throw trm::InputError("outer cycles must be in [1, " + std::to_string(kMaxCycles) + "] (0: the model's " +
                          std::to_string(model.config().H_cycles) + "), got " + std::to_string(h_cycles));
}

std::string error_json(std::string message) {
  if (message.size() > kMaxMessage) message = message.substr(0, kMaxMessage) + "...";
  // The message may hold arbitrary bytes from a file; replace invalid UTF-8 rather than throw in dump().
  return Json{{"error", message}}.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The deepest nesting of [ and { outside strings; stops counting once past `limit`.
int json_depth(const std::string& text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

// A puzzle as the page or a caller gives it, read by core's one puzzle reader (core/sudoku/lines.h: one line of
// 81 characters or a drawn grid); conflicting givens are the caller's to judge (the model runs on them, the page
// shows them).
std::vector<uint8_t> parse_puzzle(const std::string& text) {
  trm::sudoku::Grid grid{};
  std::string problem;
  if (!trm::sudoku::try_read_puzzle_cells(text, grid, problem)) throw trm::InputError("puzzle: " + problem);
  return std::vector<uint8_t>(grid.begin(), grid.end());
}

// Streams each outer cycle of one puzzle's run to a JavaScript callback while recording the whole trace, as
// core/model/inference.cpp's TraceRecorder does (the same frames, so run() and runLive() agree). In a decode
// (LiveDecode below) each pass's forward reads `rows` copies of the puzzle at once: only row 0, the board as it
// stands, is shown, messages carry the pass, and only pass 1 (the puzzle as given) is recorded in the trace.
class LiveObserver : public trm::RecursionObserver {
 public:
  LiveObserver(trm::InferenceTrace& trace, emscripten::val callback) : trace_(trace), callback_(std::move(callback)) {}

  void start_forward(int pass, int64_t rows) {
    pass_ = pass;
    rows_ = rows;
  }

  void on_latent_update(int, int, const trm::Tensor& before, const trm::Tensor& after) override {
    double sq = 0.0;
    for (int64_t i = 0, n = before.numel() / rows_; i < n; ++i) {  // row 0 only
      const double d = static_cast<double>(after[i]) - before[i];
      sq += d * d;
    }
    const float norm = static_cast<float>(std::sqrt(sq));
    if (pass_ <= 1) trace_.latent_update_norms.push_back({norm});
    cycle_norms_.push_back(norm);
  }

  void on_cycle_end(int h, const trm::Tensor&, const trm::Tensor* logits) override {
    trm::CycleFrame frame;
    frame.digits.resize(81);
    frame.confidence.resize(81);
    trm::decode_logits(logits->data(), 81, frame.digits.data(), frame.confidence.data());
    std::string digits(81, '0');
    for (size_t i = 0; i < 81; ++i) digits[i] = static_cast<char>('0' + frame.digits[i]);
    Json message = {{"cycle", h}, {"digits", digits}, {"confidence", frame.confidence},
                    {"latent_update_norms", cycle_norms_}};
    if (pass_ > 0) message["pass"] = pass_;
    if (pass_ <= 1) {
      trace_.frames.push_back(std::move(frame));
      trace_.logits = trm::Tensor::from({1, 81, 9}, std::vector<float>(logits->data(), logits->data() + 729));
    }
    cycle_norms_.clear();
    callback_(message.dump());
  }

 private:
  trm::InferenceTrace& trace_;
  emscripten::val callback_;
  std::vector<float> cycle_norms_;
  int pass_ = 0;       // 0: a plain run; k: pass k of a decode
  int64_t rows_ = 1;   // batch rows of the forward; row 0 is shown
};

// A decode as it runs: before each pass, '{"pass":k,"board":"81 chars"}' (the board it reads, commits written in),
// then that pass's cycles through LiveObserver.
class LiveDecode : public trm::DecodeObserver {
 public:
  LiveDecode(LiveObserver& cycles, emscripten::val callback, int rows)
      : cycles_(cycles), callback_(std::move(callback)), rows_(rows) {}
  trm::RecursionObserver* on_pass(int pass, const uint8_t* boards, size_t) override {
    std::string board(81, '0');
    for (size_t i = 0; i < 81; ++i) board[i] = static_cast<char>('0' + boards[i]);
    callback_(Json{{"pass", pass}, {"board", board}}.dump());
    cycles_.start_forward(pass, rows_);
    return &cycles_;
  }

 private:
  LiveObserver& cycles_;
  emscripten::val callback_;
  int rows_;
};

template <typename F>
std::string guarded(F&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return error_json("out of memory");
  } catch (const std::exception& e) {
    return error_json(e.what());
  } catch (...) {
    return error_json("unknown error");
  }
}

class Model {
 public:
  std::string load(const std::string& text, const std::string& name) {
    return guarded([&] {
      const std::string where = name.empty() ? std::string("weights") : name;
      if (json_depth(text, kMaxJsonDepth) > kMaxJsonDepth)
        throw trm::InputError(where + ": not a weights file (JSON nested more than " + std::to_string(kMaxJsonDepth) +
                              " levels deep)");
      std::istringstream in(text);
      std::unique_ptr<trm::TRM> fresh = trm::load_weights(in, where);
      std::string info = info_of(*fresh);
      model_ = std::move(fresh);  // only now: a failed load keeps the previous model
      return info;
    });
  }

  bool loaded() const { return model_ != nullptr; }

  std::string info() const {
    return guarded([&] {
      if (!model_) throw trm::InputError("no model loaded");
      return info_of(*model_);
    });
  }

  std::string run(const std::string& puzzle, int h_cycles) const {
    return guarded([&] {
      if (!model_) throw trm::InputError("no model loaded");
      check_cycles(*model_, h_cycles);
      const std::vector<uint8_t> cells = parse_puzzle(puzzle);
      const trm::InferenceTrace trace = trm::infer(*model_, cells.data(), 1, h_cycles);
      return trm::trace_to_json(trace).dump();
    });
  }

  std::string run_live(const std::string& puzzle, int h_cycles, emscripten::val on_cycle) const {
    return guarded([&] {
      if (!model_) throw trm::InputError("no model loaded");
      check_cycles(*model_, h_cycles);
      if (on_cycle.typeOf().as<std::string>() != "function") throw trm::InputError("runLive needs a callback function");
      const std::vector<uint8_t> cells = parse_puzzle(puzzle);
      trm::InferenceTrace trace;
      trace.batch = 1;
      trace.h_cycles = h_cycles > 0 ? h_cycles : model_->config().inference_cycles();
      trace.l_cycles = model_->config().L_cycles;
      LiveObserver observer(trace, on_cycle);
      trm::Tape tape(/*recording=*/false);
      trm::ForwardOptions options;
      options.h_cycles = trace.h_cycles;
      options.logits_every_cycle = true;
      options.observer = &observer;
      trace.logits = model_->forward(tape, cells.data(), 1, options).logits->value;
      return trm::trace_to_json(trace).dump();
    });
  }

  std::string decode(const std::string& puzzle, int h_cycles, double threshold, int symmetries) const {
    return guarded([&] {
      const trm::DecodeOptions options =
          decode_options(trm::Decoding::IterativeCommit, h_cycles, threshold, symmetries);
      const trm::DecodeResult result = trm::decode(*model_, parse_puzzle(puzzle), options);
      return answer_json(result, options).dump();
    });
  }

  // decode() streamed: onEvent gets '{"pass":k,"board":...}' before each pass and each of its outer cycles as
  // runLive sends them (with "pass"); the answer also holds pass 1's reading of the puzzle as given as a trace
  // (what run() returns, up to float rounding of the batched readings), so the page runs the model once.
  std::string decode_live(const std::string& puzzle, int h_cycles, double threshold, int symmetries,
                          const std::string& decoding, emscripten::val on_event) const {
    return guarded([&] {
      const trm::Decoding chosen = trm::parse_decoding(decoding);
      if (chosen == trm::Decoding::SinglePass) throw trm::InputError("decodeLive: use runLive for a single pass");
      trm::DecodeOptions options = decode_options(chosen, h_cycles, threshold, symmetries);
      if (on_event.typeOf().as<std::string>() != "function") throw trm::InputError("decodeLive needs a callback function");
      trm::InferenceTrace trace;
      trace.batch = 1;
      trace.h_cycles = options.h_cycles > 0 ? options.h_cycles : model_->config().inference_cycles();
      trace.l_cycles = model_->config().L_cycles;
      LiveObserver cycles(trace, on_event);
      LiveDecode passes(cycles, on_event, options.symmetries);
      options.observer = &passes;
      const trm::DecodeResult result = trm::decode(*model_, parse_puzzle(puzzle), options);
      Json answer = answer_json(result, options);
      answer["decoding"] = trm::decoding_flag(chosen);
      answer["forward_passes"] = result.forward_passes.at(0);
      answer["outer_cycles"] = result.outer_cycles.at(0);
      answer["branches"] = result.branches.at(0);
      static const char* const ends[] = {"complete", "rejected", "budget"};  // as `trm solve --json` says
      answer["search_end"] = ends[result.search_end.at(0)];
      if (!trace.frames.empty()) answer["trace"] = trm::trace_to_json(trace);
      return answer.dump();
    });
  }

 private:
  trm::DecodeOptions decode_options(trm::Decoding decoding, int h_cycles, double threshold, int symmetries) const {
    if (!model_) throw trm::InputError("no model loaded");
    check_cycles(*model_, h_cycles);
    if (!(threshold > 0.0 && threshold <= 1.0))
      throw trm::InputError("the commit threshold must be in (0, 1], got " + std::to_string(threshold));
    if (symmetries < 0 || symmetries > trm::kMaxSymmetries)
      throw trm::InputError("symmetries must be 1 to " + std::to_string(trm::kMaxSymmetries) + " (0: the default), got " +
                            std::to_string(symmetries));
    trm::DecodeOptions options;
    options.decoding = decoding;
    options.h_cycles = h_cycles;
    options.threshold = static_cast<float>(threshold);
    options.symmetries = symmetries > 0 ? symmetries : trm::default_symmetries(decoding);
    options.batch_size = options.symmetries;  // one puzzle: its copies make one batch
    return options;
  }

  static Json answer_json(const trm::DecodeResult& result, const trm::DecodeOptions& options) {
    std::string digits(81, '0');
    for (size_t i = 0; i < 81; ++i) digits[i] = static_cast<char>('0' + result.digits[i]);
    return Json{{"digits", digits}, {"passes", result.passes.at(0)}, {"threshold", options.threshold},
                {"symmetries", options.symmetries}};
  }

  static std::string info_of(const trm::TRM& model) {
    Json info;
    info["config"] = trm::config_to_json(model.config());
    info["parameter_count"] = trm::TRM::parameter_count(model.config());
    // What `trm solve` does with this model when not told otherwise (core/model/decode.h).
    info["default_decoding"] = {{"decoding", trm::decoding_flag(trm::kDefaultDecoding)},
                                {"symmetries", trm::default_symmetries(trm::kDefaultDecoding)},
                                {"iterative_symmetries", trm::default_symmetries(trm::Decoding::IterativeCommit)},
                                {"commit_threshold", trm::kDefaultCommitThreshold},
                                {"max_forward_passes", trm::kDefaultSearchBudget},
                                {"halting", model.has_halting()}};
#ifdef EIGEN_VECTORIZE
    info["simd"] = true;
#else
    info["simd"] = false;
#endif
    return info.dump();
  }

  std::unique_ptr<trm::TRM> model_;
};

// The page's paste box and text field: the text read as `trm solve` reads its argument.
std::string read_puzzle(const std::string& text) {
  return guarded([&] {
    const std::vector<uint8_t> cells = parse_puzzle(text);
    std::string digits(81, '0');
    int givens = 0;
    for (size_t i = 0; i < 81; ++i) {
      digits[i] = static_cast<char>('0' + cells[i]);
      givens += cells[i] != 0;
    }
    return Json{{"digits", digits}, {"givens", givens}}.dump();
  });
}

std::string count_solutions(const std::string& puzzle, int limit) {
  return guarded([&] {
    if (limit < 1 || limit > 1000) throw trm::InputError("limit must be 1 to 1000, got " + std::to_string(limit));
    const std::vector<uint8_t> cells = parse_puzzle(puzzle);
    trm::sudoku::Grid grid{};
    for (size_t i = 0; i < 81; ++i) grid[i] = cells[i];
    const trm::sudoku::SolveResult result = trm::sudoku::solve(grid, limit);
    return Json{{"solutions", result.solutions}, {"guesses", result.guesses}}.dump();
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(trm) {
  emscripten::function("readPuzzle", &read_puzzle);
  emscripten::function("countSolutions", &count_solutions);
  emscripten::class_<Model>("Model")
      .constructor<>()
      .function("load", &Model::load)
      .function("loaded", &Model::loaded)
      .function("info", &Model::info)
      .function("run", &Model::run)
      .function("runLive", &Model::run_live)
      .function("decode", &Model::decode)
      .function("decodeLive", &Model::decode_live);
}
