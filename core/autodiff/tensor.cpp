#include "autodiff/tensor.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

namespace trm {

Shape::Shape(std::initializer_list<int64_t> dims) : Shape(std::vector<int64_t>(dims)) {}

Shape::Shape(const std::vector<int64_t>& dims) {
  if (dims.size() > static_cast<size_t>(kMaxRank)) throw std::invalid_argument("Shape: rank above 4");
  rank_ = static_cast<int>(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] < 0) throw std::invalid_argument("Shape: negative dimension");
    dims_[i] = dims[i];
  }
}

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int i = 0; i < rank_; ++i) n *= dims_[static_cast<size_t>(i)];
  return n;
}

std::string Shape::str() const {
  std::ostringstream out;
  out << '[';
  for (int i = 0; i < rank_; ++i) out << (i ? ", " : "") << dims_[static_cast<size_t>(i)];
  out << ']';
  return out.str();
}

bool Shape::operator==(const Shape& o) const {
  if (rank_ != o.rank_) return false;
  for (int i = 0; i < rank_; ++i)
    if (dims_[static_cast<size_t>(i)] != o.dims_[static_cast<size_t>(i)]) return false;
  return true;
}

namespace {

// Free lists keyed by element count. Training shapes repeat every step, so after step one every
// request is served from here. Leaked on purpose: tensors in static storage may die after it.
class BufferPool {
 public:
  static BufferPool& instance() {
    static BufferPool* pool = new BufferPool();
    return *pool;
  }

  std::shared_ptr<float> acquire(int64_t count) {
    const size_t n = static_cast<size_t>(count == 0 ? 1 : count);
    float* data = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto& list = free_[n];
      if (!list.empty()) {
        data = list.back();
        list.pop_back();
        free_bytes_ -= static_cast<int64_t>(n * sizeof(float));
      }
      in_use_bytes_ += static_cast<int64_t>(n * sizeof(float));
      if (in_use_bytes_ + free_bytes_ > peak_bytes_) peak_bytes_ = in_use_bytes_ + free_bytes_;
    }
    if (!data) {
      const size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
      data = static_cast<float*>(std::aligned_alloc(64, bytes));
      if (!data) throw std::bad_alloc();
    }
    return std::shared_ptr<float>(data, [this, n](float* p) { give_back(p, n); });
  }

  void trim() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& entry : free_)
      for (float* p : entry.second) std::free(p);
    free_.clear();
    free_bytes_ = 0;
  }

  int64_t in_use() {
    std::lock_guard<std::mutex> lock(mutex_);
    return in_use_bytes_ + free_bytes_;
  }
  int64_t peak() {
    std::lock_guard<std::mutex> lock(mutex_);
    return peak_bytes_;
  }
  void reset_peak() {
    std::lock_guard<std::mutex> lock(mutex_);
    peak_bytes_ = in_use_bytes_ + free_bytes_;
  }

 private:
  void give_back(float* p, size_t n) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_[n].push_back(p);
    in_use_bytes_ -= static_cast<int64_t>(n * sizeof(float));
    free_bytes_ += static_cast<int64_t>(n * sizeof(float));
  }

  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<float*>> free_;
  int64_t in_use_bytes_ = 0, free_bytes_ = 0, peak_bytes_ = 0;
};

}  // namespace

Tensor Tensor::empty(const Shape& shape) {
  Tensor t;
  t.shape_ = shape;
  t.storage_ = BufferPool::instance().acquire(shape.numel());
  t.data_ = t.storage_.get();
  return t;
}

Tensor Tensor::zeros(const Shape& shape) { return full(shape, 0.0f); }

Tensor Tensor::full(const Shape& shape, float value) {
  Tensor t = empty(shape);
  t.fill(value);
  return t;
}

Tensor Tensor::from(const Shape& shape, const std::vector<float>& values) {
  if (static_cast<int64_t>(values.size()) != shape.numel())
    throw std::invalid_argument("Tensor::from: " + std::to_string(values.size()) + " values for shape " + shape.str());
  Tensor t = empty(shape);
  if (!values.empty()) std::memcpy(t.data_, values.data(), values.size() * sizeof(float));
  return t;
}

Tensor Tensor::borrow(float* data, const Shape& shape) {
  Tensor t;
  t.shape_ = shape;
  t.data_ = data;
  return t;
}

Tensor Tensor::reshaped(const Shape& shape) const {
  if (shape.numel() != numel())
    throw std::invalid_argument("Tensor::reshaped: " + shape_.str() + " to " + shape.str());
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

Tensor Tensor::clone() const {
  Tensor t = empty(shape_);
  if (numel() > 0) std::memcpy(t.data_, data_, static_cast<size_t>(numel()) * sizeof(float));
  return t;
}

void Tensor::fill(float value) {
  for (int64_t i = 0, n = numel(); i < n; ++i) data_[i] = value;
}

void release_pooled_memory() { BufferPool::instance().trim(); }
int64_t pooled_bytes_in_use() { return BufferPool::instance().in_use(); }
int64_t pooled_bytes_peak() { return BufferPool::instance().peak(); }
void reset_pooled_bytes_peak() { BufferPool::instance().reset_peak(); }

}  // namespace trm
