// WebSocket connection: Beast handshake, then our own frame loop. The read
// side parses every complete frame in a read under one router lock (one lock
// per socket read, not per message); the write side swaps the queued bytes
// out and writes them with one async_write, so whatever the router queued
// while a write was in flight leaves in the next single write (corking).
// Lock order: host_.mutex before outMutex_, never the other way round.
#include "transport/websocket/ws_connection.hpp"

#include <boost/beast/websocket.hpp>
#include <cstring>
#include <spdlog/spdlog.h>

#include "core/codec.hpp"

namespace clasp::transport {

namespace http = beast::http;
namespace websocket = beast::websocket;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kInitialReadBuffer = 16 * 1024;
constexpr auto kCloseGrace = std::chrono::seconds(2);

ws::CloseCode closeCodeFor(router::CloseReason r) {
  switch (r) {
    case router::CloseReason::ProtocolError: return ws::CloseCode::ProtocolError;
    case router::CloseReason::PolicyViolation: return ws::CloseCode::PolicyViolation;
    case router::CloseReason::TryAgainLater: return ws::CloseCode::TryAgainLater;
    case router::CloseReason::Normal: return ws::CloseCode::Normal;
    case router::CloseReason::GoingAway: return ws::CloseCode::GoingAway;
  }
  return ws::CloseCode::ProtocolError;
}

// True when the comma-separated Sec-WebSocket-Protocol offer names "clasp".
bool offersClasp(std::string_view offer) {
  while (!offer.empty()) {
    std::size_t comma = offer.find(',');
    std::string_view item = offer.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == "clasp") return true;
    if (comma == std::string_view::npos) break;
    offer.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

WsConnection::WsConnection(tcp::socket socket, RouterHost& host, const ServerConfig& config)
    : host_(host),
      config_(config),
      handshake_(std::in_place, std::move(socket)),
      parser_(config.maxMessageSize, ws::Role::Server),
      housekeeping_(handshake_->get_executor()) {}

WsConnection::~WsConnection() = default;

void WsConnection::start() {
  started_ = lastActivity_ = Clock::now();
  // The whole upgrade must finish inside the handshake window (R1.1 Fix): a
  // silent client costs one timer, never the accept loop.
  handshake_->expires_after(std::chrono::seconds(config_.handshakeTimeoutSeconds));
  httpParser_.emplace();
  httpParser_->header_limit(16 * 1024);
  httpParser_->body_limit(16 * 1024);
  http::async_read(*handshake_, httpBuffer_, *httpParser_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onHttpRequest(ec); });
}

void WsConnection::onHttpRequest(beast::error_code ec) {
  if (ec) {
    if (ec != http::error::end_of_stream) spdlog::debug("http handshake failed: {}", ec.message());
    handshake_->socket().close(ec);
    return;
  }
  if (websocket::is_upgrade(httpParser_->get())) return acceptUpgrade();
  answerProbe();
}

void WsConnection::answerProbe() {
  // Health probes (protocol.md §2.1): any non-upgrade request gets "ok".
  static constexpr std::string_view kOk =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
  asio::async_write(*handshake_, asio::buffer(kOk.data(), kOk.size()),
                    [self = shared_from_this()](beast::error_code, std::size_t) {
                      beast::error_code ignored;
                      self->handshake_->socket().shutdown(tcp::socket::shutdown_both, ignored);
                      self->handshake_->socket().close(ignored);
                    });
}

void WsConnection::acceptUpgrade() {
  auto req = httpParser_->release();
  auto offer = req[http::field::sec_websocket_protocol];
  bool clasp = offersClasp(std::string_view(offer.data(), offer.size()));
  auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(*handshake_));
  handshake_.reset();
  ws->set_option(websocket::stream_base::decorator([clasp](websocket::response_type& res) {
    res.set(http::field::server, "clasp-relay");
    if (clasp) res.set(http::field::sec_websocket_protocol, "clasp");
  }));
  ws->async_accept(req, [self = shared_from_this(), ws](beast::error_code ec) {
    if (ec) {
      spdlog::debug("websocket upgrade refused: {}", ec.message());
      beast::error_code ignored;
      ws->next_layer().socket().close(ignored);
      return;
    }
    ws->next_layer().expires_never();
    tcp::socket socket = ws->next_layer().release_socket();
    auto rest = self->httpBuffer_.data();
    self->startFrames(std::move(socket),
                      {static_cast<const std::uint8_t*>(rest.data()), rest.size()});
  });
}

