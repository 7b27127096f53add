// MetricsExporter: gathers the counters the layers own (RouterStats in the
// router, LoopStats in each event loop, the journal's tickets) into one
// Prometheus exposition per scrape, and serves it with /healthz and /readyz
// through metrics::HttpEndpoint on its own thread. Names and label sets are
// listed in docs/decisions.md ("Metrics and health"). A scrape takes the
// router lock once, briefly, for the gauges that live in router state
// (sessions, subscriptions, params); counters are read without locks.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "cli/durable_state.hpp"
#include "cli/metrics_flags.hpp"
#include "core/result.hpp"
#include "metrics/http_endpoint.hpp"
#include "transport/router_host.hpp"
#include "transport/server.hpp"

namespace clasp::cli {

class MetricsExporter {
 public:
  MetricsExporter(transport::RouterHost& host, transport::Server& server, const DurableState* durable,
                  std::function<bool()> ready);
  ~MetricsExporter();

  // The exposition text of this moment (HTTP thread, or tests).
  std::string render() const;
  metrics::HttpEndpoint& endpoint() { return *endpoint_; }

 private:
  transport::RouterHost& host_;
  transport::Server& server_;
  const DurableState* durable_;
  double startTime_;  // Unix seconds
  std::unique_ptr<metrics::HttpEndpoint> endpoint_;
};

// When enabled: binds options' port on `host`, prints "listening on
// http://HOST:PORT" and starts serving; null when metrics are off. An error
// (port in use) is for the caller to report as a usage error.
Result<std::unique_ptr<MetricsExporter>> startMetrics(const MetricsOptions& options, const std::string& host,
                                                      transport::RouterHost& routerHost,
                                                      transport::Server& server, const DurableState* durable,
                                                      std::function<bool()> ready);

}  // namespace clasp::cli
