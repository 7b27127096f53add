// Metrics flags: `clasp server --metrics [--metrics-port 9090]`
// (clasp-server.md, "Metrics") and `clasp-relay --metrics-port <PORT>`
// (relay.md §11: set means on, no default listener). The exporter binds
// the same host as the WebSocket listener; see metrics_exporter.hpp.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>

namespace clasp::cli {

struct MetricsOptions {
  bool enabled = false;
  std::uint16_t port = 9090;
  // --metrics-port was given. For clasp server without --metrics it has no
  // effect (docs/decisions.md); startup logs a warning.
  bool portGiven = false;
};

enum class MetricsFlagSet : unsigned char { Relay, Server };

void addMetricsFlags(CLI::App& app, MetricsOptions& o, MetricsFlagSet which);

}  // namespace clasp::cli
