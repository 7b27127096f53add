// The smaller message types and cross-cutting wire facts: PING/PONG (R4.6,
// S44), SYNC (R4.7, S45), ANNOUNCE/QUERY/RESULT (R4.3, R4.4, S46), REPLAY
// without a journal (R4.5), FEDERATION_SYNC from a non-peer (Appendix A,
// S49), server-only messages sent by a client (R1.6, S43), reconnect cycles
// (S51), legacy v0 input (protocol.md §6) and the frames the server emits
// (router.md §0.1, protocol.md §1.6).
#include <algorithm>
#include <cstring>

#include "fixture.hpp"

namespace clasp::conformance {
namespace {

class Misc : public ConformanceTest {};

// S44, R4.6.
TEST_F(Misc, S44_R4_6_PingGetsPong) {
  auto c = open();
  ASSERT_TRUE(c);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(c->pingPong());
}

// S45, R4.7, protocol.md §11.1: SYNC{t1} -> SYNC{t1 echoed, t2 = t3 = server
// µs}; t2/t3 sent by the client are ignored.
TEST_F(Misc, S45_R4_7_SyncEchoesT1WithEqualT2T3) {
  auto c = open();
  ASSERT_TRUE(c);
  const Sync requests[] = {Sync{123, std::nullopt, std::nullopt}, Sync{5, 1, 2}};
  for (const Sync& req : requests) {
    SCOPED_TRACE("t1 " + std::to_string(req.t1));
    const std::uint64_t before = nowMicros();
    ASSERT_TRUE(c->send(req));
    auto s = c->expect<Sync>();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->t1, req.t1);
    ASSERT_TRUE(s->t2 && s->t3);
    EXPECT_EQ(*s->t2, *s->t3);
    EXPECT_GE(*s->t2 + 60'000'000, before) << "t2 is server µs";
    EXPECT_LE(*s->t2, nowMicros() + 60'000'000) << "t2 is server µs";
  }
}

// S46, R4.3, R4.4, protocol.md §5.17: ANNOUNCE -> ACK{address: namespace};
// QUERY -> RESULT with the matching signals (address, type, datatype,
// access; never meta); re-announcing replaces; no match -> empty RESULT.
TEST_F(Misc, S46_R4_3_R4_4_AnnounceThenQuery) {
  auto c = open();
  ASSERT_TRUE(c);
  const std::string ns = addr("/dev");
  SignalDefinition a{ns + "/a", SignalType::Param, "float", std::nullopt, std::nullopt};
  SignalDefinition b{ns + "/b", SignalType::Event, std::nullopt, "r", SignalMeta{"Hz", {}, {}, {}}};
  ASSERT_TRUE(c->send(Announce{ns, {a, b}}));
  auto ack = c->expect<Ack>();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->address, ns);

  ASSERT_TRUE(c->send(Query{ns + "/**"}));
  auto r = c->expect<QueryResult>();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->signals.size(), 2u);
  auto sorted = r->signals;
  std::sort(sorted.begin(), sorted.end(), [](auto& x, auto& y) { return x.address < y.address; });
  SignalDefinition bOnWire = b;
  bOnWire.meta.reset();
  EXPECT_EQ(sorted[0], a);
  EXPECT_EQ(sorted[1], bOnWire);

  SignalDefinition a2{ns + "/a", SignalType::Param, "int", std::nullopt, std::nullopt};
  ASSERT_TRUE(c->send(Announce{ns, {a2}}));
  ASSERT_TRUE(c->expect<Ack>());
  ASSERT_TRUE(c->send(Query{ns + "/a"}));
  r = c->expect<QueryResult>();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->signals.size(), 1u);
  EXPECT_EQ(r->signals[0].datatype, "int") << "re-announcing an address replaces it";

  ASSERT_TRUE(c->send(Query{addr("/none/**")}));
  r = c->expect<QueryResult>();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->signals.empty());
}

