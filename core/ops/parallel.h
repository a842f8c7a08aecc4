#pragma once
// parallel_for_range: elementwise kernels split [0, n) into one contiguous slice per OpenMP thread when n is
// large enough that a barrier (a few microseconds) is worth it; otherwise one call on the calling thread.
// Slices are contiguous and each element is touched by exactly one thread, so results never depend on the
// thread count.
#include <algorithm>
#include <cstdint>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace trm {

constexpr int64_t kParallelElements = 1 << 16;  // below this, one thread (measured: barrier ~ 64K float adds)

template <typename Body>
void parallel_for_range(int64_t n, const Body& body) {
#ifdef _OPENMP
  if (n >= kParallelElements && omp_get_max_threads() > 1 && !omp_in_parallel()) {
#pragma omp parallel
    {
      const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
      const int64_t per = (n / nt + 15) / 16 * 16;  // 64-byte aligned slices
      const int64_t begin = std::min(n, t * per), end = std::min(n, begin + per);
      if (begin < end) body(begin, end);
    }
    return;
  }
#endif
  body(int64_t{0}, n);
}

}  // namespace trm
