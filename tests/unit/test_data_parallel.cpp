// Data-parallel training through train/communicator.h, without MPI: N ranks as N threads of this process, each
// with its own model and trainer, meeting in the collectives. N ranks on the same global batch must train the
// weights one process trains (to summation order), identical on every rank; an uneven split is refused; ranks
// whose weights differ are caught. (tests/cli/mpi.sh runs the same through mpirun.)
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "model/trm.h"
#include "sudoku/generator.h"
#include "train/communicator.h"
#include "train/trainer.h"
#include "test_support.h"

using namespace trm;

namespace {

// The meeting point of `size` ranks. Each collective waits for every rank's values, combines them in rank order
// (so every rank receives the same bits, as MPI's all-reduce must give) and hands the result back to all.
class ThreadGroup {
 public:
  explicit ThreadGroup(int size) : size_(size), inputs_(static_cast<size_t>(size)) {}
  int size() const { return size_; }

  void collective(int rank, std::vector<double>& values, bool maximum) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return !releasing_; });  // the previous collective has been handed out
    inputs_[static_cast<size_t>(rank)] = values;
    if (++arrived_ == size_) {
      result_ = inputs_[0];
      for (size_t r = 1; r < inputs_.size(); ++r)
        for (size_t i = 0; i < result_.size(); ++i)
          result_[i] = maximum ? std::max(result_[i], inputs_[r][i]) : result_[i] + inputs_[r][i];
      releasing_ = true;
      changed_.notify_all();
    } else {
      changed_.wait(lock, [&] { return releasing_; });
    }
    values = result_;
    if (--arrived_ == 0) {
      releasing_ = false;
      changed_.notify_all();
    }
  }

 private:
  int size_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::vector<double>> inputs_;
  std::vector<double> result_;
  int arrived_ = 0;
  bool releasing_ = false;
};

class ThreadRanks final : public Communicator {
 public:
  ThreadRanks(ThreadGroup& group, int rank) : group_(group), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return group_.size(); }
  void all_reduce_sum(float* values, int64_t n) override {
    std::vector<double> v(values, values + n);
    group_.collective(rank_, v, false);
    for (int64_t i = 0; i < n; ++i) values[i] = static_cast<float>(v[static_cast<size_t>(i)]);
  }
  void all_reduce_sum(double* values, int64_t n) override { reduce(values, n, false); }
  void all_reduce_max(double* values, int64_t n) override { reduce(values, n, true); }

 private:
  void reduce(double* values, int64_t n, bool maximum) {
    std::vector<double> v(values, values + n);
    group_.collective(rank_, v, maximum);
    std::copy(v.begin(), v.end(), values);
  }
  ThreadGroup& group_;
  int rank_;
};

std::vector<float> weights_of(const TRM& model) {
  return {model.parameters().values(), model.parameters().values() + model.parameters().size()};
}

float largest_difference(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  float worst = 0.0f;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
  return worst;
}

