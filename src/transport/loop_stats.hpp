// LoopStats: what one event-loop thread counts for the metrics endpoint:
// frames dropped and sessions closed by the slow-consumer policy (D-15),
// bytes waiting in its connections' output queues, ERRORs its connections
// send themselves (idle timeout, slow consumer), and the latency of the
// messages it read. Each loop owns one and is its only writer (serial
// counters, no shared cache line between loops); the scrape sums the loops.
#pragma once

#include <array>
#include <cstdint>

#include "metrics/counter.hpp"
#include "metrics/histogram.hpp"
#include "router/router_stats.hpp"

namespace clasp::transport {

// Latency bounds in nanoseconds: 5 µs .. 1 s.
inline constexpr std::uint64_t kLatencyBoundsNs[] = {5'000,       10'000,      25'000,     50'000,
                                                     100'000,     250'000,     500'000,    1'000'000,
                                                     2'500'000,   5'000'000,   10'000'000, 25'000'000,
                                                     100'000'000, 1'000'000'000};

struct LoopStats {
  // D-15: Fire frames not queued because the reader was above the soft limit.
  metrics::SerialCounter droppedSoftLimit;
  // MQTT QoS 1 messages not queued for an absent client (queue full).
  metrics::SerialCounter droppedQueueFull;
  // Sessions closed at the hard limit, and the frames that did not fit.
  metrics::SerialCounter slowConsumerCloses;
  // Bytes queued for writing in this loop's connections (WebSocket, MQTT).
  metrics::SerialGauge queuedBytes;
  // ERROR frames sent by connections themselves, by code (501, 502).
  std::array<metrics::SerialCounter, router::RouterStats::kCodes> errors;
  // Per message type: from the read that brought a message to the end of
  // the router section that handled it (its replies and fan-out queued).
  std::array<metrics::Histogram, router::kMessageTypes.size()> latency = makeLatency();

 private:
  template <std::size_t... I>
  static std::array<metrics::Histogram, sizeof...(I)> latencyOf(std::index_sequence<I...>) {
    return {((void)I, metrics::Histogram(kLatencyBoundsNs))...};
  }
  static std::array<metrics::Histogram, router::kMessageTypes.size()> makeLatency() {
    return latencyOf(std::make_index_sequence<router::kMessageTypes.size()>{});
  }
};

}  // namespace clasp::transport
