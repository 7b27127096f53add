// Listener and loops. Accepting never waits on a client: every handshake
// runs inside its own connection with a deadline (router.md R1.1 Fix).
#include "transport/websocket/ws_server.hpp"

#include <spdlog/spdlog.h>

#include "transport/router_section.hpp"
#include "transport/websocket/ws_connection.hpp"

namespace clasp::transport {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
unsigned threadCount(unsigned configured) {
  if (configured != 0) return configured;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}
}  // namespace

WsServer::WsServer(RouterHost& host, ServerConfig config)
    : host_(host),
      config_(std::move(config)),
      loops_([&] {
        std::vector<std::unique_ptr<Loop>> v;
        for (unsigned i = 0; i < threadCount(config_.threads); ++i) v.push_back(std::make_unique<Loop>(i));
        return v;
      }()),
      acceptor_(loops_[0]->context()),
      tick_(loops_[0]->context()),
      signals_(loops_[0]->context(), SIGINT, SIGTERM) {
  for (auto& l : loops_) work_.push_back(asio::make_work_guard(l->context()));
}

WsServer::~WsServer() { stop(); }

Result<std::uint16_t> WsServer::listen() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(config_.host, ec);
  if (ec) return fail(Errc::InternalError, "invalid bind address '" + config_.host + "'");
  tcp::endpoint ep(address, config_.port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return fail(Errc::InternalError, "cannot listen on " + config_.host + ":" +
                                         std::to_string(config_.port) + ": " + ec.message());
  return acceptor_.local_endpoint().port();
}

void WsServer::doAccept() {
  Loop& loop = *loops_[next_++ % loops_.size()];
  acceptor_.async_accept(loop.context(), [this, &loop](boost::system::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
      spdlog::warn("accept failed: {}", ec.message());
    } else {
      // Started on its own loop: the connection's handlers all run there.
      asio::post(loop.context(), [this, &loop, s = std::make_shared<tcp::socket>(std::move(socket))]() mutable {
        std::make_shared<WsConnection>(std::move(*s), loop, host_, config_)->start();
      });
    }
    doAccept();
  });
}

void WsServer::armTick() {
  // Gesture flushes need millisecond resolution; the other duties pace themselves.
  tick_.expires_after(std::chrono::milliseconds(4));
  tick_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    {
      RouterSection section(host_);
      section.router().tick();
    }
    armTick();
  });
}

void WsServer::run() {
  signals_.async_wait([this](boost::system::error_code ec, int sig) {
    if (ec) return;
    spdlog::info("signal {} received, stopping", sig);
    stop();
  });
  if (acceptor_.is_open()) doAccept();
  armTick();
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < loops_.size(); ++i) threads.emplace_back([this, i] { loops_[i]->run(); });
  loops_[0]->run();
  for (auto& t : threads) t.join();
}

void WsServer::stop() {
  for (auto& l : loops_) l->context().stop();
}

}  // namespace clasp::transport
