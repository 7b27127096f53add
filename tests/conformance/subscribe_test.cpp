// SUBSCRIBE / UNSUBSCRIBE: router.md R2.1-R2.5, P5, scenarios S9-S18, with
// DECISIONS D-1 (one matcher, 202 on bad patterns), D-6 (ACK only at QoS
// Confirm/Commit), D-7 (one copy per session), D-12 (options, duplicate id
// replaces) and the 429 limit of docs/decisions.md.
#include "fixture.hpp"

namespace clasp::conformance {
namespace {

class Subscription : public ConformanceTest {};

// D-1, S9-S12: which addresses a pattern delivers. Each case gets its own
// subtree, so one subscriber and one writer serve the whole table.
TEST_F(Subscription, D1_S9_S12_PatternMatchingTable) {
  struct Case {
    const char* clause;
    const char* pattern;  // relative to the case's subtree
    const char* address;
    bool delivered;
  };
  static const Case kCases[] = {
      {"S10 exact", "/exact/path", "/exact/path", true},
      {"S10 exact, other address", "/exact/path", "/exact/other", false},
      {"D-1 ** matches its parent (MQTT a/#)", "/a/**", "/a", true},
      {"S12 ** matches any depth", "/a/**", "/a/b/c/d", true},
      {"D-1 ** is segment-bounded", "/a/**", "/ab", false},
      {"D-1 * one segment", "/a/*", "/a/b", true},
      {"D-1 * not two segments", "/a/*", "/a/b/c", false},
      {"D-1 * not zero segments", "/a/*", "/a", false},
      {"S11 * in the middle", "/sensors/*/temperature", "/sensors/room1/temperature", true},
      {"S11 * in the middle, two segments", "/sensors/*/temperature", "/sensors/a/b/temperature",
       false},
      {"D-1 ** in the middle, zero segments", "/a/**/z", "/a/z", true},
      {"D-1 ** in the middle, several segments", "/a/**/z", "/a/b/c/z", true},
      {"D-1 ** in the middle, wrong tail", "/a/**/z", "/a/b/c", false},
      {"D-1 glob in a segment", "/zone5*", "/zone51", true},
      {"D-1 glob in a segment, empty run", "/zone5*", "/zone5", true},
      {"D-1 glob stays in its segment", "/zone5*", "/zone5/x", false},
      {"D-1 glob prefix must match", "/zone5*", "/zone6", false},
      {"D-1 ? is ordinary", "/q/a?b", "/q/a?b", true},
      {"D-1 ? is not a wildcard", "/q/a?b", "/q/axb", false},
      {"D-1 [ ] are ordinary", "/q/[ab]", "/q/[ab]", true},
      {"D-1 [ ] is not a class", "/q/[ab]", "/q/a", false},
      {"D-1 { } is not alternation", "/q/{a,b}", "/q/a", false},
      {"D-1 ( with * is a valid pattern", "/q/(*", "/q/(x", true},
      {"D-1 ! is ordinary", "/q/!x", "/q/!x", true},
      {"matching is case-sensitive", "/Case", "/case", false},
  };
  auto sub = open("subscriber");
  auto writer = open("writer");
  ASSERT_TRUE(sub && writer);
  ASSERT_TRUE(subscribeBarrier(*sub));
  std::uint32_t id = 0;
  for (const Case& c : kCases) {
    SCOPED_TRACE(std::string(c.clause) + ": pattern " + c.pattern + ", address " + c.address);
    const std::string base = addr("/m" + std::to_string(++id));
    ASSERT_TRUE(subscribe(*sub, base + c.pattern, id));
    ASSERT_TRUE(setAcked(*writer, base + c.address, Value(static_cast<int>(id))));
    if (c.delivered) {
      auto s = sub->expect<Set>();
      ASSERT_TRUE(s);
      EXPECT_EQ(s->address, base + c.address);
      EXPECT_EQ(s->value, Value(static_cast<int>(id)));
      EXPECT_EQ(s->revision, 1u);
    }
    ASSERT_TRUE(barrier(*writer, {sub.get()}));
  }
}

// D-1, R2.1 step 3, protocol.md §8.4: invalid patterns -> ERROR 202 with the
// pattern as address; the session stays usable. `/a/` is invalid here
// (D-1: no empty segment), although protocol.md §8.1 allows it.
TEST_F(Subscription, D1_S17_InvalidPatternGets202) {
  auto c = open();
  ASSERT_TRUE(c);
  const std::string slash = addr("/a/");
  for (const std::string& pattern :
       {std::string(""), std::string("a/b"), std::string("//"), addr("//b"), slash}) {
    SCOPED_TRACE("pattern '" + pattern + "'");
    ASSERT_TRUE(c->send(subscribeOf(7, pattern), QoS::Confirm));
    auto e = c->expectError(202);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->address.value_or(""), pattern) << "address = the pattern";
    EXPECT_FALSE(e->message.empty());
  }
  EXPECT_TRUE(c->pingPong());
}

// D-6: SUBSCRIBE is acknowledged (ACK{address: pattern}) only at QoS Confirm or Commit.
TEST_F(Subscription, D6_AckOnlyAtConfirmOrCommit) {
  struct Case {
    QoS qos;
    bool acked;
  };
  auto c = open();
  ASSERT_TRUE(c);
  std::uint32_t id = 0;
  for (const Case& k : {Case{QoS::Fire, false}, Case{QoS::Confirm, true}, Case{QoS::Commit, true}}) {
    SCOPED_TRACE("QoS " + std::to_string(static_cast<int>(k.qos)));
    const std::string pattern = addr("/q" + std::to_string(++id) + "/**");
    ASSERT_TRUE(c->send(subscribeOf(id, pattern), k.qos));
    if (k.acked) {
      auto ack = c->expect<Ack>();
      ASSERT_TRUE(ack);
      EXPECT_EQ(ack->address, pattern);
    }
    EXPECT_TRUE(c->pingPong()) << "nothing else answers a SUBSCRIBE on an empty subtree";
  }
}

// S16, R2.1 step 5: no SNAPSHOT (and at QoS Fire no ACK) for an empty subtree.
TEST_F(Subscription, S16_NothingForEmptySubtreeAtFire) {
  auto c = open();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->send(subscribeOf(1, addr("/nothing/**")), QoS::Fire));
  EXPECT_TRUE(c->pingPong());
}

