// Tests of the legacy v0 (MessagePack) decoder, protocol.md §6: the spec's
// vectors TV-41..43, one message of every §6.3 type with every optional key,
// the §6.4 corner cases, the D-4 depth limit, size limits, and every
// truncation. Payloads are built with msgpack-cxx's own packer.
#ifndef MSGPACK_NO_BOOST
#define MSGPACK_NO_BOOST
#endif
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <functional>
#include <msgpack.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/codec.hpp"

namespace clasp {
namespace {

using Bytes8 = std::vector<std::uint8_t>;

// A chainable MessagePack writer so a test reads like the map it builds.
class Mp {
 public:
  Mp& map(std::uint32_t n) { return pk_.pack_map(n), *this; }
  Mp& arr(std::uint32_t n) { return pk_.pack_array(n), *this; }
  Mp& str(std::string_view s) {
    pk_.pack_str(static_cast<std::uint32_t>(s.size()));
    pk_.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
    return *this;
  }
  Mp& bin(std::string_view s) {
    pk_.pack_bin(static_cast<std::uint32_t>(s.size()));
    pk_.pack_bin_body(s.data(), static_cast<std::uint32_t>(s.size()));
    return *this;
  }
  Mp& u(std::uint64_t v) { return pk_.pack_uint64(v), *this; }
  Mp& i(std::int64_t v) { return pk_.pack_int64(v), *this; }
  // Written by hand: msgpack-cxx 4.x packs an integral double as an integer,
  // while the reference always writes float64 (§6.5).
  Mp& f(double v) { return word(0xcb, std::bit_cast<std::uint64_t>(v), 8); }
  Mp& f32(float v) { return word(0xca, std::bit_cast<std::uint32_t>(v), 4); }
  Mp& b(bool v) { return (v ? pk_.pack_true() : pk_.pack_false()), *this; }
  Mp& nil() { return pk_.pack_nil(), *this; }
  Mp& raw(const Bytes8& bytes) {
    buf_.write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return *this;
  }
  Bytes8 bytes() const {
    const auto* p = reinterpret_cast<const std::uint8_t*>(buf_.data());
    return Bytes8(p, p + buf_.size());
  }

 private:
  Mp& word(std::uint8_t marker, std::uint64_t bits, int n) {
    Bytes8 out{marker};
    for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(bits >> (8 * i)));
    return raw(out);
  }
  msgpack::sbuffer buf_;
  msgpack::packer<msgpack::sbuffer> pk_{buf_};
};

Bytes8 hex(std::string_view h) {
  Bytes8 out;
  int hi = -1;
  for (char c : h) {
    int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (v < 0) continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi * 16 + v));
      hi = -1;
    }
  }
  return out;
}

Message decodeOk(const Bytes8& payload) {
  auto r = decodeMessageV0(payload);
  EXPECT_TRUE(r.has_value()) << (r ? std::string() : r.error().message);
  return r ? *r : Message{};
}

::testing::AssertionResult sameMessage(const Message& got, const Message& want) {
  if (got == want) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "decoded " << messageTypeName(got.type()) << " differs from the expected "
         << messageTypeName(want.type());
}
// Variadic so that a braced expected message may contain commas.
#define EXPECT_MESSAGE(got, ...) EXPECT_TRUE(sameMessage((got), __VA_ARGS__))

// The error text, after checking that decoding failed with BadMessage.
std::string decodeErr(const Bytes8& payload) {
  auto r = decodeMessageV0(payload);
  EXPECT_FALSE(r.has_value()) << "decoded although it should fail";
  if (r) return {};
  EXPECT_EQ(r.error().code, Errc::BadMessage);
  return r.error().message;
}

// A one-key-plus-type message, the smallest useful v0 SET.
Bytes8 setWith(const std::function<void(Mp&)>& value) {
  Mp m;
  m.map(3).str("type").str("SET").str("address").str("/a").str("value");
  value(m);
  return m.bytes();
}

// ---- spec vectors ----------------------------------------------------------

TEST(CodecV0, Tv41Ping) {
  EXPECT_MESSAGE(decodeOk(hex("81 a4 74 79 70 65 a4 50 49 4e 47")), Message{Ping{}});
}

TEST(CodecV0, Tv42Set) {
  Bytes8 p = hex(
      "86 a4 74 79 70 65 a3 53 45 54 a7 61 64 64 72 65 73 73 ab 2f 74 65 73 74 2f 76 61 6c 75 65 "
      "a5 76 61 6c 75 65 cb 3f e0 00 00 00 00 00 00 a8 72 65 76 69 73 69 6f 6e 01 a4 6c 6f 63 6b "
      "c2 a6 75 6e 6c 6f 63 6b c2");
  ASSERT_EQ(p.size(), 69u);
  EXPECT_MESSAGE(decodeOk(p),
                 Message{Set{"/test/value", Value(0.5), 1, false, false, std::nullopt}});
}

