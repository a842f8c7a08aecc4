#include "io/weights_json.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include <Eigen/Core>  // Eigen::half: IEEE float16 conversion with round-to-nearest-even

#include "io/base64.h"
#include "util/error.h"

namespace trm {

using Json = nlohmann::json;

namespace {

// Little-endian float32 bytes of n values (every platform we build for is little-endian; the
// static_assert keeps it honest).
static_assert(sizeof(float) == 4, "float32 expected");

std::string encode_floats(const float* data, int64_t n) {
  return base64_encode(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(n) * 4);
}

std::string encode_halves(const float* data, int64_t n) {
  std::vector<uint16_t> bits(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) bits[static_cast<size_t>(i)] = Eigen::numext::bit_cast<uint16_t>(Eigen::half(data[i]));
  return base64_encode(reinterpret_cast<const uint8_t*>(bits.data()), bits.size() * 2);
}

// Per-row int8: rows = the first dimension. Writes "data" and "scale" into entry.
void encode_int8(const float* data, const Shape& shape, Json& entry) {
  const int64_t rows = shape[0], cols = shape.numel() / std::max<int64_t>(1, rows);
  std::vector<float> scales(static_cast<size_t>(rows));
  std::vector<int8_t> q(static_cast<size_t>(shape.numel()));
  for (int64_t r = 0; r < rows; ++r) {
    float largest = 0.0f;
    for (int64_t c = 0; c < cols; ++c) largest = std::max(largest, std::fabs(data[r * cols + c]));
    const float scale = largest / 127.0f;
    scales[static_cast<size_t>(r)] = scale;
    for (int64_t c = 0; c < cols; ++c)
      q[static_cast<size_t>(r * cols + c)] =
          static_cast<int8_t>(scale > 0.0f ? std::lround(std::clamp(data[r * cols + c] / scale, -127.0f, 127.0f)) : 0);
  }
  entry["data"] = base64_encode(reinterpret_cast<const uint8_t*>(q.data()), q.size());
  entry["scale"] = encode_floats(scales.data(), rows);
}

// Bytes per value of a base64 dtype.
int64_t dtype_bytes(const std::string& dtype) { return dtype == "float32" ? 4 : dtype == "float16" ? 2 : 1; }

// A JSON value as a message shows it. Never dump() what the file holds: a value nested 100,000 deep would
// overflow the stack (dump recurses), and a megabyte string would flood the terminal.
std::string describe_value(const Json& value) {
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (text.size() <= 40 && std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7F && c != '"'; }))
      return "\"" + text + "\"";
    return "a string of " + std::to_string(text.size()) + " bytes";
  }
  if (value.is_number_integer() || value.is_number_float() || value.is_boolean() || value.is_null()) return value.dump();
  return value.is_array() ? "an array" : "an object";
}

std::string shape_text(const std::vector<int64_t>& dims) {
  std::string text = "[";
  for (size_t i = 0; i < dims.size(); ++i) text += (i ? "," : "") + std::to_string(dims[i]);
  return text + "]";
}

std::string tensor_label(const std::string& where, const ParameterInfo& info) {
  return where + ": tensor \"" + info.name + "\"";
}

// Shape, dtype and data size of one entry; nothing is decoded or allocated.
void check_tensor(const Json& entry, const ParameterInfo& info, const std::string& where) {
  const std::string what = tensor_label(where, info);
  if (!entry.is_object()) throw InputError(what + " must be an object with shape, dtype and data");
  if (!entry.contains("shape") || !entry["shape"].is_array()) throw InputError(what + " has no shape array");
  const Json& shape = entry["shape"];
  std::vector<int64_t> dims;
  for (const Json& d : shape) {
    if (!d.is_number_integer() || d.get<int64_t>() < 0)
      throw InputError(what + " has a bad shape: dimension " + std::to_string(dims.size()) + " is " + describe_value(d) +
                       ", not a size");
    dims.push_back(d.get<int64_t>());
  }
  if (dims != info.shape.to_vector())
    throw InputError(what + " has shape " + shape_text(dims) + ", the config implies " + info.shape.str());
  const Json dtype_json = entry.contains("dtype") ? entry["dtype"] : Json("");
  if (dtype_json != "float32" && dtype_json != "float16" && dtype_json != "int8")
    throw InputError(what + " has dtype " + describe_value(dtype_json) + ", expected \"float32\", \"float16\" or \"int8\"");
  const std::string dtype = dtype_json.get<std::string>();
  if (!entry.contains("data")) throw InputError(what + " has no data");
  const Json& data = entry["data"];
  const int64_t n = info.shape.numel();
  int64_t held = 0;
  if (data.is_string()) {
    const size_t length = data.get_ref<const std::string&>().size();
    if (length % 4 != 0)
      throw InputError(what + " data is not whole base64: its length " + std::to_string(length) +
                       " is not a multiple of 4 (truncated?)");
    held = static_cast<int64_t>(base64_decoded_size(data.get_ref<const std::string&>())) / dtype_bytes(dtype);
  } else if (data.is_array() && dtype == "float32") {
    held = static_cast<int64_t>(data.size());
  } else {
    throw InputError(what + " data must be a base64 string" + (dtype == "float32" ? " or an array of numbers" : ""));
  }
  if (held != n)
    throw InputError(what + " holds " + std::to_string(held) + (data.is_string() ? " " + dtype : "") + " values, shape " +
                     info.shape.str() + " needs " + std::to_string(n));
  if (dtype == "int8") {
    if (info.shape.rank() < 2) throw InputError(what + " is a vector: int8 is for matrices only (store it as float32)");
    if (!entry.contains("scale") || !entry["scale"].is_string())
      throw InputError(what + " is int8 but has no \"scale\" (base64 float32, one per row)");
    const int64_t scales = static_cast<int64_t>(base64_decoded_size(entry["scale"].get_ref<const std::string&>())) / 4;
    if (scales != info.shape[0])
      throw InputError(what + " has " + std::to_string(scales) + " int8 scales, its " + std::to_string(info.shape[0]) +
                       " rows need one each");
  }
}

