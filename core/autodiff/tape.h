#pragma once
// Reverse-mode autodiff on a tape: micrograd's idea, one level up (tensors instead of scalars).
//
// Every op (see ops/) computes its output value at once and, when the tape is recording and some
// input needs a gradient, appends a closure that pushes the output's gradient into its inputs'
// gradients (+=, so a parameter used in 32 recursion steps sums its contributions; the first
// contribution to an intermediate value's gradient may be stored instead, Node::grad_target).
// Nodes are appended in creation order, which is a topological order, so backward() is one
// reverse walk. With recording off (inference) nothing is kept: intermediate values die as soon
// as the model code drops them, and their buffers return to the pool.
//
// An op's backward runs once, after every contribution to its output's gradient, and nothing reads that gradient
// after it: so the op may hand the buffer on to an input (Node::adopt_grad) instead of copying it. After backward,
// an intermediate node's grad may therefore be empty; a leaf's (the parameters') always holds its gradient.
//
//   Tape tape;
//   Var loss = cross_entropy(tape, model_logits, targets);
//   tape.backward(loss);   // parameter gradients accumulate into the parameter arena
//   tape.clear();          // frees every intermediate value
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "autodiff/tensor.h"

namespace trm {

struct Node {
  Tensor value;
  Tensor grad;                     // allocated on the first contribution; parameters view the grad arena
  bool requires_grad = false;
  std::function<void()> backward;  // set by the op that produced this node when recorded

  // The gradient buffer to accumulate into (allocated and zeroed on first call).
  Tensor& grad_buffer() {
    if (!has_grad()) grad = Tensor::zeros(value.shape());
    return grad;
  }

  // The gradient buffer for a backward that writes every element of it. On the first contribution the buffer is
  // fresh and uninitialised and `accumulate` is false: the caller stores (=) where it would add (+=), without the
  // pass that zeroes the buffer first (zeroing every gradient was 4% of a cell-wise training step). Storing v gives
  // what adding v to zero would, bit for bit, except that -0 stays -0 (0 + -0 is +0): that changes no later result
  // but the sign of a zero, and the parameter gradients, summed into the zeroed arena, keep every bit. Later
  // contributions, and leaves (whose gradients view the arena), accumulate.
  struct GradTarget {
    Tensor& buffer;
    bool accumulate;
  };
  GradTarget grad_target() {
    if (has_grad()) return {grad, true};
    grad = Tensor::empty(value.shape());
    return {grad, false};
  }

  // True once some contribution has allocated the gradient (always for a leaf).
  bool has_grad() const { return grad.defined() && grad.shape() == value.shape(); }

  // Called by the backward of the op that produced `out`, for an input whose gradient contribution is out's
  // gradient itself (add) or computed from it element by element, in place (gelu): when this node has no gradient
  // yet and no other tensor holds out's gradient buffer (a deferred weight gradient, a recomputation's alias),
  // takes that buffer as this node's gradient, leaves out's empty, and returns true. The caller then computes the
  // contribution in place, the same values the copy or the fresh buffer would hold, without either.
  bool adopt_grad(Node& out) {
    if (has_grad() || out.grad.shape() != value.shape() || !out.grad.sole_owner()) return false;
    grad = std::move(out.grad);
    out.grad = Tensor();
    return true;
  }
};
using Var = std::shared_ptr<Node>;

// A value that needs no gradient (inputs, targets, initial states).
Var constant(Tensor value);
// A trainable leaf whose gradient accumulates into `grad` (a view into the gradient arena).
Var leaf(Tensor value, Tensor grad);

class Tape {
 public:
  explicit Tape(bool recording = true) : recording_(recording) {}
  bool recording() const { return recording_; }

  // True when an op with these inputs must record its backward closure.
  bool needs_grad(std::initializer_list<const Var*> inputs) const {
    if (!recording_) return false;
    for (const Var* v : inputs)
      if ((*v)->requires_grad) return true;
    return false;
  }

  // Called by ops: marks `out` as needing a gradient and keeps it, with its backward closure.
  void record(const Var& out, std::function<void()> backward) {
    out->requires_grad = true;
    out->backward = std::move(backward);
    nodes_.push_back(out);
  }

  // Seeds d(loss)/d(loss) = 1 for a one-element loss and runs every recorded closure in reverse.
  void backward(const Var& loss);
  // Runs every recorded closure in reverse, with `out`'s gradient already seeded by the caller.
  void backward_seeded();
  // Part of an op's backward put off to the end of the pass, grouped by a key: linear and matmul defer each
  // weight's gradient, so a weight used in 32 recursion steps gets one product over all 32 uses (depth 32 x 64 rows)
  // instead of 32 products that each read and write the whole gradient (ops/linear.cpp). After every closure has
  // run, each key's `flush` runs once with that key's items in the order they were deferred (keys in the order
  // first deferred), so the pass stays deterministic.
  struct Deferred {
    Tensor a, b;
  };
  using Flush = void (*)(Node* key, std::vector<Deferred>& items);
  void defer(Node* key, Flush flush, Deferred item);
  // Scratch an op keeps for the tape's life, by key and slot: linear keeps each weight packed for the bf16 products
  // (ops/linear.cpp), packed once per forward and once per backward instead of once per use. So a tape's values
  // must not change under it: true of every tape here (one per step or per inference call, weights updated after).
  std::shared_ptr<void>& scratch(const Node* key, int slot) { return scratch_[{key, slot}]; }
  // Releases every recorded node (and, through the pool, its memory).
  void clear() {
    nodes_.clear();
    scratch_.clear();
  }
  size_t size() const { return nodes_.size(); }

 private:
  void flush_deferred();

  bool recording_;
  std::vector<Var> nodes_;
  struct DeferredGroup {
    Node* key;
    Flush flush;
    std::vector<Deferred> items;
  };
  std::vector<DeferredGroup> deferred_;
  std::unordered_map<Node*, size_t> deferred_index_;  // key -> its group in deferred_
  std::map<std::pair<const Node*, int>, std::shared_ptr<void>> scratch_;
};

// Activation recomputation (also called activation checkpointing; "checkpoint" in this project names only training
// checkpoints, io/checkpoint.h): out = f(inputs), keeping only the inputs. `forward` computes out now on an
// unrecorded tape (its intermediate values die at once); when `tape` records, backward calls `recompute`
// (the same function, on the same input values, drawing the same random numbers) on a private recording
// tape and backpropagates out's gradient through it, so the gradients are exactly those of recording f
// directly, in the same order. Costs one more forward of f; saves all of f's intermediate values.
Var recompute_in_backward(Tape& tape, std::vector<Var> inputs,
                          const std::function<Var(Tape&, const std::vector<Var>&)>& forward,
                          std::function<Var(Tape&, const std::vector<Var>&)> recompute);

// Makes an op's output node holding `value`.
inline Var make_var(Tensor value) {
  auto node = std::make_shared<Node>();
  node->value = std::move(value);
  return node;
}

}  // namespace trm
