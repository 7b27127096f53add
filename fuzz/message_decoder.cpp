// libFuzzer target: the message decoder (v1 and v0). Nothing may crash, and
// a decoded message that re-encodes must be byte-stable: encode(decode(
// encode(m))) == encode(m). Bytes, not ==, because NaN floats are legal values.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto m = clasp::decodeMessage(std::span<const std::uint8_t>(data, size));
  if (!m) {
    if (m.error().message.empty()) __builtin_trap();
    return 0;
  }
  clasp::OutBuffer first;
  if (!clasp::encodePayload(*m, first)) return 0;  // widened values may no longer fit
  auto again = clasp::decodeMessage(first.span());
  if (!again) __builtin_trap();
  clasp::OutBuffer second;
  if (!clasp::encodePayload(*again, second)) __builtin_trap();
  if (first.size() != second.size() || std::memcmp(first.data(), second.data(), first.size()) != 0)
    __builtin_trap();
  return 0;
}
