// WebSocket connection: Beast handshake, then our own frame loop. The read
// side waits for readability, reads into the loop's shared buffer, decodes
// frames without any lock and hands them to the router in batches (one lock
// per batch, not per message); the write side swaps the queued bytes out and
// writes them with one async_write, so whatever arrived while a write was in
// flight leaves in the next single write (corking).
#include "transport/websocket/ws_connection.hpp"

#include <algorithm>
#include <array>
#include <boost/beast/websocket.hpp>
#include <cstring>
#include <spdlog/spdlog.h>
#include <string>
#include <utility>

#include "core/codec.hpp"
#include "log/fields.hpp"
#include "transport/router_section.hpp"

namespace clasp::transport {

namespace http = beast::http;
namespace websocket = beast::websocket;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kCloseGrace = std::chrono::seconds(2);
// Frames decoded before the router lock is taken for them.
constexpr std::size_t kDispatchBatch = 256;
// Reads per readiness before yielding the loop to other connections.
constexpr int kReadsPerTurn = 4;

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

WsConnection::WsConnection(tcp::socket socket, Loop& loop, RouterHost& host,
                           std::shared_ptr<const ServerConfig> config)
    : loop_(loop),
      host_(host),
      configHold_(std::move(config)),
      config_(*configHold_),
      handshake_(std::make_unique<Handshake>(std::move(socket))),
      parser_(config_.maxMessageSize, ws::Role::Server),
      housekeeping_(handshake_->stream.get_executor()) {}

WsConnection::~WsConnection() = default;

void WsConnection::start() {
  started_ = lastActivity_ = Clock::now();
  // The whole upgrade must finish inside the handshake window (R1.1 Fix): a
  // silent client costs one timer, never the accept loop.
  handshake_->stream.expires_after(std::chrono::seconds(config_.handshakeTimeoutSeconds));
  handshake_->parser.header_limit(16 * 1024);
  handshake_->parser.body_limit(16 * 1024);
  http::async_read(handshake_->stream, handshake_->buffer, handshake_->parser,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onHttpRequest(ec); });
}

void WsConnection::onHttpRequest(beast::error_code ec) {
  if (ec) {
    if (ec != http::error::end_of_stream) spdlog::debug("http handshake failed: {}", ec.message());
    handshake_->stream.socket().close(ec);
    return;
  }
  if (websocket::is_upgrade(handshake_->parser.get())) return acceptUpgrade();
  answerProbe();
}

void WsConnection::answerProbe() {
  // Health probes (protocol.md §2.1): any non-upgrade request gets "ok".
  static constexpr std::string_view kOk =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
  asio::async_write(handshake_->stream, asio::buffer(kOk.data(), kOk.size()),
                    [self = shared_from_this()](beast::error_code, std::size_t) {
                      beast::error_code ignored;
                      self->handshake_->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
                      self->handshake_->stream.socket().close(ignored);
                    });
}

void WsConnection::acceptUpgrade() {
  auto req = handshake_->parser.release();
  auto offer = req[http::field::sec_websocket_protocol];
  bool clasp = offersClasp(std::string_view(offer.data(), offer.size()));
  auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(handshake_->stream));
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
    auto rest = self->handshake_->buffer.data();
    std::vector<std::uint8_t> leftover(static_cast<const std::uint8_t*>(rest.data()),
                                       static_cast<const std::uint8_t*>(rest.data()) + rest.size());
    self->handshake_.reset();  // give the handshake's memory back
    self->startFrames(std::move(socket), std::move(leftover));
  });
}

void WsConnection::startFrames(tcp::socket socket, std::vector<std::uint8_t> leftover) {
  socket_.emplace(std::move(socket));
  beast::error_code ignored;
  socket_->set_option(tcp::no_delay(true), ignored);
  socket_->non_blocking(true, ignored);
  {
    RouterSection section(host_);
    session_ = section.router().open(*this);
  }
  startTimers();
  if (!session_) {
    slog::info({{"event", "session_refused"}, {"reason", "session limit"}}, "connection refused: session limit reached");
    closeWith(ws::CloseCode::TryAgainLater, "too many sessions");
    draining_ = true;
    waitReadable();
    return;
  }
  if (!leftover.empty()) {
    // Frames that arrived with the upgrade request.
    auto used = processInput(leftover);
    if (!used) {
      draining_ = true;
    } else {
      keepPartial(std::span<const std::uint8_t>(leftover).subspan(*used));
    }
  }
  waitReadable();
}