void WsConnection::startFrames(tcp::socket socket, std::span<const std::uint8_t> leftover) {
  socket_.emplace(std::move(socket));
  beast::error_code ignored;
  socket_->set_option(tcp::no_delay(true), ignored);
  readBuf_.resize(std::max(kInitialReadBuffer, leftover.size()));
  std::memcpy(readBuf_.data(), leftover.data(), leftover.size());
  readLen_ = leftover.size();
  httpBuffer_.clear();
  {
    std::lock_guard lock(host_.mutex);
    session_ = host_.router.open(*this);
  }
  if (!session_) {
    spdlog::info("connection refused: session limit reached");
    closeWith(ws::CloseCode::TryAgainLater, "too many sessions");
    startTimers();
    draining_ = true;
    doRead();
    return;
  }
  startTimers();
  if (readLen_ != 0 && !processInput()) return;
  doRead();
}

void WsConnection::doRead() {
  socket_->async_read_some(
      asio::buffer(readBuf_.data() + readLen_, readBuf_.size() - readLen_),
      [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->onRead(ec, n); });
}

void WsConnection::onRead(beast::error_code ec, std::size_t n) {
  if (ec) return terminate();  // EOF included: the peer is done
  if (draining_) {
    readLen_ = 0;  // closing: input is no longer interpreted
    return doRead();
  }
  readLen_ += n;
  lastActivity_ = Clock::now();
  if (!processInput()) {
    draining_ = true;
    readLen_ = 0;
  }
  doRead();
}

bool WsConnection::processInput() {
  bool peerClosed = false;
  ws::CloseCode peerCode = ws::CloseCode::Normal;
  ws::ParseResult r;
  {
    std::lock_guard lock(host_.mutex);
    r = parser_.parse(std::span<std::uint8_t>(readBuf_.data(), readLen_), [&](const ws::Event& ev) {
      switch (ev.kind) {
        case ws::EventKind::Message:
          if (ev.binary && session_) host_.router.handleMessage(session_, ev.payload);
          break;  // text messages are ignored (protocol.md §2.1)
        case ws::EventKind::Ping: queueControl(ws::Opcode::Pong, ev.payload); break;
        case ws::EventKind::Pong: break;
        case ws::EventKind::Close:
          peerClosed = true;
          peerCode = ev.closeCode;  // echoed back (RFC 6455 §5.5.1)
          break;
      }
    });
    if (!established_ && session_ && session_->established) established_ = true;
  }
  if (!r) {
    spdlog::debug("websocket protocol error: {}", r.error().reason);
    closeWith(r.error().code, r.error().reason);
    return false;
  }
  std::size_t used = *r;
  if (used != 0) {
    std::memmove(readBuf_.data(), readBuf_.data() + used, readLen_ - used);
    readLen_ -= used;
  }
  if (peerClosed) {
    closeWith(peerCode, "");
    return false;
  }
  if (readLen_ == readBuf_.size()) {
    // A frame larger than the buffer: grow to exactly its size (the parser
    // already refused anything over the limit, from its header alone).
    std::size_t need = std::max(parser_.pendingFrameSize(), readBuf_.size() + 1);
    readBuf_.resize(std::min(std::max(need, readBuf_.size() * 2), parser_.maxFrameSize()));
  }
  std::lock_guard g(outMutex_);
  return !closing_;
}

void WsConnection::send(std::span<const std::uint8_t> frame, router::Delivery kind) {
  std::lock_guard g(outMutex_);
  if (closing_) return;
  const std::size_t queued = pending_.size() + inflight_.size();
  if (queued + frame.size() > config_.queueHardLimit) {
    // D-15: past the hard limit the reader is too slow to keep; queued data
    // is dropped and the session closed with 501.
    spdlog::info("closing slow consumer: {} bytes queued", queued);
    pending_.clear();
    ErrorMsg e{501, "slow consumer", std::nullopt, std::nullopt};
    OutBuffer b;
    if (encodeFrame(e, b)) ws::appendFrame(pending_, ws::Opcode::Binary, b.span());
    ws::appendClose(pending_, ws::CloseCode::PolicyViolation, "slow consumer");
    closing_ = true;
    closeDeadline_ = Clock::now() + kCloseGrace;
    scheduleFlushLocked();
    return;
  }
  if (kind == router::Delivery::Droppable && queued > config_.queueSoftLimit) {
    ++dropped_;
    return;
  }
  std::uint8_t* p = pending_.grow(ws::headerSize(frame.size()) + frame.size());
  p += ws::writeHeader(p, ws::Opcode::Binary, frame.size());
  std::memcpy(p, frame.data(), frame.size());
  scheduleFlushLocked();
}

void WsConnection::close(router::CloseReason reason, std::string_view text) {
  closeWith(closeCodeFor(reason), text);
}

