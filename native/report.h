#pragma once
// report.html: a self-contained page (inline SVG, no scripts, no network) with the training
// curves and the per-cycle accuracy, rebuilt from a run folder's metrics.jsonl after every epoch.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace trm::cli {

std::string render_report(const std::vector<nlohmann::json>& metrics, const nlohmann::json& run);

}  // namespace trm::cli
