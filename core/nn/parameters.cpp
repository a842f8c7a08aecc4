#include "nn/parameters.h"

#include <algorithm>
#include <stdexcept>

namespace trm {

int Parameters::declare(const std::string& name, const Shape& shape) {
  if (!leaves_.empty()) throw std::logic_error("Parameters::declare after allocate: " + name);
  if (find(name) >= 0) throw std::logic_error("Parameters::declare: duplicate name " + name);
  infos_.push_back(ParameterInfo{name, shape, size_, shape.rank() >= 2});
  // Pad each parameter to 16 floats (64 bytes) so every view starts cache-line aligned.
  size_ += (shape.numel() + 15) / 16 * 16;
  return static_cast<int>(infos_.size()) - 1;
}

void Parameters::allocate() {
  values_.assign_zeros(size_);
  grads_.assign_zeros(size_);
  leaves_.clear();
  for (const auto& info : infos_)
    leaves_.push_back(leaf(Tensor::borrow(values_.data() + info.offset, info.shape),
                           Tensor::borrow(grads_.data() + info.offset, info.shape)));
}

int Parameters::find(const std::string& name) const {
  auto it = std::find_if(infos_.begin(), infos_.end(), [&](const ParameterInfo& p) { return p.name == name; });
  return it == infos_.end() ? -1 : static_cast<int>(it - infos_.begin());
}

void Parameters::zero_grad() { grads_.fill(0.0f); }

}  // namespace trm
