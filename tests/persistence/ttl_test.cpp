// TTL expiry (contract "TTL expiry and deletion notice"; router.md R3.4, R3.7,
// R3.8 with their Fixes; relay.md §13): the expiry notice SET{address, null,
// revision + 1} to subscribers, GET -> 201 afterwards, revisions continuing
// after an expiry, per-SET TTLs (sliding refreshed by reads, absolute not,
// never) enforced even with --param-ttl 0, --no-ttl keeping everything, and
// expiry surviving a restart (journal and persist file; no resurrection, also
// for a TTL that ran out while the relay was down; per-SET TTLs restored).
#include <thread>

#include "persistence_fixture.hpp"

namespace clasp::conformance {
namespace {

class TtlExpiry : public PersistenceTest {
 protected:
  // The expiry notice: SET{address, Null, revision} without lock/unlock/TTL.
  void expectNotice(const std::optional<Set>& s, std::uint64_t revision, Loc loc = Loc::current()) {
    ASSERT_TRUE(s) << "no expiry notice (called from line " << loc.line() << ")";
    EXPECT_TRUE(s->value.isNull()) << "notice value must be Null, got " << toDebugString(s->value);
    EXPECT_EQ(s->revision, revision) << s->address << ": notice revision = last + 1";
    EXPECT_FALSE(s->lock || s->unlock || s->ttl.has_value()) << "no lock/unlock/ttl flags on the notice";
  }
};

double secondsSince(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

TEST_F(TtlExpiry, R3_7_ParamTtlExpiryNotifiesAndRevisionsContinue) {
  PERSIST_LAUNCH(relay, Flavour::Relay, "--param-ttl", "1");
  auto w = openOn(relay->endpoint(), "writer");
  auto sub = openOn(relay->endpoint(), "subscriber");
  ASSERT_TRUE(w && sub);
  ASSERT_TRUE(subscribe(*sub, "/t/**", 1));
  ASSERT_TRUE(setAcked(*w, "/t/x", Value(5)));
  ASSERT_TRUE(setAcked(*w, "/t/x", Value(6)));
  const auto lastWrite = SteadyClock::now();
  ASSERT_TRUE(nextSetTo(*sub, "/t/x", kExpectTimeout));
  ASSERT_TRUE(nextSetTo(*sub, "/t/x", kExpectTimeout));
  auto notice = nextSetTo(*sub, "/t/x", kExpiryTimeout);
  const double after = secondsSince(lastWrite);
  expectNotice(notice, 3);
  EXPECT_GE(after, 0.9) << "expired before its 1 s TTL ran out";
  EXPECT_TRUE(expectGone(*w, "/t/x")) << "GET after the expiry";
  auto ack = setAcked(*w, "/t/x", Value(7));
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->revision, 4u) << "R3.4 Fix / D-11: after an expiry the revision continues, not 1";
  auto again = nextSetTo(*sub, "/t/x", kExpectTimeout);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->revision, 4u);
}

// With --param-ttl 0: sliding(2) kept alive by GETs, absolute(2) expiring
// although it is read, never and no-TTL params kept.
TEST_F(TtlExpiry, R3_8_PerSetTtlSlidingAbsoluteNeverWithoutGlobalTtl) {
  PERSIST_LAUNCH(relay, Flavour::Relay, "--param-ttl", "0");
  auto w = openOn(relay->endpoint(), "writer");
  auto reader = openOn(relay->endpoint(), "reader");
  auto sub = openOn(relay->endpoint(), "subscriber");
  ASSERT_TRUE(w && reader && sub);
  ASSERT_TRUE(subscribe(*sub, "/p/**", 1));
  ASSERT_TRUE(setAcked(*w, ttlSet("/p/slide", Value(1), slidingTtl(2))));
  ASSERT_TRUE(setAcked(*w, ttlSet("/p/abs", Value(2), absoluteTtl(2))));
  ASSERT_TRUE(setAcked(*w, ttlSet("/p/never", Value(3), neverTtl())));
  ASSERT_TRUE(setAcked(*w, "/p/plain", Value(4)));
  const auto written = SteadyClock::now();
  for (const char* a : {"/p/slide", "/p/abs", "/p/never", "/p/plain"}) ASSERT_TRUE(nextSetTo(*sub, a, kExpectTimeout));

  // 4.5 s of reads every ~400 ms: long enough for absolute(2) plus a sweep.
  std::optional<double> absGoneAt;
  while (secondsSince(written) < 4.5) {
    auto slide = getParam(*reader, "/p/slide");
    ASSERT_TRUE(slide) << "sliding(2) expired although it was read every 400 ms, after "
                       << secondsSince(written) << " s";
    ASSERT_TRUE(reader->send(Get{"/p/abs"}));
    auto m = reader->next(kExpectTimeout);  // SNAPSHOT before its expiry, ERROR 201 after: both fine
    ASSERT_TRUE(m && (std::holds_alternative<Snapshot>(m->variant()) || std::holds_alternative<ErrorMsg>(m->variant())));
    // The subscriber's wait is also the pacing of the reads.
    if (auto n = sub->next(milliseconds(400))) {
      const auto* s = std::get_if<Set>(&n->variant());
      ASSERT_TRUE(s && s->address == "/p/abs") << "only /p/abs may expire now, got " << describe(*n);
      expectNotice(*s, 2);
      absGoneAt = secondsSince(written);
    }
  }
  ASSERT_TRUE(absGoneAt) << "absolute(2) did not expire within 4.5 s although reads do not extend it";
  EXPECT_GE(*absGoneAt, 1.9) << "absolute(2) expired early";

  // No more reads: sliding(2) now runs out.
  const auto lastRead = SteadyClock::now();
  auto notice = nextSetTo(*sub, "/p/slide", kExpiryTimeout);
  expectNotice(notice, 2);
  EXPECT_GE(secondsSince(lastRead), 1.5) << "sliding(2) expired too soon after the last read";
  EXPECT_TRUE(getParam(*reader, "/p/never")) << "TTL never: kept";
  EXPECT_TRUE(getParam(*reader, "/p/plain")) << "--param-ttl 0 and no own TTL: kept";
}

TEST_F(TtlExpiry, R3_7_NoTtlKeepsEverything) {
  PERSIST_LAUNCH(relay, Flavour::Relay, "--no-ttl", "--param-ttl", "1");
  auto w = openOn(relay->endpoint(), "writer");
  auto sub = openOn(relay->endpoint(), "subscriber");
  ASSERT_TRUE(w && sub);
  ASSERT_TRUE(subscribe(*sub, "/n/**", 1));
  ASSERT_TRUE(setAcked(*w, ttlSet("/n/abs", Value(1), absoluteTtl(1))));
  ASSERT_TRUE(setAcked(*w, ttlSet("/n/slide", Value(2), slidingTtl(1))));
  ASSERT_TRUE(setAcked(*w, "/n/plain", Value(3)));
  for (const char* a : {"/n/abs", "/n/slide", "/n/plain"}) ASSERT_TRUE(nextSetTo(*sub, a, kExpectTimeout));
  // Must NOT happen: a bounded window longer than TTL + sweep.
  EXPECT_TRUE(sub->expectNothing(milliseconds(2500))) << "--no-ttl: nothing expires";
  for (const char* a : {"/n/abs", "/n/slide", "/n/plain"}) EXPECT_TRUE(getParam(*w, a)) << a;
}

class TtlRestart : public TtlExpiry {
 protected:
  // An expiry is recorded: after a restart the param stays gone and its
  // revision continues. `crashIt`: kill -9 (journal) or graceful stop (persist).
  void expiryStaysAfterRestart(const std::vector<std::string>& args, bool crashIt) {
    {
      PERSIST_LAUNCH(relay, Flavour::Relay, args);
      auto w = openOn(relay->endpoint(), "writer");
      auto sub = openOn(relay->endpoint(), "subscriber");
      ASSERT_TRUE(w && sub);
      ASSERT_TRUE(subscribe(*sub, "/e/**", 1));
      ASSERT_TRUE(setAcked(*w, ttlSet("/e/x", Value(1), absoluteTtl(1))));
      ASSERT_TRUE(setAcked(*w, "/e/keep", Value(2)));
      ASSERT_TRUE(nextSetTo(*sub, "/e/x", kExpectTimeout));
      expectNotice(nextSetTo(*sub, "/e/x", kExpiryTimeout), 2);
      if (crashIt) {
        crash(relay);
      } else {
        w.reset();
        sub.reset();
        stopGracefully(relay);
      }
    }
    PERSIST_LAUNCH(relay, Flavour::Relay, args);
    auto params = greetingParams(relay->endpoint());
    ASSERT_TRUE(params);
    EXPECT_FALSE(params->contains("/e/x")) << "an expired param came back after the restart";
    EXPECT_TRUE(params->contains("/e/keep"));
    auto w = openOn(relay->endpoint(), "writer");
    ASSERT_TRUE(w);
    EXPECT_TRUE(expectGone(*w, "/e/x"));
    auto ack = setAcked(*w, "/e/x", Value(3));
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->revision, 3u) << "revision continues from the expiry's revision 2";
  }
};

