#include "model/inference.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "util/error.h"

namespace trm {

void check_finite_logits(const float* logits, int64_t batch, int cycle) {
  // One pass over [batch, 81, 9] floats with no branch in the loop: cheap beside the forward pass that made them.
  const int64_t n = batch * 81 * 9;
  bool finite = true;
  for (int64_t i = 0; i < n; ++i) finite &= std::isfinite(logits[i]);
  if (finite) return;
  int64_t i = 0;
  while (std::isfinite(logits[i])) ++i;
  const int64_t puzzle = i / 729, cell = (i % 729) / 9;
  throw NumericError("the model's output is not finite: logits after outer cycle " + std::to_string(cycle) + " are " +
                     (std::isnan(logits[i]) ? "nan" : "inf") + " (puzzle " + std::to_string(puzzle + 1) + ", cell r" +
                     std::to_string(cell / 9 + 1) + "c" + std::to_string(cell % 9 + 1) +
                     "): the weights overflow float32 in the recursion");
}

void decode_logits(const float* logits, int64_t cells, uint8_t* digits, float* confidence) {
  for (int64_t c = 0; c < cells; ++c) {
    const float* row = logits + c * 9;
    int best = 0;
    for (int k = 1; k < 9; ++k)
      if (row[k] > row[best]) best = k;
    double sum = 0.0;
    for (int k = 0; k < 9; ++k) sum += std::exp(static_cast<double>(row[k] - row[best]));
    digits[c] = static_cast<uint8_t>(best + 1);
    confidence[c] = static_cast<float>(1.0 / sum);
  }
}

namespace {

class TraceRecorder : public RecursionObserver {
 public:
  explicit TraceRecorder(InferenceTrace& trace) : trace_(trace) {}

  void on_latent_update(int, int, const Tensor& before, const Tensor& after) override {
    const int64_t batch = trace_.batch, per = before.numel() / batch;
    std::vector<float> norms(static_cast<size_t>(batch));
    for (int64_t b = 0; b < batch; ++b) {
      double sq = 0.0;
      for (int64_t i = b * per; i < (b + 1) * per; ++i) {
        const double d = static_cast<double>(after[i]) - before[i];
        sq += d * d;
      }
      norms[static_cast<size_t>(b)] = static_cast<float>(std::sqrt(sq));
    }
    trace_.latent_update_norms.push_back(std::move(norms));
  }

  void on_cycle_end(int cycle, const Tensor&, const Tensor* logits) override {
    check_finite_logits(logits->data(), trace_.batch, cycle + 1);
    CycleFrame frame;
    const int64_t cells = trace_.batch * 81;
    frame.digits.resize(static_cast<size_t>(cells));
    frame.confidence.resize(static_cast<size_t>(cells));
    decode_logits(logits->data(), cells, frame.digits.data(), frame.confidence.data());
    trace_.frames.push_back(std::move(frame));
  }

 private:
  InferenceTrace& trace_;
};

}  // namespace

InferenceTrace infer(const TRM& model, const uint8_t* puzzles, int64_t batch, int h_cycles) {
  InferenceTrace trace;
  trace.batch = batch;
  trace.h_cycles = h_cycles > 0 ? h_cycles : model.config().inference_cycles();
  trace.l_cycles = model.config().L_cycles;
  TraceRecorder recorder(trace);
  Tape tape(/*recording=*/false);
  ForwardOptions options;
  options.h_cycles = trace.h_cycles;
  options.logits_every_cycle = true;
  options.observer = &recorder;
  trace.logits = model.forward(tape, puzzles, batch, options).logits->value;
  return trace;
}

Tensor predict(const TRM& model, const uint8_t* puzzles, int64_t batch, int h_cycles, RecursionObserver* observer) {
  Tape tape(/*recording=*/false);
  ForwardOptions options;
  options.h_cycles = h_cycles;
  options.observer = observer;
  options.logits_every_cycle = observer != nullptr;
  Tensor logits = model.forward(tape, puzzles, batch, options).logits->value;
  check_finite_logits(logits.data(), batch, h_cycles > 0 ? h_cycles : model.config().inference_cycles());
  return logits;
}

namespace {

// Rows `rows` of a [B, ...] tensor, in that order.
Tensor gather_rows(const Tensor& t, const std::vector<int64_t>& rows) {
  std::vector<int64_t> dims = t.shape().to_vector();
  const int64_t per = t.numel() / dims[0];
  dims[0] = static_cast<int64_t>(rows.size());
  Tensor out = Tensor::empty(Shape(dims));
  for (size_t k = 0; k < rows.size(); ++k) std::copy_n(t.data() + rows[k] * per, per, out.data() + static_cast<int64_t>(k) * per);
  return out;
}

// Copies row `from` of src into row `to` of dst (same row size).
void copy_row(const Tensor& src, int64_t from, Tensor& dst, int64_t to) {
  const int64_t per = src.numel() / src.shape()[0];
  std::copy_n(src.data() + from * per, per, dst.data() + to * per);
}

// Shows a halting run to an observer as one recursion: cycle numbers run on across the one-cycle forwards, and a
// row that halted keeps showing its logits from the cycle it halted.
class HaltingView : public RecursionObserver {
 public:
  HaltingView(RecursionObserver& inner, const Tensor& frozen, const std::vector<char>& done)
      : inner_(inner), frozen_(frozen), done_(done) {}
  int cycle = 0;
  void on_latent_update(int, int l, const Tensor& before, const Tensor& after) override {
    inner_.on_latent_update(cycle, l, before, after);
  }
  void on_cycle_end(int, const Tensor& y, const Tensor* logits) override {
    Tensor shown = *logits;
    for (int64_t row = 0; row < shown.shape()[0]; ++row)
      if (done_[static_cast<size_t>(row)]) copy_row(frozen_, row, shown, row);
    inner_.on_cycle_end(cycle, y, &shown);
  }

