// TcpListener: one listening TCP socket of a Server (WebSocket, MQTT). Each
// accepted socket is handed to the next loop, where `start` builds the
// protocol's connection; accepting never waits on a client (R1.1 Fix).
#pragma once

#include <boost/asio.hpp>
#include <cstdint>
#include <functional>
#include <string>

#include "core/result.hpp"
#include "transport/server.hpp"

namespace clasp::transport {

class TcpListener {
 public:
  // Runs on the connection's loop thread, which owns it from then on.
  using Start = std::function<void(boost::asio::ip::tcp::socket, Loop&)>;

  TcpListener(Server& server, std::string what, Start start);

  // Binds and listens on host:port; returns the bound port (the kernel's
  // pick for port 0). Accepting starts at once (the loops may run later).
  Result<std::uint16_t> listen(const std::string& host, std::uint16_t port);
  // Stops accepting (shutdown); connections already accepted go on. Loop 0.
  void close();

 private:
  void doAccept();

  Server& server_;
  std::string what_;
  Start start_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace clasp::transport
