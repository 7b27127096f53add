// clasp: the command-line tool; `clasp server` starts a router with the
// flags of the clasp-server user page (clasp-server.md). Flags of features
// that are not built yet are rejected as unknown.
#include "cli/auth_flags.hpp"
#include "cli/durable_flags.hpp"
#include "cli/flags.hpp"
#include "cli/metrics_flags.hpp"

int main(int argc, char** argv) {
  using namespace clasp::cli;
  RunOptions o;
  o.program = "clasp server";
  o.router.name = "CLASP Router";
  o.router.maxSessions = 10000;

  CLI::App app{"clasp: CLASP command-line tool", "clasp"};
  app.set_version_flag("-V,--version", kVersion);
  app.require_subcommand(1);
  CLI::App* server = app.add_subcommand("server", "Start a CLASP router");
  server->set_version_flag("-V,--version", kVersion);
  std::uint16_t port = 7330;
  std::string level = "info";
  server->add_option("--port", port, "WebSocket port to listen on")->capture_default_str()->group("Network");
  server->add_option("--bind", o.server.host, "Address to bind to")->capture_default_str()->group("Network");
  server->add_option("--max-connections", o.router.maxSessions, "Maximum client connections (0 = unlimited)")
      ->capture_default_str()
      ->group("Limits");
  server->add_option("--max-message-size", o.server.maxMessageSize, "Maximum message size in bytes")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{64}, std::size_t{1} << 20))
      ->group("Limits");
  server->add_option("--max-subscriptions", o.router.maxSubscriptions,
                     "Maximum subscriptions per client (0 = unlimited)")
      ->capture_default_str()
      ->group("Limits");
  server->add_option("--log-level", level, "Log level: error, warn, info, debug, trace")
      ->capture_default_str()
      ->check(CLI::IsMember({"error", "warn", "info", "debug", "trace"}))
      ->group("Logging");
  addDurableFlags(*server, o.durable, DurableFlagSet::Server);
  addAuthFlags(*server, o, AuthFlagSet::Server);
  addTuningFlags(*server, o);
  addMetricsFlags(*server, o.metrics, MetricsFlagSet::Server);

  if (auto code = parseFlags(app, "clasp", argc, argv)) return *code;
  o.server.port = port;
  o.logLevel = level;
  return runServer(o);
}
