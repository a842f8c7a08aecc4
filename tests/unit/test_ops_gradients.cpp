// One finite-difference gradient check per op, on random inputs of awkward sizes.
#include <cstring>

#include "gradcheck.h"
#include "ops/ops.h"
#include "test_sudoku_samples.h"

using namespace trm;
using trm_test::check_gradients;
using trm_test::GradCheckOptions;
using trm_test::make_leaf;
using trm_test::random_tensor;

TEST_CASE("matmul gradients", "[ops][gradcheck]") {
  Rng rng(1);
  Var x = make_leaf(random_tensor(Shape{2, 3, 5}, rng));  // rows are the product of leading axes
  Var w = make_leaf(random_tensor(Shape{4, 5}, rng));
  check_gradients({{"x", x}, {"w", w}}, [&](Tape& t) { return matmul(t, x, w); });
}

TEST_CASE("matmul output shape and values", "[ops]") {
  Tape tape(false);
  Var x = constant(Tensor::from(Shape{1, 2}, {1.0f, 2.0f}));
  Var w = constant(Tensor::from(Shape{3, 2}, {1.0f, 0.0f, 0.0f, 1.0f, 1.0f, -1.0f}));
  Var out = matmul(tape, x, w);
  REQUIRE(out->value.shape() == Shape{1, 3});
  CHECK(out->value[0] == 1.0f);
  CHECK(out->value[1] == 2.0f);
  CHECK(out->value[2] == -1.0f);
  CHECK_THROWS_AS(matmul(tape, x, constant(Tensor::zeros(Shape{3, 3}))), std::invalid_argument);
}

TEST_CASE("bias_add gradients", "[ops][gradcheck]") {
  Rng rng(2);
  Var x = make_leaf(random_tensor(Shape{3, 7}, rng));
  Var b = make_leaf(random_tensor(Shape{7}, rng));
  check_gradients({{"x", x}, {"b", b}}, [&](Tape& t) { return bias_add(t, x, b); });
}

TEST_CASE("add gradients, including an input used twice", "[ops][gradcheck]") {
  Rng rng(3);
  Var a = make_leaf(random_tensor(Shape{4, 3}, rng));
  Var b = make_leaf(random_tensor(Shape{4, 3}, rng));
  check_gradients({{"a", a}, {"b", b}}, [&](Tape& t) { return add(t, add(t, a, b), a); });
}

TEST_CASE("scale_by_scalar gradients", "[ops][gradcheck]") {
  Rng rng(4);
  Var x = make_leaf(random_tensor(Shape{5, 6}, rng));
  Var s = make_leaf(Tensor::full(Shape{1}, 0.7f));
  check_gradients({{"x", x}, {"s", s}}, [&](Tape& t) { return scale_by_scalar(t, x, s); });
}

TEST_CASE("scale_by_vector gradients", "[ops][gradcheck]") {
  Rng rng(5);
  Var x = make_leaf(random_tensor(Shape{2, 4, 6}, rng));
  Var g = make_leaf(random_tensor(Shape{6}, rng));
  check_gradients({{"x", x}, {"g", g}}, [&](Tape& t) { return scale_by_vector(t, x, g); });
}

TEST_CASE("scale_by_constant and reshape gradients", "[ops][gradcheck]") {
  Rng rng(6);
  Var x = make_leaf(random_tensor(Shape{2, 6}, rng));
  check_gradients({{"x", x}}, [&](Tape& t) { return reshape(t, scale_by_constant(t, x, -1.5f), Shape{3, 4}); });
}

TEST_CASE("layer_norm gradients", "[ops][gradcheck]") {
  Rng rng(7);
  Var x = make_leaf(random_tensor(Shape{4, 9}, rng, 2.0f));
  Var w = make_leaf(random_tensor(Shape{9}, rng));
  Var b = make_leaf(random_tensor(Shape{9}, rng));
  check_gradients({{"x", x}, {"weight", w}, {"bias", b}}, [&](Tape& t) { return layer_norm(t, x, w, b); },
                  {/*eps=*/1e-3f});
}

