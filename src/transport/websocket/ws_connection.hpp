// WsConnection: one WebSocket client, from the TCP accept to the close. The
// HTTP upgrade (and the plain-HTTP health probe) is done with Boost.Beast;
// after it the connection reads and writes RFC 6455 frames itself
// (ws_codec.hpp) so that everything queued for it goes out in one write.
//
// Threads: all handlers run on the connection's own io_context thread. The
// Outbox methods are called by the router from any thread with the router
// lock held; they only touch the outbound queue under outMutex_ and post a
// flush. Lifetime: pending handlers hold shared_from_this(); the router's raw
// pointer is removed in terminate(), the only place that deregisters.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <mutex>
#include <optional>

#include "core/messages.hpp"
#include "core/out_buffer.hpp"
#include "router/outbox.hpp"
#include "transport/router_host.hpp"
#include "transport/server_config.hpp"
#include "transport/websocket/ws_codec.hpp"

namespace clasp::transport {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

class WsConnection final : public std::enable_shared_from_this<WsConnection>, public router::Outbox {
 public:
  WsConnection(tcp::socket socket, RouterHost& host, const ServerConfig& config);
  ~WsConnection() override;

  void start();

  // router::Outbox (router thread, router lock held).
  void send(std::span<const std::uint8_t> frame, router::Delivery kind) override;
  void close(router::CloseReason reason, std::string_view text) override;

 private:
  // Handshake phase (Beast).
  void onHttpRequest(beast::error_code ec);
  void acceptUpgrade();
  void answerProbe();
  // Frame phase.
  void startFrames(tcp::socket socket, std::span<const std::uint8_t> leftover);
  void doRead();
  void onRead(beast::error_code ec, std::size_t n);
  bool processInput();
  void flush();
  void onWrite(beast::error_code ec, std::size_t n);
  void startTimers();
  void onHousekeeping(beast::error_code ec);
  // Queues a control or close frame (own thread or router; takes outMutex_).
  void queueControl(ws::Opcode op, std::span<const std::uint8_t> payload);
  void closeWith(ws::CloseCode code, std::string_view reason);
  // Appends one encoded CLASP message as a binary frame (own thread).
  void queueMessage(const Message& m);
  // Caller holds outMutex_: posts a flush unless one is posted or running.
  void scheduleFlushLocked();
  // After our close frame is written: FIN, deregister, keep reading until the
  // peer's EOF (closing the socket with unread input would send RST and could
  // destroy the close frame in flight).
  void finishClose();
  // Ends everything: deregisters from the router, closes the socket.
  void terminate();

  RouterHost& host_;
  const ServerConfig& config_;
  std::optional<beast::tcp_stream> handshake_;
  beast::flat_buffer httpBuffer_;
  std::optional<beast::http::request_parser<beast::http::string_body>> httpParser_;
  std::optional<tcp::socket> socket_;
  router::RouterSession* session_ = nullptr;  // guarded by host_.mutex

  ws::FrameParser parser_;
  std::vector<std::uint8_t> readBuf_;
  std::size_t readLen_ = 0;

  std::mutex outMutex_;
  OutBuffer pending_;    // queued frames (WebSocket-framed)
  OutBuffer inflight_;   // being written
  bool writing_ = false;
  bool flushPosted_ = false;
  bool closing_ = false;       // no more frames accepted; close after the flush
  std::size_t dropped_ = 0;    // Fire frames dropped above the soft limit

  asio::steady_timer housekeeping_;
  std::chrono::steady_clock::time_point lastActivity_;
  std::chrono::steady_clock::time_point started_;
  std::optional<std::chrono::steady_clock::time_point> closeDeadline_;  // under outMutex_
  bool draining_ = false;    // our close is sent; input is read and discarded
  bool established_ = false;  // HELLO seen (cached from the router session)
  bool terminated_ = false;   // under outMutex_
};

}  // namespace clasp::transport