TEST_F(TtlRestart, ExpiryRecordedInJournalSurvivesKill9) {
  expiryStaysAfterRestart({"--journal", statePath("journal.db"), "--param-ttl", "0"}, true);
}

TEST_F(TtlRestart, ExpiryRecordedInPersistFileSurvivesGracefulRestart) {
  expiryStaysAfterRestart({"--persist", statePath("state.db"), "--param-ttl", "0"}, false);
}

// A TTL that ran out while the relay was down: gone right after the restart
// (wall-clock TTLs), already absent from the first snapshot.
TEST_F(TtlRestart, TtlThatRanOutWhileDownIsGoneAfterRestart) {
  const std::vector<std::string> args{"--journal", statePath("journal.db"), "--param-ttl", "0"};
  SteadyClock::time_point acked;
  {
    PERSIST_LAUNCH(relay, Flavour::Relay, args);
    auto w = openOn(relay->endpoint(), "writer");
    ASSERT_TRUE(w);
    ASSERT_TRUE(setAcked(*w, ttlSet("/d/x", Value(1), absoluteTtl(2))));
    acked = SteadyClock::now();
    ASSERT_TRUE(setAcked(*w, ttlSet("/d/keep", Value(2), neverTtl())));
    crash(relay);
  }
  // The condition is time itself: the 2 s TTL must run out while no relay runs.
  std::this_thread::sleep_until(acked + milliseconds(3000));
  PERSIST_LAUNCH(relay, Flavour::Relay, args);
  auto params = greetingParams(relay->endpoint());
  ASSERT_TRUE(params);
  EXPECT_TRUE(params->contains("/d/keep"));
  if (params->contains("/d/x")) {
    // Diagnosis for the failure message: does it expire later, and when?
    auto sub = openOn(relay->endpoint(), "subscriber");
    ASSERT_TRUE(sub && subscribe(*sub, "/d/**", 1));
    const auto since = SteadyClock::now();
    auto m = sub->next(kExpiryTimeout);
    ADD_FAILURE() << "its 2 s TTL ran out while the relay was down, yet /d/x is in the first snapshot "
                     "after the restart; afterwards: "
                  << (m ? describe(*m) + " after " + std::to_string(secondsSince(since)) + " s"
                        : std::string("no expiry notice within 6 s"));
    return;
  }
  auto w = openOn(relay->endpoint(), "writer");
  ASSERT_TRUE(w);
  EXPECT_TRUE(expectGone(*w, "/d/x"));
}

