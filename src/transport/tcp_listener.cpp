// Accept loop of one TCP listener.
#include "transport/tcp_listener.hpp"

#include <spdlog/spdlog.h>

namespace clasp::transport {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

TcpListener::TcpListener(Server& server, std::string what, Start start)
    : server_(server), what_(std::move(what)), start_(std::move(start)), acceptor_(server.loop(0).context()) {}

Result<std::uint16_t> TcpListener::listen(const std::string& host, std::uint16_t port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return fail(Errc::InternalError, "invalid bind address '" + host + "'");
  tcp::endpoint ep(address, port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return fail(Errc::InternalError,
                "cannot listen for " + what_ + " on " + host + ":" + std::to_string(port) + ": " + ec.message());
  doAccept();
  return acceptor_.local_endpoint().port();
}

void TcpListener::close() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

void TcpListener::doAccept() {
  Loop& loop = server_.nextLoop();
  acceptor_.async_accept(loop.context(), [this, &loop](boost::system::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
      spdlog::warn("{} accept failed: {}", what_, ec.message());
    } else {
      // Started on its own loop: the connection's handlers all run there.
      asio::post(loop.context(), [this, &loop, s = std::make_shared<tcp::socket>(std::move(socket))]() mutable {
        start_(std::move(*s), loop);
      });
    }
    doAccept();
  });
}

}  // namespace clasp::transport
