// The router's side of durable state, with a recording JournalPort: which
// changes are journalled (and which are not), ACKs held until their entry is
// committed and kept in order, REPLAY handed to the journal and its answer
// delivered only to a session still there, TTL expiry as a deletion notice,
// revisions that continue after a deletion (D-11), and the stored form that
// persistence takes and restores.
#include "router_fixture.hpp"

namespace clasp::router {
namespace {

class RecordingJournal final : public JournalPort {
 public:
  std::uint64_t append(JournalEntry&& e) override {
    entries.push_back(std::move(e));
    return entries.size();
  }
  void replay(std::string sessionId, Replay q) override { queries.emplace_back(std::move(sessionId), std::move(q)); }
  std::vector<JournalEntry> entries;
  std::vector<std::pair<std::string, Replay>> queries;
};

template <class T>
std::vector<T> only(const std::vector<Message>& ms) {
  std::vector<T> out;
  for (const auto& m : ms)
    if (const T* t = std::get_if<T>(&m.variant())) out.push_back(*t);
  return out;
}

class DurabilityTest : public RouterTest {
 protected:
  void SetUp() override {
    RouterTest::SetUp();
    router_->attachJournal(&journal_);
  }
  RecordingJournal journal_;
};

TEST_F(DurabilityTest, AckWaitsForTheCommitButSubscribersDoNot) {
  Client& reader = connect();
  send(reader, Subscribe{1, "/a/**", 0, std::nullopt});
  reader.out.take();
  Client& writer = connect();
  set(writer, "/a/x", 1.0);
  EXPECT_EQ(only<Set>(reader.out.take()).size(), 1u) << "fan-out is not held";
  EXPECT_TRUE(writer.out.take().empty()) << "the ACK waits for the journal";
  router_->journalCommitted(journal_.entries.size() - 1);
  EXPECT_TRUE(writer.out.take().empty()) << "an earlier commit does not release it";
  router_->journalCommitted(journal_.entries.size());
  auto acks = only<Ack>(writer.out.take());
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].revision, 1u);
}

TEST_F(DurabilityTest, LaterAcksOfTheSameSessionQueueBehindAHeldOne) {
  Client& c = connect();
  set(c, "/a/x", 1.0);
  send(c, Subscribe{7, "/b/**", 0, std::nullopt}, QoS::Confirm);  // journals nothing
  auto early = c.out.take();
  EXPECT_TRUE(only<Ack>(early).empty()) << "the SUBSCRIBE ACK would overtake the SET's";
  Client& other = connect();
  send(other, Subscribe{1, "/c/**", 0, std::nullopt}, QoS::Confirm);
  EXPECT_EQ(only<Ack>(other.out.take()).size(), 1u) << "a session with nothing held is not delayed";
  router_->journalCommitted(journal_.entries.size());
  auto acks = only<Ack>(c.out.take());
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0].address, "/a/x");
  EXPECT_EQ(acks[1].address, "/b/**");
}

TEST_F(DurabilityTest, HeldAckOfAClosedSessionIsDropped) {
  Client& c = connect();
  set(c, "/a/x", 1.0);
  router_->close(c.session);
  router_->journalCommitted(journal_.entries.size());  // must not touch the closed session
  EXPECT_TRUE(only<Ack>(c.out.take()).empty());
}

TEST_F(DurabilityTest, WhatIsJournalled) {
  Client& c = connect();
  send(c, Set{"/a/x", 1.0, std::nullopt, true, false, Ttl{Ttl::Kind::Sliding, 9}});
  send(c, Publish{"/e/go", SignalType::Event, GesturePhase::Start, Value("now"), {}, {}, {}, {}});
  send(c, Publish{"/g/1", SignalType::Gesture, GesturePhase::Start, Value(1.0), {}, {}, 5u, {}});
  send(c, Publish{"/clasp/p2p/signal/" + c.session->id, SignalType::Event, GesturePhase::Start, {}, {}, {}, {}, {}});
  ASSERT_EQ(journal_.entries.size(), 2u) << "gestures and P2P signalling are not recorded";
  const JournalEntry& s = journal_.entries[0];
  EXPECT_EQ(s.kind, JournalEntry::Kind::Set);
  EXPECT_EQ(s.address, "/a/x");
  EXPECT_EQ(s.revision, 1u);
  EXPECT_EQ(s.author, c.session->id);
  ASSERT_TRUE(s.ttl);
  EXPECT_EQ(s.ttl->seconds, 9u);
  const JournalEntry& p = journal_.entries[1];
  EXPECT_EQ(p.kind, JournalEntry::Kind::Publish);
  EXPECT_EQ(p.signal, SignalType::Event);
  EXPECT_EQ(p.value, Value("now"));
  // The holder leaves: the lock release bumps the revision, and that is recorded too.
  router_->close(c.session);
  ASSERT_EQ(journal_.entries.size(), 3u);
  EXPECT_EQ(journal_.entries[2].kind, JournalEntry::Kind::Set);
  EXPECT_EQ(journal_.entries[2].revision, 2u);
}

