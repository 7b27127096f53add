// Loops, the router's timer and the signals (stop, reload).
#include "transport/server.hpp"

#include <spdlog/spdlog.h>
#include <thread>

#include "log/fields.hpp"
#include "transport/router_section.hpp"

namespace clasp::transport {

namespace asio = boost::asio;

namespace {
unsigned threadCount(unsigned configured) {
  if (configured != 0) return configured;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}
}  // namespace

Server::Server(RouterHost& host, ServerConfig config)
    : host_(host),
      config_(std::move(config)),
      current_(std::make_shared<const ServerConfig>(config_)),
      loops_([&] {
        std::vector<std::unique_ptr<Loop>> v;
        for (unsigned i = 0; i < threadCount(config_.threads); ++i) v.push_back(std::make_unique<Loop>(i));
        return v;
      }()),
      tick_(loops_[0]->context()),
      signals_(loops_[0]->context(), SIGINT, SIGTERM, SIGHUP) {
  for (auto& l : loops_) work_.push_back(asio::make_work_guard(l->context()));
}

Server::~Server() { stop(); }

void Server::armTick() {
  // Gesture flushes need millisecond resolution; the other duties pace themselves.
  tick_.expires_after(std::chrono::milliseconds(4));
  tick_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    {
      RouterSection section(host_);
      section.router().tick();
    }
    for (auto& f : tickHooks_) f();
    armTick();
  });
}

void Server::armSignals() {
  signals_.async_wait([this](boost::system::error_code ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      slog::info({{"event", "signal"}, {"signal", "SIGHUP"}}, "SIGHUP received");
      for (auto& f : hangupHooks_) f();
      armSignals();
      return;
    }
    const char* name = sig == SIGINT ? "SIGINT" : "SIGTERM";
    if (shutdownHook_ && !shuttingDown_) {
      shuttingDown_ = true;
      slog::info({{"event", "signal"}, {"signal", name}}, "signal {} received, draining (a second one stops at once)",
                 sig);
      shutdownHook_();
      armSignals();
      return;
    }
    slog::info({{"event", "signal"}, {"signal", name}}, "signal {} received, stopping", sig);
    stop();
  });
}

void Server::run() {
  armSignals();
  armTick();
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < loops_.size(); ++i) threads.emplace_back([this, i] { loops_[i]->run(); });
  loops_[0]->run();
  for (auto& t : threads) t.join();
}

void Server::stop() {
  for (auto& l : loops_) l->context().stop();
}

}  // namespace clasp::transport
