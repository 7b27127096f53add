// CommandLine: see command_line.hpp.
#include "cli/command_line.hpp"

#include <algorithm>

#include "cli/config_sources.hpp"
#include "cli/flags.hpp"
#include "cli/help_format.hpp"

#include <cstdio>

namespace clasp::cli {

namespace {

bool isMeta(const CLI::Option* o) {
  const std::string& n = o->get_name();
  return n == "--help" || n == "--version" || n == "--config" || n == "--help-all";
}

// The -c value, found before parsing because the file supplies arguments.
std::optional<std::string> configArg(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "-c" || a == "--config") && i + 1 < args.size()) return args[i + 1];
    if (a.starts_with("--config=")) return a.substr(9);
    if (a.size() > 2 && a.starts_with("-c") && a[2] != '-') return a.substr(2);
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> flagsOf(const CLI::App& app) {
  std::vector<std::string> out;
  for (const CLI::Option* o : app.get_options())
    if (!isMeta(o) && !o->get_lnames().empty()) out.push_back("--" + o->get_lnames().front());
  return out;
}

std::unique_ptr<CLI::App> buildApp(const ProgramDef& def, RunOptions& options, CLI::App*& command,
                                   std::string& configPath) {
  auto app = std::make_unique<CLI::App>(def.description, def.appName);
  auto formatter = std::make_shared<HelpFormatter>();
  auto meta = [&](CLI::App& a) {
    a.formatter(formatter);
    a.set_help_flag("-h,--help", "Print help")->group("Other");
    a.set_version_flag("-V,--version", kVersion, "Print version and build features")->group("Other");
  };
  meta(*app);
  command = app.get();
  if (!def.subcommand.empty()) {
    app->require_subcommand(1);
    command = app->add_subcommand(def.subcommand, def.subDescription);
    meta(*command);
  }
  def.defineFlags(*command, options);
  if (!def.configKeys.empty())
    command->add_option("-c,--config", configPath, "Configuration file path (YAML)")->type_name("PATH")->group("Other");
  return app;
}

Result<Parsed> parseCommandLine(const ProgramDef& def, const std::vector<std::string>& args, const EnvLookup& env) {
  Parsed out;
  std::string configPath;
  CLI::App* command = nullptr;
  auto app = buildApp(def, out.options, command, configPath);

  std::vector<OptionSource> sources;
  for (const CLI::Option* o : command->get_options()) {
    if (isMeta(o) || o->get_lnames().empty()) continue;
    OptionSource s{"--" + o->get_lnames().front(), o->get_expected_max() == 0, {}};
    auto key = std::find_if(def.configKeys.begin(), def.configKeys.end(),
                            [&](const ConfigKey& k) { return k.flag == s.flag && k.unsupported.empty(); });
    if (key != def.configKeys.end()) s.configKey = key->key;
    sources.push_back(std::move(s));
  }
  // A documented setting this build lacks is refused wherever it comes from.
  for (const ConfigKey& k : def.configKeys) {
    if (k.unsupported.empty()) continue;
    const std::string var = envVarFor(k.flag);
    if (auto v = env(var); v && !v->empty()) return fail(Errc::InvalidValue, var + ": " + k.unsupported);
  }

  std::optional<ConfigMap> config;
  std::string configName;
  if (!def.configKeys.empty()) {
    if (auto path = configArg(args)) {
      std::set<std::string> known;
      for (const ConfigKey& k : def.configKeys) known.insert(k.key);
      auto loaded = loadConfig(*path, env, known);
      if (!loaded) return std::unexpected(loaded.error());
      config = std::move(*loaded);
      configName = *path;
      for (const ConfigKey& k : def.configKeys) {
        auto it = config->find(k.key);
        if (it == config->end()) continue;
        const std::string where = configName + ":" + std::to_string(it->second.line) + ": " + k.key + ": ";
        if (!k.unsupported.empty()) return fail(Errc::InvalidValue, where + k.unsupported);
        // Checked even when a flag overrides the key: the file itself is wrong.
        if (it->second.list) return fail(Errc::InvalidValue, where + "one value is expected, not a list");
      }
    }
  }
  auto merged = mergeSources(args, sources, config ? &*config : nullptr, configName, env);
  if (!merged) return std::unexpected(merged.error());

  std::vector<std::string> reversed(merged->args.rbegin(), merged->args.rend());
  try {
    app->parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out.exitCode = 0;
    out.text = app->help();
    return out;
  } catch (const CLI::CallForAllHelp&) {
    out.exitCode = 0;
    out.text = app->help("", CLI::AppFormatMode::All);
    return out;
  } catch (const CLI::CallForVersion&) {
    out.exitCode = 0;
    out.text = versionText(def.program);
    return out;
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    // Name where a value that was not typed came from.
    for (const auto& [flag, origin] : merged->origin)
      if (message.find(flag) != std::string::npos) return fail(Errc::InvalidValue, origin + ": " + message);
    return fail(Errc::InvalidValue, message);
  }
  return out;
}

}  // namespace clasp::cli

namespace clasp::cli {

int runProgram(const ProgramDef& def, int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parseCommandLine(def, args, processEnv());
  if (!parsed) {
    std::fprintf(stderr, "%s: %s\n", def.program.c_str(), parsed.error().message.c_str());
    return kUsageError;
  }
  if (parsed->exitCode) {
    std::printf("%s", parsed->text.c_str());
    return *parsed->exitCode;
  }
  return runServer(parsed->options, [def, args]() -> Result<RunOptions> {
    auto again = parseCommandLine(def, args, processEnv());
    if (!again) return std::unexpected(again.error());
    return std::move(again->options);
  });
}

}  // namespace clasp::cli
