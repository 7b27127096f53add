// Every test vector of protocol.md §15 and every frame the JS client 3.3.2
// sends (vectors/js-client-3.3.2.json): decode, compare every field with the
// expected message, re-encode with the frame's QoS, and compare the bytes.
#include <gtest/gtest.h>

#include "core/codec.hpp"
#include "spec_vectors.hpp"

namespace clasp {
namespace {

using test::ByteVec;
using test::toHex;

const auto& protocolVectors() {
  static const auto v = test::loadProtocolVectors();
  return v;
}

std::string hexOf(const OutBuffer& b) { return toHex(b.data(), b.size()); }
std::string hexOf(const ByteVec& b) { return toHex(b.data(), b.size()); }

// Decodes `frame`, checks it equals `expected`, re-encodes and compares bytes.
void roundTrip(const ByteVec& frame, const Message& expected, const std::string& label) {
  SCOPED_TRACE(label);
  auto d = decodeFrame(frame);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_EQ(d->size, frame.size());
  EXPECT_TRUE(d->message == expected) << "decoded fields differ from the expected message";
  OutBuffer out;
  ASSERT_TRUE(encodeFrame(d->message, out, d->header.qos(), d->header.timestamp).has_value());
  EXPECT_EQ(hexOf(out), hexOf(frame));
  // Encoding the expected message directly must give the same bytes too.
  OutBuffer direct;
  ASSERT_TRUE(encodeFrame(expected, direct, d->header.qos(), d->header.timestamp).has_value());
  EXPECT_EQ(hexOf(direct), hexOf(frame));
}

void tv(const std::string& id, const Message& expected, std::size_t index = 0) {
  const auto& all = protocolVectors();
  auto it = all.find(id);
  ASSERT_NE(it, all.end()) << id << " missing from protocol.md";
  ASSERT_GT(it->second.size(), index);
  roundTrip(it->second[index], expected, id);
}

Map map1(const char* k, Value v) { return Map{MapEntry{k, std::move(v)}}; }

TEST(ProtocolVectors, TV01_HelloDefault) {
  tv("TV-01", Hello{1, 0xE0, "Test", ""});
}
TEST(ProtocolVectors, TV02_HelloTokenFederation) {
  tv("TV-02", Hello{1, 0x84, "r1", "cpsk_abc"});
}
TEST(ProtocolVectors, TV03_Welcome) {
  tv("TV-03", Welcome{1, 0xF8, 1700000000000000ull, "sess-1", "Router", ""});
}
TEST(ProtocolVectors, TV04_SetFloatRevision) {
  tv("TV-04", Set{"/test/value", 0.75, 42u, false, false, std::nullopt});
}
TEST(ProtocolVectors, TV05_SetLock) {
  tv("TV-05", Set{"/test", true, std::nullopt, true, false, std::nullopt});
}
TEST(ProtocolVectors, TV06_SetIntSlidingTtl) {
  tv("TV-06", Set{"/t", std::int64_t{42}, std::nullopt, false, false, Ttl{Ttl::Kind::Sliding, 60}});
}
TEST(ProtocolVectors, TV07_SetStringAbsoluteTtl) {
  tv("TV-07", Set{"/t", "hi", std::nullopt, false, false, Ttl{Ttl::Kind::Absolute, 300}});
}
TEST(ProtocolVectors, TV08_SetNullUnlockNever) {
  tv("TV-08", Set{"/t", Value(), std::nullopt, false, true, Ttl{Ttl::Kind::Never, 0}});
}
TEST(ProtocolVectors, TV09_SetArray) {
  tv("TV-09", Set{"/a", Array{1.0, "x", Value(), false}, std::nullopt, false, false, std::nullopt});
}
TEST(ProtocolVectors, TV10_SetBytes) {
  tv("TV-10", Set{"/b", Bytes{0xde, 0xad}, std::nullopt, false, false, std::nullopt});
}
TEST(ProtocolVectors, TV11_SubscribeFilterOptions) {
  tv("TV-11", Subscribe{42, "/lumen/scene/*/layer/**", 0x05,
                        SubscribeOptions{60u, 0.01, std::nullopt, std::nullopt}});
}
TEST(ProtocolVectors, TV12_SubscribeEveryOption) {
  tv("TV-12", Subscribe{7, "/x", 0x1a, SubscribeOptions{30u, 0.5, 10u, 1000u}});
}
TEST(ProtocolVectors, TV13_SubscribePlain) {
  tv("TV-13", Subscribe{1, "/a/**", 0, std::nullopt});
}
TEST(ProtocolVectors, TV14_Unsubscribe) { tv("TV-14", Unsubscribe{42}); }
TEST(ProtocolVectors, TV15_PublishEventMap) {
  Publish p;
  p.address = "/cue/fire";
  p.signal = SignalType::Event;
  p.value = Value(map1("cue", "intro"));
  p.timestamp = 1000000;
  tv("TV-15", p);
}
TEST(ProtocolVectors, TV16_PublishStreamSamples) {
  Publish p;
  p.address = "/audio/level";
  p.signal = SignalType::Stream;
  p.samples = std::vector<double>{0.5, 0.25, -1.0};
  p.rate = 100;
  tv("TV-16", p);
}
TEST(ProtocolVectors, TV17_PublishGesture) {
  Publish p;
  p.address = "/input/touch";
  p.signal = SignalType::Gesture;
  p.phase = GesturePhase::Move;
  p.value = Value(map1("x", 0.5));
  p.timestamp = 1000000;
  p.id = 7;
  tv("TV-17", p);
}
TEST(ProtocolVectors, TV18_PublishTimeline) {
  Publish p;
  p.address = "/lights/dimmer";
  p.signal = SignalType::Timeline;
  p.timestamp = 5;
  tv("TV-18", p);
}
TEST(ProtocolVectors, TV19_BundleTwoSets) {
  Bundle b;
  b.timestamp = 1000000;
  b.messages.push_back(Set{"/light/1", 1.0, std::nullopt, false, false, std::nullopt});
  b.messages.push_back(Set{"/light/2", 0.0, std::nullopt, false, false, std::nullopt});
  tv("TV-19", b);
}
TEST(ProtocolVectors, TV20_Snapshot) {
  Snapshot s;
  s.params.push_back(ParamValue{"/a", 0.5, 3, std::string("s1"), 1000u});
  s.params.push_back(ParamValue{"/b", "on", 1, std::nullopt, std::nullopt});
  tv("TV-20", s);
}
TEST(ProtocolVectors, TV21_AckAddressRevision) {
  tv("TV-21", Ack{std::string("/test/value"), 43u, std::nullopt, std::nullopt, std::nullopt});
}
TEST(ProtocolVectors, TV22_AckEveryField) {
  tv("TV-22", Ack{std::string("/l"), 2u, true, std::string("s9"), 77u});
}
TEST(ProtocolVectors, TV23_ErrorAddress) {
  tv("TV-23", ErrorMsg{301, "Insufficient scope", std::string("/x"), std::nullopt});
}
TEST(ProtocolVectors, TV24_ErrorCorrelation) {
  tv("TV-24", ErrorMsg{429, "slow", std::nullopt, 5u});
}
TEST(ProtocolVectors, TV25_Ping) { tv("TV-25", Ping{}); }
TEST(ProtocolVectors, TV26_PingTimestamp) {
  tv("TV-26", Ping{});
  auto d = decodeFrame(protocolVectors().at("TV-26")[0]);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->header.timestamp, 1700000000000000ull);
}
TEST(ProtocolVectors, TV27_SyncRequest) { tv("TV-27", Sync{1000000, std::nullopt, std::nullopt}); }
TEST(ProtocolVectors, TV28_SyncReply) { tv("TV-28", Sync{1000000, 1000500u, 1000500u}); }
TEST(ProtocolVectors, TV29_Get) { tv("TV-29", Get{"/test/value"}); }
TEST(ProtocolVectors, TV30_QueryAndResult) {
  tv("TV-30", Query{"/**"}, 0);
  QueryResult r;
  r.signals.push_back(SignalDefinition{"/a", SignalType::Param, std::string("f64"),
                                       std::string("rw"), std::nullopt});
  tv("TV-30", r, 1);
}
TEST(ProtocolVectors, TV31_AnnounceMeta) {
  Announce a;
  a.ns = "/dev";
  SignalMeta m;
  m.unit = "dB";
  m.range = std::make_pair(0.0, 1.0);
  m.defaultValue = Value(0.5);
  a.signals.push_back(
      SignalDefinition{"/dev/vol", SignalType::Param, std::string("f64"), std::nullopt, m});
  tv("TV-31", a);
}
TEST(ProtocolVectors, TV32_Replay) {
  tv("TV-32", Replay{"/a/**", 1000u, std::nullopt, 10u, typemask::kParam});
}
TEST(ProtocolVectors, TV33_FederationDeclare) {
  FederationSync f;
  f.op = FederationOp::DeclareNamespaces;
  f.patterns = {"/site-a/**"};
  f.origin = "router-a";
  tv("TV-33", f);
}
TEST(ProtocolVectors, TV34_FederationRevisionVector) {
  FederationSync f;
  f.op = FederationOp::RevisionVector;
  f.revisions = {{"/a", 5}};
  f.sinceRevision = 4;
  tv("TV-34", f);
}
TEST(ProtocolVectors, TV35_JsSubscribeMaxRate) {
  tv("TV-35", Subscribe{2, "/mixer/*", 0, SubscribeOptions{30u, std::nullopt, std::nullopt, std::nullopt}});
}
TEST(ProtocolVectors, TV36_JsSetInteger) {
  tv("TV-36", Set{"/mixer/count", 3.0, std::nullopt, false, false, std::nullopt});
}
TEST(ProtocolVectors, TV37_JsEmitNoPayload) {
  Publish p;
  p.address = "/cue/go";
  p.value = Value();
  p.timestamp = 1700000000001000ull;
  tv("TV-37", p);
}
TEST(ProtocolVectors, TV38_JsGesture) {
  Publish p;
  p.address = "/touch";
  p.signal = SignalType::Gesture;
  p.phase = GesturePhase::Move;
  p.value = Value(map1("x", 0.5));
  p.timestamp = 1700000000001000ull;
  p.id = 1;
  tv("TV-38", p);
}
TEST(ProtocolVectors, TV39_JsTimeline) {
  Publish p;
  p.address = "/fade";
  p.signal = SignalType::Timeline;
  p.timestamp = 1700000000001000ull;
  tv("TV-39", p);
}
TEST(ProtocolVectors, TV40_JsBundleAt) {
  Bundle b;
  b.timestamp = 1700000000000000ull;
  b.messages.push_back(Set{"/l/1", 1.0, std::nullopt, false, false, std::nullopt});
  Publish e;
  e.address = "/c";
  e.value = Value(map1("a", 1.0));
  b.messages.push_back(e);
  tv("TV-40", b);
}

// v0 frames decode (we never emit v0, so there is no byte comparison).
TEST(ProtocolVectors, TV41_V0Ping) {
  auto d = decodeFrame(protocolVectors().at("TV-41")[0]);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_TRUE(d->message == Message(Ping{}));
  EXPECT_EQ(d->header.version(), 0);
}
TEST(ProtocolVectors, TV42_V0Set) {
  auto d = decodeFrame(protocolVectors().at("TV-42")[0]);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_TRUE(d->message == Message(Set{"/test/value", 0.5, 1u, false, false, std::nullopt}));
}
TEST(ProtocolVectors, TV43_V0SetTtl) {
  const auto& v = protocolVectors().at("TV-43");
  ASSERT_EQ(v.size(), 2u);
  auto a = decodeMessage(v[0]);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_TRUE(*a == Message(Set{"/t", std::int64_t{1}, std::nullopt, false, false,
                                Ttl{Ttl::Kind::Sliding, 60}}));
  auto b = decodeMessage(v[1]);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_TRUE(*b == Message(Set{"/t", std::int64_t{1}, std::nullopt, false, false,
                                Ttl{Ttl::Kind::Never, 0}}));
}

TEST(ProtocolVectors, AllSectionsCovered) {
  // 43 vectors in §15; this file has one test per vector.
  EXPECT_EQ(protocolVectors().size(), 43u);
}

// ---------------------------------------------------------------------------
// Decode-only vectors (§15 table).

const auto& decodeOnly() {
  static const auto v = test::loadDecodeOnlyVectors();
  return v;
}

Message decodeOk(const std::string& id) {
  auto d = decodeFrame(decodeOnly().at(id));
  EXPECT_TRUE(d.has_value()) << id << ": " << (d ? "" : d.error().message);
  return d ? d->message : Message(Ping{});
}

TEST(DecodeOnly, WidenedIntegersAndFloat) {
  EXPECT_TRUE(decodeOk("D-01") == Message(Set{"/a", std::int64_t{-1}, {}, false, false, {}}));
  EXPECT_TRUE(decodeOk("D-02") == Message(Set{"/a", std::int64_t{-2}, {}, false, false, {}}));
  EXPECT_TRUE(decodeOk("D-03") == Message(Set{"/a", std::int64_t{65536}, {}, false, false, {}}));
  EXPECT_TRUE(decodeOk("D-04") == Message(Set{"/a", 1.5, {}, false, false, {}}));
}
TEST(DecodeOnly, PingVersionZeroAndReservedQos) {
  EXPECT_TRUE(decodeOk("D-05") == Message(Ping{}));
  auto d = decodeFrame(decodeOnly().at("D-06"));
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->message == Message(Ping{}));
  EXPECT_EQ(d->header.qos(), QoS::Fire);
  EXPECT_EQ(d->size, 5u);  // two trailing bytes ignored
}
TEST(DecodeOnly, PublishUnknownSignalAndPhase) {
  Publish p;
  p.address = "/a";
  EXPECT_TRUE(decodeOk("D-07") == Message(p));
}
TEST(DecodeOnly, EmptySnapshot) { EXPECT_TRUE(decodeOk("D-08") == Message(Snapshot{})); }
TEST(DecodeOnly, Errors) {
  auto d09 = decodeFrame(decodeOnly().at("D-09"));
  ASSERT_FALSE(d09);
  EXPECT_EQ(d09.error().code, Errc::BadMessage);
  EXPECT_NE(d09.error().message.find("unknown message type 0x05"), std::string::npos);

  auto d10 = decodeFrame(decodeOnly().at("D-10"));
  ASSERT_FALSE(d10);
  EXPECT_EQ(d10.error().code, Errc::BadMessage);
  EXPECT_NE(d10.error().message.find("SET"), std::string::npos) << d10.error().message;

  auto d11 = decodeFrame(decodeOnly().at("D-11"));
  ASSERT_FALSE(d11);
  EXPECT_EQ(d11.error().code, Errc::BadFrame);
  EXPECT_NE(d11.error().message.find("0x54"), std::string::npos);

  auto d12 = decodeFrame(decodeOnly().at("D-12"));
  ASSERT_FALSE(d12);
  EXPECT_EQ(d12.error().code, Errc::BadFrame);
  EXPECT_EQ(frameSizeNeeded(decodeOnly().at("D-12")), 9u);

  auto d13 = decodeFrame(decodeOnly().at("D-13"));
  ASSERT_FALSE(d13);
  EXPECT_NE(d13.error().message.find("unknown message type 0x81"), std::string::npos)
      << d13.error().message;
}

