// ConfigSources: see config_sources.hpp.
#include "cli/config_sources.hpp"

#include <algorithm>
#include <cctype>

namespace clasp::cli {

namespace {

bool onCommandLine(const std::vector<std::string>& given, const std::string& flag) {
  return std::any_of(given.begin(), given.end(), [&](const std::string& a) {
    return a == flag || (a.size() > flag.size() && a.starts_with(flag) && a[flag.size()] == '=');
  });
}

std::optional<bool> switchValue(std::string v) {
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  return std::nullopt;
}

}  // namespace

std::string envVarFor(const std::string& flag) {
  std::string name = "CLASP_";
  for (char c : flag.substr(flag.find_first_not_of('-'))) name.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return name;
}

Result<MergedArgs> mergeSources(const std::vector<std::string>& given, const std::vector<OptionSource>& options,
                                const ConfigMap* config, const std::string& configName, const EnvLookup& env) {
  MergedArgs out{given, {}};
  for (const OptionSource& o : options) {
    if (onCommandLine(given, o.flag)) continue;
    std::optional<std::string> value;
    std::string origin;
    const std::string var = envVarFor(o.flag);
    if (auto e = env(var); e && !e->empty()) {
      value = *e;
      origin = var;
    } else if (config && !o.configKey.empty()) {
      if (auto it = config->find(o.configKey); it != config->end()) {
        if (it->second.list || it->second.values.size() != 1)
          return fail(Errc::InternalError, configName + ":" + std::to_string(it->second.line) + ": " + o.configKey +
                                               ": one value is expected, not a list");
        value = it->second.values[0];
        origin = configName + ":" + std::to_string(it->second.line) + ": " + o.configKey;
      }
    }
    if (!value) continue;
    if (o.isSwitch) {
      auto on = switchValue(*value);
      if (!on) return fail(Errc::InternalError, origin + ": expected true or false, got '" + *value + "'");
      if (*on) out.args.push_back(o.flag);
    } else {
      out.args.push_back(o.flag);
      out.args.push_back(*value);
    }
    out.origin[o.flag] = origin;
  }
  return out;
}

}  // namespace clasp::cli
