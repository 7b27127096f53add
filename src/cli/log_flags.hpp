// The logging flags of both programs (group "Logging"): --log-level,
// --log-format, --log-file, from the clasp-server user page. The relay's
// user page names only --verbose; the three flags are additions there
// (docs/decisions.md "Logging"). A value outside the list is a usage error.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/logging.hpp"

namespace clasp::cli {

// Adds the flags; returns --log-level, so that the relay can let an explicit
// level win over --verbose (applyVerbose).
CLI::Option* addLogFlags(CLI::App& app, LogOptions& o);

// Relay --verbose: debug, unless --log-level was given. Call after parsing.
void applyVerbose(LogOptions& o, bool verbose, const CLI::Option* logLevel);

}  // namespace clasp::cli
