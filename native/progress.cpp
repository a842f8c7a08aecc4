#include "progress.h"

#include <unistd.h>

#include <cstdio>
#include <utility>

namespace trm::cli {

Progress::Progress(double log_interval_seconds) : Progress(log_interval_seconds, stdout, "step", "samples/s", 0.0) {}

Progress::Progress(double log_interval_seconds, std::FILE* out, std::string unit, std::string rate_unit, double delay_seconds)
    : out_(out),
      terminal_(::isatty(::fileno(out)) != 0),
      interval_(log_interval_seconds),
      unit_(std::move(unit)),
      rate_unit_(std::move(rate_unit)),
      delay_(delay_seconds),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

std::string format_duration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "--";
  const auto s = static_cast<int64_t>(seconds + 0.5);
  char text[32];
  if (s >= 3600) {
    std::snprintf(text, sizeof text, "%lldh%02lldm", static_cast<long long>(s / 3600), static_cast<long long>(s / 60 % 60));
  } else if (s >= 60) {
    std::snprintf(text, sizeof text, "%lldm%02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  } else {
    std::snprintf(text, sizeof text, "%llds", static_cast<long long>(s));
  }
  return text;
}

void Progress::update(int64_t step, int64_t total, int64_t samples_done, const std::string& prefix, const std::string& fields) {
  const auto now = std::chrono::steady_clock::now();
  if (start_samples_ < 0) {
    start_samples_ = samples_done;
    start_ = now;
  }
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double since_print = std::chrono::duration<double>(now - last_print_).count();
  const bool last = step >= total;
  if (elapsed < delay_ && !line_open_) return;
  if (terminal_ ? (since_print < 0.1 && !last) : (since_print < interval_ && !last)) return;
  last_print_ = now;
  const double rate = elapsed > 0 ? static_cast<double>(samples_done - start_samples_) / elapsed : 0.0;
  const double fraction = total > 0 ? static_cast<double>(step) / static_cast<double>(total) : 1.0;
  const double eta = fraction > 0 && elapsed > 0 ? elapsed * (1.0 - fraction) / fraction : -1.0;
  char stats[160];
  std::snprintf(stats, sizeof stats, "%s %lld/%lld  %s  %.*f %s  ETA %s", unit_.c_str(), static_cast<long long>(step),
                static_cast<long long>(total), fields.c_str(), rate < 10 ? 1 : 0, rate, rate_unit_.c_str(),
                format_duration(eta).c_str());
  if (terminal_) {
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<size_t>(filled), '#');
    bar += std::string(static_cast<size_t>(kWidth - filled), '.');
    std::fprintf(out_, "\r\033[2K%s [%s] %s", prefix.c_str(), bar.c_str(), stats);
    line_open_ = true;
    if (last) finish_line();
  } else {
    std::fprintf(out_, "%s %s\n", prefix.c_str(), stats);
  }
  std::fflush(out_);
}

void Progress::finish_line() {
  if (line_open_) {
    std::fprintf(out_, "\n");
    std::fflush(out_);
    line_open_ = false;
  }
}

}  // namespace trm::cli