TEST(CodecV0, Tv43SetTtl) {
  Bytes8 sliding = hex(
      "86 a4 74 79 70 65 a3 53 45 54 a7 61 64 64 72 65 73 73 a2 2f 74 a5 76 61 6c 75 65 01 a4 6c "
      "6f 63 6b c2 a6 75 6e 6c 6f 63 6b c2 a3 74 74 6c 81 a7 53 6c 69 64 69 6e 67 3c");
  Bytes8 never = hex(
      "86 a4 74 79 70 65 a3 53 45 54 a7 61 64 64 72 65 73 73 a2 2f 74 a5 76 61 6c 75 65 01 a4 6c "
      "6f 63 6b c2 a6 75 6e 6c 6f 63 6b c2 a3 74 74 6c a5 4e 65 76 65 72");
  EXPECT_MESSAGE(decodeOk(sliding), Message{Set{"/t", Value(1), std::nullopt, false, false,
                                                Ttl{Ttl::Kind::Sliding, 60}}});
  EXPECT_MESSAGE(decodeOk(never), Message{Set{"/t", Value(1), std::nullopt, false, false,
                                              Ttl{Ttl::Kind::Never, 0}}});
}

// ---- every message type, every optional key ---------------------------------

Bytes8 fullHello() {
  Mp m;
  m.map(6).str("type").str("HELLO").str("version").u(1).str("name").str("desk");
  m.str("features").arr(7).str("param").str("event").str("stream").str("gesture");
  m.str("timeline").str("federation").str("teleport");
  m.str("capabilities").map(2).str("encryption").b(true).str("compression").str("lz4");
  m.str("token").str("secret");
  return m.bytes();
}

TEST(CodecV0, Hello) {
  EXPECT_MESSAGE(decodeOk(fullHello()), Message{Hello{1, 0xFC, "desk", "secret"}});
  Mp bare;
  bare.map(3).str("type").str("HELLO").str("version").u(1).str("name").str("n");
  EXPECT_MESSAGE(decodeOk(bare.bytes()), Message{Hello{1, 0, "n", ""}});
}

Bytes8 fullWelcome() {
  Mp m;
  m.map(7).str("type").str("WELCOME").str("version").u(1).str("session").str("sess-1");
  m.str("name").str("Clasp Router").str("features").arr(2).str("param").str("federation");
  m.str("time").u(1700000000000000ull).str("token").str("t");
  return m.bytes();
}

TEST(CodecV0, Welcome) {
  // The federation bit is never carried by WELCOME (§5.2).
  EXPECT_MESSAGE(decodeOk(fullWelcome()), Message{Welcome{1, feature::kParam, 1700000000000000ull,
                                                          "sess-1", "Clasp Router", "t"}});
}

Bytes8 fullAnnounce() {
  Mp m;
  m.map(4).str("type").str("ANNOUNCE").str("namespace").str("/ns").str("signals").arr(2);
  m.map(5).str("address").str("/ns/a").str("type").str("param").str("datatype").str("f64");
  m.str("access").str("rw").str("meta").map(4).str("unit").str("Hz");
  m.str("range").arr(2).i(0).f(1.5).str("default").f(0.5).str("description").str("gain");
  m.map(2).str("type").str("event").str("address").str("/ns/b");
  m.str("meta").map(1).str("k").str("v");
  return m.bytes();
}

TEST(CodecV0, Announce) {
  SignalMeta meta{"Hz", std::pair{0.0, 1.5}, Value(0.5), "gain"};
  Announce want{
      "/ns",
      {SignalDefinition{"/ns/a", SignalType::Param, "f64", "rw", meta},
       SignalDefinition{"/ns/b", SignalType::Event, std::nullopt, std::nullopt, std::nullopt}}};
  EXPECT_MESSAGE(decodeOk(fullAnnounce()), Message{want});
}

Bytes8 fullSubscribe() {
  Mp m;
  m.map(5).str("type").str("SUBSCRIBE").str("id").u(7).str("pattern").str("/a/**");
  m.str("types").arr(2).str("param").str("stream");
  m.str("options").map(4).str("max_rate").u(30).str("epsilon").f(0.1).str("history").u(5);
  m.str("window").u(2);
  return m.bytes();
}

TEST(CodecV0, Subscribe) {
  EXPECT_MESSAGE(decodeOk(fullSubscribe()),
                 Message{Subscribe{7, "/a/**", typemask::kParam | typemask::kStream,
                                   SubscribeOptions{30, 0.1, 5, 2}}});
  Mp bare;
  bare.map(4).str("type").str("SUBSCRIBE").str("id").u(1);
  bare.str("pattern").str("/x").str("types").arr(0);
  EXPECT_MESSAGE(decodeOk(bare.bytes()), Message{Subscribe{1, "/x", 0, std::nullopt}});
}

