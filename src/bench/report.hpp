// What the bench tool prints: the live progress lines (stderr, terminals
// only), the human summaries (stderr) and the one-line JSON results (stdout)
// of every mode, plus the CPU sampling behind tool_cpu_percent. Main thread
// only.
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
  const char* mode = "fanout";  // or "latency"
  const char* transport = "ws";
  const char* kind = "set";     // set | event (CLASP), qos0 (MQTT)
  const char* timing = "spin";  // spin | sleep | busy
  unsigned publishers = 1;
  unsigned subscribers = 0;
  unsigned threads = 1;
  std::uint64_t rate = 0;
  std::uint32_t window = 0;
  double warmupSeconds = 0;
  double durationSeconds = 0;
  std::uint64_t sent = 0;      // messages sent in the window, all publishers
  std::uint64_t expected = 0;  // sent x subscribers
  std::uint64_t received = 0;  // deliveries of those messages
  // Delivery latency, µs. With no subscribers (-n 0) there is none: null in
  // the JSON rather than a 0 that reads as a measurement.
  bool haveDeliveries = true;
  std::uint64_t p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
  // Rate mode: how late the publisher sent against its schedule (µs). The
  // latency counts from the schedule, so this part of it is the tool's.
  std::uint64_t sendLagP50 = 0, sendLagP99 = 0, sendLagMax = 0;
  // CLASP: send stamp -> ACK read, µs, over the window's ACKs. MQTT QoS 0
  // has no ACK (haveAcks false): the JSON says null, not 0.
  bool haveAcks = false;
  std::uint64_t acks = 0;
  std::uint64_t ackP50 = 0, ackP99 = 0, ackP999 = 0, ackMax = 0;
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

struct ConnsResult {
  const char* transport = "ws";
  unsigned connections = 0;
  unsigned concurrency = 0;
  unsigned threads = 1;
  unsigned ready = 0;    // sessions subscribed
  unsigned failed = 0;   // connections that never got there
  unsigned dropped = 0;  // ready sessions the server closed during the hold
  double setupSeconds = 0;  // first connect to last ready
  double holdSeconds = 0;
  bool haveMemory = false;  // --server-pid given and readable
  std::uint64_t rssBeforeKib = 0, rssAfterKib = 0;
  std::uint64_t anonBeforeKib = 0, anonAfterKib = 0;
  double toolCpuPercent = 0;  // over the setup

  double connectPerSecond() const { return setupSeconds > 0 ? ready / setupSeconds : 0; }
  // Server memory growth per ready session; negative growth reads as 0.
  double bytesPerConn(std::uint64_t beforeKib, std::uint64_t afterKib) const {
    if (ready == 0 || afterKib <= beforeKib) return 0;
    return static_cast<double>(afterKib - beforeKib) * 1024.0 / ready;
  }
};

void printSummary(const ConnsResult& r);
void printJson(const ConnsResult& r);

// Overwrites the progress line: phase, elapsed seconds, rates over the last interval.
void printProgress(const char* phase, double elapsedSeconds, double sentPerSecond, double deliveredPerSecond,
                   std::uint64_t inflight);
void printConnsProgress(double elapsedSeconds, unsigned ready, double readyPerSecond, unsigned failed,
                        unsigned pending);
void endProgress();

// The warning when the tool's own CPU may have been the limit.
void warnIfSaturated(double toolCpuPercent, unsigned threads);

}  // namespace clasp::bench
