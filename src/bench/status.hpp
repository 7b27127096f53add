// Status<T>: how fallible bench functions report failure. The tool's errors
// are for the operator to read ("connect 127.0.0.1:7330: Connection refused"),
// never put on the wire, so the error side is plain text. Nothing here throws.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace clasp::bench {

template <class T>
using Status = std::expected<T, std::string>;

inline std::unexpected<std::string> failure(std::string text) {
  return std::unexpected<std::string>(std::move(text));
}

}  // namespace clasp::bench
