// Durable-state flags (relay.md §5, §6, §13; the users' pages): the relay's
// `--persist <path>`, `--persist-interval` (30 s), `--journal <path>`,
// `--journal-memory` and the retention flags its persistence guide names
// (`--journal-compact-age`), plus `--journal-max-entries` and
// `--journal-fsync`; `clasp server`'s `--persist`, `--persist-path`
// (./clasp-state.db) and `--persist-interval` (5 s). Files are opened at
// startup (durable_state.hpp), not while parsing.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace clasp::cli {

struct DurableOptions {
  std::optional<std::string> persistPath;
  std::uint32_t persistIntervalSeconds = 30;  // 0 = only at shutdown
  std::optional<std::string> journalPath;
  bool journalMemory = false;
  std::uint64_t compactAgeSeconds = 86'400;  // 0 = keep all history
  std::optional<std::uint64_t> maxEntries;   // default depends on file vs memory
  bool fsync = false;
};

enum class DurableFlagSet : unsigned char { Relay, Server };

void addDurableFlags(CLI::App& app, DurableOptions& o, DurableFlagSet which);

// "90", "90s", "15m", "24h", "7d" -> seconds; nothing when malformed.
std::optional<std::uint64_t> parseDuration(std::string_view text);

}  // namespace clasp::cli
