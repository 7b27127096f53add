// The fan-out benchmark: P publishers, N subscribers on one pattern, over
// CLASP/WebSocket or MQTT. Measures deliveries per second, loss (every
// message sent in the measurement window must reach every subscriber),
// end-to-end latency and, on CLASP, how long a publisher waits for each ACK.
// With no subscribers (CLASP only) it is a pure write-throughput run. The
// latency mode is the same run with one publisher, one subscriber and a
// fixed rate, reported under its own name.
// runFanout() owns the whole run: connections, threads, phases, the report.
#pragma once

#include <cstdint>
#include <string>

#include "bench/client_conn.hpp"
#include "bench/event_loop.hpp"

namespace clasp::bench {

struct FanoutOptions {
  const char* mode = "fanout";  // the name in reports: "fanout" or "latency"
  std::string url = "ws://127.0.0.1:7330";
  unsigned subscribers = 100;  // 0: CLASP only, a write-throughput run
  unsigned publishers = 1;
  double durationSeconds = 5;
  double warmupSeconds = 1;
  std::uint64_t rate = 0;       // messages per second, all publishers together; 0 = as fast as the window allows
  std::uint32_t window = 1000;  // unanswered messages per publisher, and lag of the slowest subscriber
  MessageKind kind = MessageKind::Set;
  unsigned threads = 1;
  unsigned addresses = 100;  // each publisher cycles over this many addresses
  // How the publishers' loops wait for the next scheduled send (rate mode).
  EventLoop::Timing timing = EventLoop::Timing::Spin;
};

// Runs the benchmark and prints the report. Returns the exit code: 0 after a
// completed run (loss is a result, not an error), 1 when it could not run,
// 2 for an unusable URL.
int runFanout(const FanoutOptions& options);

}  // namespace clasp::bench
