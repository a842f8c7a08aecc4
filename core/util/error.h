#pragma once
// Errors the library reports to its callers. Every message names the problem and where it is
// (a file and line, a tensor name, a cell), so the CLI and the page can show it as it is.
#include <stdexcept>
#include <string>

namespace trm {

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
