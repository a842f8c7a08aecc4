// weights_diff: how far apart the weights of two checkpoints (or weights files) are, for the data-parallel tests.
//   weights_diff A B TOLERANCE
// Reads both with the training weights (a checkpoint's average is compared too when both have one), checks that
// they hold the same tensors, and prints the largest absolute difference, the tensor it is in, and the largest
// difference relative to max(1, |a|). Exit status: 0 when that relative difference is at most TOLERANCE, 1 when it
// is larger (the weights differ), 2 for a usage error or a file that cannot be read.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "io/checkpoint.h"

namespace {

struct Difference {
  double absolute = 0.0, relative = 0.0;
  std::string where;
};

// The largest difference between two models of the same layout.
Difference compare(const trm::TRM& a, const trm::TRM& b, const std::string& what) {
  const trm::Parameters& pa = a.parameters();
  const trm::Parameters& pb = b.parameters();
  const auto& infos = pa.infos();
  if (pa.size() != pb.size() || infos.size() != pb.infos().size())
    throw std::runtime_error(what + ": the two models have different parameters (" + std::to_string(pa.size()) +
                             " and " + std::to_string(pb.size()) + " values)");
  Difference worst;
  for (size_t t = 0; t < infos.size(); ++t) {
    if (infos[t].name != pb.infos()[t].name || !(infos[t].shape == pb.infos()[t].shape))
      throw std::runtime_error(what + ": tensor " + std::to_string(t) + " is " + infos[t].name + " in one model and " +
                               pb.infos()[t].name + " in the other");
    const float* va = pa.value(static_cast<int>(t)).data();
    const float* vb = pb.value(static_cast<int>(t)).data();
    for (int64_t i = 0; i < pa.value(static_cast<int>(t)).numel(); ++i) {
      const double d = std::fabs(static_cast<double>(va[i]) - static_cast<double>(vb[i]));
      const double r = d / std::max(1.0, std::fabs(static_cast<double>(va[i])));
      if (!(d <= worst.absolute) || !(r <= worst.relative)) {  // NaN counts as the worst
        worst.absolute = std::isnan(d) ? INFINITY : std::max(worst.absolute, d);
        worst.relative = std::isnan(r) ? INFINITY : std::max(worst.relative, r);
        worst.where = what + " " + infos[t].name + "[" + std::to_string(i) + "]";
      }
    }
  }
  return worst;
}

trm::LoadedModel load(const std::string& path, trm::CheckpointWeights which) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return trm::load_model(in, path, which);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: weights_diff A B TOLERANCE\n");
    return 2;
  }
  try {
    const double tolerance = std::stod(argv[3]);
    Difference worst = compare(*load(argv[1], trm::CheckpointWeights::Training).model,
                               *load(argv[2], trm::CheckpointWeights::Training).model, "weights");
    const trm::LoadedModel a = load(argv[1], trm::CheckpointWeights::Evaluation);
    const trm::LoadedModel b = load(argv[2], trm::CheckpointWeights::Evaluation);
    if (a.averaged && b.averaged) {
      const Difference average = compare(*a.model, *b.model, "average");
      if (!(average.relative <= worst.relative)) worst = average;
    }
    std::printf("largest difference %.3g (relative %.3g) at %s; tolerance %.3g\n", worst.absolute, worst.relative,
                worst.where.empty() ? "none" : worst.where.c_str(), tolerance);
    return worst.relative <= tolerance ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weights_diff: %s\n", e.what());
    return 2;
  }
}
