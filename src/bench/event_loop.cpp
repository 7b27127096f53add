// EventLoop implementation: epoll (level-triggered) with epoll_pwait2's
// nanosecond timeout for deadlines, eventfd for cross-thread wakeups, and the
// spin margin of Timing::Spin. See event_loop.hpp for the turn structure.
#include "bench/event_loop.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "bench/clock.hpp"

namespace clasp::bench {

namespace {
std::string sysError(const char* what) { return std::string(what) + ": " + std::strerror(errno); }
}  // namespace

EventLoop::~EventLoop() {
  if (wakeup_.fd >= 0) ::close(wakeup_.fd);
  if (epfd_ >= 0) ::close(epfd_);
}

Status<void> EventLoop::init() {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) return failure(sysError("epoll_create1"));
  wakeup_.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakeup_.fd < 0) return failure(sysError("eventfd"));
  if (auto ok = add(wakeup_.fd, EPOLLIN, &wakeup_); !ok) return ok;
  dirty_.reserve(1024);
  flushing_.reserve(1024);
  return {};
}

Status<void> EventLoop::add(int fd, std::uint32_t events, Handler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) return failure(sysError("epoll_ctl add"));
  return {};
}

Status<void> EventLoop::modify(int fd, std::uint32_t events, Handler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  if (epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) != 0) return failure(sysError("epoll_ctl mod"));
  return {};
}

void EventLoop::remove(int fd) { epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr); }

void EventLoop::wake() {
  const std::uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the loop will wake anyway.
  [[maybe_unused]] ssize_t n = ::write(wakeup_.fd, &one, sizeof one);
}

void EventLoop::Wakeup::onEvents(std::uint32_t) {
  std::uint64_t value = 0;
  [[maybe_unused]] ssize_t n = ::read(fd, &value, sizeof value);
}

std::int64_t EventLoop::sleepNanos() {
  sleptUntil_ = 0;
  const std::uint64_t deadline = deadline_;
  deadline_ = UINT64_MAX;  // the hooks re-arm what they still need
  if (timing_ == Timing::BusyPoll) return 0;
  if (deadline == UINT64_MAX) return -1;
  const std::uint64_t now = monoNanos();
  if (deadline <= now) return 0;
  std::uint64_t left = deadline - now;
  if (timing_ == Timing::Spin) {
    if (left <= spinMargin_) return 0;
    left -= spinMargin_;
    sleptUntil_ = now + left;
  }
  return static_cast<std::int64_t>(left);
}

void EventLoop::learnOvershoot(std::uint64_t ns) {
  // Frugal streaming quantile: one step up when above, 1/999 of a step
  // down when below, settles where 0.1 % of the samples lie above, i.e. the
  // p99.9. (The p99 is not enough: every wake past the margin delays a send,
  // so send lag's p99 would sit right at the edge.)
  constexpr std::uint64_t kStep = 2'000;
  constexpr std::uint64_t kDown = 2;
  constexpr std::uint64_t kMaxMargin = 1'000'000;
  if (ns > spinMargin_) spinMargin_ = std::min(spinMargin_ + kStep, kMaxMargin);
  else if (spinMargin_ > kDown) spinMargin_ -= kDown;
}

void EventLoop::run(const std::atomic<bool>& stop) {
  std::array<epoll_event, 256> events;
  for (;;) {
    for (auto& hook : hooks_) hook();
    // A flush can fail and close its connection, whose listener may queue
    // more work: flush from a second list so dirty_ can grow meanwhile.
    while (!dirty_.empty()) {
      flushing_.swap(dirty_);
      for (Flushable* f : flushing_) f->flush();
      flushing_.clear();
    }
    if (stop.load(std::memory_order_acquire)) return;
    timespec timeout{};
    timespec* wait = nullptr;  // no deadline: sleep until an event
    if (const std::int64_t left = sleepNanos(); left >= 0) {
      timeout.tv_sec = static_cast<time_t>(left / 1'000'000'000);
      timeout.tv_nsec = static_cast<long>(left % 1'000'000'000);
      wait = &timeout;
    }
    const int n = epoll_pwait2(epfd_, events.data(), static_cast<int>(events.size()), wait, nullptr);
    if (sleptUntil_ != 0) {
      // Woken by I/O before the target says nothing about the timer; past
      // it, the timer should have run us already, whatever woke us.
      const std::uint64_t now = monoNanos();
      if (now > sleptUntil_) learnOvershoot(now - sleptUntil_);
      else if (n == 0) learnOvershoot(0);
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "clasp-bench: epoll_pwait2: %s\n", std::strerror(errno));
      return;
    }
    for (int i = 0; i < n; ++i) static_cast<Handler*>(events[i].data.ptr)->onEvents(events[i].events);
  }
}

}  // namespace clasp::bench
