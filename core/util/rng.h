#pragma once
// Rng: xoshiro256** seeded through splitmix64. Small, fast, identical on every platform (native and
// wasm), and its whole state is four integers, so checkpoints can save it and a resumed run draws
// exactly the numbers an uninterrupted one would.
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

namespace trm {

class Rng {
 public:
  using State = std::array<uint64_t, 4>;

  explicit Rng(uint64_t seed = 0) { reseed(seed); }

  void reseed(uint64_t seed) {
    for (auto& word : state_) {
      seed += 0x9e3779b97f4a7c15ULL;  // splitmix64
      uint64_t x = seed;
      x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
      x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
      word = x ^ (x >> 31);
    }
  }

  uint64_t next_u64() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    state_ = advance(state_);
    return result;
  }

  // Skips n numbers: the state next_u64() would leave after n calls (a data-parallel rank skips the draws that
  // belong to the other ranks' samples; see the dropout shard in nn/block.h). The state update is linear over
  // GF(2), so a long skip applies the precomputed matrices A^(2^k) of the set bits k of n (A: one step): measured
  // 16-56 us whatever n is (0.5 ns a step; the tables take 20-100 ms once; bench/rng_jump.cpp on a loaded
  // machine), where n steps would take n / 2 ns.
  void discard(uint64_t n) {
    if (n < kSteppedSkips) {
      for (uint64_t i = 0; i < n; ++i) state_ = advance(state_);
      return;
    }
    const std::vector<Matrix>& powers = step_powers();
    for (int k = 0; k < 64; ++k)
      if ((n >> k) & 1) state_ = apply(powers[static_cast<size_t>(k)], state_);
  }

  // Uniform in [0, 1) with 24 bits, exactly representable as float.
  float uniform() { return static_cast<float>(next_u64() >> 40) * (1.0f / 16777216.0f); }
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }

  // Uniform integer in [0, n), n > 0, without modulo bias (Lemire's method).
  uint32_t below(uint32_t n) {
    uint64_t m = static_cast<uint64_t>(static_cast<uint32_t>(next_u64() >> 32)) * n;
    auto low = static_cast<uint32_t>(m);
    if (low < n) {
      const uint32_t threshold = static_cast<uint32_t>(-n) % n;
      while (low < threshold) {
        m = static_cast<uint64_t>(static_cast<uint32_t>(next_u64() >> 32)) * n;
        low = static_cast<uint32_t>(m);
      }
    }
    return static_cast<uint32_t>(m >> 32);
  }

  // Standard normal (Box-Muller; one value per call keeps the state simple to save).
  float normal() {
    const double u1 = (static_cast<double>(next_u64() >> 11) + 1.0) * 0x1.0p-53;  // (0, 1]
    const double u2 = static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
    return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
  }

  // Fisher-Yates shuffle of any random-access range.
  template <typename It>
  void shuffle(It first, It last) {
    for (auto n = last - first; n > 1; --n) {
      const auto j = below(static_cast<uint32_t>(n));
      std::swap(first[n - 1], first[j]);
    }
  }

  const State& state() const { return state_; }
  void set_state(const State& s) { state_ = s; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  // One step of the state (xoshiro256's linear engine; next_u64's output is read before it).
  static State advance(State s) {
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return s;
  }

  // A GF(2)-linear map of the 256-bit state: column j is the image of state bit j (word j / 64, bit j % 64).
  using Matrix = std::array<State, 256>;
  static constexpr uint64_t kSteppedSkips = 4096;  // short skips step: no tables for small jobs

  static State apply(const Matrix& m, const State& v) {
    State out{};
    for (int j = 0; j < 256; ++j) {
      if (!((v[static_cast<size_t>(j / 64)] >> (j % 64)) & 1)) continue;
      const State& column = m[static_cast<size_t>(j)];
      for (size_t w = 0; w < 4; ++w) out[w] ^= column[w];
    }
    return out;
  }

  // A^(2^k) for k = 0 .. 63, made once (about 16 M word operations, 512 KB) on the first long skip.
  static const std::vector<Matrix>& step_powers() {
    static const std::vector<Matrix> powers = [] {
      std::vector<Matrix> p(64);
      for (int j = 0; j < 256; ++j) {
        State basis{};
        basis[static_cast<size_t>(j / 64)] = uint64_t{1} << (j % 64);
        p[0][static_cast<size_t>(j)] = advance(basis);
      }
      for (size_t k = 1; k < 64; ++k)  // A^(2^k) = A^(2^(k-1)) applied twice, column by column
        for (size_t j = 0; j < 256; ++j) p[k][j] = apply(p[k - 1], p[k - 1][j]);
      return p;
    }();
    return powers;
  }

  State state_{};
};

}  // namespace trm