// Trains `config` from init seed 3 on `ranks` ranks (threads; 0: one process, no communicator) and returns every
// rank's final weights.
std::vector<std::vector<float>> train_on(int ranks, const TRMConfig& config, const sudoku::Dataset& data,
                                         TrainOptions options) {
  if (ranks == 0) {
    TRM model(config);
    model.init(3);
    Trainer trainer(model, data, nullptr, options);
    REQUIRE(trainer.run({}));
    return {weights_of(model)};
  }
  ThreadGroup group(ranks);
  std::vector<std::vector<float>> weights(static_cast<size_t>(ranks));
  std::vector<std::string> errors(static_cast<size_t>(ranks));
  std::vector<std::thread> threads;
  for (int r = 0; r < ranks; ++r) {
    threads.emplace_back([&, r] {
      try {
        ThreadRanks communicator(group, r);
        TrainOptions mine = options;
        mine.ranks = &communicator;
        TRM model(config);
        model.init(3);
        Trainer trainer(model, data, nullptr, mine);
        trainer.run({});
        weights[static_cast<size_t>(r)] = weights_of(model);
      } catch (const std::exception& e) {
        errors[static_cast<size_t>(r)] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& e : errors) REQUIRE(e.empty());
  return weights;
}

}  // namespace

// Summation order moves the weights a little, and AdamW amplifies it where a parameter's gradient almost cancels
// over the batch (it divides by the gradient's size): measured after 12 steps at lr 1e-3, 3e-8 to 1.8e-7 for cells
// and 2 ranks, up to 4.4e-6 for flat on 4 ranks (shards of 2). A real mistake (another shard, mask, order or
// normalisation) moves weights by a step's size, ~lr: the same training at a 0.5% higher learning rate must fail.
constexpr float kTolerance = 2e-5f;

TEST_CASE("N ranks train the weights one process trains on the same global batches", "[train][parallel]") {
  const sudoku::Dataset data = sudoku::generate(48, 1);
  for (const char* arch : {"cells", "flat"}) {
    TRMConfig config = trm_test::tiny_config(arch, 8, 1, 2, 2);
    config.O_layers = 1;
    config.dropout = 0.1f;          // masks drawn serially over the global batch: each shard skips the others'
    config.deep_supervision = true;
    config.ema_decay = 0.9f;
    config.batch_size = 8;
    config.epochs = 2;
    config.lr = 0.001f;
    TrainOptions options;
    options.seed = 5;
    options.augment = true;         // symmetries drawn in slot order over the global batch
    for (bool curriculum : {false, true}) {
      options.curriculum = curriculum;  // a per-step draw over the whole batch
      const std::vector<float> one = train_on(0, config, data, options)[0];
      TRMConfig faster = config;
      faster.lr *= 1.005f;
      CHECK(largest_difference(train_on(0, faster, data, options)[0], one) > kTolerance);  // the check can fail
      TRM untrained(config);
      untrained.init(3);
      const std::vector<float> initial = weights_of(untrained);
      for (int ranks : {2, 4}) {
        INFO(arch << ", " << ranks << " ranks" << (curriculum ? ", curriculum" : ""));
        const auto weights = train_on(ranks, config, data, options);
        for (const auto& w : weights) CHECK(w == weights[0]);  // identical on every rank, bit for bit
        CHECK(largest_difference(weights[0], one) < kTolerance);
        CHECK(largest_difference(weights[0], initial) > 5e-3f);  // it did train
      }
    }
  }
}

TEST_CASE("a global batch that does not split evenly over the ranks is refused", "[train][parallel]") {
  const sudoku::Dataset data = sudoku::generate(16, 1);
  TRMConfig config = trm_test::tiny_config("cells", 8, 1, 1, 1);
  config.batch_size = 8;
  TRM model(config);
  ThreadGroup group(3);
  ThreadRanks rank0(group, 0);
  TrainOptions options;
  options.ranks = &rank0;
  CHECK_THROWS_WITH(Trainer(model, data, nullptr, options),
                    Catch::Contains("global batch of 8 puzzles does not split evenly over 3 ranks"));
}

namespace {
// Two ranks where the other one is this one's mirror (same values), except that it may report another hash of the
// weights (the end-of-epoch check's 4-value maximum).
class MirrorRanks final : public Communicator {
 public:
  explicit MirrorRanks(bool other_weights) : other_weights_(other_weights) {}
  int rank() const override { return 0; }
  int size() const override { return 2; }
  void all_reduce_sum(float* values, int64_t n) override {
    for (int64_t i = 0; i < n; ++i) values[i] *= 2.0f;
  }
  void all_reduce_sum(double* values, int64_t n) override {
    for (int64_t i = 0; i < n; ++i) values[i] *= 2.0;
  }
  void all_reduce_max(double* values, int64_t n) override {
    if (other_weights_ && n == 4) values[0] += 1.0;
  }

 private:
  bool other_weights_;
};
}  // namespace

TEST_CASE("ranks whose weights differ stop the run at the epoch's end", "[train][parallel]") {
  const sudoku::Dataset data = sudoku::generate(16, 1);
  TRMConfig config = trm_test::tiny_config("cells", 8, 1, 1, 1);
  config.batch_size = 8;
  config.epochs = 1;
  for (bool differ : {false, true}) {
    TRM model(config);
    model.init(1);
    MirrorRanks ranks(differ);
    TrainOptions options;
    options.ranks = &ranks;
    Trainer trainer(model, data, nullptr, options);
    if (differ)
      CHECK_THROWS_WITH(trainer.run({}), Catch::Contains("epoch 1: the ranks' weights differ"));
    else
      CHECK(trainer.run({}));
  }
}

TEST_CASE("Rng::discard(n) leaves the state that n draws leave, stepping or by the jump matrices", "[rng][parallel]") {
  for (uint64_t n : {0ULL, 1ULL, 7ULL, 4095ULL, 4096ULL, 4097ULL, 65537ULL, 1234567ULL}) {
    INFO("n = " << n);
    Rng drawn(42), skipped(42);
    for (uint64_t i = 0; i < n; ++i) drawn.next_u64();
    skipped.discard(n);
    CHECK(skipped.state() == drawn.state());
    CHECK(skipped.next_u64() == drawn.next_u64());
  }
  // Skips add up: 3 x 10^6 then 2^40 equals 2^40 then 3 x 10^6 (the matrices commute as powers of one step).
  Rng a(7), b(7);
  a.discard(3000000);
  a.discard(uint64_t{1} << 40);
  b.discard(uint64_t{1} << 40);
  b.discard(3000000);
  CHECK(a.state() == b.state());
  CHECK(a.state() != Rng(7).state());
}
