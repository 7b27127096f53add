// The connections benchmark: opens N sessions that each complete the
// handshake and subscribe to a pattern of their own (CLASP /conns/<i>/** with
// QoS Confirm, MQTT conns/<i>/#), at most --concurrency of them being set up
// at a time. Measures how fast sessions become ready and, given the server's
// pid, how much resident memory each one costs the server. runConns() owns
// the whole run: connections, threads, phases, the report.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace clasp::bench {

struct ConnsOptions {
  std::string url = "ws://127.0.0.1:7330";
  unsigned connections = 1000;
  unsigned concurrency = 256;  // sessions connecting/handshaking/subscribing at once
  double holdSeconds = 2;      // idle time after the last ready, before memory is read
  pid_t serverPid = 0;         // 0: no memory figures
  unsigned threads = 1;
};

// Runs the benchmark and prints the report. Returns the exit code: 0 after a
// completed run (failures are a result), 1 when no session got ready or the
// server's memory cannot be read, 2 for an unusable URL.
int runConns(const ConnsOptions& options);

}  // namespace clasp::bench