// ---------------------------------------------------------------------------
// Frames captured from the JS client 3.3.2.

Message jsExpected(std::size_t i) {
  constexpr std::uint64_t kNow = 1700000000000000ull;  // the capture's clock
  auto set = [](Value v) { return Message(Set{"/a/b", std::move(v), {}, false, false, {}}); };
  auto sub = [](std::uint32_t id, const char* p, std::optional<SubscribeOptions> o = {}) {
    return Message(Subscribe{id, p, 0, o});
  };
  auto pub = [](const char* a, SignalType s, std::optional<Value> v, std::optional<std::uint64_t> ts,
                GesturePhase ph = GesturePhase::Start, std::optional<std::uint32_t> id = {}) {
    Publish p;
    p.address = a;
    p.signal = s;
    p.phase = ph;
    p.value = std::move(v);
    p.timestamp = ts;
    p.id = id;
    return Message(p);
  };
  Map xy = {MapEntry{"x", 1.0}, MapEntry{"y", Value(Map{MapEntry{"z", "q"}, MapEntry{"w", Array{2.0}}})}};
  switch (i) {
    case 0: return Hello{1, 0xE0, "CLASP JS Client", ""};
    case 1: return Hello{1, 0xF8, "acc", "tok123"};
    case 2: return set(42.0);
    case 3: return set(-7.0);
    case 4: return set(0.5);
    case 5: return set(true);
    case 6: return set(false);
    case 7: return set("hello");
    case 8: return set("h\xc3\xa9 \xe2\x9c\x93");
    case 9: return set(Value());
    case 10: return set(Bytes{1, 2, 255});
    case 11: return set(Array{1.0, "two", true});
    case 12: return set(Array{});
    case 13: return set(Value(xy));
    case 14: return set(Value(Map{}));
    case 15: return Get{"/a/b"};
    case 16: return sub(1, "/a/*");
    case 17: return sub(2, "/a/**", SubscribeOptions{30u, 0.01, {}, {}});
    case 18: return sub(3, "/s/x", SubscribeOptions{60u, {}, {}, {}});
    case 19: return sub(4, "/e/**");
    case 20: return Unsubscribe{1};
    case 21: return pub("/e/go", SignalType::Event, Value(map1("cue", "intro")), kNow);
    case 22: return pub("/e/go", SignalType::Event, Value(), kNow);
    case 23: return pub("/s/x", SignalType::Stream, Value(0.25), kNow);
    case 24: return pub("/s/x", SignalType::Stream, Value(Array{1.0, 2.0}), kNow);
    case 25:
      return pub("/g/t", SignalType::Gesture, Value(Map{MapEntry{"x", 1.0}, MapEntry{"y", 2.0}}),
                 kNow, GesturePhase::Start, 7u);
    case 26:
      return pub("/g/t", SignalType::Gesture, Value(Map{MapEntry{"x", 3.0}, MapEntry{"y", 4.0}}),
                 kNow, GesturePhase::Move, 7u);
    case 27:
      return pub("/g/t", SignalType::Gesture, Value(Map{MapEntry{"x", 5.0}, MapEntry{"y", 6.0}}),
                 kNow, GesturePhase::End, 7u);
    case 28: return pub("/g/t", SignalType::Gesture, Value(), kNow, GesturePhase::Cancel, 8u);
    case 29: return pub("/t/x", SignalType::Timeline, std::nullopt, kNow);
    case 30: return pub("/t/x", SignalType::Timeline, std::nullopt, 1700000005000000ull);
    case 31: {
      Bundle b;
      b.messages.push_back(Set{"/b/x", 1.0, {}, false, false, {}});
      b.messages.push_back(Set{"/b/y", "two", {}, false, false, {}});
      b.messages.push_back(pub("/b/ev", SignalType::Event, Value(map1("n", 3.0)), std::nullopt));
      return b;
    }
    case 32: {
      Bundle b;
      b.timestamp = 1700000000100000ull;
      b.messages.push_back(Set{"/b/x", 1.0, {}, false, false, {}});
      return b;
    }
    case 33: return Pong{};
    case 34: return Hello{1, 0xE0, "CLASP JS Client", ""};
    case 35: return sub(1, "/r/**", SubscribeOptions{10u, {}, {}, {}});
    case 36: return Hello{1, 0xE0, "CLASP JS Client", ""};
    case 37: return sub(1, "/r/**");
  }
  return Ping{};
}

TEST(JsClientVectors, EveryFrameRoundTrips) {
  auto vectors = test::loadJsClientVectors();
  ASSERT_EQ(vectors.size(), 38u);
  for (std::size_t i = 0; i < vectors.size(); ++i)
    roundTrip(vectors[i].frame, jsExpected(i), vectors[i].call);
}

}  // namespace
}  // namespace clasp