TEST_CASE("layer_norm matches the definition", "[ops]") {
  Tape tape(false);
  Var x = constant(Tensor::from(Shape{1, 4}, {1.0f, 2.0f, 3.0f, 6.0f}));
  Var w = constant(Tensor::from(Shape{4}, {1.0f, 1.0f, 2.0f, 1.0f}));
  Var b = constant(Tensor::from(Shape{4}, {0.0f, 0.5f, 0.0f, 0.0f}));
  Var out = layer_norm(tape, x, w, b);
  // mean 3, biased variance (4 + 1 + 0 + 9) / 4 = 3.5
  const float rstd = 1.0f / std::sqrt(3.5f + kLayerNormEps);
  CHECK(out->value[0] == Approx(-2.0f * rstd));
  CHECK(out->value[1] == Approx(-1.0f * rstd + 0.5f));
  CHECK(out->value[2] == Approx(0.0f).margin(1e-6));
  CHECK(out->value[3] == Approx(3.0f * rstd));
}

TEST_CASE("gelu gradients and values", "[ops][gradcheck]") {
  Rng rng(8);
  Var x = make_leaf(random_tensor(Shape{3, 11}, rng, 2.0f));
  check_gradients({{"x", x}}, [&](Tape& t) { return gelu(t, x); }, {/*eps=*/1e-3f});
  Tape tape(false);
  Var v = gelu(tape, constant(Tensor::from(Shape{3}, {-1.0f, 0.0f, 1.0f})));
  // torch.nn.functional.gelu(torch.tensor([-1., 0., 1.])) = [-0.1587, 0., 0.8413] (exact erf form)
  CHECK(v->value[0] == Approx(-0.15865525f).epsilon(1e-5));
  CHECK(v->value[1] == 0.0f);
  CHECK(v->value[2] == Approx(0.84134475f).epsilon(1e-5));
}

TEST_CASE("dropout gradients with a fixed mask, and eval mode is the identity", "[ops][gradcheck]") {
  Rng rng(9);
  Var x = make_leaf(random_tensor(Shape{6, 8}, rng));
  check_gradients({{"x", x}}, [&](Tape& t) {
    Rng mask_rng(42);  // the same mask on every evaluation
    return dropout(t, x, 0.3f, /*training=*/true, mask_rng);
  });
  Tape tape(false);
  Rng mask_rng(42);
  Var train = dropout(tape, x, 0.3f, true, mask_rng);
  int zeros = 0;
  for (int64_t i = 0; i < x->value.numel(); ++i) {
    if (train->value[i] == 0.0f) {
      ++zeros;
    } else {
      CHECK(train->value[i] == Approx(x->value[i] / 0.7f));
    }
  }
  CHECK(zeros > 0);
  CHECK(zeros < x->value.numel());
  CHECK(dropout(tape, x, 0.3f, /*training=*/false, mask_rng) == x);
  CHECK_THROWS_AS(dropout(tape, x, 1.0f, true, mask_rng), std::invalid_argument);
}

TEST_CASE("dropout keeps about 1-p of the elements", "[ops]") {
  Tape tape(false);
  Rng rng(10);
  Var x = constant(Tensor::full(Shape{100000}, 1.0f));
  Var out = dropout(tape, x, 0.25f, true, rng);
  double kept = 0;
  for (int64_t i = 0; i < out->value.numel(); ++i) kept += out->value[i] != 0.0f;
  CHECK(kept / 100000.0 == Approx(0.75).margin(0.01));
}

TEST_CASE("cross_entropy gradients with ignored rows", "[ops][gradcheck]") {
  Rng rng(11);
  Var logits = make_leaf(random_tensor(Shape{2, 3, 9}, rng, 2.0f));
  const std::vector<int32_t> targets = {0, 8, -1, 4, 4, 2};
  check_gradients({{"logits", logits}}, [&](Tape& t) { return cross_entropy(t, logits, targets); });
}

