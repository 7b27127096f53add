// Precedence of a setting's sources (D-24): flag > environment > config file
// > default, the CLASP_ variable naming rule, switches from text, and errors
// that name where a bad value came from.
#include <gtest/gtest.h>

#include "cli/config_sources.hpp"

namespace clasp::cli {
namespace {

const std::vector<OptionSource> kOptions{
    {"--port", false, "server.port"},
    {"--bind", false, "server.bind"},
    {"--persist", true, "server.persistence.enabled"},
    {"--max-connections", false, "server.limits.max_connections"},
    {"--threads", false, ""},
};

EnvLookup env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

ConfigMap file() {
  return ConfigMap{{"server.port", {{"7000"}, false, 2}},
                   {"server.bind", {{"10.0.0.1"}, false, 3}},
                   {"server.persistence.enabled", {{"true"}, false, 5}},
                   {"server.limits.max_connections", {{"50"}, false, 7}}};
}

TEST(ConfigSources, EnvVarNames) {
  EXPECT_EQ(envVarFor("--port"), "CLASP_PORT");
  EXPECT_EQ(envVarFor("--tls-cert"), "CLASP_TLS_CERT");
  EXPECT_EQ(envVarFor("--max-connections"), "CLASP_MAX_CONNECTIONS");
}

TEST(ConfigSources, FlagBeatsEnvironmentBeatsFileBeatsDefault) {
  const ConfigMap f = file();
  auto m = mergeSources({"--port=9000"}, kOptions, &f, "c.yaml",
                        env({{"CLASP_PORT", "8000"}, {"CLASP_BIND", "127.0.0.1"}}));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->args, (std::vector<std::string>{"--port=9000", "--bind", "127.0.0.1", "--persist", "--max-connections",
                                               "50"}));
  EXPECT_EQ(m->origin.at("--bind"), "CLASP_BIND");
  EXPECT_EQ(m->origin.at("--max-connections"), "c.yaml:7: server.limits.max_connections");
  EXPECT_FALSE(m->origin.contains("--port")) << "given on the command line";
  EXPECT_FALSE(m->origin.contains("--threads")) << "nowhere: the default applies";
}

TEST(ConfigSources, SwitchesFromText) {
  const ConfigMap f{{"server.persistence.enabled", {{"false"}, false, 5}}};
  auto m = mergeSources({}, kOptions, &f, "c.yaml", env({}));
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->args.empty());
  m = mergeSources({}, kOptions, nullptr, "", env({{"CLASP_PERSIST", "yes"}}));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->args, std::vector<std::string>{"--persist"});
  m = mergeSources({}, kOptions, nullptr, "", env({{"CLASP_PERSIST", "maybe"}}));
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("CLASP_PERSIST: expected true or false, got 'maybe'"), std::string::npos);
}

TEST(ConfigSources, ListWhereOneValueBelongsNamesTheLine) {
  const ConfigMap f{{"server.port", {{"1", "2"}, true, 4}}};
  auto m = mergeSources({}, kOptions, &f, "c.yaml", env({}));
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("c.yaml:4: server.port: one value is expected"), std::string::npos);
}

}  // namespace
}  // namespace clasp::cli
