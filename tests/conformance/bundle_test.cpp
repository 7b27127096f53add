// BUNDLE: router.md R6.1-R6.4, scenarios S22-S24, with DECISIONS D-6 (one
// ACK when accepted), D-9 (atomic: every member validated before any is
// applied; future timestamps schedule; 1 h / 1000 pending limits -> 402)
// and docs/decisions.md (ACK{revision of the last SET}, member errors).
#include "fixture.hpp"

namespace clasp::conformance {
namespace {

class BundleOp : public ConformanceTest {};

Bundle bundleOf(std::vector<Message> members, std::optional<std::uint64_t> timestamp = std::nullopt) {
  Bundle b;
  b.timestamp = timestamp;
  b.messages = std::move(members);
  return b;
}

// S22, R6.2, R6.3: subscribers get the individual SET and PUBLISH; the
// sender gets ACK{revision of the last SET} without an address.
TEST_F(BundleOp, S22_SetAndPublishDeliveredAckWithRevision) {
  auto a = open("sender");
  auto b = open("subscriber");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(subscribe(*b, addr("/mixed/set"), 1));
  ASSERT_TRUE(subscribe(*b, addr("/mixed/event"), 2));
  ASSERT_TRUE(a->send(bundleOf({setOf(addr("/mixed/set"), Value(1.25)),
                                eventOf(addr("/mixed/event"), Value("triggered"))}),
                      QoS::Commit));
  auto ack = a->expect<Ack>();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->revision, 1u);
  EXPECT_FALSE(ack->address) << "a BUNDLE's ACK has no address";
  bool gotSet = false, gotPublish = false;
  for (int i = 0; i < 2; ++i) {
    auto m = b->next(kExpectTimeout);
    ASSERT_TRUE(m) << "expected the bundle's SET and PUBLISH";
    if (auto* s = std::get_if<Set>(&m->variant())) {
      gotSet = true;
      EXPECT_EQ(s->value, Value(1.25));
      EXPECT_EQ(s->revision, 1u);
    } else if (auto* p = std::get_if<Publish>(&m->variant())) {
      gotPublish = true;
      EXPECT_EQ(p->value, Value("triggered"));
    } else {
      ADD_FAILURE() << "unexpected " << describe(*m);
    }
  }
  EXPECT_TRUE(gotSet && gotPublish);
}

// S23, R6.2: a bundle of 100 SETs -> exactly 100 SETs, in bundle order.
TEST_F(BundleOp, S23_HundredSetsDeliveredInOrder) {
  auto a = open("sender");
  auto b = open("subscriber");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(subscribeBarrier(*b));
  ASSERT_TRUE(subscribe(*b, addr("/large/**"), 1));
  std::vector<Message> members;
  for (int i = 0; i < 100; ++i) members.push_back(setOf(addr("/large/item" + std::to_string(i)), Value(i)));
  ASSERT_TRUE(a->send(bundleOf(std::move(members)), QoS::Commit));
  auto ack = a->expect<Ack>();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->revision, 1u);
  for (int i = 0; i < 100; ++i) {
    auto s = b->expect<Set>();
    ASSERT_TRUE(s) << "SET " << i;
    EXPECT_EQ(s->address, addr("/large/item" + std::to_string(i)));
    EXPECT_EQ(s->value, Value(i));
  }
  EXPECT_TRUE(barrier(*a, {b.get()})) << "exactly 100";
}

// D-6, R6.3: the ACK carries the revision of the last SET applied, none
// when the bundle has no SET.
TEST_F(BundleOp, D6_AckRevisionIsTheLastSets) {
  auto a = open();
  ASSERT_TRUE(a);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(setAcked(*a, addr("/existing"), Value(i)));  // revision 3
  struct Case {
    const char* name;
    std::vector<Message> members;
    std::optional<std::uint64_t> revision;
  };
  std::vector<Case> cases;
  cases.push_back({"new last", {setOf(addr("/existing"), Value(10)), setOf(addr("/fresh1"), Value(1))}, 1});
  cases.push_back({"existing last", {setOf(addr("/fresh2"), Value(1)), setOf(addr("/existing"), Value(11))}, 5});
  cases.push_back({"publish only", {eventOf(addr("/ev"), Value(1))}, std::nullopt});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ASSERT_TRUE(a->send(bundleOf(c.members), QoS::Commit));
    auto ack = a->expect<Ack>();
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->revision, c.revision);
  }
}