TEST(CodecV0, Unsubscribe) {
  Mp m;
  m.map(2).str("id").u(4294967295u).str("type").str("UNSUBSCRIBE");
  EXPECT_MESSAGE(decodeOk(m.bytes()), Message{Unsubscribe{4294967295u}});
}

Bytes8 fullPublish() {
  Mp m;
  m.map(11).str("type").str("PUBLISH").str("address").str("/g").str("signal").str("gesture");
  m.str("value").map(1).str("x").i(1).str("payload").str("loses to value");
  m.str("samples").arr(2).f(1.0).u(2).str("rate").u(60).str("id").u(9).str("phase").str("move");
  m.str("timestamp").u(1000).str("timeline").map(4).str("keyframes").arr(2);
  m.map(4).str("time").u(0).str("value").f(0).str("easing").str("cubic-bezier");
  m.str("bezier").arr(4).f(0.1).f(0.2).f(0.3).i(1);
  m.map(2).str("time").u(10).str("value").nil();
  m.str("loop_").b(true).str("start_time").u(5).str("duration").u(100);
  return m.bytes();
}

TEST(CodecV0, Publish) {
  Publish want{"/g",
               SignalType::Gesture,
               GesturePhase::Move,
               Value(Map{{"x", Value(1)}}),
               std::vector<double>{1.0, 2.0},
               1000,
               9,
               60};
  EXPECT_MESSAGE(decodeOk(fullPublish()), Message{want});
}

TEST(CodecV0, PublishPayloadBecomesValueAndDefaults) {
  Mp m;
  m.map(3).str("type").str("PUBLISH").str("address").str("/e").str("payload").str("hi");
  Publish want;
  want.address = "/e";
  want.value = Value("hi");
  EXPECT_MESSAGE(decodeOk(m.bytes()), Message{want});  // signal event, phase start
}

Bytes8 fullSet() {
  Mp m;
  m.map(7).str("type").str("SET").str("address").str("/mix/1").str("value").arr(4).i(-3).f(2.5);
  m.str("s").b(true).str("revision").u(42).str("lock").b(true).str("unlock").b(false);
  m.str("ttl").map(1).str("Absolute").u(30);
  return m.bytes();
}

TEST(CodecV0, Set) {
  Set want{.address = "/mix/1",
           .value = Value(Array{Value(-3), Value(2.5), Value("s"), Value(true)}),
           .revision = 42,
           .lock = true,
           .unlock = false,
           .ttl = Ttl{Ttl::Kind::Absolute, 30}};
  EXPECT_MESSAGE(decodeOk(fullSet()), Message{want});
}

TEST(CodecV0, Get) {
  Mp m;
  m.map(2).str("type").str("GET").str("address").str("/a");
  EXPECT_MESSAGE(decodeOk(m.bytes()), Message{Get{"/a"}});
}

Bytes8 fullSnapshot() {
  Mp m;
  m.map(2).str("type").str("SNAPSHOT").str("params").arr(2);
  m.map(5).str("address").str("/a").str("value").i(1).str("revision").u(3).str("writer").str("w");
  m.str("timestamp").u(99);
  m.map(3).str("address").str("/b").str("value").nil().str("revision").u(0);
  return m.bytes();
}

TEST(CodecV0, Snapshot) {
  Snapshot want{{ParamValue{"/a", Value(1), 3, "w", 99},
                 ParamValue{"/b", Value(), 0, std::nullopt, std::nullopt}}};
  EXPECT_MESSAGE(decodeOk(fullSnapshot()), Message{want});
}

Bytes8 fullReplay() {
  Mp m;
  m.map(6).str("type").str("REPLAY").str("pattern").str("/a/*").str("from").u(1).str("to").u(2);
  m.str("limit").u(10).str("types").arr(2).str("event").str("timeline");
  return m.bytes();
}

TEST(CodecV0, Replay) {
  EXPECT_MESSAGE(decodeOk(fullReplay()),
                 Message{Replay{"/a/*", 1, 2, 10, typemask::kEvent | typemask::kTimeline}});
}

Bytes8 fullFederationSync() {
  Mp m;
  m.map(6).str("type").str("FEDERATION_SYNC").str("op").str("RevisionVector");
  m.str("patterns").arr(1).str("/a/**").str("revisions").map(3).str("/a/x").u(5).str("/a/y").u(6);
  m.str("/a/x").u(7).str("since_revision").u(4).str("origin").str("r1");
  return m.bytes();
}

TEST(CodecV0, FederationSync) {
  // A repeated address keeps the later revision, in the place of the first.
  FederationSync want{FederationOp::RevisionVector, {"/a/**"}, {{"/a/x", 7}, {"/a/y", 6}}, 4, "r1"};
  EXPECT_MESSAGE(decodeOk(fullFederationSync()), Message{want});
  for (auto [name, op] : {std::pair{"DeclareNamespaces", FederationOp::DeclareNamespaces},
                          std::pair{"RequestSync", FederationOp::RequestSync},
                          std::pair{"SyncComplete", FederationOp::SyncComplete}}) {
    Mp m;
    m.map(2).str("type").str("FEDERATION_SYNC").str("op").str(name);
    EXPECT_MESSAGE(decodeOk(m.bytes()),
                   Message{FederationSync{op, {}, {}, std::nullopt, std::nullopt}});
  }
}

