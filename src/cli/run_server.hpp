// The code both executables share once their flags are parsed: logging
// setup, the router host, durable state, the listeners (WebSocket, MQTT, OSC), the startup line that
// scripts and tests wait for, and the run loop. Returns the exit code.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "adapters/mqtt/mqtt_config.hpp"
#include "adapters/osc/osc_config.hpp"
#include "cli/durable_flags.hpp"
#include "cli/logging.hpp"
#include "core/result.hpp"
#include "cli/metrics_flags.hpp"
#include "router/router_config.hpp"
#include "transport/server_config.hpp"

namespace clasp::cli {

struct RunOptions {
  std::string program;  // for messages: "clasp-relay" or "clasp server"
  router::RouterConfig router;
  transport::ServerConfig server;
  bool websocket = true;
  LogOptions log;  // --log-level, --log-format, --log-file (--verbose)
  // Front doors besides WebSocket (relay only): enabled by their port flag.
  std::optional<std::uint16_t> mqttPort;
  mqtt::MqttConfig mqtt;
  std::optional<std::uint16_t> oscPort;
  osc::OscConfig osc;
  DurableOptions durable;  // --persist, --journal, ...
  std::uint32_t drainTimeoutSeconds = 30;  // D-25
  MetricsOptions metrics;  // --metrics, --metrics-port
  std::optional<std::uint16_t> healthPort;  // relay --health-port: /healthz and /readyz only
};

// Parses the configuration again (SIGHUP); the same sources as at start.
using Reparse = std::function<Result<RunOptions>()>;

int runServer(const RunOptions& options, const Reparse& reparse);

// Parses argv by `def` and runs the server; help, version and usage errors
// end here (exit codes 0 and 2).
struct ProgramDef;
int runProgram(const ProgramDef& def, int argc, char** argv);

// Exit code for usage errors (bad flag, bad value, port in use).
inline constexpr int kUsageError = 2;
// Exit code when startup fails for another reason (a state file unusable).
inline constexpr int kStartupError = 1;

}  // namespace clasp::cli
