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
//                                     is left; each pass combines the puzzle and K-1 symmetric copies (0: the default)
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
// Training in the page (www/train-worker.js runs it in its own worker), with core's one trainer (core/train/trainer.h:
// the same step, AdamW, cosine schedule, clipping and weight average as `trm train --generate --augment
// --time-limit`):
//
//   Module.checkTrainConfig(configJson) -> '{"config":{...every key...},"parameter_count":N,"memory_bytes":B,
//                                        "memory_limit_bytes":L}': the keys given on top of TRMConfig's defaults,
//                                        checked by core (an absurd width or cycle count is refused, naming the key)
//                                        and refused when the estimated memory of a training step (B) exceeds what
//                                        the page's WebAssembly may hold (L); allocates nothing large
//   const t = new Module.TrainSession();
//   t.start(configJson, optionsJson) -> '{"config":...,"parameter_count":N,"validation_puzzles":V,"step":0,...}':
//                                       a fresh model; options {"seed":S,"minutes":M,"min_givens":A,"max_givens":B,
//                                       "validation":V} (training puzzles come from the generator, each augmented by
//                                       a random Sudoku symmetry; V held-out puzzles come from another stream of it)
//   t.startFrom(weightsText, name, optionsJson) -> the same, continuing from a weights file (`trm export`'s or one this
//                                       session exported): its config and weights, a fresh optimiser and schedule
//   t.step(n)                        -> '{"step":S,"steps":k,"loss":mean,"blank_accuracy":mean,"lr":x,
//                                       "train_seconds":T,"finished":bool,"memory_bytes":peak}': k <= n more steps
//                                       (fewer when the time budget ends), their mean loss and training accuracy
//   t.evaluate(limit, decoding, onProgress) -> '{"puzzles":N,"loss":x,"blank_accuracy":a,"puzzle_accuracy":p,
//                                       "per_cycle_puzzle_accuracy":[H],"per_cycle_blank_accuracy":[H],
//                                       "decoding":"single|iterative|search","mean_forward_passes":f}': core's
//                                       evaluate() on the first `limit` held-out puzzles with the weight average when
//                                       there is one (what export writes); onProgress('{"done":d,"total":t}')
//   t.exportWeights()                -> the weights file `trm export` writes (float32), for trm info/solve/eval
//
// No C++ exception leaves this file: every method catches everything and answers {"error": "message"};
// www/trm-api.js turns that into a thrown Error. A failed load keeps the model held before it.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
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
#include "sudoku/generator.h"
#include "sudoku/lines.h"
#include "sudoku/solver.h"
#include "train/streams.h"
#include "train/trainer.h"
#include "util/error.h"

#include <emscripten/emscripten.h>


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

// ---------------------------------------------------------------- training
// The page's WebAssembly may grow to 2 GB (web/CMakeLists.txt); a run is refused when a step is estimated to need
// more than this, leaving room for the held-out set, the generator and fragmentation.
constexpr int64_t kTrainMemoryLimit = int64_t{1536} << 20;
// The page's runs end by time: the schedule's step count must not end them first (the cosine schedule follows
// whichever is further along, and with this many epochs that is the time budget).
constexpr int kPageEpochs = 100000;
constexpr double kMaxMinutes = 24 * 60;
constexpr int kMaxValidation = 5000;

// Memory a training step of `config` takes, in bytes: the parameter arena five times (values, gradients, AdamW's
// two moments, the weight average) plus what the tape records, per token row (batch x 81 for cells, batch for flat)
// and width d: about kFloatsPerBlockRow floats per recorded block, each block recorded once per inner refinement
// and per answer update of every outer cycle. The constant is measured, not derived: pooled_bytes_peak() after
// steps of several configs (tests/web/train.test.js checks that the estimate is above the measured peak and within 3x
// of it). 40 until gradients that ops hand on instead of copying (Node::adopt_grad) lowered the peak: measured again
// then, estimate / peak 1.5-1.6 for cells at d = 16, 32 and 64 and 2.9 for the test's flat config (whose estimate is
// mostly the parameter arena, which the pool's peak does not count).
constexpr double kFloatsPerBlockRow = 32.0;
int64_t training_bytes_estimate(const trm::TRMConfig& c) {
  const double rows = static_cast<double>(c.batch_size) * (c.arch == "cells" ? 81.0 : 1.0);
  const double blocks = static_cast<double>(c.H_cycles) * (static_cast<double>(c.L_cycles) * c.L_layers + c.O_layers);
  const double activations = 4.0 * rows * c.hidden_dim * kFloatsPerBlockRow * blocks;
  const double parameters = 4.0 * 5.0 * static_cast<double>(trm::TRM::parameter_count(c));
  const double total = activations + parameters;
  return total > 9e18 ? INT64_MAX : static_cast<int64_t>(total);
}