TEST_CASE("cross_entropy is the mean negative log-likelihood", "[ops]") {
  Tape tape(false);
  Var logits = constant(Tensor::from(Shape{2, 3}, {0.0f, 0.0f, 0.0f, 1.0f, 2.0f, 3.0f}));
  Var loss = cross_entropy(tape, logits, {1, 2});
  const double row2 = -(3.0 - std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)));
  CHECK(loss->value[0] == Approx((std::log(3.0) + row2) / 2.0).epsilon(1e-6));
  Var only_first = cross_entropy(tape, logits, {1, -1});
  CHECK(only_first->value[0] == Approx(std::log(3.0)).epsilon(1e-6));
  CHECK_THROWS_AS(cross_entropy(tape, logits, {1, 3}), std::invalid_argument);
  CHECK_THROWS_AS(cross_entropy(tape, logits, {1}), std::invalid_argument);
}

TEST_CASE("a non-recording tape keeps nothing and needs no gradients", "[autodiff]") {
  Rng rng(12);
  Var x = make_leaf(random_tensor(Shape{2, 2}, rng));
  Tape tape(false);
  Var out = gelu(tape, x);
  CHECK(tape.size() == 0);
  CHECK_FALSE(out->requires_grad);
  Tape recording;
  Var recorded = gelu(recording, x);
  CHECK(recording.size() == 1);
  CHECK(recorded->requires_grad);
  CHECK_THROWS_AS(recording.backward(recorded), std::invalid_argument);  // loss must be one element
}

TEST_CASE("embedding gradients with repeated indices", "[ops][gradcheck]") {
  Rng rng(13);
  Var table = make_leaf(random_tensor(Shape{5, 3}, rng));
  const std::vector<int32_t> indices = {4, 0, 4, 2, 2, 2};
  check_gradients({{"table", table}}, [&](Tape& t) { return embedding(t, table, indices, Shape{2, 3, 3}); });
  Tape tape(false);
  CHECK_THROWS_AS(embedding(tape, table, {5}, Shape{1, 3}), std::invalid_argument);
  Var out = embedding(tape, table, {3}, Shape{1, 3});
  CHECK(out->value[1] == table->value[3 * 3 + 1]);
}

TEST_CASE("concat_last gradients", "[ops][gradcheck]") {
  Rng rng(14);
  Var a = make_leaf(random_tensor(Shape{2, 3, 2}, rng));
  Var b = make_leaf(random_tensor(Shape{2, 3, 4}, rng));
  check_gradients({{"a", a}, {"b", b}}, [&](Tape& t) { return concat_last(t, {a, b, a}); });
  Tape tape(false);
  Var out = concat_last(tape, {a, b});
  REQUIRE(out->value.shape() == Shape{2, 3, 6});
  CHECK(out->value[6 + 2] == b->value[4]);  // row 1, column 2 is b's row 1, column 0
}

TEST_CASE("unit_mean gradients and values for rows, columns and boxes", "[ops][gradcheck]") {
  Rng rng(15);
  Var x = make_leaf(random_tensor(Shape{2, 81, 3}, rng));
  for (SudokuUnit unit : {SudokuUnit::Row, SudokuUnit::Column, SudokuUnit::Box}) {
    check_gradients({{"x", x}}, [&](Tape& t) { return unit_mean(t, x, unit); });
  }
  // Cell r5c7 (index 4 * 9 + 6 = 42): its box spans rows 3-5, columns 6-8.
  Tape tape(false);
  Var box = unit_mean(tape, x, SudokuUnit::Box);
  double expected = 0.0;
  for (int r = 3; r < 6; ++r)
    for (int c = 6; c < 9; ++c) expected += x->value[(81 + r * 9 + c) * 3 + 1];
  CHECK(box->value[(81 + 42) * 3 + 1] == Approx(expected / 9.0).epsilon(1e-5));
  Var row = unit_mean(tape, x, SudokuUnit::Row);
  double row_sum = 0.0;
  for (int c = 0; c < 9; ++c) row_sum += x->value[(4 * 9 + c) * 3];
  CHECK(row->value[42 * 3] == Approx(row_sum / 9.0).epsilon(1e-5));
  CHECK_THROWS_AS(unit_mean(tape, constant(Tensor::zeros(Shape{2, 80, 3})), SudokuUnit::Row), std::invalid_argument);
}

