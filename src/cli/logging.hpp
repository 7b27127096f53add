// Logging setup for both programs (docs/decisions.md "Logging"): the
// default spdlog logger writes to stderr or to --log-file, as text (the
// historic "TIME LEVEL message" layout plus key=value fields) or JSON (one
// object per line). configureLogging runs once at startup, before any
// thread logs; the setters may be called at any time from any thread (the
// SIGHUP reload of D-24): the level is an atomic, and the formatter and
// the file are swapped under the sink's own lock, which every line takes.
// Lines are formatted on the thread that logs them.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace clasp::cli {

struct LogOptions {
  std::string level = "info";   // error, warn, info, debug, trace
  std::string format = "text";  // text, json
  std::string file;             // empty: stderr
};

// The values the flags accept, for CLI11's IsMember.
inline constexpr const char* kLogLevels[] = {"error", "warn", "info", "debug", "trace"};
inline constexpr const char* kLogFormats[] = {"text", "json"};

// Installs the default logger. Fails (nothing installed) on an unknown level
// or format, or when the log file cannot be opened; the message names the file.
Result<void> configureLogging(const LogOptions& options);

Result<void> setLogLevel(std::string_view level);
Result<void> setLogFormat(std::string_view format);

// Opens --log-file again at its path (logrotate: move, then SIGHUP) and
// switches to it; on failure keeps writing to the old file and returns the
// error. Without --log-file there is nothing to reopen: success.
Result<void> reopenLogFile();

// reopenLogFile for a SIGHUP hook: logs the outcome (an error keeps the old file).
void reopenLogFileAndReport();

}  // namespace clasp::cli