// S15, R2.1 step 5, R3.9: SUBSCRIBE sends the matching params with writer and timestamp.
TEST_F(Subscription, S15_SnapshotOnSubscribe) {
  auto a = open("writer");
  auto b = open("subscriber");
  ASSERT_TRUE(a && b);
  const std::uint64_t before = nowMicros();
  ASSERT_TRUE(setAcked(*a, addr("/snapshot/test"), Value(42.0)));
  ASSERT_TRUE(setAcked(*a, addr("/elsewhere"), Value(1.0)));
  ASSERT_TRUE(b->send(subscribeOf(1, addr("/snapshot/**")), QoS::Fire));
  auto snap = b->expect<Snapshot>();
  ASSERT_TRUE(snap);
  ASSERT_EQ(snap->params.size(), 1u);
  const ParamValue& p = snap->params[0];
  EXPECT_EQ(p.address, addr("/snapshot/test"));
  EXPECT_EQ(p.value, Value(42.0));
  EXPECT_EQ(p.revision, 1u);
  EXPECT_EQ(p.writer, a->session());
  ASSERT_TRUE(p.timestamp);
  EXPECT_GE(*p.timestamp + 60'000'000, before);
  EXPECT_LE(*p.timestamp, nowMicros() + 60'000'000);
  EXPECT_TRUE(b->pingPong());
}

// R2.1 step 5: the subscribe snapshot ignores the type filter (an event-only
// subscription still gets the current param values).
TEST_F(Subscription, R2_1_SnapshotIgnoresTypeFilter) {
  auto a = open("writer");
  auto b = open("subscriber");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(setAcked(*a, addr("/p/x"), Value(3)));
  auto params = subscribe(*b, addr("/p/**"), 1, typemask::kEvent);
  ASSERT_TRUE(params);
  ASSERT_EQ(params->size(), 1u);
  EXPECT_EQ((*params)[0].address, addr("/p/x"));
}

