// Node::grad_target: a backward that writes every element of an input's gradient stores its first contribution into
// a fresh, uninitialised buffer instead of adding it to a zeroed one. Checked for every op that takes that path: the
// gradient an intermediate input (no leaf: its gradient starts unallocated) receives is bit for bit the one it
// receives when its buffer was zeroed first, and a contribution that is not the first still adds to what is there.
#include <cmath>
#include <cstring>
#include <functional>
#include <vector>

#include "gradcheck.h"
#include "ops/ops.h"
#include "ops/precision.h"

using namespace trm;
using trm_test::make_leaf;
using trm_test::random_tensor;

namespace {

using Build = std::function<Var(Tape&, const std::vector<Var>&)>;

// How each input's gradient starts: unallocated (the op stores), zeroed, or holding earlier contributions (both add).
enum class Start { fresh, zeroed, earlier };

Tensor earlier_contributions(const Shape& shape) {
  Rng rng(77);
  return random_tensor(shape, rng);
}

// The inputs' gradients of sum(build(inputs) * R) for a fixed random R.
std::vector<Tensor> input_grads(const std::vector<Tensor>& values, const Build& build, Start start) {
  std::vector<Var> inputs;
  for (const Tensor& v : values) {
    Var input = make_var(v.clone());
    input->requires_grad = true;
    if (start == Start::zeroed) input->grad_buffer();
    if (start == Start::earlier) input->grad = earlier_contributions(v.shape());
    inputs.push_back(input);
  }
  Tape tape;
  Var out = build(tape, inputs);
  Rng rng(99);
  const Tensor weights = random_tensor(out->value.shape(), rng);
  tape.backward(trm_test::weighted_sum(tape, out, weights));
  std::vector<Tensor> grads;
  for (const Var& input : inputs) grads.push_back(input->grad.clone());
  return grads;
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), static_cast<size_t>(a.numel()) * sizeof(float)) == 0;
}

void check_stores_as_adding(const std::vector<Tensor>& values, const Build& build) {
  const std::vector<Tensor> fresh = input_grads(values, build, Start::fresh);
  const std::vector<Tensor> zeroed = input_grads(values, build, Start::zeroed);
  const std::vector<Tensor> earlier = input_grads(values, build, Start::earlier);
  for (size_t i = 0; i < values.size(); ++i) {
    INFO("input " << i);
    CHECK(same_bits(fresh[i], zeroed[i]));
    // earlier + fresh up to rounding: the op's own sum may group its terms otherwise (unit_mix's residual adds
    // earlier + dout, then the rest), and the compiler may fuse a multiply and an add
    const Tensor before = earlier_contributions(values[i].shape());
    int64_t off = 0;
    for (int64_t j = 0; j < before.numel(); ++j) {
      const float sum = before[j] + fresh[i][j];
      if (std::abs(earlier[i][j] - sum) > 1e-5f * (1.0f + std::abs(before[j]) + std::abs(fresh[i][j]))) ++off;
    }
    CHECK(off == 0);
  }
}

}  // namespace

TEST_CASE("grad_target: add, add3 and gated_add store their first contribution as adding it would", "[ops][grad_target]") {
  Rng rng(1);
  const Shape shape{3, 81, 8};
  const Tensor a = random_tensor(shape, rng), b = random_tensor(shape, rng), c = random_tensor(shape, rng);
  check_stores_as_adding({a, b}, [](Tape& t, const std::vector<Var>& in) { return add(t, in[0], in[1]); });
  check_stores_as_adding({a, b, c}, [](Tape& t, const std::vector<Var>& in) { return add3(t, in[0], in[1], in[2]); });
  Var scalar_gate = make_leaf(Tensor::full(Shape{1}, 0.3f));
  Var vector_gate = make_leaf(random_tensor(Shape{8}, rng));
  for (const Var& gate : {scalar_gate, vector_gate})
    check_stores_as_adding({a, b}, [gate](Tape& t, const std::vector<Var>& in) { return gated_add(t, in[0], in[1], gate); });
}

