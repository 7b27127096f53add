// FanoutShared: what the fan-out threads share. The main thread fills the
// schedule fields and then sets `sending` (release); loop threads read them
// after seeing `sending`. Counters each thread publishes are atomics in the
// Publisher and Subscriber objects themselves, stored once per batch.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

namespace clasp::bench {

class EventLoop;
class Subscriber;

struct FanoutShared {
  // Setup: sessions that finished their handshake (and subscription), and
  // connections that failed before that.
  std::atomic<unsigned> ready{0};
  std::atomic<unsigned> setupFailures{0};

  // Schedule, CLOCK_MONOTONIC. Messages whose send timestamp lies in
  // [windowStartUs, windowEndUs) are the measured ones.
  std::atomic<std::uint64_t> scheduleStartNs{0};
  std::atomic<std::uint64_t> windowStartUs{0};
  std::atomic<std::uint64_t> windowEndUs{UINT64_MAX};
  std::atomic<bool> sending{false};
  std::atomic<bool> stop{false};

  // Messages sent by all publishers together, added once per pump: the lag
  // bound compares it with the slowest subscriber's count.
  std::atomic<std::uint64_t> totalSent{0};

  // Set by a publisher blocked on its slowest subscriber when subscribers
  // run on other threads; the first of them to make progress wakes the
  // publishers' loops.
  std::atomic<bool> publisherWaiting{false};
  std::vector<EventLoop*> publisherLoops;

  // Fixed before the loops start; read by the publishers for the lag bound.
  std::vector<const Subscriber*> subscribers;

  // Lines printed about closed connections (the rest are only counted).
  std::atomic<unsigned> closeReports{0};
};

// Prints one "clasp-bench: <why>" line for the first few closed connections.
void reportClosed(FanoutShared& shared, const char* why);

// Any thread: wake every publisher loop except `self` (whose hooks run at
// the end of its current turn anyway).
void wakePublishers(FanoutShared& shared, const EventLoop* self);

}  // namespace clasp::bench