// S13: several subscriptions of one session each deliver.
TEST_F(Subscription, S13_SeveralSubscriptionsDeliver) {
  auto sub = open("subscriber");
  auto writer = open("writer");
  ASSERT_TRUE(sub && writer);
  const char* names[] = {"/a", "/b", "/c"};
  for (std::uint32_t i = 0; i < 3; ++i) ASSERT_TRUE(subscribe(*sub, addr(names[i]) + "/**", i + 1));
  for (const char* n : names) ASSERT_TRUE(setAcked(*writer, addr(n) + "/val", Value(1)));
  for (const char* n : names) {
    auto s = sub->expect<Set>();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->address, addr(n) + "/val");
  }
}

// P5, D-7: one copy per session however many of its subscriptions match.
TEST_F(Subscription, P5_D7_OneCopyWhenSeveralSubscriptionsMatch) {
  auto sub = open("subscriber");
  auto writer = open("writer");
  ASSERT_TRUE(sub && writer);
  ASSERT_TRUE(subscribeBarrier(*sub));
  ASSERT_TRUE(subscribe(*sub, addr("/d/**"), 1));
  ASSERT_TRUE(subscribe(*sub, addr("/d/x"), 2));
  ASSERT_TRUE(subscribe(*sub, addr("/d/*"), 3));
  ASSERT_TRUE(subscribe(*sub, addr("/**"), 4));  // also matches the barrier addresses
  ASSERT_TRUE(setAcked(*writer, addr("/d/x"), Value(1)));
  auto s = sub->expect<Set>();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->address, addr("/d/x"));
  EXPECT_TRUE(barrier(*writer, {sub.get()})) << "a second copy arrived";
  EXPECT_TRUE(barrier(*writer, {sub.get()})) << "the barrier itself must arrive once";
}

// S14, R2.4, D-6: UNSUBSCRIBE stops delivery; no reply at QoS Fire.
TEST_F(Subscription, S14_R2_4_UnsubscribeStopsDelivery) {
  auto sub = open("subscriber");
  auto writer = open("writer");
  ASSERT_TRUE(sub && writer);
  ASSERT_TRUE(subscribeBarrier(*sub));
  ASSERT_TRUE(subscribe(*sub, addr("/test/**"), 1));
  ASSERT_TRUE(setAcked(*writer, addr("/test/value1"), Value(1)));
  ASSERT_TRUE(sub->expect<Set>());
  ASSERT_TRUE(sub->send(Unsubscribe{1}, QoS::Fire));
  ASSERT_TRUE(sub->pingPong()) << "no reply to UNSUBSCRIBE at QoS Fire";
  ASSERT_TRUE(setAcked(*writer, addr("/test/value2"), Value(2)));
  EXPECT_TRUE(barrier(*writer, {sub.get()}));
}

// D-6 and docs/decisions.md: UNSUBSCRIBE at Confirm/Commit -> ACK{} (no fields);
// an unknown id at Fire is ignored silently (R2.4).
TEST_F(Subscription, D6_R2_4_UnsubscribeAckAndUnknownId) {
  auto c = open();
  ASSERT_TRUE(c);
  ASSERT_TRUE(subscribe(*c, addr("/x/**"), 1));
  ASSERT_TRUE(subscribe(*c, addr("/y/**"), 2));
  for (auto [id, qos] : {std::pair{1u, QoS::Confirm}, std::pair{2u, QoS::Commit}}) {
    ASSERT_TRUE(c->send(Unsubscribe{id}, qos));
    auto ack = c->expect<Ack>();
    ASSERT_TRUE(ack);
    EXPECT_FALSE(ack->address) << "UNSUBSCRIBE -> ACK{}";
    EXPECT_FALSE(ack->revision) << "UNSUBSCRIBE -> ACK{}";
  }
  ASSERT_TRUE(c->send(Unsubscribe{999}, QoS::Fire));
  EXPECT_TRUE(c->pingPong());
}