// Per-SET TTLs are restored: under --param-ttl 1 after the restart, a
// `never` param stays and a sliding(3) param lives its own 3 s, not 1 s.
TEST_F(TtlRestart, PerSetTtlsAreRestoredFromTheJournal) {
  const std::string journal = statePath("journal.db");
  {
    PERSIST_LAUNCH(relay, Flavour::Relay, "--journal", journal, "--param-ttl", "0");
    auto w = openOn(relay->endpoint(), "writer");
    ASSERT_TRUE(w);
    ASSERT_TRUE(setAcked(*w, ttlSet("/r/never", Value(1), neverTtl())));
    ASSERT_TRUE(setAcked(*w, ttlSet("/r/slide", Value(2), slidingTtl(3))));
    ASSERT_TRUE(setAcked(*w, "/r/plain", Value(3)));
    crash(relay);
  }
  PERSIST_LAUNCH(relay, Flavour::Relay, "--journal", journal, "--param-ttl", "1");
  auto sub = openOn(relay->endpoint(), "subscriber");
  ASSERT_TRUE(sub);
  auto snap = subscribe(*sub, "/r/**", 1);
  const auto subscribed = SteadyClock::now();
  ASSERT_TRUE(snap);
  ParamMap present = paramsOf({Snapshot{*snap}});
  ASSERT_TRUE(present.contains("/r/never"));
  ASSERT_TRUE(present.contains("/r/slide"));
  bool plainGone = !present.contains("/r/plain");  // may already be gone: its 1 s are wall clock
  std::optional<double> slideGoneAt;
  while (!slideGoneAt || !plainGone) {
    auto m = sub->next(milliseconds(8000) - std::chrono::duration_cast<milliseconds>(SteadyClock::now() - subscribed));
    ASSERT_TRUE(m) << "within 8 s: slide expired " << slideGoneAt.has_value() << ", plain gone " << plainGone;
    const auto* s = std::get_if<Set>(&m->variant());
    ASSERT_TRUE(s && s->value.isNull()) << "expected expiry notices, got " << describe(*m);
    ASSERT_NE(s->address, "/r/never") << "TTL never was not restored";
    if (s->address == "/r/plain") plainGone = true;
    if (s->address == "/r/slide") slideGoneAt = secondsSince(subscribed);
  }
  EXPECT_GE(*slideGoneAt, 1.5) << "sliding(3) expired on the global 1 s TTL: its own TTL was not restored";
  EXPECT_TRUE(getParam(*sub, "/r/never"));
}

}  // namespace
}  // namespace clasp::conformance