TEST_CASE("linear gradients, with and without bias, and it equals matmul + bias_add", "[ops][gradcheck]") {
  Rng rng(16);
  Var x = make_leaf(random_tensor(Shape{2, 3, 5}, rng));
  Var w = make_leaf(random_tensor(Shape{4, 5}, rng));
  Var b = make_leaf(random_tensor(Shape{4}, rng));
  check_gradients({{"x", x}, {"w", w}, {"b", b}}, [&](Tape& t) { return linear(t, x, w, b); });
  check_gradients({{"x", x}, {"w", w}}, [&](Tape& t) { return linear(t, x, w, nullptr); });
  Tape tape(false);
  Var fused = linear(tape, x, w, b), plain = bias_add(tape, matmul(tape, x, w), b);
  REQUIRE(fused->value.shape() == Shape{2, 3, 4});
  for (int64_t i = 0; i < fused->value.numel(); ++i) CHECK(fused->value[i] == plain->value[i]);
  CHECK_THROWS_AS(linear(tape, x, w, constant(Tensor::zeros(Shape{5}))), std::invalid_argument);
}

TEST_CASE("linear equals matmul + bias_add bit for bit at the cell-wise model's shapes", "[ops]") {
  // Depth 64 (fc1) and 256 (fc2): the product starts from the bias where Eigen sums the depth in one block.
  Rng rng(18);
  for (int64_t k : {int64_t{64}, int64_t{256}}) {
    const int64_t m = 64 * 256 / k;
    Var x = constant(random_tensor(Shape{2, 81, k}, rng));
    Var w = constant(random_tensor(Shape{m, k}, rng, 0.1f));
    Var b = constant(random_tensor(Shape{m}, rng));
    Tape tape(false);
    Var fused = linear(tape, x, w, b), plain = bias_add(tape, matmul(tape, x, w), b);
    REQUIRE(fused->value.shape() == plain->value.shape());
    CHECK(std::memcmp(fused->value.data(), plain->value.data(), static_cast<size_t>(fused->value.numel()) * sizeof(float)) == 0);
  }
}

TEST_CASE("linear splits large GEMMs across threads with the single-thread result", "[ops]") {
  Rng rng(17);
  // Large enough to be split: by rows (many rows) and by columns (one row).
  for (int64_t rows : {int64_t{200}, int64_t{1}}) {
    Var x = make_leaf(random_tensor(Shape{rows, 300}, rng));
    Var w = make_leaf(random_tensor(Shape{700, 300}, rng));
    Tape tape;
    Var out = linear(tape, x, w, nullptr);
    Tensor expected = Tensor::empty(out->value.shape());
    expected.matrix().noalias() = x->value.matrix() * w->value.matrix().transpose();
    CHECK((out->value.array() - expected.array()).abs().maxCoeff() < 1e-3f);
    out->grad = random_tensor(out->value.shape(), rng);
    tape.backward_seeded();
    Tensor dx = Tensor::empty(x->value.shape()), dw = Tensor::empty(w->value.shape());
    dx.matrix().noalias() = out->grad.matrix() * w->value.matrix();
    dw.matrix().noalias() = out->grad.matrix().transpose() * x->value.matrix();
    CHECK((x->grad.array() - dx.array()).abs().maxCoeff() < 1e-3f);
    CHECK((w->grad.array() - dw.array()).abs().maxCoeff() < 1e-3f);
  }
}

