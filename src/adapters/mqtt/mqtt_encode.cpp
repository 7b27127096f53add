// Encoders for MQTT 3.1.1 / 5.0 packets: every server -> client packet, plus
// the client -> server ones that tests and the fuzzer need to round-trip.
// Each writes the body after a 4-byte placeholder and then shrinks the
// remaining-length varint to its minimal size (Writer::closeLength), so a
// packet is built in one pass. v5 trailing reason codes and empty property
// blocks are omitted where the spec allows, giving the shortest encoding.
#include "adapters/mqtt/mqtt_codec.hpp"
#include "adapters/mqtt/mqtt_wire.hpp"

namespace clasp::mqtt {

using detail::Writer;

namespace {

// Runs `body` between a fixed header and its remaining length; undoes the
// append when the packet cannot be encoded.
template <class Body>
Parsed<std::size_t> packet(OutBuffer& out, std::uint8_t first, Body&& body) {
  const std::size_t start = out.size();
  Writer w(out);
  w.u8(first);
  const std::size_t at = w.openLength();
  body(w);
  w.closeLength(at);
  if (!w.ok()) {
    out.truncate(start);
    return std::unexpected(ProtocolError{ReasonCode::PacketTooLarge,
                                         "field or packet too long to encode", "encoder"});
  }
  return out.size() - start;
}

// Writes reason code and properties, dropping the properties when empty and
// then the reason too when it is Success (v5 §3.4.2.1, §3.14.2.1, §3.15.2.1).
void shortReasonAndProperties(Writer& w, ReasonCode reason, const Properties& props) {
  OutBuffer& out = w.out();
  const std::size_t reasonAt = out.size();
  w.u8(static_cast<std::uint8_t>(reason));
  const std::size_t propsAt = out.size();
  detail::writeProperties(w, props);
  if (out.size() == propsAt + 1) {  // a lone zero property length
    out.truncate(propsAt);
    if (reason == ReasonCode::Success) out.truncate(reasonAt);
  }
}

std::uint8_t v3SubackCode(ReasonCode c) {
  const auto v = static_cast<std::uint8_t>(c);
  return v <= 2 ? v : 0x80;
}

}  // namespace

Parsed<std::size_t> encodeConnack(OutBuffer& out, Version version, const Connack& p) {
  return packet(out, 0x20, [&](Writer& w) {
    w.u8(p.sessionPresent ? 1 : 0);
    if (version == Version::V311) {
      w.u8(connackReturnCodeV3(p.reason));
    } else {
      w.u8(static_cast<std::uint8_t>(p.reason));
      detail::writeProperties(w, p.properties);
    }
  });
}

Parsed<std::size_t> encodePublish(OutBuffer& out, Version version, const Publish& p) {
  const auto first = static_cast<std::uint8_t>(0x30 | (p.dup ? 0x08 : 0) | ((p.qos & 3) << 1) |
                                               (p.retain ? 0x01 : 0));
  return packet(out, first, [&](Writer& w) {
    w.string(p.topic);
    if (p.qos > 0) w.u16(p.packetId);
    if (version == Version::V5) detail::writeProperties(w, p.properties);
    w.out().append(p.payload.data(), p.payload.size());
  });
}

Parsed<std::size_t> encodePubAck(OutBuffer& out, Version version, const PubAck& p) {
  const auto first = static_cast<std::uint8_t>((static_cast<std::uint8_t>(p.type) << 4) |
                                               (p.type == PacketType::Pubrel ? 0x02 : 0));
  return packet(out, first, [&](Writer& w) {
    w.u16(p.packetId);
    if (version == Version::V5) shortReasonAndProperties(w, p.reason, p.properties);
  });
}

Parsed<std::size_t> encodeSuback(OutBuffer& out, Version version, const Suback& p) {
  return packet(out, 0x90, [&](Writer& w) {
    w.u16(p.packetId);
    if (version == Version::V5) detail::writeProperties(w, p.properties);
    for (ReasonCode c : p.reasons)
      w.u8(version == Version::V5 ? static_cast<std::uint8_t>(c) : v3SubackCode(c));
  });
}

Parsed<std::size_t> encodeUnsuback(OutBuffer& out, Version version, const Unsuback& p) {
  return packet(out, 0xB0, [&](Writer& w) {
    w.u16(p.packetId);
    if (version == Version::V311) return;
    detail::writeProperties(w, p.properties);
    for (ReasonCode c : p.reasons) w.u8(static_cast<std::uint8_t>(c));
  });
}

Parsed<std::size_t> encodePingresp(OutBuffer& out) {
  return packet(out, 0xD0, [](Writer&) {});
}

Parsed<std::size_t> encodeDisconnect(OutBuffer& out, Version version, const Disconnect& p) {
  return packet(out, 0xE0, [&](Writer& w) {
    if (version == Version::V5) shortReasonAndProperties(w, p.reason, p.properties);
  });
}

Parsed<std::size_t> encodeAuth(OutBuffer& out, const Auth& p) {
  return packet(out, 0xF0, [&](Writer& w) { shortReasonAndProperties(w, p.reason, p.properties); });
}

Parsed<std::size_t> encodeConnect(OutBuffer& out, const Connect& p) {
  const bool v5 = p.version == Version::V5;
  return packet(out, 0x10, [&](Writer& w) {
    w.string("MQTT");
    w.u8(static_cast<std::uint8_t>(p.version));
    std::uint8_t flags = p.cleanStart ? 0x02 : 0;
    if (p.will) {
      flags |= 0x04 | ((p.will->qos & 3) << 3) | (p.will->retain ? 0x20 : 0);
    }
    if (p.password) flags |= 0x40;
    if (p.username) flags |= 0x80;
    w.u8(flags);
    w.u16(p.keepAlive);
    if (v5) detail::writeProperties(w, p.properties);
    w.string(p.clientId);
    if (p.will) {
      if (v5) detail::writeProperties(w, p.will->properties);
      w.string(p.will->topic);
      w.binary(p.will->payload);
    }
    if (p.username) w.string(*p.username);
    if (p.password) w.binary(*p.password);
  });
}

Parsed<std::size_t> encodeSubscribe(OutBuffer& out, Version version, const Subscribe& p) {
  return packet(out, 0x82, [&](Writer& w) {
    w.u16(p.packetId);
    if (version == Version::V5) detail::writeProperties(w, p.properties);
    for (const Subscription& s : p.subscriptions) {
      w.string(s.filter);
      std::uint8_t o = s.qos & 3;
      if (version == Version::V5) {
        o |= (s.noLocal ? 0x04 : 0) | (s.retainAsPublished ? 0x08 : 0) |
             ((s.retainHandling & 3) << 4);
      }
      w.u8(o);
    }
  });
}

Parsed<std::size_t> encodeUnsubscribe(OutBuffer& out, Version version, const Unsubscribe& p) {
  return packet(out, 0xA2, [&](Writer& w) {
    w.u16(p.packetId);
    if (version == Version::V5) detail::writeProperties(w, p.properties);
    for (std::string_view f : p.filters) w.string(f);
  });
}

Parsed<std::size_t> encodePingreq(OutBuffer& out) {
  return packet(out, 0xC0, [](Writer&) {});
}

}  // namespace clasp::mqtt
