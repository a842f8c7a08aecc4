#include "report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace trm::cli {

namespace {
using Json = nlohmann::json;

struct Series {
  std::string label, colour;
  std::vector<std::pair<double, double>> points;
};

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", v);
  return text;
}

// A line chart with axes, ticks and a legend; y from 0 when `from_zero`.
std::string line_chart(const std::string& title, const std::string& x_label, const std::vector<Series>& series, bool from_zero) {
  const double w = 560, h = 260, left = 56, right = 16, top = 28, bottom = 40;
  double x0 = 1e300, x1 = -1e300, y0 = from_zero ? 0.0 : 1e300, y1 = -1e300;
  for (const auto& s : series)
    for (const auto& [x, y] : s.points) {
      x0 = std::min(x0, x), x1 = std::max(x1, x);
      y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
  std::ostringstream svg;
  svg << "<figure><svg viewBox='0 0 " << w << ' ' << h << "' role='img' aria-label='" << escape(title) << "'>";
  svg << "<text x='" << left << "' y='18' class='title'>" << escape(title) << "</text>";
  if (x1 < x0) {
    svg << "<text x='" << w / 2 << "' y='" << h / 2 << "' text-anchor='middle'>no data yet</text></svg></figure>";
    return svg.str();
  }
  if (x1 == x0) x1 = x0 + 1;
  if (y1 <= y0) y1 = y0 + 1;
  auto px = [&](double x) { return left + (x - x0) / (x1 - x0) * (w - left - right); };
  auto py = [&](double y) { return h - bottom - (y - y0) / (y1 - y0) * (h - top - bottom); };
  svg << "<line x1='" << left << "' y1='" << h - bottom << "' x2='" << w - right << "' y2='" << h - bottom << "' class='axis'/>";
  svg << "<line x1='" << left << "' y1='" << top << "' x2='" << left << "' y2='" << h - bottom << "' class='axis'/>";
  for (int i = 0; i <= 4; ++i) {
    const double y = y0 + (y1 - y0) * i / 4.0, x = x0 + (x1 - x0) * i / 4.0;
    svg << "<text x='" << left - 6 << "' y='" << py(y) + 4 << "' text-anchor='end'>" << number(y) << "</text>";
    svg << "<line x1='" << left << "' y1='" << py(y) << "' x2='" << w - right << "' y2='" << py(y) << "' class='grid'/>";
    svg << "<text x='" << px(x) << "' y='" << h - bottom + 16 << "' text-anchor='middle'>" << number(x) << "</text>";
  }
  svg << "<text x='" << (left + w - right) / 2 << "' y='" << h - 6 << "' text-anchor='middle'>" << escape(x_label) << "</text>";
  double legend_x = left + 8;
  for (const auto& s : series) {
    svg << "<polyline fill='none' stroke='" << s.colour << "' stroke-width='1.8' points='";
    for (const auto& [x, y] : s.points) svg << number(px(x)) << ',' << number(py(y)) << ' ';
    svg << "'/>";
    if (s.points.size() == 1)
      svg << "<circle cx='" << px(s.points[0].first) << "' cy='" << py(s.points[0].second) << "' r='3' fill='" << s.colour << "'/>";
    svg << "<rect x='" << legend_x << "' y='" << top + 2 << "' width='10' height='10' fill='" << s.colour << "'/>";
    svg << "<text x='" << legend_x + 14 << "' y='" << top + 11 << "'>" << escape(s.label) << "</text>";
    legend_x += 24 + 7.0 * static_cast<double>(s.label.size());
  }
  svg << "</svg></figure>";
  return svg.str();
}

}  // namespace

std::string render_report(const std::vector<Json>& metrics, const Json& run) {
  Series train_loss{"train loss", "#2563eb", {}}, val_loss{"validation loss", "#dc2626", {}};
  Series val_blank{"blank cells", "#16a34a", {}}, val_exact{"whole puzzles", "#9333ea", {}};
  Json last_epoch;
  for (const auto& m : metrics) {
    const std::string type = m.value("type", "");
    if (type == "step") train_loss.points.emplace_back(m.value("step", 0.0), m.value("loss", 0.0));
    if (type == "epoch") {
      if (m.contains("val_loss")) {
        val_loss.points.emplace_back(m.value("step", 0.0), m.value("val_loss", 0.0));
        val_blank.points.emplace_back(m.value("epoch", 0.0), m.value("val_blank_accuracy", 0.0));
        val_exact.points.emplace_back(m.value("epoch", 0.0), m.value("val_puzzle_accuracy", 0.0));
      }
      last_epoch = m;
    }
  }
  std::vector<Series> cycles;
  if (last_epoch.contains("val_per_cycle_blank_accuracy")) {
    Series blank{"blank cells", "#16a34a", {}}, exact{"whole puzzles", "#9333ea", {}};
    const auto& b = last_epoch["val_per_cycle_blank_accuracy"];
    const auto& e = last_epoch["val_per_cycle_puzzle_accuracy"];
    for (size_t i = 0; i < b.size(); ++i) {
      blank.points.emplace_back(static_cast<double>(i + 1), b[i].get<double>());
      exact.points.emplace_back(static_cast<double>(i + 1), e[i].get<double>());
    }
    cycles = {blank, exact};
  }
  std::ostringstream html;
  html << "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>trm training report</title>"
       << "<meta name='viewport' content='width=device-width, initial-scale=1'>"
       << "<style>body{font:14px system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#111;padding:0 12px}"
       << "figure{display:inline-block;margin:8px;border:1px solid #ddd;border-radius:6px;padding:6px;width:560px;max-width:100%}"
       << "svg{width:100%;height:auto}svg text{font-size:11px;fill:#333}.title{font-size:13px;font-weight:600}"
       << ".axis{stroke:#555}.grid{stroke:#eee}pre{background:#f6f6f6;padding:8px;overflow:auto}</style></head><body>"
       << "<h1>Training report</h1>";
  if (!last_epoch.is_null()) {
    html << "<p>After epoch " << last_epoch.value("epoch", 0) << " (step " << last_epoch.value("step", 0) << ")";
    if (last_epoch.contains("val_blank_accuracy"))
      html << ": validation blank-cell accuracy " << number(100.0 * last_epoch.value("val_blank_accuracy", 0.0))
           << "%, whole puzzles " << number(100.0 * last_epoch.value("val_puzzle_accuracy", 0.0)) << "%";
    html << ".</p>";
  }
  html << line_chart("Loss", "step", {train_loss, val_loss}, false);
  html << line_chart("Validation accuracy by epoch", "epoch", {val_blank, val_exact}, true);
  html << line_chart("Validation accuracy after each outer cycle (last epoch)", "outer cycle", cycles, true);
  html << "<h2>Run</h2><pre>" << escape(run.dump(2)) << "</pre></body></html>\n";
  return html.str();
}

}  // namespace trm::cli
