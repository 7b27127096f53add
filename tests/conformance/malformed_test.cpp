// Malformed input: DECISIONS D-4 and docs/decisions.md "Malformed input"
// (not a frame -> ERROR 100 + close 1002; an undecodable payload -> ERROR 101
// with the decoder's text, the session continues; nesting > 32 is a decode
// error; a WebSocket message over --max-message-size -> close 1009),
// router.md R1.6 (truncation must not kill the session), scenario S7, and the
// frame-header rules of protocol.md §1.4.
#include "fixture.hpp"

namespace clasp::conformance {
namespace {

class Malformed : public ConformanceTest {};

Bytes frameWithPayload(std::span<const std::uint8_t> payload, std::uint8_t flags = 0x01) {
  Bytes f = {0x53, flags, static_cast<std::uint8_t>(payload.size() >> 8),
             static_cast<std::uint8_t>(payload.size() & 0xFF)};
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

Bytes payloadOf(const Message& m) {
  OutBuffer b;
  EXPECT_TRUE(encodePayload(m, b)) << describe(m);
  return Bytes(b.data(), b.data() + b.size());
}

// One message of every type, with every optional field present.
std::vector<Message> oneOfEachType() {
  const std::string a = "/t/truncated";
  SignalMeta meta{"Hz", std::pair{0.0, 1.0}, Value(0.5), "desc"};
  Subscribe sub = subscribeOf(7, "/t/**", typemask::kEvent | typemask::kGesture);
  sub.options = SubscribeOptions{30, 0.5, 10, 1000};
  Publish pub = gestureOf(a, 4, GesturePhase::Move, Value(2.5));
  pub.timestamp = 99;
  Set set = setOf(a, Value(1.5));
  set.revision = 3;
  set.lock = true;
  set.ttl = Ttl{Ttl::Kind::Sliding, 60};
  Replay replay;
  replay.pattern = "/t/**";
  replay.from = 1;
  replay.to = 2;
  replay.limit = 3;
  replay.types = typemask::kParam;
  Bundle bundle;
  bundle.timestamp = 5;
  bundle.messages = {setOf(a, Value(1)), eventOf(a, Value("e"))};
  return {
      Hello{1, 0xE0, "truncate", "token"},
      Welcome{1, 0xF8, 123, "session", "name", ""},
      Announce{"/t", {SignalDefinition{a, SignalType::Param, "f64", "rw", meta}}},
      FederationSync{FederationOp::RequestSync, {"/t/**"}, {{a, 3}}, 7, "origin"},
      sub,
      Unsubscribe{7},
      pub,
      set,
      Get{a},
      Snapshot{{ParamValue{a, Value("s"), 2, "writer", 99}}},
      replay,
      bundle,
      Sync{1, 2, 3},
      Ping{},
      Pong{},
      Ack{a, 2, true, "holder", 9},
      ErrorMsg{400, "message", a, 9},
      Query{"/t/**"},
      QueryResult{{SignalDefinition{a, SignalType::Event, "f", "r", std::nullopt}}},
  };
}

// D-4: a binary message that is not a CLASP frame -> ERROR 100
// "invalid frame: ..." then close 1002.
TEST_F(Malformed, D4_NotAFrameGets100ThenClose1002) {
  struct Case {
    const char* name;
    const char* hex;
  };
  static const Case kCases[] = {
      {"bad magic", "DE AD BE EF"},
      {"length beyond the message", "53 01 FF FF"},
      {"payload shorter than its length", "53 01 00 05 41"},
      {"timestamp flag without timestamp", "53 21 00 01 41"},
      {"shorter than a header", "53 01"},
      {"empty message", ""},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    auto client = open();
    ASSERT_TRUE(client);
    ASSERT_TRUE(client->sendRaw(fromHex(c.hex)));
    auto e = client->expectError(100);
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->message.starts_with("invalid frame: ")) << e->message;
    EXPECT_TRUE(client->expectClose(1002));
  }
}

// S7, D-4 (S7's raw DE AD BE EF is a bad frame under D-4, see the test
// above; here the garbage is well framed): ERROR 101, and a SET afterwards
// is still acknowledged.
TEST_F(Malformed, S7_D4_UndecodablePayloadGets101SessionSurvives) {
  auto c = open();
  ASSERT_TRUE(c);
  for (const char* hex : {"53 01 00 01 FF", "53 01 00 02 7F 00", "53 01 00 01 91"}) {
    SCOPED_TRACE(hex);
    ASSERT_TRUE(c->sendRaw(fromHex(hex)));
    auto e = c->expectError(101);
    ASSERT_TRUE(e);
    EXPECT_FALSE(e->message.empty());
  }
  auto ack = setAcked(*c, addr("/test/attacker_survived"), Value(99.0));
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->revision, 1u);
}

// D-4, R1.6 Fix, protocol.md §5.18: every message type, cut at every length
// the decoder rejects, -> ERROR 101 carrying the decoder's text; nothing is
// applied and the session keeps working.
TEST_F(Malformed, D4_R1_6_TruncatedPayloadOfEveryTypeGets101) {
  auto c = open();
  ASSERT_TRUE(c);
  int sent = 0;
  // An empty payload (length 0) is a message-level error too (§1.4).
  ASSERT_TRUE(c->sendRaw(fromHex("53 01 00 00")));
  EXPECT_TRUE(c->expectError(101));
  for (const Message& m : oneOfEachType()) {
    SCOPED_TRACE(messageTypeName(m.type()));
    const Bytes full = payloadOf(m);
    for (std::size_t n = 1; n < full.size(); ++n) {
      std::span<const std::uint8_t> cut(full.data(), n);
      auto local = decodeMessage(cut);
      if (local) continue;  // a valid shorter message (e.g. PUBLISH without its rate)
      SCOPED_TRACE("cut at " + std::to_string(n) + " of " + std::to_string(full.size()));
      ASSERT_TRUE(c->sendRaw(frameWithPayload(cut)));
      auto e = c->expectError(101);
      ASSERT_TRUE(e);
      EXPECT_EQ(e->message, local.error().message) << "ERROR 101 carries the decoder's text";
      ++sent;
    }
    ASSERT_TRUE(c->pingPong());
  }
  EXPECT_GT(sent, 100);
  ASSERT_TRUE(c->send(Get{"/t/truncated"}));
  EXPECT_TRUE(c->expectError(201)) << "no truncated SET or BUNDLE may have been applied";
  EXPECT_TRUE(setAcked(*c, addr("/still/works"), Value(1)));
}

// D-4, docs/decisions.md "Nesting depth": 32 nested containers are accepted,
// the 33rd is a decode error (101), for arrays and maps.
TEST_F(Malformed, D4_NestingDepth33Gets101And32Accepted) {
  auto nested = [](int depth, bool maps) {
    Value v(1);
    for (int i = 0; i < depth; ++i) {
      if (maps) {
        Map m;
        mapSet(m, "k", std::move(v));
        v = Value(std::move(m));
      } else {
        v = Value(Array{std::move(v)});
      }
    }
    return v;
  };
  auto c = open();
  ASSERT_TRUE(c);
  for (bool maps : {false, true}) {
    SCOPED_TRACE(maps ? "maps" : "arrays");
    const std::string a = addr(maps ? "/deep/map" : "/deep/array");
    Set ok = setOf(a, nested(32, maps));
    Set bad = setOf(a, nested(33, maps));
    ASSERT_TRUE(decodeMessage(payloadOf(ok))) << "harness: depth 32 must decode";
    ASSERT_FALSE(decodeMessage(payloadOf(bad))) << "harness: depth 33 must not decode";
    auto ack = setAcked(*c, ok);
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->revision, 1u);
    ASSERT_TRUE(c->send(bad, QoS::Confirm));
    EXPECT_TRUE(c->expectError(101));
  }
  EXPECT_TRUE(c->pingPong());
}

