// PUBLISH: router.md R5.1-R5.7, scenarios S20, S21, S33-S38, with DECISIONS
// D-2 (address validation), D-6 (ACK only at QoS Confirm/Commit, replacing
// R5.3's "never"), D-7 (never echoed to the sender), D-13 (gesture
// coalescing per sender, a throttle rather than a debounce) and D-14
// (timelines forwarded, not stored).
#include <map>

#include "fixture.hpp"

namespace clasp::conformance {
namespace {

class PublishOp : public ConformanceTest {};

// S20, D-7: subscribers get the PUBLISH; the publisher does not, even when subscribed.
TEST_F(PublishOp, S20_D7_EventNotEchoedToPublisher) {
  auto a = open("publisher");
  auto b = open("subscriber");
  ASSERT_TRUE(a && b);
  for (Client* c : {a.get(), b.get()}) {
    ASSERT_TRUE(subscribeBarrier(*c));
    ASSERT_TRUE(subscribe(*c, addr("/ev/**"), 1));
  }
  Publish p = eventOf(addr("/ev/go"), Value("x"));
  ASSERT_TRUE(a->send(p, QoS::Fire));
  auto got = b->expect<Publish>();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, p);
  EXPECT_TRUE(barrier(*a, {a.get(), b.get()})) << "the publisher must not receive its own event";
}

// R5.1 step 6, R5.3, R5.6, R5.7, D-14: every field of a PUBLISH reaches the
// subscriber unchanged (re-encoded, same message), for each signal type.
TEST_F(PublishOp, R5_3_FieldsPassThroughForEverySignalType) {
  Map payload;
  mapSet(payload, "sdp", Value("offer"));
  mapSet(payload, "n", Value(3));
  std::vector<std::pair<const char*, Publish>> cases;
  cases.emplace_back("event with map", eventOf(addr("/p/event"), Value(payload)));
  Publish stream;
  stream.address = addr("/p/stream");
  stream.signal = SignalType::Stream;
  stream.samples = std::vector<double>{0.25, -1.5, 1e300};
  stream.rate = 240;
  cases.emplace_back("stream samples + rate", stream);
  Publish streamValue = stream;
  streamValue.samples.reset();
  streamValue.value = Value(0.75);
  streamValue.rate.reset();
  cases.emplace_back("stream value", streamValue);
  Publish gesture = gestureOf(addr("/p/gesture"), 7, GesturePhase::Start, Value(payload));
  gesture.timestamp = 1'000'000;
  cases.emplace_back("gesture start with id and timestamp", gesture);
  Publish gestureEnd = gesture;
  gestureEnd.phase = GesturePhase::End;
  cases.emplace_back("gesture end", gestureEnd);
  Publish timeline;
  timeline.address = addr("/p/timeline");
  timeline.signal = SignalType::Timeline;
  timeline.value = Value(Array{Value(0.0), Value(1.0)});
  timeline.timestamp = 42;
  cases.emplace_back("timeline", timeline);
  Publish bare;
  bare.address = addr("/p/bare");
  cases.emplace_back("event without value", bare);

  auto a = open("publisher");
  auto b = open("subscriber");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(subscribe(*b, addr("/p/**"), 1));
  for (const auto& [name, p] : cases) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(a->send(p, QoS::Fire));
    auto got = b->expect<Publish>();
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, p) << "sent " << describe(p) << ", received " << describe(*got);
  }
}

// D-6 (replaces R5.3): PUBLISH gets ACK{address} only at QoS Confirm or Commit.
TEST_F(PublishOp, D6_AckOnlyAtConfirmOrCommit) {
  auto a = open();
  ASSERT_TRUE(a);
  for (QoS qos : {QoS::Fire, QoS::Confirm, QoS::Commit}) {
    SCOPED_TRACE("QoS " + std::to_string(static_cast<int>(qos)));
    ASSERT_TRUE(a->send(eventOf(addr("/ack/e"), Value(1)), qos));
    if (qos != QoS::Fire) {
      auto ack = a->expect<Ack>();
      ASSERT_TRUE(ack);
      EXPECT_EQ(ack->address, addr("/ack/e"));
      EXPECT_FALSE(ack->revision) << "nothing is stored, so no revision";
    }
    EXPECT_TRUE(a->pingPong());
  }
}

