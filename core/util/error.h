#pragma once
// Errors the library reports to its callers. Every message names the problem and where it is
// (a file and line, a tensor name, a cell), so the CLI and the page can show it as it is.
#include <stdexcept>
#include <string>
#include <string_view>

namespace trm {

// Text from a file as a message may quote it: at most `max` bytes (then "..."), every byte that is not printable
// ASCII as '?'. A NUL would cut the message short (what() is a C string), a control byte garble the terminal.
inline std::string printable(std::string_view text, size_t max = 60) {
  std::string out(text.substr(0, max));
  for (char& ch : out)
    if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7F) ch = '?';
  if (text.size() > max) out += "...";
  return out;
}

// Malformed or inconsistent input data: a CSV row, a puzzle string, a weights file, a flag value.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A numerical fault during training (non-finite loss or gradient).
class NumericError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The user asked to stop (Ctrl-C); work up to here is saved.
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

}  // namespace trm
