// The HTTP side: exposition format and content type, /healthz, /readyz,
// 404, 405, HEAD; which flags open a listener (relay.md §11,
// clasp-server.md "Metrics"); port in use; and clients that send garbage,
// oversized heads or nothing at all while a real scrape goes on.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <sstream>

#include "metrics_fixture.hpp"

namespace clasp::conformance {
namespace {

class Endpoints : public MetricsTest {};

TEST_F(Endpoints, MetricsIsPrometheusTextThatParses) {
  ASSERT_TRUE(startWithMetrics(Flavour::Relay, {"--metrics-port", "0"}));
  HttpReply r = httpRequest(base() + "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  Scrape s = scrape(httpPort_);
  ASSERT_TRUE(s.ok) << s.error << "\n" << s.text;
  const std::map<std::string, std::string> expected = {
      {"clasp_sessions_active", "gauge"},         {"clasp_subscriptions_active", "gauge"},
      {"clasp_state_params_active", "gauge"},     {"clasp_messages", "counter"},
      {"clasp_messages_sent", "counter"},         {"clasp_deliveries", "counter"},
      {"clasp_errors", "counter"},                {"clasp_messages_dropped", "counter"},
      {"clasp_slow_consumer_closes", "counter"},  {"clasp_outbound_queue_bytes", "gauge"},
      {"clasp_message_latency_seconds", "histogram"}, {"clasp_broadcast_fanout", "histogram"},
      {"clasp_build_info", "gauge"},              {"clasp_process_start_time_seconds", "gauge"}};
  for (const auto& [name, type] : expected) {
    ASSERT_TRUE(s.types.contains(name)) << name << " missing";
    EXPECT_EQ(s.types.at(name), type) << name;
  }
  // Counter families are named with _total (the parser strips it).
  std::istringstream lines(s.text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# TYPE ", 0) == 0 && line.ends_with(" counter")) {
      EXPECT_TRUE(line.substr(0, line.size() - 8).ends_with("_total")) << line;
    }
  }
  EXPECT_EQ(s.value("clasp_build_info", {{"version", "0.1.0"}}), 1);
  EXPECT_GT(s.value("clasp_process_start_time_seconds"), 1.6e9);
}

TEST_F(Endpoints, HealthReadinessUnknownPathsMethodsAndHead) {
  ASSERT_TRUE(startWithMetrics(Flavour::Relay, {"--metrics-port", "0"}));
  HttpReply health = httpRequest(base() + "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  HttpReply ready = httpRequest(base() + "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ready\n");
  EXPECT_EQ(httpRequest(base() + "/nope").status, 404);
  EXPECT_EQ(httpRequest(base() + "/").status, 404);
  HttpReply post = httpRequest(base() + "/metrics", "-X POST");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.headers["allow"], "GET, HEAD");
  EXPECT_EQ(httpRequest(base() + "/healthz", "-X DELETE").status, 405);
  HttpReply head = httpRequest(base() + "/metrics", "-I");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_GT(std::atoi(head.headers["content-length"].c_str()), 100) << "HEAD announces GET's length";
  EXPECT_EQ(httpRequest(base() + "/metrics?x=1").status, 200) << "a query string is ignored";
}

// After a HELLO the server loop runs, so startup (where the exporter would
// open its socket) is over: the listener count is final.
void expectOnlyWebSocketListener(MetricsTest& t, RelayProcess& p, Client* c) {
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(listeningSockets(p.pid()), 1) << "only the WebSocket listener";
  EXPECT_EQ(p.logTail().find("listening on http://"), std::string::npos) << p.logTail();
  (void)t;
}

TEST_F(Endpoints, RelayWithoutMetricsPortOpensNoHttpListener) {
  std::string error;
  server_ = RelayProcess::start(Flavour::Relay, {}, error);
  ASSERT_TRUE(server_) << error;
  auto c = helloClient("probe");
  expectOnlyWebSocketListener(*this, *server_, c.get());
}

TEST_F(Endpoints, ClaspServerWithoutMetricsOpensNoHttpListener) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{}, {"--metrics-port", "0"}}) {
    std::string error;
    server_ = RelayProcess::start(Flavour::ClaspServer, args, error);
    ASSERT_TRUE(server_) << error;
    auto c = helloClient("probe");
    expectOnlyWebSocketListener(*this, *server_, c.get());
  }
}

