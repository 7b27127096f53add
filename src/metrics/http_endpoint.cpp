// HttpEndpoint: accept loop and one Beast session per connection; see
// http_endpoint.hpp for the limits and the threading choice.
#include "metrics/http_endpoint.hpp"

#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>

#include "metrics/exposition.hpp"

namespace clasp::metrics {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// One client connection; pending handlers own it (Beast session pattern).
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, HttpEndpoint& owner) : stream_(std::move(socket)), owner_(owner) {
    ++owner_.open_;
  }
  ~HttpSession() { --owner_.open_; }

  void doRead() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(owner_.limits_.maxHeaderBytes));
    parser_->body_limit(0);  // none of our endpoints takes a body
    // The whole request must arrive in time, however slowly it trickles.
    stream_.expires_after(std::chrono::seconds(owner_.limits_.readTimeoutSeconds));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
  }

 private:
  void onRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream) return shutdown();
    if (ec == beast::error::timeout || ec == asio::error::operation_aborted) return;  // socket is closed
    if (ec) return reply(badRequest(), false);
    const auto& req = parser_->get();
    respond(req);
  }

  http::response<http::string_body> badRequest() {
    http::response<http::string_body> res{http::status::bad_request, 11};
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = "bad request\n";
    return res;
  }

  void respond(const http::request<http::empty_body>& req) {
    const bool head = req.method() == http::verb::head;
    std::string_view target(req.target().data(), req.target().size());
    target = target.substr(0, target.find('?'));
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::server, "clasp-metrics");
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    // A health-only endpoint (relay --health-port) has no metrics handler.
    const bool known = (target == "/metrics" && owner_.handlers_.metrics) || target == "/healthz" || target == "/readyz";
    if (!known) {
      res.result(http::status::not_found);
      res.body() = "not found\n";
    } else if (req.method() != http::verb::get && !head) {
      res.result(http::status::method_not_allowed);
      res.set(http::field::allow, "GET, HEAD");
      res.body() = "method not allowed\n";
    } else if (target == "/metrics") {
      res.set(http::field::content_type, std::string(kContentType));
      res.body() = owner_.handlers_.metrics ? owner_.handlers_.metrics() : std::string();
    } else if (target == "/healthz") {
      res.body() = "ok\n";
    } else {
      const bool ready = !owner_.handlers_.ready || owner_.handlers_.ready();
      res.result(ready ? http::status::ok : http::status::service_unavailable);
      res.body() = ready ? "ready\n" : "not ready\n";
    }
    res.prepare_payload();
    if (head) {
      // HEAD announces the length GET would send, and sends no body.
      const auto length = res.body().size();
      res.body().clear();
      res.content_length(length);
    }
    reply(std::move(res), req.keep_alive());
  }

  void reply(http::response<http::string_body> res, bool keepAlive) {
    res.keep_alive(keepAlive);
    auto owned = std::make_shared<http::response<http::string_body>>(std::move(res));
    auto serializer = std::make_shared<http::response_serializer<http::string_body>>(*owned);
    stream_.expires_after(std::chrono::seconds(owner_.limits_.readTimeoutSeconds));
    http::async_write(stream_, *serializer,
                      [self = shared_from_this(), owned, serializer, keepAlive](beast::error_code ec, std::size_t) {
                        if (ec) return;
                        if (!keepAlive) return self->shutdown();
                        self->doRead();
                      });
  }

  void shutdown() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  HttpEndpoint& owner_;
  beast::flat_buffer buffer_{8 * 1024};
  std::optional<http::request_parser<http::empty_body>> parser_;
};

HttpEndpoint::HttpEndpoint(HttpHandlers handlers, HttpLimits limits)
    : handlers_(std::move(handlers)), limits_(limits) {}

HttpEndpoint::~HttpEndpoint() { stop(); }

std::expected<std::uint16_t, std::string> HttpEndpoint::listen(const std::string& host, std::uint16_t port) {
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  auto failed = [&](const char* what) {
    return std::unexpected("cannot listen for HTTP on " + host + ":" + std::to_string(port) + ": " + what + ": " +
                           ec.message());
  };
  if (ec) return failed("bad address");
  tcp::endpoint endpoint(address, port);
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return failed("open");
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  acceptor_.bind(endpoint, ec);
  if (ec) {
    acceptor_.close();
    return failed("bind");
  }
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    acceptor_.close();
    return failed("listen");
  }
  return acceptor_.local_endpoint().port();
}

void HttpEndpoint::start() {
  doAccept();
  thread_ = std::thread([this] { context_.run(); });
}

void HttpEndpoint::stop() {
  if (!thread_.joinable()) return;
  context_.stop();
  thread_.join();
}

void HttpEndpoint::doAccept() {
  acceptor_.async_accept(context_, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (open_ >= limits_.maxConnections) {
        beast::error_code ignored;
        socket.close(ignored);  // over the cap: the scrape that matters finds a slot again soon
      } else {
        std::make_shared<HttpSession>(std::move(socket), *this)->doRead();
      }
    }
    doAccept();
  });
}

}  // namespace clasp::metrics