 private:
  RecursionObserver& inner_;
  const Tensor& frozen_;
  const std::vector<char>& done_;
};

// predict_continued with learned halting: one outer cycle at a time, each row leaving when its head says halt.
// Without an observer the rows still going are gathered into a smaller batch; with one every row runs every cycle
// (the observer's rows stay the batch's rows) until all have halted.
Continued run_halting(const TRM& model, const uint8_t* puzzles, int64_t batch, int h_cycles, const Tensor* start_y,
                      const Tensor* start_z, RecursionObserver* observer) {
  Continued out;
  out.cycles.assign(static_cast<size_t>(batch), 0);
  std::vector<char> done(static_cast<size_t>(batch), 0);
  std::vector<int64_t> active(static_cast<size_t>(batch));  // rows of the batch still going, in order
  for (int64_t b = 0; b < batch; ++b) active[static_cast<size_t>(b)] = b;
  Tensor y, z;  // the active rows' states ([active, ...]; with an observer, every row's)
  if (start_y) y = *start_y, z = *start_z;
  std::unique_ptr<HaltingView> view;
  for (int h = 0; h < h_cycles && !active.empty(); ++h) {
    const bool compact = observer == nullptr;
    std::vector<uint8_t> board;  // [active, 81]
    const uint8_t* input = puzzles;
    int64_t count = batch;
    if (compact) {
      count = static_cast<int64_t>(active.size());
      board.resize(active.size() * 81);
      for (size_t k = 0; k < active.size(); ++k) std::copy_n(puzzles + active[k] * 81, 81, board.begin() + static_cast<std::ptrdiff_t>(k * 81));
      input = board.data();
    }
    Tape tape(/*recording=*/false);
    ForwardOptions options;
    options.h_cycles = 1;
    options.halt_logits = true;
    options.start_y = h > 0 || start_y ? &y : nullptr;
    options.start_z = h > 0 || start_z ? &z : nullptr;
    if (observer) {
      if (!view) view = std::make_unique<HaltingView>(*observer, out.logits, done);
      view->cycle = h;
      options.observer = view.get();
    }
    ForwardResult step = model.forward(tape, input, count, options);
    const Tensor& logits = step.logits->value;  // [count, 81, 9]
    const Tensor& halt = step.halt->value;      // [count, 2]
    if (h == 0) {
      std::vector<int64_t> dims = step.y.shape().to_vector();
      dims[0] = batch;
      out.logits = Tensor::zeros(Shape{batch, 81, 9});
      out.y = Tensor::zeros(Shape(dims));
      out.z = Tensor::zeros(Shape(dims));
    }
    std::vector<int64_t> going, going_rows;  // rows still going after this cycle, and their rows in `step`
    for (int64_t k = 0; k < count; ++k) {
      const int64_t row = compact ? active[static_cast<size_t>(k)] : k;
      if (done[static_cast<size_t>(row)]) continue;
      out.cycles[static_cast<size_t>(row)] = h + 1;
      if (halt[k * 2 + 1] > halt[k * 2] || h + 1 == h_cycles) {
        copy_row(logits, k, out.logits, row);
        copy_row(step.y, k, out.y, row);
        copy_row(step.z, k, out.z, row);
        done[static_cast<size_t>(row)] = 1;
      } else {
        going.push_back(row);
        going_rows.push_back(k);
      }
    }
    active = std::move(going);
    if (compact && !active.empty()) {
      y = gather_rows(step.y, going_rows);
      z = gather_rows(step.z, going_rows);
    } else {
      y = std::move(step.y);
      z = std::move(step.z);
    }
  }
  return out;
}

}  // namespace

Continued predict_continued(const TRM& model, const uint8_t* puzzles, int64_t batch, int h_cycles, const Tensor* start_y,
                            const Tensor* start_z, RecursionObserver* observer, bool halting) {
  const int cycles = h_cycles > 0 ? h_cycles : model.config().inference_cycles();
  if (halting && model.has_halting()) {
    if (batch < 1) throw std::invalid_argument("predict_continued: empty batch");
    Continued out = run_halting(model, puzzles, batch, cycles, start_y, start_z, observer);
    check_finite_logits(out.logits.data(), batch, cycles);
    return out;
  }
  Tape tape(/*recording=*/false);
  ForwardOptions options;
  options.h_cycles = h_cycles;
  options.observer = observer;
  options.logits_every_cycle = observer != nullptr;
  options.start_y = start_y;
  options.start_z = start_z;
  ForwardResult result = model.forward(tape, puzzles, batch, options);
  Continued out{result.logits->value, std::move(result.y), std::move(result.z), std::vector<int>(static_cast<size_t>(batch), cycles)};
  check_finite_logits(out.logits.data(), batch, cycles);
  return out;
}

}  // namespace trm
