// Progress line, summary, JSON result and CPU sampling (see report.hpp).
#include "bench/report.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "bench/clock.hpp"

namespace clasp::bench {

namespace {

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; }

// 1234567 -> "1.23M", for the progress line.
std::string human(double v) {
  char buf[32];
  if (v >= 1e6) std::snprintf(buf, sizeof buf, "%.2fM", v / 1e6);
  else if (v >= 1e3) std::snprintf(buf, sizeof buf, "%.1fk", v / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

// A JSON number, or null for a figure the run could not measure.
std::string jsonNumber(bool have, std::uint64_t v) { return have ? std::to_string(v) : "null"; }

}  // namespace

CpuSample sampleCpu() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return {seconds(ru.ru_utime) + seconds(ru.ru_stime), monoNanos()};
}

double cpuPercent(const CpuSample& from, const CpuSample& to) {
  const double wall = static_cast<double>(to.wallNs - from.wallNs) / 1e9;
  return wall > 0 ? 100.0 * (to.cpuSeconds - from.cpuSeconds) / wall : 0;
}

void printSummary(const FanoutResult& r) {
  std::string pace = r.rate == 0 ? "max rate" : std::to_string(r.rate) + " msg/s";
  std::fprintf(stderr, "%s: %u publisher%s -> %u subscriber%s over %s, %s, %s\n", r.mode, r.publishers,
               r.publishers == 1 ? "" : "s", r.subscribers, r.subscribers == 1 ? "" : "s", r.transport, r.kind,
               pace.c_str());
  std::fprintf(stderr, "  %.1f s after %.1f s warm-up, window %u, %u thread%s, timing %s\n", r.durationSeconds,
               r.warmupSeconds, r.window, r.threads, r.threads == 1 ? "" : "s", r.timing);
  std::fprintf(stderr, "  sent        %12llu msgs  %12.0f /s\n", static_cast<unsigned long long>(r.sent),
               r.sentPerSecond());
  if (r.haveDeliveries) {
    std::fprintf(stderr, "  delivered   %12llu msgs  %12.0f /s  (expected %llu, lost %llu)\n",
                 static_cast<unsigned long long>(r.received), r.deliveriesPerSecond(),
                 static_cast<unsigned long long>(r.expected), static_cast<unsigned long long>(r.loss()));
    std::fprintf(stderr, "  latency us  p50 %llu  p90 %llu  p99 %llu  p99.9 %llu  max %llu\n",
                 static_cast<unsigned long long>(r.p50), static_cast<unsigned long long>(r.p90),
                 static_cast<unsigned long long>(r.p99), static_cast<unsigned long long>(r.p999),
                 static_cast<unsigned long long>(r.max));
  } else {
    std::fprintf(stderr, "  delivered   none: no subscribers (a write-throughput run)\n");
  }
  if (r.haveAcks)
    std::fprintf(stderr, "  ack us      p50 %llu  p99 %llu  p99.9 %llu  max %llu  (%llu ACKs, send -> ACK)\n",
                 static_cast<unsigned long long>(r.ackP50), static_cast<unsigned long long>(r.ackP99),
                 static_cast<unsigned long long>(r.ackP999), static_cast<unsigned long long>(r.ackMax),
                 static_cast<unsigned long long>(r.acks));
  if (r.rate != 0)
    std::fprintf(stderr, "  send lag us p50 %llu  p99 %llu  max %llu  (publisher behind its schedule)\n",
                 static_cast<unsigned long long>(r.sendLagP50), static_cast<unsigned long long>(r.sendLagP99),
                 static_cast<unsigned long long>(r.sendLagMax));
  std::fprintf(stderr, "  tool CPU    %.0f%% of one core%s\n", r.toolCpuPercent,
               std::string_view(r.timing) == "busy" ? " (busy polling: 100% per thread by design)" : "");
  if (r.closedSubscribers != 0)
    std::fprintf(stderr, "clasp-bench: warning: %u subscriber(s) lost their connection during the run\n",
                 r.closedSubscribers);
  if (r.publisherErrors != 0)
    std::fprintf(stderr, "clasp-bench: warning: the relay answered %llu message(s) with ERROR\n",
                 static_cast<unsigned long long>(r.publisherErrors));
  if (r.drainStalled)
    std::fprintf(stderr, "clasp-bench: warning: deliveries or ACKs stopped arriving before all expected ones did\n");
  // Busy polling uses every core it has by design; the CPU says nothing then.
  if (std::string_view(r.timing) != "busy") warnIfSaturated(r.toolCpuPercent, r.threads);
}

void warnIfSaturated(double toolCpuPercent, unsigned threads) {
  if (toolCpuPercent >= 90.0 * threads)
    std::fprintf(stderr,
                 "clasp-bench: warning: the tool used %.0f%% CPU with %u thread(s): it saturated itself, so "
                 "these figures may be the tool's limit rather than the server's\n",
                 toolCpuPercent, threads);
}

void printJson(const FanoutResult& r) {
  const bool d = r.haveDeliveries;
  const bool a = r.haveAcks;
  std::printf(
      "{\"mode\":\"%s\",\"transport\":\"%s\",\"kind\":\"%s\",\"timing\":\"%s\",\"publishers\":%u,\"subscribers\":%u,"
      "\"threads\":%u,\"rate\":%llu,\"window\":%u,"
      "\"duration_s\":%.3f,\"sent\":%llu,\"expected\":%llu,\"received\":%llu,\"sent_per_s\":%.1f,"
      "\"deliveries_per_s\":%.1f,\"loss\":%llu,\"p50_us\":%s,\"p90_us\":%s,\"p99_us\":%s,"
      "\"p999_us\":%s,\"max_us\":%s,\"ack_p50_us\":%s,\"ack_p99_us\":%s,\"ack_p999_us\":%s,\"ack_max_us\":%s,"
      "\"send_lag_p50_us\":%llu,\"send_lag_p99_us\":%llu,"
      "\"tool_cpu_percent\":%.1f,\"closed_subscribers\":%u,\"errors\":%llu}\n",
      r.mode, r.transport, r.kind, r.timing, r.publishers, r.subscribers, r.threads,
      static_cast<unsigned long long>(r.rate), r.window, r.durationSeconds,
      static_cast<unsigned long long>(r.sent), static_cast<unsigned long long>(r.expected),
      static_cast<unsigned long long>(r.received), r.sentPerSecond(), r.deliveriesPerSecond(),
      static_cast<unsigned long long>(r.loss()), jsonNumber(d, r.p50).c_str(), jsonNumber(d, r.p90).c_str(),
      jsonNumber(d, r.p99).c_str(), jsonNumber(d, r.p999).c_str(), jsonNumber(d, r.max).c_str(),
      jsonNumber(a, r.ackP50).c_str(), jsonNumber(a, r.ackP99).c_str(), jsonNumber(a, r.ackP999).c_str(),
      jsonNumber(a, r.ackMax).c_str(), static_cast<unsigned long long>(r.sendLagP50),
      static_cast<unsigned long long>(r.sendLagP99), r.toolCpuPercent, r.closedSubscribers,
      static_cast<unsigned long long>(r.publisherErrors));
  std::fflush(stdout);
}

void printProgress(const char* phase, double elapsedSeconds, double sentPerSecond, double deliveredPerSecond,
                   std::uint64_t inflight) {
  std::fprintf(stderr, "\r\033[K%-7s %5.1fs  sent %8s/s  delivered %8s/s  in flight %llu", phase, elapsedSeconds,
               human(sentPerSecond).c_str(), human(deliveredPerSecond).c_str(),
               static_cast<unsigned long long>(inflight));
  std::fflush(stderr);
}

void printSummary(const ConnsResult& r) {
  std::fprintf(stderr, "conns: %u connection%s over %s, %u at a time, %u thread%s, held %.1f s\n", r.connections,
               r.connections == 1 ? "" : "s", r.transport, r.concurrency, r.threads, r.threads == 1 ? "" : "s",
               r.holdSeconds);
  std::fprintf(stderr, "  ready       %8u  in %.3f s  = %.0f sessions/s\n", r.ready, r.setupSeconds,
               r.connectPerSecond());
  std::fprintf(stderr, "  failed      %8u\n", r.failed);
  if (r.dropped != 0) std::fprintf(stderr, "  dropped     %8u  (closed by the server during the hold)\n", r.dropped);
  if (r.haveMemory) {
    std::fprintf(stderr, "  server RSS  %llu -> %llu KiB  = %.0f bytes (%.2f KiB) per connection\n",
                 static_cast<unsigned long long>(r.rssBeforeKib), static_cast<unsigned long long>(r.rssAfterKib),
                 r.bytesPerConn(r.rssBeforeKib, r.rssAfterKib), r.bytesPerConn(r.rssBeforeKib, r.rssAfterKib) / 1024);
    std::fprintf(stderr, "  server anon %llu -> %llu KiB  = %.0f bytes (%.2f KiB) per connection\n",
                 static_cast<unsigned long long>(r.anonBeforeKib), static_cast<unsigned long long>(r.anonAfterKib),
                 r.bytesPerConn(r.anonBeforeKib, r.anonAfterKib),
                 r.bytesPerConn(r.anonBeforeKib, r.anonAfterKib) / 1024);
  }
  std::fprintf(stderr, "  tool CPU    %.0f%% of one core during setup\n", r.toolCpuPercent);
  if (r.failed != 0) std::fprintf(stderr, "clasp-bench: warning: %u connection(s) failed\n", r.failed);
  warnIfSaturated(r.toolCpuPercent, r.threads);
}

void printJson(const ConnsResult& r) {
  std::printf("{\"mode\":\"conns\",\"transport\":\"%s\",\"connections\":%u,\"concurrency\":%u,\"threads\":%u,"
              "\"ready\":%u,\"failed\":%u,\"dropped\":%u,\"setup_s\":%.3f,\"connect_per_s\":%.1f,",
              r.transport, r.connections, r.concurrency, r.threads, r.ready, r.failed, r.dropped, r.setupSeconds,
              r.connectPerSecond());
  if (r.haveMemory) {
    const double bytes = r.bytesPerConn(r.rssBeforeKib, r.rssAfterKib);
    std::printf("\"rss_before_kib\":%llu,\"rss_after_kib\":%llu,\"rss_anon_before_kib\":%llu,"
                "\"rss_anon_after_kib\":%llu,\"bytes_per_conn\":%.0f,\"kib_per_conn\":%.2f,"
                "\"anon_bytes_per_conn\":%.0f,",
                static_cast<unsigned long long>(r.rssBeforeKib), static_cast<unsigned long long>(r.rssAfterKib),
                static_cast<unsigned long long>(r.anonBeforeKib), static_cast<unsigned long long>(r.anonAfterKib),
                bytes, bytes / 1024, r.bytesPerConn(r.anonBeforeKib, r.anonAfterKib));
  } else {
    std::printf("\"rss_before_kib\":null,\"rss_after_kib\":null,\"rss_anon_before_kib\":null,"
                "\"rss_anon_after_kib\":null,\"bytes_per_conn\":null,\"kib_per_conn\":null,"
                "\"anon_bytes_per_conn\":null,");
  }
  std::printf("\"tool_cpu_percent\":%.1f}\n", r.toolCpuPercent);
  std::fflush(stdout);
}

void printConnsProgress(double elapsedSeconds, unsigned ready, double readyPerSecond, unsigned failed,
                        unsigned pending) {
  std::fprintf(stderr, "\r\033[Kconnect %5.1fs  ready %u (%s/s)  failed %u  opening %u", elapsedSeconds, ready,
               human(readyPerSecond).c_str(), failed, pending);
  std::fflush(stderr);
}

void endProgress() { std::fprintf(stderr, "\r\033[K"); }

}  // namespace clasp::bench