// S21, R2.2: a param-only subscription does not receive events; an
// unfiltered one does.
TEST_F(PublishOp, S21_R2_2_TypeFilterAppliesToPublish) {
  auto a = open("publisher");
  auto paramOnly = open("param-only");
  auto all = open("all-types");
  ASSERT_TRUE(a && paramOnly && all);
  ASSERT_TRUE(subscribeBarrier(*paramOnly));
  ASSERT_TRUE(subscribe(*paramOnly, addr("/m/**"), 1, typemask::kParam));
  ASSERT_TRUE(subscribe(*all, addr("/m/**"), 1, 0));
  ASSERT_TRUE(a->send(eventOf(addr("/m/e"), Value("x")), QoS::Fire));
  auto got = all->expect<Publish>();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->address, addr("/m/e"));
  EXPECT_TRUE(barrier(*a, {paramOnly.get()}));
}

// R5.2, D-14: no PUBLISH signal type is stored (GET -> 201, no subscribe snapshot).
TEST_F(PublishOp, R5_2_D14_NothingIsStored) {
  auto a = open("publisher");
  auto b = open("late");
  ASSERT_TRUE(a && b);
  const std::pair<const char*, SignalType> kinds[] = {{"/event", SignalType::Event},
                                                      {"/stream", SignalType::Stream},
                                                      {"/gesture", SignalType::Gesture},
                                                      {"/timeline", SignalType::Timeline}};
  for (const auto& [suffix, signal] : kinds) {
    Publish p = eventOf(addr("/n") + suffix, Value(1.0));
    p.signal = signal;
    p.phase = GesturePhase::End;  // a complete gesture: nothing left pending
    ASSERT_TRUE(a->send(p, QoS::Fire));
  }
  ASSERT_TRUE(a->pingPong());
  for (const auto& [suffix, signal] : kinds) {
    SCOPED_TRACE(suffix);
    ASSERT_TRUE(b->send(Get{addr("/n") + suffix}));
    EXPECT_TRUE(b->expectError(201));
  }
  auto params = subscribe(*b, addr("/n/**"), 1);
  ASSERT_TRUE(params);
  EXPECT_TRUE(params->empty());
}

// S33, R5.4: /clasp/p2p/signal/<session> goes straight to that session,
// without any subscription; nobody else gets it.
TEST_F(PublishOp, S33_R5_4_P2PSignalReachesTargetSession) {
  auto a = open("caller");
  auto b = open("callee");
  ASSERT_TRUE(a && b);
  Map offer;
  mapSet(offer, "type", Value("offer"));
  mapSet(offer, "sdp", Value("v=0"));
  Publish p = eventOf("/clasp/p2p/signal/" + b->session(), Value(offer));
  ASSERT_TRUE(a->send(p, QoS::Fire));
  auto got = b->expect<Publish>();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, p);
  EXPECT_TRUE(a->pingPong());
  EXPECT_TRUE(b->pingPong());
}

// S34, R5.4: an unknown P2P target -> 404 "Target session not found: <id>".
TEST_F(PublishOp, S34_R5_4_P2PUnknownTargetGets404) {
  auto a = open();
  ASSERT_TRUE(a);
  const std::string address = "/clasp/p2p/signal/nonexistent-session-id";
  ASSERT_TRUE(a->send(eventOf(address, Value("hi")), QoS::Fire));
  auto e = a->expectError(404);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "Target session not found: nonexistent-session-id");
  EXPECT_EQ(e->address, address);
}

// D-2: PUBLISH addresses are validated -> 200 with the address, not routed.
TEST_F(PublishOp, D2_InvalidAddressGets200) {
  auto a = open("publisher");
  auto b = open("subscriber");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(subscribeBarrier(*b));
  ASSERT_TRUE(subscribe(*b, addr("/**"), 1));
  for (const std::string& address : {std::string(""), addr("/x/*"), addr("/x/**"), addr("//x")}) {
    SCOPED_TRACE("'" + address + "'");
    ASSERT_TRUE(a->send(eventOf(address, Value(1)), QoS::Fire));
    auto e = a->expectError(200);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->address.value_or(""), address);
  }
  EXPECT_TRUE(barrier(*a, {b.get()}));
}

// Reads gesture PUBLISHes from `c` until one with phase End/Cancel from
// `tag` (value prefix) arrives; returns all gestures read.
std::vector<Publish> readGestureUntilEnd(Client& c, const std::string& tag, std::size_t maxFrames = 500) {
  std::vector<Publish> out;
  while (out.size() < maxFrames) {
    auto p = c.expect<Publish>();
    if (!p) break;
    out.push_back(*p);
    const std::string* v = p->value ? p->value->asString() : nullptr;
    if ((p->phase == GesturePhase::End || p->phase == GesturePhase::Cancel) && v &&
        v->starts_with(tag)) {
      break;
    }
  }
  return out;
}

