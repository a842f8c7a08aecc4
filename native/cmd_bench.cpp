// trm bench: training and inference speed against the reference implementations, in one table.
//
//   trm bench                     every workload, every implementation found, one table
//   trm bench --json              the rows as one JSON array of {"workload","impl","metric","value"}
//   trm bench --workload NAME     one workload (repeatable)
//
// Each native workload runs in a child process of its own (this binary, `bench --child`), so its
// peak RSS is that workload's alone. Peers run as child processes too: bench/pytorch_bench.py under
// Debian's python3-torch, bench/wasm_bench.js (the WebAssembly build under Node) and
// bench/tfjs/bench.js (TensorFlow.js, wasm backend; a benchmark-only npm install). A peer that is not
// installed is skipped with a message. All implementations run the same weights (written here, random
// init), the same batch and the same number of threads. Times are medians over repeated runs.
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
  std::vector<std::string> impls{"trm", "pytorch", "tfjs-wasm"};
  bool json = false, child = false, cpu_time = false;
  double seconds = 3.0;
  int threads = 0;  // 0: what OpenMP reports
  std::string bench_dir = "bench", wasm_bundle = "www/generated/trm.js";
  std::string python = "/usr/bin/python3";
  std::string table_from;  // print the table of rows saved by an earlier --json run
};

// ---------------------------------------------------------------------------------------------
// Workloads

struct Workload {
  std::string name;
  std::string model;  // "default", "small", "cells"
  bool train;
  int64_t batch;
  bool wasm = false;            // batch-1 inference of the WebAssembly build under Node
  bool single_thread = false;   // native, one thread (the yardstick for wasm)
  bool recompute = false;       // training with activation recomputation (activation checkpointing)
};

