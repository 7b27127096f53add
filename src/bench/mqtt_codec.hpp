// The slice of MQTT 3.1.1 (OASIS, 2014) the bench tool speaks: CONNECT with a
// clean session, SUBSCRIBE one filter, PUBLISH at QoS 0, PINGREQ, DISCONNECT
// out; CONNACK, SUBACK, PUBLISH and PINGRESP in. Encoders append to an
// OutBuffer (no allocation once it has grown); the packet splitter works on
// a read buffer in place and tells "incomplete" from "malformed", so a packet
// cut across two reads simply waits for the rest. Pure functions, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/out_buffer.hpp"

namespace clasp::bench::mqtt {

// Control packet types (the high nibble of the fixed header's first byte).
enum class Type : std::uint8_t {
  Connect = 1, Connack = 2, Publish = 3, Puback = 4, Subscribe = 8, Suback = 9,
  Pingreq = 12, Pingresp = 13, Disconnect = 14,
};

void appendConnect(OutBuffer& out, std::string_view clientId, std::uint16_t keepAliveSeconds);
void appendSubscribe(OutBuffer& out, std::uint16_t packetId, std::string_view filter);  // QoS 0
// QoS 0, no retain; the payload is `value` in ASCII decimal.
void appendPublishDecimal(OutBuffer& out, std::string_view topic, std::uint64_t value);
void appendPingreq(OutBuffer& out);
void appendDisconnect(OutBuffer& out);

// One packet at the front of a buffer.
struct Packet {
  enum class Status : std::uint8_t { Ok, Incomplete, Malformed } status = Status::Incomplete;
  Type type{};
  std::uint8_t flags = 0;               // the fixed header's low nibble
  std::span<const std::uint8_t> body;   // variable header + payload
  std::size_t size = 0;                 // bytes of the whole packet
};
Packet splitPacket(std::span<const std::uint8_t> buf);

// A PUBLISH body: topic and payload (the packet id of QoS > 0 is skipped).
// False when the body is too short for what its header announces.
bool parsePublish(const Packet& p, std::string_view& topic, std::span<const std::uint8_t>& payload);

// An ASCII decimal payload (the tool's own stamps); false for anything else.
bool parseDecimal(std::span<const std::uint8_t> payload, std::uint64_t& value);

}  // namespace clasp::bench::mqtt
