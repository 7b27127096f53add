// MetricsExporter: the collector (what each metric is made of) and startup.
#include "cli/metrics_exporter.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <chrono>
#include <cstdio>

#include "cli/flags.hpp"
#include "metrics/exposition.hpp"

namespace clasp::cli {

namespace {

using metrics::Label;
using metrics::Type;

// Codes that always have a series (zero until used), so rate() and alerts
// see them from the first scrape; others appear once sent.
constexpr std::uint16_t kKnownCodes[] = {100, 101, 102, 200, 201, 202, 300, 301, 302, 400,
                                         401, 402, 403, 404, 429, 500, 501, 502};

std::string lowerName(MessageType t) {
  std::string s = messageTypeName(t);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

MetricsExporter::MetricsExporter(transport::RouterHost& host, transport::Server& server,
                                 const DurableState* durable, std::function<bool()> ready)
    : host_(host), server_(server), durable_(durable) {
  using namespace std::chrono;
  startTime_ = duration<double>(system_clock::now().time_since_epoch()).count();
  metrics::HttpHandlers handlers;
  handlers.metrics = [this] { return render(); };
  handlers.ready = std::move(ready);
  endpoint_ = std::make_unique<metrics::HttpEndpoint>(std::move(handlers));
}

MetricsExporter::~MetricsExporter() { endpoint_->stop(); }

std::string MetricsExporter::render() const {
  std::size_t sessions = 0, subscriptions = 0, params = 0;
  {
    std::lock_guard lock(host_.mutex);
    sessions = host_.router.sessionCount();
    subscriptions = host_.router.subscriptionCount();
    params = host_.router.params().size();
  }
  const router::RouterStats& rs = host_.router.stats();
  metrics::TextWriter w;

  w.family("clasp_build_info", "Build information; the value is always 1", Type::Gauge);
  const Label build[] = {{"version", kVersion}};
  w.sample("clasp_build_info", build, 1);
  w.family("clasp_process_start_time_seconds", "Start time of the process since the Unix epoch", Type::Gauge);
  w.sample("clasp_process_start_time_seconds", startTime_);

  w.family("clasp_sessions_active", "Sessions the router holds (connected clients, MQTT and OSC sessions)",
           Type::Gauge);
  w.sample("clasp_sessions_active", static_cast<double>(sessions));
  w.family("clasp_subscriptions_active", "Subscriptions of all sessions", Type::Gauge);
  w.sample("clasp_subscriptions_active", static_cast<double>(subscriptions));
  w.family("clasp_state_params_active", "Params in the state store", Type::Gauge);
  w.sample("clasp_state_params_active", static_cast<double>(params));

  std::vector<std::string> names;
  for (MessageType t : router::kMessageTypes) names.push_back(lowerName(t));
  w.family("clasp_messages_total", "Inbound messages handled by the router, by message type", Type::Counter);
  for (std::size_t i = 0; i < names.size(); ++i) {
    const Label l[] = {{"type", names[i]}};
    w.sample("clasp_messages_total", l, static_cast<double>(rs.received[i].value()));
  }
  w.family("clasp_messages_sent_total", "Frames queued to sessions (replies and deliveries), by message type",
           Type::Counter);
  for (std::size_t i = 0; i < names.size(); ++i) {
    const Label l[] = {{"type", names[i]}};
    w.sample("clasp_messages_sent_total", l, static_cast<double>(rs.sent[i].value()));
  }
  w.family("clasp_deliveries_total", "Frames queued to subscribers by fan-out", Type::Counter);
  w.sample("clasp_deliveries_total", static_cast<double>(rs.deliveries.value()));
  w.family("clasp_broadcast_fanout", "Subscribers reached per SET/PUBLISH fan-out", Type::Histogram);
  {
    metrics::HistogramTotal t;
    t.add(rs.fanout);
    w.histogram("clasp_broadcast_fanout", {}, rs.fanout.bounds(), t.buckets, t.sum, 1.0);
  }

  // Per-loop counters, summed.
  std::uint64_t droppedSoft = 0, droppedFull = 0, slowCloses = 0;
  std::int64_t queued = 0;
  std::array<std::uint64_t, router::RouterStats::kCodes> errors{};
  for (std::size_t c = 0; c < errors.size(); ++c) errors[c] = rs.errors[c].value();
  std::array<metrics::HistogramTotal, router::kMessageTypes.size()> latency;
  for (std::size_t i = 0; i < server_.loopCount(); ++i) {
    transport::LoopStats& ls = server_.loop(i).stats();
    droppedSoft += ls.droppedSoftLimit.value();
    droppedFull += ls.droppedQueueFull.value();
    slowCloses += ls.slowConsumerCloses.value();
    queued += ls.queuedBytes.value();
    for (std::size_t c = 0; c < errors.size(); ++c) errors[c] += ls.errors[c].value();
    for (std::size_t t = 0; t < latency.size(); ++t) latency[t].add(ls.latency[t]);
  }

  w.family("clasp_message_latency_seconds",
           "From the read that brought a WebSocket message to the end of its handling (replies and fan-out "
           "queued), by message type",
           Type::Histogram);
  for (std::size_t t = 0; t < latency.size(); ++t) {
    std::uint64_t count = 0;
    for (auto b : latency[t].buckets) count += b;
    if (count == 0 && router::kMessageTypes[t] != MessageType::Set &&
        router::kMessageTypes[t] != MessageType::Publish)
      continue;  // types never seen stay out; SET and PUBLISH always have a series
    const Label l[] = {{"type", names[t]}};
    w.histogram("clasp_message_latency_seconds", l, transport::kLatencyBoundsNs, latency[t].buckets, latency[t].sum,
                1e9);
  }

  w.family("clasp_errors_total", "ERROR messages sent to clients, by error code", Type::Counter);
  std::array<bool, router::RouterStats::kCodes> known{};
  for (auto c : kKnownCodes) known[c] = true;
  char code[8];
  for (std::size_t c = 0; c < errors.size(); ++c) {
    if (!known[c] && errors[c] == 0) continue;
    std::snprintf(code, sizeof code, "%zu", c);
    const Label l[] = {{"code", code}};
    w.sample("clasp_errors_total", l, static_cast<double>(errors[c]));
  }

  w.family("clasp_messages_dropped_total",
           "Frames not queued for a client: queue_soft_limit (Fire traffic above the soft limit, D-15), "
           "mqtt_queue_full (QoS 1 messages for an absent MQTT client past its queue)",
           Type::Counter);
  const Label soft[] = {{"reason", "queue_soft_limit"}};
  w.sample("clasp_messages_dropped_total", soft, static_cast<double>(droppedSoft));
  const Label full[] = {{"reason", "mqtt_queue_full"}};
  w.sample("clasp_messages_dropped_total", full, static_cast<double>(droppedFull));
  w.family("clasp_slow_consumer_closes_total", "Sessions closed because their queue passed the hard limit (D-15)",
           Type::Counter);
  w.sample("clasp_slow_consumer_closes_total", static_cast<double>(slowCloses));
  w.family("clasp_outbound_queue_bytes", "Bytes queued for writing to WebSocket clients", Type::Gauge);
  w.sample("clasp_outbound_queue_bytes", static_cast<double>(std::max<std::int64_t>(queued, 0)));

  if (const storage::Journal* j = durable_ ? durable_->journal() : nullptr) {
    const std::uint64_t appended = j->appendedEntries(), committed = j->committedEntries();
    w.family("clasp_journal_lag_entries", "Journal entries appended but not yet committed", Type::Gauge);
    w.sample("clasp_journal_lag_entries", static_cast<double>(appended > committed ? appended - committed : 0));
    w.family("clasp_journal_committed_entries_total", "Journal entries committed", Type::Counter);
    w.sample("clasp_journal_committed_entries_total", static_cast<double>(committed));
  }
  return w.take();
}

Result<std::unique_ptr<MetricsExporter>> startMetrics(const MetricsOptions& options, const std::string& host,
                                                      transport::RouterHost& routerHost,
                                                      transport::Server& server, const DurableState* durable,
                                                      std::function<bool()> ready) {
  if (!options.enabled) {
    if (options.portGiven) spdlog::warn("--metrics-port has no effect without --metrics");
    return std::unique_ptr<MetricsExporter>();
  }
  auto exporter = std::make_unique<MetricsExporter>(routerHost, server, durable, std::move(ready));
  auto port = exporter->endpoint().listen(host, options.port);
  if (!port) return fail(Errc::InternalError, port.error());
  exporter->endpoint().start();
  // Tests and scripts wait for this line, like the other listeners'.
  std::printf("listening on http://%s:%u\n", host.c_str(), static_cast<unsigned>(*port));
  std::fflush(stdout);
  spdlog::info("serving metrics on http://{}:{}/metrics", host, *port);
  return exporter;
}

}  // namespace clasp::cli