TEST_CASE("the matrix-vector path (one or two rows) equals the GEMM for every row grouping and tail", "[ops]") {
  Rng rng(20);
  // Output widths that leave every remainder of the 4-row groups of dot products; input widths with and without
  // a partial SIMD packet.
  for (int64_t rows : {int64_t{1}, int64_t{2}})
    for (int64_t m : {1, 3, 4, 7, 8, 9, 13, 20, 31})
      for (int64_t k : {1, 5, 16, 37}) {
        Var x = make_leaf(random_tensor(Shape{rows, k}, rng));
        Var w = make_leaf(random_tensor(Shape{m, k}, rng));
        Tape tape(false);
        Var out = linear(tape, x, w, nullptr);
        Tensor expected = Tensor::empty(out->value.shape());
        expected.matrix().noalias() = x->value.matrix() * w->value.matrix().transpose();
        INFO("rows " << rows << ", m " << m << ", k " << k);
        CHECK((out->value.array() - expected.array()).abs().maxCoeff() < 1e-5f);
      }
}

TEST_CASE("add3 and gated_add gradients (scalar and vector gates)", "[ops][gradcheck]") {
  Rng rng(18);
  Var a = make_leaf(random_tensor(Shape{2, 3, 4}, rng));
  Var b = make_leaf(random_tensor(Shape{2, 3, 4}, rng));
  Var c = make_leaf(random_tensor(Shape{2, 3, 4}, rng));
  check_gradients({{"a", a}, {"b", b}, {"c", c}}, [&](Tape& t) { return add3(t, a, b, c); });
  Var s = make_leaf(Tensor::full(Shape{1}, 0.7f));
  Var g = make_leaf(random_tensor(Shape{4}, rng));
  check_gradients({{"a", a}, {"b", b}, {"s", s}}, [&](Tape& t) { return gated_add(t, a, b, s); });
  check_gradients({{"a", a}, {"b", b}, {"g", g}}, [&](Tape& t) { return gated_add(t, a, b, g); });
  Tape tape(false);
  Var out = gated_add(tape, a, b, g);
  CHECK(out->value[5] == Approx(a->value[5] + g->value[1] * b->value[5]));
  CHECK_THROWS_AS(gated_add(tape, a, b, constant(Tensor::zeros(Shape{3}))), std::invalid_argument);
}

TEST_CASE("unit_means gradients, and it equals the concatenated unit_means", "[ops][gradcheck]") {
  Rng rng(19);
  Var x = make_leaf(random_tensor(Shape{2, 81, 3}, rng));
  check_gradients({{"x", x}}, [&](Tape& t) { return unit_means(t, x); });
  Tape tape(false);
  Var fused = unit_means(tape, x);
  Var plain = concat_last(tape, {unit_mean(tape, x, SudokuUnit::Row), unit_mean(tape, x, SudokuUnit::Column),
                                 unit_mean(tape, x, SudokuUnit::Box)});
  REQUIRE(fused->value.shape() == Shape{2, 81, 9});
  for (int64_t i = 0; i < fused->value.numel(); ++i) CHECK(fused->value[i] == plain->value[i]);
}

TEST_CASE("unit_mix gradients, and it equals linear over the unit means", "[ops][gradcheck]") {
  Rng rng(23);
  Var x = make_leaf(random_tensor(Shape{2, 81, 4}, rng));
  Var w = make_leaf(random_tensor(Shape{4, 12}, rng));
  Var b = make_leaf(random_tensor(Shape{4}, rng));
  check_gradients({{"x", x}, {"w", w}, {"b", b}}, [&](Tape& t) { return unit_mix(t, x, w, b); });
  check_gradients({{"x", x}, {"w", w}}, [&](Tape& t) { return unit_mix(t, x, w, nullptr); });
  Tape tape(false);
  Var fused = unit_mix(tape, x, w, b);
  Var plain = linear(tape, unit_means(tape, x), w, b);
  REQUIRE(fused->value.shape() == Shape{2, 81, 4});
  for (int64_t i = 0; i < fused->value.numel(); ++i) CHECK(fused->value[i] == Approx(plain->value[i]).margin(1e-6));
  CHECK_THROWS_AS(unit_mix(tape, x, constant(Tensor::zeros(Shape{4, 8})), b), std::invalid_argument);
  CHECK_THROWS_AS(unit_mix(tape, x, w, constant(Tensor::zeros(Shape{3}))), std::invalid_argument);
  CHECK_THROWS_AS(unit_mix(tape, constant(Tensor::zeros(Shape{2, 80, 4})), w, b), std::invalid_argument);
}