// The keys the page gives on top of TRMConfig's defaults, checked by core, then the memory estimate.
trm::TRMConfig checked_train_config(const std::string& text) {
  if (json_depth(text, kMaxJsonDepth) > kMaxJsonDepth) throw trm::InputError("config: nested too deep");
  trm::TRMConfig config;
  trm::apply_config_json(config, Json::parse(text), "config");
  config.validate();
  const int64_t bytes = training_bytes_estimate(config);
  if (bytes > kTrainMemoryLimit)
    throw trm::InputError("config: a training step would need about " + std::to_string(bytes >> 20) +
                          " MB, more than the " + std::to_string(kTrainMemoryLimit >> 20) +
                          " MB the page can use; lower batch_size, hidden_dim or the cycles");
  return config;
}

std::string check_train_config(const std::string& text) {
  return guarded([&] {
    const trm::TRMConfig config = checked_train_config(text);
    return Json{{"config", trm::config_to_json(config)},
                {"parameter_count", trm::TRM::parameter_count(config)},
                {"memory_bytes", training_bytes_estimate(config)},
                {"memory_limit_bytes", kTrainMemoryLimit}}.dump();
  });
}

// One training run: a model, core's Trainer over fresh generated puzzles, and a held-out generated set. The page
// calls step() in slices (its worker stays responsive between them), evaluate() now and then, exportWeights() at
// any pause.
class TrainSession {
 public:
  std::string start(const std::string& config_text, const std::string& options_text) {
    return guarded([&] {
      trm::TRMConfig config = checked_train_config(config_text);
      const Options options = read_options(options_text);
      config.epochs = kPageEpochs;
      auto model = std::make_unique<trm::TRM>(config);
      model->init(options.seed);
      begin(std::move(model), options);
      return info().dump();
    });
  }

  // Continues from a weights file: its config (checked like a new one, memory included) and weights, with a fresh
  // optimiser and schedule, as `trm train --init-from` does.
  std::string start_from(const std::string& text, const std::string& name, const std::string& options_text) {
    return guarded([&] {
      const std::string where = name.empty() ? std::string("weights") : name;
      if (json_depth(text, kMaxJsonDepth) > kMaxJsonDepth)
        throw trm::InputError(where + ": not a weights file (JSON nested more than " + std::to_string(kMaxJsonDepth) +
                              " levels deep)");
      const Options options = read_options(options_text);
      std::istringstream in(text);
      const std::unique_ptr<trm::TRM> source = trm::load_weights(in, where);
      trm::TRMConfig config = checked_train_config(trm::config_to_json(source->config()).dump());
      config.epochs = kPageEpochs;
      auto model = std::make_unique<trm::TRM>(config);  // the same layout: the file's config, more epochs
      std::copy_n(source->parameters().values(), source->parameters().size(), model->parameters().values());
      begin(std::move(model), options);
      return info().dump();
    });
  }

  std::string step(int n) {
    return guarded([&] {
      require_started();
      if (n < 1 || n > 100000) throw trm::InputError("step: n must be 1 to 100000, got " + std::to_string(n));
      int done = 0;
      double loss = 0.0, accuracy = 0.0;
      float lr = 0.0f;
      trm::TrainerHooks hooks;
      hooks.now_seconds = [] { return emscripten_get_now() / 1000.0; };
      hooks.should_stop = [&] { return done >= n; };
      hooks.on_step = [&](const trm::StepProgress& p) {
        ++done;
        loss += p.result.loss;
        accuracy += p.result.blank_accuracy;
        lr = p.lr;
      };
      trainer_->run(hooks);
      return Json{{"step", trainer_->step()}, {"steps", done}, {"loss", done ? loss / done : 0.0},
                  {"blank_accuracy", done ? accuracy / done : 0.0}, {"lr", lr},
                  {"train_seconds", trainer_->train_seconds()}, {"finished", trainer_->finished()},
                  {"memory_bytes", trm::pooled_bytes_peak()}}.dump();
    });
  }

  std::string evaluate(int limit, const std::string& decoding, emscripten::val on_progress) {
    return guarded([&] {
      require_started();
      if (limit < 1) throw trm::InputError("evaluate: limit must be at least 1, got " + std::to_string(limit));
      trm::EvalOptions eo;
      eo.limit = static_cast<size_t>(limit);
      eo.batch_size = 64;
      eo.decode.decoding = trm::parse_decoding(decoding);
      if (on_progress.typeOf().as<std::string>() == "function")
        eo.on_progress = [&](size_t done, size_t total, const trm::AccuracyCounter&) {
          on_progress(Json{{"done", done}, {"total", total}}.dump());
        };
      trm::EvalResult r;
      with_average([&] { r = trm::evaluate(*model_, validation_, eo); });
      Json blank = Json::array(), exact = Json::array();
      for (const auto& c : r.per_cycle) {
        blank.push_back(c.blank_accuracy());
        exact.push_back(c.puzzle_accuracy());
      }
      return Json{{"step", trainer_->step()}, {"puzzles", r.puzzles}, {"loss", r.loss},
                  {"blank_accuracy", r.final_cycle.blank_accuracy()}, {"puzzle_accuracy", r.final_cycle.puzzle_accuracy()},
                  {"per_cycle_blank_accuracy", blank}, {"per_cycle_puzzle_accuracy", exact},
                  {"decoding", trm::decoding_flag(eo.decode.decoding)}, {"mean_forward_passes", r.mean_forward_passes}}
          .dump();
    });
  }

