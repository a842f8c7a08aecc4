#pragma once
// parallel_slices: split [0, n) into one contiguous slice per OpenMP thread, with split points at multiples of
// `align`, when the work (in the caller's unit: elements, flops, multiply-adds) reaches `min_work`, so that a barrier
// (a few microseconds) is worth it; otherwise one call on the calling thread. Each element is touched by exactly one
// thread and slices are contiguous, so results never depend on the thread count. The GEMMs (linear.cpp,
// gemm_bf16.cpp) split rows, columns or panels with it; parallel_for_range is the elementwise kernels' case.
#include <algorithm>
#include <cstdint>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace trm {

constexpr int64_t kParallelElements = 1 << 16;  // below this, one thread (measured: barrier ~ 64K float adds)

template <typename Body>
void parallel_slices(int64_t n, int64_t align, double work, double min_work, const Body& body) {
#ifdef _OPENMP
  if (work >= min_work && n >= 2 * align && omp_get_max_threads() > 1 && !omp_in_parallel()) {
#pragma omp parallel
    {
      const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
      const int64_t per = (n / nt + align - 1) / align * align;
      const int64_t begin = std::min(n, t * per), end = std::min(n, begin + per);
      if (begin < end) body(begin, end);
    }
    return;
  }
#endif
  (void)align, (void)work, (void)min_work;
  body(int64_t{0}, n);
}

// Elementwise kernels: slices of whole 64-byte lines (16 floats) once n reaches kParallelElements.
template <typename Body>
void parallel_for_range(int64_t n, const Body& body) {
  parallel_slices(n, 16, static_cast<double>(n), static_cast<double>(kParallelElements), body);
}

}  // namespace trm
