// CommandLine: how both programs turn their arguments into RunOptions, the
// same way at startup and at every SIGHUP reload (D-24). Each time a fresh
// CLI11 app is built; the config file (`-c`, clasp server only) and the
// CLASP_* environment variables are merged into the arguments by the order
// flag > environment > file > default (config_sources.hpp); then one parse.
// Help, version and every error come back as values, so a reload can refuse
// a broken configuration and keep running on the old one.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/config_file.hpp"
#include "cli/run_server.hpp"
#include "core/result.hpp"

namespace clasp::cli {

// One key of the config file and the flag it stands for. `unsupported`,
// when set, says why this build refuses the setting (the page documents a
// feature that is not built): the key, its flag and its variable are errors
// instead of being ignored.
struct ConfigKey {
  std::string key;   // "server.limits.max_connections"
  std::string flag;  // "--max-connections"
  std::string unsupported;
};

struct ProgramDef {
  std::string program;      // message prefix: "clasp-relay", "clasp server"
  std::string appName;      // argv[0] as shown in usage: "clasp-relay", "clasp"
  std::string description;
  std::string subcommand;   // "server" for clasp; empty for the relay
  std::string subDescription;
  // Sets the program's defaults in the options and adds its flags.
  std::function<void(CLI::App&, RunOptions&)> defineFlags;
  // The config file's keys; empty: the program takes no `-c`.
  std::vector<ConfigKey> configKeys;
};

struct Parsed {
  RunOptions options;
  // Set when the program should not run: help or version was printed into
  // `text` (exit code 0).
  std::optional<int> exitCode;
  std::string text;
};

// `args` excludes the program name. Errors are one line, without the
// program prefix; a value from the file or the environment names its origin
// ("clasp.yaml:3: server.port: ...", "CLASP_PORT: ...").
Result<Parsed> parseCommandLine(const ProgramDef& def, const std::vector<std::string>& args, const EnvLookup& env);

// The flags of `app` as config sources, with the config keys of `def`
// (exposed for the test that every flag has a key).
std::vector<std::string> flagsOf(const CLI::App& app);

// Builds the app `def` describes (as parseCommandLine does); `command` is
// the app or its subcommand that carries the flags.
std::unique_ptr<CLI::App> buildApp(const ProgramDef& def, RunOptions& options, CLI::App*& command,
                                   std::string& configPath);

}  // namespace clasp::cli
