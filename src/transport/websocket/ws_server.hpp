// WsServer: the WebSocket listener and the event-loop threads. One Loop per
// thread (one per core by default); the acceptor hands each new socket to the
// next loop in turn, and that loop owns the connection for its whole life.
// Loop 0 also drives the router's timers.
#pragma once

#include <boost/asio.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "transport/loop.hpp"
#include "transport/router_host.hpp"
#include "transport/server_config.hpp"

namespace clasp::transport {

class WsServer {
 public:
  WsServer(RouterHost& host, ServerConfig config);
  ~WsServer();

  // Binds and listens; returns the bound port (the kernel's pick for port 0).
  Result<std::uint16_t> listen();
  // Runs the loops until stop(); also stops on SIGINT/SIGTERM.
  void run();
  void stop();

 private:
  void doAccept();
  void armTick();

  RouterHost& host_;
  ServerConfig config_;
  std::vector<std::unique_ptr<Loop>> loops_;
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer tick_;
  boost::asio::signal_set signals_;
  std::size_t next_ = 0;
};

}  // namespace clasp::transport
