// Drain: the graceful shutdown of DECISIONS D-25, run on loop 0 when the
// first SIGTERM or SIGINT arrives. It stops the listeners accepting, tells
// every CLASP client ERROR 501 "shutting down" (MQTT clients get DISCONNECT
// 0x8B), then waits up to the drain timeout for the clients to leave. Whoever
// is still connected then is closed (WebSocket 1001), and once they are gone,
// or a short grace later, the loops stop; the program then flushes
// persistence and the journal and exits 0.
#pragma once

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <vector>

#include "transport/server.hpp"

namespace clasp::transport {

class Drain {
 public:
  explicit Drain(Server& server);
  // Registers a listener's "stop accepting" (before start()).
  void addListener(std::function<void()> stopAccepting) { listeners_.push_back(std::move(stopAccepting)); }
  // Loop 0 (the Server's shutdown hook).
  void start(std::chrono::seconds timeout);
  // Any thread: true from the first signal on (readiness reports not ready).
  bool active() const { return active_.load(std::memory_order_relaxed); }

 private:
  void poll();
  std::size_t clients();

  Server& server_;
  std::vector<std::function<void()>> listeners_;
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point deadline_{};
  bool forced_ = false;
  bool lastTurn_ = false;
  std::atomic<bool> active_{false};
};

}  // namespace clasp::transport
