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
  backward_seeded();
}

void Tape::backward_seeded() {
  for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) {
    Node& node = **it;
    if (node.backward && node.grad.defined()) node.backward();
  }
  flush_deferred();
}

void Tape::defer(Node* key, Flush flush, Deferred item) {
  auto [it, added] = deferred_index_.emplace(key, deferred_.size());
  if (added) deferred_.push_back(DeferredGroup{key, flush, {}});
  deferred_[it->second].items.push_back(std::move(item));
}

void Tape::flush_deferred() {
  std::vector<DeferredGroup> groups;
  groups.swap(deferred_);  // a flush that throws leaves the tape with nothing half-deferred
  deferred_index_.clear();
  for (DeferredGroup& g : groups) g.flush(g.key, g.items);
}

Var recompute_in_backward(Tape& tape, std::vector<Var> inputs,
                          const std::function<Var(Tape&, const std::vector<Var>&)>& forward,
                          std::function<Var(Tape&, const std::vector<Var>&)> recompute) {
  Tape unrecorded(/*recording=*/false);
  Var out = make_var(forward(unrecorded, inputs)->value);
  bool any = false;
  for (const Var& v : inputs) any = any || v->requires_grad;
  // Parameters reached inside f need gradients too, but f's inputs are states that always do when training.
  if (!tape.recording() || !any) return out;
  tape.record(out, [inputs, recompute = std::move(recompute), o = out.get()] {
    // Stand-ins for the inputs: the same values, and gradients that alias the inputs' own buffers, so f's
    // backward accumulates straight into them.
    std::vector<Var> stand_ins;
    stand_ins.reserve(inputs.size());
    for (const Var& v : inputs) {
      Var s = make_var(v->value);
      if (v->requires_grad) {
        s->requires_grad = true;
        s->grad = v->grad_buffer();
      }
      stand_ins.push_back(std::move(s));
    }
    Tape inner;
    Var again = recompute(inner, stand_ins);
    if (!again->requires_grad) return;
    again->grad = o->grad;
    inner.backward_seeded();
  });
  return out;
}

}  // namespace trm
