// Flag helpers shared by both executables: CLI11 parsing that turns every
// usage error into one line on stderr and exit code 2, plus the flags both
// programs have beyond their user documents (queue limits of D-15, threads).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <string>

#include "cli/run_server.hpp"

namespace clasp::cli {

inline constexpr const char* kVersion = "0.1.0";

// Parses argv; returns an exit code when the program should stop (help,
// version, or a usage error already reported), nothing when it should run.
inline std::optional<int> parseFlags(CLI::App& app, const std::string& program, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::printf("%s", app.help().c_str());
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::printf("%s", app.help("", CLI::AppFormatMode::All).c_str());
    return 0;
  } catch (const CLI::CallForVersion&) {
    std::printf("%s %s (features: websocket)\n", program.c_str(), kVersion);
    return 0;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: %s\n", program.c_str(), e.what());
    return kUsageError;
  }
  return std::nullopt;
}

inline void addTuningFlags(CLI::App& app, RunOptions& o) {
  app.add_option("--queue-soft-limit", o.server.queueSoftLimit,
                 "Outbound queue bytes above which stream/gesture frames are dropped")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 32))
      ->group("Limits");
  app.add_option("--queue-hard-limit", o.server.queueHardLimit,
                 "Outbound queue bytes above which a session is closed as a slow consumer")
      ->check(CLI::Range(std::size_t{4096}, std::size_t{1} << 34))
      ->group("Limits");
  app.add_option("--threads", o.server.threads, "Event-loop threads (0 = one per core)")
      ->check(CLI::Range(0u, 256u))
      ->group("Network");
}

}  // namespace clasp::cli
