// Embedding lookup: the cell-wise model's digit and position tables.
#include <stdexcept>

#include "ops/ops.h"

namespace trm {

// out[i, :] = table[idx[i], :]
static void embedding_forward(float* out, const float* table, const int32_t* idx, int64_t n, int64_t d) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < d; ++k) out[i * d + k] = table[static_cast<int64_t>(idx[i]) * d + k];
}
// dtable[idx[i], :] += dout[i, :]   (serial: rows may repeat)
static void embedding_backward(float* dtable, const float* dout, const int32_t* idx, int64_t n, int64_t d) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < d; ++k) dtable[static_cast<int64_t>(idx[i]) * d + k] += dout[i * d + k];
}

Var embedding(Tape& tape, const Var& table, const std::vector<int32_t>& indices, const Shape& shape) {
  const Shape& ts = table->value.shape();
  const auto n = static_cast<int64_t>(indices.size());
  if (ts.rank() != 2 || shape.last() != ts[1] || shape.rows() != n)
    throw std::invalid_argument("embedding: table " + ts.str() + ", " + std::to_string(n) + " indices, output " + shape.str());
  for (int32_t i : indices)
    if (i < 0 || i >= ts[0]) throw std::invalid_argument("embedding: index " + std::to_string(i) + " out of range");
  Var out = make_var(Tensor::empty(shape));
  embedding_forward(out->value.data(), table->value.data(), indices.data(), n, ts[1]);
  if (tape.needs_grad({&table})) {
    tape.record(out, [table, indices, n, d = ts[1], o = out.get()] {
      embedding_backward(table->grad_buffer().data(), o->grad.data(), indices.data(), n, d);
    });
  }
  return out;
}

}  // namespace trm
