// The logging flags against the real binaries: --log-format json lines
// (including a client's hostile session name and OSC address), level
// filtering and --verbose, --log-file beside the stdout startup line, the
// logrotate move + SIGHUP, startup refusals (exit 1 for a log file that
// cannot be opened, exit 2 for bad values), and no token ever logged.
// Waits are polls with a deadline or a stopped process, never sleeps.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "harness.hpp"
#include "json_check.hpp"

namespace clasp::conformance {
namespace {

using logtest::jsonLines;
using logtest::readAll;
namespace fs = std::filesystem;

constexpr milliseconds kStopTimeout{5000};

std::unique_ptr<RelayProcess> startServer(Flavour flavour, const std::vector<std::string>& args) {
  std::string error;
  auto p = RelayProcess::start(flavour, args, error);
  EXPECT_TRUE(p) << error;
  return p;
}

// Stops the server (SIGTERM) and expects exit code 0: everything it logged is on disk.
void stopServer(RelayProcess& p) {
  std::string status;
  EXPECT_EQ(p.stop(kStopTimeout, &status), std::optional<int>(0)) << status;
}

// Re-checks `done` whenever something in `dir` (the log files' folder) is
// written, created or moved, until it holds or 5 s pass.
bool eventually(const fs::path& dir, const std::function<bool()>& done) {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd >= 0) ::inotify_add_watch(fd, dir.c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE);
  const auto deadline = SteadyClock::now() + milliseconds(5000);
  bool ok = true;
  while (!done()) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now()).count();
    if (left <= 0) {
      ok = false;
      break;
    }
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 100)));
    char drain[4096];
    while (fd >= 0 && ::read(fd, drain, sizeof drain) > 0) {
    }
  }
  if (fd >= 0) ::close(fd);
  return ok;
}

bool contains(const fs::path& file, std::string_view text) { return readAll(file).find(text) != std::string::npos; }

// A client that says HELLO under `name` and closes.
void helloAs(const Endpoint& ep, const std::string& name, const std::string& token = "") {
  Client c(name);
  ASSERT_TRUE(c.connect(ep));
  c.setToken(token);
  c.hello();
  c.close();
}

// A HELLO the server is expected to refuse (bad name, wrong or no token):
// sent, then everything read until the server ends the connection or 3 s pass.
void refusedHello(const Endpoint& ep, const std::string& name, const std::string& token = "") {
  Client c(name);
  ASSERT_TRUE(c.connect(ep));
  Hello h;
  h.features = feature::kParam;
  h.name = name;
  if (!token.empty()) h.token = token;
  c.send(Message(h));
  c.drainUntilClosed(kExpectTimeout);
}

