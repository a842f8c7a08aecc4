#pragma once
// Weights as JSON (nlohmann_json): the production artifact `trm export` writes, the page loads,
// and checkpoints embed.
//
//   {"format": "trm-sudoku-weights", "version": 1,
//    "config": {...TRMConfig, keys as in model/config.h...},
//    "tensors": {"input_proj.weight": {"shape": [512, 810], "dtype": "float32",
//                                      "data": "<base64 of little-endian float32, row-major>"}, ...}}
//
// "data" may also be a plain array of numbers. Loading checks, in this order and before allocating
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

enum class TensorEncoding { Base64, List };

// Tensors of an arena laid out as `params` (values, gradients or optimiser moments) as JSON.
nlohmann::json tensors_to_json(const Parameters& params, const float* arena, TensorEncoding encoding);
// Checks a "tensors" object against a layout: names, shapes, dtypes and data sizes (not values).
void check_tensors_json(const nlohmann::json& tensors, const std::vector<ParameterInfo>& layout, const std::string& where);
// Reads a "tensors" object into an arena laid out as `params`, with every check above.
void tensors_from_json(const nlohmann::json& tensors, const Parameters& params, float* arena, const std::string& where);

nlohmann::json weights_to_json(const TRM& model, TensorEncoding encoding = TensorEncoding::Base64);
std::unique_ptr<TRM> model_from_json(const nlohmann::json& weights, const std::string& where);

void save_weights(std::ostream& out, const TRM& model, TensorEncoding encoding = TensorEncoding::Base64);
// Parses and validates; `where` names the source in messages (a file name).
std::unique_ptr<TRM> load_weights(std::istream& in, const std::string& where);
// Parses JSON text with a message naming `where`, the line and column on a syntax error.
nlohmann::json parse_json(std::istream& in, const std::string& where);

}  // namespace trm
