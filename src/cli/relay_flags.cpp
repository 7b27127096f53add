// clasp-relay's flags. Features that arrive later add their flags then, so
// an unimplemented flag is rejected rather than silently ignored.
#include "cli/relay_flags.hpp"

#include <unistd.h>

#include "cli/adapter_flags.hpp"
#include "cli/auth_flags.hpp"
#include "cli/durable_flags.hpp"
#include "cli/flags.hpp"
#include "cli/log_flags.hpp"
#include "cli/metrics_flags.hpp"

namespace clasp::cli {

namespace {

void defineRelayFlags(CLI::App& app, RunOptions& o) {
  o.program = "clasp-relay";
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0 && host[0] != '\0') o.router.name = host;

  app.add_option("--ws-port", o.server.port, "WebSocket listener port")
      ->capture_default_str()
      ->type_name("PORT")
      ->group("Core");
  app.add_option("--host", o.server.host, "Bind address")->capture_default_str()->type_name("ADDRESS")->group("Core");
  app.add_option("--name", o.router.name, "Human-readable relay name [default: hostname]")
      ->type_name("NAME")
      ->group("Core");
  app.add_option("--max-sessions", o.router.maxSessions, "Maximum concurrent client sessions (0 = unlimited)")
      ->capture_default_str()
      ->group("Core");
  app.add_option("--session-timeout", o.server.sessionTimeoutSeconds, "Idle session timeout in seconds (0 = never)")
      ->capture_default_str()
      ->type_name("SECONDS")
      ->group("Core");
  app.add_option("--max-message-size", o.server.maxMessageSize,
                 "Largest inbound message in bytes (WebSocket message, MQTT packet), 64 to 1048576")
      ->capture_default_str()
      ->type_name("BYTES")
      ->check(CLI::Range(std::size_t{64}, std::size_t{1} << 20))
      ->group("Core");
  // --verbose sits in its page's section, before the logging flags; its
  // callback runs after the whole command line is read, so an explicit
  // --log-level wins whatever the order.
  auto logLevel = std::make_shared<CLI::Option*>(nullptr);
  app.add_flag_callback("--verbose", [&o, logLevel] { applyVerbose(o.log, true, *logLevel); },
                        "Enable verbose logging (debug; an explicit --log-level wins)")
      ->group("Core");
  app.add_flag_callback("--no-websocket", [&o] { o.websocket = false; }, "Disable the WebSocket listener")
      ->group("Core");
  addQueueFlags(app, o, "Core");
  addThreadsFlag(app, o, "Core");
  addAdapterFlags(app, o);
  app.add_option("--param-ttl", o.router.paramTtlSeconds, "TTL for parameter values (seconds)")
      ->capture_default_str()
      ->type_name("SECONDS")
      ->group("TTL");
  app.add_option("--signal-ttl", o.router.signalTtlSeconds, "TTL for announced signals (seconds)")
      ->capture_default_str()
      ->type_name("SECONDS")
      ->group("TTL");
  app.add_flag_callback("--no-ttl", [&o] { o.router.ttlEnabled = false; }, "Disable TTL expiration entirely")
      ->group("TTL");
  addDurableFlags(app, o.durable, DurableFlagSet::Relay);
  addAuthFlags(app, o, AuthFlagSet::Relay);
  *logLevel = addLogFlags(app, o.log);
  addMetricsFlags(app, o.metrics, MetricsFlagSet::Relay);
  app.add_option("--health-port", o.healthPort, "Serve only /healthz and /readyz over HTTP on this port")
      ->type_name("PORT")
      ->group("Metrics");
  addDrainFlag(app, o, "Graceful Shutdown");
}

}  // namespace

ProgramDef relayProgram() {
  ProgramDef def;
  def.program = "clasp-relay";
  def.appName = "clasp-relay";
  def.description = "clasp-relay: the CLASP relay server (WebSocket, MQTT, OSC)";
  def.defineFlags = defineRelayFlags;
  return def;
}

}  // namespace clasp::cli
