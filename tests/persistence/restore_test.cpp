// Restore after a restart (contract "Restore"; relay.md §6 with its [Rec]s,
// D-11, D-23): --persist on both programs after a graceful stop, the periodic
// write of --persist-interval surviving kill -9, --persist-interval 0 writing
// only at shutdown, the journal restoring the LAST value per address after
// kill -9 (the reference restores the first), and journal + persist together
// where the higher revision wins per address.
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "persistence_fixture.hpp"

namespace clasp::conformance {
namespace {

std::string randomMarker() {
  std::random_device rd;
  return "persist-marker-" + std::to_string(rd()) + "-" + std::to_string(rd());
}

std::string fileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// True once `marker` is stored in the state file or in a SQLite side file
// (WAL or rollback journal) next to it. The marker, not mtime/size, is the
// condition: a periodic write that started before the SET changes the file
// too but need not contain the value.
bool fileHolds(const std::string& path, const std::string& marker) {
  for (const char* suffix : {"", "-wal", "-journal"}) {
    if (fileBytes(path + suffix).find(marker) != std::string::npos) return true;
  }
  return false;
}

class Restore : public PersistenceTest {
 protected:
  // One client per writer so that `writer` differs between params.
  struct Written {
    std::string address;
    std::vector<Value> values;  // written in this order; the last one must come back
    int writer = 0;             // index into the writers
  };

