#pragma once
// Parameters: every trainable tensor of a model lives in one arena (llm.c's layout). Values and
// gradients are two arenas of identical layout, so zeroing the gradients is one fill, clipping
// and AdamW are flat loops, and each named parameter is a view (Tensor::borrow) into both.
#include <cstdint>
#include <string>
#include <vector>

#include "autodiff/tape.h"
#include "util/aligned_buffer.h"

namespace trm {

struct ParameterInfo {
  std::string name;  // PyTorch-style dotted name, the key in weights JSON
  Shape shape;
  int64_t offset;    // into the arenas, in floats
  bool decay;        // AdamW weight decay applies (matrices only; see optim/adamw.h)
};

class Parameters {
 public:
  Parameters() = default;
  Parameters(const Parameters&) = delete;  // leaves view the arenas; copying would alias them
  Parameters& operator=(const Parameters&) = delete;

  // Declares a parameter (before allocate()); returns its index. Names must be unique.
  int declare(const std::string& name, const Shape& shape);
  // Allocates both arenas (zeroed) and makes one leaf Var per parameter.
  void allocate();

  const Var& var(int index) const { return leaves_[static_cast<size_t>(index)]; }
  Tensor& value(int index) { return leaves_[static_cast<size_t>(index)]->value; }
  const Tensor& value(int index) const { return leaves_[static_cast<size_t>(index)]->value; }
  Tensor& grad(int index) { return leaves_[static_cast<size_t>(index)]->grad; }
  const std::vector<ParameterInfo>& infos() const { return infos_; }
  int count() const { return static_cast<int>(infos_.size()); }
  int find(const std::string& name) const;  // -1 when absent

  int64_t size() const { return size_; }  // floats in one arena
  float* values() { return values_.data(); }
  const float* values() const { return values_.data(); }
  float* grads() { return grads_.data(); }
  const float* grads() const { return grads_.data(); }
  void zero_grad();

 private:
  std::vector<ParameterInfo> infos_;
  AlignedBuffer values_, grads_;  // 64-byte aligned: results must not depend on where malloc lands
  std::vector<Var> leaves_;
  int64_t size_ = 0;
};

}  // namespace trm