Bytes8 fullBundle() {
  Mp m;
  m.map(3).str("type").str("BUNDLE").str("timestamp").u(77).str("messages").arr(3);
  m.map(3).str("type").str("SET").str("address").str("/a").str("value").i(1);
  m.map(2).str("address").str("/e").str("type").str("PUBLISH");
  m.map(2).str("type").str("BUNDLE").str("messages").arr(1).map(1).str("type").str("PING");
  return m.bytes();
}

TEST(CodecV0, Bundle) {
  Publish pub;
  pub.address = "/e";
  Bundle inner{std::nullopt, {Message{Ping{}}}};
  Bundle want{77,
              {Message{Set{"/a", Value(1), std::nullopt, false, false, std::nullopt}}, Message{pub},
               Message{inner}}};
  EXPECT_MESSAGE(decodeOk(fullBundle()), Message{want});
}

Bytes8 fullSync() {
  Mp m;
  m.map(4).str("type").str("SYNC").str("t1").u(1).str("t2").u(2).str("t3").u(3);
  return m.bytes();
}

TEST(CodecV0, SyncPingPong) {
  EXPECT_MESSAGE(decodeOk(fullSync()), Message{Sync{1, 2, 3}});
  Mp pong;
  pong.map(1).str("type").str("PONG");
  EXPECT_MESSAGE(decodeOk(pong.bytes()), Message{Pong{}});
}

Bytes8 fullAck() {
  Mp m;
  m.map(6).str("type").str("ACK").str("address").str("/a").str("revision").u(8);
  m.str("locked").b(true).str("holder").str("sess").str("correlation_id").u(12);
  return m.bytes();
}

TEST(CodecV0, Ack) {
  EXPECT_MESSAGE(decodeOk(fullAck()), Message{Ack{"/a", 8, true, "sess", 12}});
  Mp bare;
  bare.map(1).str("type").str("ACK");
  EXPECT_MESSAGE(decodeOk(bare.bytes()), Message{Ack{}});
}

Bytes8 fullError() {
  Mp m;
  m.map(5).str("type").str("ERROR").str("code").u(401).str("message").str("lock held");
  m.str("address").str("/a").str("correlation_id").u(3);
  return m.bytes();
}

TEST(CodecV0, Error) {
  EXPECT_MESSAGE(decodeOk(fullError()), Message{ErrorMsg{401, "lock held", "/a", 3}});
}

TEST(CodecV0, Query) {
  Mp m;
  m.map(2).str("type").str("QUERY").str("pattern").str("/**");
  EXPECT_MESSAGE(decodeOk(m.bytes()), Message{Query{"/**"}});
}

Bytes8 fullResult() {
  Mp m;
  m.map(2).str("type").str("RESULT").str("signals").arr(1);
  m.map(5).str("address").str("/s").str("type").str("stream").str("datatype").str("f32");
  m.str("access").str("r").str("meta").map(1).str("unit").str("m");
  return m.bytes();
}

TEST(CodecV0, ResultDropsMeta) {
  // RESULT has no meta block in v1 (§5.17), so the model never holds one.
  sameMessage(
      decodeOk(fullResult()),
      Message{QueryResult{{SignalDefinition{"/s", SignalType::Stream, "f32", "r", std::nullopt}}}});
}

// ---- §6.4 corner cases ------------------------------------------------------

TEST(CodecV0, TypeKeyMayComeLastAndUnknownKeysAreIgnored) {
  Mp m;
  m.map(5).str("address").str("/a").str("value").i(5).str("colour").arr(1).map(0);
  m.str("correlationId").u(3).str("type").str("SET");
  EXPECT_MESSAGE(decodeOk(m.bytes()),
                 Message{Set{"/a", Value(5), std::nullopt, false, false, std::nullopt}});
}

TEST(CodecV0, CamelCaseKeysAreDropped) {
  Mp m;
  m.map(5).str("type").str("SUBSCRIBE").str("id").u(1).str("pattern").str("/a");
  m.str("options").map(1).str("maxRate").u(10).str("correlationId").u(5);
  EXPECT_MESSAGE(decodeOk(m.bytes()), Message{Subscribe{1, "/a", 0, SubscribeOptions{}}});
}

TEST(CodecV0, TypeNamesAreCaseSensitive) {
  EXPECT_NE(
      decodeErr(hex("81 a4 74 79 70 65 a4 70 69 6e 67")).find("unknown message type \"ping\""),
      std::string::npos);
  Mp noType;
  noType.map(1).str("address").str("/a");
  EXPECT_EQ(decodeErr(noType.bytes()), "v0: missing required key 'type'");
  Mp numType;
  numType.map(1).str("type").u(0x41);
  EXPECT_EQ(decodeErr(numType.bytes()), "v0: 'type' must be a string");
}