// R4.5, docs/decisions.md: REPLAY without a journal -> 501 with the pattern.
TEST_F(Misc, R4_5_ReplayWithoutJournalGets501) {
  auto c = open();
  ASSERT_TRUE(c);
  Replay r;
  r.pattern = addr("/**");
  ASSERT_TRUE(c->send(r));
  auto e = c->expectError(501);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "Journal not configured on this router");
  EXPECT_EQ(e->address, r.pattern);
}

// S49, Appendix A: FEDERATION_SYNC from a session whose HELLO lacked the
// federation feature -> 403.
TEST_F(Misc, S49_FederationSyncFromNonPeerGets403) {
  auto c = open();
  ASSERT_TRUE(c);
  FederationSync f;
  f.op = FederationOp::DeclareNamespaces;
  f.patterns = {"/site-a/**"};
  ASSERT_TRUE(c->send(f));
  auto e = c->expectError(403);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "FederationSync requires federation feature");
  EXPECT_TRUE(c->pingPong());
}

// S43, R1.6, docs/decisions.md: WELCOME, SNAPSHOT, ACK, ERROR, RESULT and
// PONG from a client are ignored silently; a client SNAPSHOT writes nothing.
TEST_F(Misc, S43_R1_6_ServerOnlyMessagesFromClientIgnored) {
  auto c = open();
  ASSERT_TRUE(c);
  const std::string fake = addr("/fake");
  const std::vector<std::pair<const char*, Message>> cases = {
      {"WELCOME", Welcome{1, 0xF8, nowMicros(), "00000000-0000-4000-8000-000000000000", "x", ""}},
      {"SNAPSHOT", Snapshot{{ParamValue{fake, Value(1), 9, std::nullopt, std::nullopt}}}},
      {"ACK", Ack{fake, 1, std::nullopt, std::nullopt, std::nullopt}},
      {"ERROR", ErrorMsg{400, "nope", fake, std::nullopt}},
      {"RESULT", QueryResult{}},
      {"PONG", Pong{}},
  };
  for (const auto& [name, m] : cases) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(c->send(m));
    EXPECT_TRUE(c->pingPong());
  }
  ASSERT_TRUE(c->send(Get{fake}));
  EXPECT_TRUE(c->expectError(201)) << "a client SNAPSHOT must not write state";
  auto ack = setAcked(*c, addr("/after"), Value(1));
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->revision, 1u);
}

// S51: connect/subscribe/SET/close cycles leave no stale sessions behind.
TEST_F(Misc, S51_ReconnectCyclesLeaveNoStaleState) {
  for (int i = 0; i < 10; ++i) {
    auto c = open("cycle" + std::to_string(i));
    ASSERT_TRUE(c);
    ASSERT_TRUE(subscribe(*c, addr("/**"), 1));
    ASSERT_TRUE(c->send(setOf(addr("/cycle"), Value(i)), QoS::Confirm));
    ASSERT_TRUE(c->expect<Set>());
    ASSERT_TRUE(c->expect<Ack>());
    if (i % 2 == 0) c->close();  // odd cycles just drop the connection
  }
  auto fresh = open("fresh");
  ASSERT_TRUE(fresh);
  auto params = subscribe(*fresh, addr("/**"), 1);
  ASSERT_TRUE(params);
  ASSERT_EQ(params->size(), 1u);
  EXPECT_EQ((*params)[0].value, Value(9));
  ASSERT_TRUE(fresh->send(setOf(addr("/cycle"), Value(100)), QoS::Confirm));
  auto echo = fresh->expect<Set>();
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->revision, 11u);
  EXPECT_TRUE(fresh->expect<Ack>());
}

