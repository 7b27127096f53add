// libFuzzer target: the message decoder (v1 and v0). Nothing may crash; for
// v1 input, a decoded message that re-encodes must decode again to an equal
// message (decode -> encode -> decode is a fixed point).
#include <cstddef>
#include <cstdint>

#include "core/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  auto m = clasp::decodeMessage(in);
  if (!m) {
    if (m.error().message.empty()) __builtin_trap();
    return 0;
  }
  clasp::OutBuffer out;
  if (!clasp::encodePayload(*m, out)) return 0;  // widened values may no longer fit
  auto again = clasp::decodeMessage(out.span());
  if (!again) __builtin_trap();
  bool v0 = (data[0] >= 0x80 && data[0] <= 0x8F) || data[0] == 0xDE || data[0] == 0xDF;
  if (!v0 && !(*again == *m)) __builtin_trap();
  return 0;
}
