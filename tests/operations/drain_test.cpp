// SIGTERM/SIGINT drain (D-25): stop accepting, ERROR 501 "shutting down" to
// every client, wait up to --drain-timeout for them to leave, close the rest
// (1001), flush state, exit 0. A second signal stops at once.
#include <csignal>

#include "ops_fixture.hpp"

namespace clasp::conformance {
namespace {

class Drain : public OperationsTest {};

// Long enough that an exit within the wait below can only be the drain
// ending because the clients left, not the timeout.
constexpr const char* kLongDrain = "120";
constexpr milliseconds kExitWait{15000};

TEST_F(Drain, ClientsAreToldAndTheServerExitsWhenTheyLeave) {
  for (Flavour flavour : {Flavour::Relay, Flavour::ClaspServer}) {
    SCOPED_TRACE(flavour == Flavour::Relay ? "clasp-relay" : "clasp server");
    PERSIST_LAUNCH(p, flavour, "--drain-timeout", kLongDrain);
    auto a = join(p->endpoint(), "a");
    auto b = join(p->endpoint(), "b");
    ASSERT_TRUE(a && b);
    p->signal(flavour == Flavour::Relay ? SIGTERM : SIGINT);
    for (Client* c : {a.get(), b.get()}) {
      auto e = c->expectError(501);
      ASSERT_TRUE(e);
      EXPECT_EQ(e->message, "shutting down");
    }
    // The listener closed before the notices went out.
    EXPECT_FALSE(tcpAccepts(p->endpoint())) << "no new connection during the drain";
    EXPECT_TRUE(a->pingPong()) << "a draining session is still served";
    a->close();
    EXPECT_TRUE(p->alive()) << "one client is still connected";
    b->close();
    std::string status;
    EXPECT_EQ(p->waitForExit(kExitWait, &status), 0) << status << "\n" << p->logTail();
  }
}

// The HTTP status of `url` as curl reports it ("000" when nothing answered).
std::string httpStatus(const std::string& url) {
  const std::string cmd = "curl -s -o /dev/null -w '%{http_code}' --max-time 5 " + url;
  FILE* f = ::popen(cmd.c_str(), "r");
  if (f == nullptr) return "popen failed";
  char buf[16] = {};
  std::string out = std::fgets(buf, sizeof buf, f) != nullptr ? buf : "";
  ::pclose(f);
  return out;
}

TEST_F(Drain, ReadinessTurnsFalseWhileLivenessStays) {
  PERSIST_LAUNCH(p, Flavour::Relay, "--metrics-port", "0", "--health-port", "0", "--drain-timeout", kLongDrain);
  std::vector<std::string> bases;
  for (const char* scheme : {"http", "health"}) {
    auto ep = p->listeningOn(scheme, milliseconds(5000));
    ASSERT_TRUE(ep) << scheme;
    bases.push_back("http://" + ep->host + ":" + std::to_string(ep->port));
  }
  for (const std::string& base : bases) EXPECT_EQ(httpStatus(base + "/readyz"), "200") << base;
  EXPECT_EQ(httpStatus(bases[1] + "/metrics"), "404") << "the health port serves health only";
  auto a = join(p->endpoint(), "a");
  ASSERT_TRUE(a);
  p->signal(SIGTERM);
  ASSERT_TRUE(a->expectError(501));
  for (const std::string& base : bases) {
    EXPECT_EQ(httpStatus(base + "/readyz"), "503") << base << ": a load balancer must stop sending clients";
    EXPECT_EQ(httpStatus(base + "/healthz"), "200") << base << ": the process is alive and draining";
  }
  a->close();
  std::string status;
  EXPECT_EQ(p->waitForExit(kExitWait, &status), 0) << status;
}

TEST_F(Drain, TimeoutClosesWhoeverStaysWith1001) {
  PERSIST_LAUNCH(p, Flavour::Relay, "--drain-timeout", "1");
  auto a = join(p->endpoint(), "a");
  ASSERT_TRUE(a);
  p->signal(SIGTERM);
  ASSERT_TRUE(a->expectError(501));
  EXPECT_TRUE(a->expectClose(1001, milliseconds(10000)));
  std::string status;
  EXPECT_EQ(p->waitForExit(kExitWait, &status), 0) << status;
}

TEST_F(Drain, ZeroTimeoutClosesAtOnce) {
  PERSIST_LAUNCH(p, Flavour::ClaspServer, "--drain-timeout", "0");
  auto a = join(p->endpoint(), "a");
  ASSERT_TRUE(a);
  p->signal(SIGTERM);
  auto d = a->drainUntilClosed(milliseconds(10000));
  EXPECT_EQ(d.closeCode, std::optional<std::uint16_t>(1001));
  std::string status;
  EXPECT_EQ(p->waitForExit(kExitWait, &status), 0) << status;
}

TEST_F(Drain, ASecondSignalStopsAtOnce) {
  PERSIST_LAUNCH(p, Flavour::Relay, "--drain-timeout", kLongDrain);
  auto a = join(p->endpoint(), "a");
  ASSERT_TRUE(a);
  p->signal(SIGTERM);
  ASSERT_TRUE(a->expectError(501));
  p->signal(SIGTERM);
  std::string status;
  EXPECT_EQ(p->waitForExit(kExitWait, &status), 0) << status;
}

TEST_F(Drain, StateIsFlushedAfterTheDrain) {
  const std::string db = statePath("state.db");
  PERSIST_LAUNCH(p, Flavour::ClaspServer, "--persist", "--persist-path", db, "--persist-interval", "0",
                 "--drain-timeout", kLongDrain);
  auto a = join(p->endpoint(), "a");
  ASSERT_TRUE(a);
  p->signal(SIGTERM);
  ASSERT_TRUE(a->expectError(501));
  // Written during the drain: still accepted, and in the final snapshot.
  ASSERT_TRUE(setAcked(*a, "/ops/drain", Value{std::int64_t{42}}));
  a->close();
  std::string status;
  ASSERT_EQ(p->waitForExit(kExitWait, &status), 0) << status;
  PERSIST_LAUNCH(q, Flavour::ClaspServer, "--persist", "--persist-path", db);
  auto params = greetingParams(q->endpoint());
  ASSERT_TRUE(params);
  ASSERT_TRUE(params->contains("/ops/drain"));
  EXPECT_EQ(params->at("/ops/drain").value, Value{std::int64_t{42}});
  stopGracefully(q);
}

TEST_F(Drain, MqttClientsGetServerShuttingDown) {
  PERSIST_LAUNCH(p, Flavour::Relay, "--mqtt-port", "0", "--drain-timeout", kLongDrain, "--verbose");
  auto mqtt = p->listeningOn("mqtt", milliseconds(5000));
  ASSERT_TRUE(mqtt);
  // mosquitto_sub (MQTT 5) prints the DISCONNECT reason and exits.
  const std::string cmd = "timeout 20 mosquitto_sub -V 5 -h 127.0.0.1 -p " + std::to_string(mqtt->port) +
                          " -t ops/# -i ops-drain 2>&1";
  FILE* sub = ::popen(cmd.c_str(), "r");
  ASSERT_NE(sub, nullptr);
  ASSERT_TRUE(p->waitForOutput("ops-drain", milliseconds(5000))) << "the subscriber connected\n" << p->logTail();
  p->signal(SIGTERM);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, sub) != nullptr) out += buf;
  const int rc = ::pclose(sub);
  EXPECT_NE(WEXITSTATUS(rc), 124) << "mosquitto_sub was not disconnected: " << out;
  std::string status;
  EXPECT_EQ(p->waitForExit(kExitWait, &status), 0) << status << "\n" << p->logTail();
}

}  // namespace
}  // namespace clasp::conformance
