#pragma once
// Communicator: what data-parallel training needs from the processes it runs on, and nothing more.
//
// A data-parallel job is `size()` copies of the trainer (ranks). Every step each rank trains on its own equal
// shard of the same global batch one process would draw, then the gradients are summed over the ranks, so every
// rank applies the same update and the weights stay identical everywhere. The core only sees this interface: the
// default is one process alone (every call a no-op), so the core and the WebAssembly build never see MPI; the
// `trm` command line supplies an MPI implementation when it is built with MPI and started by mpirun
// (native/parallel.cpp).
#include <cstdint>

namespace trm {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;  // 0 .. size() - 1; rank 0 writes the run's files
  virtual int size() const = 0;
  // values[0 .. n) <- their element-wise sum over all ranks, in place. Every rank must call it with the same n, in
  // the same order as the other collective calls; every rank receives the same sums, bit for bit.
  virtual void all_reduce_sum(float* values, int64_t n) = 0;
  virtual void all_reduce_sum(double* values, int64_t n) = 0;
  // values[0 .. n) <- their element-wise maximum over all ranks (agreeing on a stop, or on a step's time).
  virtual void all_reduce_max(double* values, int64_t n) = 0;
};

// One process alone: the sum and the maximum over one rank are the values themselves.
class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void all_reduce_sum(float*, int64_t) override {}
  void all_reduce_sum(double*, int64_t) override {}
  void all_reduce_max(double*, int64_t) override {}
};

}  // namespace trm