// One OSC message with no arguments, sent from a fresh UDP socket.
void sendOsc(const Endpoint& ep, const std::string& address) {
  std::string packet = address;
  packet.push_back('\0');
  while (packet.size() % 4 != 0) packet.push_back('\0');
  packet += std::string(",\0\0\0", 4);
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(ep.port);
  ::inet_pton(AF_INET, ep.host.c_str(), &to.sin_addr);
  EXPECT_EQ(::sendto(fd, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
            static_cast<ssize_t>(packet.size()));
  ::close(fd);
}

// MQTT 3.1.1 CONNECT with user name and password (the token, D-18); waits
// up to 3 s for the answer (CONNACK), then drops the connection.
void mqttConnect(const Endpoint& ep, const std::string& clientId, const std::string& password) {
  auto str = [](const std::string& v) {
    std::string out{static_cast<char>(v.size() >> 8), static_cast<char>(v.size() & 0xff)};
    return out + v;
  };
  std::string body = str("MQTT") + std::string("\x04\xc2\x00\x3c", 4) + str(clientId) + str("user") + str(password);
  ASSERT_LT(body.size(), 128u);
  const std::string packet = std::string{'\x10', static_cast<char>(body.size())} + body;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  timeval tv{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(ep.port);
  ::inet_pton(AF_INET, ep.host.c_str(), &to.sin_addr);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
  EXPECT_EQ(::send(fd, packet.data(), packet.size(), MSG_NOSIGNAL), static_cast<ssize_t>(packet.size()));
  char buf[64];
  EXPECT_GT(::recv(fd, buf, sizeof buf, 0), 0) << "no CONNACK";
  ::close(fd);
}

std::size_t countLines(const std::string& text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Valid UTF-8 with quotes, a backslash, control bytes and a terminal escape.
const std::string kHostileName = "evil\"name\\\x01\x1b[31m\n\x7f end";

TEST(LoggingProcess, JsonLinesWithHostileClientText) {
  auto p = startServer(Flavour::Relay, {"--log-format", "json", "--log-level", "trace", "--log-file", "relay.log",
                                        "--osc-port", "0"});
  ASSERT_TRUE(p);
  auto osc = p->listeningOn("osc.udp", milliseconds(5000));
  ASSERT_TRUE(osc);
  helloAs(p->endpoint(), kHostileName);
  refusedHello(p->endpoint(), "not utf-8 \xff\xfe\xc3(");
  sendOsc(*osc, "/clasp/\"quoted\\\x01\x02\n");
  sendOsc(*osc, "/clasp/\xff\xfe");
  const fs::path log = p->dir() / "relay.log";
  EXPECT_TRUE(eventually(log.parent_path(), [&] { return contains(log, "unknown control message"); })) << readAll(log);
  stopServer(*p);
  EXPECT_TRUE(jsonLines(log));
  const std::string text = readAll(log);
  EXPECT_NE(text.find(R"("name":"evil\"name\\\u0001\u001b[31m\n)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("event":"listening","protocol":"ws")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("event":"signal","signal":"SIGTERM")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("message":"stopped")"), std::string::npos) << text;
}

TEST(LoggingProcess, ClaspServerJsonOnStderr) {
  auto p = startServer(Flavour::ClaspServer, {"--log-format", "json"});
  ASSERT_TRUE(p);
  stopServer(*p);
  EXPECT_TRUE(jsonLines(p->dir() / "stderr.log"));
  const std::string out = readAll(p->dir() / "stdout.log");
  EXPECT_EQ(out.rfind("listening on ws://", 0), 0u) << out;
  EXPECT_EQ(countLines(out, "\n"), 1u) << "stdout carries only the startup line:\n" << out;
}

// Level filtering: the session-open line is debug.
struct LevelCase {
  const char* name;
  std::vector<std::string> flags;
  bool debugLines;
};

TEST(LoggingProcess, LevelsFilter) {
  const LevelCase cases[] = {
      {"default (info)", {}, false},
      {"--log-level info", {"--log-level", "info"}, false},
      {"--log-level trace", {"--log-level", "trace"}, true},
      {"--verbose", {"--verbose"}, true},
      {"--verbose --log-level info (explicit wins)", {"--verbose", "--log-level", "info"}, false},
      {"--log-level warn", {"--log-level", "warn"}, false},
  };
  for (const LevelCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> flags = c.flags;
    flags.insert(flags.end(), {"--log-format", "json"});
    auto p = startServer(Flavour::Relay, flags);
    ASSERT_TRUE(p);
    helloAs(p->endpoint(), "levels");
    stopServer(*p);
    const std::string err = readAll(p->dir() / "stderr.log");
    EXPECT_EQ(err.find(R"("level":"debug")") != std::string::npos, c.debugLines) << err;
    EXPECT_EQ(err.find(R"("message":"session opened")") != std::string::npos, c.debugLines) << err;
    const bool warn = c.flags.size() == 2 && c.flags[1] == "warn";
    EXPECT_EQ(err.find(R"("level":"info")") != std::string::npos, !warn) << err;
  }
}

TEST(LoggingProcess, LogFileTakesTheLinesStdoutKeepsTheStartupLine) {
  auto p = startServer(Flavour::Relay, {"--log-file", "relay.log"});
  ASSERT_TRUE(p);  // start() saw "listening on ws://" on stdout
  stopServer(*p);
  const fs::path log = p->dir() / "relay.log";
  EXPECT_NE(readAll(log).find(" info clasp-relay '"), std::string::npos) << readAll(log);
  EXPECT_NE(readAll(log).find(" info stopped event=stopped"), std::string::npos) << readAll(log);
  EXPECT_EQ(readAll(p->dir() / "stderr.log"), "");
  EXPECT_EQ(countLines(readAll(p->dir() / "stdout.log"), "\n"), 1u) << readAll(p->dir() / "stdout.log");
  struct stat st{};
  ASSERT_EQ(::stat(log.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777 & ~0640u, 0u) << std::oct << (st.st_mode & 0777);

  // Appends: a second run adds to the same file.
  std::string error;
  auto again = RelayProcess::start(Flavour::Relay, {"--log-file", log.string()}, error);
  ASSERT_TRUE(again) << error;
  stopServer(*again);
  EXPECT_EQ(countLines(readAll(log), " info stopped"), 2u) << readAll(log);
}

TEST(LoggingProcess, MoveThenSighupReopens) {
  auto p = startServer(Flavour::Relay, {"--log-file", "relay.log", "--log-level", "debug"});
  ASSERT_TRUE(p);
  const fs::path log = p->dir() / "relay.log", moved = p->dir() / "relay.log.1";
  fs::rename(log, moved);
  ASSERT_EQ(::kill(p->pid(), SIGHUP), 0);
  ASSERT_TRUE(eventually(log.parent_path(), [&] { return contains(log, "log file reopened"); }));
  helloAs(p->endpoint(), "after-rotation");
  EXPECT_TRUE(eventually(log.parent_path(), [&] { return contains(log, "session opened"); })) << readAll(log);

  // The next rotation fails (a directory in the way): the error goes to the current file.
  const fs::path moved2 = p->dir() / "relay.log.2";
  fs::rename(log, moved2);
  fs::create_directory(log);
  ASSERT_EQ(::kill(p->pid(), SIGHUP), 0);
  EXPECT_TRUE(eventually(moved2.parent_path(), [&] { return contains(moved2, "still writing to the old file"); })) << readAll(moved2);
  stopServer(*p);

  const std::string first = readAll(moved), second = readAll(moved2);
  EXPECT_NE(first.find("serving WebSocket"), std::string::npos) << first;
  EXPECT_NE(first.find("SIGHUP received"), std::string::npos) << first;
  EXPECT_EQ(first.find("log file reopened"), std::string::npos) << first;
  EXPECT_EQ(first.find("session opened"), std::string::npos) << first;
  EXPECT_EQ(second.find("serving WebSocket"), std::string::npos) << second;
  EXPECT_NE(second.find("log file reopened"), std::string::npos) << second;
  EXPECT_NE(second.find("session opened"), std::string::npos) << second;
  EXPECT_NE(second.find(" info stopped"), std::string::npos) << "logging went on in the old file:\n" << second;
}

TEST(LoggingProcess, StartupRefusals) {
  const fs::path dir = fs::temp_directory_path() / ("clasp-logging-refusals-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string missing = (dir / "missing" / "relay.log").string();
  struct Case {
    const char* name;
    Flavour flavour;
    std::vector<std::string> args;
    int exitCode;
    std::string inStderr;
  };
  const Case cases[] = {
      {"relay: log file in a missing folder", Flavour::Relay, {"--log-file", missing}, 1, missing},
      {"relay: log file is a folder", Flavour::Relay, {"--log-file", dir.string()}, 1, dir.string()},
      {"server: log file in a missing folder", Flavour::ClaspServer, {"--log-file", missing}, 1, missing},
      {"relay: bad level", Flavour::Relay, {"--log-level", "loud"}, 2, "--log-level"},
      {"relay: bad format", Flavour::Relay, {"--log-format", "xml"}, 2, "--log-format"},
      {"relay: empty log file", Flavour::Relay, {"--log-file", ""}, 2, "--log-file"},
      {"server: bad level", Flavour::ClaspServer, {"--log-level", "verbose"}, 2, "--log-level"},
      {"server: bad format", Flavour::ClaspServer, {"--log-format", "yaml"}, 2, "--log-format"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string error;
    auto o = RelayProcess::runExpectingExit(c.flavour, c.args, milliseconds(10000), error);
    ASSERT_EQ(error, "");
    EXPECT_EQ(o.exitCode, std::optional<int>(c.exitCode)) << o.status << "\n" << o.err;
    EXPECT_NE(o.err.find(c.inStderr), std::string::npos) << o.err;
    EXPECT_EQ(countLines(o.err, "\n"), 1u) << o.err;
    EXPECT_EQ(o.out.find("listening on"), std::string::npos) << o.out;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// No token reaches a log at the most verbose level, in any stream: neither
// an accepted nor a refused one, over WebSocket or MQTT (password).
TEST(LoggingProcess, TokensAreNeverLogged) {
  const fs::path dir = fs::temp_directory_path() / ("clasp-logging-tokens-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string good = "tok-7f3a9c-good-secret", wrong = "tok-0b1d2e-wrong-secret";
  const fs::path tokens = dir / "tokens.txt";
  std::ofstream(tokens) << good << " read:/**,write:/**\n";
  for (const bool toFile : {false, true}) {
    SCOPED_TRACE(toFile ? "--log-file" : "console");
    std::vector<std::string> args{"--token-file", tokens.string(), "--log-level", "trace", "--mqtt-port", "0"};
    if (toFile) args.insert(args.end(), {"--log-file", "relay.log", "--log-format", "json"});
    auto p = startServer(Flavour::Relay, args);
    ASSERT_TRUE(p);
    helloAs(p->endpoint(), "good", good);
    refusedHello(p->endpoint(), "wrong", wrong);
    refusedHello(p->endpoint(), "none");
    auto mqtt = p->listeningOn("mqtt", milliseconds(5000));
    ASSERT_TRUE(mqtt);
    mqttConnect(*mqtt, "mqtt-good", good);
    mqttConnect(*mqtt, "mqtt-wrong", wrong);
    stopServer(*p);
    for (const char* f : {"stdout.log", "stderr.log", "relay.log"}) {
      const std::string text = readAll(p->dir() / f);
      EXPECT_EQ(text.find(good), std::string::npos) << f << ":\n" << text;
      EXPECT_EQ(text.find(wrong), std::string::npos) << f << ":\n" << text;
    }
    // The run did log at trace level (a server that logged nothing would pass too).
    const fs::path log = p->dir() / (toFile ? "relay.log" : "stderr.log");
    EXPECT_TRUE(contains(log, "session opened")) << readAll(log);
    EXPECT_TRUE(contains(log, "CONNECT refused: token not accepted")) << readAll(log);
    EXPECT_TRUE(contains(log, "mqtt mqtt-good: connected")) << readAll(log);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace clasp::conformance
