#pragma once
// A zero-initialised float buffer aligned to 64 bytes. The parameter and optimiser arenas use it:
// vectorised kernels take different paths for different alignments, so an arena whose alignment
// depended on where malloc put it would make a resumed run differ from an uninterrupted one in the
// last bits.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace trm {

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(int64_t count) { assign_zeros(count); }

  void assign_zeros(int64_t count) {
    const size_t bytes = (static_cast<size_t>(count) * sizeof(float) + 63) / 64 * 64;
    float* p = static_cast<float*>(std::aligned_alloc(64, bytes == 0 ? 64 : bytes));
    if (!p) throw std::bad_alloc();
    std::memset(p, 0, bytes);
    data_.reset(p);
    size_ = count;
  }
  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  int64_t size() const { return size_; }
  float& operator[](int64_t i) { return data_.get()[i]; }
  float operator[](int64_t i) const { return data_.get()[i]; }
  void fill(float value) {
    for (int64_t i = 0; i < size_; ++i) data_.get()[i] = value;
  }

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  std::unique_ptr<float, Free> data_;
  int64_t size_ = 0;
};

}  // namespace trm
