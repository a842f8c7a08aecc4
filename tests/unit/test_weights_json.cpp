// Weights JSON: bit-exact round trips in both encodings, and a precise message for every defect.
#include <catch2/catch.hpp>

#include <cstring>
#include <sstream>

#include "io/base64.h"
#include "io/weights_json.h"
#include "util/error.h"
#include "test_support.h"

using namespace trm;
using Json = nlohmann::json;

namespace {

TRMConfig small_config() {
  TRMConfig c = trm_test::tiny_config("flat", 4, 1, 1, 1);
  return c;
}

std::unique_ptr<TRM> small_model() {
  auto model = std::make_unique<TRM>(small_config());
  model->init(3);
  return model;
}

std::string load_error(const Json& weights) {
  try {
    model_from_json(weights, "w.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("base64 round trip and errors", "[io][weights]") {
  for (size_t n = 0; n < 10; ++n) {
    std::vector<uint8_t> data(n);
    for (size_t i = 0; i < n; ++i) data[i] = static_cast<uint8_t>(i * 37 + 250);
    const std::string text = base64_encode(data.data(), data.size());
    CHECK(base64_decoded_size(text) == n);
    CHECK(base64_decode(text, "t") == data);
  }
  CHECK(base64_encode(reinterpret_cast<const uint8_t*>("Man"), 3) == "TWFu");
  CHECK_THROWS_WITH(base64_decode("TW*u", "t"), Catch::Contains("offset 2"));
  CHECK_THROWS_WITH(base64_decode("TWF", "t"), Catch::Contains("multiple of 4"));
}

TEST_CASE("weights round-trip bit-exactly in both encodings", "[io][weights]") {
  auto model = small_model();
  // Values that decimal printing gets wrong if it is careless.
  model->parameters().values()[0] = 0.1f;
  model->parameters().values()[1] = 1.0f / 3.0f;
  model->parameters().values()[2] = -1.17549435e-38f;
  for (TensorEncoding encoding : {TensorEncoding::Base64, TensorEncoding::List}) {
    std::stringstream buffer;
    save_weights(buffer, *model, encoding);
    auto loaded = load_weights(buffer, "round-trip");
    REQUIRE(loaded->parameters().size() == model->parameters().size());
    CHECK(std::memcmp(loaded->parameters().values(), model->parameters().values(),
                      static_cast<size_t>(model->parameters().size()) * sizeof(float)) == 0);
    CHECK(config_to_json(loaded->config()) == config_to_json(model->config()));
  }
}

TEST_CASE("weights loading names every defect", "[io][weights]") {
  const Json good = weights_to_json(*small_model());
  REQUIRE(load_error(good) == "(no error)");

  Json j = good;
  j["format"] = "something-else";
  CHECK_THAT(load_error(j), Catch::Contains("w.json") && Catch::Contains("not a weights file"));

  j = good;
  j["version"] = 2;
  CHECK_THAT(load_error(j), Catch::Contains("version 2 is not supported"));

  j = good;
  j.erase("config");
  CHECK_THAT(load_error(j), Catch::Contains("\"config\" is missing"));

  j = good;
  j["config"]["hidden_dim"] = -3;
  CHECK_THAT(load_error(j), Catch::Contains("hidden_dim"));

  j = good;
  j["config"]["colour"] = "blue";
  CHECK_THAT(load_error(j), Catch::Contains("unknown config key \"colour\""));

  j = good;
  j["tensors"].erase("latent_gate");
  CHECK_THAT(load_error(j), Catch::Contains("missing tensor \"latent_gate\""));

  j = good;
  j["tensors"]["extra.weight"] = j["tensors"]["latent_gate"];
  CHECK_THAT(load_error(j), Catch::Contains("unknown tensor \"extra.weight\""));

  j = good;
  j["tensors"]["output_head.weight"]["shape"] = {4, 729};
  CHECK_THAT(load_error(j), Catch::Contains("\"output_head.weight\" has shape [4,729]") && Catch::Contains("[729, 4]"));

  j = good;
  j["tensors"]["latent_gate"]["data"] = base64_encode(reinterpret_cast<const uint8_t*>("\0\0\0\0\0\0\0\0"), 8);
  CHECK_THAT(load_error(j), Catch::Contains("\"latent_gate\" holds 2 float32 values"));

  j = good;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  j["tensors"]["latent_gate"]["data"] = base64_encode(reinterpret_cast<const uint8_t*>(&nan), 4);
  CHECK_THAT(load_error(j), Catch::Contains("\"latent_gate\" value 0 is not finite"));

  j = good;
  j["tensors"]["latent_gate"]["data"] = Json::array({"x"});
  CHECK_THAT(load_error(j), Catch::Contains("\"latent_gate\" value 0 is not a number"));

  j = good;
  j["tensors"]["latent_gate"]["dtype"] = "bfloat16";
  CHECK_THAT(load_error(j), Catch::Contains("dtype \"bfloat16\", expected \"float32\", \"float16\" or \"int8\""));

  // float16 data must hold 2 bytes per value: the float32 data read as float16 holds twice too many.
  j = good;
  j["tensors"]["latent_gate"]["dtype"] = "float16";
  CHECK_THAT(load_error(j), Catch::Contains("\"latent_gate\" holds 2 float16 values, shape [1] needs 1"));

  // A tiny file that declares a huge model is refused before anything is allocated.
  j = good;
  j["config"]["hidden_dim"] = 8192;
  j["config"]["L_layers"] = 64;
  CHECK_THAT(load_error(j), Catch::Contains("has shape [4,810], the config implies [8192, 810]"));

  std::istringstream truncated(good.dump().substr(0, 200));
  CHECK_THROWS_WITH(load_weights(truncated, "cut.json"), Catch::Contains("cut.json: invalid JSON"));
  std::istringstream not_json("\x01\x02garbage");
  CHECK_THROWS_AS(load_weights(not_json, "junk.bin"), InputError);
}

TEST_CASE("a number too large for JSON's double is a named error", "[io][weights]") {
  std::istringstream in("{\"format\": 1e999}");
  CHECK_THROWS_WITH(load_weights(in, "big.json"), Catch::Contains("big.json: invalid JSON"));
}

TEST_CASE("float16 and int8 weights load within their rounding error", "[io][weights]") {
  auto model = small_model();
  const Parameters& p = model->parameters();
  for (const char* name : {"float16", "int8"}) {
    const TensorEncoding encoding = parse_tensor_encoding(name);
    const Json j = weights_to_json(*model, encoding);
    auto loaded = model_from_json(j, name);
    for (const auto& info : p.infos()) {
      const std::string dtype = j["tensors"][info.name]["dtype"];
      if (std::string(name) == "float16") {
        CHECK(dtype == "float16");
      } else {
        CHECK(dtype == (info.shape.rank() >= 2 ? "int8" : "float32"));  // vectors stay exact
      }
      const int64_t rows = info.shape.rank() >= 2 ? info.shape[0] : 1, cols = info.shape.numel() / rows;
      for (int64_t r = 0; r < rows; ++r) {
        float largest = 0.0f;
        for (int64_t c = 0; c < cols; ++c) largest = std::max(largest, std::fabs(p.values()[info.offset + r * cols + c]));
        for (int64_t c = 0; c < cols; ++c) {
          const float want = p.values()[info.offset + r * cols + c];
          const float got = loaded->parameters().values()[info.offset + r * cols + c];
          if (dtype == "float16") {
            CHECK(std::fabs(got - want) <= std::fabs(want) * (1.0f / 2048.0f) + 6e-8f);  // half: 11 significant bits
          } else if (dtype == "int8") {
            CHECK(std::fabs(got - want) <= largest / 127.0f * 0.5f + 1e-7f);  // half a step of the row's scale
          } else {
            CHECK(got == want);
          }
        }
      }
    }
  }
  CHECK_THROWS_AS(parse_tensor_encoding("float8"), InputError);
}

TEST_CASE("int8 tensors are checked: scales per row, matrices only", "[io][weights]") {
  auto model = small_model();
  const Json good = weights_to_json(*model, TensorEncoding::Int8);
  const std::string matrix = "output_head.weight";  // [729, 4]
  REQUIRE(good["tensors"][matrix]["dtype"] == "int8");

  Json j = good;
  j["tensors"][matrix].erase("scale");
  CHECK_THAT(load_error(j), Catch::Contains("\"output_head.weight\" is int8 but has no \"scale\""));

  j = good;
  const std::vector<float> few(3, 0.5f);
  j["tensors"][matrix]["scale"] = base64_encode(reinterpret_cast<const uint8_t*>(few.data()), few.size() * 4);
  CHECK_THAT(load_error(j), Catch::Contains("has 3 int8 scales, its 729 rows need one each"));

  j = good;
  std::vector<float> scales(729, 0.01f);
  scales[5] = std::numeric_limits<float>::infinity();
  j["tensors"][matrix]["scale"] = base64_encode(reinterpret_cast<const uint8_t*>(scales.data()), scales.size() * 4);
  CHECK_THAT(load_error(j), Catch::Contains("int8 scale of row 5 is not a finite"));

  j = good;
  const int8_t one = 1;
  j["tensors"]["latent_gate"] = {{"shape", {1}}, {"dtype", "int8"}, {"data", base64_encode(reinterpret_cast<const uint8_t*>(&one), 1)},
                                 {"scale", j["tensors"][matrix]["scale"]}};
  CHECK_THAT(load_error(j), Catch::Contains("\"latent_gate\" is a vector: int8 is for matrices only"));

  j = good;
  j["tensors"][matrix]["data"] = Json::array({1, 2});
  CHECK_THAT(load_error(j), Catch::Contains("data must be a base64 string"));
}
