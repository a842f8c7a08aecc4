#pragma once
// Weights as JSON (nlohmann_json): the production artifact `trm export` writes, the page loads,
// and checkpoints embed.
//
//   {"format": "trm-sudoku-weights", "version": 1,
//    "config": {...TRMConfig, keys as in model/config.h...},
//    "tensors": {"input_proj.weight": {"shape": [512, 810], "dtype": "float32",
//                                      "data": "<base64 of little-endian float32, row-major>"}, ...}}
//
// "data" may also be a plain array of numbers. Smaller files for the web (`trm export --dtype`):
//   "dtype": "float16"  "data": base64 of little-endian IEEE half floats (about 3 significant digits);
//   "dtype": "int8"     matrices only (rank >= 2): "data" is base64 of int8 q, "scale" base64 of float32 s,
//                       one per row (first dimension), and the value is q * s; s = max|row| / 127, so each
//                       value is within s / 2 of the original. Vectors (biases, norms, gates) stay float32.
// The loader reads every dtype into float32 (the model computes in float32 whatever the file holds).
// Loading checks, in this order and before allocating
// anything large: the format name, the version, the config, that every tensor the config implies
// is present with the right shape and no unknown tensor is, that each data block holds exactly
// shape-many values, and that every value is finite. Each failure is an InputError that names the
// source and the tensor.
#include <istream>
#include <memory>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "model/trm.h"

namespace trm {

constexpr const char* kWeightsFormat = "trm-sudoku-weights";
constexpr int kWeightsVersion = 1;

// Base64: float32 as base64 (exact); List: float32 as number arrays (exact, readable); Float16 and Int8: smaller,
// approximate (see above).
enum class TensorEncoding { Base64, List, Float16, Int8 };
TensorEncoding parse_tensor_encoding(const std::string& name);  // "float32" | "list" | "float16" | "int8"

// Tensors of an arena laid out as `params` (values, gradients or optimiser moments) as JSON.
nlohmann::json tensors_to_json(const Parameters& params, const float* arena, TensorEncoding encoding);
// Checks a "tensors" object against a layout: names, shapes, dtypes and data sizes (not values).
void check_tensors_json(const nlohmann::json& tensors, const std::vector<ParameterInfo>& layout, const std::string& where);
// Reads a "tensors" object into an arena laid out as `params`, with every check above.
void tensors_from_json(const nlohmann::json& tensors, const Parameters& params, float* arena, const std::string& where);

nlohmann::json weights_to_json(const TRM& model, TensorEncoding encoding = TensorEncoding::Base64);
// The production file `trm export` writes (and the page's training downloads): weights_to_json with a config that
// states the depth directly: H_cycles = the outer cycles inference runs by default (h_cycles, or 0 for the model's
// inference_cycles(), every supervision step's) and supervision_steps = 1, a training-only multiplier. The caller
// swaps the weight average in first when there is one.
nlohmann::json production_weights_json(const TRM& model, TensorEncoding encoding, int h_cycles = 0);
std::unique_ptr<TRM> model_from_json(const nlohmann::json& weights, const std::string& where);

void save_weights(std::ostream& out, const TRM& model, TensorEncoding encoding = TensorEncoding::Base64);
// Parses and validates; `where` names the source in messages (a file name).
std::unique_ptr<TRM> load_weights(std::istream& in, const std::string& where);
// Parses JSON text with a message naming `where`, the line and column on a syntax error.
nlohmann::json parse_json(std::istream& in, const std::string& where);

}  // namespace trm
