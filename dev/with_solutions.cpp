// Scratch (dev/): puzzles, one per line on stdin, written as quizzes,solutions for those with exactly one solution.
// See dev/vicinity.cpp.
#include <cstdio>
#include <iostream>
#include <string>
#include "sudoku/solver.h"
using namespace trm::sudoku;
int main() { std::string l; std::printf("quizzes,solutions\n");
  while (std::getline(std::cin, l)) { if (l.size() < 81) continue; Grid g = parse_grid(l.substr(0,81), "x"); auto r = solve(g, 2); if (r.solutions != 1) continue; std::printf("%s,%s\n", l.substr(0,81).c_str(), to_string(r.first).c_str()); } }
