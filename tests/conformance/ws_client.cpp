// Client: the Boost.Beast WebSocket client of the harness. It keeps exactly
// one async_read outstanding from connect to close and parks what it reads in
// an inbox; every public call runs the client's own io_context until its
// condition holds or its deadline passes, so no read is ever cancelled (a
// Beast stream is unusable after a cancelled read) and a client the test does
// not call really stops reading. Runs on the test thread only.
#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>

#include "harness.hpp"

namespace clasp::conformance {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
constexpr milliseconds kIoTimeout{5000};
}  // namespace

struct Incoming {
  bool binary = true;
  Bytes data;
};

struct Client::Impl {
  net::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buffer;
  websocket::response_type upgrade;
  std::deque<Incoming> inbox;
  bool connected = false;  // upgrade done
  bool readEnded = false;  // the read loop stopped: close frame, EOF or error
  beast::error_code readError;
  std::optional<std::uint16_t> closeCode;
  std::string closeReason;

  ~Impl() { dropSocket(); }

  void startRead() {
    ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
      if (ec) {
        readEnded = true;
        readError = ec;
        if (ec == websocket::error::closed) {
          closeCode = static_cast<std::uint16_t>(ws.reason().code);
          closeReason = std::string(ws.reason().reason.c_str());
        }
        return;
      }
      auto data = buffer.cdata();
      Incoming in;
      in.binary = ws.got_binary();
      in.data.assign(net::buffers_begin(data), net::buffers_end(data));
      inbox.push_back(std::move(in));
      buffer.consume(buffer.size());
      startRead();
    });
  }

  // Runs handlers until done() holds or the deadline passes; returns done().
  template <class Pred>
  bool runUntil(Pred done, SteadyClock::time_point deadline) {
    while (!done()) {
      if (SteadyClock::now() >= deadline) return false;
      if (ioc.stopped()) ioc.restart();
      std::size_t n = ioc.run_one_until(deadline);
      if (n == 0 && ioc.stopped() && !done() && SteadyClock::now() < deadline) {
        return false;  // no operation pending: nothing can change any more
      }
    }
    return true;
  }

  // Closes the socket and runs every pending handler to completion, so no
  // handler outlives the objects it refers to.
  void dropSocket() {
    beast::error_code ignored;
    auto& sock = beast::get_lowest_layer(ws).socket();
    if (sock.is_open()) {
      sock.shutdown(tcp::socket::shutdown_both, ignored);
      sock.close(ignored);
    }
    ioc.restart();
    ioc.run_for(std::chrono::seconds(2));
  }

  std::string endDescription() const {
    if (!readEnded) return "open";
    if (closeCode) {
      return "close " + std::to_string(*closeCode) + (closeReason.empty() ? "" : " '" + closeReason + "'");
    }
    return "ended without close frame (" + readError.message() + ")";
  }
};

Client::Client(std::string name) : impl_(std::make_unique<Impl>()), name_(std::move(name)) {}
Client::~Client() = default;

