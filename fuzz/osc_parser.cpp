// libFuzzer target: the OSC datagram decoder (adapters/osc/osc_codec). Every
// input is decoded; whatever decodes must rebuild (liblo) and decode again to
// the same values where the mapping is lossless. Where liblo's own
// lo_message_deserialise accepts a plain message, ours must accept it too,
// with the same type tags and argument count, unless the address is not
// UTF-8, which we refuse (differential check against liblo).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <lo/lo.h>
#include <string_view>
#include <vector>

#include "adapters/osc/osc_codec.hpp"
#include "core/wire_read.hpp"

namespace {

using namespace clasp;
using namespace clasp::osc;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// Only values that survive R10.4 -> R10.3 unchanged: ints, finite floats
// that are exact in f32, valid strings, bytes, bools, null, and flat arrays.
bool lossless(const Value& v, bool top) {
  switch (v.kind()) {
    case Value::Kind::Float: {
      double d = *v.asFloat();
      return std::isfinite(d) && static_cast<double>(static_cast<float>(d)) == d;
    }
    case Value::Kind::String: return std::memchr(v.asString()->data(), 0, v.asString()->size()) == nullptr;
    case Value::Kind::Array:
      if (!top || v.asArray()->size() < 2) return false;
      for (const Value& e : *v.asArray())
        if (e.kind() == Value::Kind::Array || !lossless(e, false)) return false;
      return true;
    case Value::Kind::Map: return false;
    default: return true;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  auto packet = parsePacket(in);

  // Differential: liblo accepts a plain message -> so do we, identically.
  if (size > 0 && size % 4 == 0 && data[0] == '/') {
    std::vector<std::uint8_t> copy(data, data + size);
    int result = 0;
    lo_message m = lo_message_deserialise(copy.data(), copy.size(), &result);
    const std::string_view address(reinterpret_cast<const char*>(data), strnlen(reinterpret_cast<const char*>(data), size));
    // We also insist on a UTF-8 address (CLASP addresses are text); liblo does not.
    if (m && wire::isValidUtf8(address)) {
      check(packet.has_value());
      check(packet->messages.size() == 1);
      const char* types = lo_message_get_types(m);
      check(packet->messages[0].typeTags == (types ? types : ""));
      check(static_cast<int>(packet->messages[0].args.size()) == lo_message_get_argc(m));
    }
    if (m) lo_message_free(m);
  }
  if (!packet) return 0;

  for (OscMessage& msg : packet->messages) {
    check(!msg.address.empty() && msg.address.front() == '/');
    Value v = argsToValue(std::move(msg.args));
    std::vector<std::uint8_t> out;
    auto built = buildMessage(msg.address, v, out);
    if (!built) continue;  // too large for a datagram
    auto again = parsePacket(out);
    check(again.has_value());
    check(again->messages.size() == 1);
    check(again->messages[0].address == msg.address.substr(0, msg.address.find('\0')));
    if (lossless(v, true)) check(argsToValue(std::move(again->messages[0].args)) == v);
  }
  return 0;
}