  // What `trm export` writes from a checkpoint of this run: the weight average when there is one, float32, the
  // config stating the outer cycles inference runs; refused, as there, when a forward pass overflows.
  std::string export_weights() {
    return guarded([&] {
      require_started();
      std::string text;
      with_average([&] {
        const std::vector<uint8_t> empty_grid(81, 0);
        trm::predict(*model_, empty_grid.data(), 1, model_->config().inference_cycles());
        text = trm::production_weights_json(*model_, trm::TensorEncoding::Base64).dump() + "\n";
      });
      return text;
    });
  }

 private:
  struct Options {
    uint64_t seed = 1;
    double minutes = 5.0;
    trm::sudoku::GeneratorOptions generator;
    int validation = 200;
  };

  static Options read_options(const std::string& text) {
    if (json_depth(text, kMaxJsonDepth) > kMaxJsonDepth) throw trm::InputError("options: nested too deep");
    const Json j = Json::parse(text);
    if (!j.is_object()) throw trm::InputError("options: expected a JSON object");
    Options o;
    for (const auto& [key, value] : j.items()) {
      if (!value.is_number()) throw trm::InputError("options: \"" + key + "\" must be a number");
      if (key == "seed") o.seed = value.get<uint64_t>();
      else if (key == "minutes") o.minutes = value.get<double>();
      else if (key == "min_givens") o.generator.min_givens = value.get<int>();
      else if (key == "max_givens") o.generator.max_givens = value.get<int>();
      else if (key == "validation") o.validation = value.get<int>();
      else throw trm::InputError("options: unknown key \"" + key + "\"");
    }
    if (!(o.minutes > 0.0 && o.minutes <= kMaxMinutes))
      throw trm::InputError("options: minutes must be above 0 and at most " + std::to_string(static_cast<int>(kMaxMinutes)) +
                            ", got " + std::to_string(o.minutes));
    if (o.validation < 1 || o.validation > kMaxValidation)
      throw trm::InputError("options: validation must be 1 to " + std::to_string(kMaxValidation) + " puzzles, got " +
                            std::to_string(o.validation));
    // An invalid or unreachable givens range fails here, naming it (as `trm train --generate` checks it).
    trm::sudoku::require_in_range(trm::sudoku::generate_puzzle(0, 0, o.generator), o.generator);
    return o;
  }

  // Everything is made before anything is replaced: a run that fails to start keeps the previous one.
  void begin(std::unique_ptr<trm::TRM> model, const Options& options) {
    trm::TrainOptions to;
    to.seed = options.seed;
    to.augment = true;
    to.generate = options.generator;
    to.time_limit_seconds = 60.0 * options.minutes;
    // The held-out puzzles come from the generator's validation stream, which no training step draws from (as in
    // `trm train --generate`).
    trm::sudoku::Dataset validation = trm::sudoku::generate(
        static_cast<size_t>(options.validation), trm::stream_seed(options.seed, trm::Stream::kGeneratedValidation),
        options.generator);
    auto trainer = std::make_unique<trm::Trainer>(*model, no_rows_, nullptr, to);
    trainer_ = std::move(trainer);  // the old trainer goes first: it refers to the old model
    model_ = std::move(model);
    validation_ = std::move(validation);
    options_ = options;
  }

  Json info() const {
    return Json{{"config", trm::config_to_json(model_->config())},
                {"parameter_count", trm::TRM::parameter_count(model_->config())},
                {"memory_bytes", training_bytes_estimate(model_->config())},
                {"validation_puzzles", validation_.size()},
                {"min_givens", options_.generator.min_givens}, {"max_givens", options_.generator.max_givens},
                {"minutes", options_.minutes}, {"seed", options_.seed},
                {"step", trainer_->step()}, {"ema", trainer_->weight_average() != nullptr}};
  }

  void require_started() const {
    if (!trainer_) throw trm::InputError("no training run started");
  }

  // Runs f with the weight average in the model (when there is one), then puts the training weights back.
  template <typename F>
  void with_average(F&& f) {
    trm::WeightAverage* average = trainer_->weight_average();
    if (average) average->swap_with(model_->parameters());
    try {
      f();
    } catch (...) {
      if (average) average->swap_with(model_->parameters());
      throw;
    }
    if (average) average->swap_with(model_->parameters());
  }

  std::unique_ptr<trm::TRM> model_;
  trm::sudoku::Dataset no_rows_;  // training rows: none, every puzzle is generated
  trm::sudoku::Dataset validation_;
  std::unique_ptr<trm::Trainer> trainer_;
  Options options_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(trm) {
  emscripten::function("checkTrainConfig", &check_train_config);
  emscripten::class_<TrainSession>("TrainSession")
      .constructor<>()
      .function("start", &TrainSession::start)
      .function("startFrom", &TrainSession::start_from)
      .function("step", &TrainSession::step)
      .function("evaluate", &TrainSession::evaluate)
      .function("exportWeights", &TrainSession::export_weights);
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