bool Client::connect(const Endpoint& ep, ConnectOptions options, Loc loc) {
  auto fail = [&](const std::string& what) {
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << name_ << ": " << what << " (" << ep.url() << ")";
    return false;
  };
  Impl& im = *impl_;
  beast::error_code ec;
  tcp::resolver resolver(im.ioc);
  auto results = resolver.resolve(ep.host, std::to_string(ep.port), ec);
  if (ec || results.empty()) return fail("cannot resolve host: " + ec.message());
  const tcp::endpoint target = results.begin()->endpoint();

  auto& sock = beast::get_lowest_layer(im.ws).socket();
  sock.open(target.protocol(), ec);
  if (ec) return fail("socket: " + ec.message());
  if (options.receiveBuffer > 0) {
    sock.set_option(net::socket_base::receive_buffer_size(options.receiveBuffer), ec);
  }
  bool done = false;
  sock.async_connect(target, [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  const auto deadline = SteadyClock::now() + kIoTimeout;
  if (!im.runUntil([&] { return done; }, deadline)) {
    im.dropSocket();
    return fail("TCP connect timed out");
  }
  if (ec) return fail("TCP connect failed: " + ec.message());
  sock.set_option(tcp::no_delay(true), ec);

  if (options.offerSubprotocol) {
    im.ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(http::field::sec_websocket_protocol, "clasp");
    }));
  }
  im.ws.read_message_max(64u << 20);
  im.ws.auto_fragment(false);
  done = false;
  const std::string host = ep.host + ":" + std::to_string(ep.port);
  im.ws.async_handshake(im.upgrade, host, "/", [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  if (!im.runUntil([&] { return done; }, SteadyClock::now() + kIoTimeout)) {
    im.dropSocket();
    return fail("WebSocket upgrade timed out");
  }
  if (ec) return fail("WebSocket upgrade failed: " + ec.message());
  im.ws.binary(true);
  im.connected = true;
  im.startRead();
  return true;
}

std::string Client::acceptedSubprotocol() const {
  auto it = impl_->upgrade.find(http::field::sec_websocket_protocol);
  return it == impl_->upgrade.end() ? std::string() : std::string(it->value());
}

bool Client::write(bool binary, std::span<const std::uint8_t> bytes, Loc loc, bool check) {
  Impl& im = *impl_;
  auto fail = [&](const std::string& what) {
    if (check) {
      ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line())) << name_ << ": " << what;
    }
    return false;
  };
  if (!im.connected) return fail("send on a client that is not connected");
  if (im.readEnded) return fail("send after the connection ended (" + im.endDescription() + ")");
  im.ws.binary(binary);
  bool done = false;
  beast::error_code ec;
  im.ws.async_write(net::buffer(bytes.data(), bytes.size()), [&](beast::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  if (!im.runUntil([&] { return done; }, SteadyClock::now() + kIoTimeout)) {
    im.dropSocket();  // completes the write handler before `done` goes out of scope
    im.connected = false;
    return fail("write of " + std::to_string(bytes.size()) + " bytes did not finish within 5 s");
  }
  if (ec) return fail("write failed: " + ec.message() + " (" + im.endDescription() + ")");
  return true;
}

bool Client::send(const Message& m, std::optional<QoS> qos, Loc loc) {
  Bytes f = frameOf(m, qos);
  if (f.empty()) return false;
  return write(true, f, loc, true);
}

bool Client::sendRaw(std::span<const std::uint8_t> bytes, Loc loc) { return write(true, bytes, loc, true); }

bool Client::trySendRaw(std::span<const std::uint8_t> bytes) {
  return write(true, bytes, Loc::current(), false);
}

bool Client::sendText(std::string_view text, Loc loc) {
  return write(false, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, loc, true);
}

bool Client::sendWebSocketPing(Loc loc) {
  Impl& im = *impl_;
  if (!im.connected || im.readEnded) {
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << name_ << ": ping on a connection that is not open (" << im.endDescription() << ")";
    return false;
  }
  bool done = false;
  beast::error_code ec;
  im.ws.async_ping({}, [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  if (!im.runUntil([&] { return done; }, SteadyClock::now() + kIoTimeout)) {
    im.dropSocket();
    im.connected = false;
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line())) << name_ << ": ping write timed out";
    return false;
  }
  if (ec) {
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << name_ << ": ping failed: " << ec.message();
    return false;
  }
  return true;
}

std::optional<Client::Greeting> Client::hello(std::uint8_t version, Loc loc) {
  Hello h;
  h.version = version;
  h.features = feature::kParam | feature::kEvent | feature::kStream | feature::kGesture |
               feature::kTimeline;
  h.name = name_;
  h.token = token_;
  if (!send(h, std::nullopt, loc) || !send(Ping{}, std::nullopt, loc)) return std::nullopt;
  auto welcome = expect<Welcome>(kExpectTimeout, loc);
  if (!welcome) return std::nullopt;
  session_ = welcome->session;
  Greeting g{std::move(*welcome), {}};
  for (;;) {
    auto m = expectAny("SNAPSHOT or PONG", kExpectTimeout, loc);
    if (!m) return std::nullopt;
    if (auto* s = std::get_if<Snapshot>(&m->variant())) {
      g.snapshots.push_back(std::move(*s));
      continue;
    }
    if (std::holds_alternative<Pong>(m->variant())) break;
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << name_ << ": between WELCOME and the PONG that follows the initial snapshot, received "
        << describe(*m);
    return std::nullopt;
  }
  if (g.snapshots.empty()) {
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << name_ << ": no SNAPSHOT between WELCOME and PONG (D-5: the initial snapshot is always "
                    "sent, even when empty)";
    return std::nullopt;
  }
  return g;
}

std::optional<Received> Client::nextFrame(milliseconds timeout) {
  Impl& im = *impl_;
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    if (!im.runUntil([&] { return !im.inbox.empty() || im.readEnded; }, deadline)) return std::nullopt;
    if (im.inbox.empty()) return std::nullopt;  // ended
    Incoming in = std::move(im.inbox.front());
    im.inbox.pop_front();
    if (!in.binary) {
      ADD_FAILURE() << name_ << ": server sent a text WebSocket message (CLASP uses binary only): "
                    << hex(in.data);
      continue;
    }
    auto d = decodeFrame(in.data);
    if (!d) {
      ADD_FAILURE() << name_ << ": server sent an undecodable frame (" << d.error().message
                    << "): " << hex(in.data);
      continue;
    }
    return Received{d->header, std::move(d->message), d->size, in.data.size()};
  }
}

