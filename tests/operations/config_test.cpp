// `clasp server -c`, CLASP_* environment variables and their precedence
// (D-24: flag > environment > file > default), and how a bad setting is
// reported: exit 2, naming the file, line and key, or the variable.
#include "ops_fixture.hpp"

namespace clasp::conformance {
namespace {

class Config : public OperationsTest {};

TEST_F(Config, FileSetsLimitsAndTheCommandLineWins) {
  // server.port would be 1; the harness's --port 0 wins (flag > file).
  const auto file = writeFile("clasp.yaml", R"(# clasp.yaml
server:
  port: 1
  bind: "127.0.0.1"
  limits:
    max_connections: 1
  logging:
    level: info
)");
  PERSIST_LAUNCH(p, Flavour::ClaspServer, "-c", file);
  auto a = join(p->endpoint(), "a");
  ASSERT_TRUE(a);
  EXPECT_TRUE(expectRefused(p->endpoint()));
}

TEST_F(Config, EnvironmentBeatsTheFile) {
  const auto file = writeFile("clasp.yaml", "server:\n  limits:\n    max_connections: 1\n");
  ScopedEnv env("CLASP_MAX_CONNECTIONS", "2");
  PERSIST_LAUNCH(p, Flavour::ClaspServer, "--config", file);
  auto a = join(p->endpoint(), "a");
  auto b = join(p->endpoint(), "b");
  ASSERT_TRUE(a && b) << "the environment's 2 should win over the file's 1";
  EXPECT_TRUE(expectRefused(p->endpoint()));
}

TEST_F(Config, FlagBeatsTheEnvironment) {
  ScopedEnv env("CLASP_MAX_CONNECTIONS", "5");
  PERSIST_LAUNCH(p, Flavour::ClaspServer, "--max-connections", "1");
  auto a = join(p->endpoint(), "a");
  ASSERT_TRUE(a);
  EXPECT_TRUE(expectRefused(p->endpoint()));
}

TEST_F(Config, DocumentedVariablesAndSwitches) {
  // CLASP_BIND is documented; a switch takes true/false; CLASP_LOG_LEVEL too.
  ScopedEnv bind("CLASP_BIND", "127.0.0.1");
  ScopedEnv persist("CLASP_PERSIST", "true");
  ScopedEnv path("CLASP_PERSIST_PATH", statePath("env-state.db"));
  ScopedEnv level("CLASP_LOG_LEVEL", "debug");
  PERSIST_LAUNCH(p, Flavour::ClaspServer);
  plainHttpProbe(p->endpoint());
  EXPECT_TRUE(p->waitForOutput("http handshake failed", milliseconds(5000))) << "CLASP_LOG_LEVEL=debug logs debug lines\n"
                                                                       << p->logTail();
  auto a = join(p->endpoint(), "a");
  ASSERT_TRUE(a);
  ASSERT_TRUE(setAcked(*a, "/ops/env", Value{std::int64_t{7}}));
  a.reset();
  stopGracefully(p);
  EXPECT_TRUE(std::filesystem::exists(statePath("env-state.db"))) << "CLASP_PERSIST=true with CLASP_PERSIST_PATH";
}

TEST_F(Config, RelayReadsItsFlagsFromTheEnvironment) {
  ScopedEnv env("CLASP_MAX_SESSIONS", "1");
  PERSIST_LAUNCH(p, Flavour::Relay);
  auto a = join(p->endpoint(), "a");
  ASSERT_TRUE(a);
  EXPECT_TRUE(expectRefused(p->endpoint()));
}

TEST_F(Config, VariablesInTheFileAreInterpolated) {
  ScopedEnv env("OPS_TEST_MAX", "1");
  const auto file = writeFile("clasp.yaml",
                              "server:\n  limits:\n    max_connections: ${OPS_TEST_MAX}\n"
                              "    max_subscriptions: ${OPS_TEST_UNSET_VARIABLE:-10}\n");
  PERSIST_LAUNCH(p, Flavour::ClaspServer, "-c", file);
  auto a = join(p->endpoint(), "a");
  ASSERT_TRUE(a);
  EXPECT_TRUE(expectRefused(p->endpoint()));
}

TEST_F(Config, BadConfigurationsNameWhatAndWhere) {
  struct Case {
    const char* what;
    std::string yaml;
    std::vector<std::string> mustSay;
  };
  const std::vector<Case> cases = {
      {"unset variable", "server:\n  security:\n    token_file: ${OPS_TEST_UNSET_VARIABLE}\n",
       {"clasp.yaml:3:", "OPS_TEST_UNSET_VARIABLE"}},
      {"misspelt key", "server:\n  port: 7330\n  limits:\n    max_conections: 5\n",
       {"clasp.yaml:4:", "server.limits.max_conections"}},
      {"bad value", "server:\n  limits:\n    max_connections: lots\n",
       {"clasp.yaml:3:", "server.limits.max_connections", "lots"}},
      {"value out of range", "server:\n  limits:\n    max_message_size: 10\n",
       {"clasp.yaml:3:", "server.limits.max_message_size"}},
      {"switch that is not true/false", "server:\n  persistence:\n    enabled: maybe\n",
       {"clasp.yaml:3:", "server.persistence.enabled", "maybe"}},
      {"feature this build lacks", "server:\n  tls:\n    enabled: true\n",
       {"clasp.yaml:3:", "server.tls.enabled", "not supported"}},
      {"list where a value belongs", "server:\n  port: [1, 2]\n", {"clasp.yaml:2:", "server.port"}},
      {"YAML syntax", "server:\n  port: 7330\n   bind: x\n", {"clasp.yaml:3"}},
      {"key given twice", "server:\n  port: 1\n  port: 2\n", {"clasp.yaml:3:", "server.port"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const auto file = writeFile("clasp.yaml", c.yaml);
    const std::string err = expectUsageError(Flavour::ClaspServer, {"-c", file});
    for (const std::string& s : c.mustSay) EXPECT_NE(err.find(s), std::string::npos) << "stderr: " << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << "one line: " << err;
  }
}

TEST_F(Config, MissingFileIsNamed) {
  const std::string err = expectUsageError(Flavour::ClaspServer, {"-c", statePath("absent.yaml")});
  EXPECT_NE(err.find("absent.yaml"), std::string::npos) << err;
}

TEST_F(Config, BadEnvironmentValuesNameTheVariable) {
  {
    ScopedEnv env("CLASP_MAX_CONNECTIONS", "many");
    const std::string err = expectUsageError(Flavour::ClaspServer, {});
    EXPECT_NE(err.find("CLASP_MAX_CONNECTIONS"), std::string::npos) << err;
  }
  {
    ScopedEnv env("CLASP_TLS_CERT", "/etc/cert.pem");
    const std::string err = expectUsageError(Flavour::ClaspServer, {});
    EXPECT_NE(err.find("CLASP_TLS_CERT"), std::string::npos) << err;
    EXPECT_NE(err.find("not supported"), std::string::npos) << err;
  }
  {
    ScopedEnv env("CLASP_SESSION_TIMEOUT", "-5");
    const std::string err = expectUsageError(Flavour::Relay, {});
    EXPECT_NE(err.find("CLASP_SESSION_TIMEOUT"), std::string::npos) << err;
  }
}

}  // namespace
}  // namespace clasp::conformance
