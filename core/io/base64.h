#pragma once
// Standard base64 (RFC 4648, with padding), for float32 tensors in weights JSON: 4/3 of the raw
// size and bit-exact, where decimal text is 2-3x larger and needs care to round-trip.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trm {

std::string base64_encode(const uint8_t* data, size_t size);
// Throws InputError naming `where` and the offset of the first bad character.
std::vector<uint8_t> base64_decode(std::string_view text, const std::string& where);
// Exact decoded size of a well-formed text, for checking before allocating.
size_t base64_decoded_size(std::string_view text);

}  // namespace trm
