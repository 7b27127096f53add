// The programs' flag tables: every flag of `clasp server` has a config key
// (and every supported key a flag), each flag's environment variable is
// CLASP_<NAME>, and --help fits 80 columns in the user page's section order.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "cli/command_line.hpp"
#include "cli/config_sources.hpp"
#include "cli/help_format.hpp"
#include "cli/relay_flags.hpp"
#include "cli/server_flags.hpp"

namespace clasp::cli {
namespace {

struct Built {
  RunOptions options;
  std::string configPath;
  CLI::App* command = nullptr;
  std::unique_ptr<CLI::App> app;
};

Built build(const ProgramDef& def) {
  Built b;
  b.app = buildApp(def, b.options, b.command, b.configPath);
  return b;
}

TEST(ProgramFlags, EveryServerFlagHasAConfigKeyAndBack) {
  const ProgramDef def = serverProgram();
  Built b = build(def);
  const auto flags = flagsOf(*b.command);
  for (const std::string& flag : flags) {
    auto key = std::find_if(def.configKeys.begin(), def.configKeys.end(),
                            [&](const ConfigKey& k) { return k.flag == flag; });
    EXPECT_NE(key, def.configKeys.end()) << flag << " has no config key";
    if (key != def.configKeys.end()) {
      EXPECT_TRUE(key->unsupported.empty()) << flag;
    }
  }
  for (const ConfigKey& k : def.configKeys) {
    const bool exists = std::find(flags.begin(), flags.end(), k.flag) != flags.end();
    EXPECT_EQ(exists, k.unsupported.empty()) << k.key << " -> " << k.flag;
    EXPECT_TRUE(k.key.starts_with("server.")) << k.key;
  }
}

TEST(ProgramFlags, DocumentedEnvironmentVariables) {
  EXPECT_EQ(envVarFor("--port"), "CLASP_PORT");
  EXPECT_EQ(envVarFor("--bind"), "CLASP_BIND");
  EXPECT_EQ(envVarFor("--tls-cert"), "CLASP_TLS_CERT");
  EXPECT_EQ(envVarFor("--tls-key"), "CLASP_TLS_KEY");
  EXPECT_EQ(envVarFor("--token-secret"), "CLASP_TOKEN_SECRET");
  EXPECT_EQ(envVarFor("--log-level"), "CLASP_LOG_LEVEL");
}

void expectHelpLayout(const ProgramDef& def, const std::vector<std::string>& sectionOrder) {
  auto parsed = parseCommandLine(def, def.subcommand.empty() ? std::vector<std::string>{"--help"}
                                                             : std::vector<std::string>{def.subcommand, "--help"},
                                 [](const std::string&) { return std::nullopt; });
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->exitCode, 0);
  std::istringstream lines(parsed->text);
  std::vector<std::string> sections;
  for (std::string line; std::getline(lines, line);) {
    EXPECT_LE(line.size(), 80u) << line;
    if (!line.empty() && line.back() == ':' && line[0] != ' ') sections.push_back(line.substr(0, line.size() - 1));
  }
  // The page's sections appear in the page's order; "Other" closes.
  std::size_t at = 0;
  for (const std::string& want : sectionOrder) {
    auto it = std::find(sections.begin() + static_cast<std::ptrdiff_t>(at), sections.end(), want);
    ASSERT_NE(it, sections.end()) << "section " << want << " missing or out of order in\n" << parsed->text;
    at = static_cast<std::size_t>(it - sections.begin());
  }
  EXPECT_EQ(sections.back(), "Other");
}

TEST(ProgramFlags, ServerHelpFollowsThePage) {
  expectHelpLayout(serverProgram(), {"Network", "Security", "Limits", "Persistence", "Logging", "Metrics", "Other"});
}

TEST(ProgramFlags, RelayHelpFollowsThePage) {
  expectHelpLayout(relayProgram(), {"Core", "Multi-Protocol", "TTL", "Graceful Shutdown", "Other"});
}

TEST(ProgramFlags, WrapKeepsWordsAndWidth) {
  const std::string text = wrapText("one two three four five six seven", 0, 4, 14);
  EXPECT_EQ(text, "one two three\n    four five\n    six seven");
}

}  // namespace
}  // namespace clasp::cli
