// The fan-out benchmark: one publisher, N subscribers on one pattern, over
// WebSocket. Measures deliveries per second, loss (every message sent in the
// measurement window must reach every subscriber) and end-to-end latency.
// runFanout() owns the whole run: connections, threads, phases, the report.
#pragma once

#include <cstdint>
#include <string>

namespace clasp::bench {

enum class MessageKind : std::uint8_t { Set, Event };

struct FanoutOptions {
  std::string url = "ws://127.0.0.1:7330";
  unsigned subscribers = 100;
  double durationSeconds = 5;
  double warmupSeconds = 1;
  std::uint64_t rate = 0;      // messages per second; 0 = as fast as the window allows
  std::uint32_t window = 1000;  // unacknowledged messages, and lag of the slowest subscriber
  MessageKind kind = MessageKind::Set;
  unsigned threads = 1;
  unsigned addresses = 100;  // the publisher cycles over /bench/0 .. /bench/<addresses-1>
};

// Runs the benchmark and prints the report. Returns the exit code: 0 after a
// completed run (loss is a result, not an error), 1 when it could not run.
int runFanout(const FanoutOptions& options);

}  // namespace clasp::bench