// Decodes a checked entry into `out` and checks every value is finite.
void decode_tensor(const Json& entry, const ParameterInfo& info, float* out, const std::string& where) {
  const std::string what = tensor_label(where, info);
  const Json& data = entry["data"];
  const int64_t n = info.shape.numel();
  const std::string dtype = entry["dtype"].get<std::string>();
  if (data.is_string()) {
    const std::vector<uint8_t> raw = base64_decode(data.get_ref<const std::string&>(), what);
    if (raw.size() != static_cast<size_t>(n * dtype_bytes(dtype))) throw InputError(what + " has malformed base64 padding");
    if (dtype == "float32") {
      std::memcpy(out, raw.data(), raw.size());
    } else if (dtype == "float16") {
      for (int64_t i = 0; i < n; ++i) {
        uint16_t bits;
        std::memcpy(&bits, raw.data() + 2 * i, 2);
        out[i] = static_cast<float>(Eigen::numext::bit_cast<Eigen::half>(bits));
      }
    } else {  // int8, per-row scales
      const std::vector<uint8_t> scale_raw = base64_decode(entry["scale"].get_ref<const std::string&>(), what + " scale");
      const int64_t rows = info.shape[0], cols = n / std::max<int64_t>(1, rows);
      if (scale_raw.size() != static_cast<size_t>(rows) * 4) throw InputError(what + " has malformed scale padding");
      for (int64_t r = 0; r < rows; ++r) {
        float scale;
        std::memcpy(&scale, scale_raw.data() + 4 * r, 4);
        if (!std::isfinite(scale) || scale < 0.0f)
          throw InputError(what + " int8 scale of row " + std::to_string(r) + " is not a finite non-negative number");
        for (int64_t c = 0; c < cols; ++c)
          out[r * cols + c] = static_cast<float>(static_cast<int8_t>(raw[static_cast<size_t>(r * cols + c)])) * scale;
      }
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      const Json& v = data[static_cast<size_t>(i)];
      if (!v.is_number()) throw InputError(what + " value " + std::to_string(i) + " is not a number");
      out[i] = v.get<float>();
    }
  }
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(out[i])) throw InputError(what + " value " + std::to_string(i) + " is not finite");
}

}  // namespace

TensorEncoding parse_tensor_encoding(const std::string& name) {
  if (name == "float32") return TensorEncoding::Base64;
  if (name == "list") return TensorEncoding::List;
  if (name == "float16") return TensorEncoding::Float16;
  if (name == "int8") return TensorEncoding::Int8;
  throw InputError("unknown tensor dtype \"" + name + "\" (expected float32, list, float16 or int8)");
}

Json tensors_to_json(const Parameters& params, const float* arena, TensorEncoding encoding) {
  Json tensors = Json::object();
  for (const auto& info : params.infos()) {
    Json entry;
    entry["shape"] = info.shape.to_vector();
    const float* data = arena + info.offset;
    if (encoding == TensorEncoding::Float16) {
      entry["dtype"] = "float16";
      entry["data"] = encode_halves(data, info.shape.numel());
    } else if (encoding == TensorEncoding::Int8 && info.shape.rank() >= 2) {
      entry["dtype"] = "int8";
      encode_int8(data, info.shape, entry);
    } else if (encoding == TensorEncoding::List) {
      entry["dtype"] = "float32";
      entry["data"] = std::vector<float>(data, data + info.shape.numel());
    } else {  // Base64, and Int8's vectors
      entry["dtype"] = "float32";
      entry["data"] = encode_floats(data, info.shape.numel());
    }
    tensors[info.name] = std::move(entry);
  }
  return tensors;
}

