// Server: the event-loop threads every front door shares (one Loop per
// thread, one per core by default), the router's timer, SIGINT/SIGTERM and
// SIGHUP.
// Listeners (tcp_listener.hpp for WebSocket and MQTT, the OSC socket) attach
// to it; each connection lives on one loop for its whole life. Loop 0 also
// drives the router's timers.
#pragma once

#include <boost/asio.hpp>
#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "transport/loop.hpp"
#include "transport/router_host.hpp"
#include "transport/server_config.hpp"

namespace clasp::transport {

class Server {
 public:
  Server(RouterHost& host, ServerConfig config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  RouterHost& host() { return host_; }
  // The settings new connections take. A reload may replace them
  // (setConfig); each connection keeps the ones it was accepted with.
  std::shared_ptr<const ServerConfig> config() const { return current_.load(); }
  void setConfig(ServerConfig config) { current_.store(std::make_shared<const ServerConfig>(std::move(config))); }
  std::size_t loopCount() const { return loops_.size(); }
  Loop& loop(std::size_t i) { return *loops_[i]; }
  // The loop for the next accepted connection (round robin).
  Loop& nextLoop() { return *loops_[next_++ % loops_.size()]; }

  // Runs the loops until stop(); also stops on SIGINT/SIGTERM.
  void run();
  void stop();
  // Called on loop 0 after the router's timer ran (adapters' own sweeps).
  void onTick(std::function<void()> f) { tickHooks_.push_back(std::move(f)); }
  // Called on loop 0 at the first SIGTERM/SIGINT instead of stopping at
  // once (the graceful drain, drain.hpp); the second one stops at once.
  void onShutdown(std::function<void()> f) { shutdownHook_ = std::move(f); }
  // Called on loop 0 when SIGHUP arrives (configuration reload, log reopen).
  void onHangup(std::function<void()> f) { hangupHooks_.push_back(std::move(f)); }

 private:
  void armTick();
  void armSignals();

  RouterHost& host_;
  ServerConfig config_;  // as started: threads, host
  std::atomic<std::shared_ptr<const ServerConfig>> current_;
  std::vector<std::unique_ptr<Loop>> loops_;
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  boost::asio::steady_timer tick_;
  boost::asio::signal_set signals_;
  std::vector<std::function<void()>> tickHooks_;
  std::vector<std::function<void()>> hangupHooks_;
  std::function<void()> shutdownHook_;
  bool shuttingDown_ = false;
  std::size_t next_ = 0;
};

}  // namespace clasp::transport