TEST(CodecV0, BinValues) {
  EXPECT_MESSAGE(decodeOk(setWith([](Mp& m) { m.bin("h\xC3\xA9"); })),
                 Message{Set{"/a", Value("h\xC3\xA9"), std::nullopt, false, false, std::nullopt}});
  EXPECT_EQ(decodeErr(setWith([](Mp& m) { m.bin("\xFF\x00"); })),
            "v0 SET: 'value' is not valid UTF-8");
  EXPECT_EQ(decodeErr(setWith([](Mp& m) { m.str("\xC0\xAF"); })),
            "v0 SET: 'value' is not valid UTF-8");
  // bin is accepted for string fields and keys too, as the reference reads it.
  Mp m;
  m.map(2).bin("type").bin("GET").bin("address").bin("/b");
  EXPECT_MESSAGE(decodeOk(m.bytes()), Message{Get{"/b"}});
}

TEST(CodecV0, Numbers) {
  auto valueOf = [](const Bytes8& p) {
    Message m = decodeOk(p);
    const Set* s = std::get_if<Set>(&m);
    return s != nullptr ? s->value : Value("not a SET");
  };
  EXPECT_EQ(valueOf(setWith([](Mp& m) { m.u(18446744073709551615ull); })),
            Value(18446744073709551615.0));
  EXPECT_EQ(valueOf(setWith([](Mp& m) { m.u(9223372036854775807ull); })),
            Value(std::int64_t{9223372036854775807}));
  EXPECT_EQ(valueOf(setWith([](Mp& m) { m.i(-9223372036854775807LL - 1); })),
            Value(std::int64_t{-9223372036854775807LL - 1}));
  EXPECT_EQ(valueOf(setWith([](Mp& m) { m.f32(1.5f); })), Value(1.5));
  EXPECT_EQ(valueOf(setWith([](Mp& m) { m.raw(hex("d0 05")); })), Value(5));  // int8 holding 5
  EXPECT_EQ(valueOf(setWith([](Mp& m) { m.nil(); })), Value());
}

TEST(CodecV0, UnsignedFieldRanges) {
  Mp neg;
  neg.map(4).str("type").str("SET").str("address").str("/a");
  neg.str("value").i(1).str("revision").i(-1);
  EXPECT_EQ(decodeErr(neg.bytes()), "v0 SET: 'revision' must not be negative");
  Mp flt;
  flt.map(4).str("type").str("SET").str("address").str("/a").str("value").i(1).str("revision").f(1);
  EXPECT_EQ(decodeErr(flt.bytes()), "v0 SET: 'revision' must be an unsigned integer");
  Mp big;
  big.map(2).str("type").str("UNSUBSCRIBE").str("id").u(4294967296ull);
  EXPECT_EQ(decodeErr(big.bytes()), "v0 UNSUBSCRIBE: 'id' is out of range for u32");
  Mp ver;
  ver.map(3).str("type").str("HELLO").str("version").u(256).str("name").str("n");
  EXPECT_EQ(decodeErr(ver.bytes()), "v0 HELLO: 'version' is out of range for u8");
  Mp code;
  code.map(3).str("type").str("ERROR").str("code").u(65536).str("message").str("m");
  EXPECT_EQ(decodeErr(code.bytes()), "v0 ERROR: 'code' is out of range for u16");
}

TEST(CodecV0, WrongEnumStrings) {
  Mp sig;
  sig.map(3).str("type").str("PUBLISH").str("address").str("/a").str("signal").str("Event");
  EXPECT_EQ(decodeErr(sig.bytes()), "v0 PUBLISH: 'signal' has unknown value \"Event\"");
  Mp phase;
  phase.map(3).str("type").str("PUBLISH").str("address").str("/a").str("phase").str("Move");
  EXPECT_EQ(decodeErr(phase.bytes()), "v0 PUBLISH: 'phase' has unknown value \"Move\"");
  Mp types;
  types.map(4).str("type").str("SUBSCRIBE").str("id").u(1).str("pattern").str("/a");
  types.str("types").arr(2).str("param").str("params");
  EXPECT_EQ(decodeErr(types.bytes()), "v0 SUBSCRIBE: 'types[1]' has unknown value \"params\"");
  Mp op;
  op.map(2).str("type").str("FEDERATION_SYNC").str("op").str("declareNamespaces");
  EXPECT_NE(decodeErr(op.bytes()).find("'op' has unknown value"), std::string::npos);
  Mp easing;
  easing.map(4).str("type").str("PUBLISH").str("address").str("/a").str("signal").str("timeline");
  easing.str("timeline").map(1).str("keyframes").arr(1).map(3).str("time").u(0).str("value").u(1);
  easing.str("easing").str("bounce");
  EXPECT_EQ(decodeErr(easing.bytes()),
            "v0 PUBLISH: 'timeline.keyframes[0].easing' has unknown value \"bounce\"");
  Mp def;
  def.map(3).str("type").str("RESULT").str("signals").arr(1).map(2).str("address").str("/a");
  def.str("type").str("Param").str("x").nil();
  EXPECT_EQ(decodeErr(def.bytes()), "v0 RESULT: 'signals[0].type' has unknown value \"Param\"");
}

