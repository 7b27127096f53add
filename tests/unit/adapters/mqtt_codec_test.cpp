// MQTT 3.1.1 / 5.0 codec: byte-exact encodings from the specifications'
// examples, round trips through encoder, stream parser and decoder, every
// rule the decoders enforce with the reason code it maps to, remaining-length
// boundaries, and a stream of packets split at every byte offset. Packets are
// built here byte by byte so that malformed ones can be built too.
#include <gtest/gtest.h>

#include <deque>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/mqtt/mqtt_codec.hpp"

namespace clasp::mqtt {
namespace {

using ByteVec = std::vector<std::uint8_t>;

ByteVec cat(std::initializer_list<ByteVec> parts) {
  ByteVec out;
  for (const ByteVec& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

ByteVec str(std::string_view s) {
  ByteVec out{static_cast<std::uint8_t>(s.size() >> 8), static_cast<std::uint8_t>(s.size())};
  // Byte by byte: GCC 12 -O3 misreports an insert() here (-Warray-bounds).
  for (char c : s) out.push_back(static_cast<std::uint8_t>(c));
  return out;
}

ByteVec varint(std::uint32_t v) {
  ByteVec out;
  do {
    std::uint8_t b = v & 0x7F;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
  return out;
}

// A packet with a correct remaining length.
ByteVec pkt(std::uint8_t first, const ByteVec& body) {
  return cat({{first}, varint(static_cast<std::uint32_t>(body.size())), body});
}

// A v5 property block from its raw bytes.
ByteVec props(const ByteVec& raw) { return cat({varint(static_cast<std::uint32_t>(raw.size())), raw}); }

ByteVec bytes(const OutBuffer& out) { return {out.data(), out.data() + out.size()}; }

std::string_view sv(Bytes b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }
Bytes asBytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

// Decoded packets view their input, so every input is kept for the whole run.
const ByteVec& keep(const ByteVec& b) {
  static std::deque<ByteVec> store;
  return store.emplace_back(b);
}

Parsed<ClientPacket> decode(const ByteVec& input, Version v) {
  const ByteVec& b = keep(input);
  PacketParser parser;
  auto raw = parser.next(b);
  if (!raw) return std::unexpected(raw.error());
  EXPECT_TRUE(raw->has_value()) << "incomplete packet";
  if (!raw->has_value()) return std::unexpected(ProtocolError{ReasonCode::UnspecifiedError, "incomplete"});
  EXPECT_EQ((*raw)->size, b.size());
  return decodeClientPacket(**raw, v);
}

template <class T>
T decodeAs(const ByteVec& b, Version v) {
  auto r = decode(b, v);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().reason) << " / " << (r ? "" : r.error().field);
  if (!r || !std::holds_alternative<T>(*r)) {
    ADD_FAILURE() << "wrong packet kind";
    return T{};
  }
  return std::get<T>(*r);
}

// The v5 reason code a malformed packet is rejected with.
ReasonCode rejectCode(const ByteVec& b, Version v) {
  auto r = decode(b, v);
  EXPECT_FALSE(r.has_value()) << "accepted a packet that should fail";
  return r ? ReasonCode::Success : r.error().code;
}

constexpr Version V3 = Version::V311;
constexpr Version V5 = Version::V5;
constexpr ReasonCode kMalformed = ReasonCode::MalformedPacket;
constexpr ReasonCode kProtocol = ReasonCode::ProtocolError;

ByteVec connectHeader(std::uint8_t level, std::uint8_t flags) {
  return cat({str("MQTT"), {level, flags, 0x00, 0x3C}});
}

// ---------------------------------------------------------------- parser

TEST(MqttParser, RemainingLengthBoundaries) {
  // MQTT 5.0 §1.5.5 table: 0, 127 | 128, 16383 | 16384, 2097151 | 2097152, 268435455.
  const std::vector<std::pair<std::uint32_t, ByteVec>> table = {
      {0, {0x00}},
      {127, {0x7F}},
      {128, {0x80, 0x01}},
      {16383, {0xFF, 0x7F}},
      {16384, {0x80, 0x80, 0x01}},
      {2097151, {0xFF, 0xFF, 0x7F}},
      {2097152, {0x80, 0x80, 0x80, 0x01}},
      {268435455, {0xFF, 0xFF, 0xFF, 0x7F}},
  };
  PacketParser parser;
  for (const auto& [len, enc] : table) {
    EXPECT_EQ(varint(len), enc) << len;
    ByteVec header = cat({{0x30}, enc});
    // The header alone: the parser waits for the body.
    auto r = parser.next(header);
    ASSERT_TRUE(r) << len;
    EXPECT_EQ(r->has_value(), len == 0) << len;
    // A limit one byte short of the packet rejects it from the header alone.
    PacketParser tight(header.size() + len - 1);
    auto t = tight.next(header);
    ASSERT_FALSE(t) << len;
    EXPECT_EQ(t.error().code, ReasonCode::PacketTooLarge);
    if (len <= 2097152) {
      // Whole packets up to 2 MiB: encoded by encodePublish, cut by the parser.
      const std::uint32_t payload = len - 3;  // topic "a" takes 3 bytes
      if (len < 3) continue;
      ByteVec data(payload, 0x5A);
      OutBuffer out;
      Publish p;
      p.topic = "a";
      p.payload = data;
      ASSERT_TRUE(encodePublish(out, V3, p));
      ByteVec b = bytes(out);
      EXPECT_EQ(ByteVec(b.begin() + 1, b.begin() + 1 + static_cast<std::ptrdiff_t>(enc.size())), enc);
      ASSERT_EQ(b.size(), 1 + enc.size() + len);
      PacketParser exact(b.size());
      auto whole = exact.next(b);
      ASSERT_TRUE(whole && whole->has_value()) << len;
      EXPECT_EQ((*whole)->body.size(), len);
      auto pub = decodePublish(**whole, V3);
      ASSERT_TRUE(pub);
      EXPECT_EQ(pub->payload.size(), payload);
    }
  }
  // An empty-body packet (PINGREQ) at remaining length 0.
  auto ping = parser.next(ByteVec{0xC0, 0x00});
  ASSERT_TRUE(ping && ping->has_value());
  EXPECT_EQ((*ping)->size, 2u);
}

TEST(MqttParser, RejectsMalformedLengths) {
  PacketParser parser;
  for (const ByteVec& b : {ByteVec{0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, ByteVec{0x30, 0x80, 0x80, 0x80, 0x80, 0x01},
                           ByteVec{0x30, 0x80, 0x80, 0x80, 0x80}}) {
    auto r = parser.next(b);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, kMalformed);
  }
  // Non-minimal: 0 written as 0x80 0x00.
  auto r = parser.next(ByteVec{0xC0, 0x80, 0x00});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kMalformed);
  // Partial headers are "need more", never an error.
  for (const ByteVec& b : {ByteVec{}, ByteVec{0x30}, ByteVec{0x30, 0x80}, ByteVec{0x30, 0xFF, 0xFF, 0xFF}}) {
    auto p = parser.next(b);
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->has_value());
  }
  auto zero = parser.next(ByteVec{0x00, 0x00});
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().code, kMalformed);
}

TEST(MqttParser, MaximumPacketSize) {
  const ByteVec b = pkt(0x30, cat({str("t"), ByteVec(10, 1)}));  // 15 bytes
  EXPECT_TRUE(PacketParser(15).next(b));
  auto r = PacketParser(14).next(b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ReasonCode::PacketTooLarge);
  // Rejected as soon as the length is known, with only 2 bytes received.
  auto early = PacketParser(14).next(ByteVec(b.begin(), b.begin() + 2));
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, ReasonCode::PacketTooLarge);
  EXPECT_EQ(PacketParser(1ull << 40).maxPacketSize(), kMaxPacketSize);
}