// D-12 (fixes R2.1 step 4): a duplicate id replaces the old subscription.
TEST_F(Subscription, D12_DuplicateIdReplacesSubscription) {
  auto sub = open("subscriber");
  auto writer = open("writer");
  ASSERT_TRUE(sub && writer);
  ASSERT_TRUE(subscribeBarrier(*sub));
  ASSERT_TRUE(subscribe(*sub, addr("/old/**"), 1));
  ASSERT_TRUE(subscribe(*sub, addr("/new/**"), 1));
  ASSERT_TRUE(setAcked(*writer, addr("/old/x"), Value(1)));
  ASSERT_TRUE(setAcked(*writer, addr("/new/x"), Value(2)));
  auto s = sub->expect<Set>();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->address, addr("/new/x")) << "the replaced pattern must not deliver";
  ASSERT_TRUE(barrier(*writer, {sub.get()}));
  // Unsubscribing the id removes the replacement; nothing of the old one remains.
  ASSERT_TRUE(sub->send(Unsubscribe{1}, QoS::Fire));
  ASSERT_TRUE(sub->pingPong());
  ASSERT_TRUE(setAcked(*writer, addr("/old/y"), Value(3)));
  ASSERT_TRUE(setAcked(*writer, addr("/new/y"), Value(4)));
  EXPECT_TRUE(barrier(*writer, {sub.get()}));
}

// R2.2, protocol.md §5.4: the type mask filters live deliveries by signal type
// (SET counts as param); mask 0 (sent as 0xFF) means every type.
TEST_F(Subscription, R2_2_TypeMaskFiltersDeliveries) {
  struct Case {
    const char* name;
    std::uint8_t mask;
  };
  static const Case kCases[] = {
      {"param", typemask::kParam},       {"event", typemask::kEvent},
      {"stream", typemask::kStream},     {"gesture", typemask::kGesture},
      {"timeline", typemask::kTimeline}, {"event|stream", typemask::kEvent | typemask::kStream},
      {"all (0xFF)", 0},
  };
  auto sub = open("subscriber");
  auto writer = open("writer");
  ASSERT_TRUE(sub && writer);
  ASSERT_TRUE(subscribeBarrier(*sub));
  std::uint32_t id = 0;
  for (const Case& c : kCases) {
    SCOPED_TRACE(std::string("mask ") + c.name);
    const std::string base = addr("/t" + std::to_string(++id));
    ASSERT_TRUE(subscribe(*sub, base + "/**", id, c.mask));
    // One message of each signal type, in this order; (mask bit, address).
    std::vector<std::pair<std::uint8_t, std::string>> sent;
    ASSERT_TRUE(setAcked(*writer, base + "/param", Value(1)));
    sent.emplace_back(typemask::kParam, base + "/param");
    ASSERT_TRUE(writer->send(eventOf(base + "/event", Value("e")), QoS::Fire));
    sent.emplace_back(typemask::kEvent, base + "/event");
    Publish stream;
    stream.address = base + "/stream";
    stream.signal = SignalType::Stream;
    stream.samples = std::vector<double>{1.0, 2.0};
    ASSERT_TRUE(writer->send(stream, QoS::Fire));
    sent.emplace_back(typemask::kStream, base + "/stream");
    ASSERT_TRUE(writer->send(gestureOf(base + "/gesture", 1, GesturePhase::Start, Value(0.5)), QoS::Fire));
    sent.emplace_back(typemask::kGesture, base + "/gesture");
    ASSERT_TRUE(writer->send(gestureOf(base + "/gesture", 1, GesturePhase::End, Value(0.5)), QoS::Fire));
    sent.emplace_back(typemask::kGesture, base + "/gesture");
    Publish timeline;
    timeline.address = base + "/timeline";
    timeline.signal = SignalType::Timeline;
    timeline.value = Value(1.0);
    ASSERT_TRUE(writer->send(timeline, QoS::Fire));
    sent.emplace_back(typemask::kTimeline, base + "/timeline");
    for (const auto& [bit, address] : sent) {
      if (c.mask != 0 && (c.mask & bit) == 0) continue;
      auto m = sub->next(kExpectTimeout);
      ASSERT_TRUE(m) << "expected delivery of " << address;
      std::string got;
      if (auto* s = std::get_if<Set>(&m->variant())) got = s->address;
      if (auto* p = std::get_if<Publish>(&m->variant())) got = p->address;
      EXPECT_EQ(got, address) << "received " << describe(*m);
    }
    ASSERT_TRUE(barrier(*writer, {sub.get()}));
  }
}