void WsConnection::waitReadable() {
  socket_->async_wait(tcp::socket::wait_read,
                      [self = shared_from_this()](beast::error_code ec) { self->onReadable(ec); });
}

void WsConnection::onReadable(beast::error_code ec) {
  if (ec || terminated_) return terminate();
  for (int i = 0; i < kReadsPerTurn; ++i) {
    switch (readOnce()) {
      case ReadOutcome::Closed: return terminate();
      case ReadOutcome::Drained: return waitReadable();
      case ReadOutcome::More: break;
    }
  }
  // Still more to read: let the loop's other connections run first.
  asio::post(socket_->get_executor(), [self = shared_from_this()] { self->onReadable({}); });
}

WsConnection::ReadOutcome WsConnection::readOnce() {
  beast::error_code ec;
  const std::size_t pending = parser_.pendingFrameSize();
  if (partial_.len != 0 && pending > Loop::kReadBuffer) {
    // A frame larger than the loop's buffer grows in its own buffer, sized to
    // exactly that frame (the parser refused anything over the limit already).
    if (partial_.bytes.size() < pending) partial_.bytes.resize(pending);
    std::size_t n = socket_->read_some(asio::buffer(partial_.bytes.data() + partial_.len, pending - partial_.len), ec);
    if (ec == asio::error::would_block) return ReadOutcome::Drained;
    if (ec) return ReadOutcome::Closed;
    partial_.len += n;
    lastActivity_ = Clock::now();
    if (partial_.len < pending) return ReadOutcome::More;
    std::vector<std::uint8_t> frame = std::move(partial_.bytes);
    partial_.bytes.clear();
    partial_.len = 0;
    auto used = draining_ ? std::optional<std::size_t>(pending) : processInput({frame.data(), pending});
    if (!used) draining_ = true;
    return ReadOutcome::More;
  }
  std::span<std::uint8_t> buf = loop_.readBuffer();
  // The incomplete frame from the last read goes in front of the new bytes;
  // partial_ keeps it until the read succeeds.
  if (partial_.len != 0) std::memcpy(buf.data(), partial_.bytes.data(), partial_.len);
  const std::size_t have = partial_.len;
  const std::size_t room = buf.size() - have;
  std::size_t n = socket_->read_some(asio::buffer(buf.data() + have, room), ec);
  if (ec == asio::error::would_block) return ReadOutcome::Drained;
  if (ec) return ReadOutcome::Closed;  // EOF included: the peer is done
  const ReadOutcome next = n == room ? ReadOutcome::More : ReadOutcome::Drained;
  if (draining_) {
    partial_.len = 0;  // closing: input is no longer interpreted
    return next;
  }
  lastActivity_ = Clock::now();
  std::span<std::uint8_t> data = buf.first(have + n);
  auto used = processInput(data);
  if (!used) {
    draining_ = true;
    partial_.len = 0;
    return next;
  }
  keepPartial(data.subspan(*used));
  return next;
}

void WsConnection::keepPartial(std::span<const std::uint8_t> rest) { partial_.keep(rest); }