TEST(MqttParser, ServerPacketsFromAClientAreRejected) {
  for (std::uint8_t first : {0x20, 0x90, 0xB0, 0xD0}) {
    EXPECT_EQ(rejectCode(pkt(first, {0, 1, 0}), V5), kProtocol) << int(first);
  }
}

// A stream of several v5 packets, cut at every offset into two reads.
TEST(MqttParser, SplitAtEveryOffset) {
  const ByteVec stream = cat({
      pkt(0x10, cat({connectHeader(5, 0x02), props({0x11, 0, 0, 0, 10}), str("cid")})),
      pkt(0x82, cat({{0, 1}, props({0x0B, 0x05}), str("a/+"), {0x01}, str("b/#"), {0x2A}})),
      pkt(0x32, cat({str("a/b"), {0, 2}, props({0x23, 0, 1}), str("payload")})),
      pkt(0x40, {0, 7, 0x10, 0}),
      pkt(0x62, {0, 2}),
      pkt(0xC0, {}),
      pkt(0xA2, cat({{0, 3}, props({}), str("a/+")})),
      pkt(0xE0, {0x04, 0}),
  });
  const std::vector<PacketType> want = {PacketType::Connect, PacketType::Subscribe, PacketType::Publish,
                                        PacketType::Puback, PacketType::Pubrel, PacketType::Pingreq,
                                        PacketType::Unsubscribe, PacketType::Disconnect};
  PacketParser parser;
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    std::vector<PacketType> got;
    ByteVec buf(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(cut));
    auto drain = [&] {
      while (true) {
        auto r = parser.next(buf);
        ASSERT_TRUE(r) << cut;
        if (!r->has_value()) return;
        ASSERT_TRUE(decodeClientPacket(**r, V5)) << cut;
        got.push_back((*r)->type);
        buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>((*r)->size));
      }
    };
    drain();
    buf.insert(buf.end(), stream.begin() + static_cast<std::ptrdiff_t>(cut), stream.end());
    drain();
    EXPECT_EQ(got, want) << cut;
    EXPECT_TRUE(buf.empty()) << cut;
  }
}

// --------------------------------------------------------------- CONNECT

TEST(MqttConnect, SpecExampleV5) {
  // MQTT 5.0 §3.1.2.11 example variable header: level 5, flags 0xC2, keep
  // alive 10, properties length 5, session expiry 10.
  const ByteVec b = pkt(0x10, cat({{0, 4, 'M', 'Q', 'T', 'T', 5, 0xC2, 0, 10, 5, 0x11, 0, 0, 0, 10},
                                   str("client"), str("user"), str("pw")}));
  auto c = decodeAs<Connect>(b, V5);
  EXPECT_EQ(c.version, V5);
  EXPECT_TRUE(c.cleanStart);
  EXPECT_EQ(c.keepAlive, 10);
  EXPECT_EQ(c.properties.sessionExpiryInterval, 10u);
  EXPECT_EQ(c.clientId, "client");
  EXPECT_EQ(c.username, "user");
  ASSERT_TRUE(c.password);
  EXPECT_EQ(sv(*c.password), "pw");
  EXPECT_FALSE(c.will);
}