void WsConnection::queueControl(ws::Opcode op, std::span<const std::uint8_t> payload) {
  std::lock_guard g(outMutex_);
  if (closing_) return;
  ws::appendFrame(pending_, op, payload);
  scheduleFlushLocked();
}

void WsConnection::queueMessage(const Message& m) {
  OutBuffer b;
  if (!encodeFrame(m, b)) return;
  std::lock_guard g(outMutex_);
  if (closing_) return;
  ws::appendFrame(pending_, ws::Opcode::Binary, b.span());
  scheduleFlushLocked();
}

void WsConnection::closeWith(ws::CloseCode code, std::string_view reason) {
  std::lock_guard g(outMutex_);
  if (closing_) return;
  ws::appendClose(pending_, code, reason);
  closing_ = true;
  closeDeadline_ = Clock::now() + kCloseGrace;
  scheduleFlushLocked();
}

void WsConnection::scheduleFlushLocked() {
  if (flushPosted_ || writing_ || terminated_ || !socket_) return;
  flushPosted_ = true;
  asio::post(socket_->get_executor(), [self = shared_from_this()] { self->flush(); });
}

void WsConnection::flush() {
  std::unique_lock g(outMutex_);
  flushPosted_ = false;
  if (writing_ || terminated_) return;
  if (pending_.empty()) {
    if (closing_) {
      g.unlock();
      finishClose();
    }
    return;
  }
  std::swap(pending_, inflight_);
  writing_ = true;
  g.unlock();
  asio::async_write(*socket_, asio::buffer(inflight_.data(), inflight_.size()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->onWrite(ec, n); });
}

void WsConnection::onWrite(beast::error_code ec, std::size_t) {
  if (ec) return terminate();
  lastActivity_ = Clock::now();
  std::unique_lock g(outMutex_);
  inflight_.clear();
  writing_ = false;
  if (!pending_.empty()) {
    std::swap(pending_, inflight_);
    writing_ = true;
    g.unlock();
    asio::async_write(*socket_, asio::buffer(inflight_.data(), inflight_.size()),
                      [self = shared_from_this()](beast::error_code e, std::size_t n) { self->onWrite(e, n); });
    return;
  }
  if (closing_) {
    g.unlock();
    finishClose();
  }
}

void WsConnection::finishClose() {
  if (session_) {
    std::lock_guard lock(host_.mutex);
    host_.router.close(session_);
    session_ = nullptr;
  }
  beast::error_code ignored;
  socket_->shutdown(tcp::socket::shutdown_send, ignored);
  // The read loop is still running (draining_); EOF from the peer, or the
  // close deadline in onHousekeeping, ends the connection.
}

void WsConnection::startTimers() {
  housekeeping_.expires_after(std::chrono::seconds(1));
  housekeeping_.async_wait([self = shared_from_this()](beast::error_code ec) { self->onHousekeeping(ec); });
}

void WsConnection::onHousekeeping(beast::error_code ec) {
  if (ec) return;
  const auto now = Clock::now();
  bool overdue;
  {
    std::lock_guard g(outMutex_);
    if (terminated_) return;
    overdue = closeDeadline_ && now >= *closeDeadline_;
  }
  // The peer did not take the close frame in time (e.g. a slow consumer).
  if (overdue) return terminate();
  if (!established_ && now - started_ >= std::chrono::seconds(config_.handshakeTimeoutSeconds)) {
    spdlog::debug("closing connection: no HELLO within {} s", config_.handshakeTimeoutSeconds);
    closeWith(ws::CloseCode::ProtocolError, "handshake timeout");
  } else if (config_.sessionTimeoutSeconds != 0 &&
             now - lastActivity_ >= std::chrono::seconds(config_.sessionTimeoutSeconds)) {
    // D-16: traffic in either direction (client WebSocket pings included)
    // keeps a session; a session with none for the timeout is closed, never
    // left half-alive. The server sends no keepalive pings of its own: they
    // would count as traffic and no session could ever expire.
    spdlog::debug("closing idle session after {} s", config_.sessionTimeoutSeconds);
    queueMessage(ErrorMsg{502, "idle timeout", std::nullopt, std::nullopt});
    closeWith(ws::CloseCode::Normal, "idle timeout");
  }
  startTimers();
}

void WsConnection::terminate() {
  {
    std::lock_guard g(outMutex_);
    if (terminated_) return;
    terminated_ = true;
    closing_ = true;
  }
  if (session_) {
    std::lock_guard lock(host_.mutex);
    host_.router.close(session_);
    session_ = nullptr;
  }
  housekeeping_.cancel();
  if (socket_) {
    beast::error_code ignored;
    socket_->shutdown(tcp::socket::shutdown_both, ignored);
    socket_->close(ignored);
  }
}

}  // namespace clasp::transport
