// Metrics flags; see metrics_flags.hpp.
#include "cli/metrics_flags.hpp"

namespace clasp::cli {

void addMetricsFlags(CLI::App& app, MetricsOptions& o, MetricsFlagSet which) {
  if (which == MetricsFlagSet::Relay) {
    app.add_option_function<std::uint16_t>(
           "--metrics-port",
           [&o](std::uint16_t port) {
             o.enabled = true;
             o.port = port;
           },
           "Serve Prometheus metrics, /healthz and /readyz over HTTP on this port")
        ->type_name("PORT")
        ->group("Metrics");
    return;
  }
  app.add_flag("--metrics", o.enabled, "Enable Prometheus metrics")->group("Metrics");
  // A port alone stays off (a config file may carry one while disabled);
  // remembered so startup can say so.
  app.add_option_function<std::uint16_t>(
         "--metrics-port",
         [&o](std::uint16_t port) {
           o.port = port;
           o.portGiven = true;
         },
         "Metrics HTTP port [default: 9090]")
      ->type_name("PORT")
      ->group("Metrics");
}

}  // namespace clasp::cli