const std::vector<Workload>& workloads() {
  static const std::vector<Workload> all = {
      {"train-default-b64", "default", true, 64},
      {"train-small-b256", "small", true, 256},
      {"infer-default-b1", "default", false, 1},
      {"infer-small-b1", "small", false, 1},
      {"infer-default-b256", "default", false, 256},
      {"infer-small-b256", "small", false, 256},
      {"wasm-infer-default-b1", "default", false, 1, true},
      {"wasm-infer-small-b1", "small", false, 1, true},
      // Beyond the list: the native single-threaded yardstick for wasm, the shipped cell-wise model
      // (what users train), and activation recomputation (the "-ckpt" rows: activation checkpointing).
      {"infer-default-b1-1thread", "default", false, 1, false, true},
      {"infer-small-b1-1thread", "small", false, 1, false, true},
      {"train-cells-b32", "cells", true, 32},
      {"infer-cells-b1", "cells", false, 1},
      {"wasm-infer-cells-b1", "cells", false, 1, true},
      {"train-default-b64-ckpt", "default", true, 64, false, false, true},
      {"train-cells-b32-ckpt", "cells", true, 32, false, false, true},
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

// GEMM GFLOP/s a native workload achieved, from its measured throughput (samples/s) or latency (ms per batch of 1).
double achieved_gflops(const Workload& w, const std::string& metric, double value) {
  const double flops = forward_flops(model_config(w.model)) * (w.train ? 3.0 : 1.0);
  const double per_s = metric == "samples_per_s" ? value : 1e3 / value;
  return flops * per_s / 1e9;
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

Json row(const std::string& workload, const std::string& impl, const std::string& metric, double value) {
  return Json{{"workload", workload}, {"impl", impl}, {"metric", metric}, {"value", value}};
}

// One native workload in this process.
Json run_native(const Workload& w, double seconds) {
#ifdef _OPENMP
  if (w.single_thread) omp_set_num_threads(1);
#endif
  TRM model(model_config(w.model));
  model.set_recompute_activations(w.recompute);
  model.init(7);
  const std::vector<uint8_t> puzzles = random_digits(w.batch * 81, 1, 0, 9);
  Json rows = Json::array();
  if (w.train) {
    const std::vector<uint8_t> solutions = random_digits(w.batch * 81, 2, 1, 9);
    AdamWSettings settings;
    AdamW optimizer(model.parameters(), settings);
    Rng dropout_rng(3);
    const double t = time_median(
        [&] { train_step(model, optimizer, puzzles.data(), solutions.data(), w.batch, 1e-4f, dropout_rng); }, seconds);
    rows.push_back(row(w.name, "trm", "samples_per_s", static_cast<double>(w.batch) / t));
  } else {
    const double t = time_median([&] { (void)predict(model, puzzles.data(), w.batch); }, seconds, w.batch == 1 ? 20 : 3);
    if (w.batch == 1) rows.push_back(row(w.name, "trm", "latency_ms", t * 1e3));
    else rows.push_back(row(w.name, "trm", "samples_per_s", static_cast<double>(w.batch) / t));
  }
  rows.push_back(row(w.name, "trm", "peak_rss_mb", peak_rss_mb()));
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
// Child processes

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

// The last line of a child's output that parses as a JSON array (children may print other lines).
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

bool file_exists(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

std::string self_exe() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw std::runtime_error("bench: cannot find its own executable");
  return std::string(buf, static_cast<size_t>(n));
}

void note(const BenchArgs& a, const std::string& message) {
  std::fprintf(stderr, "bench: %s\n", message.c_str());
  (void)a;
}

// Writes random-init weights for each model the peers need, so every implementation runs the same numbers.
std::string write_weights(const std::string& dir, const std::string& model) {
  const std::string path = dir + "/weights-" + model + ".json";
  if (file_exists(path)) return path;
  TRM m(model_config(model));
  m.init(7);
  std::ofstream out(path);
  save_weights(out, m);
  if (!out) throw std::runtime_error("bench: cannot write " + path);
  return path;
}

bool has_impl(const BenchArgs& a, const std::string& impl) {
  return std::find(a.impls.begin(), a.impls.end(), impl) != a.impls.end();
}

Json run_all(const BenchArgs& a) {
  std::vector<const Workload*> selected;
  if (a.workloads.empty())
    for (const auto& w : workloads()) selected.push_back(&w);
  else
    for (const auto& name : a.workloads) selected.push_back(&find_workload(name));

  char tmpl[] = "/tmp/trm-bench-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("bench: cannot make a temporary folder");
  const std::string tmp = tmpl;
  const std::string secs = std::to_string(a.seconds);
  const std::string threads = std::to_string(a.threads);

  // Which peers are there.
  bool ok = false;
  const bool torch = has_impl(a, "pytorch") && file_exists(a.bench_dir + "/pytorch_bench.py") &&
                     (capture(shell_quote(a.python) + " -c 'import torch' 2>/dev/null", ok), ok);
  if (has_impl(a, "pytorch") && !torch)
    note(a, "pytorch: skipped (needs " + a.python + " with torch: scripts/install-deps.sh --torch)");
  const bool node = (capture("node --version 2>/dev/null", ok), ok);
  const bool wasm = has_impl(a, "trm") && node && file_exists(a.wasm_bundle);
  if (has_impl(a, "trm") && !wasm) note(a, "wasm: skipped (needs node and " + a.wasm_bundle + ")");
  const bool tfjs = has_impl(a, "tfjs-wasm") && node && file_exists(a.bench_dir + "/tfjs/node_modules/@tensorflow/tfjs-backend-wasm/package.json");
  if (has_impl(a, "tfjs-wasm") && !tfjs)
    note(a, "tfjs-wasm: skipped (needs node and `npm install` in " + a.bench_dir + "/tfjs)");

  Json rows = Json::array();
  auto append = [&](const Json& more, const std::string& what) {
    if (more.empty()) note(a, what + ": no result");
    for (const auto& r : more) rows.push_back(r);
  };
  for (const Workload* w : selected) {
    note(a, w->name + " ...");
    if (!w->wasm && has_impl(a, "trm")) {
      std::string cmd = shell_quote(self_exe()) + " bench --child --workload " + w->name + " --seconds " + secs;
      if (a.cpu_time) cmd += " --cpu-time";
      if (a.threads > 0) cmd = "OMP_NUM_THREADS=" + threads + " " + cmd;
      append(parse_rows(capture(cmd, ok)), w->name + " trm");
    }
    const bool peer_workload = !w->single_thread && !w->recompute;
    if (!w->wasm && torch && peer_workload) {
      std::string cmd = "OPENBLAS_CORETYPE=SkylakeX " + shell_quote(a.python) + " " +
                        shell_quote(a.bench_dir + "/pytorch_bench.py") + " --workload " + w->name + " --seconds " +
                        secs + " --threads " + std::to_string(a.threads > 0 ? a.threads : 2) + (a.cpu_time ? " --cpu-time" : "");
      append(parse_rows(capture(cmd, ok)), w->name + " pytorch");
    }
    if (w->wasm && (wasm || tfjs)) {
      const std::string weights = write_weights(tmp, w->model);
      if (wasm) {
        const std::string cmd = "NODE_PATH=/usr/share/nodejs node " + shell_quote(a.bench_dir + "/wasm_bench.js") +
                                " --bundle " + shell_quote(a.wasm_bundle) + " --weights " + shell_quote(weights) +
                                " --workload " + w->name + " --seconds " + secs;
        append(parse_rows(capture(cmd, ok)), w->name + " wasm");
      }
      if (tfjs && w->model != "cells") {  // the TF.js peer implements the flat model only
        const std::string cmd = "node " + shell_quote(a.bench_dir + "/tfjs/bench.js") + " --weights " +
                                shell_quote(weights) + " --workload " + w->name + " --seconds " + secs;
        append(parse_rows(capture(cmd, ok)), w->name + " tfjs-wasm");
      }
    }
  }
  for (const char* model : {"default", "small", "cells"}) std::remove((tmp + "/weights-" + model + ".json").c_str());
  rmdir(tmp.c_str());

  note(a, "sgemm peak ...");
  rows.push_back(row("sgemm-2048", "trm", "gflops", gemm_gflops(2048, 2048, 2048, a.seconds)));
  rows.push_back(row("sgemm-model-shapes", "trm", "gflops", model_shape_gflops(a.seconds)));
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The table

std::string fmt(double v) {
  char buf[32];
  if (v >= 100) std::snprintf(buf, sizeof buf, "%.0f", v);
  else if (v >= 10) std::snprintf(buf, sizeof buf, "%.1f", v);
  else std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

void print_table(const Json& rows) {
  std::map<std::string, std::map<std::string, double>> value;  // "workload|metric" -> impl -> value
  std::vector<std::string> order;
  double peak_model = 0, peak_2048 = 0;
  for (const auto& r : rows) {
    const std::string w = r["workload"], m = r["metric"], impl = r["impl"];
    if (m == "gflops") {
      (w == "sgemm-2048" ? peak_2048 : peak_model) = r["value"];
      continue;
    }
    const std::string key = w + "|" + m;
    if (!value.count(key)) order.push_back(key);
    value[key][impl] = r["value"];
  }
  std::printf("| workload | metric | trm | pytorch | tfjs-wasm | trm vs peer | trm GFLOP/s | of sgemm peak |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const auto& key : order) {
    const std::string w = key.substr(0, key.find('|')), m = key.substr(key.find('|') + 1);
    auto& v = value[key];
    auto cell = [&](const char* impl) { return v.count(impl) ? fmt(v[impl]) : std::string("-"); };
    std::string ratio = "-";
    for (const char* peer : {"pytorch", "tfjs-wasm"}) {
      if (!v.count("trm") || !v.count(peer) || v[peer] <= 0 || v["trm"] <= 0) continue;
      // Always "how many times better": throughput trm/peer, latency and memory peer/trm.
      const double r = m == "samples_per_s" ? v["trm"] / v[peer] : v[peer] / v["trm"];
      ratio = fmt(r) + "x" + (std::string(peer) == "tfjs-wasm" ? " (tfjs)" : "");
    }
    std::string gflops = "-", share = "-";
    const Workload* wl = nullptr;
    for (const auto& x : workloads())
      if (x.name == w) wl = &x;
    if (wl && !wl->wasm && v.count("trm") && m != "peak_rss_mb") {
      const double g = achieved_gflops(*wl, m, v["trm"]);
      gflops = fmt(g);
      if (peak_model > 0) share = fmt(100.0 * g / peak_model) + "%";
    }
    std::printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", w.c_str(), m.c_str(), cell("trm").c_str(),
                cell("pytorch").c_str(), cell("tfjs-wasm").c_str(), ratio.c_str(), gflops.c_str(), share.c_str());
  }
  std::printf("\nsgemm peak (Eigen, %d threads): model shapes (64x512x2048 block, train GEMMs) %s GFLOP/s, 2048^3 %s GFLOP/s\n",
#ifdef _OPENMP
              omp_get_max_threads(),
#else
              1,
#endif
              fmt(peak_model).c_str(), fmt(peak_2048).c_str());
  std::printf("trm vs peer: throughput trm/peer; latency and memory peer/trm (above 1: trm is better)\n");
  auto get = [&](const std::string& w, const std::string& m, const char* impl) {
    auto it = value.find(w + "|" + m);
    return it != value.end() && it->second.count(impl) ? it->second[impl] : 0.0;
  };
  for (const char* model : {"default", "small", "cells"}) {
    const double wasm = get(std::string("wasm-infer-") + model + "-b1", "latency_ms", "trm");
    double one = get(std::string("infer-") + model + "-b1-1thread", "latency_ms", "trm");
    if (one <= 0 && std::string(model) == "cells") one = get("infer-cells-b1", "latency_ms", "trm");  // one thread at batch 1
    if (wasm > 0 && one > 0)
      std::printf("wasm vs native single-threaded, %s batch 1: %s ms / %s ms = %sx\n", model, fmt(wasm).c_str(),
                  fmt(one).c_str(), fmt(wasm / one).c_str());
  }
  for (const char* w : {"train-default-b64", "train-cells-b32"}) {
    const std::string c = std::string(w) + "-ckpt";
    const double rss = get(w, "peak_rss_mb", "trm"), rss_c = get(c, "peak_rss_mb", "trm");
    const double sps = get(w, "samples_per_s", "trm"), sps_c = get(c, "samples_per_s", "trm");
    if (rss > 0 && rss_c > 0 && sps > 0 && sps_c > 0)
      std::printf("activation checkpointing, %s: peak RSS %s -> %s MB (%sx less), time per step +%s%%\n", w,
                  fmt(rss).c_str(), fmt(rss_c).c_str(), fmt(rss / rss_c).c_str(), fmt(100.0 * (sps / sps_c - 1.0)).c_str());
  }

  // Issue 5's targets, each from the rows above; a target whose rows were not measured is left out.
  static const double kUnknown = std::nan("");
  struct Target {
    std::string what;
    double measured;  // NaN: not measured
    int goal;
    bool at_least;    // measured >= goal (else measured <= goal)
    std::string unit;
  };
  auto better = [&](const std::string& w, const std::string& m, const char* peer) {
    const double ours = get(w, m, "trm"), theirs = get(w, m, peer);
    if (ours <= 0 || theirs <= 0) return kUnknown;
    return m == "samples_per_s" ? ours / theirs : theirs / ours;
  };
  auto quotient = [](double a, double b) { return a > 0 && b > 0 ? a / b : kUnknown; };
  const double ckpt_rss = quotient(get("train-default-b64", "peak_rss_mb", "trm"),
                                   get("train-default-b64-ckpt", "peak_rss_mb", "trm"));
  const double ckpt_time = quotient(get("train-default-b64", "samples_per_s", "trm"),
                                    get("train-default-b64-ckpt", "samples_per_s", "trm"));
  const double train_default_sps = get("train-default-b64", "samples_per_s", "trm");
  const double train_share =
      peak_model > 0 && train_default_sps > 0
          ? 100.0 * achieved_gflops(find_workload("train-default-b64"), "samples_per_s", train_default_sps) / peak_model
          : kUnknown;
  const std::vector<Target> targets = {
      {"training throughput vs PyTorch, default b64", better("train-default-b64", "samples_per_s", "pytorch"), 2, true, "x"},
      {"training throughput vs PyTorch, small b256", better("train-small-b256", "samples_per_s", "pytorch"), 2, true, "x"},
      {"training at the default config, of sgemm's rate on the model's shapes", train_share, 70, true, "%"},
      {"training peak RSS, PyTorch's / ours, default b64", better("train-default-b64", "peak_rss_mb", "pytorch"), 1, true, "x"},
      {"training peak RSS, PyTorch's / ours, small b256", better("train-small-b256", "peak_rss_mb", "pytorch"), 1, true, "x"},
      {"activation checkpointing, default b64: peak RSS cut", ckpt_rss, 4, true, "x"},
      {"activation checkpointing, default b64: extra time per step", 100.0 * (ckpt_time - 1.0), 40, false, "%"},
      {"batch-1 inference vs PyTorch, default", better("infer-default-b1", "latency_ms", "pytorch"), 3, true, "x"},
      {"batch-1 inference vs PyTorch, small", better("infer-small-b1", "latency_ms", "pytorch"), 3, true, "x"},
      {"wasm batch-1 vs TF.js-wasm, small", better("wasm-infer-small-b1", "latency_ms", "tfjs-wasm"), 2, true, "x"},
      {"wasm batch-1 vs TF.js-wasm, default", better("wasm-infer-default-b1", "latency_ms", "tfjs-wasm"), 1, true, "x"},
      {"wasm / native single-threaded, default batch 1",
       quotient(get("wasm-infer-default-b1", "latency_ms", "trm"), get("infer-default-b1-1thread", "latency_ms", "trm")),
       3, false, "x"},
      {"wasm / native single-threaded, small batch 1",
       quotient(get("wasm-infer-small-b1", "latency_ms", "trm"), get("infer-small-b1-1thread", "latency_ms", "trm")), 3,
       false, "x"},
  };
  bool header = false;
  for (const Target& t : targets) {
    if (std::isnan(t.measured)) continue;
    if (!header) {
      std::printf("\n| target (issue 5) | measured | goal | verdict |\n|---|---|---|---|\n");
      header = true;
    }
    const bool met = t.at_least ? t.measured >= t.goal : t.measured <= t.goal;
    const std::string goal = (t.at_least ? ">= " : "<= ") + std::to_string(t.goal) + t.unit;
    const std::string verdict =
        met ? "met" : "missed by " + fmt(std::abs(t.measured - t.goal)) + (t.unit == "%" ? " points" : "x");
    std::printf("| %s | %s%s | %s | %s |\n", t.what.c_str(), fmt(t.measured).c_str(), t.unit.c_str(), goal.c_str(),
                verdict.c_str());
  }
}

void run_bench(const BenchArgs& a) {
  g_cpu_time = a.cpu_time;
  if (!a.table_from.empty()) {
    std::ifstream in(a.table_from);
    if (!in) throw InputError(a.table_from + ": cannot read");
    const Json rows = parse_json(in, a.table_from);
    // Rows of another shape are the file's fault: say which file and what a row must hold (nlohmann's own
    // type_error names neither).
    const auto bad_row = [&](const std::string& why) {
      return InputError(a.table_from + ": " + why + " (expected the array of {\"workload\", \"impl\", \"metric\", \"value\"} rows "
                        "that bench --json prints)");
    };
    if (!rows.is_array()) throw bad_row("not an array of rows");
    for (size_t i = 0; i < rows.size(); ++i) {
      const Json& r = rows[i];
      const std::string row = "row " + std::to_string(i + 1);
      if (!r.is_object()) throw bad_row(row + " is not an object");
      for (const char* key : {"workload", "impl", "metric"})
        if (!r.contains(key) || !r[key].is_string()) throw bad_row(row + ": \"" + key + "\" is missing or not a string");
      if (!r.contains("value") || !r["value"].is_number()) throw bad_row(row + ": \"value\" is missing or not a number");
    }
    print_table(rows);
    return;
  }
  if (a.child) {
    if (a.workloads.size() != 1) throw InputError("bench --child runs one --workload");
    std::printf("%s\n", run_native(find_workload(a.workloads[0]), a.seconds).dump().c_str());
    return;
  }
  for (const auto& w : a.workloads) find_workload(w);  // fail before running anything
  for (const auto& impl : a.impls)
    if (impl != "trm" && impl != "pytorch" && impl != "tfjs-wasm")
      throw InputError("unknown --impl \"" + impl + "\" (implementations: trm, pytorch, tfjs-wasm)");
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
  CLI::App* cmd = app.add_subcommand("bench", "Measure training and inference speed against PyTorch and TensorFlow.js");
  cmd->add_option("--workload", args->workloads, "Run only this workload (repeatable)");
  cmd->add_option("--impl", args->impls, "Implementations to run: trm, pytorch, tfjs-wasm (default all)");
  cmd->add_flag("--json", args->json, "Print the rows as one JSON array");
  cmd->add_option("--seconds", args->seconds, "Minimum timed seconds per workload and implementation")
      ->check(positive_flag());
  cmd->add_option("--threads", args->threads, "Threads for every implementation (default: OpenMP's, PyTorch 2)")
      ->check(count_flag("leave --threads out for OpenMP's default"));
  cmd->add_option("--bench-dir", args->bench_dir, "Folder of the peer benchmark scripts");
  cmd->add_option("--wasm", args->wasm_bundle, "WebAssembly bundle to run under Node");
  cmd->add_option("--python", args->python, "Python with torch for the PyTorch reference");
  cmd->add_option("--table-from", args->table_from, "Print the table of rows saved by an earlier --json run (no runs)");
  cmd->add_flag("--cpu-time", args->cpu_time, "Time by process CPU time (for single-threaded A/B runs on a busy machine)")
      ->group("");
  cmd->add_flag("--child", args->child, "Run one native workload in this process (used by bench itself)")->group("");
  cmd->callback([args] { run_bench(*args); });
}

}  // namespace trm::cli