TEST_CASE("unit_mix with the residual: gradients, and the bits of add(x, unit_mix(x))", "[ops][gradcheck]") {
  Rng rng(24);
  Var w = make_leaf(random_tensor(Shape{4, 12}, rng));
  Var b = make_leaf(random_tensor(Shape{4}, rng));
  const Tensor x_value = random_tensor(Shape{2, 81, 4}, rng);
  Var x = make_leaf(x_value.clone());
  check_gradients({{"x", x}, {"w", w}, {"b", b}}, [&](Tape& t) { return unit_mix(t, x, w, b, /*residual=*/true); });
  // x is an intermediate value (its gradient starts unallocated), as in the cell block; one fixed output gradient.
  struct Grads {
    Tensor out, x, w, b;
  };
  auto run = [&](bool fused) {
    Var input = make_var(x_value.clone());
    input->requires_grad = true;
    w->grad.fill(0.0f), b->grad.fill(0.0f);
    Tape tape;
    Var out = fused ? unit_mix(tape, input, w, b, true) : add(tape, input, unit_mix(tape, input, w, b));
    Rng weights_rng(5);
    tape.backward(trm_test::weighted_sum(tape, out, random_tensor(out->value.shape(), weights_rng)));
    return Grads{out->value.clone(), input->grad.clone(), w->grad.clone(), b->grad.clone()};
  };
  const Grads fused = run(true), plain = run(false);
  for (auto [f, p] : {std::pair{&fused.out, &plain.out}, {&fused.x, &plain.x}, {&fused.w, &plain.w}, {&fused.b, &plain.b}}) {
    REQUIRE(f->shape() == p->shape());
    CHECK(std::memcmp(f->data(), p->data(), static_cast<size_t>(f->numel()) * sizeof(float)) == 0);
  }
}

TEST_CASE("unit_conflict gradients", "[ops][gradcheck]") {
  Rng rng(21);
  Var logits = make_leaf(random_tensor(Shape{2, 81, 9}, rng, 2.0f));
  GradCheckOptions options;
  options.max_elements = 300;
  check_gradients({{"logits", logits}}, [&](Tape& t) { return unit_conflict(t, logits); }, options);
}

TEST_CASE("unit_conflict is the same-digit probability of unit pairs", "[ops]") {
  Tape tape(false);
  // Uniform guesses: any two cells agree with probability 1/9.
  CHECK(unit_conflict(tape, constant(Tensor::zeros(Shape{3, 81, 9})))->value[0] == Approx(1.0 / 9.0).epsilon(1e-5));
  // A confident valid solution has no conflicts. Swapping cells 0 and 1 keeps row 0 and box 0 valid (same
  // digits) but gives columns 0 and 1 one duplicate pair each: 2 of the 972 pairs.
  const std::string solved = trm_test::kEasySolution;
  auto confident = [](const std::string& digits) {
    Tensor t = Tensor::full(Shape{1, 81, 9}, -30.0f);
    for (int c = 0; c < 81; ++c) t[c * 9 + (digits[static_cast<size_t>(c)] - '1')] = 30.0f;
    return constant(t);
  };
  CHECK(unit_conflict(tape, confident(solved))->value[0] == Approx(0.0).margin(1e-6));
  std::string swapped = solved;
  std::swap(swapped[0], swapped[1]);
  CHECK(unit_conflict(tape, confident(swapped))->value[0] == Approx(2.0 / 972.0).epsilon(1e-4));
  CHECK_THROWS_AS(unit_conflict(tape, constant(Tensor::zeros(Shape{2, 81, 8}))), std::invalid_argument);
}
