// ConfigFile: yaml-cpp for the document, our own walk for keys, lines and
// interpolation.
#include "cli/config_file.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace clasp::cli {

namespace {

Error at(const std::string& name, int line, const std::string& what) {
  return Error{Errc::InternalError, name + ":" + std::to_string(line) + ": " + what};
}

bool validVarName(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s)
    if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

struct Walker {
  const std::string& name;
  const EnvLookup& env;
  const std::set<std::string>& known;
  ConfigMap out;

  Result<void> put(const std::string& key, ConfigEntry e) {
    if (auto it = out.find(key); it != out.end())
      return std::unexpected(at(name, e.line, key + " is given twice (also on line " + std::to_string(it->second.line) + ")"));
    out.emplace(key, std::move(e));
    return {};
  }

  Result<std::string> scalar(const YAML::Node& n, const std::string& key) {
    auto v = interpolate(n.Scalar(), env);
    if (!v) return std::unexpected(at(name, n.Mark().line + 1, key + ": " + v.error().message));
    return v;
  }

  Result<void> walk(const YAML::Node& n, const std::string& prefix) {
    const int line = n.Mark().line + 1;
    switch (n.Type()) {
      case YAML::NodeType::Map:
        for (const auto& kv : n) {
          if (!kv.first.IsScalar())
            return std::unexpected(at(name, kv.first.Mark().line + 1, "keys must be plain names"));
          const std::string key = prefix.empty() ? kv.first.Scalar() : prefix + "." + kv.first.Scalar();
          // `key:` with nothing after it: fine for a section, not for a value
          // (the key's line: an empty node has no line of its own).
          if (kv.second.IsNull()) {
            const int keyLine = kv.first.Mark().line + 1;
            if (known.contains(key)) return std::unexpected(at(name, keyLine, key + ": a value is expected"));
            auto next = known.lower_bound(key + ".");
            if (next == known.end() || !next->starts_with(key + "."))
              return std::unexpected(at(name, keyLine, "unknown key '" + key + "'"));
            continue;
          }
          if (auto ok = walk(kv.second, key); !ok) return ok;
        }
        return {};
      case YAML::NodeType::Sequence: {
        if (!known.contains(prefix)) return std::unexpected(at(name, line, "unknown key '" + prefix + "'"));
        ConfigEntry e{{}, true, line};
        for (const auto& item : n) {
          if (!item.IsScalar())
            return std::unexpected(at(name, item.Mark().line + 1, prefix + ": a list of plain values is expected"));
          auto v = scalar(item, prefix);
          if (!v) return std::unexpected(v.error());
          e.values.push_back(std::move(*v));
        }
        return put(prefix, std::move(e));
      }
      case YAML::NodeType::Scalar: {
        if (!known.contains(prefix)) return std::unexpected(at(name, line, "unknown key '" + prefix + "'"));
        auto v = scalar(n, prefix);
        if (!v) return std::unexpected(v.error());
        return put(prefix, ConfigEntry{{std::move(*v)}, false, line});
      }
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined: return {};
    }
    return {};
  }
};

}  // namespace

EnvLookup processEnv() {
  return [](const std::string& var) -> std::optional<std::string> {
    const char* v = std::getenv(var.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

Result<std::string> interpolate(std::string_view text, const EnvLookup& env) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out.push_back(text[i++]);
      continue;
    }
    const std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) return fail(Errc::InternalError, "unterminated ${ in '" + std::string(text) + "'");
    std::string_view inner = text.substr(i + 2, close - i - 2);
    std::optional<std::string_view> fallback;
    if (auto dash = inner.find(":-"); dash != std::string_view::npos) {
      fallback = inner.substr(dash + 2);
      inner = inner.substr(0, dash);
    }
    if (!validVarName(inner)) return fail(Errc::InternalError, "bad variable name '${" + std::string(inner) + "}'");
    auto value = env(std::string(inner));
    if (value) out += *value;
    else if (fallback) out += *fallback;
    else return fail(Errc::InternalError, "environment variable " + std::string(inner) + " is not set (write ${" +
                                             std::string(inner) + ":-default} for a default)");
    i = close + 1;
  }
  return out;
}

Result<ConfigMap> parseConfig(std::string_view yaml, const std::string& name, const EnvLookup& env,
                              const std::set<std::string>& knownKeys) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return std::unexpected(at(name, e.mark.line + 1, e.msg));
  }
  if (!root.IsNull() && !root.IsMap()) return std::unexpected(at(name, root.Mark().line + 1, "expected a mapping of keys"));
  Walker w{name, env, knownKeys, {}};
  try {
    if (auto ok = w.walk(root, ""); !ok) return std::unexpected(ok.error());
  } catch (const YAML::Exception& e) {
    return std::unexpected(at(name, e.mark.line + 1, e.msg));
  }
  return std::move(w.out);
}

Result<ConfigMap> loadConfig(const std::string& path, const EnvLookup& env, const std::set<std::string>& knownKeys) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::InternalError, path + ": cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  return parseConfig(text.str(), path, env, knownKeys);
}

}  // namespace clasp::cli