  // Every value kind of protocol.md §4, some addresses with several
  // revisions and a kind change (int -> float with an integral value, which
  // must stay a float).
  static std::vector<Written> everyValueKind() {
    Map nested{{"list", Array{Value(Map{{"k", Value(Bytes{1, 2})}}), Value(Array{Value(1.0), Value(-2)})}},
               {"m", Value(Map{{"deep", Value(Map{{"x", Value(0.0)}, {"s", Value("t")}})}})},
               {"n", Value()}};
    return {
        {"/v/null", {Value(1), Value()}, 0},
        {"/v/bool", {Value(true), Value(false)}, 1},
        {"/v/int", {Value(42)}, 0},
        {"/v/negint", {Value(std::int64_t{-9'000'000'000})}, 1},
        {"/v/int64min", {Value(std::numeric_limits<std::int64_t>::min())}, 0},
        {"/v/float", {Value(1), Value(2.0)}, 0},
        {"/v/negfloat", {Value(-0.125)}, 1},
        {"/v/string", {Value("héllo wörld ✓")}, 0},
        {"/v/emptystring", {Value("")}, 1},
        {"/v/bytes", {Value(Bytes{0x00, 0x01, 0x7f, 0x80, 0xff})}, 0},
        {"/v/array", {Value(Array{Value(1), Value("two"), Value(3.5), Value(), Value(true)})}, 1},
        {"/v/map", {Value(Map{{"a", Value(1)}, {"b", Value("x")}, {"c", Value(1.5)}})}, 0},
        {"/v/nested", {Value("first"), Value(Array{}), Value(nested)}, 1},
        {"/v/multi", {Value("a"), Value("b"), Value("c"), Value("d")}, 0},
    };
  }

  // Writes `data` through the given writers; returns the state as a late
  // joiner sees it (value, revision, writer, timestamp), checked against
  // what was written.
  std::optional<ParamMap> writeAll(const Endpoint& ep, const std::vector<Written>& data,
                                   std::vector<std::unique_ptr<Client>>& writers) {
    for (const Written& w : data) {
      for (std::size_t i = 0; i < w.values.size(); ++i) {
        auto ack = setAcked(*writers[w.writer], w.address, w.values[i]);
        if (!ack || ack->revision != i + 1) {
          ADD_FAILURE() << "SET " << w.address << " #" << i + 1 << " not acknowledged with revision " << i + 1;
          return std::nullopt;
        }
      }
    }
    auto before = greetingParams(ep);
    if (!before) return std::nullopt;
    for (const Written& w : data) {
      const auto it = before->find(w.address);
      if (it == before->end()) {
        ADD_FAILURE() << "precondition: " << w.address << " missing from the snapshot before the restart";
        return std::nullopt;
      }
      EXPECT_EQ(it->second.value, w.values.back()) << w.address;
      EXPECT_EQ(it->second.writer, writers[w.writer]->session()) << w.address;
    }
    return before;
  }

  // Every param of `expected` must come back identical (value of the exact
  // kind, revision, writer, timestamp), in the WELCOME snapshot and by GET.
  void expectRestored(const Endpoint& ep, const ParamMap& expected) {
    auto after = greetingParams(ep);
    ASSERT_TRUE(after);
    for (const auto& [address, want] : expected) {
      SCOPED_TRACE(address);
      auto it = after->find(address);
      ASSERT_NE(it, after->end()) << "missing from the SNAPSHOT after WELCOME";
      EXPECT_EQ(it->second.value, want.value) << "value (exact kind)";
      EXPECT_EQ(it->second.revision, want.revision);
      EXPECT_EQ(it->second.writer, want.writer);
      EXPECT_EQ(it->second.timestamp, want.timestamp);
    }
    EXPECT_EQ(after->size(), expected.size()) << "no params other than the written ones";
    auto c = openOn(ep, "getter");
    ASSERT_TRUE(c);
    for (const auto& [address, want] : expected) {
      auto got = getParam(*c, address);
      ASSERT_TRUE(got);
      EXPECT_EQ(*got, want) << "GET " << address;
    }
  }

  // Restart test of one program: `args` are its persistence flags.
  void restartKeepsEveryValueKind(Flavour flavour, const std::vector<std::string>& args) {
    const auto data = everyValueKind();
    ParamMap expected;
    {
      PERSIST_LAUNCH(server, flavour, args);
      std::vector<std::unique_ptr<Client>> writers;
      for (const char* name : {"writer-a", "writer-b"}) {
        writers.push_back(openOn(server->endpoint(), name));
        ASSERT_TRUE(writers.back());
      }
      auto before = writeAll(server->endpoint(), data, writers);
      ASSERT_TRUE(before);
      expected = *before;
      writers.clear();
      stopGracefully(server);
    }
    PERSIST_LAUNCH(server, flavour, args);
    expectRestored(server->endpoint(), expected);
    // D-11: revisions continue after the restart.
    auto c = openOn(server->endpoint(), "after-restart");
    ASSERT_TRUE(c);
    auto ack = setAcked(*c, "/v/multi", Value("e"));
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->revision, expected.at("/v/multi").revision + 1);
    ack = setAcked(*c, "/v/null", Value(0.5));
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->revision, expected.at("/v/null").revision + 1);
  }

  // A SET, then a bounded wait until the periodic write has stored it, then
  // kill -9 and a restart with the same flags: the value must be there.
  void periodicWriteSurvivesKill(Flavour flavour, const std::vector<std::string>& args,
                                 const std::string& path) {
    const std::string marker = randomMarker();
    std::string session;
    std::uint64_t revision = 0;
    {
      PERSIST_LAUNCH(server, flavour, args);
      auto w = openOn(server->endpoint(), "writer");
      ASSERT_TRUE(w);
      auto ack = setAcked(*w, "/pi/x", Value(marker));
      ASSERT_TRUE(ack && ack->revision);
      revision = *ack->revision;
      session = w->session();
      const auto deadline = SteadyClock::now() + std::chrono::seconds(10);
      while (!fileHolds(path, marker) && SteadyClock::now() < deadline) {
        // Bounded poll of the file; meanwhile the client must stay quiet.
        ASSERT_TRUE(w->expectNothing(milliseconds(100)));
      }
      ASSERT_TRUE(fileHolds(path, marker))
          << "the value did not reach " << path << " within 10 s with --persist-interval 1";
      crash(server);
    }
    PERSIST_LAUNCH(server, flavour, args);
    auto r = openOn(server->endpoint(), "reader");
    ASSERT_TRUE(r);
    auto p = getParam(*r, "/pi/x");
    ASSERT_TRUE(p) << "the periodically written value is gone after kill -9";
    EXPECT_EQ(p->value, Value(marker));
    EXPECT_EQ(p->revision, revision);
    EXPECT_EQ(p->writer, session);
  }
};

TEST_F(Restore, RelayPersistGracefulRestartKeepsValuesRevisionsWritersTimestamps) {
  restartKeepsEveryValueKind(Flavour::Relay, {"--persist", statePath("state.db")});
}

TEST_F(Restore, ServerPersistGracefulRestartKeepsValuesRevisionsWritersTimestamps) {
  restartKeepsEveryValueKind(Flavour::ClaspServer,
                             {"--persist", "--persist-path", statePath("server-state.db")});
}

TEST_F(Restore, RelayJournalGracefulRestartKeepsValuesRevisionsWritersTimestamps) {
  restartKeepsEveryValueKind(Flavour::Relay, {"--journal", statePath("journal.db")});
}

// --persist-interval 1 (relay) / --persist-interval 1 (clasp server): the
// periodic write survives kill -9.
TEST_F(Restore, RelayPersistIntervalWriteSurvivesKill9) {
  const std::string path = statePath("state.db");
  periodicWriteSurvivesKill(Flavour::Relay, {"--persist", path, "--persist-interval", "1"}, path);
}

TEST_F(Restore, ServerPersistIntervalWriteSurvivesKill9) {
  const std::string path = statePath("server-state.db");
  periodicWriteSurvivesKill(Flavour::ClaspServer,
                            {"--persist", "--persist-path", path, "--persist-interval", "1"}, path);
}

// --persist-interval 0: written only at graceful shutdown, so after kill -9
// the state is the one of the last graceful stop.
TEST_F(Restore, PersistIntervalZeroWritesOnlyAtShutdown) {
  const std::vector<std::string> args{"--persist", statePath("state.db"), "--persist-interval", "0"};
  {
    PERSIST_LAUNCH(relay, Flavour::Relay, args);
    auto w = openOn(relay->endpoint(), "writer");
    ASSERT_TRUE(w && setAcked(*w, "/z/x", Value(1)));
    w.reset();
    stopGracefully(relay);
  }
  {
    PERSIST_LAUNCH(relay, Flavour::Relay, args);
    auto w = openOn(relay->endpoint(), "writer");
    ASSERT_TRUE(w);
    auto ack = setAcked(*w, "/z/x", Value(2));
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->revision, 2u) << "revision continues after the graceful restart";
    ASSERT_TRUE(setAcked(*w, "/z/new", Value(3)));
    crash(relay);
  }
  PERSIST_LAUNCH(relay, Flavour::Relay, args);
  auto r = openOn(relay->endpoint(), "reader");
  ASSERT_TRUE(r);
  auto p = getParam(*r, "/z/x");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->value, Value(1)) << "state as of the last (shutdown) write";
  EXPECT_EQ(p->revision, 1u);
  EXPECT_TRUE(expectGone(*r, "/z/new")) << "written after the last snapshot write, lost by kill -9";
}

// The state file holds all state: created with mode 0600 (contract "Flags").
TEST_F(Restore, PersistFileIsCreatedWithMode0600) {
  const std::string relayPath = statePath("state.db"), serverPath = statePath("server-state.db");
  for (auto [flavour, args] : {std::pair{Flavour::Relay, std::vector<std::string>{"--persist", relayPath}},
                               std::pair{Flavour::ClaspServer,
                                         std::vector<std::string>{"--persist", "--persist-path", serverPath}}}) {
    PERSIST_LAUNCH(server, flavour, args);
    auto w = openOn(server->endpoint(), "writer");
    ASSERT_TRUE(w && setAcked(*w, "/mode/x", Value(1)));
    w.reset();
    stopGracefully(server);
  }
  for (const std::string& path : {relayPath, serverPath}) {
    std::error_code ec;
    auto perms = std::filesystem::status(path, ec).permissions();
    ASSERT_FALSE(ec) << path << ": " << ec.message();
    EXPECT_EQ(perms & std::filesystem::perms::all, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
        << path << " mode " << std::oct << static_cast<unsigned>(perms & std::filesystem::perms::all);
  }
}

// Journal, last value wins (relay.md §5.6 [Rec]; the reference restores the
// FIRST journalled value with revision 1): several SETs per address, kill -9.
TEST_F(Restore, JournalRestoresLastValuePerAddressAfterKill9) {
  const std::vector<std::string> args{"--journal", statePath("journal.db")};
  ParamMap expected;
  {
    PERSIST_LAUNCH(relay, Flavour::Relay, args);
    auto w = openOn(relay->endpoint(), "writer");
    ASSERT_TRUE(w);
    for (const Value& v : {Value(1), Value(2.5), Value("three"), Value(Array{Value(4)})})
      ASSERT_TRUE(setAcked(*w, "/lv/x", v));
    ASSERT_TRUE(setAcked(*w, "/lv/y", Value(1)));
    ASSERT_TRUE(setAcked(*w, "/lv/y", Value(Bytes{2})));
    auto before = greetingParams(relay->endpoint());
    ASSERT_TRUE(before);
    expected = *before;
    crash(relay);
  }
  PERSIST_LAUNCH(relay, Flavour::Relay, args);
  auto r = openOn(relay->endpoint(), "reader");
  ASSERT_TRUE(r);
  auto x = getParam(*r, "/lv/x");
  ASSERT_TRUE(x);
  EXPECT_EQ(x->value, Value(Array{Value(4)})) << "the LAST journalled value, not the first";
  EXPECT_EQ(x->revision, 4u);
  EXPECT_EQ(*x, expected.at("/lv/x")) << "value, revision, writer and timestamp";
  auto y = getParam(*r, "/lv/y");
  ASSERT_TRUE(y);
  EXPECT_EQ(*y, expected.at("/lv/y"));
  auto ack = setAcked(*r, "/lv/x", Value(5));
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->revision, 5u) << "D-11: revisions continue after the restart";
}

// Journal and persist together: per address the higher revision wins,
// whichever file holds it.
//   run 1 (persist + journal, graceful): a=1 r1, b=1 r1 in both files
//   run 2 (persist only, graceful):      b=2 r2 in the persist file only
//   run 3 (both):                        b r2 from persist; a=2 r2 journalled; kill -9
//   run 4 (both):                        a r2 (journal), b r2 (persist)
TEST_F(Restore, JournalAndPersistTogetherHigherRevisionWins) {
  const std::string persist = statePath("state.db");
  const std::string journal = statePath("journal.db");
  const std::vector<std::string> both{"--persist", persist, "--journal", journal, "--persist-interval", "0"};
  {
    PERSIST_LAUNCH(relay, Flavour::Relay, both);
    auto w = openOn(relay->endpoint(), "writer");
    ASSERT_TRUE(w && setAcked(*w, "/hr/a", Value(1)) && setAcked(*w, "/hr/b", Value(1)));
    w.reset();
    stopGracefully(relay);
  }
  {
    PERSIST_LAUNCH(relay, Flavour::Relay, "--persist", persist);
    auto w = openOn(relay->endpoint(), "writer");
    ASSERT_TRUE(w);
    auto ack = setAcked(*w, "/hr/b", Value(2));
    ASSERT_TRUE(ack);
    ASSERT_EQ(ack->revision, 2u);
    w.reset();
    stopGracefully(relay);
  }
  {
    PERSIST_LAUNCH(relay, Flavour::Relay, both);
    auto w = openOn(relay->endpoint(), "writer");
    ASSERT_TRUE(w);
    auto b = getParam(*w, "/hr/b");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->value, Value(2)) << "the persist file's revision 2 beats the journal's revision 1";
    EXPECT_EQ(b->revision, 2u);
    auto ack = setAcked(*w, "/hr/a", Value(2));
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->revision, 2u);
    crash(relay);
  }
  PERSIST_LAUNCH(relay, Flavour::Relay, both);
  auto r = openOn(relay->endpoint(), "reader");
  ASSERT_TRUE(r);
  auto a = getParam(*r, "/hr/a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->value, Value(2)) << "the journal's revision 2 beats the persist file's revision 1";
  EXPECT_EQ(a->revision, 2u);
  auto b = getParam(*r, "/hr/b");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->value, Value(2));
  EXPECT_EQ(b->revision, 2u);
}

}  // namespace
}  // namespace clasp::conformance