// D-12: epsilon suppresses numeric changes smaller than the threshold.
TEST_F(Subscription, D12_EpsilonSuppressesSmallChanges) {
  auto sub = open("subscriber");
  auto writer = open("writer");
  ASSERT_TRUE(sub && writer);
  ASSERT_TRUE(subscribeBarrier(*sub));
  SubscribeOptions o;
  o.epsilon = 0.5;
  ASSERT_TRUE(subscribe(*sub, addr("/eps/**"), 1, 0, o));
  for (double v : {1.0, 1.1, 1.2, 2.0}) ASSERT_TRUE(setAcked(*writer, addr("/eps/x"), Value(v)));
  for (double v : {1.0, 2.0}) {
    auto s = sub->expect<Set>();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->value, Value(v));
  }
  EXPECT_TRUE(barrier(*writer, {sub.get()})) << "1.1 and 1.2 are within epsilon 0.5";
}

// D-12: max_rate throttles per address; the latest value still arrives.
TEST_F(Subscription, D12_MaxRateThrottlesLatestValueWins) {
  auto sub = open("subscriber");
  auto writer = open("writer");
  ASSERT_TRUE(sub && writer);
  SubscribeOptions o;
  o.maxRate = 10;  // per second
  ASSERT_TRUE(subscribe(*sub, addr("/rate/**"), 1, 0, o));
  constexpr int kCount = 50;
  for (int i = 0; i < kCount; ++i) ASSERT_TRUE(writer->send(setOf(addr("/rate/x"), Value(i)), QoS::Confirm));
  for (int i = 0; i < kCount; ++i) ASSERT_TRUE(writer->expect<Ack>());
  int received = 0;
  std::int64_t last = -1;
  while (last != kCount - 1) {
    auto s = sub->expect<Set>(milliseconds(3000));
    ASSERT_TRUE(s) << "the last value must arrive (latest value wins); last seen " << last;
    ASSERT_TRUE(s->value.asInt());
    EXPECT_GT(*s->value.asInt(), last) << "values arrive in order";
    last = *s->value.asInt();
    ++received;
  }
  EXPECT_LE(received, 10) << kCount << " SETs in a burst at max_rate 10/s";
}

// D-12: history and window are accepted and ignored (no replay of old values).
TEST_F(Subscription, D12_HistoryAndWindowAcceptedAndIgnored) {
  auto sub = open("subscriber");
  auto writer = open("writer");
  ASSERT_TRUE(sub && writer);
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(setAcked(*writer, addr("/h/x"), Value(i)));
  SubscribeOptions o;
  o.history = 10;
  o.window = 1000;
  auto params = subscribe(*sub, addr("/h/**"), 1, 0, o);
  ASSERT_TRUE(params);
  ASSERT_EQ(params->size(), 1u) << "only the current value, no history";
  EXPECT_EQ((*params)[0].value, Value(3));
  ASSERT_TRUE(setAcked(*writer, addr("/h/x"), Value(4)));
  auto s = sub->expect<Set>();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->value, Value(4));
}

// R2.1 step 1 with `clasp server --max-subscriptions 3`: the 4th distinct id
// -> 429 "Subscription limit reached (max 3)"; replacing an id or freeing
// one with UNSUBSCRIBE does not hit the limit.
TEST_F(Subscription, R2_1_SubscriptionLimitGets429) {
  CLASP_DEDICATED(srv, Flavour::ClaspServer, "--max-subscriptions", "3");
  auto c = openOn(srv->endpoint());
  ASSERT_TRUE(c);
  for (std::uint32_t id = 1; id <= 3; ++id) ASSERT_TRUE(subscribe(*c, "/lim/" + std::to_string(id), id));
  ASSERT_TRUE(c->send(subscribeOf(4, "/lim/4"), QoS::Confirm));
  auto e = c->expectError(429);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "Subscription limit reached (max 3)");
  EXPECT_EQ(e->address, "/lim/4");
  EXPECT_TRUE(subscribe(*c, "/lim/2b", 2)) << "replacing id 2 is not a new subscription";
  ASSERT_TRUE(c->send(Unsubscribe{1}, QoS::Fire));
  EXPECT_TRUE(subscribe(*c, "/lim/4", 4)) << "a freed id makes room";
}

}  // namespace
}  // namespace clasp::conformance