TEST(MqttConnect, V311WithWill) {
  const ByteVec b = pkt(0x10, cat({connectHeader(4, 0x04 | 0x08 | 0x20 | 0x02), str("id"),
                                   str("will/topic"), str("bye")}));
  auto c = decodeAs<Connect>(b, V3);
  EXPECT_EQ(c.version, V3);
  ASSERT_TRUE(c.will);
  EXPECT_EQ(c.will->qos, 1);
  EXPECT_TRUE(c.will->retain);
  EXPECT_EQ(c.will->topic, "will/topic");
  EXPECT_EQ(sv(c.will->payload), "bye");
}

TEST(MqttConnect, RoundTripV5AllProperties) {
  Connect c;
  c.version = V5;
  c.cleanStart = true;
  c.keepAlive = 300;
  c.clientId = "dev-1";
  c.properties.sessionExpiryInterval = 3600;
  c.properties.receiveMaximum = 20;
  c.properties.maximumPacketSize = 65536;
  c.properties.topicAliasMaximum = 8;
  c.properties.requestResponseInformation = 1;
  c.properties.requestProblemInformation = 0;
  c.properties.userProperties = {{"k", "v"}, {"k", "w"}};
  c.properties.authenticationMethod = "SCRAM";
  c.properties.authenticationData = asBytes("xyz");
  Will w;
  w.topic = "dead/dev-1";
  w.payload = asBytes("gone");
  w.qos = 2;
  w.properties.willDelayInterval = 5;
  w.properties.payloadFormatIndicator = 1;
  w.properties.messageExpiryInterval = 60;
  w.properties.contentType = "text/plain";
  w.properties.responseTopic = "r/t";
  w.properties.correlationData = asBytes("cd");
  w.properties.userProperties = {{"a", "b"}};
  c.will = w;
  c.username = "u";
  OutBuffer out;
  ASSERT_TRUE(encodeConnect(out, c));
  auto d = decodeAs<Connect>(bytes(out), V3);  // CONNECT carries its own version
  EXPECT_EQ(d.version, V5);
  EXPECT_EQ(d.keepAlive, 300);
  EXPECT_EQ(d.clientId, "dev-1");
  EXPECT_EQ(d.properties.sessionExpiryInterval, 3600u);
  EXPECT_EQ(d.properties.receiveMaximum, 20);
  EXPECT_EQ(d.properties.maximumPacketSize, 65536u);
  EXPECT_EQ(d.properties.topicAliasMaximum, 8);
  EXPECT_EQ(d.properties.requestResponseInformation, 1);
  EXPECT_EQ(d.properties.requestProblemInformation, 0);
  EXPECT_EQ(d.properties.userProperties, c.properties.userProperties);
  EXPECT_EQ(d.properties.authenticationMethod, "SCRAM");
  EXPECT_EQ(sv(*d.properties.authenticationData), "xyz");
  ASSERT_TRUE(d.will);
  EXPECT_EQ(d.will->qos, 2);
  EXPECT_EQ(d.will->topic, "dead/dev-1");
  EXPECT_EQ(sv(d.will->payload), "gone");
  EXPECT_EQ(d.will->properties.willDelayInterval, 5u);
  EXPECT_EQ(d.will->properties.payloadFormatIndicator, 1);
  EXPECT_EQ(d.will->properties.contentType, "text/plain");
  EXPECT_EQ(d.will->properties.responseTopic, "r/t");
  EXPECT_EQ(sv(*d.will->properties.correlationData), "cd");
  EXPECT_EQ(d.username, "u");
  EXPECT_FALSE(d.password);
}