// D-9 (fixes R6.2's partial application): one bad member -> that member's
// ERROR, nothing applied or broadcast, no ACK.
TEST_F(BundleOp, D9_OneBadMemberRejectsWholeBundle) {
  auto a = open("sender");
  auto owner = open("lock-owner");
  auto watcher = open("watcher");
  ASSERT_TRUE(a && owner && watcher);
  ASSERT_TRUE(subscribeBarrier(*watcher));
  ASSERT_TRUE(subscribe(*watcher, addr("/w/**"), 1));
  ASSERT_TRUE(setAcked(*a, addr("/w/existing"), Value(1)));  // revision 1
  ASSERT_TRUE(watcher->expect<Set>());
  Set lock = setOf(addr("/w/locked"), Value(1));
  lock.lock = true;
  ASSERT_TRUE(setAcked(*owner, lock));
  ASSERT_TRUE(watcher->expect<Set>());

  Set conflict = setOf(addr("/w/existing"), Value(2));
  conflict.revision = 7;
  struct Case {
    const char* name;
    Message bad;
    std::uint16_t code;
    std::string address;
    std::string text;  // empty: not checked
  };
  const std::vector<Case> cases = {
      {"SET with invalid address", setOf(addr("/w//x"), Value(1)), 200, addr("/w//x"), ""},
      {"PUBLISH with invalid address", eventOf(addr("/w/*"), Value(1)), 200, addr("/w/*"), ""},
      {"SET with revision conflict", conflict, 400, addr("/w/existing"),
       "RevisionConflict { expected: 7, actual: 1 }"},
      {"SET to a param locked by another session", setOf(addr("/w/locked"), Value(2)), 401,
       addr("/w/locked"), "LockHeld { holder: \"" + owner->session() + "\" }"},
  };
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string good1 = addr("/w/good" + std::to_string(++n) + "a");
    const std::string good2 = addr("/w/good" + std::to_string(n) + "b");
    ASSERT_TRUE(a->send(bundleOf({setOf(good1, Value(1)), c.bad, eventOf(addr("/w/event"), Value(1)),
                                  setOf(good2, Value(2))}),
                        QoS::Commit));
    auto e = a->expectError(c.code);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->address, c.address);
    if (!c.text.empty()) {
      EXPECT_EQ(e->message, c.text);
    }
    EXPECT_TRUE(a->pingPong()) << "no ACK for a rejected bundle";
    EXPECT_TRUE(barrier(*a, {watcher.get()})) << "nothing of a rejected bundle is broadcast";
    for (const std::string& g : {good1, good2}) {
      ASSERT_TRUE(a->send(Get{g}));
      EXPECT_TRUE(a->expectError(201)) << g << " must not have been applied";
    }
  }
  // The conflicting param kept its value and revision.
  ASSERT_TRUE(a->send(Get{addr("/w/existing")}));
  auto snap = a->expect<Snapshot>();
  ASSERT_TRUE(snap);
  ASSERT_EQ(snap->params.size(), 1u);
  EXPECT_EQ(snap->params[0].revision, 1u);
}

// R6.1: member types other than SET and PUBLISH are ignored.
TEST_F(BundleOp, R6_1_OtherMemberTypesIgnored) {
  auto a = open("sender");
  auto w = open("writer");
  ASSERT_TRUE(a && w);
  ASSERT_TRUE(subscribeBarrier(*a));
  ASSERT_TRUE(a->send(bundleOf({subscribeOf(5, addr("/ignored/**")), Ping{}, Get{addr("/nothing")},
                                setOf(addr("/applied"), Value(1))}),
                      QoS::Commit));
  auto ack = a->expect<Ack>();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->revision, 1u);
  ASSERT_TRUE(a->pingPong()) << "no PONG/ERROR for members other than SET and PUBLISH";
  ASSERT_TRUE(setAcked(*w, addr("/ignored/x"), Value(1)));
  EXPECT_TRUE(barrier(*w, {a.get()})) << "the SUBSCRIBE inside the bundle must not take effect";
}

