// The files themselves: a file of a newer schema version or of another
// program is refused at start (exit 1, the file named); a journal written by
// the reference relay (relay.md §5.2's table, no version table) is migrated
// and its values restored from value_json; retention (--journal-max-entries)
// removes history but never the newest entry of an address, so the state
// still comes back after a crash; locks are not restored; SIGINT writes the
// final snapshot like SIGTERM.
#include <signal.h>
#include <sqlite3.h>

#include "persistence_fixture.hpp"

namespace clasp::conformance {
namespace {

constexpr milliseconds kExitTimeout{10000};

// Runs SQL on a database file with SQLite itself (not the code under test).
bool runSql(const std::string& path, const std::string& sql, std::string* error = nullptr) {
  sqlite3* db = nullptr;
  bool ok = sqlite3_open(path.c_str(), &db) == SQLITE_OK;
  char* msg = nullptr;
  ok = ok && sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) == SQLITE_OK;
  if (!ok && error) *error = msg ? msg : sqlite3_errmsg(db);
  sqlite3_free(msg);
  sqlite3_close(db);
  return ok;
}

class Files : public PersistenceTest {
 protected:
  void expectRefused(const std::vector<std::string>& args, const std::string& path, const std::string& why) {
    std::string error;
    auto o = RelayProcess::runExpectingExit(Flavour::Relay, args, kExitTimeout, error);
    ASSERT_TRUE(error.empty()) << error;
    EXPECT_EQ(o.exitCode, std::optional<int>(1)) << o.status << "\nstderr: " << o.err;
    EXPECT_NE(o.err.find(path), std::string::npos) << o.err;
    EXPECT_NE(o.err.find(why), std::string::npos) << o.err;
    EXPECT_EQ(o.out.find("listening on"), std::string::npos) << o.out;
  }
};

TEST_F(Files, NewerSchemaVersionIsRefused) {
  for (const char* flag : {"--persist", "--journal"}) {
    const std::string path = statePath(std::string(flag + 2) + ".db");
    std::string error;
    ASSERT_TRUE(runSql(path, "CREATE TABLE clasp_schema (version INTEGER NOT NULL); INSERT INTO clasp_schema VALUES (99);",
                       &error))
        << error;
    SCOPED_TRACE(flag);
    expectRefused({flag, path}, path, "newer version");
  }
}

TEST_F(Files, DatabaseOfAnotherProgramIsRefused) {
  for (const char* flag : {"--persist", "--journal"}) {
    const std::string path = statePath(std::string("other-") + (flag + 2) + ".db");
    std::string error;
    ASSERT_TRUE(runSql(path, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);", &error)) << error;
    SCOPED_TRACE(flag);
    expectRefused({flag, path}, path, "not a CLASP");
  }
}

// relay.md §5.2's layout without the hmac column (the oldest one), two SETs
// of one address and a PUBLISH: the last SET comes back, JSON-typed.
TEST_F(Files, ReferenceJournalIsMigratedAndRestored) {
  const std::string path = statePath("reference.db");
  std::string error;
  ASSERT_TRUE(runSql(path, R"sql(
    CREATE TABLE journal_entries (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, timestamp INTEGER NOT NULL, author TEXT NOT NULL,
      address TEXT NOT NULL, signal_type TEXT NOT NULL, value_json TEXT NOT NULL,
      revision INTEGER, msg_type INTEGER NOT NULL);
    CREATE INDEX idx_entries_address ON journal_entries(address);
    INSERT INTO journal_entries (timestamp, author, address, signal_type, value_json, revision, msg_type)
      VALUES (1716900000000001, 'w-1', '/ref/a', 'param', '0.5', 1, 33),
             (1716900000000002, 'w-1', '/ref/a', 'param', '{"k":[1,"two"]}', 2, 33),
             (1716900000000003, 'w-2', '/ref/e', 'event', 'null', NULL, 32);
  )sql",
                     &error))
      << error;
  // Its writes are from 2024: without --param-ttl 0 they would have expired,
  // and without --journal-compact-age 0 retention would drop the old history.
  PERSIST_LAUNCH(relay, Flavour::Relay, "--journal", path, "--param-ttl", "0", "--journal-compact-age", "0");
  auto c = openOn(relay->endpoint(), "reader");
  ASSERT_TRUE(c);
  auto a = getParam(*c, "/ref/a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->value, Value(Map{MapEntry{"k", Value(Array{Value(1), Value("two")})}}));
  EXPECT_EQ(a->revision, 2u);
  EXPECT_EQ(a->writer, "w-1");
  EXPECT_EQ(a->timestamp, 1716900000000002u);
  EXPECT_TRUE(expectGone(*c, "/ref/e")) << "a PUBLISH is history, not state";
  auto ack = setAcked(*c, "/ref/a", Value(3));
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->revision, 3u);
  // The old history is still there for REPLAY, after the new entry's predecessors.
  auto answer = replay(*c, "/ref/**");
  ASSERT_TRUE(answer.complete);
  EXPECT_EQ(answer.entries.size(), 4u);
}

// Retention runs its first step at startup, before any REPLAY is answered,
// so a restart with a limit shows its effect without waiting.
TEST_F(Files, RetentionKeepsTheNewestEntryOfEveryAddress) {
  const std::string journal = statePath("journal.db");
  {
    PERSIST_LAUNCH(relay, Flavour::Relay, "--journal", journal);
    auto w = openOn(relay->endpoint(), "writer");
    ASSERT_TRUE(w);
    for (int round = 1; round <= 30; ++round)
      for (int a = 0; a < 5; ++a) ASSERT_TRUE(setAcked(*w, "/keep/" + std::to_string(a), Value(round)));
    auto all = replay(*w, "/keep/**");
    ASSERT_TRUE(all.complete);
    EXPECT_EQ(all.entries.size(), 150u);
    crash(relay);
  }
  PERSIST_LAUNCH(relay, Flavour::Relay, "--journal", journal, "--journal-max-entries", "20");
  auto r = openOn(relay->endpoint(), "reader");
  ASSERT_TRUE(r);
  auto left = replay(*r, "/keep/**");
  ASSERT_TRUE(left.complete);
  EXPECT_EQ(left.entries.size(), 20u) << "history beyond --journal-max-entries is removed, oldest first";
  for (int a = 0; a < 5; ++a) {
    auto p = getParam(*r, "/keep/" + std::to_string(a));
    ASSERT_TRUE(p) << a;
    EXPECT_EQ(p->value, Value(30));
    EXPECT_EQ(p->revision, 30u);
  }
}

// Entries from 2024 (written with SQLite) are older than any age limit: only
// the newest SET of each address may stay, and PUBLISH history goes.
TEST_F(Files, RetentionByAgeKeepsOnlyTheState) {
  const std::string path = statePath("aged.db");
  {
    PERSIST_LAUNCH(relay, Flavour::Relay, "--journal", path);  // creates our layout
    crash(relay);
  }
  std::string error;
  ASSERT_TRUE(runSql(path, R"sql(
    INSERT INTO journal_entries (timestamp, author, address, signal_type, value_json, revision, msg_type)
      VALUES (1716900000000001, 'w', '/age/x', 'param', '1', 1, 33),
             (1716900000000002, 'w', '/age/x', 'param', '2', 2, 33),
             (1716900000000003, 'w', '/age/e', 'event', 'null', NULL, 32),
             (1716900000000004, 'w', '/age/x', 'param', '3', 3, 33);
    INSERT INTO journal_latest (address, seq) SELECT address, MAX(seq) FROM journal_entries WHERE msg_type = 33 GROUP BY address;
  )sql",
                     &error))
      << error;
  PERSIST_LAUNCH(relay, Flavour::Relay, "--journal", path, "--journal-compact-age", "1h", "--param-ttl", "0");
  auto r = openOn(relay->endpoint(), "reader");
  ASSERT_TRUE(r);
  auto answer = replay(*r, "/age/**");
  ASSERT_TRUE(answer.complete);
  ASSERT_EQ(answer.entries.size(), 1u) << "history older than 1 h goes, the newest SET stays";
  const Set* last = std::get_if<Set>(&answer.entries[0].variant());
  ASSERT_TRUE(last);
  EXPECT_EQ(last->value, Value(3));
  EXPECT_EQ(last->revision, 3u);
}

