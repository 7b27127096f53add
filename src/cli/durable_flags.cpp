// Durable-state flags; see durable_flags.hpp.
#include "cli/durable_flags.hpp"

#include <charconv>

namespace clasp::cli {

std::optional<std::uint64_t> parseDuration(std::string_view text) {
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  std::uint64_t scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  else if (unit == "m") scale = 60;
  else if (unit == "h") scale = 3600;
  else if (unit == "d") scale = 86'400;
  else return std::nullopt;
  if (n > UINT64_MAX / scale / 1'000'000) return std::nullopt;  // µs must fit later
  return n * scale;
}

void addDurableFlags(CLI::App& app, DurableOptions& o, DurableFlagSet which) {
  if (which == DurableFlagSet::Server) {
    o.persistIntervalSeconds = 5;
    auto* enable = app.add_flag_callback(
        "--persist", [&o] { if (!o.persistPath) o.persistPath = "./clasp-state.db"; }, "Enable state persistence");
    enable->group("Persistence");
    app.add_option_function<std::string>(
           "--persist-path", [&o](const std::string& p) { o.persistPath = p; },
           "Persistence database path [default: ./clasp-state.db]")
        ->needs(enable)
        ->group("Persistence");
  } else {
    app.add_option_function<std::string>(
           "--persist", [&o](const std::string& p) { o.persistPath = p; },
           "State snapshot file (SQLite), restored at start")
        ->group("Persistence");
  }
  app.add_option("--persist-interval", o.persistIntervalSeconds,
                 "Seconds between snapshots (0 = only at shutdown)")
      ->capture_default_str()
      ->check(CLI::Range(0u, 86'400u))
      ->group("Persistence");
  if (which == DurableFlagSet::Server) return;

  app.add_option_function<std::string>(
         "--journal", [&o](const std::string& p) { o.journalPath = p; },
         "SQLite journal file: every change, REPLAY, durable ACKs")
      ->group("Journal");
  app.add_flag("--journal-memory", o.journalMemory, "In-memory journal (REPLAY only, lost on exit)")->group("Journal");
  app.add_option_function<std::string>(
         "--journal-compact-age",
         [&o](const std::string& v) {
           auto d = parseDuration(v);
           if (!d) throw CLI::ValidationError("--journal-compact-age", "expected a duration such as 90s, 15m, 24h or 7d: " + v);
           o.compactAgeSeconds = *d;
         },
         "History kept (e.g. 24h, 7d; 0 = all) [default: 24h]")
      ->group("Journal");
  app.add_option_function<std::int64_t>(
         "--journal-max-entries", [&o](std::int64_t n) { o.maxEntries = static_cast<std::uint64_t>(n); },
         "Most history entries kept (0 = no limit) [default: 10000000, memory 100000]")
      ->check(CLI::Range(std::int64_t{0}, INT64_MAX))
      ->group("Journal");
  app.add_flag("--journal-fsync", o.fsync, "Sync every commit to disk (survives power loss; slower)")
      ->group("Journal");
}

}  // namespace clasp::cli
