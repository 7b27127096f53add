// ConfigFile: reading `clasp server -c clasp.yaml` (clasp-server.md
// "Configuration File"; DECISIONS D-24). The YAML document becomes a flat map
// of dotted keys ("server.limits.max_connections") to scalar values, or lists
// of them, each with the line it came from, so every later complaint can name
// the key and the line. `${VAR}` in a value is replaced by the environment
// variable (an unset one is an error naming it) and `${VAR:-default}` falls
// back to the default; `$${` writes a literal `${`. Keys outside the known set
// are errors, so a misspelt key is never silently ignored.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace clasp::cli {

struct ConfigEntry {
  std::vector<std::string> values;  // one for a scalar
  bool list = false;
  int line = 0;  // 1-based
};

using ConfigMap = std::map<std::string, ConfigEntry>;
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment.
EnvLookup processEnv();

// Replaces ${VAR} and ${VAR:-default} in `text`. The error names the variable.
Result<std::string> interpolate(std::string_view text, const EnvLookup& env);

// Parses a YAML document. `name` prefixes messages ("clasp.yaml:12: ...").
Result<ConfigMap> parseConfig(std::string_view yaml, const std::string& name, const EnvLookup& env,
                              const std::set<std::string>& knownKeys);

// Reads and parses a file.
Result<ConfigMap> loadConfig(const std::string& path, const EnvLookup& env, const std::set<std::string>& knownKeys);

}  // namespace clasp::cli
