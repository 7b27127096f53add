// SIGHUP reload (D-24): the log level and the limits change at runtime from
// the edited config file; a broken file is refused and the running
// configuration stays; settings that need a restart say so.
#include <csignal>

#include "ops_fixture.hpp"

namespace clasp::conformance {
namespace {

class Reload : public OperationsTest {};

std::string configWith(int maxConnections, const char* level, const char* format = "text") {
  return "server:\n  limits:\n    max_connections: " + std::to_string(maxConnections) + "\n  logging:\n    level: " +
         level + "\n    format: " + format + "\n";
}

TEST_F(Reload, LogLevelAndLimitChangeAndABrokenFileIsRefused) {
  const auto file = writeFile("clasp.yaml", configWith(1, "info"));
  PERSIST_LAUNCH(p, Flavour::ClaspServer, "-c", file);
  const Endpoint& ep = p->endpoint();
  auto a = join(ep, "a");
  ASSERT_TRUE(a);
  ASSERT_TRUE(expectRefused(ep)) << "max_connections 1 before the reload";
  plainHttpProbe(ep);  // a debug line at info level: not logged

  writeFile("clasp.yaml", configWith(3, "debug", "json"));
  p->signal(SIGHUP);
  ASSERT_TRUE(p->waitForOutput("reload: applied", milliseconds(5000))) << p->logTail();
  EXPECT_TRUE(p->waitForOutput("\"message\":\"reload: applied", milliseconds(1000))) << "now in JSON\n" << p->logTail();
  EXPECT_TRUE(p->alive()) << "SIGHUP must not end the server";
  auto b = join(ep, "b");
  auto c = join(ep, "c");
  ASSERT_TRUE(b && c) << "max_connections 3 after the reload";
  EXPECT_TRUE(expectRefused(ep));
  plainHttpProbe(ep);
  ASSERT_TRUE(p->waitForOutput("http handshake failed", milliseconds(5000))) << "debug after the reload\n" << p->logTail();
  const std::string out = p->output();
  std::size_t probes = 0;
  for (auto at = out.find("http handshake failed"); at != std::string::npos; at = out.find("http handshake failed", at + 1)) ++probes;
  EXPECT_EQ(probes, 1u) << "the probe before the reload (level info) must not have been logged";
  a->close();
  a.reset();
  c->close();
  c.reset();

  // Broken: an unknown key. Refused with its line; the limit stays 3.
  writeFile("clasp.yaml", "server:\n  limits:\n    max_connections: 1\n    max_conections: 9\n");
  p->signal(SIGHUP);
  ASSERT_TRUE(p->waitForOutput("reload refused", milliseconds(5000))) << p->logTail();
  EXPECT_TRUE(p->waitForOutput("clasp.yaml:4:", milliseconds(1000))) << p->logTail();
  auto d = join(ep, "d");
  auto e = join(ep, "e");
  ASSERT_TRUE(d && e) << "the refused file's max_connections 1 must not apply";
  EXPECT_TRUE(expectRefused(ep));

  // Broken YAML and a bad value are refused too, and the server keeps serving.
  writeFile("clasp.yaml", "server:\n  limits: [\n");
  p->signal(SIGHUP);
  ASSERT_TRUE(p->waitForOutput("reload refused", milliseconds(5000), 2)) << p->logTail();
  writeFile("clasp.yaml", "server:\n  limits:\n    max_connections: lots\n");
  p->signal(SIGHUP);
  ASSERT_TRUE(p->waitForOutput("reload refused", milliseconds(5000), 3)) << p->logTail();
  EXPECT_TRUE(b->pingPong());
  b.reset();
  d.reset();
  e.reset();
  stopGracefully(p);
}

TEST_F(Reload, RestartOnlySettingsAreReportedAndKept) {
  const auto file = writeFile("clasp.yaml", "server:\n  threads: 1\n");
  PERSIST_LAUNCH(p, Flavour::ClaspServer, "-c", file);
  writeFile("clasp.yaml", "server:\n  threads: 2\n  limits:\n    max_subscriptions: 5\n");
  p->signal(SIGHUP);
  ASSERT_TRUE(p->waitForOutput("reload: applied", milliseconds(5000))) << p->logTail();
  EXPECT_TRUE(p->waitForOutput("threads changed", milliseconds(1000))) << p->logTail();
  // max_subscriptions 5 applies: the sixth subscription is refused.
  auto a = join(p->endpoint(), "a");
  ASSERT_TRUE(a);
  for (std::uint32_t id = 1; id <= 5; ++id) ASSERT_TRUE(subscribe(*a, "/ops/s" + std::to_string(id), id));
  Subscribe sixth;
  sixth.id = 6;
  sixth.pattern = "/ops/s6";
  ASSERT_TRUE(a->send(sixth));
  auto err = a->expect<ErrorMsg>();
  ASSERT_TRUE(err);
  EXPECT_GE(err->code, 400) << describe(*err);
  a.reset();
  stopGracefully(p);
}

// HELLO with `token`: the server's answer is WELCOME (true) or an ERROR (false).
bool admitted(const Endpoint& ep, const std::string& token) {
  Client c(token);
  if (!c.connect(ep)) return false;
  Hello h;
  h.features = 0xF8;
  h.name = "token-check";
  h.token = token;
  if (!c.sendRaw(frameOf(h))) return false;
  auto m = c.next(kExpectTimeout);
  return m && std::holds_alternative<Welcome>(*m);
}

TEST_F(Reload, RelayReloadsItsTokenFile) {
  const auto tokens = writeFile("tokens.txt", "first-token-123456 admin:/**\n");
  PERSIST_LAUNCH(p, Flavour::Relay, "--token-file", tokens);
  EXPECT_TRUE(admitted(p->endpoint(), "first-token-123456"));
  EXPECT_FALSE(admitted(p->endpoint(), "second-token-654321"));
  writeFile("tokens.txt", "second-token-654321 admin:/**\n");
  p->signal(SIGHUP);
  ASSERT_TRUE(p->waitForOutput("reload: applied", milliseconds(5000))) << p->logTail();
  EXPECT_TRUE(admitted(p->endpoint(), "second-token-654321")) << "the new token file is in force";
  EXPECT_FALSE(admitted(p->endpoint(), "first-token-123456")) << "a token removed from the file no longer admits";
  // A token file that cannot be read is refused; the tokens in force stay.
  writeFile("tokens.txt", "# every token removed\n");
  p->signal(SIGHUP);
  ASSERT_TRUE(p->waitForOutput("reload refused", milliseconds(5000))) << p->logTail();
  EXPECT_TRUE(admitted(p->endpoint(), "second-token-654321"));
  EXPECT_EQ(p->output().find("second-token-654321"), std::string::npos) << "no token in the logs";
  stopGracefully(p);
}

}  // namespace
}  // namespace clasp::conformance
