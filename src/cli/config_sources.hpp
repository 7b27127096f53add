// ConfigSources: one command line from the four places a setting can come
// from, in DECISIONS D-24's order: flag > environment variable > config file
// > default. Each option has an environment variable (CLASP_ + its name in
// capitals, `-` as `_`: --max-connections is CLASP_MAX_CONNECTIONS, so the
// documented CLASP_PORT, CLASP_BIND, CLASP_TLS_CERT, CLASP_TOKEN_SECRET and
// CLASP_LOG_LEVEL follow the rule) and, where the user page has one, a
// config key. Values that did not come from the command line are added to it
// as `--name value` (or `--name` for a switch), remembering where each came
// from, so a bad value can be reported as "clasp.yaml:3: server.port: ...".
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/config_file.hpp"
#include "core/result.hpp"

namespace clasp::cli {

struct OptionSource {
  std::string flag;       // "--port"
  bool isSwitch = false;  // takes no value (true/false in the file or environment)
  std::string configKey;  // "server.port"; empty when the file has none
};

// The environment variable of a flag: "--max-connections" -> "CLASP_MAX_CONNECTIONS".
std::string envVarFor(const std::string& flag);

struct MergedArgs {
  std::vector<std::string> args;                 // argv[1..] followed by the added options
  std::map<std::string, std::string> origin;     // flag -> "CLASP_PORT" or "clasp.yaml:3: server.port"
};

// `given` is the command line (without the program name). `config` may be
// null (no -c). A switch's value from the file or environment must be
// true/false/1/0/yes/no; anything else is an error naming its origin.
Result<MergedArgs> mergeSources(const std::vector<std::string>& given, const std::vector<OptionSource>& options,
                                const ConfigMap* config, const std::string& configName, const EnvLookup& env);

}  // namespace clasp::cli
