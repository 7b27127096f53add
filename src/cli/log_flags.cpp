// The logging flags (see log_flags.hpp).
#include "cli/log_flags.hpp"

#include <iterator>
#include <vector>

namespace clasp::cli {

CLI::Option* addLogFlags(CLI::App& app, LogOptions& o) {
  const std::vector<std::string> levels(std::begin(kLogLevels), std::end(kLogLevels));
  const std::vector<std::string> formats(std::begin(kLogFormats), std::end(kLogFormats));
  CLI::Option* level = app.add_option("--log-level", o.level, "Log level: error, warn, info, debug, trace")
                           ->capture_default_str()
                           ->type_name("LEVEL")
                           ->check(CLI::IsMember(levels))
                           ->group("Logging");
  app.add_option("--log-format", o.format, "Log format: text, json")
      ->capture_default_str()
      ->type_name("FORMAT")
      ->check(CLI::IsMember(formats))
      ->group("Logging");
  app.add_option("--log-file", o.file, "Log to this file (appended, reopened on SIGHUP) instead of stderr")
      ->type_name("PATH")
      ->check([](const std::string& path) { return path.empty() ? std::string("empty path") : std::string(); })
      ->group("Logging");
  return level;
}

void applyVerbose(LogOptions& o, bool verbose, const CLI::Option* logLevel) {
  if (verbose && logLevel->count() == 0) o.level = "debug";
}

}  // namespace clasp::cli
