// trm bench: training and inference speed and memory of this implementation, native (the peers are bench/'s).
//
//   trm bench                     every workload, one table of our own rows
//   trm bench --json              the rows as one JSON array of {"workload","impl","metric","value"}
//   trm bench --workload NAME     one workload (repeatable)
//   trm bench --precision bf16    bf16 matrix products (rows under impl "trm-bf16")
//
// Only our native build is measured here. PyTorch and TensorFlow.js, and our WebAssembly build (ours, but it runs
// under Node: the product binary does not spawn interpreters), are measured by bench/'s scripts, which write rows
// of the same shape; bench/run.sh runs them all, interleaved, and joins the rows into docs/performance.md's table.
// `--write-weights DIR` writes the random-init weights every implementation runs, so they all compute the same
// numbers. Each workload runs in a child process of its own (this binary, `bench --child`), so its peak RSS is that
// workload's alone. Times are medians over repeated runs. No goals live here: the table and its ratios are
// bench/'s.
#include <sys/resource.h>
#include <unistd.h>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "autodiff/tensor.h"
#include "commands.h"
#include "common.h"
#include "io/weights_json.h"
#include "model/inference.h"
#include "model/trm.h"
#include "ops/ops.h"
#include "optim/adamw.h"
#include "train/train_step.h"
#include "util/error.h"
#include "util/rng.h"

