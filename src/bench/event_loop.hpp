// EventLoop: one epoll instance driven by one thread, the bench tool's only I/O
// engine. Each turn runs the hooks (e.g. the publisher's pump), flushes every
// connection that queued output during the turn (so many frames leave in one
// write), then sleeps in epoll_pwait2 and dispatches readiness to handlers.
// The sleep's nanosecond timeout serves deadlines (rate mode) without a
// timerfd's extra syscalls; an eventfd lets other threads wake the loop.
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

  // Runs turns until `stop` is set (then wake() the loop).
  void run(const std::atomic<bool>& stop);

 private:
  class Wakeup final : public Handler {
   public:
    void onEvents(std::uint32_t events) override;
    int fd = -1;
  };

  int epfd_ = -1;
  Wakeup wakeup_;
  std::uint64_t deadline_ = UINT64_MAX;
  std::vector<Flushable*> dirty_;
  std::vector<Flushable*> flushing_;
  std::vector<std::function<void()>> hooks_;
};

}  // namespace clasp::bench
