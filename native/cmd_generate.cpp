// trm generate: new uniquely solvable puzzles as a CSV (quizzes,solutions,difficulty).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "commands.h"
#include "files.h"
#include "sudoku/csv.h"
#include "sudoku/generator.h"
#include "sudoku/solver.h"
#include "util/error.h"

namespace trm::cli {

namespace {
struct GenerateArgs {
  size_t count = 0;
  std::string out;
  uint64_t seed = 1;
  int min_givens = sudoku::GeneratorOptions{}.min_givens;
  int max_givens = sudoku::GeneratorOptions{}.max_givens;
  int64_t min_guesses = 0;
  int climb = 0;
  std::string climb_by = "guesses";
  bool force = false;
};

void run_generate(const GenerateArgs& a) {
  refuse_overwrite(a.out, a.force);
  sudoku::GeneratorOptions options;
  options.min_givens = a.min_givens;
  options.max_givens = a.max_givens;
  options.min_guesses = a.min_guesses;
  options.climb_steps = a.climb;
  options.climb_by = a.climb_by == "trial" ? sudoku::GeneratorOptions::Measure::Trial : sudoku::GeneratorOptions::Measure::Guesses;
  // The range is a promise: puzzle 0 tells at once whether it can be kept (a range random removal cannot reach
  // fails here, before the whole set is made), and every puzzle of the set is checked before anything is written.
  sudoku::require_in_range(sudoku::generate_puzzle(a.seed, 0, options), options);
  const auto start = std::chrono::steady_clock::now();
  sudoku::Dataset data = sudoku::generate(a.count, a.seed, options);
  size_t above = 0;
  int most = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    const int givens = sudoku::count_givens(data.puzzle(i));
    above += givens > a.max_givens;
    most = std::max(most, givens);
  }
  if (above > 0)
    throw InputError("generator: " + std::to_string(above) + " of " + std::to_string(data.size()) +
                     " puzzles stayed above --max-givens " + std::to_string(a.max_givens) + " (up to " +
                     std::to_string(most) + " givens); nothing written: raise --max-givens");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_atomically(a.out, [&](std::ostream& out) { sudoku::write_csv(out, data); });
  // The difficulty column holds guesses unless climbing by trial; then the floor is checked puzzle by puzzle.
  size_t below_floor = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    const double guesses = options.climb_by == sudoku::GeneratorOptions::Measure::Guesses
                               ? data.difficulty[i]
                               : static_cast<double>(sudoku::solve(data.puzzle(i), 2).guesses);
    below_floor += guesses < static_cast<double>(a.min_guesses);
  }
  std::printf("wrote %zu puzzles (givens %d-%d, at least %lld guesses, seed %llu) to %s in %.1f s\n", data.size(),
              a.min_givens, a.max_givens, static_cast<long long>(a.min_guesses), static_cast<unsigned long long>(a.seed),
              a.out.c_str(), seconds);
  if (below_floor > 0) {
    std::printf("note: %zu puzzles stayed below the difficulty floor after %d attempts each (kept the hardest)\n",
                below_floor, options.max_attempts);
  }
}
}  // namespace

void add_generate_command(CLI::App& app) {
  auto args = std::make_shared<GenerateArgs>();
  CLI::App* cmd = app.add_subcommand("generate", "Generate puzzles with exactly one solution (proven by the solver)");
  cmd->add_option("--count", args->count, "Number of puzzles")->required()->check(CLI::Range(size_t{1}, size_t{100000000}));
  cmd->add_option("--out", args->out, "Output CSV (quizzes,solutions,difficulty: solver guesses, or trial sweeps with --climb-by trial)")->required();
  cmd->add_option("--seed", args->seed, "Seed; the same seed gives the same puzzles")->capture_default_str();
  cmd->add_option("--min-givens", args->min_givens, "Fewest givens")->capture_default_str()->check(CLI::Range(17, 81));
  cmd->add_option("--max-givens", args->max_givens, "Most givens")->capture_default_str()->check(CLI::Range(17, 81));
  cmd->add_option("--min-guesses", args->min_guesses,
                  "Difficulty floor: the solver's guesses beyond singles (graded levels: Easy ~4, Medium ~10, "
                  "Hard ~18, Expert ~30)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1000000}));
  cmd->add_option("--climb", args->climb,
                  "Hill-climbing steps toward harder puzzles (more solver guesses) after the attempts; 0: none")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--climb-by", args->climb_by,
                  "What climbing maximises: guesses (the solver's) or trial (depth-1 trial sweeps with singles, "
                  "then guesses: what tells the model's hard puzzles apart)")
      ->capture_default_str()
      ->check(CLI::IsMember({"guesses", "trial"}));
  cmd->add_flag("--force", args->force, "Overwrite an existing output");
  cmd->callback([args] { run_generate(*args); });
}

}  // namespace trm::cli