TEST(CodecV0, TtlForms) {
  auto ttl = [](const std::function<void(Mp&)>& t) {
    Mp m;
    m.map(4).str("type").str("SET").str("address").str("/a").str("value").i(1).str("ttl");
    t(m);
    return m.bytes();
  };
  EXPECT_EQ(std::get<Set>(decodeOk(ttl([](Mp& m) { m.map(1).str("Absolute").u(0); }))).ttl,
            (Ttl{Ttl::Kind::Absolute, 0}));
  EXPECT_EQ(std::get<Set>(decodeOk(ttl([](Mp& m) { m.nil(); }))).ttl, std::nullopt);
  EXPECT_NE(decodeErr(ttl([](Mp& m) { m.u(60); })).find("'ttl' must be {\"Sliding\": n}"),
            std::string::npos);
  EXPECT_EQ(decodeErr(ttl([](Mp& m) { m.str("never"); })),
            "v0 SET: 'ttl' has unknown value \"never\"");
  EXPECT_EQ(decodeErr(ttl([](Mp& m) { m.map(1).str("Sliding").i(-5); })),
            "v0 SET: 'ttl.Sliding' must not be negative");
  EXPECT_EQ(decodeErr(ttl([](Mp& m) { m.map(1).str("Sliding").u(0x80000000u); })),
            "v0 SET: 'ttl.Sliding' is out of range for 31-bit seconds");
  EXPECT_EQ(decodeErr(ttl([](Mp& m) { m.map(1).str("Forever").u(1); })),
            "v0 SET: 'ttl' has unknown kind \"Forever\"");
  EXPECT_NE(decodeErr(ttl([](Mp& m) { m.map(2).str("Sliding").u(1).str("Absolute").u(1); })).size(),
            0u);
}

TEST(CodecV0, MissingRequiredKeysNameTheKey) {
  Mp set;
  set.map(2).str("type").str("SET").str("value").i(1);
  EXPECT_EQ(decodeErr(set.bytes()), "v0 SET: missing required key 'address'");
  Mp noValue;
  noValue.map(2).str("type").str("SET").str("address").str("/a");
  EXPECT_EQ(decodeErr(noValue.bytes()), "v0 SET: missing required key 'value'");
  Mp snap;
  snap.map(2).str("type").str("SNAPSHOT").str("params").arr(1).map(2).str("address").str("/a");
  snap.str("value").i(1);
  EXPECT_EQ(decodeErr(snap.bytes()), "v0 SNAPSHOT: missing required key 'params[0].revision'");
  Mp inBundle;
  inBundle.map(2).str("type").str("BUNDLE").str("messages").arr(1).map(1).str("type").str("GET");
  EXPECT_EQ(decodeErr(inBundle.bytes()), "v0 BUNDLE: missing required key 'messages[0].address'");
  Mp noMessages;
  noMessages.map(1).str("type").str("BUNDLE");
  EXPECT_EQ(decodeErr(noMessages.bytes()), "v0 BUNDLE: missing required key 'messages'");
  for (const char* type :
       {"WELCOME", "ANNOUNCE", "SUBSCRIBE", "UNSUBSCRIBE", "PUBLISH", "GET", "SNAPSHOT", "REPLAY",
        "FEDERATION_SYNC", "SYNC", "ERROR", "QUERY", "RESULT", "HELLO"}) {
    Mp m;
    m.map(1).str("type").str(type);
    EXPECT_NE(decodeErr(m.bytes()).find("missing required key"), std::string::npos) << type;
  }
}

TEST(CodecV0, OptionalNilMeansAbsent) {
  Mp m;
  m.map(6).str("type").str("ACK").str("address").nil().str("revision").nil().str("locked").nil();
  m.str("holder").nil().str("correlation_id").nil();
  EXPECT_MESSAGE(decodeOk(m.bytes()), Message{Ack{}});
  Mp req;
  req.map(2).str("type").str("GET").str("address").nil();
  EXPECT_EQ(decodeErr(req.bytes()), "v0 GET: 'address' must be a string");
}

TEST(CodecV0, MapForms) {
  Bytes8 map16 = hex("de 00 01 a4 74 79 70 65 a4 50 49 4e 47");
  EXPECT_MESSAGE(decodeOk(map16), Message{Ping{}});
  Bytes8 map32 = hex("df 00 00 00 01 a4 74 79 70 65 a4 50 4f 4e 47");
  EXPECT_MESSAGE(decodeOk(map32), Message{Pong{}});
}

