// Concatenation along the last axis (the cell block joins its row, column and box summaries).
#include <stdexcept>

#include "ops/ops.h"

namespace trm {

Var concat_last(Tape& tape, const std::vector<Var>& parts) {
  if (parts.empty()) throw std::invalid_argument("concat_last: nothing to concatenate");
  const int64_t rows = parts[0]->value.shape().rows();
  int64_t width = 0;
  for (const Var& p : parts) {
    if (p->value.shape().rows() != rows) throw std::invalid_argument("concat_last: row counts differ");
    width += p->value.shape().last();
  }
  std::vector<int64_t> dims = parts[0]->value.shape().to_vector();
  dims.back() = width;
  Var out = make_var(Tensor::empty(Shape(dims)));
  // out[r, offset_i : offset_i + d_i] = part_i[r, :]
  int64_t offset = 0;
  for (const Var& p : parts) {
    out->value.matrix().middleCols(offset, p->value.shape().last()) = p->value.matrix();
    offset += p->value.shape().last();
  }
  bool any = false;
  for (const Var& p : parts) any = any || tape.needs_grad({&p});
  if (any) {
    // dpart_i += dout[:, offset_i : offset_i + d_i]
    tape.record(out, [parts, o = out.get()] {
      int64_t at = 0;
      for (const Var& p : parts) {
        const int64_t d = p->value.shape().last();
        if (p->requires_grad) p->grad_buffer().matrix() += o->grad.matrix().middleCols(at, d);
        at += d;
      }
    });
  }
  return out;
}

}  // namespace trm
