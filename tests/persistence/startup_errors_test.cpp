// Startup refusals (contract "Startup errors" and "Flags"): a state or
// journal file that is not a valid database of ours, or a path that cannot be
// created or written, stops the program before it listens (exit 1, one
// stderr line naming the file, never a silent empty state, the file left as
// it was); a bad --persist-interval / --journal-compact-age /
// --journal-max-entries value is a usage error (exit 2). Every refusal has a
// control start with a good value, so an unknown flag (also exit 2) cannot
// pass for a checked one.
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "persistence_fixture.hpp"

namespace clasp::conformance {
namespace {

constexpr milliseconds kExitTimeout{10000};

// One way of pointing a program at a file.
struct Target {
  const char* name;
  Flavour flavour;
  std::vector<std::string> (*args)(const std::string& path);
};
const Target kTargets[] = {
    {"clasp-relay --persist", Flavour::Relay, [](const std::string& p) { return std::vector<std::string>{"--persist", p}; }},
    {"clasp-relay --journal", Flavour::Relay, [](const std::string& p) { return std::vector<std::string>{"--journal", p}; }},
    {"clasp server --persist --persist-path", Flavour::ClaspServer,
     [](const std::string& p) { return std::vector<std::string>{"--persist", "--persist-path", p}; }},
};

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void writeAll(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

class StartupErrors : public PersistenceTest {
 protected:
  // The program must refuse to start: exit 1, stderr names `path`, no listening line.
  void expectRefusal(const Target& t, const std::string& path, Loc loc = Loc::current()) {
    SCOPED_TRACE(std::string(t.name) + " " + path);
    std::string error;
    auto o = RelayProcess::runExpectingExit(t.flavour, t.args(path), kExitTimeout, error);
    ASSERT_TRUE(error.empty()) << error;
    EXPECT_TRUE(o.exited) << "`" << o.commandLine << "` " << o.status << " (called from line " << loc.line() << ")";
    EXPECT_EQ(o.exitCode, std::optional<int>(1)) << o.status << "\nstderr: " << o.err;
    EXPECT_NE(o.err.find(path), std::string::npos) << "stderr must name the file; stderr was: " << o.err;
    EXPECT_EQ(o.out.find("listening on"), std::string::npos) << "it must not listen; stdout: " << o.out;
  }

  // A real database written by `t` (several pages), stopped gracefully.
  std::string realDatabase(const Target& t, const std::string& name) {
    const std::string path = statePath(name);
    auto server = launch(t.flavour, t.args(path));
    if (!server) return "";
    auto w = openOn(server->endpoint(), "writer");
    if (!w) return "";
    for (int i = 0; i < 300; ++i) {
      if (!setAcked(*w, "/db/" + std::to_string(i), Value(std::string(100, static_cast<char>('a' + i % 26))))) return "";
    }
    w.reset();
    stopGracefully(server);
    return path;
  }
};

TEST_F(StartupErrors, GarbageBytesAreRefused) {
  std::mt19937 rng(7);
  std::string garbage(4096, '\0');
  for (char& c : garbage) c = static_cast<char>(rng());
  for (const Target& t : kTargets) {
    const std::string path = statePath(std::string("garbage-") + std::to_string(&t - kTargets) + ".db");
    writeAll(path, garbage);
    expectRefusal(t, path);
    EXPECT_EQ(readAll(path), garbage) << "the file must be left as it was";
  }
}

TEST_F(StartupErrors, PlainTextFileIsRefused) {
  const std::string text = "This is a plain text file, not a database.\nSecond line.\n";
  for (const Target& t : kTargets) {
    const std::string path = statePath(std::string("text-") + std::to_string(&t - kTargets) + ".txt");
    writeAll(path, text);
    expectRefusal(t, path);
    EXPECT_EQ(readAll(path), text) << "the file must be left as it was";
  }
}

TEST_F(StartupErrors, TruncatedCopyOfARealDatabaseIsRefused) {
  for (const Target& t : kTargets) {
    SCOPED_TRACE(t.name);
    const std::string real = realDatabase(t, std::string("real-") + std::to_string(&t - kTargets) + ".db");
    ASSERT_FALSE(real.empty());
    const std::string bytes = readAll(real);
    ASSERT_GE(bytes.size(), 8192u) << "the real database should span several pages";
    const std::string path = statePath(std::string("truncated-") + std::to_string(&t - kTargets) + ".db");
    const std::string half = bytes.substr(0, bytes.size() / 2);
    writeAll(path, half);
    expectRefusal(t, path);
    EXPECT_EQ(readAll(path), half) << "the file must be left as it was";
  }
}

TEST_F(StartupErrors, DirectoryIsRefused) {
  for (const Target& t : kTargets) {
    const std::string path = statePath(std::string("dir-") + std::to_string(&t - kTargets));
    std::filesystem::create_directory(path);
    expectRefusal(t, path);
  }
}

// Tests may run as root, for whom permissions do not stop a write, so the
// unwritable paths are ones nobody can create: a missing parent folder, a
// parent that is a regular file, and a file in procfs.
TEST_F(StartupErrors, UncreatablePathsAreRefused) {
  const std::string regular = statePath("regular-file");
  writeAll(regular, "x");
  for (const Target& t : kTargets) {
    expectRefusal(t, statePath("no/such/folder/state.db"));
    expectRefusal(t, regular + "/state.db");
    expectRefusal(t, "/proc/self/clasp-persistence-test.db");  // procfs: no new files, not even for root
  }
  EXPECT_FALSE(std::filesystem::exists(statePath("no"))) << "missing folders must not be created";
}

class FlagValues : public PersistenceTest {
 protected:
  void expectUsageError(Flavour f, const std::vector<std::string>& args, Loc loc = Loc::current()) {
    std::string error;
    auto o = RelayProcess::runExpectingExit(f, args, kExitTimeout, error);
    ASSERT_TRUE(error.empty()) << error;
    EXPECT_EQ(o.exitCode, std::optional<int>(2))
        << "`" << o.commandLine << "` " << o.status << " (called from line " << loc.line() << ")\nstderr: " << o.err;
    EXPECT_EQ(o.out.find("listening on"), std::string::npos);
  }
  void expectStarts(Flavour f, const std::vector<std::string>& args, Loc loc = Loc::current()) {
    auto p = launch(f, args, loc);
    if (p) stopGracefully(p, loc);
  }
};

TEST_F(FlagValues, BadJournalCompactAgeIsUsageError) {
  for (const char* good : {"90", "90s", "15m", "24h", "7d", "0"}) {
    SCOPED_TRACE(std::string("good value ") + good);
    expectStarts(Flavour::Relay, {"--journal-memory", "--journal-compact-age", good});
  }
  for (const char* bad : {"-1", "-90s", "abc", "10x", "h", "1.5.2h", "24 h"}) {
    SCOPED_TRACE(std::string("bad value '") + bad + "'");
    expectUsageError(Flavour::Relay, {"--journal-memory", "--journal-compact-age", bad});
  }
}

TEST_F(FlagValues, BadPersistIntervalIsUsageError) {
  const std::string path = statePath("state.db");
  for (const char* good : {"0", "1", "30"}) {
    SCOPED_TRACE(std::string("good value ") + good);
    expectStarts(Flavour::Relay, {"--persist", path, "--persist-interval", good});
    expectStarts(Flavour::ClaspServer, {"--persist", "--persist-path", path, "--persist-interval", good});
  }
  for (const char* bad : {"-1", "-30", "abc", "ten"}) {
    SCOPED_TRACE(std::string("bad value '") + bad + "'");
    expectUsageError(Flavour::Relay, {"--persist", path, "--persist-interval", bad});
    expectUsageError(Flavour::ClaspServer, {"--persist", "--persist-path", path, "--persist-interval", bad});
  }
}

TEST_F(FlagValues, BadJournalMaxEntriesIsUsageError) {
  expectStarts(Flavour::Relay, {"--journal-memory", "--journal-max-entries", "5"});
  for (const char* bad : {"-1", "abc"}) {
    SCOPED_TRACE(std::string("bad value '") + bad + "'");
    expectUsageError(Flavour::Relay, {"--journal-memory", "--journal-max-entries", bad});
  }
}

}  // namespace
}  // namespace clasp::conformance
