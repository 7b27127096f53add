// EventLoop: one epoll instance driven by one thread, the bench tool's only I/O
// engine. Each turn runs the hooks (e.g. the publisher's pump), flushes every
// connection that queued output during the turn (so many frames leave in one
// write), then sleeps in epoll_pwait2 and dispatches readiness to handlers.
// The sleep's nanosecond timeout serves deadlines (rate mode) without a
// timerfd's extra syscalls; an eventfd lets other threads wake the loop.
// A timed sleep overshoots by the wake-up latency (tens of µs on a VM, even
// with 1 ns timer slack), which rate mode would report as its own send lag
// and add to every latency; in Spin mode the loop therefore sleeps only until
// a margin before the deadline and polls (epoll with a zero timeout, so I/O
// is still served) for the rest. The margin follows the p99.9 of the
// observed overshoot, so the loop spins only as long as this machine needs.
// BusyPoll never sleeps at all, which also spares every delivery the
// wake-up latency of a sleeping reader (as large again on a VM).
// Everything except wake() runs on the loop's thread, or before run() starts.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "bench/status.hpp"

namespace clasp::bench {

class EventLoop {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void onEvents(std::uint32_t events) = 0;
  };
  class Flushable {
   public:
    virtual ~Flushable() = default;
    virtual void flush() = 0;
  };

  enum class Timing : std::uint8_t {
    Sleep,     // sleep until the deadline (cheap, late by the wake-up latency)
    Spin,      // sleep until a margin before the deadline, then poll
    BusyPoll,  // never sleep: the lowest latency for I/O too, one core busy
  };

  EventLoop() = default;
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  Status<void> init();

  Status<void> add(int fd, std::uint32_t events, Handler* handler);
  Status<void> modify(int fd, std::uint32_t events, Handler* handler);
  void remove(int fd);

  // Wake no later than monoNs (CLOCK_MONOTONIC). Only the earliest deadline
  // is kept, and it is forgotten once passed: hooks re-arm every turn.
  void armTimer(std::uint64_t monoNs) {
    if (monoNs < deadline_) deadline_ = monoNs;
  }
  // Any thread: make the loop run a turn soon.
  void wake();
  // Queue f->flush() for the end of this turn. The caller keeps a flag so it
  // is queued at most once per turn.
  void scheduleFlush(Flushable* f) { dirty_.push_back(f); }
  // Called once per turn, before the flushes. Register before run().
  void addHook(std::function<void()> hook) { hooks_.push_back(std::move(hook)); }

  // Before run().
  void setTiming(Timing t) { timing_ = t; }

  // Runs turns until `stop` is set (then wake() the loop).
  void run(const std::atomic<bool>& stop);

 private:
  class Wakeup final : public Handler {
   public:
    void onEvents(std::uint32_t events) override;
    int fd = -1;
  };

  // The sleep's timeout in ns for the current deadline, or -1 for none.
  std::int64_t sleepNanos();
  void learnOvershoot(std::uint64_t ns);

  int epfd_ = -1;
  Timing timing_ = Timing::Sleep;
  std::uint64_t spinMargin_ = 50'000;  // ns; tracks the p99.9 of the overshoot
  std::uint64_t sleptUntil_ = 0;       // when the current timed sleep should end; 0 if untimed
  Wakeup wakeup_;
  std::uint64_t deadline_ = UINT64_MAX;
  std::vector<Flushable*> dirty_;
  std::vector<Flushable*> flushing_;
  std::vector<std::function<void()>> hooks_;
};

}  // namespace clasp::bench
