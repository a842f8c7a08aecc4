#pragma once
// Training progress: a live bar redrawn in place on a terminal, and plain periodic log lines when
// stdout is a file or a pipe (CI logs, nohup), so logs stay readable.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace trm::cli {

class Progress {
 public:
  explicit Progress(double log_interval_seconds = 10.0);
  // To `out`, counting `unit`s ("step", "puzzle") at a rate of `rate_unit`s per second, silent for the first
  // `delay_seconds` (a short job shows no bar).
  Progress(double log_interval_seconds, std::FILE* out, std::string unit, std::string rate_unit, double delay_seconds);
  // step of total; `fields` is already formatted ("loss 1.23 acc 0.45").
  void update(int64_t step, int64_t total, int64_t samples_done, const std::string& prefix, const std::string& fields);
  // Ends the bar's line before other output.
  void finish_line();
  bool is_terminal() const { return terminal_; }

 private:
  std::FILE* out_;
  bool terminal_;
  double interval_;
  std::string unit_, rate_unit_;
  double delay_ = 0.0;
  std::chrono::steady_clock::time_point start_, last_print_;
  int64_t start_samples_ = -1;
  bool line_open_ = false;
};

std::string format_duration(double seconds);

}  // namespace trm::cli