std::optional<std::size_t> WsConnection::processInput(std::span<std::uint8_t> data) {
  auto& batch = loop_.decodeBatch();
  std::size_t used = 0;
  for (;;) {
    std::size_t count = 0;
    bool peerClosed = false;
    ws::CloseCode peerCode = ws::CloseCode::Normal;
    auto r = parser_.parse(data.subspan(used), [&](const ws::Event& ev) {
      switch (ev.kind) {
        case ws::EventKind::Message:
          if (!ev.binary || !session_) break;  // text messages are ignored (protocol.md §2.1)
          if (count == batch.size()) batch.emplace_back();
          if (auto ok = router::Router::decodeInbound(ev.payload, batch[count].frame); !ok) {
            batch[count].error = ok.error();
          } else {
            batch[count].error.reset();
          }
          ++count;
          break;
        case ws::EventKind::Ping: queueControl(ws::Opcode::Pong, ev.payload); break;
        case ws::EventKind::Pong: break;
        case ws::EventKind::Close:
          peerClosed = true;
          peerCode = ev.closeCode;  // echoed back (RFC 6455 §5.5.1)
          return false;
      }
      return count < kDispatchBatch;
    });
    if (count != 0) dispatchBatch(count);
    if (!r) {
      slog::debug({{"event", "session_close"}, {"reason", r.error().reason}}, "websocket protocol error: {}",
                  r.error().reason);
      closeWith(r.error().code, r.error().reason);
      return std::nullopt;
    }
    used += *r;
    if (peerClosed) {
      closeWith(peerCode, "");
      return std::nullopt;
    }
    if (closing_) return std::nullopt;
    if (count < kDispatchBatch || *r == 0) return used;
  }
}

void WsConnection::dispatchBatch(std::size_t count) {
  auto& batch = loop_.decodeBatch();
  std::optional<std::pair<std::string, std::string>> opened;  // id, name: logged outside the lock
  // Messages per type in this batch: one latency observation per type, one
  // clock read per batch (the read already stamped lastActivity_).
  std::array<std::uint32_t, router::kMessageTypes.size()> types{};
  {
    RouterSection section(host_);
    router::Router& router = section.router();
    for (std::size_t i = 0; i < count && session_; ++i) {
      if (batch[i].error) {
        router.rejectInbound(session_, *batch[i].error);
      } else {
        ++types[router::typeSlot(batch[i].frame.message.type())];
        router.handleDecoded(session_, batch[i].frame);
      }
    }
    if (!established_ && session_ && session_->established) {
      established_ = true;
      if (spdlog::should_log(spdlog::level::debug)) opened.emplace(session_->id, session_->name);
    }
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - lastActivity_).count();
  const auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(elapsed, 0));
  for (std::size_t t = 0; t < types.size(); ++t)
    if (types[t] != 0) loop_.stats().latency[t].observe(ns, types[t]);
  // The name is the client's own text: the formatter escapes it.
  if (opened) slog::debug({{"event", "session_open"}, {"session", opened->first}, {"name", opened->second}}, "session opened");
}

void WsConnection::send(std::span<const std::uint8_t> frame, router::Delivery kind, std::uint64_t shared) {
  RouterSection::deliver(*this, frame, kind, shared);
}

void WsConnection::close(router::CloseReason reason, std::string_view text) {
  RouterSection::close(*this, reason, text);
}

void WsConnection::deliver(std::span<const std::uint8_t> frame, router::Delivery kind) {
  if (closing_) return;
  const std::size_t queued = pending_.size() + inflight_.size();
  if (queued + frame.size() > config_.queueHardLimit) {
    // D-15: past the hard limit the reader is too slow to keep; queued data
    // is dropped and the session closed with 501.
    slog::info({{"event", "session_close"}, {"reason", "slow consumer"}, {"queued_bytes", queued}},
               "closing slow consumer: {} bytes queued", queued);
    loop_.stats().slowConsumerCloses.add();
    loop_.stats().errors[501].add();
    pending_.clear();
    ErrorMsg e{501, "slow consumer", std::nullopt, std::nullopt};
    OutBuffer b;
    if (encodeFrame(e, b)) ws::appendFrame(pending_, ws::Opcode::Binary, b.span());
    ws::appendClose(pending_, ws::CloseCode::PolicyViolation, "slow consumer");
    closing_ = true;
    closeDeadline_ = Clock::now() + kCloseGrace;
    return;
  }
  if (kind == router::Delivery::Droppable && queued > config_.queueSoftLimit) {
    ++dropped_;
    loop_.stats().droppedSoftLimit.add();
    return;
  }
  std::uint8_t* p = pending_.grow(ws::headerSize(frame.size()) + frame.size());
  p += ws::writeHeader(p, ws::Opcode::Binary, frame.size());
  std::memcpy(p, frame.data(), frame.size());
}