TEST(CodecV0, TrailingBytesAreIgnored) {
  Bytes8 p = hex("81 a4 74 79 70 65 a4 50 49 4e 47 c1 ff 00 91");
  EXPECT_MESSAGE(decodeOk(p), Message{Ping{}});
}

TEST(CodecV0, NotAMap) {
  EXPECT_NE(decodeErr(hex("91 a4 50 49 4e 47")).find("must be a map"), std::string::npos);
  decodeErr(hex("a4 50 49 4e 47"));
  decodeErr(hex("c1"));
  decodeErr({});
  Mp intKey;
  intKey.map(2).str("type").str("PING").u(1).u(2);
  EXPECT_EQ(decodeErr(intKey.bytes()), "v0: message has a key that is not a string");
}

TEST(CodecV0, DuplicateKeys) {
  Mp m;
  m.map(4).str("type").str("SET").str("address").str("/a").str("value").i(1).str("address").str(
      "/b");
  EXPECT_EQ(decodeErr(m.bytes()), "v0 SET: 'address' appears twice");
  Mp types;
  types.map(2).str("type").str("PING").str("type").str("PONG");
  EXPECT_EQ(decodeErr(types.bytes()), "v0: 'type' appears twice");
  // Inside a value map the later entry wins, in the earlier entry's place (§4.3).
  Message got =
      decodeOk(setWith([](Mp& v) { v.map(3).str("k").i(1).str("j").i(2).str("k").i(3); }));
  EXPECT_EQ(std::get<Set>(got).value, (Value(Map{{"k", Value(3)}, {"j", Value(2)}})));
  // A big map takes the hashed path; same rule.
  Message big = decodeOk(setWith([](Mp& v) {
    v.map(40);
    for (int i = 0; i < 39; ++i) v.str("k" + std::to_string(i)).i(i);
    v.str("k0").str("last");
  }));
  const Map& entries = *std::get<Set>(big).value.asMap();
  ASSERT_EQ(entries.size(), 39u);
  EXPECT_EQ(entries[0], (MapEntry{"k0", Value("last")}));
}

TEST(CodecV0, OtherTypeErrors) {
  EXPECT_EQ(decodeErr(setWith([](Mp& m) { m.raw(hex("d4 01 00")); })),
            "v0 SET: 'value' holds a MessagePack ext value, which is not a CLASP value");
  EXPECT_EQ(decodeErr(setWith([](Mp& m) { m.map(1).u(1).u(2); })),
            "v0 SET: 'value' has a key that is not a string");
  EXPECT_EQ(decodeErr(setWith([](Mp& m) { m.map(1).str("\xFF").u(2); })),
            "v0 SET: 'value' has a key that is not valid UTF-8");
  Mp revKey;
  revKey.map(3).str("type").str("FEDERATION_SYNC").str("op").str("RevisionVector");
  revKey.str("revisions").map(1).str("/a").i(-1);
  EXPECT_EQ(decodeErr(revKey.bytes()), "v0 FEDERATION_SYNC: 'revisions./a' must not be negative");
  Mp range;
  range.map(3).str("type").str("ANNOUNCE").str("namespace").str("/n").str("signals").arr(1);
  range.map(3).str("address").str("/n/a").str("type").str("param").str("meta").map(1);
  range.str("range").arr(3).f(0).f(1).f(2);
  EXPECT_EQ(decodeErr(range.bytes()),
            "v0 ANNOUNCE: 'signals[0].meta.range' must have exactly 2 elements");
  Mp lock;
  lock.map(4).str("type").str("SET").str("address").str("/a").str("value").i(1).str("lock").u(1);
  EXPECT_EQ(decodeErr(lock.bytes()), "v0 SET: 'lock' must be a boolean");
  Mp samples;
  samples.map(3).str("type").str("PUBLISH").str("address").str("/a").str("samples").arr(1).str("x");
  EXPECT_EQ(decodeErr(samples.bytes()), "v0 PUBLISH: 'samples[0]' must be a number");
  Mp element;
  element.map(2).str("type").str("BUNDLE").str("messages").arr(1).arr(0);
  EXPECT_EQ(decodeErr(element.bytes()), "v0 BUNDLE: 'messages[0]' must be a map");
}

// ---- depth and size limits --------------------------------------------------

Bytes8 setNested(int depth, bool maps) {
  return setWith([&](Mp& m) {
    for (int i = 0; i < depth; ++i) maps ? m.map(1).str("k") : m.arr(1);
    m.i(7);
  });
}

