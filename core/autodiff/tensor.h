#pragma once
// Tensor: a contiguous, row-major float32 array of rank 0..4.
//
// Storage is reference counted. Fresh storage comes from a size-keyed buffer pool, so after the
// first training step (whose shapes repeat every step) no op allocates from the system: that is
// the arena the hot loop runs on. A tensor can also borrow memory it does not own, which is how
// a parameter is a named view into the one parameter arena (see nn/parameters.h).
//
// Eigen views (matrix(), array()) map the same memory without copies; the GEMMs run on them.
#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace trm {

class Shape {
 public:
  static constexpr int kMaxRank = 4;
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims);
  explicit Shape(const std::vector<int64_t>& dims);

  int rank() const { return rank_; }
  int64_t operator[](int i) const { return dims_[static_cast<size_t>(i)]; }
  int64_t numel() const;
  int64_t last() const { return rank_ == 0 ? 1 : dims_[static_cast<size_t>(rank_ - 1)]; }
  int64_t rows() const { return last() == 0 ? 0 : numel() / last(); }  // product of all but the last axis
  std::vector<int64_t> to_vector() const { return {dims_.begin(), dims_.begin() + rank_}; }
  std::string str() const;  // "[3, 81, 9]"
  bool operator==(const Shape& o) const;
  bool operator!=(const Shape& o) const { return !(*this == o); }

 private:
  std::array<int64_t, kMaxRank> dims_{};
  int rank_ = 0;
};

using RowMatrixMap = Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
using ConstRowMatrixMap = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
using ArrayMap = Eigen::Map<Eigen::ArrayXf>;
using ConstArrayMap = Eigen::Map<const Eigen::ArrayXf>;

class Tensor {
 public:
  Tensor() = default;
  static Tensor empty(const Shape& shape);  // uninitialised, from the pool
  static Tensor zeros(const Shape& shape);
  static Tensor full(const Shape& shape, float value);
  static Tensor from(const Shape& shape, const std::vector<float>& values);
  // Views memory owned elsewhere; the owner must outlive every copy of this tensor.
  static Tensor borrow(float* data, const Shape& shape);

  bool defined() const { return data_ != nullptr || shape_.numel() == 0; }
  const Shape& shape() const { return shape_; }
  int64_t numel() const { return shape_.numel(); }
  float* data() { return data_; }
  const float* data() const { return data_; }
  float& operator[](int64_t i) { return data_[i]; }
  float operator[](int64_t i) const { return data_[i]; }

  // Same storage, another shape with the same number of elements.
  Tensor reshaped(const Shape& shape) const;
  // True when this tensor alone holds its pooled storage: no copy of it (a view, a reshape) shares the buffer.
  bool sole_owner() const { return storage_ && storage_.use_count() == 1; }
  Tensor clone() const;
  void fill(float value);

  // [rows, last] view: rows is the product of all leading axes.
  RowMatrixMap matrix() { return {data_, shape_.rows(), shape_.last()}; }
  ConstRowMatrixMap matrix() const { return {data_, shape_.rows(), shape_.last()}; }
  ArrayMap array() { return {data_, numel()}; }
  ConstArrayMap array() const { return {data_, numel()}; }

 private:
  std::shared_ptr<float> storage_;
  float* data_ = nullptr;
  Shape shape_;
};

// Returns pooled buffers to the system (after training, before a long inference phase).
void release_pooled_memory();
// Bytes currently held by live tensors plus the pool's free lists (for benchmarks and tests).
int64_t pooled_bytes_in_use();
int64_t pooled_bytes_peak();
// Restarts the peak from the bytes held now (call after release_pooled_memory to measure one phase).
void reset_pooled_bytes_peak();

}  // namespace trm
