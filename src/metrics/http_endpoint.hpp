// HttpEndpoint: the observability HTTP server: GET /metrics (Prometheus
// text), /healthz (200 "ok" while the process serves) and /readyz (200 or
// 503, as the caller's readiness function says). HEAD is answered like GET
// without a body; other methods get 405, other paths 404.
//
// Threads: it runs its own io_context on its own thread, not on the relay's
// event loops, so rendering a scrape or a stuck HTTP client never delays
// CLASP traffic, and the handlers are called on that thread only. Every
// input is bounded: request head 8 KiB, no body, 10 s to send a request (a
// silent or trickling client is closed), 64 connections at once (further
// ones are closed on accept).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <expected>
#include <functional>
#include <string>
#include <thread>

namespace clasp::metrics {

struct HttpHandlers {
  std::function<std::string()> metrics;  // the exposition body; empty: no /metrics (404)
  std::function<bool()> ready;           // /readyz: true -> 200, false -> 503
};

struct HttpLimits {
  std::size_t maxHeaderBytes = 8 * 1024;
  std::uint32_t readTimeoutSeconds = 10;
  std::size_t maxConnections = 64;
};

class HttpEndpoint {
 public:
  explicit HttpEndpoint(HttpHandlers handlers, HttpLimits limits = {});
  ~HttpEndpoint();  // stop()
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // Binds host:port (0 = the kernel picks) and listens; the bound port, or a
  // one-line reason ("cannot listen on ...: Address already in use").
  std::expected<std::uint16_t, std::string> listen(const std::string& host, std::uint16_t port);
  // Starts accepting on the endpoint's own thread.
  void start();
  // Closes the listener and every connection and joins the thread.
  void stop();

 private:
  friend class HttpSession;
  void doAccept();

  HttpHandlers handlers_;
  HttpLimits limits_;
  // Endpoint thread only. Declared before the context: sessions still
  // queued in it decrement this when the context is destroyed.
  std::size_t open_ = 0;
  boost::asio::io_context context_{1};
  boost::asio::ip::tcp::acceptor acceptor_{context_};
  std::thread thread_;
};

}  // namespace clasp::metrics
