// json_query: a tiny jq for the CLI tests (no dependency beyond nlohmann_json, which the project uses).
//   json_query FILE PATH...   FILE is a path or - for stdin; prints one line per PATH
// PATH is dot-separated object keys and array indices (negative counts from the end), "." is the whole
// document. A trailing '#' prints the size of the array/object/string instead of the value; a trailing '?'
// prints "yes"/"no" for whether the path exists. Strings print raw, everything else as compact JSON.
// Exit status: 0, 1 for a missing path or a bad document, 2 for a usage error.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

using Json = nlohmann::json;

namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  if (path == "." || path.empty()) return parts;
  std::string part;
  std::istringstream in(path);
  while (std::getline(in, part, '.')) parts.push_back(part);
  return parts;
}

bool is_index(const std::string& s) {
  if (s.empty()) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

const Json* find(const Json& root, const std::string& path) {
  const Json* at = &root;
  for (const std::string& part : split_path(path)) {
    if (at->is_object()) {
      auto it = at->find(part);
      if (it == at->end()) return nullptr;
      at = &*it;
    } else if (at->is_array() && is_index(part)) {
      long long i = std::stoll(part);
      const auto n = static_cast<long long>(at->size());
      if (i < 0) i += n;
      if (i < 0 || i >= n) return nullptr;
      at = &(*at)[static_cast<size_t>(i)];
    } else {
      return nullptr;
    }
  }
  return at;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: json_query FILE|- PATH[#|?]...\n");
    return 2;
  }
  const std::string file = argv[1];
  Json doc;
  try {
    if (file == "-") {
      doc = Json::parse(std::cin);
    } else {
      std::ifstream in(file);
      if (!in) {
        std::fprintf(stderr, "json_query: cannot open %s\n", file.c_str());
        return 1;
      }
      doc = Json::parse(in);
    }
  } catch (const Json::parse_error& e) {
    std::fprintf(stderr, "json_query: %s is not valid JSON: %s\n", file.c_str(), e.what());
    return 1;
  }
  int status = 0;
  for (int a = 2; a < argc; ++a) {
    std::string path = argv[a];
    const char mode = path.size() > 1 && (path.back() == '#' || path.back() == '?') ? path.back() : '\0';
    if (mode) path.pop_back();
    const Json* value = find(doc, path);
    if (mode == '?') {
      std::printf("%s\n", value ? "yes" : "no");
      continue;
    }
    if (!value) {
      std::fprintf(stderr, "json_query: %s has no %s\n", file.c_str(), path.c_str());
      status = 1;
      continue;
    }
    if (mode == '#') {
      if (value->is_string())
        std::printf("%zu\n", value->get_ref<const std::string&>().size());
      else if (value->is_array() || value->is_object())
        std::printf("%zu\n", value->size());
      else {
        std::fprintf(stderr, "json_query: %s: %s has no size (it is %s)\n", file.c_str(), path.c_str(), value->type_name());
        status = 1;
      }
    } else if (value->is_string()) {
      std::printf("%s\n", value->get_ref<const std::string&>().c_str());
    } else {
      std::printf("%s\n", value->dump().c_str());
    }
  }
  return status;
}
