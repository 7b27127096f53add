// PacketParser and the client -> server decoders (MQTT 3.1.1 §3, MQTT 5.0 §3).
// Each decoder reads the body with the sticky Reader, checks the fixed-header
// flags its packet type requires, and rejects trailing bytes. Which reason
// code a rule violation gets follows the v5 text: a broken encoding is
// Malformed Packet (0x81), a well-formed but forbidden value Protocol Error
// (0x82), and CONNECT/PUBLISH/SUBSCRIBE have their own codes where v5 names one.
#include "adapters/mqtt/mqtt_codec.hpp"

#include "adapters/mqtt/mqtt_topic.hpp"
#include "adapters/mqtt/mqtt_wire.hpp"

namespace clasp::mqtt {

using detail::Reader;

Parsed<std::optional<RawPacket>> PacketParser::next(Bytes bytes) const {
  if (bytes.empty()) return std::nullopt;
  const std::uint8_t first = bytes[0];
  if ((first >> 4) == 0)
    return std::unexpected(ProtocolError{ReasonCode::MalformedPacket, "reserved packet type 0", "fixed header"});
  std::uint32_t len = 0;
  std::size_t i = 1;
  for (;; ++i) {
    if (i > 4)
      return std::unexpected(ProtocolError{ReasonCode::MalformedPacket,
                                           "remaining length longer than 4 bytes", "fixed header"});
    if (i >= bytes.size()) return std::nullopt;
    const std::uint8_t b = bytes[i];
    if (i > 1 && b == 0)
      return std::unexpected(ProtocolError{ReasonCode::MalformedPacket,
                                           "non-minimal remaining length", "fixed header"});
    len |= std::uint32_t{b & 0x7Fu} << (7 * (i - 1));
    if ((b & 0x80) == 0) break;
  }
  const std::size_t total = i + 1 + std::size_t{len};
  if (total > max_)
    return std::unexpected(ProtocolError{ReasonCode::PacketTooLarge,
                                         "packet exceeds the maximum packet size", "fixed header"});
  if (bytes.size() < total) return std::nullopt;
  return RawPacket{static_cast<PacketType>(first >> 4), static_cast<std::uint8_t>(first & 0x0F),
                   bytes.subspan(i + 1, len), total};
}

namespace {

std::unexpected<ProtocolError> err(ReasonCode code, const char* reason, const char* field) {
  return std::unexpected(ProtocolError{code, reason, field});
}

// The reader's error if any, else a trailing-bytes check.
std::optional<ProtocolError> finish(const Reader& r, const char* field) {
  if (!r.ok()) return r.error();
  if (r.remaining() != 0) return ProtocolError{ReasonCode::MalformedPacket, "trailing bytes", field};
  return std::nullopt;
}

bool flagsAre(const RawPacket& p, std::uint8_t want) { return p.flags == want; }

std::unexpected<ProtocolError> badFlags(const char* field) {
  return err(ReasonCode::MalformedPacket, "reserved fixed-header flags", field);
}

// Reason codes a client may send, per packet (MQTT 5.0 §3.4.2.1 ... §3.15.2.1).
bool validPubAckReason(PacketType t, std::uint8_t c) {
  if (t == PacketType::Pubrel || t == PacketType::Pubcomp) return c == 0x00 || c == 0x92;
  switch (c) {
    case 0x00: case 0x10: case 0x80: case 0x83: case 0x87:
    case 0x90: case 0x91: case 0x97: case 0x99:
      return true;
    default:
      return false;
  }
}

bool validDisconnectReason(std::uint8_t c) {
  switch (c) {
    case 0x00: case 0x04: case 0x80: case 0x81: case 0x82: case 0x83: case 0x87: case 0x89:
    case 0x8B: case 0x8D: case 0x8E: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97:
    case 0x98: case 0x99: case 0x9A: case 0x9B: case 0x9C: case 0x9D: case 0x9E: case 0x9F:
    case 0xA0: case 0xA1: case 0xA2: case 0x8F: case 0x90: case 0x8C: case 0x88:
      return true;
    default:
      return false;
  }
}

}  // namespace

// CONNECT (§3.1): protocol name, level, flags, keep alive, [properties],
// client id, [will properties, will topic, will payload], [user], [password].
Parsed<Connect> decodeConnect(const RawPacket& p) {
  if (!flagsAre(p, 0)) return badFlags("CONNECT");
  Reader r(p.body);
  const std::string_view name = r.string("protocol name");
  const std::uint8_t level = r.u8("protocol level");
  if (!r.ok()) return std::unexpected(r.error());
  // §3.1.2.1-2: a wrong name or level gets CONNACK 0x84 (v3 return code 1).
  if (name != "MQTT" || (level != 4 && level != 5))
    return err(ReasonCode::UnsupportedProtocolVersion, "unsupported protocol name or level", "protocol level");
  Connect c;
  c.version = static_cast<Version>(level);
  const bool v5 = c.version == Version::V5;
  const std::uint8_t flags = r.u8("connect flags");
  c.keepAlive = r.u16("keep alive");
  if (!r.ok()) return std::unexpected(r.error());
  if (flags & 0x01) return err(ReasonCode::MalformedPacket, "reserved flag set", "connect flags");
  c.cleanStart = flags & 0x02;
  const bool willFlag = flags & 0x04;
  const std::uint8_t willQos = (flags >> 3) & 0x03;
  const bool willRetain = flags & 0x20;
  const bool passwordFlag = flags & 0x40;
  const bool userFlag = flags & 0x80;
  if (willQos == 3) return err(ReasonCode::MalformedPacket, "will QoS 3", "connect flags");
  if (!willFlag && (willQos != 0 || willRetain))
    return err(ReasonCode::MalformedPacket, "will QoS/retain without will flag", "connect flags");
  if (!v5 && passwordFlag && !userFlag)
    return err(ReasonCode::MalformedPacket, "password without user name", "connect flags");
  if (v5) {
    detail::readProperties(r, c.properties, detail::kConnectProps);
    if (r.ok() && c.properties.authenticationData && !c.properties.authenticationMethod)
      return err(ReasonCode::ProtocolError, "authentication data without method", "properties");
  }
  c.clientId = r.string("client identifier");
  if (!r.ok()) return std::unexpected(r.error());
  // §3.1.3-7 (v3.1.1): an empty id needs clean session; v5 lets the server assign one.
  if (!v5 && c.clientId.empty() && !c.cleanStart)
    return err(ReasonCode::ClientIdentifierNotValid, "empty client id without clean session",
               "client identifier");
  if (willFlag) {
    Will w;
    w.qos = willQos;
    w.retain = willRetain;
    if (v5) detail::readProperties(r, w.properties, detail::kWillProps);
    w.topic = r.string("will topic");
    w.payload = r.binary("will payload");
    if (!r.ok()) return std::unexpected(r.error());
    if (!isValidTopicName(w.topic))
      return err(ReasonCode::TopicNameInvalid, "wildcard or empty topic", "will topic");
    c.will = w;
  }
  if (userFlag) c.username = r.string("user name");
  if (passwordFlag) c.password = r.binary("password");
  if (auto e = finish(r, "CONNECT")) return std::unexpected(*e);
  return c;
}

// PUBLISH (§3.3): flags DUP|QoS|RETAIN, topic, [packet id], [properties], payload.
Parsed<Publish> decodePublish(const RawPacket& p, Version version) {
  Publish m;
  m.dup = p.flags & 0x08;
  m.qos = (p.flags >> 1) & 0x03;
  m.retain = p.flags & 0x01;
  if (m.qos == 3) return err(ReasonCode::MalformedPacket, "QoS 3", "PUBLISH flags");
  if (m.qos == 0 && m.dup) return err(ReasonCode::MalformedPacket, "DUP set on QoS 0", "PUBLISH flags");
  Reader r(p.body);
  // Read raw so that a wildcard gets TopicNameInvalid rather than Malformed.
  const Bytes topic = r.binary("topic name");
  m.topic = {reinterpret_cast<const char*>(topic.data()), topic.size()};
  if (m.qos > 0) {
    m.packetId = r.u16("packet identifier");
    if (r.ok() && m.packetId == 0)
      return err(ReasonCode::ProtocolError, "packet identifier 0", "packet identifier");
  }
  if (version == Version::V5) detail::readProperties(r, m.properties, detail::kPublishProps);
  if (!r.ok()) return std::unexpected(r.error());
  if (!isValidMqttString(m.topic))
    return err(ReasonCode::MalformedPacket, "invalid UTF-8 string", "topic name");
  if (m.topic.empty()) {
    // v5 §3.3.2.1: an empty topic is allowed only with a topic alias.
    if (version == Version::V5 && !m.properties.topicAlias)
      return err(ReasonCode::ProtocolError, "empty topic without topic alias", "topic name");
    if (version == Version::V311)
      return err(ReasonCode::TopicNameInvalid, "empty topic", "topic name");
  } else if (!isValidTopicName(m.topic)) {
    return err(ReasonCode::TopicNameInvalid, "wildcard in topic name", "topic name");
  }
  m.payload = r.take(r.remaining(), "payload");
  return m;
}

// PUBACK/PUBREC/PUBREL/PUBCOMP (§3.4-3.7): packet id, then in v5 an optional
// reason code and optional properties (remaining length 2, 3 or more).
Parsed<PubAck> decodePubAck(const RawPacket& p, Version version) {
  PubAck a;
  a.type = p.type;
  if (p.type < PacketType::Puback || p.type > PacketType::Pubcomp)
    return err(ReasonCode::ProtocolError, "not an acknowledgement", "packet type");
  if (!flagsAre(p, p.type == PacketType::Pubrel ? 0x02 : 0x00)) return badFlags("acknowledgement");
  Reader r(p.body);
  a.packetId = r.u16("packet identifier");
  if (r.ok() && a.packetId == 0)
    return err(ReasonCode::ProtocolError, "packet identifier 0", "packet identifier");
  if (version == Version::V5 && r.ok() && r.remaining() > 0) {
    const std::uint8_t code = r.u8("reason code");
    if (!validPubAckReason(p.type, code))
      return err(ReasonCode::ProtocolError, "reason code not valid for this packet", "reason code");
    a.reason = static_cast<ReasonCode>(code);
    if (r.remaining() > 0) detail::readProperties(r, a.properties, detail::kAckProps);
  }
  if (auto e = finish(r, "acknowledgement")) return std::unexpected(*e);
  return a;
}

// SUBSCRIBE (§3.8): flags 0b0010, packet id, [properties], then one or more
// (filter, options) pairs.
Parsed<Subscribe> decodeSubscribe(const RawPacket& p, Version version) {
  if (!flagsAre(p, 0x02)) return badFlags("SUBSCRIBE");
  const bool v5 = version == Version::V5;
  Subscribe s;
  Reader r(p.body);
  s.packetId = r.u16("packet identifier");
  if (r.ok() && s.packetId == 0)
    return err(ReasonCode::ProtocolError, "packet identifier 0", "packet identifier");
  if (v5) detail::readProperties(r, s.properties, detail::kSubscribeProps);
  if (!r.ok()) return std::unexpected(r.error());
  if (r.remaining() == 0) return err(ReasonCode::ProtocolError, "no topic filters", "SUBSCRIBE");
  while (r.ok() && r.remaining() > 0) {
    Subscription sub;
    sub.filter = r.string("topic filter");
    const std::uint8_t o = r.u8("subscription options");
    if (!r.ok()) break;
    sub.qos = o & 0x03;
    if (o & (v5 ? 0xC0 : 0xFC))
      return err(ReasonCode::MalformedPacket, "reserved bits set", "subscription options");
    sub.noLocal = o & 0x04;
    sub.retainAsPublished = o & 0x08;
    sub.retainHandling = (o >> 4) & 0x03;
    // v5 §3.8.3.1 calls QoS 3 a Protocol Error; v3.1.1 §3.8.3.1 a malformed packet.
    if (sub.qos == 3)
      return err(v5 ? ReasonCode::ProtocolError : ReasonCode::MalformedPacket, "QoS 3", "subscription options");
    if (sub.retainHandling == 3)
      return err(ReasonCode::ProtocolError, "retain handling 3", "subscription options");
    if (!isValidTopicFilter(sub.filter))
      return err(ReasonCode::TopicFilterInvalid, "invalid topic filter", "topic filter");
    // v5 §3.8.3.1: No Local on a shared subscription is a protocol error.
    if (sub.noLocal && !splitSharedFilter(sub.filter).group.empty())
      return err(ReasonCode::ProtocolError, "no local on a shared subscription", "subscription options");
    s.subscriptions.push_back(sub);
  }
  if (auto e = finish(r, "SUBSCRIBE")) return std::unexpected(*e);
  return s;
}

// UNSUBSCRIBE (§3.10): flags 0b0010, packet id, [properties], one or more filters.
Parsed<Unsubscribe> decodeUnsubscribe(const RawPacket& p, Version version) {
  if (!flagsAre(p, 0x02)) return badFlags("UNSUBSCRIBE");
  Unsubscribe u;
  Reader r(p.body);
  u.packetId = r.u16("packet identifier");
  if (r.ok() && u.packetId == 0)
    return err(ReasonCode::ProtocolError, "packet identifier 0", "packet identifier");
  if (version == Version::V5) detail::readProperties(r, u.properties, detail::kUnsubscribeProps);
  if (!r.ok()) return std::unexpected(r.error());
  if (r.remaining() == 0) return err(ReasonCode::ProtocolError, "no topic filters", "UNSUBSCRIBE");
  while (r.ok() && r.remaining() > 0) {
    const std::string_view f = r.string("topic filter");
    if (r.ok() && !isValidTopicFilter(f))
      return err(ReasonCode::TopicFilterInvalid, "invalid topic filter", "topic filter");
    u.filters.push_back(f);
  }
  if (auto e = finish(r, "UNSUBSCRIBE")) return std::unexpected(*e);
  return u;
}

Parsed<Pingreq> decodePingreq(const RawPacket& p) {
  if (!flagsAre(p, 0)) return badFlags("PINGREQ");
  if (!p.body.empty()) return err(ReasonCode::MalformedPacket, "trailing bytes", "PINGREQ");
  return Pingreq{};
}

// DISCONNECT (§3.14): empty in v3; in v5 an optional reason and properties.
Parsed<Disconnect> decodeDisconnect(const RawPacket& p, Version version) {
  if (!flagsAre(p, 0)) return badFlags("DISCONNECT");
  Disconnect d;
  Reader r(p.body);
  if (version == Version::V5 && r.remaining() > 0) {
    const std::uint8_t code = r.u8("reason code");
    if (!validDisconnectReason(code))
      return err(ReasonCode::ProtocolError, "reason code not valid for DISCONNECT", "reason code");
    d.reason = static_cast<ReasonCode>(code);
    if (r.remaining() > 0) detail::readProperties(r, d.properties, detail::kDisconnectProps);
  }
  if (auto e = finish(r, "DISCONNECT")) return std::unexpected(*e);
  return d;
}

// AUTH (§3.15, v5 only): optional reason (0x00, 0x18, 0x19) and properties.
Parsed<Auth> decodeAuth(const RawPacket& p, Version version) {
  if (version != Version::V5) return err(ReasonCode::MalformedPacket, "AUTH in MQTT 3.1.1", "packet type");
  if (!flagsAre(p, 0)) return badFlags("AUTH");
  Auth a;
  Reader r(p.body);
  if (r.remaining() > 0) {
    const std::uint8_t code = r.u8("reason code");
    if (code != 0x00 && code != 0x18 && code != 0x19)
      return err(ReasonCode::ProtocolError, "reason code not valid for AUTH", "reason code");
    a.reason = static_cast<ReasonCode>(code);
    if (r.remaining() > 0) detail::readProperties(r, a.properties, detail::kAuthProps);
    if (r.ok() && !a.properties.authenticationMethod)
      return err(ReasonCode::ProtocolError, "AUTH without authentication method", "properties");
  }
  if (auto e = finish(r, "AUTH")) return std::unexpected(*e);
  return a;
}

Parsed<ClientPacket> decodeClientPacket(const RawPacket& p, Version version) {
  auto wrap = [](auto&& r) -> Parsed<ClientPacket> {
    if (!r) return std::unexpected(r.error());
    return ClientPacket(std::move(*r));
  };
  switch (p.type) {
    case PacketType::Connect: return wrap(decodeConnect(p));
    case PacketType::Publish: return wrap(decodePublish(p, version));
    case PacketType::Puback:
    case PacketType::Pubrec:
    case PacketType::Pubrel:
    case PacketType::Pubcomp: return wrap(decodePubAck(p, version));
    case PacketType::Subscribe: return wrap(decodeSubscribe(p, version));
    case PacketType::Unsubscribe: return wrap(decodeUnsubscribe(p, version));
    case PacketType::Pingreq: return wrap(decodePingreq(p));
    case PacketType::Disconnect: return wrap(decodeDisconnect(p, version));
    case PacketType::Auth: return wrap(decodeAuth(p, version));
    case PacketType::Connack:
    case PacketType::Suback:
    case PacketType::Unsuback:
    case PacketType::Pingresp:
      return err(ReasonCode::ProtocolError, "server-to-client packet from a client", "packet type");
  }
  return err(ReasonCode::MalformedPacket, "reserved packet type 0", "packet type");
}

std::uint8_t connackReturnCodeV3(ReasonCode code) {
  switch (code) {
    case ReasonCode::Success: return 0;
    case ReasonCode::UnsupportedProtocolVersion: return 1;
    case ReasonCode::ClientIdentifierNotValid: return 2;
    case ReasonCode::BadUserNameOrPassword: return 4;
    case ReasonCode::NotAuthorized:
    case ReasonCode::Banned:
    case ReasonCode::BadAuthenticationMethod: return 5;
    default: return 3;  // Server unavailable: the v3 catch-all for "not now"
  }
}

}  // namespace clasp::mqtt
