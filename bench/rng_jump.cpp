// How long Rng::discard takes (docs/performance.md, data-parallel section): the first long jump (which builds the
// tables), a jump, and one step.
//   g++ -O3 -march=native -std=c++17 -Icore bench/rng_jump.cpp -o /tmp/rng_jump && /tmp/rng_jump
#include <chrono>
#include <cstdio>

#include "util/rng.h"

int main() {
  using Clock = std::chrono::steady_clock;
  trm::Rng rng(1);
  const auto start = Clock::now();
  rng.discard(uint64_t{1} << 20);
  const auto tables = Clock::now();
  for (uint64_t i = 1; i <= 1000; ++i) rng.discard(1000003ULL * i);
  const auto jumps = Clock::now();
  for (int i = 0; i < 1000000; ++i) rng.next_u64();
  const auto steps = Clock::now();
  std::printf("first jump (tables) %.1f ms, jump %.1f us, step %.2f ns\n",
              std::chrono::duration<double, std::milli>(tables - start).count(),
              std::chrono::duration<double, std::micro>(jumps - tables).count() / 1000.0,
              std::chrono::duration<double, std::nano>(steps - jumps).count() / 1e6);
  return static_cast<int>(rng.state()[0] & 1);  // uses the result, so nothing is optimised away
}
