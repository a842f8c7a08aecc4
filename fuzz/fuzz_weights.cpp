// libFuzzer target: the weights JSON loader (io/weights_json.h), the page's and `trm solve`'s input. Any input
// must load or fail with an InputError (a message naming the problem); no other exception, no crash, and no
// allocation larger than the data the input really holds. What loads must save and load back bit-exactly.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>

#include "io/weights_json.h"
#include "util/error.h"

using namespace trm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(bytes), size));
  std::unique_ptr<TRM> model;
  try {
    model = load_weights(in, "fuzz.json");
  } catch (const InputError&) {
    return 0;
  }
  std::stringstream copy;
  save_weights(copy, *model);
  const auto again = load_weights(copy, "copy.json");  // must not throw
  const auto n = static_cast<size_t>(model->parameters().size());
  if (static_cast<size_t>(again->parameters().size()) != n ||
      std::memcmp(again->parameters().values(), model->parameters().values(), n * sizeof(float)) != 0)
    std::abort();
  return 0;
}