namespace trm::cli {

namespace {
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct BenchArgs {
  std::vector<std::string> workloads;
  bool json = false, child = false, cpu_time = false, list = false;
  double seconds = 3.0;
  int threads = 0;  // 0: what OpenMP reports
  std::string precision = "fp32";
  std::string write_weights;  // folder for weights-{default,small,cells}.json (the peers' weights), no runs
};

// ---------------------------------------------------------------------------------------------
// Workloads

struct Workload {
  std::string name;
  std::string model;  // "default", "small", "cells"; "" for the sgemm rows
  bool train;
  int64_t batch;
  bool single_thread = false;   // native, one thread (the yardstick for the wasm build)
  bool recompute = false;       // training with activation recomputation (activation checkpointing)
};

// The workloads measured here. bench/run.sh adds wasm-infer-{default,small,cells}-b1 (our WebAssembly build under
// Node, bench/wasm_bench.js) and runs the peers on the workloads they implement.
const std::vector<Workload>& workloads() {
  static const std::vector<Workload> all = {
      {"train-default-b64", "default", true, 64},
      {"train-small-b256", "small", true, 256},
      {"train-cells-b32", "cells", true, 32},
      {"infer-default-b1", "default", false, 1},
      {"infer-small-b1", "small", false, 1},
      {"infer-cells-b1", "cells", false, 1},
      {"infer-default-b256", "default", false, 256},
      {"infer-small-b256", "small", false, 256},
      {"infer-default-b1-1thread", "default", false, 1, true},
      {"infer-small-b1-1thread", "small", false, 1, true},
      {"infer-cells-b1-1thread", "cells", false, 1, true},
      {"train-default-b64-ckpt", "default", true, 64, false, true},
      {"train-cells-b32-ckpt", "cells", true, 32, false, true},
      // The GEMM kernels alone, for the "of sgemm peak" column: 2048^3, and the six GEMMs of one MLP block's
      // training step at the default config (batch 64, d=512).
      {"sgemm-2048", "", false, 0},
      {"sgemm-model-shapes", "", false, 0},
  };
  return all;
}

const Workload& find_workload(const std::string& name) {
  for (const auto& w : workloads())
    if (w.name == name) return w;
  std::string names;
  for (const auto& w : workloads()) names += (names.empty() ? "" : ", ") + w.name;
  throw InputError("unknown workload '" + name + "' (workloads: " + names + ")");
}

// The configs: default = the reference (flat, d=512, L_layers 3, L_cycles 8, H_cycles 4, dropout 0.1),
// small = flat d=128, L_layers 2, L_cycles 4, H_cycles 2, dropout 0; cells = recipes/shipped/stage1.json.
TRMConfig model_config(const std::string& model) {
  TRMConfig c;
  if (model == "small") {
    c.hidden_dim = 128, c.L_layers = 2, c.L_cycles = 4, c.H_cycles = 2, c.dropout = 0.0f;
  } else if (model == "cells") {
    c.arch = "cells", c.hidden_dim = 64, c.L_layers = 2, c.L_cycles = 4, c.H_cycles = 4, c.dropout = 0.0f;
    c.deep_supervision = true;
  }
  return c;
}

// Multiply-add FLOPs (2 per MAC) of the GEMMs of one forward pass, per puzzle. Training counts 3x
// (forward, and the two GEMMs of each backward).
double forward_flops(const TRMConfig& c) {
  const double d = c.hidden_dim;
  const double blocks = static_cast<double>(c.H_cycles) * (c.L_cycles * c.L_layers + c.O_layers);
  if (c.arch == "cells") {
    const double per_cell_block = 2.0 * (3 * d * d + 8 * d * d);
    const double heads = (c.deep_supervision ? c.H_cycles : 1) * 2.0 * d * 9;
    return 81.0 * (blocks * per_cell_block + heads);
  }
  return blocks * 2.0 * 8 * d * d + 2.0 * 810 * d + 2.0 * d * 729;
}

std::vector<uint8_t> random_digits(int64_t count, uint64_t seed, int lo, int hi) {
  Rng rng(seed);
  std::vector<uint8_t> out(static_cast<size_t>(count));
  for (auto& v : out) v = static_cast<uint8_t>(lo + static_cast<int>(rng.next_u64() % static_cast<uint64_t>(hi - lo + 1)));
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Process CPU time instead of wall time (`--cpu-time`): for comparing kernels single-threaded on a busy machine.
bool g_cpu_time = false;

double now_seconds() {
  if (g_cpu_time) {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  }
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

// Runs `body` once to warm up, then repeatedly for at least `seconds` (and 3 times); median seconds per run.
double time_median(const std::function<void()>& body, double seconds, int min_runs = 3) {
  body();
  std::vector<double> times;
  const auto start = Clock::now();
  while (static_cast<int>(times.size()) < min_runs ||
         std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
    const double t0 = now_seconds();
    body();
    times.push_back(now_seconds() - t0);
    if (times.size() >= 100000) break;
  }
  return median(times);
}

double peak_rss_mb() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

std::string g_impl = "trm";  // "trm-bf16" with --precision bf16

Json row(const std::string& workload, const std::string& metric, double value) {
  return Json{{"workload", workload}, {"impl", g_impl}, {"metric", metric}, {"value", value}};
}

double gemm_gflops(int64_t m, int64_t k, int64_t n, double seconds);
double model_shape_gflops(double seconds);

// One native workload in this process: its speed, the GEMM rate that speed means, and its peak RSS.
Json run_native(const Workload& w, double seconds) {
  Json rows = Json::array();
  if (w.name == "sgemm-2048") return Json::array({row(w.name, "gflops", gemm_gflops(2048, 2048, 2048, seconds))});
  if (w.name == "sgemm-model-shapes") return Json::array({row(w.name, "gflops", model_shape_gflops(seconds))});
#ifdef _OPENMP
  if (w.single_thread) omp_set_num_threads(1);
#endif
  TRM model(model_config(w.model));
  model.set_recompute_activations(w.recompute);
  model.init(7);
  const std::vector<uint8_t> puzzles = random_digits(w.batch * 81, 1, 0, 9);
  double per_s = 0;  // samples (or batch-1 runs) per second
  if (w.train) {
    const std::vector<uint8_t> solutions = random_digits(w.batch * 81, 2, 1, 9);
    AdamWSettings settings;
    AdamW optimizer(model.parameters(), settings);
    Rng dropout_rng(3);
    const double t = time_median(
        [&] { train_step(model, optimizer, puzzles.data(), solutions.data(), w.batch, 1e-4f, dropout_rng); }, seconds);
    per_s = static_cast<double>(w.batch) / t;
    rows.push_back(row(w.name, "samples_per_s", per_s));
  } else {
    const double t = time_median([&] { (void)predict(model, puzzles.data(), w.batch); }, seconds, w.batch == 1 ? 20 : 3);
    per_s = static_cast<double>(w.batch) / t;
    if (w.batch == 1) rows.push_back(row(w.name, "latency_ms", t * 1e3));
    else rows.push_back(row(w.name, "samples_per_s", per_s));
  }
  const double flops = forward_flops(model_config(w.model)) * (w.train ? 3.0 : 1.0);
  rows.push_back(row(w.name, "gflops", flops * per_s / 1e9));
  rows.push_back(row(w.name, "peak_rss_mb", peak_rss_mb()));
  return rows;
}

// ---------------------------------------------------------------------------------------------
// sgemm peak: Eigen's GEMM (what the model runs on) on both cores.

Tensor random_tensor(const Shape& shape, uint64_t seed) {
  Rng rng(seed);
  Tensor t = Tensor::empty(shape);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = rng.uniform(-1.0f, 1.0f);
  return t;
}

// out[m, n] = a[m, k] b[n, k]^T, through the ops' own threaded GEMM.
double gemm_gflops(int64_t m, int64_t k, int64_t n, double seconds) {
  Tensor a = random_tensor(Shape{m, k}, 1), b = random_tensor(Shape{n, k}, 2), c = Tensor::empty(Shape{m, n});
  const double t = time_median([&] { gemm_xwt(c, a, b); }, seconds);
  return 2.0 * static_cast<double>(m) * k * n / t / 1e9;
}

// The six GEMMs of one MLP block's training step at the default config (batch 64, d=512), as the ops run them:
// forward x W1^T, h W2^T; backward dY W2, dY^T h, dH W1, dH^T x. Their summed FLOPs over their summed time.
double model_shape_gflops(double seconds) {
  const int64_t b = 64, d = 512, f = 2048;
  Tensor x = random_tensor(Shape{b, d}, 1), w1 = random_tensor(Shape{f, d}, 2), h = random_tensor(Shape{b, f}, 3);
  Tensor w2 = random_tensor(Shape{d, f}, 4), dy = random_tensor(Shape{b, d}, 5), dh = random_tensor(Shape{b, f}, 6);
  Tensor out1 = Tensor::empty(Shape{b, f}), out2 = Tensor::empty(Shape{b, d}), dhh = Tensor::zeros(Shape{b, f});
  Tensor dx = Tensor::zeros(Shape{b, d}), dw1 = Tensor::zeros(Shape{f, d}), dw2 = Tensor::zeros(Shape{d, f});
  const double t = time_median(
      [&] {
        gemm_xwt(out1, x, w1);
        gemm_xwt(out2, h, w2);
        gemm_dx(dhh, dy, w2);
        gemm_dw(dw2, dy, h);
        gemm_dx(dx, dh, w1);
        gemm_dw(dw1, dh, x);
      },
      seconds);
  return 6.0 * 2.0 * static_cast<double>(b) * d * f / t / 1e9;
}

// ---------------------------------------------------------------------------------------------
// Child processes (this binary, one per workload)

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a command; returns its stdout (stderr passes through). Sets ok false on a non-zero exit.
std::string capture(const std::string& command, bool& ok) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) {
    ok = false;
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  ok = pclose(pipe) == 0;
  return out;
}

// The last line of a child's output that parses as a JSON array.
Json parse_rows(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  Json rows = Json::array();
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '[') continue;
    try {
      rows = Json::parse(line);
    } catch (const Json::exception&) {
    }
  }
  return rows;
}

std::string self_exe() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw std::runtime_error("bench: cannot find its own executable");
  return std::string(buf, static_cast<size_t>(n));
}