TEST_F(Files, LocksAreNotRestored) {
  const std::vector<std::string> args{"--journal", statePath("journal.db")};
  {
    PERSIST_LAUNCH(relay, Flavour::Relay, args);
    auto holder = openOn(relay->endpoint(), "holder");
    ASSERT_TRUE(holder);
    ASSERT_TRUE(setAcked(*holder, Set{"/lock/x", Value(1), std::nullopt, true, false, std::nullopt}));
    crash(relay);
  }
  PERSIST_LAUNCH(relay, Flavour::Relay, args);
  auto other = openOn(relay->endpoint(), "other");
  ASSERT_TRUE(other);
  auto ack = setAcked(*other, "/lock/x", Value(2));
  ASSERT_TRUE(ack) << "the lock of a session that no longer exists must not survive";
  EXPECT_EQ(ack->revision, 2u);
}

TEST_F(Files, SigintWritesTheFinalSnapshot) {
  const std::vector<std::string> args{"--persist", statePath("state.db"), "--persist-interval", "0"};
  {
    PERSIST_LAUNCH(relay, Flavour::Relay, args);
    auto w = openOn(relay->endpoint(), "writer");
    ASSERT_TRUE(w);
    ASSERT_TRUE(setAcked(*w, "/int/x", Value("kept")));
    ASSERT_EQ(::kill(relay->pid(), SIGINT), 0);
    std::string status;
    EXPECT_EQ(relay->stop(kStopTimeout, &status), std::optional<int>(0)) << status;
  }
  PERSIST_LAUNCH(relay, Flavour::Relay, args);
  auto r = openOn(relay->endpoint(), "reader");
  ASSERT_TRUE(r);
  auto p = getParam(*r, "/int/x");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->value, Value("kept"));
}

}  // namespace
}  // namespace clasp::conformance