TEST(MqttConnect, Rejections) {
  auto connect = [](const ByteVec& header, const ByteVec& rest) { return pkt(0x10, cat({header, rest})); };
  const ByteVec id = str("id");
  // Protocol name and level: 0x84 (v3 return code 1).
  EXPECT_EQ(rejectCode(connect(cat({str("MQIsdp"), {3, 2, 0, 60}}), id), V3),
            ReasonCode::UnsupportedProtocolVersion);
  EXPECT_EQ(rejectCode(connect(connectHeader(3, 2), id), V3), ReasonCode::UnsupportedProtocolVersion);
  EXPECT_EQ(rejectCode(connect(connectHeader(6, 2), id), V3), ReasonCode::UnsupportedProtocolVersion);
  EXPECT_EQ(rejectCode(connect(cat({str("MQTX"), {4, 2, 0, 60}}), id), V3),
            ReasonCode::UnsupportedProtocolVersion);
  // Flags.
  EXPECT_EQ(rejectCode(connect(connectHeader(4, 0x03), id), V3), kMalformed);  // reserved bit
  EXPECT_EQ(rejectCode(connect(connectHeader(4, 0x1E), cat({id, str("t"), str("p")})), V3), kMalformed);  // will QoS 3
  EXPECT_EQ(rejectCode(connect(connectHeader(4, 0x0A), id), V3), kMalformed);  // will QoS w/o will
  EXPECT_EQ(rejectCode(connect(connectHeader(4, 0x22), id), V3), kMalformed);  // will retain w/o will
  EXPECT_EQ(rejectCode(connect(connectHeader(4, 0x42), cat({id, str("pw")})), V3), kMalformed);  // v3 pw w/o user
  EXPECT_EQ(rejectCode(pkt(0x11, cat({connectHeader(4, 2), id})), V3), kMalformed);  // header flags
  // v5 allows a password without a user name.
  EXPECT_TRUE(decode(connect(connectHeader(5, 0x42), cat({props({}), id, str("pw")})), V5));
  // Client identifier.
  EXPECT_EQ(rejectCode(connect(connectHeader(4, 0x00), str("")), V3), ReasonCode::ClientIdentifierNotValid);
  EXPECT_TRUE(decode(connect(connectHeader(4, 0x02), str("")), V3));
  EXPECT_TRUE(decode(connect(connectHeader(5, 0x00), cat({props({}), str("")})), V5));
  EXPECT_EQ(rejectCode(connect(connectHeader(4, 2), str(std::string("a\0b", 3))), V3), kMalformed);
  EXPECT_EQ(rejectCode(connect(connectHeader(4, 2), str("\xFF")), V3), kMalformed);
  // Will topic.
  EXPECT_EQ(rejectCode(connect(connectHeader(4, 0x06), cat({id, str("a/+"), str("p")})), V3),
            ReasonCode::TopicNameInvalid);
  // Truncated and trailing.
  EXPECT_EQ(rejectCode(connect(connectHeader(4, 0x06), cat({id, str("t")})), V3), kMalformed);
  EXPECT_EQ(rejectCode(connect(connectHeader(4, 2), cat({id, {0}})), V3), kMalformed);
  EXPECT_EQ(rejectCode(pkt(0x10, {0, 4, 'M', 'Q'}), V3), kMalformed);
  // v5 properties: duplicate, zero values, not allowed, auth data without method.
  const ByteVec h5 = connectHeader(5, 2);
  EXPECT_EQ(rejectCode(connect(h5, cat({props({0x11, 0, 0, 0, 1, 0x11, 0, 0, 0, 2}), id})), V5), kProtocol);
  EXPECT_EQ(rejectCode(connect(h5, cat({props({0x21, 0, 0}), id})), V5), kProtocol);
  EXPECT_EQ(rejectCode(connect(h5, cat({props({0x27, 0, 0, 0, 0}), id})), V5), kProtocol);
  EXPECT_EQ(rejectCode(connect(h5, cat({props({0x19, 2}), id})), V5), kProtocol);
  EXPECT_EQ(rejectCode(connect(h5, cat({props({0x17, 2}), id})), V5), kProtocol);
  EXPECT_EQ(rejectCode(connect(h5, cat({props({0x23, 0, 1}), id})), V5), kMalformed);
  EXPECT_EQ(rejectCode(connect(h5, cat({props({0x7F, 0}), id})), V5), kMalformed);
  EXPECT_EQ(rejectCode(connect(h5, cat({props({0x16, 0, 1, 'x'}), id})), V5), kProtocol);
  EXPECT_EQ(rejectCode(connect(h5, cat({{0x05, 0x11, 0}, id})), V5), kMalformed);  // length past the block
  // Will properties are checked against their own list.
  EXPECT_EQ(rejectCode(connect(connectHeader(5, 0x06), cat({props({}), id, props({0x11, 0, 0, 0, 1}),
                                                            str("t"), str("p")})), V5),
            kMalformed);
}

// --------------------------------------------------------------- PUBLISH

TEST(MqttPublish, SpecExampleV311) {
  // MQTT 3.1.1 §3.3.2.3 example: topic "a/b", packet identifier 10.
  const ByteVec b = pkt(0x32, {0x00, 0x03, 'a', '/', 'b', 0x00, 0x0A, 'h', 'i'});
  auto p = decodeAs<Publish>(b, V3);
  EXPECT_EQ(p.topic, "a/b");
  EXPECT_EQ(p.qos, 1);
  EXPECT_EQ(p.packetId, 10);
  EXPECT_EQ(sv(p.payload), "hi");
  OutBuffer out;
  ASSERT_TRUE(encodePublish(out, V3, p));
  EXPECT_EQ(bytes(out), b);
}

TEST(MqttPublish, RoundTripBothVersions) {
  for (Version v : {V3, V5}) {
    for (std::uint8_t qos : {0, 1, 2}) {
      Publish p;
      p.qos = qos;
      p.dup = qos > 0;
      p.retain = true;
      p.topic = "sensors/t1";
      p.packetId = qos ? 0xBEEF : 0;
      p.payload = asBytes("21.5");
      if (v == V5) {
        p.properties.topicAlias = 3;
        p.properties.messageExpiryInterval = 99;
        p.properties.payloadFormatIndicator = 1;
        p.properties.contentType = "text/plain";
        p.properties.responseTopic = "reply/1";
        p.properties.correlationData = asBytes("\x01\x02");
        p.properties.userProperties = {{"unit", "C"}};
      }
      OutBuffer out;
      ASSERT_TRUE(encodePublish(out, v, p));
      auto d = decodeAs<Publish>(bytes(out), v);
      EXPECT_EQ(d.qos, qos);
      EXPECT_EQ(d.dup, p.dup);
      EXPECT_TRUE(d.retain);
      EXPECT_EQ(d.topic, p.topic);
      EXPECT_EQ(d.packetId, p.packetId);
      EXPECT_EQ(sv(d.payload), "21.5");
      EXPECT_EQ(d.properties.topicAlias, p.properties.topicAlias);
      EXPECT_EQ(d.properties.messageExpiryInterval, p.properties.messageExpiryInterval);
      EXPECT_EQ(d.properties.contentType, p.properties.contentType);
      EXPECT_EQ(d.properties.responseTopic, p.properties.responseTopic);
      EXPECT_EQ(d.properties.userProperties, p.properties.userProperties);
    }
  }
}

