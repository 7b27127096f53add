// Counters and gauges cheap enough for the hot path. Two kinds, chosen by
// who writes: Counter takes increments from any thread (an atomic add, for
// rare events such as drops); SerialCounter and SerialGauge have one writer
// at a time (the router under its lock, or one event-loop thread), so an
// increment is a relaxed load and store: plain moves, no locked instruction.
// Readers (the scrape) may run on any thread at any time and see a recent
// value; nothing here orders other memory.
#pragma once

#include <atomic>
#include <cstdint>

namespace clasp::metrics {

class Counter {
 public:
  void add(std::uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

// Writers must be serialised (same thread, or a lock that orders them).
class SerialCounter {
 public:
  void add(std::uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  std::uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

// A level that moves both ways (queued bytes); same writer rule.
class SerialGauge {
 public:
  void add(std::int64_t n) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void set(std::int64_t n) { v_.store(n, std::memory_order_relaxed); }
  std::int64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> v_{0};
};

}  // namespace clasp::metrics