std::optional<Message> Client::next(milliseconds timeout) {
  auto r = nextFrame(timeout);
  if (!r) return std::nullopt;
  return std::move(r->message);
}

std::optional<Message> Client::expectAny(const char* what, milliseconds timeout, Loc loc) {
  auto m = next(timeout);
  if (!m) {
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << name_ << ": expected " << what << " within " << timeout.count() << " ms, but "
        << (impl_->readEnded ? "the connection ended (" + impl_->endDescription() + ")"
                             : std::string("nothing arrived"));
  }
  return m;
}

std::optional<ErrorMsg> Client::expectError(std::uint16_t code, milliseconds timeout, Loc loc) {
  auto e = expect<ErrorMsg>(timeout, loc);
  if (e && e->code != code) {
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << name_ << ": expected ERROR " << code << " but received " << describe(*e);
    return std::nullopt;
  }
  return e;
}

bool Client::expectNothing(milliseconds window, Loc loc) {
  Impl& im = *impl_;
  im.runUntil([&] { return !im.inbox.empty() || im.readEnded; }, SteadyClock::now() + window);
  if (!im.inbox.empty()) {
    auto m = next(milliseconds(0));
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << name_ << ": expected nothing for " << window.count() << " ms, but received "
        << (m ? describe(*m) : std::string("an unreadable frame"));
    return false;
  }
  if (im.readEnded) {
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << name_ << ": expected nothing, but the connection ended (" << im.endDescription() << ")";
    return false;
  }
  return true;
}

bool Client::expectClose(std::uint16_t code, milliseconds timeout, Loc loc) {
  Impl& im = *impl_;
  const auto deadline = SteadyClock::now() + timeout;
  im.runUntil([&] { return !im.inbox.empty() || im.readEnded; }, deadline);
  if (!im.inbox.empty()) {
    auto m = next(milliseconds(0));
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << name_ << ": expected close " << code << " but received "
        << (m ? describe(*m) : std::string("an unreadable frame"));
    return false;
  }
  if (!im.readEnded) {
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << name_ << ": expected close " << code << " within " << timeout.count()
        << " ms, but the connection is still open";
    return false;
  }
  if (im.closeCode != code) {
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << name_ << ": expected close " << code << " but the connection " << im.endDescription();
    return false;
  }
  return true;
}

bool Client::pingPong(Loc loc) {
  if (!send(Ping{}, std::nullopt, loc)) return false;
  return expect<Pong>(kExpectTimeout, loc).has_value();
}

Client::Drained Client::drainUntilClosed(milliseconds timeout) {
  Drained d;
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) break;
    auto m = next(left);
    if (!m) break;
    d.messages.push_back(std::move(*m));
  }
  d.ended = impl_->readEnded && impl_->inbox.empty();
  d.closeCode = impl_->closeCode;
  return d;
}

bool Client::ended(milliseconds wait) {
  Impl& im = *impl_;
  if (!im.connected) return true;
  im.runUntil([&] { return im.readEnded; }, SteadyClock::now() + wait);
  if (!im.readEnded && wait.count() == 0) {
    if (im.ioc.stopped()) im.ioc.restart();
    im.ioc.poll();
  }
  return im.readEnded;
}

std::optional<std::uint16_t> Client::closeCode() const { return impl_->closeCode; }

std::string Client::endDescription() const { return impl_->endDescription(); }

void Client::close() {
  Impl& im = *impl_;
  if (im.connected && !im.readEnded) {
    bool done = false;
    im.ws.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
    im.runUntil([&] { return done && im.readEnded; }, SteadyClock::now() + milliseconds(2000));
  }
  im.dropSocket();  // also completes the close handler if it is still pending
  im.connected = false;
}

}  // namespace clasp::conformance