TEST_F(DurabilityTest, ExpiryIsADeletionNoticeAndRevisionsContinue) {
  Client& reader = connect();
  send(reader, Subscribe{1, "/t/**", 0, std::nullopt});
  Client& w = connect();
  set(w, "/t/x", 1.0, Ttl{Ttl::Kind::Absolute, 1});
  set(w, "/t/x", 2.0);
  reader.out.take();
  clock_.advanceSeconds(1.5);
  router_->tick();
  auto notes = only<Set>(reader.out.take());
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_TRUE(notes[0].value.isNull());
  EXPECT_EQ(notes[0].revision, 3u);
  EXPECT_EQ(journal_.entries.back().kind, JournalEntry::Kind::Delete);
  EXPECT_EQ(journal_.entries.back().author, "system");
  EXPECT_FALSE(exists(w, "/t/x"));
  set(w, "/t/x", 5.0);
  notes = only<Set>(reader.out.take());
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].revision, 4u) << "D-11: never back to 1";
}

TEST_F(DurabilityTest, ReplayGoesToTheJournalAndTheAnswerOnlyToLiveSessions) {
  Client& c = connect();
  send(c, Replay{"/a/**", 5u, std::nullopt, 10u, 0x01});
  ASSERT_EQ(journal_.queries.size(), 1u);
  EXPECT_EQ(journal_.queries[0].first, c.session->id);
  EXPECT_EQ(journal_.queries[0].second.limit, 10u);
  EXPECT_TRUE(c.out.take().empty());
  const std::vector<std::vector<std::uint8_t>> answer{frameOf(Ack{"/a/**", {}, {}, {}, {}})};
  router_->deliverFrames(c.session->id, answer);
  EXPECT_EQ(only<Ack>(c.out.take()).size(), 1u);
  const std::string id = c.session->id;
  router_->close(c.session);
  router_->deliverFrames(id, answer);
  EXPECT_TRUE(c.out.take().empty());
}

TEST_F(RouterTest, ReplayWithoutAJournalIs501AndNeedsReadScopeFirst) {
  Client& c = connect();
  send(c, Replay{"/a/**", {}, {}, {}, 0});
  auto e = onlyError(c.out.take());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, 501);
  Client& scoped = connect(grants({{Action::Read, "/b/**"}}));
  send(scoped, Replay{"/a/**", {}, {}, {}, 0});
  e = onlyError(scoped.out.take());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, 301);
}

TEST_F(RouterTest, ChangesTakenForPersistenceRestoreIntoANewRouter) {
  router_->trackChanges();
  Client& w = connect();
  set(w, "/p/a", Value(Bytes{1, 2, 3}), Ttl{Ttl::Kind::Never, 0});
  set(w, "/p/a", Value(std::int64_t{42}));
  set(w, "/p/b", "gone");
  router_->removeParam(w.session, "/p/b");
  auto changes = router_->takeChanges();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_TRUE(router_->takeChanges().empty()) << "taken once";
  auto a = std::find_if(changes.begin(), changes.end(), [](auto& p) { return p.address == "/p/a"; });
  auto b = std::find_if(changes.begin(), changes.end(), [](auto& p) { return p.address == "/p/b"; });
  ASSERT_NE(a, changes.end());
  ASSERT_NE(b, changes.end());
  EXPECT_EQ(a->revision, 2u);
  EXPECT_EQ(a->value, Value(std::int64_t{42}));
  EXPECT_EQ(a->writer, w.session->id);
  ASSERT_TRUE(a->ttl);
  EXPECT_EQ(a->ttl->kind, Ttl::Kind::Never);
  EXPECT_TRUE(b->deleted);
  EXPECT_EQ(b->revision, 2u);

  makeRouter(RouterConfig{});
  router_->restore(changes);
  Client& r = connect();
  send(r, Get{"/p/a"});
  auto snaps = only<Snapshot>(r.out.take());
  ASSERT_EQ(snaps.size(), 1u);
  ASSERT_EQ(snaps[0].params.size(), 1u);
  EXPECT_EQ(snaps[0].params[0].value, Value(std::int64_t{42}));
  EXPECT_EQ(snaps[0].params[0].revision, 2u);
  EXPECT_EQ(snaps[0].params[0].writer, a->writer);
  EXPECT_FALSE(exists(r, "/p/b"));
  send(r, Subscribe{1, "/p/**", 0, std::nullopt});
  r.out.take();
  set(r, "/p/b", 1.0);
  auto sets = only<Set>(r.out.take());
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].revision, 3u) << "continues above the restored deletion";
}

}  // namespace
}  // namespace clasp::router
