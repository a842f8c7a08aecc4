// trm solve: run the model on puzzles; print the grid, whether it breaks a rule, and with --trace
// the prediction after every outer cycle. Default decoding: core's (kDefaultDecoding, default_symmetries()).
// A puzzle is diagnosed before the model runs: givens that clash, no solution or more than one solution (an exact
// count by the solver, in milliseconds) are refused, naming the line.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "autodiff/tensor.h"
#include "commands.h"
#include "common.h"
#include "files.h"
#include "io/trace_json.h"
#include "model/decode.h"
#include "model/inference.h"
#include "sudoku/grid.h"
#include "sudoku/solver.h"
#include "sudoku/lines.h"
#include "util/error.h"

namespace trm::cli {

namespace {
using Json = nlohmann::json;

struct SolveArgs {
  std::string model, puzzle, input;
  bool trace = false, no_keep_givens = false, json = false;
  std::string decoding = decoding_flag(kDefaultDecoding);
  std::string combine = reading_combine_name(DecodeOptions{}.combine);
  DecodeOptions decode;  // the product's defaults; symmetries 0: the decoding's default
};

struct PuzzleLine {
  std::string where;  // "argument" or "FILE:LINE"
  sudoku::Grid grid;
};

// Predicted digits with the givens written back over them (unless told not to).
sudoku::Grid decode_frame(const CycleFrame& frame, int64_t b, const sudoku::Grid& puzzle, bool keep_givens) {
  sudoku::Grid out{};
  for (int c = 0; c < 81; ++c) {
    const size_t i = static_cast<size_t>(b * 81 + c);
    out[static_cast<size_t>(c)] = keep_givens && puzzle[static_cast<size_t>(c)] ? puzzle[static_cast<size_t>(c)] : frame.digits[i];
  }
  return out;
}

std::string rule_breaks(const std::vector<sudoku::Conflict>& conflicts) {
  std::string text = "breaks " + std::to_string(conflicts.size()) + " rule" + (conflicts.size() > 1 ? "s" : "") + ": ";
  for (size_t i = 0; i < conflicts.size() && i < 5; ++i) text += (i ? "; " : "") + sudoku::describe(conflicts[i]);
  if (conflicts.size() > 5) text += "; ...";
  return text;
}

// "solved" only for a full grid that keeps every given and breaks no rule.
std::string verdict(const sudoku::Grid& grid, const sudoku::Grid& puzzle) {
  const auto conflicts = sudoku::find_conflicts(grid);
  if (conflicts.empty() && sudoku::is_complete_valid(grid) && sudoku::agrees(puzzle, grid)) return "solved";
  if (conflicts.empty()) return "not solved: the answer is incomplete or changes a given";
  return "not solved: " + rule_breaks(conflicts);
}

// A per-cycle frame's state, which the trace shows beside it.
std::string frame_verdict(const sudoku::Grid& grid) {
  const auto conflicts = sudoku::find_conflicts(grid);
  if (conflicts.empty()) return "valid grid";
  return rule_breaks(conflicts);
}

// Solves one chunk and prints it: text, or with `json_separator` the results as elements of a JSON array (each
// preceded by *json_separator, which then becomes ","), so --json output streams too.
void solve_chunk(const TRM& model, const std::vector<PuzzleLine>& chunk, const SolveArgs& a, const char** json_separator) {
  const auto batch = static_cast<int64_t>(chunk.size());
  std::vector<uint8_t> puzzles;
  for (const auto& p : chunk) puzzles.insert(puzzles.end(), p.grid.begin(), p.grid.end());
  const bool keep = !a.no_keep_givens;
  const DecodeOptions& decode_options = a.decode;
  const int readings = decode_options.symmetries;  // resolved by run_solve
  // Iterative commit and search write their answers over the blanks only, so they always keep the givens.
  // With one symmetry the trace above is iterative commit's first pass too (decode() ignores it otherwise).
  const bool halting = uses_halting(model, decode_options);
  const bool plain_single_pass = decode_options.decoding == Decoding::SinglePass && readings == 1 && !halting;
  // decode() runs its own first pass when halting (the trace runs every cycle): no trace for it then.
  const bool first_pass_reusable = decode_options.decoding != Decoding::Search && readings == 1 && !halting;
  const InferenceTrace trace =
      a.trace || first_pass_reusable ? infer(model, puzzles.data(), batch, decode_options.h_cycles) : InferenceTrace{};
  const DecodeResult decoded =
      plain_single_pass ? DecodeResult{} : decode(model, puzzles, decode_options, trace.frames.empty() ? nullptr : &trace.frames.back());
  const int h_cycles = decode_options.h_cycles > 0 ? decode_options.h_cycles : model.config().inference_cycles();
  for (int64_t b = 0; b < batch; ++b) {
    const sudoku::Grid& puzzle = chunk[static_cast<size_t>(b)].grid;
    sudoku::Grid answer{};
    if (decoded.digits.empty())
      answer = decode_frame(trace.frames.back(), b, puzzle, keep);
    else
      std::copy_n(decoded.digits.begin() + b * 81, 81, answer.begin());
    const size_t i = static_cast<size_t>(b);
    const int passes = decoded.passes.empty() ? 1 : decoded.passes[i];
    const int forward_passes = decoded.passes.empty() ? 1 : decoded.forward_passes[i];  // every reading counted
    const int outer_cycles = decoded.passes.empty() ? h_cycles : decoded.outer_cycles[i];
    const int branches = decoded.passes.empty() ? 0 : decoded.branches[i];
    const SearchEnd end = decoded.passes.empty() ? kComplete : static_cast<SearchEnd>(decoded.search_end[i]);
    const auto conflicts = sudoku::find_conflicts(answer);
    const bool solved = conflicts.empty() && sudoku::is_complete_valid(answer) && sudoku::agrees(puzzle, answer);
    if (json_separator) {
      Json r;
      r["source"] = chunk[static_cast<size_t>(b)].where;
      r["puzzle"] = sudoku::to_string(puzzle);
      r["prediction"] = sudoku::to_string(answer);
      r["valid"] = conflicts.empty();
      r["solved"] = solved;
      r["passes"] = passes;
      r["forward_passes"] = forward_passes;
      r["outer_cycles"] = outer_cycles;
      if (decode_options.decoding == Decoding::Search) {
        r["branches"] = branches;
        r["search_end"] = end == kComplete ? "complete" : end == kRejected ? "rejected" : "budget";
      }
      Json cj = Json::array();
      for (const auto& c : conflicts) cj.push_back(sudoku::describe(c));
      r["conflicts"] = cj;
      if (a.trace) r.update(trace_to_json(trace, static_cast<int64_t>(b)));  // frames, latent update sizes, logits
      std::printf("%s%s", *json_separator, r.dump().c_str());
      *json_separator = ",";
      continue;
    }
    const std::string over = readings > 1 ? " over " + std::to_string(readings) + " symmetries" : "";
    const std::string cost = readings > 1 ? std::to_string(passes) + " pass" + (passes == 1 ? "" : "es") + " of " +
                                                std::to_string(readings) + " readings, " : "";
    std::string search;
    if (decode_options.decoding == Decoding::Search)
      search = ", " + std::to_string(branches) + " branch" + (branches == 1 ? "" : "es") +
               (end == kRejected ? "; the rules rejected every branch" : end == kBudgetSpent ? "; the budget ran out" : "");
    std::printf("%s: %s (%s%s, %s%d forward pass%s, %d outer cycles%s%s)\n", chunk[i].where.c_str(),
                verdict(answer, puzzle).c_str(), decoding_name(decode_options.decoding).c_str(), over.c_str(), cost.c_str(),
                forward_passes, forward_passes == 1 ? "" : "es", outer_cycles, halting ? " with learned halting" : "",
                search.c_str());
    if (a.trace) {
      sudoku::Grid previous{};
      for (size_t h = 0; h < trace.frames.size(); ++h) {
        const sudoku::Grid digits = decode_frame(trace.frames[h], b, puzzle, keep);
        int changed = 0;
        double confidence = 0.0;
        for (int c = 0; c < 81; ++c) {
          changed += h > 0 && digits[static_cast<size_t>(c)] != previous[static_cast<size_t>(c)];
          confidence += trace.frames[h].confidence[static_cast<size_t>(b * 81 + c)];
        }
        double update = 0.0;
        for (int l = 0; l < trace.l_cycles; ++l)
          update += trace.latent_update_norms[h * static_cast<size_t>(trace.l_cycles) + static_cast<size_t>(l)][static_cast<size_t>(b)];
        std::printf("cycle %zu/%zu: %d cells changed, mean confidence %.3f, latent update %.3f, %s\n", h + 1,
                    trace.frames.size(), changed, confidence / 81.0, update, frame_verdict(digits).c_str());
        std::printf("%s\n", sudoku::format_grid(digits).c_str());
        previous = digits;
      }
      if (passes > 1)
        std::printf("after %d passes of %s:\n%s\n", passes, decoding_name(decode_options.decoding).c_str(),
                    sudoku::format_grid(answer).c_str());
    } else {
      std::printf("%s\n", sudoku::format_grid(answer).c_str());
    }
  }
}

// Before the model runs: a puzzle must have exactly one solution (the solver counts to 2 in milliseconds).
void diagnose(const sudoku::Grid& grid, const std::string& where) {
  const int solutions = sudoku::solve(grid, 2).solutions;
  if (solutions == 0)
    throw InputError(where + ": has no solution: the givens break no rule, but no full grid keeps them all "
                             "(the model was not run)");
  if (solutions > 1)
    throw InputError(where + ": has more than one solution (" + std::to_string(sudoku::count_givens(grid)) +
                     " givens): a Sudoku has exactly one, so no answer could be called right (the model was not run)");
}

// Reads one puzzle per non-empty line with the core's puzzle list reader (the first comma-separated field, so a
// CSV works too), in chunks of 256: memory stays bounded whatever the file's length. Returns the number of puzzles.
size_t for_each_chunk(const SolveArgs& a, const std::function<void(std::vector<PuzzleLine>&)>& handle) {
  std::vector<PuzzleLine> chunk;
  size_t count = 0;
  auto add = [&](const sudoku::Grid& grid, const std::string& where) {
    diagnose(grid, where);
    chunk.push_back({where, grid});
    ++count;
    if (chunk.size() == 256) {
      handle(chunk);
      chunk.clear();
    }
  };
  sudoku::Grid grid{};
  if (!a.puzzle.empty()) {
    std::string problem;
    if (!sudoku::try_read_puzzle(a.puzzle, grid, problem)) throw InputError("puzzle: " + problem);
    add(grid, "puzzle");
  }
  if (!a.input.empty()) {
    std::ifstream in = open_input(a.input);
    sudoku::PuzzleListReader reader(in, a.input);
    while (reader.next(grid)) add(grid, a.input + ":" + std::to_string(reader.line_number()));
  }
  if (!chunk.empty()) handle(chunk);
  return count;
}

void run_solve(SolveArgs a) {
  if (a.puzzle.empty() == a.input.empty()) throw InputError("give either a PUZZLE argument or --input FILE");
  a.decode.decoding = parse_decoding(a.decoding);
  a.decode.combine = parse_reading_combine(a.combine);
  if (a.decode.symmetries == 0) a.decode.symmetries = default_symmetries(a.decode.decoding);
  LoadedModel loaded = load_model_file(a.model);
  // A file is checked whole before anything is printed (a bad line 90,000 must not leave half an answer on
  // stdout); the second pass solves. A pipe can be read once only: it is checked as it is solved.
  std::error_code ec;
  if (!a.input.empty() && std::filesystem::is_regular_file(a.input, ec) &&
      for_each_chunk(a, [](std::vector<PuzzleLine>&) {}) == 0)
    throw InputError(a.input + ": no puzzles (expected one 81-character puzzle per line, 0 or . for a blank)");
  const char* separator = "";
  if (a.json) {
    // The object's keys print sorted, "results" last: the header, then the results as they are solved.
    const int h = a.decode.h_cycles > 0 ? a.decode.h_cycles : loaded.model->config().inference_cycles();
    std::string head = Json{{"model", a.model}, {"decoding", decoding_name(a.decode.decoding)},
                            {"symmetries", a.decode.symmetries}, {"combine_readings", reading_combine_name(a.decode.combine)},
                            {"h_cycles", h},
                            {"l_cycles", loaded.model->config().L_cycles}, {"keep_givens", !a.no_keep_givens},
                            {"halting", uses_halting(*loaded.model, a.decode)}}
                           .dump();
    head.pop_back();  // the closing brace
    std::printf("%s,\"results\":[", head.c_str());
  }
  const size_t solved = for_each_chunk(a, [&](std::vector<PuzzleLine>& chunk) {
    solve_chunk(*loaded.model, chunk, a, a.json ? &separator : nullptr);
    // Iterative decoding re-runs ever smaller batches; the tensor pool keeps a free list per size, so without
    // this a 100k-line file grew to 200 MB. Freed per chunk, memory stays at one chunk's worth.
    release_pooled_memory();
  });
  if (a.json) std::printf("]}\n");
  if (solved == 0) throw InputError(a.input + ": no puzzles (expected one 81-character puzzle per line, 0 or . for a blank)");
}
}  // namespace

void add_solve_command(CLI::App& app) {
  auto args = std::make_shared<SolveArgs>();
  CLI::App* cmd = app.add_subcommand("solve", "Solve puzzles with a trained model");
  cmd->add_option("--model", args->model, "Checkpoint or production weights JSON")->required();
  cmd->add_option("puzzle", args->puzzle, "81 characters, 0 or . for a blank");
  cmd->add_option("--input", args->input, "File with one puzzle per line");
  cmd->add_flag("--trace", args->trace, "Print the prediction after every outer cycle");
  cmd->add_flag("--no-keep-givens", args->no_keep_givens, "Show the model's own digits in given cells");
  cmd->add_flag("--json", args->json, "Print one JSON object (with --trace: frames, latent update sizes, logits)");
  cmd->add_option("--decoding", args->decoding,
                  "search (iterative commit that branches where it would guess, the rules rejecting dead ends), "
                  "iterative (commit the surest cells, re-run) or single (one pass)")
      ->capture_default_str()->check(CLI::IsMember({"single", "iterative", "search"}));
  cmd->add_option("--branch-candidates", args->decode.branch_candidates, "Search: digits tried where the model branches")
      ->capture_default_str()->check(CLI::Range(1, 9));
  cmd->add_option("--max-forward-passes", args->decode.max_forward_passes,
                  "Search: forward passes per puzzle at most, every reading counted (default " + std::to_string(kDefaultSearchBudget) + ")")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--continue-cycles", args->decode.continue_cycles,
                  "Passes after the first continue from the previous pass's states for this many outer cycles "
                  "(0: every pass starts afresh)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--commit-threshold", args->decode.threshold, "Iterative: commit every blank at least this confident")
      ->capture_default_str()->check(fraction_flag());
  cmd->add_option("--h-cycles", args->decode.h_cycles, "Outer cycles (default: the model's; more is allowed)")->check(CLI::Range(1, 256));
  cmd->add_option("--symmetries", args->decode.symmetries,
                  "Read each pass as the puzzle and K-1 symmetric copies of it, combined (K forward passes per pass). Default: " +
                      std::to_string(kDefaultSymmetries) + " with iterative commit, 1 (the puzzle as given) otherwise")
      ->check(CLI::Range(1, kMaxSymmetries));
  cmd->add_option("--combine-readings", args->combine,
                  "With several readings: product (their log-probabilities averaged, so a digit is sure only where "
                  "every reading finds it likely) or mean (their probabilities averaged)")
      ->capture_default_str()->check(CLI::IsMember({"product", "mean"}));
  cmd->add_flag("--no-halting", [args](int64_t) { args->decode.halting = false; },
                "Run every reading all its outer cycles even when the model has a learned halting head");
  cmd->callback([args] { run_solve(*args); });
}

}  // namespace trm::cli
