// TRMConfig: defaults as the reference, strict JSON reading with named errors.
#include <catch2/catch.hpp>

#include "model/config.h"
#include "model/trm.h"
#include "util/error.h"

using namespace trm;

TEST_CASE("config defaults are the reference project's", "[config]") {
  TRMConfig c;
  CHECK(c.arch == "flat");
  CHECK(c.input_dim == 810);
  CHECK(c.output_dim == 729);
  CHECK(c.hidden_dim == 512);
  CHECK(c.L_layers == 3);
  CHECK(c.L_cycles == 8);
  CHECK(c.H_cycles == 4);
  CHECK(c.O_layers == 2);
  CHECK(c.dropout == Approx(0.1f));
  CHECK_NOTHROW(c.validate());
}

TEST_CASE("config JSON round trip and strictness", "[config]") {
  TRMConfig c;
  c.hidden_dim = 96;
  c.lr = 3e-4f;
  c.gate_type = "vector";
  const TRMConfig back = config_from_json(config_to_json(c), "c.json");
  CHECK(back.hidden_dim == 96);
  CHECK(back.lr == 3e-4f);
  CHECK(back.gate_type == "vector");

  CHECK_THROWS_WITH(config_from_json({{"hiden_dim", 3}}, "c.json"), Catch::Contains("c.json") && Catch::Contains("unknown config key \"hiden_dim\""));
  CHECK_THROWS_WITH(config_from_json({{"hidden_dim", "big"}}, "c.json"), Catch::Contains("\"hidden_dim\"") && Catch::Contains("integer"));
  CHECK_THROWS_WITH(config_from_json({{"hidden_dim", 1.5}}, "c.json"), Catch::Contains("integer"));
  CHECK_THROWS_WITH(config_from_json({{"dropout", 1.0}}, "c.json"), Catch::Contains("dropout"));
  CHECK_THROWS_WITH(config_from_json({{"arch", "transformer"}}, "c.json"), Catch::Contains("arch"));
  CHECK_THROWS_WITH(config_from_json(nlohmann::json::array(), "c.json"), Catch::Contains("must be a JSON object"));
  // A number beyond float's range is named as such, not read as inf (which would then be called "not positive").
  CHECK_THROWS_WITH(config_from_json({{"lr", 1e39}}, "c.json"), Catch::Contains("\"lr\"") && Catch::Contains("out of range"));
  CHECK_THROWS_WITH(config_from_json({{"constraint_weight", -1.0}}, "c.json"), Catch::Contains("constraint_weight"));
  CHECK(config_from_json({{"constraint_weight", 0.5}}, "c.json").constraint_weight == 0.5f);
}

TEST_CASE("parameter count of the reference default", "[config][model]") {
  TRMConfig c;  // d = 512
  const int64_t d = 512, block = 2 * d + 4 * d * d + 4 * d + 4 * d * d + d;
  CHECK(TRM::parameter_count(c) == 810 * d + d + (3 + 2) * block + 729 * d + 2);
}
