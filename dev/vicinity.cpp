// Scratch (dev/, not built by CMake): vicinity search toward puzzles beyond depth-1 trial and error, the first
// generated puzzles of that kind here (docs/results.md, "Beyond depth-1 trial"). Each input puzzle takes STEPS
// moves: one given removed, one blank given an allowed digit (so the solution may change), kept when the puzzle
// stays unique and its trial rating (core/sudoku/solver.h rate_by_trial) is at least as deep. Every distinct
// depth-2 puzzle it keeps goes to stderr as "puzzle,blanks_left,givens"; the last puzzle of each walk to stdout.
// Build and run (from the repository root, after building build/):
//   g++ -O2 -std=c++17 -Icore dev/vicinity.cpp build/core/libtrm_core.a -fopenmp -o build/vicinity
//   g++ -O2 -std=c++17 -Icore dev/with_solutions.cpp build/core/libtrm_core.a -fopenmp -o build/with_solutions
//   awk -F, '$3>=3' build/hard-sets/deep-dev-all.csv build/hard-sets/deep-test-all.csv >seeds.txt
//     (the 20 puzzles of 3-4 sweeps and the two header lines, which the tool skips as too short)
//   (echo h; sed -n 1,11p seeds.txt) >a.csv; (echo h; sed -n 12,22p seeds.txt) >b.csv
//   build/vicinity 1000000 3 <a.csv >a.out 2>a.d2 & build/vicinity 1000000 4 <b.csv >b.out 2>b.d2 & wait
//   cat a.d2 b.d2 | cut -d, -f1 | sort -u | build/with_solutions >depth2.csv        (257 puzzles, one vicinity)
#include <cstdio>
#include <iostream>
#include <string>
#include <tuple>
#include <vector>
#include "sudoku/solver.h"
#include "sudoku/grid.h"
#include "util/rng.h"
using namespace trm::sudoku;
static auto key(const TrialRating& r) { return std::make_tuple(r.depth, r.blanks_left, r.sweeps, r.last_sweep_blanks, -r.last_sweep_eliminations); }
int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: vicinity STEPS SEED <puzzles.csv\n");
    return 2;
  }
  int steps = std::atoi(argv[1]); uint64_t seed = std::strtoull(argv[2], nullptr, 10);
  std::string line; std::getline(std::cin, line);
  trm::Rng rng(seed);
  while (std::getline(std::cin, line)) {
    if (line.size() < 81) continue;
    Grid g = parse_grid(line.substr(0, 81), "x");
    TrialRating best = rate_by_trial(g);
    auto start = key(best);
    for (int s = 0; s < steps; ++s) {
      Grid n = g;
      std::vector<int> givens, blanks;
      for (int c = 0; c < 81; ++c) (n[c] ? givens : blanks).push_back(c);
      int out = givens[rng.below(givens.size())];
      n[out] = 0;
      int in = blanks[rng.below(blanks.size())];
      uint16_t cand = candidates(n, in);
      std::vector<int> ds; for (int d = 1; d <= 9; ++d) if (cand & digit_bit(d)) ds.push_back(d);
      if (ds.empty()) continue;
      n[in] = (uint8_t)ds[rng.below(ds.size())];
      if (solve(n, 2).solutions != 1) continue;
      TrialRating r = rate_by_trial(n);
      if (key(r) >= key(best)) {
        if (r.depth == 2 && n != g) std::fprintf(stderr, "%s,%d,%d\n", to_string(n).c_str(), r.blanks_left, count_givens(n));
        g = n; best = r;
      }
    }
    std::printf("%s,%d,%d,%d,%d (from sweeps %d)\n", to_string(g).c_str(), best.depth, best.sweeps, best.blanks_left, count_givens(g), std::get<2>(start));
    std::fflush(stdout);
  }
}