TEST(MqttPublish, Rejections) {
  EXPECT_EQ(rejectCode(pkt(0x36, cat({str("a"), {0, 1}})), V3), kMalformed);  // QoS 3
  EXPECT_EQ(rejectCode(pkt(0x38, str("a")), V3), kMalformed);                  // DUP on QoS 0
  EXPECT_EQ(rejectCode(pkt(0x30, str("a/+")), V3), ReasonCode::TopicNameInvalid);
  EXPECT_EQ(rejectCode(pkt(0x30, cat({str("#"), props({})})), V5), ReasonCode::TopicNameInvalid);
  EXPECT_EQ(rejectCode(pkt(0x30, str(std::string("a\0", 2))), V3), kMalformed);
  EXPECT_EQ(rejectCode(pkt(0x30, str("\xC3")), V3), kMalformed);
  EXPECT_EQ(rejectCode(pkt(0x32, cat({str("a"), {0, 0}})), V3), kProtocol);  // packet id 0
  EXPECT_EQ(rejectCode(pkt(0x32, str("a")), V3), kMalformed);                // truncated id
  EXPECT_EQ(rejectCode(pkt(0x30, {0, 5, 'a'}), V3), kMalformed);             // truncated topic
  EXPECT_EQ(rejectCode(pkt(0x30, str("")), V3), ReasonCode::TopicNameInvalid);
  EXPECT_EQ(rejectCode(pkt(0x30, cat({str(""), props({})})), V5), kProtocol);
  EXPECT_TRUE(decode(pkt(0x30, cat({str(""), props({0x23, 0, 1})})), V5));
  EXPECT_EQ(rejectCode(pkt(0x30, cat({str("a"), props({0x23, 0, 0})})), V5), kProtocol);
  EXPECT_EQ(rejectCode(pkt(0x30, cat({str("a"), props({0x0B, 1})})), V5), kProtocol);
  EXPECT_EQ(rejectCode(pkt(0x30, cat({str("a"), props({0x01, 2})})), V5), kProtocol);
  EXPECT_EQ(rejectCode(pkt(0x30, cat({str("a"), props({0x02, 0, 0, 0, 1, 0x02, 0, 0, 0, 1})})), V5), kProtocol);
  EXPECT_EQ(rejectCode(pkt(0x30, cat({str("a"), props({0x11, 0, 0, 0, 1})})), V5), kMalformed);
  EXPECT_EQ(rejectCode(pkt(0x30, cat({str("a"), props({0x08}), {}})), V5), kMalformed);
  EXPECT_EQ(rejectCode(pkt(0x30, cat({str("a"), props({0x08, 0, 1, '#'})})), V5), kProtocol);
  EXPECT_EQ(rejectCode(pkt(0x30, cat({str("a"), {0x09, 0x02, 0x00}})), V5), kMalformed);
  EXPECT_EQ(rejectCode(pkt(0x30, cat({str("a"), {0x80, 0x00}})), V5), kMalformed);  // non-minimal
  // The rest of a v3 body is payload, even if it looks like properties.
  EXPECT_EQ(sv(decodeAs<Publish>(pkt(0x30, cat({str("a"), {0x05}})), V3).payload), "\x05");
}

// ------------------------------------------------------------ acks

TEST(MqttAck, ByteExactAndRoundTrip) {
  OutBuffer out;
  ASSERT_TRUE(encodePubAck(out, V3, PubAck{PacketType::Puback, 10, ReasonCode::Success, {}}));
  EXPECT_EQ(bytes(out), (ByteVec{0x40, 0x02, 0x00, 0x0A}));
  out.clear();
  ASSERT_TRUE(encodePubAck(out, V5, PubAck{PacketType::Pubrel, 10, ReasonCode::Success, {}}));
  EXPECT_EQ(bytes(out), (ByteVec{0x62, 0x02, 0x00, 0x0A}));
  out.clear();
  ASSERT_TRUE(encodePubAck(out, V5, PubAck{PacketType::Pubrec, 10, ReasonCode::NoMatchingSubscribers, {}}));
  EXPECT_EQ(bytes(out), (ByteVec{0x50, 0x03, 0x00, 0x0A, 0x10}));
  out.clear();
  ASSERT_TRUE(encodePubAck(out, V3, PubAck{PacketType::Pubcomp, 10, ReasonCode::PacketIdentifierNotFound, {}}));
  EXPECT_EQ(bytes(out), (ByteVec{0x70, 0x02, 0x00, 0x0A}));

  for (PacketType t : {PacketType::Puback, PacketType::Pubrec, PacketType::Pubrel, PacketType::Pubcomp}) {
    PubAck a{t, 0x1234, ReasonCode::Success, {}};
    a.properties.reasonString = "why";
    a.properties.userProperties = {{"x", "y"}};
    out.clear();
    ASSERT_TRUE(encodePubAck(out, V5, a));
    auto d = decodeAs<PubAck>(bytes(out), V5);
    EXPECT_EQ(d.type, t);
    EXPECT_EQ(d.packetId, 0x1234);
    EXPECT_EQ(d.properties.reasonString, "why");
    EXPECT_EQ(d.properties.userProperties, a.properties.userProperties);
  }
  // v5: reason code with no property length.
  EXPECT_EQ(decodeAs<PubAck>(pkt(0x40, {0, 1, 0x97}), V5).reason, ReasonCode::QuotaExceeded);
  EXPECT_EQ(decodeAs<PubAck>(pkt(0x70, {0, 1, 0x92, 0}), V5).reason, ReasonCode::PacketIdentifierNotFound);
}

