#include "autodiff/tape.h"

#include <stdexcept>

namespace trm {

Var constant(Tensor value) { return make_var(std::move(value)); }

Var leaf(Tensor value, Tensor grad) {
  Var node = make_var(std::move(value));
  node->grad = std::move(grad);
  node->requires_grad = true;
  return node;
}

void Tape::backward(const Var& loss) {
  if (loss->value.numel() != 1)
    throw std::invalid_argument("Tape::backward: loss must have one element, has shape " + loss->value.shape().str());
  if (!loss->requires_grad) return;  // nothing trainable reached the loss
  loss->grad_buffer().fill(1.0f);
  for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) {
    Node& node = **it;
    if (node.backward && node.grad.defined()) node.backward();
  }
}

}  // namespace trm