std::string valueText(const Publish& p) {
  const std::string* v = p.value ? p.value->asString() : nullptr;
  return v ? *v : "?";
}

// S35, D-13: start at once, moves coalesced but the newest move is delivered
// before the end, end last; the publisher never sees its own gesture.
TEST_F(PublishOp, S35_D13_StartMovesEnd) {
  auto a = open("publisher");
  auto b = open("subscriber");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(subscribeBarrier(*a));
  ASSERT_TRUE(subscribeBarrier(*b));
  ASSERT_TRUE(subscribe(*a, addr("/input/**"), 1));
  ASSERT_TRUE(subscribe(*b, addr("/input/**"), 1));
  const std::string g = addr("/input/touch");
  ASSERT_TRUE(a->send(gestureOf(g, 1, GesturePhase::Start, Value("s")), QoS::Fire));
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(a->send(gestureOf(g, 1, GesturePhase::Move, Value("m" + std::to_string(i))), QoS::Fire));
  }
  ASSERT_TRUE(a->send(gestureOf(g, 1, GesturePhase::End, Value("e")), QoS::Fire));
  auto got = readGestureUntilEnd(*b, "e");
  ASSERT_GE(got.size(), 3u);
  EXPECT_EQ(got.front().phase, GesturePhase::Start);
  EXPECT_EQ(got.back().phase, GesturePhase::End);
  const Publish& lastMove = got[got.size() - 2];
  EXPECT_EQ(lastMove.phase, GesturePhase::Move);
  EXPECT_EQ(valueText(lastMove), "m5") << "the newest move goes out before the end";
  int previous = 0;
  for (std::size_t i = 1; i + 1 < got.size(); ++i) {
    ASSERT_EQ(got[i].phase, GesturePhase::Move);
    int n = std::stoi(valueText(got[i]).substr(1));
    EXPECT_GT(n, previous) << "moves in order";
    previous = n;
  }
  for (const Publish& p : got) EXPECT_EQ(p.id, 1u);
  EXPECT_TRUE(barrier(*a, {a.get(), b.get()})) << "the publisher is excluded on every path";
}

// S36: start, move, cancel -> exactly those three, in order.
TEST_F(PublishOp, S36_StartMoveCancel) {
  auto a = open("publisher");
  auto b = open("subscriber");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(subscribeBarrier(*b));
  ASSERT_TRUE(subscribe(*b, addr("/cancel/**"), 1));
  const std::string g = addr("/cancel/touch");
  const GesturePhase phases[] = {GesturePhase::Start, GesturePhase::Move, GesturePhase::Cancel};
  for (GesturePhase ph : phases) ASSERT_TRUE(a->send(gestureOf(g, 3, ph, Value("x")), QoS::Fire));
  for (GesturePhase ph : phases) {
    auto p = b->expect<Publish>();
    ASSERT_TRUE(p);
    EXPECT_EQ(p->phase, ph);
  }
  EXPECT_TRUE(barrier(*a, {b.get()}));
}

// S37: gesture ids are independent: three touches, nine messages, each
// touch in start/move/end order.
TEST_F(PublishOp, S37_MultitouchIdsAreIndependent) {
  auto a = open("publisher");
  auto b = open("subscriber");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(subscribeBarrier(*b));
  ASSERT_TRUE(subscribe(*b, addr("/multitouch/**"), 1));
  const std::string g = addr("/multitouch/finger");
  for (GesturePhase ph : {GesturePhase::Start, GesturePhase::Move, GesturePhase::End}) {
    for (std::uint32_t id = 0; id < 3; ++id) ASSERT_TRUE(a->send(gestureOf(g, id, ph, Value("v")), QoS::Fire));
  }
  std::map<std::uint32_t, std::vector<GesturePhase>> perId;
  for (int i = 0; i < 9; ++i) {
    auto p = b->expect<Publish>();
    ASSERT_TRUE(p) << "message " << i;
    ASSERT_TRUE(p->id);
    perId[*p->id].push_back(p->phase);
  }
  for (std::uint32_t id = 0; id < 3; ++id) {
    EXPECT_EQ(perId[id], (std::vector<GesturePhase>{GesturePhase::Start, GesturePhase::Move,
                                                    GesturePhase::End}))
        << "gesture id " << id;
  }
  EXPECT_TRUE(barrier(*a, {b.get()}));
}

