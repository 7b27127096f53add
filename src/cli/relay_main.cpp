// clasp-relay: the production relay. Flags follow the relay user page
// (relay-server.md); features that arrive later add their flags then, so an
// unimplemented flag is rejected rather than silently ignored.
#include <unistd.h>

#include "cli/adapter_flags.hpp"
#include "cli/auth_flags.hpp"
#include "cli/durable_flags.hpp"
#include "cli/flags.hpp"
#include "cli/metrics_flags.hpp"

int main(int argc, char** argv) {
  using namespace clasp::cli;
  RunOptions o;
  o.program = "clasp-relay";
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0 && host[0] != '\0') o.router.name = host;

  CLI::App app{"clasp-relay: CLASP relay server (WebSocket)", "clasp-relay"};
  app.set_version_flag("-V,--version", kVersion);
  std::uint16_t port = 7330;
  bool verbose = false, noWebsocket = false, noTtl = false;
  app.add_option("--ws-port", port, "WebSocket listener port")->capture_default_str()->group("Core");
  app.add_option("--host", o.server.host, "Bind address")->capture_default_str()->group("Core");
  app.add_option("--name", o.router.name, "Human-readable relay name")->capture_default_str()->group("Core");
  app.add_option("--max-sessions", o.router.maxSessions, "Maximum concurrent client sessions (0 = unlimited)")
      ->capture_default_str()
      ->group("Core");
  app.add_option("--session-timeout", o.server.sessionTimeoutSeconds, "Idle session timeout in seconds (0 = never)")
      ->capture_default_str()
      ->group("Core");
  app.add_option("--max-message-size", o.server.maxMessageSize,
                 "Largest inbound message in bytes (WebSocket message, MQTT packet)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{64}, std::size_t{1} << 20))
      ->group("Core");
  app.add_flag("--verbose", verbose, "Enable verbose logging")->group("Core");
  app.add_flag("--no-websocket", noWebsocket, "Disable the WebSocket listener")->group("Core");
  app.add_option("--param-ttl", o.router.paramTtlSeconds, "TTL for parameter values (seconds)")
      ->capture_default_str()
      ->group("TTL");
  app.add_option("--signal-ttl", o.router.signalTtlSeconds, "TTL for announced signals (seconds)")
      ->capture_default_str()
      ->group("TTL");
  app.add_flag("--no-ttl", noTtl, "Disable TTL expiration entirely")->group("TTL");
  addDurableFlags(app, o.durable, DurableFlagSet::Relay);
  addAdapterFlags(app, o);
  addAuthFlags(app, o, AuthFlagSet::Relay);
  addTuningFlags(app, o);
  addMetricsFlags(app, o.metrics, MetricsFlagSet::Relay);

  if (auto code = parseFlags(app, o.program, argc, argv)) return *code;
  o.server.port = port;
  o.websocket = !noWebsocket;
  o.router.ttlEnabled = !noTtl;
  o.logLevel = verbose ? "debug" : "info";
  return runServer(o);
}