void WsConnection::deliverClose(router::CloseReason reason, std::string_view text) {
  if (closing_) return;
  slog::debug({{"event", "session_close"}, {"reason", text}, {"code", static_cast<unsigned>(closeCodeFor(reason))}},
              "closing session: {}", text);
  ws::appendClose(pending_, closeCodeFor(reason), text);
  closing_ = true;
  closeDeadline_ = Clock::now() + kCloseGrace;
}

void WsConnection::queueControl(ws::Opcode op, std::span<const std::uint8_t> payload) {
  if (closing_) return;
  ws::appendFrame(pending_, op, payload);
  flushQueued();
}

void WsConnection::queueMessage(const Message& m) {
  OutBuffer b;
  if (closing_ || !encodeFrame(m, b)) return;
  ws::appendFrame(pending_, ws::Opcode::Binary, b.span());
  flushQueued();
}

void WsConnection::closeWith(ws::CloseCode code, std::string_view reason) {
  if (closing_) return;
  ws::appendClose(pending_, code, reason);
  closing_ = true;
  closeDeadline_ = Clock::now() + kCloseGrace;
  flushQueued();
}

void WsConnection::accountQueue() {
  const std::size_t now = terminated_ ? 0 : pending_.size() + inflight_.size();
  if (now == accounted_) return;
  loop_.stats().queuedBytes.add(static_cast<std::int64_t>(now) - static_cast<std::int64_t>(accounted_));
  accounted_ = now;
}

void WsConnection::flushQueued() {
  accountQueue();
  if (writing_ || terminated_ || !socket_) return;
  if (!pending_.empty()) return startWrite();
  if (closing_) finishClose();
}

void WsConnection::startWrite() {
  std::swap(pending_, inflight_);
  writing_ = true;
  asio::async_write(*socket_, asio::buffer(inflight_.data(), inflight_.size()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->onWrite(ec, n); });
}

void WsConnection::onWrite(beast::error_code ec, std::size_t) {
  writing_ = false;
  if (ec) return terminate();
  lastActivity_ = Clock::now();
  inflight_.clear();
  flushQueued();
}

void WsConnection::finishClose() {
  if (session_) {
    RouterSection section(host_);
    section.router().close(session_);
    session_ = nullptr;
  }
  if (terminated_) return;
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
  if (terminated_) return;
  const bool overdue = closeDeadline_ && now >= *closeDeadline_;
  // The peer did not take the close frame in time (e.g. a slow consumer).
  if (overdue) return terminate();
  if (!established_ && now - started_ >= std::chrono::seconds(config_.handshakeTimeoutSeconds)) {
    slog::debug({{"event", "session_close"}, {"reason", "handshake timeout"}}, "closing connection: no HELLO within {} s",
                config_.handshakeTimeoutSeconds);
    closeWith(ws::CloseCode::ProtocolError, "handshake timeout");
  } else if (config_.sessionTimeoutSeconds != 0 &&
             now - lastActivity_ >= std::chrono::seconds(config_.sessionTimeoutSeconds)) {
    // D-16: traffic in either direction (client WebSocket pings included)
    // keeps a session; a session with none for the timeout is closed, never
    // left half-alive. The server sends no keepalive pings of its own: they
    // would count as traffic and no session could ever expire.
    slog::debug({{"event", "session_close"}, {"reason", "idle timeout"}}, "closing idle session after {} s",
                config_.sessionTimeoutSeconds);
    loop_.stats().errors[502].add();
    queueMessage(ErrorMsg{502, "idle timeout", std::nullopt, std::nullopt});
    closeWith(ws::CloseCode::Normal, "idle timeout");
  }
  startTimers();
}

void WsConnection::terminate() {
  if (terminated_) return;
  terminated_ = true;
  closing_ = true;
  accountQueue();
  if (session_) {
    RouterSection section(host_);
    section.router().close(session_);
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
