// What the bench tool prints: the live progress line (stderr, terminals
// only), the human summary (stderr) and the one-line JSON result (stdout),
// plus the CPU sampling behind tool_cpu_percent. Main thread only.
#pragma once

#include <cstdint>

namespace clasp::bench {

// Process CPU time (all threads, user + system) at a moment in time.
struct CpuSample {
  double cpuSeconds = 0;
  std::uint64_t wallNs = 0;
};
CpuSample sampleCpu();
// CPU used between two samples as a percentage of one core (top's convention).
double cpuPercent(const CpuSample& from, const CpuSample& to);

struct FanoutResult {
  const char* kind = "set";
  unsigned subscribers = 0;
  unsigned threads = 1;
  std::uint64_t rate = 0;
  std::uint32_t window = 0;
  double warmupSeconds = 0;
  double durationSeconds = 0;
  std::uint64_t sent = 0;      // messages sent in the window
  std::uint64_t expected = 0;  // sent x subscribers
  std::uint64_t received = 0;  // deliveries of those messages
  std::uint64_t p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;  // µs
  // Rate mode: how late the publisher sent against its schedule (µs). The
  // latency counts from the schedule, so this part of it is the tool's.
  std::uint64_t sendLagP50 = 0, sendLagP99 = 0, sendLagMax = 0;
  double toolCpuPercent = 0;
  unsigned closedSubscribers = 0;
  std::uint64_t publisherErrors = 0;
  bool drainStalled = false;

  std::uint64_t loss() const { return expected > received ? expected - received : 0; }
  double sentPerSecond() const { return static_cast<double>(sent) / durationSeconds; }
  double deliveriesPerSecond() const { return static_cast<double>(received) / durationSeconds; }
};

void printSummary(const FanoutResult& r);
void printJson(const FanoutResult& r);

// Overwrites the progress line: phase, elapsed seconds, rates over the last interval.
void printProgress(const char* phase, double elapsedSeconds, double sentPerSecond, double deliveredPerSecond,
                   std::uint64_t inflight);
void endProgress();

}  // namespace clasp::bench
