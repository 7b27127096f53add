// MQTT 3.1.1 encoders and the packet splitter (see mqtt_codec.hpp). The
// remaining length is the spec's varint: 7 bits per byte, low group first,
// at most 4 bytes (§2.2.3).
#include "bench/mqtt_codec.hpp"

#include <charconv>
#include <cstring>

namespace clasp::bench::mqtt {

namespace {

constexpr std::size_t kMaxRemaining = 268'435'455;  // 4 varint bytes

void putByte(OutBuffer& out, std::uint8_t b) { *out.grow(1) = b; }

void putU16(OutBuffer& out, std::uint16_t v) {
  std::uint8_t* p = out.grow(2);
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

void putString(OutBuffer& out, std::string_view s) {
  putU16(out, static_cast<std::uint16_t>(s.size()));
  out.append(s.data(), s.size());
}

void putHeader(OutBuffer& out, Type type, std::uint8_t flags, std::size_t remaining) {
  putByte(out, static_cast<std::uint8_t>((static_cast<unsigned>(type) << 4) | flags));
  do {
    std::uint8_t b = remaining % 128;
    remaining /= 128;
    if (remaining != 0) b |= 0x80;
    putByte(out, b);
  } while (remaining != 0);
}

}  // namespace

void appendConnect(OutBuffer& out, std::string_view clientId, std::uint16_t keepAliveSeconds) {
  constexpr std::string_view kProtocol = "MQTT";
  constexpr std::uint8_t kLevel = 4;           // 3.1.1
  constexpr std::uint8_t kCleanSession = 0x02;
  putHeader(out, Type::Connect, 0, 2 + kProtocol.size() + 1 + 1 + 2 + 2 + clientId.size());
  putString(out, kProtocol);
  putByte(out, kLevel);
  putByte(out, kCleanSession);
  putU16(out, keepAliveSeconds);
  putString(out, clientId);
}

void appendSubscribe(OutBuffer& out, std::uint16_t packetId, std::string_view filter) {
  // SUBSCRIBE's fixed-header flags are 0010 by the spec (§3.8.1).
  putHeader(out, Type::Subscribe, 0x2, 2 + 2 + filter.size() + 1);
  putU16(out, packetId);
  putString(out, filter);
  putByte(out, 0);  // requested QoS 0
}

void appendPublishDecimal(OutBuffer& out, std::string_view topic, std::uint64_t value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  const auto len = static_cast<std::size_t>(end - digits);
  putHeader(out, Type::Publish, 0, 2 + topic.size() + len);
  putString(out, topic);
  out.append(digits, len);
}

void appendPingreq(OutBuffer& out) { putHeader(out, Type::Pingreq, 0, 0); }

void appendDisconnect(OutBuffer& out) { putHeader(out, Type::Disconnect, 0, 0); }

Packet splitPacket(std::span<const std::uint8_t> buf) {
  Packet p;
  if (buf.size() < 2) return p;
  std::size_t remaining = 0;
  std::size_t i = 1;
  for (unsigned shift = 0;; shift += 7, ++i) {
    if (i == 5) {
      p.status = Packet::Status::Malformed;  // a fifth length byte
      return p;
    }
    if (i >= buf.size()) return p;
    remaining |= std::size_t{buf[i] & 0x7Fu} << shift;
    if ((buf[i] & 0x80) == 0) break;
  }
  const std::size_t header = i + 1;
  if (remaining > kMaxRemaining) {
    p.status = Packet::Status::Malformed;
    return p;
  }
  p.size = header + remaining;
  if (buf.size() < p.size) return p;
  p.status = Packet::Status::Ok;
  p.type = static_cast<Type>(buf[0] >> 4);
  p.flags = buf[0] & 0x0F;
  p.body = buf.subspan(header, remaining);
  return p;
}

bool parsePublish(const Packet& p, std::string_view& topic, std::span<const std::uint8_t>& payload) {
  const auto& b = p.body;
  if (b.size() < 2) return false;
  const std::size_t topicLen = (std::size_t{b[0]} << 8) | b[1];
  const std::size_t qos = (p.flags >> 1) & 0x3;
  const std::size_t start = 2 + topicLen + (qos != 0 ? 2 : 0);
  if (b.size() < start) return false;
  topic = {reinterpret_cast<const char*>(b.data() + 2), topicLen};
  payload = b.subspan(start);
  return true;
}

bool parseDecimal(std::span<const std::uint8_t> payload, std::uint64_t& value) {
  const auto* first = reinterpret_cast<const char*>(payload.data());
  const auto* last = first + payload.size();
  if (first == last) return false;
  auto [end, ec] = std::from_chars(first, last, value);
  return ec == std::errc{} && end == last;
}

}  // namespace clasp::bench::mqtt