// S24, D-9, R6.4 Fix: a future timestamp (server µs) schedules the bundle:
// ACK on acceptance, the SET is applied and broadcast at that time.
TEST_F(BundleOp, S24_D9_ScheduledBundleExecutesLater) {
  auto a = open("sender");
  auto b = open("subscriber");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(subscribe(*b, addr("/scheduled/**"), 1));
  const auto sent = SteadyClock::now();
  ASSERT_TRUE(a->send(bundleOf({setOf(addr("/scheduled/value"), Value(42))}, nowMicros() + 400'000),
                      QoS::Commit));
  ASSERT_TRUE(a->expect<Ack>()) << "ACK on acceptance";
  auto s = b->expect<Set>(milliseconds(3000));
  ASSERT_TRUE(s);
  const auto waited = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - sent).count();
  EXPECT_EQ(s->value, Value(42));
  EXPECT_GE(waited, 300) << "the bundle was due 400 ms after sending";
}

// D-9: a scheduled bundle runs even after its sender has left.
TEST_F(BundleOp, D9_ScheduledBundleRunsAfterSenderLeft) {
  auto a = open("sender");
  auto b = open("subscriber");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(subscribe(*b, addr("/orphan/**"), 1));
  ASSERT_TRUE(a->send(bundleOf({setOf(addr("/orphan/value"), Value(7))}, nowMicros() + 300'000),
                      QoS::Commit));
  ASSERT_TRUE(a->expect<Ack>());
  a->close();
  auto s = b->expect<Set>(milliseconds(3000));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->value, Value(7));
}

// D-9: a timestamp in the past executes at once.
TEST_F(BundleOp, D9_PastTimestampExecutesAtOnce) {
  auto a = open("sender");
  auto b = open("subscriber");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(subscribe(*b, addr("/past/**"), 1));
  const auto sent = SteadyClock::now();
  ASSERT_TRUE(a->send(bundleOf({setOf(addr("/past/value"), Value(1))}, nowMicros() - 10'000'000),
                      QoS::Commit));
  auto ack = a->expect<Ack>();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->revision, 1u);
  auto s = b->expect<Set>();
  ASSERT_TRUE(s);
  EXPECT_LT(std::chrono::duration_cast<milliseconds>(SteadyClock::now() - sent).count(), 1000);
}

// D-9, docs/decisions.md: more than 1 h ahead -> 402 "bundle scheduled too far ahead".
TEST_F(BundleOp, D9_MoreThanOneHourAheadGets402) {
  auto a = open();
  ASSERT_TRUE(a);
  const std::uint64_t twoHours = 2ull * 3600 * 1'000'000;
  ASSERT_TRUE(a->send(bundleOf({setOf(addr("/far"), Value(1))}, nowMicros() + twoHours), QoS::Commit));
  auto e = a->expectError(402);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "bundle scheduled too far ahead");
  EXPECT_TRUE(a->pingPong()) << "no ACK for a rejected bundle";
}

// D-9, docs/decisions.md: 1000 pending bundles per session; the 1001st ->
// 402 "too many scheduled bundles". The limit is per session. Dedicated
// server: the pending bundles stay scheduled for half an hour.
TEST_F(BundleOp, D9_ThousandPendingPerSessionThen402) {
  CLASP_DEDICATED(relay, Flavour::Relay);
  auto a = openOn(relay->endpoint(), "sender");
  auto other = openOn(relay->endpoint(), "other");
  ASSERT_TRUE(a && other);
  const std::uint64_t due = nowMicros() + 30ull * 60 * 1'000'000;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(a->send(bundleOf({setOf("/pending/x", Value(i))}, due), QoS::Commit));
  }
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(a->expect<Ack>()) << "bundle " << i;
  ASSERT_TRUE(a->send(bundleOf({setOf("/pending/x", Value(1000))}, due), QoS::Commit));
  auto e = a->expectError(402);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "too many scheduled bundles");
  ASSERT_TRUE(other->send(bundleOf({setOf("/pending/y", Value(1))}, due), QoS::Commit));
  EXPECT_TRUE(other->expect<Ack>()) << "the limit is per session";
}

}  // namespace
}  // namespace clasp::conformance