TEST_CASE("grad_target: gelu, layer_norm and unit_mix store their first contribution as adding it would", "[ops][grad_target]") {
  Rng rng(2);
  const Tensor x = random_tensor(Shape{2, 81, 12}, rng, 2.0f);
  check_stores_as_adding({x}, [](Tape& t, const std::vector<Var>& in) { return gelu(t, in[0]); });
  Var weight = make_leaf(random_tensor(Shape{12}, rng)), bias = make_leaf(random_tensor(Shape{12}, rng));
  check_stores_as_adding({x}, [&](Tape& t, const std::vector<Var>& in) { return layer_norm(t, in[0], weight, bias); });
  Var mix = make_leaf(random_tensor(Shape{12, 36}, rng, 0.3f)), mix_bias = make_leaf(random_tensor(Shape{12}, rng));
  for (bool residual : {false, true})
    check_stores_as_adding({x}, [&](Tape& t, const std::vector<Var>& in) { return unit_mix(t, in[0], mix, mix_bias, residual); });
}

TEST_CASE("grad_target: linear's input gradient, float32 and (where the CPU has it) bf16", "[ops][grad_target]") {
  Rng rng(3);
  const Tensor x = random_tensor(Shape{2, 81, 12}, rng);
  Var w = make_leaf(random_tensor(Shape{20, 12}, rng, 0.3f)), b = make_leaf(random_tensor(Shape{20}, rng));
  const Build build = [&](Tape& t, const std::vector<Var>& in) { return linear(t, in[0], w, b); };
  check_stores_as_adding({x}, build);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (bf16_matmul_compiled() && __builtin_cpu_supports("avx512bf16")) {
    set_matmul_precision(MatmulPrecision::bf16, true);
    check_stores_as_adding({x}, build);
    set_matmul_precision(MatmulPrecision::fp32, false);
  }
#endif
}

TEST_CASE("adopt_grad: add and gelu hand their output's gradient buffer to a fresh input, never a shared one",
          "[ops][grad_target]") {
  Rng rng(4);
  const Tensor x_value = random_tensor(Shape{2, 81, 12}, rng), y_value = random_tensor(Shape{2, 81, 12}, rng);
  const Tensor dout = random_tensor(Shape{2, 81, 12}, rng);
  for (bool gelu_op : {false, true}) {
    INFO((gelu_op ? "gelu" : "add"));
    // shared: another tensor holds out's gradient buffer (as a deferred weight gradient would), so no adoption
    auto run = [&](bool shared, Tensor* holder) {
      Var x = make_var(x_value.clone()), y = make_var(y_value.clone());
      x->requires_grad = y->requires_grad = true;
      Tape tape;
      Var out = gelu_op ? gelu(tape, x) : add(tape, x, y);
      out->grad = dout.clone();
      const float* buffer = out->grad.data();
      if (shared) *holder = out->grad;
      tape.backward_seeded();
      CHECK((x->grad.data() == buffer) == !shared);  // adopted: x's gradient is out's former buffer
      CHECK(out->grad.defined() == shared);
      return x->grad.clone();
    };
    Tensor holder;
    const Tensor adopted = run(false, nullptr), copied = run(true, &holder);
    CHECK(same_bits(adopted, copied));
    CHECK(same_bits(holder, dout));  // the holder's view of the buffer is untouched
  }
}

TEST_CASE("pass_grad: an input used twice adds both contributions and adopts nothing", "[ops][grad_target]") {
  Rng rng(5);
  const Tensor x_value = random_tensor(Shape{3, 7}, rng), y_value = random_tensor(Shape{3, 7}, rng);
  const Tensor dout = random_tensor(Shape{3, 7}, rng);
  for (bool three : {false, true}) {
    Var x = make_var(x_value.clone()), y = make_var(y_value.clone());
    x->requires_grad = y->requires_grad = true;
    Tape tape;
    Var out = three ? add3(tape, x, y, x) : add(tape, x, x);
    out->grad = dout.clone();
    tape.backward_seeded();
    for (int64_t i = 0; i < dout.numel(); ++i) CHECK(x->grad[i] == dout[i] + dout[i]);
    if (three)
      for (int64_t i = 0; i < dout.numel(); ++i) CHECK(y->grad[i] == dout[i]);
  }
}