// protocol.md §6: a legacy MessagePack (v0) SET is accepted and answered in v1.
TEST_F(Misc, P6_LegacyMessagePackSetAccepted) {
  auto c = open();
  ASSERT_TRUE(c);
  const std::string a = addr("/v0");
  Bytes payload = {0x83, 0xA4, 't', 'y', 'p', 'e', 0xA3, 'S', 'E', 'T', 0xA7, 'a', 'd', 'd', 'r', 'e', 's', 's'};
  ASSERT_LT(a.size(), 256u);
  payload.push_back(0xD9);
  payload.push_back(static_cast<std::uint8_t>(a.size()));
  payload.insert(payload.end(), a.begin(), a.end());
  for (char ch : std::string("\xA5value")) payload.push_back(static_cast<std::uint8_t>(ch));
  payload.push_back(0xCB);
  const double v = 1.5;
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  for (int shift = 56; shift >= 0; shift -= 8) payload.push_back(static_cast<std::uint8_t>(bits >> shift));
  Bytes frame = {0x53, 0x40, static_cast<std::uint8_t>(payload.size() >> 8),
                 static_cast<std::uint8_t>(payload.size() & 0xFF)};
  frame.insert(frame.end(), payload.begin(), payload.end());
  ASSERT_TRUE(c->sendRaw(frame));
  auto ack = c->expect<Ack>();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->address, a);
  EXPECT_EQ(ack->revision, 1u);
  ASSERT_TRUE(c->send(Get{a}));
  auto snap = c->expect<Snapshot>();
  ASSERT_TRUE(snap);
  ASSERT_EQ(snap->params.size(), 1u);
  EXPECT_EQ(snap->params[0].value, Value(1.5));
}

// router.md §0.1, protocol.md §1.3/§1.6: every frame the server sends is one
// frame per WebSocket message, encoding version 1, no frame timestamp, with
// the reference's default QoS for its message type.
TEST_F(Misc, R0_1_OutputFramesAreV1WithDefaultQos) {
  auto c = connectOnly(server(), "checked");
  auto other = open("other");
  ASSERT_TRUE(c && other);
  int checked = 0;
  auto check = [&](const Received& r) {
    SCOPED_TRACE(describe(r.message));
    EXPECT_EQ(r.header.version(), 1) << "encoding version bits";
    EXPECT_FALSE(r.header.hasTimestamp());
    EXPECT_FALSE(r.header.encrypted() || r.header.compressed());
    EXPECT_EQ(r.frameSize, r.messageSize) << "one frame per WebSocket message, nothing after it";
    EXPECT_EQ(r.header.qos(), defaultQos(r.message)) << "QoS of protocol.md §1.6";
    ++checked;
  };
  auto drainUntilPong = [&] {
    for (;;) {
      auto r = c->nextFrame(kExpectTimeout);
      ASSERT_TRUE(r) << "no PONG";
      check(*r);
      if (std::holds_alternative<Pong>(r->message.variant())) return;
    }
  };
  Hello h;
  h.name = "checked";
  h.features = 0xF8;
  ASSERT_TRUE(c->send(h));
  ASSERT_TRUE(c->send(Ping{}));
  drainUntilPong();  // WELCOME, SNAPSHOT(s), PONG
  ASSERT_TRUE(subscribe(*other, addr("/**"), 1));
  ASSERT_TRUE(c->send(subscribeOf(1, addr("/**")), QoS::Confirm));           // ACK
  ASSERT_TRUE(c->send(setOf(addr("/q"), Value(1)), QoS::Confirm));           // SET echo, ACK
  ASSERT_TRUE(c->send(Get{addr("/q")}));                                     // SNAPSHOT
  ASSERT_TRUE(c->send(Get{addr("/missing")}));                               // ERROR
  ASSERT_TRUE(c->send(Sync{1, std::nullopt, std::nullopt}));                 // SYNC
  ASSERT_TRUE(c->send(Query{addr("/**")}));                                  // RESULT
  ASSERT_TRUE(c->send(Ping{}));                                              // PONG
  drainUntilPong();
  Publish stream;
  stream.address = addr("/s");
  stream.signal = SignalType::Stream;
  stream.value = Value(1.0);
  ASSERT_TRUE(other->send(eventOf(addr("/e"), Value(1)), QoS::Fire));  // PUBLISH event (Confirm)
  ASSERT_TRUE(other->send(stream, QoS::Fire));                          // PUBLISH stream (Fire)
  for (int i = 0; i < 2; ++i) {
    auto r = c->nextFrame(kExpectTimeout);
    ASSERT_TRUE(r);
    check(*r);
  }
  EXPECT_GE(checked, 12);
}

}  // namespace
}  // namespace clasp::conformance