// protocol.md §1.4: bytes after the frame in the same WebSocket message are
// ignored (never a second frame).
TEST_F(Malformed, P1_4_BytesAfterTheFrameIgnored) {
  auto c = open();
  ASSERT_TRUE(c);
  Bytes two = frameOf(setOf(addr("/first"), Value(1)), QoS::Confirm);
  Bytes second = frameOf(setOf(addr("/second"), Value(2)), QoS::Confirm);
  two.insert(two.end(), second.begin(), second.end());
  ASSERT_TRUE(c->sendRaw(two));
  auto ack = c->expect<Ack>();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->address, addr("/first"));
  EXPECT_TRUE(c->pingPong()) << "the second frame must not be processed";
  ASSERT_TRUE(c->send(Get{addr("/second")}));
  EXPECT_TRUE(c->expectError(201));
}

// protocol.md §1.4: version bits 0-7, a frame timestamp, QoS 3 (read as Fire)
// and the encrypted/compressed bits do not stop a v1 payload from being processed.
TEST_F(Malformed, P1_4_FrameHeaderVariantsAccepted) {
  struct Case {
    const char* name;
    std::uint8_t flags;
  };
  static const Case kCases[] = {
      {"version bits 0", 0x40}, {"version bits 7", 0x47}, {"QoS 3", 0xC1}, {"frame timestamp", 0x61},
  };
  auto c = open();
  ASSERT_TRUE(c);
  int n = 0;
  for (const Case& k : kCases) {
    SCOPED_TRACE(k.name);
    const std::string a = addr("/h" + std::to_string(++n));
    Bytes payload = payloadOf(setOf(a, Value(n)));
    Bytes f = {0x53, k.flags, static_cast<std::uint8_t>(payload.size() >> 8),
               static_cast<std::uint8_t>(payload.size() & 0xFF)};
    if (k.flags & 0x20) {
      for (int i = 0; i < 8; ++i) f.push_back(static_cast<std::uint8_t>(nowMicros() >> (56 - 8 * i)));
    }
    f.insert(f.end(), payload.begin(), payload.end());
    ASSERT_TRUE(c->sendRaw(f));
    auto ack = c->expect<Ack>();
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->address, a);
  }
}