TEST(CodecV0, ValueDepthLimitIs32) {
  for (bool maps : {false, true}) {
    EXPECT_TRUE(decodeMessageV0(setNested(32, maps)).has_value()) << maps;
    EXPECT_NE(decodeErr(setNested(33, maps)).find("nests deeper than 32 levels"), std::string::npos)
        << maps;
  }
  // A 32-deep value deep inside the envelope (PUBLISH timeline keyframe) still fits.
  Mp m;
  m.map(3).str("type").str("PUBLISH").str("address").str("/a").str("timeline").map(1);
  m.str("keyframes").arr(1).map(2).str("time").u(0).str("value");
  for (int i = 0; i < 32; ++i) m.arr(1);
  m.nil();
  EXPECT_TRUE(decodeMessageV0(m.bytes()).has_value());
}

TEST(CodecV0, DocumentDepthIsCapped) {
  // Even an ignored key may not nest without bound.
  Mp m;
  m.map(2).str("type").str("PING").str("junk");
  for (int i = 0; i < 60; ++i) m.arr(1);
  m.nil();
  EXPECT_NE(decodeErr(m.bytes()).find("nesting deeper than"), std::string::npos);
  // Deeply nested BUNDLEs stop at the same cap instead of recursing on.
  Mp b;
  for (int i = 0; i < 30; ++i) b.map(2).str("type").str("BUNDLE").str("messages").arr(1);
  b.map(1).str("type").str("PING");
  EXPECT_NE(decodeErr(b.bytes()).find("nesting deeper than"), std::string::npos);
  // Thousands of levels (the reference overflows its stack near 20 000).
  Bytes8 deep(60000, 0x91);
  deep.insert(deep.begin(), {0x81, 0xa4, 't', 'y', 'p', 'e'});
  decodeErr(deep);
}

TEST(CodecV0, AbsurdSizesAreRejectedWithoutAllocating) {
  // Headers that claim far more elements or bytes than the payload holds.
  Bytes8 arrays;
  for (int i = 0; i < 38; ++i) arrays.insert(arrays.end(), {0xdd, 0x00, 0x00, 0xff, 0xff});
  arrays.insert(arrays.begin(),
                {0x82, 0xa4, 't', 'y', 'p', 'e', 0xa4, 'P', 'I', 'N', 'G', 0xa1, 'x'});
  decodeErr(arrays);
  decodeErr(hex("81 a4 74 79 70 65 dd ff ff ff ff"));
  decodeErr(hex("df ff ff ff ff a4 74 79 70 65 a4 50 49 4e 47"));
  decodeErr(hex("81 a4 74 79 70 65 db ff ff ff ff 50 49 4e 47"));
  decodeErr(hex("81 a4 74 79 70 65 c6 ff ff ff ff 50 49 4e 47"));
  decodeErr(hex("81 a4 74 79 70 65 c9 ff ff ff ff 01 50 49 4e 47"));
  // A near-maximal payload (so the size limits are loose) whose nested headers
  // each claim 60 000 items: rejected before msgpack-cxx reserves ~55 MB.
  Mp padded;
  padded.map(3).str("type").str("PING").str("pad").str(std::string(64000, 'x')).str("x");
  Bytes8 claims = padded.bytes();
  for (int i = 0; i < 38; ++i) claims.insert(claims.end(), {0xdd, 0x00, 0x00, 0xea, 0x60});
  decodeErr(claims);
  // The largest legal payload still decodes: 65 000 one-byte elements.
  Message big = decodeOk(setWith([](Mp& m) {
    m.arr(65000);
    for (int i = 0; i < 65000; ++i) m.u(1);
  }));
  EXPECT_EQ(std::get<Set>(big).value.asArray()->size(), 65000u);
}

// ---- truncation and garbage -------------------------------------------------

std::vector<Bytes8> validPayloads() {
  return {fullHello(),     fullWelcome(), fullAnnounce(),
          fullSubscribe(), fullPublish(), fullSet(),
          fullSnapshot(),  fullReplay(),  fullFederationSync(),
          fullBundle(),    fullSync(),    fullAck(),
          fullError(),     fullResult(),  hex("81 a4 74 79 70 65 a4 50 49 4e 47")};
}

TEST(CodecV0, EveryTruncationIsAnError) {
  for (const Bytes8& p : validPayloads()) {
    ASSERT_TRUE(decodeMessageV0(p).has_value());
    for (std::size_t n = 0; n < p.size(); ++n) {
      auto r = decodeMessageV0(std::span(p.data(), n));
      ASSERT_FALSE(r.has_value()) << "prefix " << n << " of " << p.size();
      EXPECT_EQ(r.error().code, Errc::BadMessage);
    }
  }
}

TEST(CodecV0, RandomMutationsNeverCrash) {
  std::mt19937 rng(12345);
  for (const Bytes8& p : validPayloads()) {
    for (int round = 0; round < 400; ++round) {
      Bytes8 q = p;
      int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e) q[rng() % q.size()] = static_cast<std::uint8_t>(rng());
      auto r = decodeMessageV0(q);
      if (!r) {
        EXPECT_EQ(r.error().code, Errc::BadMessage);
      }
    }
  }
}

}  // namespace
}  // namespace clasp
