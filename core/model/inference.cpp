#include "model/inference.h"

#include <cmath>
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

Continued predict_continued(const TRM& model, const uint8_t* puzzles, int64_t batch, int h_cycles, const Tensor* start_y,
                            const Tensor* start_z, RecursionObserver* observer) {
  Tape tape(/*recording=*/false);
  ForwardOptions options;
  options.h_cycles = h_cycles;
  options.observer = observer;
  options.logits_every_cycle = observer != nullptr;
  options.start_y = start_y;
  options.start_z = start_z;
  ForwardResult result = model.forward(tape, puzzles, batch, options);
  Continued out{result.logits->value, std::move(result.y), std::move(result.z)};
  check_finite_logits(out.logits.data(), batch, h_cycles > 0 ? h_cycles : model.config().inference_cycles());
  return out;
}

}  // namespace trm
