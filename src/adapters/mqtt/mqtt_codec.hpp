// MQTT 3.1.1 / 5.0 server-side codec, with no I/O: PacketParser cuts a client's
// byte stream into packets, decode*() turn one packet into a struct from
// mqtt_packets.hpp (checking every rule that needs no session state), and
// encode*() append server -> client packets to an OutBuffer. Rules that need
// session state (topic alias range, second CONNECT, packet id in use, session
// expiry on DISCONNECT) belong to the session. Pure functions; a parser is
// owned by the connection's loop thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <variant>

#include "adapters/mqtt/mqtt_packets.hpp"
#include "core/out_buffer.hpp"

namespace clasp::mqtt {

// The largest remaining length a 4-byte varint holds (MQTT §1.5.5 / §2.2.3).
inline constexpr std::uint32_t kMaxRemainingLength = 268'435'455;
// Fixed header of the largest packet: type byte + 4 length bytes.
inline constexpr std::size_t kMaxPacketSize = kMaxRemainingLength + 5;

// One packet cut from the stream: its fixed header and a view of its body.
struct RawPacket {
  PacketType type;
  std::uint8_t flags;  // low nibble of the first byte
  Bytes body;          // the remaining-length bytes after the fixed header
  std::size_t size;    // whole packet: consume this many bytes
};

// Cuts packets from the front of a buffer. Stateless apart from the limit, so
// the caller keeps the unconsumed tail and calls again when bytes arrive.
class PacketParser {
 public:
  // maxPacketSize bounds the whole packet (header included), like the v5
  // Maximum Packet Size property; clamped to kMaxPacketSize.
  explicit PacketParser(std::size_t maxPacketSize = kMaxPacketSize)
      : max_(maxPacketSize < kMaxPacketSize ? maxPacketSize : kMaxPacketSize) {}

  // The packet at the start of `bytes`, or nullopt when more bytes are needed.
  // A packet whose header announces more than the limit fails with
  // PacketTooLarge as soon as its length is known, before its body arrives.
  Parsed<std::optional<RawPacket>> next(Bytes bytes) const;

  std::size_t maxPacketSize() const { return max_; }

 private:
  std::size_t max_;
};

// Every packet a client may send to a server.
using ClientPacket =
    std::variant<Connect, Publish, PubAck, Subscribe, Unsubscribe, Pingreq, Disconnect, Auth>;

// Decodes CONNECT regardless of `version` (it carries its own); any other
// packet as the version the session negotiated. Server -> client types fail
// with ProtocolError, reserved type 0 with MalformedPacket.
Parsed<ClientPacket> decodeClientPacket(const RawPacket& p, Version version);

Parsed<Connect> decodeConnect(const RawPacket& p);
Parsed<Publish> decodePublish(const RawPacket& p, Version version);
Parsed<PubAck> decodePubAck(const RawPacket& p, Version version);  // PUBACK/REC/REL/COMP
Parsed<Subscribe> decodeSubscribe(const RawPacket& p, Version version);
Parsed<Unsubscribe> decodeUnsubscribe(const RawPacket& p, Version version);
Parsed<Pingreq> decodePingreq(const RawPacket& p);
Parsed<Disconnect> decodeDisconnect(const RawPacket& p, Version version);
Parsed<Auth> decodeAuth(const RawPacket& p, Version version);  // v5 only

// The v3.1.1 CONNACK return code (0-5) closest to a v5 reason code.
std::uint8_t connackReturnCodeV3(ReasonCode code);

// Encoders append one packet to `out`. They fail (leaving `out` unchanged)
// only when the packet would exceed kMaxRemainingLength; properties are
// dropped for v3.1.1. The caller checks the client's Maximum Packet Size
// against the appended size.
Parsed<std::size_t> encodeConnack(OutBuffer& out, Version version, const Connack& p);
Parsed<std::size_t> encodePublish(OutBuffer& out, Version version, const Publish& p);
Parsed<std::size_t> encodePubAck(OutBuffer& out, Version version, const PubAck& p);
Parsed<std::size_t> encodeSuback(OutBuffer& out, Version version, const Suback& p);
Parsed<std::size_t> encodeUnsuback(OutBuffer& out, Version version, const Unsuback& p);
Parsed<std::size_t> encodePingresp(OutBuffer& out);
Parsed<std::size_t> encodeDisconnect(OutBuffer& out, Version version, const Disconnect& p);  // v5
Parsed<std::size_t> encodeAuth(OutBuffer& out, const Auth& p);                              // v5

// Client -> server encoders, for tests, tools and the fuzzer's round trips.
Parsed<std::size_t> encodeConnect(OutBuffer& out, const Connect& p);
Parsed<std::size_t> encodeSubscribe(OutBuffer& out, Version version, const Subscribe& p);
Parsed<std::size_t> encodeUnsubscribe(OutBuffer& out, Version version, const Unsubscribe& p);
Parsed<std::size_t> encodePingreq(OutBuffer& out);

}  // namespace clasp::mqtt