// S38, D-13 (fixes R5.5's debounce): a continuous stream of moves keeps
// flowing at about one per 16 ms, and the newest move precedes the end.
// The publisher's pacing (one move per ~4 ms) is the scenario itself; the
// subscriber is drained while it runs.
TEST_F(PublishOp, S38_D13_ContinuousMovesKeepFlowing) {
  auto a = open("publisher");
  auto b = open("subscriber");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(subscribe(*b, addr("/drag/**"), 1));
  const std::string g = addr("/drag/pointer");
  constexpr int kMoves = 100;
  std::vector<Publish> got;
  const auto start = SteadyClock::now();
  ASSERT_TRUE(a->send(gestureOf(g, 9, GesturePhase::Start, Value("s")), QoS::Fire));
  for (int i = 1; i <= kMoves; ++i) {
    ASSERT_TRUE(a->send(gestureOf(g, 9, GesturePhase::Move, Value("m" + std::to_string(i))), QoS::Fire));
    if (auto m = b->next(milliseconds(4))) {  // paces the input and drains the output
      auto* p = std::get_if<Publish>(&m->variant());
      ASSERT_NE(p, nullptr) << describe(*m);
      got.push_back(*p);
    }
  }
  const auto elapsedMs =
      std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start).count();
  ASSERT_TRUE(a->send(gestureOf(g, 9, GesturePhase::End, Value("e")), QoS::Fire));
  auto rest = readGestureUntilEnd(*b, "e");
  got.insert(got.end(), rest.begin(), rest.end());
  ASSERT_GE(got.size(), 3u);
  EXPECT_EQ(got.front().phase, GesturePhase::Start);
  EXPECT_EQ(got.back().phase, GesturePhase::End);
  EXPECT_EQ(valueText(got[got.size() - 2]), "m" + std::to_string(kMoves));
  const long moves = static_cast<long>(got.size()) - 2;
  const long ideal = elapsedMs / 16;
  EXPECT_GE(moves, std::max(5L, ideal / 3))
      << "moves must keep flowing during continuous input (" << elapsedMs << " ms of input)";
  EXPECT_LE(moves, ideal + 3) << "moves are coalesced to at most one per 16 ms (" << elapsedMs
                              << " ms of input)";
}

// D-13 (fixes R5.5's global keys): coalescing is per (sender, address, id).
// Two senders interleave the same gesture address and id; each sender's
// newest move still reaches the observer before that sender's end, and
// each sender receives only the other's gesture.
TEST_F(PublishOp, D13_CoalescingIsPerSender) {
  auto a = open("A");
  auto b = open("B");
  auto observer = open("observer");
  ASSERT_TRUE(a && b && observer);
  for (Client* c : {a.get(), b.get(), observer.get()}) ASSERT_TRUE(subscribe(*c, addr("/shared/**"), 1));
  const std::string g = addr("/shared/touch");
  auto send = [&](Client& c, const char* tag, GesturePhase ph, int n) {
    return c.send(gestureOf(g, 1, ph, Value(std::string(tag) + std::to_string(n))), QoS::Fire);
  };
  ASSERT_TRUE(send(*a, "A", GesturePhase::Start, 0));
  ASSERT_TRUE(send(*b, "B", GesturePhase::Start, 0));
  for (int i = 1; i <= 2; ++i) {
    ASSERT_TRUE(send(*a, "A", GesturePhase::Move, i));
    ASSERT_TRUE(send(*b, "B", GesturePhase::Move, i));
  }
  ASSERT_TRUE(send(*a, "A", GesturePhase::End, 3));
  ASSERT_TRUE(send(*b, "B", GesturePhase::End, 3));

  std::map<char, std::vector<std::string>> bySender;
  int ends = 0;
  while (ends < 2) {
    auto p = observer->expect<Publish>();
    ASSERT_TRUE(p) << "observer did not see both ends";
    std::string v = valueText(*p);
    bySender[v[0]].push_back(v);
    if (p->phase == GesturePhase::End) ++ends;
  }
  for (char s : {'A', 'B'}) {
    SCOPED_TRACE(std::string("sender ") + s);
    const auto& seq = bySender[s];
    ASSERT_GE(seq.size(), 3u);
    EXPECT_EQ(seq.front(), std::string(1, s) + "0");
    EXPECT_EQ(seq[seq.size() - 2], std::string(1, s) + "2") << "newest move before the end";
    EXPECT_EQ(seq.back(), std::string(1, s) + "3");
  }
  for (auto [self, other] : {std::pair{a.get(), 'B'}, std::pair{b.get(), 'A'}}) {
    SCOPED_TRACE(self->name());
    for (;;) {
      auto p = self->expect<Publish>();
      ASSERT_TRUE(p);
      EXPECT_EQ(valueText(*p)[0], other) << "a sender must not receive its own gesture";
      if (p->phase == GesturePhase::End) break;
    }
  }
}

}  // namespace
}  // namespace clasp::conformance