TEST(MqttAck, Rejections) {
  EXPECT_EQ(rejectCode(pkt(0x60, {0, 1}), V3), kMalformed);  // PUBREL flags must be 0b0010
  EXPECT_EQ(rejectCode(pkt(0x63, {0, 1}), V5), kMalformed);
  EXPECT_EQ(rejectCode(pkt(0x42, {0, 1}), V3), kMalformed);  // PUBACK flags must be 0
  EXPECT_EQ(rejectCode(pkt(0x40, {0, 1, 0}), V3), kMalformed);  // v3: exactly 2 bytes
  EXPECT_EQ(rejectCode(pkt(0x40, {0}), V3), kMalformed);
  EXPECT_EQ(rejectCode(pkt(0x40, {0, 0}), V3), kProtocol);  // packet id 0
  EXPECT_EQ(rejectCode(pkt(0x40, {0, 1, 0x05}), V5), kProtocol);  // not a PUBACK reason
  EXPECT_EQ(rejectCode(pkt(0x62, {0, 1, 0x10}), V5), kProtocol);  // not a PUBREL reason
  EXPECT_EQ(rejectCode(pkt(0x40, {0, 1, 0, 2, 0x23, 0}), V5), kMalformed);  // truncated / wrong property
  EXPECT_EQ(rejectCode(pkt(0x40, {0, 1, 0, 3, 0x23, 0, 1}), V5), kMalformed);
}

// ------------------------------------------------------------ SUBSCRIBE

TEST(MqttSubscribe, DecodeV5Options) {
  const ByteVec b = pkt(0x82, cat({{0, 10}, props({0x0B, 0x80, 0x01, 0x26, 0, 1, 'k', 0, 1, 'v'}),
                                   str("a/+"), {0x2E}, str("$share/g/x/#"), {0x01}}));
  auto s = decodeAs<Subscribe>(b, V5);
  EXPECT_EQ(s.packetId, 10);
  EXPECT_EQ(s.properties.subscriptionIdentifiers, std::vector<std::uint32_t>{128});
  ASSERT_EQ(s.subscriptions.size(), 2u);
  EXPECT_EQ(s.subscriptions[0].filter, "a/+");
  EXPECT_EQ(s.subscriptions[0].qos, 2);
  EXPECT_TRUE(s.subscriptions[0].noLocal);
  EXPECT_TRUE(s.subscriptions[0].retainAsPublished);
  EXPECT_EQ(s.subscriptions[0].retainHandling, 2);
  EXPECT_EQ(s.subscriptions[1].qos, 1);
  OutBuffer out;
  ASSERT_TRUE(encodeSubscribe(out, V5, s));
  EXPECT_EQ(bytes(out), b);
}

TEST(MqttSubscribe, RoundTripV311) {
  Subscribe s;
  s.packetId = 1;
  s.subscriptions = {{"a/b", 0, false, false, 0}, {"#", 2, false, false, 0}};
  OutBuffer out;
  ASSERT_TRUE(encodeSubscribe(out, V3, s));
  EXPECT_EQ(bytes(out), pkt(0x82, cat({{0, 1}, str("a/b"), {0}, str("#"), {2}})));
  auto d = decodeAs<Subscribe>(bytes(out), V3);
  ASSERT_EQ(d.subscriptions.size(), 2u);
  EXPECT_EQ(d.subscriptions[1].filter, "#");
  EXPECT_EQ(d.subscriptions[1].qos, 2);
}

TEST(MqttSubscribe, Rejections) {
  const ByteVec f = cat({str("a"), {0}});
  EXPECT_EQ(rejectCode(pkt(0x80, cat({{0, 1}, f})), V3), kMalformed);  // flags must be 0b0010
  EXPECT_EQ(rejectCode(pkt(0x82, {0, 1}), V3), kProtocol);             // no filters
  EXPECT_EQ(rejectCode(pkt(0x82, cat({{0, 1}, props({})})), V5), kProtocol);
  EXPECT_EQ(rejectCode(pkt(0x82, cat({{0, 0}, f})), V3), kProtocol);   // packet id 0
  EXPECT_EQ(rejectCode(pkt(0x82, cat({{0, 1}, str("a"), {3}})), V3), kMalformed);     // QoS 3
  EXPECT_EQ(rejectCode(pkt(0x82, cat({{0, 1}, props({}), str("a"), {3}})), V5), kProtocol);
  EXPECT_EQ(rejectCode(pkt(0x82, cat({{0, 1}, str("a"), {0x04}})), V3), kMalformed);  // v3 reserved
  EXPECT_EQ(rejectCode(pkt(0x82, cat({{0, 1}, props({}), str("a"), {0x40}})), V5), kMalformed);
  EXPECT_EQ(rejectCode(pkt(0x82, cat({{0, 1}, props({}), str("a"), {0x30}})), V5), kProtocol);  // RH 3
  for (const char* bad : {"a/#/b", "a+", "", "$share//a", "$share/g"})
    EXPECT_EQ(rejectCode(pkt(0x82, cat({{0, 1}, str(bad), {0}})), V3), ReasonCode::TopicFilterInvalid) << bad;
  EXPECT_EQ(rejectCode(pkt(0x82, cat({{0, 1}, props({}), str("$share/g/a"), {0x04}})), V5), kProtocol);
  EXPECT_EQ(rejectCode(pkt(0x82, cat({{0, 1}, props({0x0B, 0}), f})), V5), kProtocol);  // sub id 0
  EXPECT_EQ(rejectCode(pkt(0x82, cat({{0, 1}, props({0x0B, 1, 0x0B, 2}), f})), V5), kProtocol);
  EXPECT_EQ(rejectCode(pkt(0x82, cat({{0, 1}, props({0x1F, 0, 0}), f})), V5), kMalformed);
  EXPECT_EQ(rejectCode(pkt(0x82, cat({{0, 1}, str("a")})), V3), kMalformed);  // options missing
}