TEST_F(Endpoints, WithMetricsTheProcessListensTwice) {
  ASSERT_TRUE(startWithMetrics(Flavour::ClaspServer, {"--metrics", "--metrics-port", "0"}));
  auto c = helloClient("probe");
  ASSERT_TRUE(c);
  EXPECT_EQ(listeningSockets(server_->pid()), 2);
}

// A socket bound and listening on 127.0.0.1 with a kernel-chosen port.
struct Occupied {
  int fd = -1;
  std::uint16_t port = 0;
  Occupied() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 1) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      return;
    port = ntohs(a.sin_port);
  }
  ~Occupied() { ::close(fd); }
};

TEST_F(Endpoints, MetricsPortInUseExitsWithUsageError) {
  Occupied busy;
  ASSERT_NE(busy.port, 0);
  const std::string port = std::to_string(busy.port);
  for (auto [flavour, args] : {std::pair{Flavour::Relay, std::vector<std::string>{"--metrics-port", port}},
                               std::pair{Flavour::ClaspServer, std::vector<std::string>{"--metrics", "--metrics-port", port}}}) {
    std::string error;
    auto outcome = RelayProcess::runExpectingExit(flavour, args, milliseconds{10000}, error);
    ASSERT_TRUE(error.empty()) << error;
    ASSERT_TRUE(outcome.exited) << outcome.status;
    EXPECT_EQ(outcome.exitCode, 2) << outcome.commandLine << "\n" << outcome.err;
    // One error line (the log may hold earlier info lines of the other listeners).
    std::size_t errorLines = 0;
    std::istringstream err(outcome.err);
    for (std::string line; std::getline(err, line);) errorLines += line.find("in use") != std::string::npos;
    EXPECT_EQ(errorLines, 1u) << outcome.err;
    EXPECT_NE(outcome.err.find("in use"), std::string::npos) << outcome.err;
  }
}

// A raw TCP client for requests curl will not send.
struct RawHttp {
  int fd = -1;
  explicit RawHttp(std::uint16_t port) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      fd = -1;
    }
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawHttp() {
    if (fd >= 0) ::close(fd);
  }
  bool send(const std::string& s) { return ::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()); }
  // Everything until the server closes (or 5 s pass).
  std::string readAll() {
    std::string out;
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }
};

TEST_F(Endpoints, BadHttpClientsDoNotDisturbAScrape) {
  ASSERT_TRUE(startWithMetrics(Flavour::Relay, {"--metrics-port", "0"}));
  // Half-open: a request head that never ends, and connections that say nothing.
  RawHttp slow(httpPort_);
  ASSERT_GE(slow.fd, 0);
  ASSERT_TRUE(slow.send("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  std::vector<std::unique_ptr<RawHttp>> silent;
  for (int i = 0; i < 8; ++i) silent.push_back(std::make_unique<RawHttp>(httpPort_));
  // Garbage: answered 400 and closed.
  RawHttp garbage(httpPort_);
  ASSERT_TRUE(garbage.send("\x01\x02 NOT HTTP AT ALL\r\n\r\n"));
  std::string g = garbage.readAll();
  EXPECT_EQ(g.rfind("HTTP/1.1 400", 0), 0u) << g;
  // A head over the 8 KiB limit: refused and closed, not buffered.
  RawHttp big(httpPort_);
  ASSERT_TRUE(big.send("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n") ||
              true);  // the server may close while we still write
  std::string b = big.readAll();
  EXPECT_EQ(b.find("200 OK"), std::string::npos) << "oversized head must not be served";
  // A body on GET is refused as well (no endpoint takes one).
  RawHttp body(httpPort_);
  ASSERT_TRUE(body.send("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
  EXPECT_EQ(body.readAll().rfind("HTTP/1.1 400", 0), 0u);

  // Meanwhile real scrapes work, and CLASP traffic too.
  for (int i = 0; i < 5; ++i) {
    const auto started = SteadyClock::now();
    Scrape s = scrape(httpPort_);
    EXPECT_TRUE(s.ok) << s.error;
    EXPECT_LT(SteadyClock::now() - started, milliseconds{2000});
  }
  auto c = helloClient("alongside");
  EXPECT_TRUE(c && c->pingPong());
  // Keep-alive: two requests on one connection both answered.
  RawHttp keep(httpPort_);
  ASSERT_TRUE(keep.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  std::string both = keep.readAll();
  EXPECT_NE(both.find("ok\n"), std::string::npos) << both;
  EXPECT_NE(both.find("ready\n"), std::string::npos) << both;
  EXPECT_TRUE(server_->alive());
}

}  // namespace
}  // namespace clasp::conformance