void check_tensors_json(const Json& tensors, const std::vector<ParameterInfo>& layout, const std::string& where) {
  if (!tensors.is_object()) throw InputError(where + ": \"tensors\" must be an object keyed by tensor name");
  std::set<std::string> expected;
  for (const auto& info : layout) expected.insert(info.name);
  for (const auto& item : tensors.items())
    if (!expected.count(item.key()))
      throw InputError(where + ": unknown tensor \"" + printable(item.key()) + "\" (not part of this config's model)");
  for (const auto& info : layout) {
    auto it = tensors.find(info.name);
    if (it == tensors.end()) throw InputError(where + ": missing tensor \"" + info.name + "\"");
    check_tensor(*it, info, where);
  }
}

void tensors_from_json(const Json& tensors, const Parameters& params, float* arena, const std::string& where) {
  check_tensors_json(tensors, params.infos(), where);
  for (const auto& info : params.infos()) decode_tensor(tensors[info.name], info, arena + info.offset, where);
}

Json weights_to_json(const TRM& model, TensorEncoding encoding) {
  Json out;
  out["format"] = kWeightsFormat;
  out["version"] = kWeightsVersion;
  out["config"] = config_to_json(model.config());
  out["tensors"] = tensors_to_json(model.parameters(), model.parameters().values(), encoding);
  return out;
}

Json production_weights_json(const TRM& model, TensorEncoding encoding, int h_cycles) {
  Json out = weights_to_json(model, encoding);
  out["config"]["H_cycles"] = h_cycles > 0 ? h_cycles : model.config().inference_cycles();
  out["config"]["supervision_steps"] = 1;
  return out;
}

std::unique_ptr<TRM> model_from_json(const Json& weights, const std::string& where) {
  if (!weights.is_object()) throw InputError(where + ": not a weights file (expected a JSON object)");
  auto format = weights.find("format");
  if (format == weights.end() || !format->is_string() || format->get<std::string>() != kWeightsFormat)
    throw InputError(where + ": not a weights file (\"format\" is " +
                     (format == weights.end() ? std::string("missing") : describe_value(*format)) + ", expected \"" +
                     kWeightsFormat + "\")");
  auto version = weights.find("version");
  if (version == weights.end() || !version->is_number_integer())
    throw InputError(where + ": \"version\" is missing or not an integer");
  if (version->get<int64_t>() != kWeightsVersion)
    throw InputError(where + ": weights format version " + version->dump() + " is not supported (this build reads " +
                     std::to_string(kWeightsVersion) + ")");
  if (!weights.contains("config")) throw InputError(where + ": \"config\" is missing");
  if (!weights.contains("tensors")) throw InputError(where + ": \"tensors\" is missing");
  const TRMConfig config = config_from_json(weights["config"], where);
  // Every name, shape and size is checked against the config before the model is allocated, so a
  // small hostile file cannot make us allocate gigabytes: the data must really be there.
  check_tensors_json(weights["tensors"], TRM::parameter_layout(config), where);
  auto model = std::make_unique<TRM>(config);
  tensors_from_json(weights["tensors"], model->parameters(), model->parameters().values(), where);
  return model;
}

void save_weights(std::ostream& out, const TRM& model, TensorEncoding encoding) {
  out << weights_to_json(model, encoding).dump() << '\n';
}

Json parse_json(std::istream& in, const std::string& where) {
  // Duplicate keys are an error: nlohmann keeps the last silently, so {"hidden_dim": 16, "hidden_dim": 512} would
  // mean whatever the last one says. The callback sees each object's keys as they are read (one set per open
  // object), and the name of the object that holds them.
  struct Open {
    std::string name;
    std::set<std::string> keys;
  };
  std::vector<Open> open;
  std::string last_key;
  const Json::parser_callback_t check_keys = [&](int, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) {
      open.push_back({open.empty() ? std::string() : last_key, {}});
    } else if (event == Json::parse_event_t::object_end) {
      if (!open.empty()) open.pop_back();
    } else if (event == Json::parse_event_t::key) {
      last_key = parsed.get<std::string>();
      if (!open.empty() && !open.back().keys.insert(last_key).second)
        throw InputError(where + ": duplicate key \"" + printable(last_key) + "\"" +
                         (open.back().name.empty() ? std::string() : " in \"" + printable(open.back().name) + "\"") +
                         " (a key may appear once per object)");
    }
    return true;
  };
  try {
    return Json::parse(in, check_keys);
  } catch (const Json::exception& e) {  // parse errors, and out_of_range for a number like 1e999
    std::string reason = e.what();  // nlohmann quotes what it last read, which can be a megabyte of base64
    if (reason.size() > 160) reason = reason.substr(0, 160) + "...";
    for (char& ch : reason)  // what it last read may be binary junk
      if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7F) ch = '?';
    throw InputError(where + ": invalid JSON (" + reason + ")");
  }
}

std::unique_ptr<TRM> load_weights(std::istream& in, const std::string& where) {
  return model_from_json(parse_json(in, where), where);
}

}  // namespace trm