TEST(MqttUnsubscribe, RoundTripAndRejections) {
  for (Version v : {V3, V5}) {
    Unsubscribe u;
    u.packetId = 9;
    u.filters = {"a/+", "$share/g/#"};
    OutBuffer out;
    ASSERT_TRUE(encodeUnsubscribe(out, v, u));
    auto d = decodeAs<Unsubscribe>(bytes(out), v);
    EXPECT_EQ(d.packetId, 9);
    EXPECT_EQ(d.filters, u.filters);
  }
  EXPECT_EQ(rejectCode(pkt(0xA0, cat({{0, 1}, str("a")})), V3), kMalformed);
  EXPECT_EQ(rejectCode(pkt(0xA2, {0, 1}), V3), kProtocol);
  EXPECT_EQ(rejectCode(pkt(0xA2, cat({{0, 1}, str("a#")})), V3), ReasonCode::TopicFilterInvalid);
  EXPECT_EQ(rejectCode(pkt(0xA2, cat({{0, 1}, props({0x0B, 1}), str("a")})), V5), kProtocol);
}

// ------------------------------------------------- PINGREQ, DISCONNECT, AUTH

TEST(MqttControl, PingDisconnectAuth) {
  EXPECT_TRUE(decode(ByteVec{0xC0, 0x00}, V3));
  EXPECT_EQ(rejectCode(ByteVec{0xC0, 0x01, 0x00}, V3), kMalformed);
  EXPECT_EQ(rejectCode(ByteVec{0xC1, 0x00}, V3), kMalformed);

  EXPECT_TRUE(decode(ByteVec{0xE0, 0x00}, V3));
  EXPECT_EQ(rejectCode(ByteVec{0xE0, 0x01, 0x00}, V3), kMalformed);
  EXPECT_EQ(rejectCode(ByteVec{0xE2, 0x00}, V5), kMalformed);
  auto d = decodeAs<Disconnect>(pkt(0xE0, {0x04, 0x05, 0x11, 0, 0, 0, 30}), V5);
  EXPECT_EQ(d.reason, ReasonCode::DisconnectWithWill);
  EXPECT_EQ(d.properties.sessionExpiryInterval, 30u);
  EXPECT_EQ(decodeAs<Disconnect>(ByteVec{0xE0, 0x00}, V5).reason, ReasonCode::Success);
  EXPECT_EQ(rejectCode(pkt(0xE0, {0x01}), V5), kProtocol);
  EXPECT_EQ(rejectCode(pkt(0xE0, {0x00, 0x02, 0x21, 0x00}), V5), kMalformed);

  EXPECT_EQ(rejectCode(ByteVec{0xF0, 0x00}, V3), kMalformed);
  EXPECT_TRUE(decode(ByteVec{0xF0, 0x00}, V5));
  EXPECT_EQ(rejectCode(pkt(0xF0, {0x01}), V5), kProtocol);
  EXPECT_EQ(rejectCode(pkt(0xF0, {0x18, 0}), V5), kProtocol);  // no method
  Auth a;
  a.reason = ReasonCode::ContinueAuthentication;
  a.properties.authenticationMethod = "SCRAM-SHA-1";
  a.properties.authenticationData = asBytes("c=biws");
  OutBuffer out;
  ASSERT_TRUE(encodeAuth(out, a));
  auto back = decodeAs<Auth>(bytes(out), V5);
  EXPECT_EQ(back.reason, ReasonCode::ContinueAuthentication);
  EXPECT_EQ(back.properties.authenticationMethod, "SCRAM-SHA-1");
  EXPECT_EQ(sv(*back.properties.authenticationData), "c=biws");
}

// ------------------------------------------------- server -> client encoders

