// The configuration file reader: the documented layout (clasp-server.md)
// read into dotted keys with their lines, ${VAR} and ${VAR:-default}, and
// every bad input named by file, line and key: unknown or repeated keys, an
// unset variable, YAML syntax errors, a section where a value belongs.
#include <gtest/gtest.h>

#include "cli/config_file.hpp"

namespace clasp::cli {
namespace {

const std::set<std::string> kKeys{"server.port",         "server.bind",         "server.security.token_secret",
                                  "server.logging.level", "server.persistence.path",
                                  "server.security.pairing.default_permissions.read"};

EnvLookup fakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ConfigFile, DocumentedLayoutBecomesDottedKeysWithLines) {
  auto m = parseConfig(
      "# clasp.yaml\n"
      "server:\n"
      "  port: 7330\n"
      "  bind: \"0.0.0.0\"\n"
      "  security:\n"
      "    token_secret: ${TOKEN_SECRET}\n"
      "    pairing:\n"
      "      default_permissions:\n"
      "        read: [\"/**\", /public/**]\n",
      "clasp.yaml", fakeEnv({{"TOKEN_SECRET", "s3cret"}}), kKeys);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->at("server.port").values, std::vector<std::string>{"7330"});
  EXPECT_EQ(m->at("server.port").line, 3);
  EXPECT_EQ(m->at("server.bind").values[0], "0.0.0.0");
  EXPECT_EQ(m->at("server.security.token_secret").values[0], "s3cret");
  EXPECT_EQ(m->at("server.security.token_secret").line, 6);
  const auto& read = m->at("server.security.pairing.default_permissions.read");
  EXPECT_TRUE(read.list);
  EXPECT_EQ(read.values, (std::vector<std::string>{"/**", "/public/**"}));
}

TEST(ConfigFile, InterpolationDefaultsAndEscapes) {
  auto env = fakeEnv({{"HOST", "db1"}, {"EMPTY", ""}});
  EXPECT_EQ(*interpolate("${HOST}:${PORT:-5432}", env), "db1:5432");
  EXPECT_EQ(*interpolate("${EMPTY:-x}", env), "") << "set but empty is set";
  EXPECT_EQ(*interpolate("cost $5 $${NOT}", env), "cost $5 ${NOT}");
  auto unset = interpolate("${TOKEN_SECRET}", env);
  ASSERT_FALSE(unset);
  EXPECT_NE(unset.error().message.find("TOKEN_SECRET is not set"), std::string::npos);
  EXPECT_FALSE(interpolate("${BROKEN", env));
  EXPECT_FALSE(interpolate("${1BAD}", env));
  EXPECT_FALSE(interpolate("${}", env));
}

TEST(ConfigFile, UnsetVariableNamesFileLineAndKey) {
  auto m = parseConfig("server:\n  port: 7330\n  security:\n    token_secret: ${TOKEN_SECRET}\n", "c.yaml",
                       fakeEnv({}), kKeys);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("c.yaml:4: server.security.token_secret: environment variable TOKEN_SECRET"),
            std::string::npos)
      << m.error().message;
}

TEST(ConfigFile, BadInputIsNamedByLine) {
  const struct {
    const char* yaml;
    const char* expected;
  } cases[] = {
      {"server:\n  prot: 7330\n", "c.yaml:2: unknown key 'server.prot'"},
      {"server:\n  port: 1\n  port: 2\n", "c.yaml:3: server.port is given twice (also on line 2)"},
      {"server:\n  port: [1\n", "c.yaml:"},
      {"server:\n  port:\n    nested: 1\n", "unknown key 'server.port.nested'"},
      {"server:\n  port:\n", "c.yaml:2: server.port: a value is expected"},
      {"- a\n- b\n", "c.yaml:1: expected a mapping of keys"},
      {"server:\n  bind: [[1]]\n", "server.bind: a list of plain values is expected"},
      {"server:\n  loging:\n", "c.yaml:2: unknown key 'server.loging'"},
  };
  for (const auto& c : cases) {
    auto m = parseConfig(c.yaml, "c.yaml", fakeEnv({}), kKeys);
    ASSERT_FALSE(m) << c.yaml;
    EXPECT_NE(m.error().message.find(c.expected), std::string::npos) << c.yaml << " -> " << m.error().message;
  }
}

TEST(ConfigFile, EmptyDocumentAndEmptySectionsAreFine) {
  auto m = parseConfig("", "c.yaml", fakeEnv({}), kKeys);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->empty());
  m = parseConfig("server:\n  logging:\n", "c.yaml", fakeEnv({}), kKeys);
  ASSERT_TRUE(m) << m.error().message;
}

TEST(ConfigFile, MissingFileIsAnError) {
  auto m = loadConfig("/nonexistent/clasp.yaml", fakeEnv({}), kKeys);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("/nonexistent/clasp.yaml"), std::string::npos);
}

}  // namespace
}  // namespace clasp::cli