// docs/decisions.md, router.md R11.3 (--max-message-size): a WebSocket
// message over the limit closes that connection with 1009; a message of
// exactly the limit is fine; other connections are unaffected.
TEST_F(Malformed, R11_3_OversizedMessageCloses1009OthersUnaffected) {
  CLASP_DEDICATED(srv, Flavour::ClaspServer, "--max-message-size", "1024");
  auto big = openOn(srv->endpoint(), "big");
  auto bystander = openOn(srv->endpoint(), "bystander");
  ASSERT_TRUE(big && bystander);
  ASSERT_TRUE(subscribe(*bystander, "/size/**", 1));
  // A SET frame of exactly `bytes` bytes.
  auto sized = [](const std::string& a, std::size_t bytes) {
    Set s = setOf(a, Value(std::string()));
    const std::size_t base = frameOf(s).size();
    s.value = Value(std::string(bytes - base, 's'));
    Bytes f = frameOf(s, QoS::Confirm);
    EXPECT_EQ(f.size(), bytes);
    return f;
  };
  ASSERT_TRUE(big->sendRaw(sized("/size/limit", 1024)));
  EXPECT_TRUE(big->expect<Ack>()) << "a message of exactly --max-message-size is accepted";
  ASSERT_TRUE(bystander->expect<Set>());
  big->trySendRaw(sized("/size/over", 1025));
  EXPECT_TRUE(big->expectClose(1009));
  EXPECT_TRUE(setAcked(*bystander, "/other", Value(1))) << "other connections keep working";
  ASSERT_TRUE(bystander->send(Get{"/size/over"}));
  EXPECT_TRUE(bystander->expectError(201));
}

}  // namespace
}  // namespace clasp::conformance
