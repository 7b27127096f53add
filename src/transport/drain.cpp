// Drain: see drain.hpp. The session count is read under the router lock on
// a short timer: leaving is driven by the clients, so there is nothing to
// wait on but the count.
#include "transport/drain.hpp"

#include <spdlog/spdlog.h>

#include "transport/router_section.hpp"

namespace clasp::transport {

namespace {
// Between the count checks; short against any drain timeout a user sets.
constexpr std::chrono::milliseconds kPollEvery{20};
// After the forced close: time for the close frames to be written.
constexpr std::chrono::seconds kCloseGrace{2};
}  // namespace

Drain::Drain(Server& server) : server_(server), timer_(server.loop(0).context()) {}

std::size_t Drain::clients() {
  RouterSection section(server_.host());
  return section.router().clientCount();
}

void Drain::start(std::chrono::seconds timeout) {
  active_.store(true, std::memory_order_relaxed);
  for (auto& stop : listeners_) stop();
  std::size_t n = 0;
  {
    RouterSection section(server_.host());
    section.router().announceShutdown();
    n = section.router().clientCount();
  }
  spdlog::info("shutting down: stopped accepting; waiting up to {} s for {} client(s) to leave", timeout.count(), n);
  deadline_ = std::chrono::steady_clock::now() + timeout;
  poll();
}

void Drain::poll() {
  const std::size_t n = clients();
  const auto now = std::chrono::steady_clock::now();
  if (n == 0) {
    // One more turn of the loops writes out the last close frames.
    if (!lastTurn_) {
      lastTurn_ = true;
      spdlog::info("shutting down: no clients left");
    } else {
      return server_.stop();
    }
  }
  if (now >= deadline_) {
    if (forced_) {
      spdlog::warn("shutting down: {} connection(s) did not close in time", n);
      return server_.stop();
    }
    forced_ = true;
    spdlog::info("shutting down: drain timeout, closing {} client(s)", n);
    {
      RouterSection section(server_.host());
      section.router().closeAll(router::CloseReason::GoingAway, "server shutting down");
    }
    deadline_ = now + kCloseGrace;
  }
  timer_.expires_after(kPollEvery);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) poll();
  });
}

}  // namespace clasp::transport
