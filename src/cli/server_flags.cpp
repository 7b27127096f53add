// clasp server's flags and config keys. The page documents some features
// this build does not have (TLS, QUIC, UDP, mDNS, JWT secrets, pairing):
// their flags stay unknown, and their config keys and environment variables
// are refused with the reason, so a deployment never silently runs without
// something it asked for.
#include "cli/server_flags.hpp"

#include "cli/auth_flags.hpp"
#include "cli/durable_flags.hpp"
#include "cli/flags.hpp"
#include "cli/log_flags.hpp"
#include "cli/metrics_flags.hpp"

namespace clasp::cli {

namespace {

void defineServerFlags(CLI::App& app, RunOptions& o) {
  o.program = "clasp server";
  o.router.name = "CLASP Router";
  o.router.maxSessions = 10000;

  app.add_option("--port", o.server.port, "WebSocket port to listen on")
      ->capture_default_str()
      ->type_name("PORT")
      ->group("Network");
  app.add_option("--bind", o.server.host, "Address to bind to")
      ->capture_default_str()
      ->type_name("ADDRESS")
      ->group("Network");
  addThreadsFlag(app, o, "Network");
  addAuthFlags(app, o, AuthFlagSet::Server);
  app.add_option("--max-connections", o.router.maxSessions, "Maximum client connections (0 = unlimited)")
      ->capture_default_str()
      ->group("Limits");
  app.add_option("--max-message-size", o.server.maxMessageSize, "Maximum message size, 64 to 1048576")
      ->capture_default_str()
      ->type_name("BYTES")
      ->check(CLI::Range(std::size_t{64}, std::size_t{1} << 20))
      ->group("Limits");
  app.add_option("--max-subscriptions", o.router.maxSubscriptions,
                 "Maximum subscriptions per client (0 = unlimited)")
      ->capture_default_str()
      ->group("Limits");
  addQueueFlags(app, o, "Limits");
  addDurableFlags(app, o.durable, DurableFlagSet::Server);
  addLogFlags(app, o.log);
  addMetricsFlags(app, o.metrics, MetricsFlagSet::Server);
  addDrainFlag(app, o, "Shutdown");
}

std::vector<ConfigKey> serverKeys() {
  const std::string tls = "TLS is not supported by this build; terminate TLS in a proxy in front of it";
  const std::string quic = "QUIC is not supported by this build";
  const std::string udp = "the UDP transport is not supported by this build";
  const std::string mdns = "discovery is not supported by this build";
  const std::string jwt = "JWT tokens are not supported by this build; use security.token_file";
  const std::string pairing = "pairing is not supported by this build";
  return {
      {"server.port", "--port", {}},
      {"server.bind", "--bind", {}},
      {"server.threads", "--threads", {}},
      {"server.quic.enabled", "--quic", quic},
      {"server.quic.port", "--quic-port", quic},
      {"server.udp.enabled", "--udp", udp},
      {"server.udp.port", "--udp-port", udp},
      {"server.tls.enabled", "--tls", tls},
      {"server.tls.cert", "--tls-cert", tls},
      {"server.tls.key", "--tls-key", tls},
      {"server.discovery.mdns.enabled", "--mdns", mdns},
      {"server.discovery.mdns.name", "--mdns-name", mdns},
      {"server.discovery.port", "--discovery-port", mdns},
      {"server.security.require_auth", "--require-auth", {}},
      {"server.security.token_file", "--token-file", {}},
      {"server.security.token_secret", "--token-secret", jwt},
      {"server.security.token_public_key", "--token-public-key", jwt},
      {"server.security.pairing.enabled", "--pairing", pairing},
      {"server.security.pairing.timeout", "--pairing-timeout", pairing},
      {"server.limits.max_connections", "--max-connections", {}},
      {"server.limits.max_message_size", "--max-message-size", {}},
      {"server.limits.max_subscriptions", "--max-subscriptions", {}},
      {"server.limits.queue_soft_limit", "--queue-soft-limit", {}},
      {"server.limits.queue_hard_limit", "--queue-hard-limit", {}},
      {"server.persistence.enabled", "--persist", {}},
      {"server.persistence.path", "--persist-path", {}},
      {"server.persistence.sync_interval", "--persist-interval", {}},
      {"server.logging.level", "--log-level", {}},
      {"server.logging.format", "--log-format", {}},
      {"server.logging.file", "--log-file", {}},
      {"server.metrics.enabled", "--metrics", {}},
      {"server.metrics.port", "--metrics-port", {}},
      {"server.shutdown.drain_timeout", "--drain-timeout", {}},
  };
}

}  // namespace

ProgramDef serverProgram() {
  ProgramDef def;
  def.program = "clasp server";
  def.appName = "clasp";
  def.description = "clasp: the CLASP command-line tool";
  def.subcommand = "server";
  def.subDescription = "Start a CLASP router";
  def.defineFlags = defineServerFlags;
  def.configKeys = serverKeys();
  return def;
}

}  // namespace clasp::cli
