// The JavaScript surface of the WebAssembly build: one embind class, Model, with five methods. Everything
// crosses the boundary as JSON text, so the page needs no knowledge of the model's memory layout:
//
//   const m = new Module.Model();
//   m.load(jsonText, "name.json")  -> '{"config":{...},"parameter_count":N,"simd":true,
//                                       "default_decoding":{"symmetries":K,"commit_threshold":T}}'   (or '{"error":"..."}')
//   m.loaded()                     -> true once a load succeeded
//   m.info()                       -> the same JSON as load() returns, for the model now held
//   m.run("81 chars", hCycles)     -> '{"h_cycles":H,"l_cycles":L,
//                                       "frames":[{"digits":"81 chars 1-9","confidence":[81]}, ...H],
//                                       "latent_update_norms":[H*L], "logits":[729]}'
//   m.decode("81 chars", hCycles, threshold, symmetries)
//                                  -> '{"digits":"81 chars","passes":N,"threshold":T,"symmetries":K}': iterative-commit
//                                     decoding (core/model/decode.h, the default of `trm solve`): run, commit the
//                                     blanks at least `threshold` sure (at least the surest one), run again, until none
//                                     is left; each pass averages the puzzle and K-1 symmetric copies (0: the default)
//   m.delete()                     (embind: frees the C++ object)
//
// No C++ exception leaves this file: every method catches everything and answers {"error": "message"};
// www/trm-api.js turns that into a thrown Error. A failed load keeps the model held before it.
#include <emscripten/bind.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/weights_json.h"
#include "model/decode.h"
#include "model/config.h"
#include "model/inference.h"
#include "model/trm.h"
#include "util/error.h"

#include "trace_json.h"  // web/

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

// 81 characters: '1'-'9' givens, '0' or '.' blanks.
std::vector<uint8_t> parse_puzzle(const std::string& text) {
  if (text.size() != 81)
    throw trm::InputError("puzzle must be 81 characters (digits 1-9, 0 or . for a blank), got " +
                          std::to_string(text.size()));
  std::vector<uint8_t> cells(81);
  for (size_t i = 0; i < 81; ++i) {
    const char c = text[i];
    if (c >= '1' && c <= '9') cells[i] = static_cast<uint8_t>(c - '0');
    else if (c == '0' || c == '.') cells[i] = 0;
    else
      throw trm::InputError("puzzle character " + std::to_string(i + 1) + " is not a digit 1-9, 0 or . (cell r" +
                            std::to_string(i / 9 + 1) + "c" + std::to_string(i % 9 + 1) + ")");
  }
  return cells;
}

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
      return trm::web::trace_to_json(trace).dump();
    });
  }

  std::string decode(const std::string& puzzle, int h_cycles, double threshold, int symmetries) const {
    return guarded([&] {
      if (!model_) throw trm::InputError("no model loaded");
      check_cycles(*model_, h_cycles);
      if (!(threshold > 0.0 && threshold <= 1.0))
        throw trm::InputError("the commit threshold must be in (0, 1], got " + std::to_string(threshold));
      if (symmetries < 0 || symmetries > trm::kMaxSymmetries)
        throw trm::InputError("symmetries must be 1 to " + std::to_string(trm::kMaxSymmetries) + " (0: the default), got " +
                              std::to_string(symmetries));
      trm::DecodeOptions options;
      options.decoding = trm::Decoding::IterativeCommit;
      options.h_cycles = h_cycles;
      options.threshold = static_cast<float>(threshold);
      options.symmetries = symmetries > 0 ? symmetries : trm::kDefaultSymmetries;
      options.batch_size = options.symmetries;  // one puzzle: its copies make one batch
      const trm::DecodeResult result = trm::decode(*model_, parse_puzzle(puzzle), options);
      std::string digits(81, '0');
      for (size_t i = 0; i < 81; ++i) digits[i] = static_cast<char>('0' + result.digits[i]);
      return Json{{"digits", digits}, {"passes", result.passes.at(0)}, {"threshold", options.threshold},
                  {"symmetries", options.symmetries}}
          .dump();
    });
  }

 private:
  static std::string info_of(const trm::TRM& model) {
    Json info;
    info["config"] = trm::config_to_json(model.config());
    info["parameter_count"] = trm::TRM::parameter_count(model.config());
    info["default_decoding"] = {{"symmetries", trm::kDefaultSymmetries}, {"commit_threshold", trm::kDefaultCommitThreshold}};
#ifdef EIGEN_VECTORIZE
    info["simd"] = true;
#else
    info["simd"] = false;
#endif
    return info.dump();
  }

  std::unique_ptr<trm::TRM> model_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(trm) {
  emscripten::class_<Model>("Model")
      .constructor<>()
      .function("load", &Model::load)
      .function("loaded", &Model::loaded)
      .function("info", &Model::info)
      .function("run", &Model::run)
      .function("decode", &Model::decode);
}