// Writes the random-init weights of each model (what every implementation runs) as DIR/weights-MODEL.json.
void write_weights(const std::string& dir) {
  for (const char* model : {"default", "small", "cells"}) {
    const std::string path = dir + "/weights-" + model + ".json";
    TRM m(model_config(model));
    m.init(7);
    std::ofstream out(path);
    if (out) save_weights(out, m);
    if (!out) throw InputError(path + ": cannot write");
    std::fprintf(stderr, "bench: wrote %s\n", path.c_str());
  }
}

Json run_all(const BenchArgs& a) {
  std::vector<const Workload*> selected;
  if (a.workloads.empty())
    for (const auto& w : workloads()) selected.push_back(&w);
  else
    for (const auto& name : a.workloads) selected.push_back(&find_workload(name));
  Json rows = Json::array();
  for (const Workload* w : selected) {
    std::fprintf(stderr, "bench: %s (%s) ...\n", w->name.c_str(), g_impl.c_str());
    std::string cmd = shell_quote(self_exe()) + " bench --child --workload " + w->name + " --seconds " +
                      std::to_string(a.seconds) + " --precision " + a.precision;
    if (a.cpu_time) cmd += " --cpu-time";
    if (a.threads > 0) cmd = "OMP_NUM_THREADS=" + std::to_string(a.threads) + " " + cmd;
    bool ok = false;
    const Json more = parse_rows(capture(cmd, ok));
    if (!ok || more.empty()) throw std::runtime_error("bench: workload " + w->name + " failed (its message is above)");
    for (const auto& r : more) rows.push_back(r);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Our rows as a table (bench/run.sh prints the table with the peers and the ratios)

std::string fmt(double v) {
  char buf[32];
  if (v >= 100) std::snprintf(buf, sizeof buf, "%.0f", v);
  else if (v >= 10) std::snprintf(buf, sizeof buf, "%.1f", v);
  else std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

void print_table(const Json& rows) {
  std::printf("| workload | impl | metric | value |\n|---|---|---|---:|\n");
  for (const auto& r : rows)
    std::printf("| %s | %s | %s | %s |\n", r["workload"].get<std::string>().c_str(), r["impl"].get<std::string>().c_str(),
                r["metric"].get<std::string>().c_str(), fmt(r["value"].get<double>()).c_str());
}

void run_bench(const BenchArgs& a) {
  g_cpu_time = a.cpu_time;
  if (a.list) {
    for (const auto& w : workloads()) std::printf("%s\n", w.name.c_str());
    return;
  }
  if (!a.write_weights.empty()) {
    write_weights(a.write_weights);
    return;
  }
  for (const auto& w : a.workloads) find_workload(w);  // fail before running anything
  apply_precision(a.precision);
  g_impl = a.precision == "fp32" ? "trm" : "trm-" + a.precision;
  if (a.child) {
    if (a.workloads.size() != 1) throw InputError("bench --child runs one --workload");
    std::printf("%s\n", run_native(find_workload(a.workloads[0]), a.seconds).dump().c_str());
    return;
  }
#ifdef _OPENMP
  if (a.threads > 0) omp_set_num_threads(a.threads);
#endif
  const Json rows = run_all(a);
  if (a.json) std::printf("%s\n", rows.dump().c_str());
  else print_table(rows);
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand("bench", "Measure this implementation's training and inference speed and memory");
  cmd->add_option("--workload", args->workloads, "Run only this workload (repeatable; --list names them)");
  cmd->add_flag("--list", args->list, "Print the workload names and stop");
  cmd->add_flag("--json", args->json, "Print the rows as one JSON array");
  cmd->add_option("--seconds", args->seconds, "Minimum timed seconds per workload")->check(positive_flag());
  cmd->add_option("--threads", args->threads, "Threads (default: OpenMP's)")
      ->check(count_flag("leave --threads out for OpenMP's default"));
  add_precision_flag(cmd, args->precision);
  cmd->add_option("--write-weights", args->write_weights,
                  "Write the benchmark's random-init weights (weights-{default,small,cells}.json) into this folder, for "
                  "bench/'s peers, and stop");
  cmd->add_flag("--cpu-time", args->cpu_time, "Time by process CPU time (for single-threaded A/B runs on a busy machine)")
      ->group("");
  cmd->add_flag("--child", args->child, "Run one workload in this process (used by bench itself)")->group("");
  cmd->callback([args] { run_bench(*args); });
}

}  // namespace trm::cli
