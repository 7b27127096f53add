// REPLAY (0x24, protocol.md §5.10; router.md R4.5 and the contract's REPLAY
// section), sent as hand-encoded frames: pattern forms (exact, /x/**, /x/*),
// from/to bounds, limit with the continuation ACK, the server's page cap, the
// types mask, the errors (202, 301, 501), --journal-memory, and expiry
// recorded as SET null. A fixed history is written first and the answers are
// compared entry by entry with what the test wrote.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <fstream>

#include "persistence_fixture.hpp"

namespace clasp::conformance {
namespace {

// One expected journal entry, rendered for comparison and failure output.
std::string entryText(const Message& m) {
  if (const auto* s = std::get_if<Set>(&m.variant())) {
    return "SET " + s->address + " = " + toDebugString(s->value) + " @" +
           (s->revision ? std::to_string(*s->revision) : std::string("none"));
  }
  if (const auto* p = std::get_if<Publish>(&m.variant())) {
    return "PUBLISH " + p->address + " signal " + std::to_string(static_cast<int>(p->signal)) + " = " +
           (p->value ? toDebugString(*p->value) : std::string("none"));
  }
  return describe(m);
}

std::vector<std::string> texts(const std::vector<Message>& ms) {
  std::vector<std::string> out;
  for (const Message& m : ms) out.push_back(entryText(m));
  return out;
}

Message setEntry(std::string address, Value v, std::uint64_t revision) {
  Set s = setOf(std::move(address), std::move(v));
  s.revision = revision;
  return s;
}

Message eventEntry(std::string address, Value v) { return eventOf(std::move(address), std::move(v)); }

// The one MQTT action the suite needs: connect (3.1.1, clean session), then
// an empty retained PUBLISH (QoS 0), which deletes the param (D-28). Raw
// packets over a blocking socket with a 3 s receive timeout. "" on success.
std::string mqttDelete(std::uint16_t port, const std::string& topic) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "socket failed";
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  timeval tv{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "connect failed";
  const Bytes connectPacket{0x10, 0x10, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C,
                      0x00, 0x04, 'd', 'e', 'l', '1'};
  if (::send(fd, connectPacket.data(), connectPacket.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(connectPacket.size()))
    return "CONNECT not sent";
  std::uint8_t connack[4] = {};
  if (::recv(fd, connack, sizeof connack, MSG_WAITALL) != 4 || connack[0] != 0x20 || connack[3] != 0)
    return "no accepting CONNACK";
  Bytes publish{0x31, static_cast<std::uint8_t>(2 + topic.size()), 0x00, static_cast<std::uint8_t>(topic.size())};
  for (char ch : topic) publish.push_back(static_cast<std::uint8_t>(ch));
  if (::send(fd, publish.data(), publish.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(publish.size()))
    return "PUBLISH not sent";
  const std::uint8_t disconnect[2] = {0xE0, 0x00};
  ::send(fd, disconnect, sizeof disconnect, MSG_NOSIGNAL);
  return "";
}

class ReplayOp : public PersistenceTest {
 protected:
  // The history every test starts from, in two groups separated by wall-clock
  // instants t1 (after group A's last ACK) and t2 (after group B's).
  std::uint64_t t0 = 0, t1 = 0, t2 = 0;
  std::vector<Message> groupA, groupB;

  // Writes the history through `w` (QoS Confirm, each answer awaited, so the
  // journal entries exist and are ordered before the next step).
  void writeHistory(Client& w) {
    t0 = nowMicros();
    groupA = {setEntry("/ra/x", Value(1), 1), setEntry("/ra/y", Value(2.0), 1),
              setEntry("/ra/x/deep", Value("three"), 1), eventEntry("/ra/ev", Value("e1")),
              setEntry("/rb/z", Value(Bytes{4}), 1)};
    for (const Message& m : groupA) ASSERT_NO_FATAL_FAILURE(sendAcked(w, m));
    t1 = nowMicros();
    // A BUNDLE's SET is recorded, its PUBLISH member is not (contract "Recorded").
    Bundle b;
    b.messages = {Message(setOf("/ra/b1", Value(7))), Message(eventOf("/ra/bev", Value("not recorded")))};
    groupB = {setEntry("/ra/x", Value(5), 2), eventEntry("/ra/ev", Value("e2")), setEntry("/ra/y", Value(6), 2),
              setEntry("/ra/b1", Value(7), 1)};
    for (std::size_t i = 0; i < 3; ++i) ASSERT_NO_FATAL_FAILURE(sendAcked(w, groupB[i]));
    ASSERT_TRUE(w.send(b, QoS::Confirm));
    ASSERT_TRUE(w.expect<Ack>()) << "BUNDLE ACK";
    t2 = nowMicros();
  }

  static void sendAcked(Client& w, const Message& entry) {
    Message out = entry;
    if (auto* s = std::get_if<Set>(&out.variant())) s->revision.reset();  // no expected revision
    ASSERT_TRUE(w.send(out, QoS::Confirm));
    auto ack = w.expect<Ack>();
    ASSERT_TRUE(ack) << entryText(entry);
  }

  // Entries of `all` that satisfy `keep`, in order.
  template <class Pred>
  static std::vector<Message> select(const std::vector<Message>& all, Pred keep) {
    std::vector<Message> out;
    for (const Message& m : all)
      if (keep(m)) out.push_back(m);
    return out;
  }
  std::vector<Message> history() const {
    std::vector<Message> all = groupA;
    all.insert(all.end(), groupB.begin(), groupB.end());
    return all;
  }
  static std::string addressOf(const Message& m) {
    if (const auto* s = std::get_if<Set>(&m.variant())) return s->address;
    return std::get<Publish>(m.variant()).address;
  }

  // A complete answer: exactly `want`, then the end marker without revision.
  void expectAnswer(Client& c, const std::string& pattern, const std::vector<Message>& want,
                    std::optional<std::uint64_t> from = {}, std::optional<std::uint64_t> to = {},
                    std::optional<std::uint32_t> limit = {}, std::uint8_t types = 0, Loc loc = Loc::current()) {
    ReplayAnswer a = replay(c, pattern, from, to, limit, types, loc);
    ASSERT_TRUE(a.complete);
    ASSERT_FALSE(a.error) << describe(*a.error);
    EXPECT_EQ(texts(a.entries), texts(want)) << "REPLAY " << pattern << " (called from line " << loc.line() << ")";
    ASSERT_TRUE(a.end);
    EXPECT_FALSE(a.end->revision) << "everything was sent: the end-marker ACK carries no revision";
  }

  // A relay with a journal and the history written; `extra` flags added.
  std::unique_ptr<RelayProcess> relayWithHistory(std::vector<std::string> flags,
                                                 std::unique_ptr<Client>& client) {
    auto relay = launch(Flavour::Relay, flags);
    if (!relay) return nullptr;
    client = openOn(relay->endpoint(), "replayer");
    if (!client) return nullptr;
    writeHistory(*client);
    if (HasFailure()) return nullptr;
    return relay;
  }
};

TEST_F(ReplayOp, R4_5_PatternsExactGlobstarAndStar) {
  std::unique_ptr<Client> c;
  auto relay = relayWithHistory({"--journal", statePath("journal.db")}, c);
  ASSERT_TRUE(relay);
  const auto all = history();
  expectAnswer(*c, "/ra/x", select(all, [](const Message& m) { return addressOf(m) == "/ra/x"; }));
  expectAnswer(*c, "/ra/**", select(all, [](const Message& m) { return addressOf(m).starts_with("/ra/"); }));
  expectAnswer(*c, "/ra/*", select(all, [](const Message& m) {
                 const std::string a = addressOf(m);
                 return a.starts_with("/ra/") && a.find('/', 4) == std::string::npos;
               }));
  expectAnswer(*c, "/**", all);
  expectAnswer(*c, "/nothing/**", {});
}

TEST_F(ReplayOp, R4_5_FromAndToBoundsInMicroseconds) {
  std::unique_ptr<Client> c;
  auto relay = relayWithHistory({"--journal", statePath("journal.db")}, c);
  ASSERT_TRUE(relay);
  expectAnswer(*c, "/**", groupB, t1);
  expectAnswer(*c, "/**", groupA, std::nullopt, t1);
  expectAnswer(*c, "/**", history(), t0, t2);
  expectAnswer(*c, "/**", {}, t2);
  expectAnswer(*c, "/**", {}, std::nullopt, t0);
}

TEST_F(ReplayOp, R4_5_TypesMaskSelectsParamsOrEvents) {
  std::unique_ptr<Client> c;
  auto relay = relayWithHistory({"--journal", statePath("journal.db")}, c);
  ASSERT_TRUE(relay);
  const auto all = history();
  auto isSet = [](const Message& m) { return std::holds_alternative<Set>(m.variant()); };
  expectAnswer(*c, "/**", select(all, isSet), std::nullopt, std::nullopt, std::nullopt, typemask::kParam);
  expectAnswer(*c, "/**", select(all, [&](const Message& m) { return !isSet(m); }), std::nullopt, std::nullopt,
               std::nullopt, typemask::kEvent);
  expectAnswer(*c, "/**", {}, std::nullopt, std::nullopt, std::nullopt, typemask::kStream);
  expectAnswer(*c, "/**", all, std::nullopt, std::nullopt, std::nullopt, typemask::kParam | typemask::kEvent);
}

// limit: at most `limit` entries; when more match, the end-marker ACK's
// revision is the `from` of the next page, and paging yields the full answer
// with no gap and no duplicate. A limit equal to the number of matches is
// complete (no revision).
TEST_F(ReplayOp, R4_5_LimitCutsShortAndTheAckTellsWhereToContinue) {
  std::unique_ptr<Client> c;
  auto relay = relayWithHistory({"--journal", statePath("journal.db")}, c);
  ASSERT_TRUE(relay);
  const auto all = history();
  for (std::uint32_t limit : {1u, 2u, 3u}) {
    SCOPED_TRACE("limit " + std::to_string(limit));
    std::vector<Message> paged;
    std::optional<std::uint64_t> from;
    for (int page = 0; page < 20; ++page) {
      ReplayAnswer a = replay(*c, "/**", from, std::nullopt, limit);
      ASSERT_TRUE(a.complete && a.end) << (a.error ? describe(*a.error) : "no end marker");
      EXPECT_LE(a.entries.size(), limit);
      paged.insert(paged.end(), a.entries.begin(), a.entries.end());
      if (!a.end->revision) break;
      EXPECT_EQ(a.entries.size(), limit) << "a page cut short by the limit holds `limit` entries";
      if (from) {
        EXPECT_GT(*a.end->revision, *from) << "the continuation point must advance";
      }
      from = a.end->revision;
    }
    EXPECT_EQ(texts(paged), texts(all)) << "pages joined = the whole history";
  }
  expectAnswer(*c, "/**", all, std::nullopt, std::nullopt, static_cast<std::uint32_t>(all.size()));
  ReplayAnswer cut = replay(*c, "/ra/x", std::nullopt, std::nullopt, 1);
  ASSERT_TRUE(cut.end);
  ASSERT_TRUE(cut.end->revision) << "more entries match: the ACK must carry the continuation";
  expectAnswer(*c, "/ra/x", {groupB[0]}, cut.end->revision);
}

// The server's page cap (10 000 entries): more matches than that without a
// limit (or with a larger one) come in pages joined by the continuation ACK.
TEST_F(ReplayOp, R4_5_PageCapOf10000Entries) {
  PERSIST_LAUNCH(relay, Flavour::Relay, "--journal", statePath("journal.db"));
  auto c = openOn(relay->endpoint(), "replayer");
  ASSERT_TRUE(c);
  constexpr int kEntries = 10'050;
  for (int i = 0; i < kEntries; ++i) ASSERT_TRUE(c->send(setOf("/cap/" + std::to_string(i % 500), Value(i)), QoS::Confirm));
  for (int i = 0; i < kEntries; ++i) ASSERT_TRUE(c->expect<Ack>()) << "ACK " << i;
  for (std::optional<std::uint32_t> limit : {std::optional<std::uint32_t>{}, std::optional<std::uint32_t>{20'000}}) {
    SCOPED_TRACE(limit ? "limit 20000" : "no limit");
    std::vector<std::int64_t> seen;
    std::optional<std::uint64_t> from;
    int pages = 0;
    for (; pages < 10; ++pages) {
      ReplayAnswer a = replay(*c, "/cap/**", from, std::nullopt, limit);
      ASSERT_TRUE(a.complete && a.end) << (a.error ? describe(*a.error) : "no end marker");
      EXPECT_LE(a.entries.size(), 10'000u) << "page cap";
      for (const Message& m : a.entries) {
        const auto* s = std::get_if<Set>(&m.variant());
        ASSERT_TRUE(s && s->value.asInt()) << entryText(m);
        seen.push_back(*s->value.asInt());
      }
      if (!a.end->revision) break;
      from = a.end->revision;
    }
    EXPECT_GE(pages, 1) << "10 050 entries cannot come in one page";
    ASSERT_EQ(seen.size(), static_cast<std::size_t>(kEntries));
    for (int i = 0; i < kEntries; ++i) ASSERT_EQ(seen[i], i) << "entry " << i << ": gap, duplicate or reorder";
  }
}

TEST_F(ReplayOp, R4_5_JournalMemoryAnswersReplay) {
  std::unique_ptr<Client> c;
  auto relay = relayWithHistory({"--journal-memory"}, c);
  ASSERT_TRUE(relay);
  expectAnswer(*c, "/ra/x", {groupA[0], groupB[0]});
  expectAnswer(*c, "/**", groupB, t1);
}

// An expiry is recorded and replayed as SET{address, null, revision + 1}.
TEST_F(ReplayOp, ExpiryIsReplayedAsSetNull) {
  PERSIST_LAUNCH(relay, Flavour::Relay, "--journal-memory", "--param-ttl", "0");
  auto w = openOn(relay->endpoint(), "writer");
  auto sub = openOn(relay->endpoint(), "subscriber");
  ASSERT_TRUE(w && sub);
  ASSERT_TRUE(subscribe(*sub, "/ex/**", 1));
  ASSERT_TRUE(setAcked(*w, ttlSet("/ex/x", Value(1), absoluteTtl(1))));
  ASSERT_TRUE(nextSetTo(*sub, "/ex/x", kExpectTimeout));  // the SET itself
  auto gone = nextSetTo(*sub, "/ex/x", kExpiryTimeout);
  ASSERT_TRUE(gone) << "no expiry notice";
  expectAnswer(*w, "/ex/x", {setEntry("/ex/x", Value(1), 1), setEntry("/ex/x", Value(), 2)});
}

// A deletion (empty retained MQTT message, D-28) is recorded and replayed as
// SET{address, null, revision + 1}, like the live deletion notice.
TEST_F(ReplayOp, DeletionIsReplayedAsSetNull) {
  PERSIST_LAUNCH(relay, Flavour::Relay, "--journal-memory", "--mqtt-port", "0");
  auto mqtt = relay->listeningOn("mqtt", kExpectTimeout);
  ASSERT_TRUE(mqtt) << "no 'listening on mqtt://' line\n" << relay->logTail();
  auto w = openOn(relay->endpoint(), "writer");
  auto sub = openOn(relay->endpoint(), "subscriber");
  ASSERT_TRUE(w && sub);
  ASSERT_TRUE(subscribe(*sub, "/mqtt/del/**", 1));
  ASSERT_TRUE(setAcked(*w, "/mqtt/del/x", Value(5)));
  ASSERT_TRUE(nextSetTo(*sub, "/mqtt/del/x", kExpectTimeout));
  ASSERT_EQ(mqttDelete(mqtt->port, "del/x"), "");
  auto notice = nextSetTo(*sub, "/mqtt/del/x", kExpectTimeout);
  ASSERT_TRUE(notice) << "no deletion notice";
  EXPECT_TRUE(notice->value.isNull());
  EXPECT_EQ(notice->revision, 2u);
  expectAnswer(*w, "/mqtt/del/x", {setEntry("/mqtt/del/x", Value(5), 1), setEntry("/mqtt/del/x", Value(), 2)});
}

TEST_F(ReplayOp, R4_5_NoJournalGets501) {
  PERSIST_LAUNCH(relay, Flavour::Relay);
  auto c = openOn(relay->endpoint(), "replayer");
  ASSERT_TRUE(c);
  ReplayAnswer a = replay(*c, "/**");
  ASSERT_TRUE(a.error) << "expected ERROR 501, got " << a.entries.size() << " entries and an end marker";
  EXPECT_EQ(a.error->code, 501);
  EXPECT_EQ(a.error->message, "Journal not configured on this router");
  EXPECT_EQ(a.error->address, "/**");
  EXPECT_TRUE(c->pingPong()) << "nothing after the ERROR (no end marker)";
}

TEST_F(ReplayOp, R4_5_InvalidPatternGets202) {
  PERSIST_LAUNCH(relay, Flavour::Relay, "--journal-memory");
  auto c = openOn(relay->endpoint(), "replayer");
  ASSERT_TRUE(c);
  for (const std::string pattern : {"ra/**", "", "//x", "/ra//x/**"}) {
    SCOPED_TRACE("pattern '" + pattern + "'");
    ReplayAnswer a = replay(*c, pattern);
    ASSERT_TRUE(a.error) << "expected ERROR 202";
    EXPECT_EQ(a.error->code, 202);
    EXPECT_EQ(a.error->address.value_or("<none>"), pattern);
    EXPECT_TRUE(c->pingPong()) << "nothing after the ERROR";
  }
}

// Authenticated relay (--token-file): REPLAY needs read scope on the whole
// pattern (as SUBSCRIBE, D-17), checked before the journal is consulted.
TEST_F(ReplayOp, R4_5_WithoutReadScopeGets301) {
  const std::string tokens = statePath("tokens.txt");
  {
    std::ofstream out(tokens);
    out << "admin-token\nreader-ra read:/ra/**\n";
  }
  for (bool journal : {true, false}) {
    SCOPED_TRACE(journal ? "with --journal-memory" : "without a journal");
    std::vector<std::string> flags{"--token-file", tokens};
    if (journal) flags.push_back("--journal-memory");
    auto relay = launch(Flavour::Relay, flags);
    ASSERT_TRUE(relay);
    Client admin("admin"), reader("reader");
    admin.setToken("admin-token");
    reader.setToken("reader-ra");
    ASSERT_TRUE(admin.connect(relay->endpoint()) && admin.hello());
    ASSERT_TRUE(reader.connect(relay->endpoint()) && reader.hello());
    ASSERT_TRUE(setAcked(admin, "/ra/x", Value(1)));
    ASSERT_TRUE(setAcked(admin, "/rb/x", Value(2)));
    for (const std::string pattern : {"/rb/**", "/**", "/rb/x"}) {
      ReplayAnswer a = replay(reader, pattern);
      ASSERT_TRUE(a.error) << pattern << ": expected ERROR 301, got " << a.entries.size() << " entries";
      EXPECT_EQ(a.error->code, 301) << pattern;
      EXPECT_EQ(a.error->message, "Insufficient scope for replay") << pattern;
      EXPECT_EQ(a.error->address, pattern);
    }
    if (journal) {
      expectAnswer(reader, "/ra/**", {setEntry("/ra/x", Value(1), 1)});
      expectAnswer(admin, "/**", {setEntry("/ra/x", Value(1), 1), setEntry("/rb/x", Value(2), 1)});
    }
  }
}

}  // namespace
}  // namespace clasp::conformance