TEST(MqttEncode, Connack) {
  OutBuffer out;
  ASSERT_TRUE(encodeConnack(out, V3, Connack{false, ReasonCode::Success, {}}));
  EXPECT_EQ(bytes(out), (ByteVec{0x20, 0x02, 0x00, 0x00}));
  out.clear();
  ASSERT_TRUE(encodeConnack(out, V3, Connack{true, ReasonCode::NotAuthorized, {}}));
  EXPECT_EQ(bytes(out), (ByteVec{0x20, 0x02, 0x01, 0x05}));
  EXPECT_EQ(connackReturnCodeV3(ReasonCode::UnsupportedProtocolVersion), 1);
  EXPECT_EQ(connackReturnCodeV3(ReasonCode::ClientIdentifierNotValid), 2);
  EXPECT_EQ(connackReturnCodeV3(ReasonCode::ServerUnavailable), 3);
  EXPECT_EQ(connackReturnCodeV3(ReasonCode::BadUserNameOrPassword), 4);

  Connack c;
  c.properties.topicAliasMaximum = 10;
  c.properties.retainAvailable = 1;
  out.clear();
  ASSERT_TRUE(encodeConnack(out, V5, c));
  EXPECT_EQ(bytes(out), (ByteVec{0x20, 0x08, 0x00, 0x00, 0x05, 0x22, 0x00, 0x0A, 0x25, 0x01}));

  Connack full;
  full.sessionPresent = true;
  full.properties.assignedClientIdentifier = "auto-1";
  full.properties.maximumPacketSize = 1024;
  full.properties.receiveMaximum = 100;
  full.properties.maximumQos = 1;
  full.properties.wildcardSubscriptionAvailable = 1;
  full.properties.sharedSubscriptionAvailable = 0;
  full.properties.subscriptionIdAvailable = 1;
  full.properties.serverKeepAlive = 30;
  full.properties.sessionExpiryInterval = 0;
  out.clear();
  ASSERT_TRUE(encodeConnack(out, V5, full));
  const ByteVec want = pkt(0x20, cat({{0x01, 0x00},
                                      props(cat({{0x11, 0, 0, 0, 0}, {0x12}, str("auto-1"), {0x13, 0, 30},
                                                 {0x21, 0, 100}, {0x24, 1}, {0x27, 0, 0, 4, 0}, {0x28, 1},
                                                 {0x29, 1}, {0x2A, 0}}))}));
  EXPECT_EQ(bytes(out), want);
}

TEST(MqttEncode, SubackUnsubackPingrespDisconnect) {
  OutBuffer out;
  Suback s{10, {ReasonCode::Success, ReasonCode::GrantedQos1, ReasonCode::NotAuthorized}, {}};
  ASSERT_TRUE(encodeSuback(out, V3, s));
  EXPECT_EQ(bytes(out), (ByteVec{0x90, 0x05, 0x00, 0x0A, 0x00, 0x01, 0x80}));
  out.clear();
  ASSERT_TRUE(encodeSuback(out, V5, s));
  EXPECT_EQ(bytes(out), (ByteVec{0x90, 0x06, 0x00, 0x0A, 0x00, 0x00, 0x01, 0x87}));

  Unsuback u{7, {ReasonCode::Success, ReasonCode::NoSubscriptionExisted}, {}};
  out.clear();
  ASSERT_TRUE(encodeUnsuback(out, V3, u));
  EXPECT_EQ(bytes(out), (ByteVec{0xB0, 0x02, 0x00, 0x07}));
  out.clear();
  u.properties.reasonString = "r";
  ASSERT_TRUE(encodeUnsuback(out, V5, u));
  EXPECT_EQ(bytes(out), (ByteVec{0xB0, 0x09, 0x00, 0x07, 0x04, 0x1F, 0x00, 0x01, 'r', 0x00, 0x11}));

  out.clear();
  ASSERT_TRUE(encodePingresp(out));
  EXPECT_EQ(bytes(out), (ByteVec{0xD0, 0x00}));
  out.clear();
  ASSERT_TRUE(encodePingreq(out));
  EXPECT_EQ(bytes(out), (ByteVec{0xC0, 0x00}));

  out.clear();
  ASSERT_TRUE(encodeDisconnect(out, V5, Disconnect{}));
  EXPECT_EQ(bytes(out), (ByteVec{0xE0, 0x00}));
  out.clear();
  ASSERT_TRUE(encodeDisconnect(out, V5, Disconnect{ReasonCode::SessionTakenOver, {}}));
  EXPECT_EQ(bytes(out), (ByteVec{0xE0, 0x01, 0x8E}));
  Disconnect moved{ReasonCode::ServerMoved, {}};
  moved.properties.serverReference = "other:1883";
  out.clear();
  ASSERT_TRUE(encodeDisconnect(out, V5, moved));
  EXPECT_EQ(bytes(out), pkt(0xE0, cat({{0x9D}, props(cat({{0x1C}, str("other:1883")}))})));
}

TEST(MqttEncode, PublishWithSubscriptionIdentifiers) {
  Publish p;
  p.topic = "t";
  p.properties.subscriptionIdentifiers = {1, 268435455};
  OutBuffer out;
  ASSERT_TRUE(encodePublish(out, V5, p));
  EXPECT_EQ(bytes(out), pkt(0x30, cat({str("t"), props({0x0B, 0x01, 0x0B, 0xFF, 0xFF, 0xFF, 0x7F})})));
}

TEST(MqttEncode, OverlongStringFailsAndLeavesBufferUnchanged) {
  std::string big(70000, 'x');
  OutBuffer out;
  out.append("ab", 2);
  Publish p;
  p.topic = big;
  auto r = encodePublish(out, V3, p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ReasonCode::PacketTooLarge);
  EXPECT_EQ(out.size(), 2u);
}

}  // namespace
}  // namespace clasp::mqtt
