// Flag helpers shared by both executables: the version, and the flags both
// programs have beyond their user documents (queue limits of D-15, threads,
// the drain timeout of D-25).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/run_server.hpp"

namespace clasp::cli {

inline constexpr const char* kVersion = "0.1.0";

// `-V`: the version, the protocol, what this build includes and how it was built.
std::string versionText(const std::string& program);

// Outbound queue limits of D-15.
inline void addQueueFlags(CLI::App& app, RunOptions& o, const std::string& group) {
  app.add_option("--queue-soft-limit", o.server.queueSoftLimit,
                 "Outbound queue bytes above which stream/gesture frames are dropped")
      ->capture_default_str()
      ->type_name("BYTES")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 32))
      ->group(group);
  app.add_option("--queue-hard-limit", o.server.queueHardLimit,
                 "Outbound queue bytes above which a session is closed as a slow consumer")
      ->capture_default_str()
      ->type_name("BYTES")
      ->check(CLI::Range(std::size_t{4096}, std::size_t{1} << 34))
      ->group(group);
}

// Event-loop threads.
inline void addThreadsFlag(CLI::App& app, RunOptions& o, const std::string& group) {
  app.add_option("--threads", o.server.threads, "Event-loop threads (0 = one per core)")
      ->capture_default_str()
      ->check(CLI::Range(0u, 256u))
      ->group(group);
}

// --drain-timeout (D-25), in `group`.
inline void addDrainFlag(CLI::App& app, RunOptions& o, const std::string& group) {
  app.add_option("--drain-timeout", o.drainTimeoutSeconds,
                 "Seconds to wait at SIGTERM/SIGINT for clients to leave before closing them")
      ->capture_default_str()
      ->type_name("SECONDS")
      ->check(CLI::Range(0u, 86400u))
      ->group(group);
}

}  // namespace clasp::cli
