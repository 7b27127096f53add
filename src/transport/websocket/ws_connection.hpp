// WsConnection: one WebSocket client, from the TCP accept to the close. The
// HTTP upgrade (and the plain-HTTP health probe) is done with Boost.Beast;
// after it the connection reads and writes RFC 6455 frames itself
// (ws_codec.hpp) so that everything queued for it goes out in one write.
//
// Threads: everything runs on the connection's loop thread. The router's
// Outbox calls become records (router_section.hpp) applied here through the
// Sink interface, so the output queue has one owner and no lock. Memory: an
// idle connection owns no buffers; reads go into the loop's shared buffer
// and only an incomplete frame's bytes are kept, in `partial_`.
// Lifetime: pending handlers hold shared_from_this(); the router's raw
// pointer is removed in finishClose()/terminate(), inside a router section.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "core/messages.hpp"
#include "core/out_buffer.hpp"
#include "router/outbox.hpp"
#include "transport/loop.hpp"
#include "transport/partial_input.hpp"
#include "transport/router_host.hpp"
#include "transport/server_config.hpp"
#include "transport/sink.hpp"
#include "transport/websocket/ws_codec.hpp"

namespace clasp::transport {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

class WsConnection final : public std::enable_shared_from_this<WsConnection>,
                           public router::Outbox,
                           public Sink {
 public:
  // `config` is the server's settings when the connection was accepted; a
  // reload that changes them applies to later connections only.
  WsConnection(tcp::socket socket, Loop& loop, RouterHost& host, std::shared_ptr<const ServerConfig> config);
  ~WsConnection() override;

  void start();

  // router::Outbox (any thread, inside a RouterSection).
  void send(std::span<const std::uint8_t> frame, router::Delivery kind, std::uint64_t shared) override;
  void close(router::CloseReason reason, std::string_view text) override;

  // Sink (own loop thread).
  Loop& loop() override { return loop_; }
  void deliver(std::span<const std::uint8_t> frame, router::Delivery kind) override;
  void deliverClose(router::CloseReason reason, std::string_view text) override;
  void flushQueued() override;

 private:
  // Handshake phase (Beast).
  void onHttpRequest(beast::error_code ec);
  void acceptUpgrade();
  void answerProbe();
  // Frame phase.
  void startFrames(tcp::socket socket, std::vector<std::uint8_t> leftover);
  void waitReadable();
  void onReadable(beast::error_code ec);
  enum class ReadOutcome : std::uint8_t { Drained, More, Closed };
  ReadOutcome readOnce();
  // Parses and handles every complete frame at the front of `data`; returns
  // the bytes used, or nothing when input must no longer be interpreted.
  std::optional<std::size_t> processInput(std::span<std::uint8_t> data);
  void dispatchBatch(std::size_t count);
  void keepPartial(std::span<const std::uint8_t> rest);
  void onWrite(beast::error_code ec, std::size_t n);
  void startWrite();
  // Brings the loop's queued-bytes gauge up to date with this connection.
  void accountQueue();
  void startTimers();
  void onHousekeeping(beast::error_code ec);
  // Own-thread queueing of control and close frames, flushed at once.
  void queueControl(ws::Opcode op, std::span<const std::uint8_t> payload);
  void closeWith(ws::CloseCode code, std::string_view reason);
  void queueMessage(const Message& m);
  // After our close frame is written: FIN, deregister, keep reading until the
  // peer's EOF (closing the socket with unread input would send RST and could
  // destroy the close frame in flight).
  void finishClose();
  // Ends everything: deregisters from the router, closes the socket.
  void terminate();

  Loop& loop_;
  RouterHost& host_;
  std::shared_ptr<const ServerConfig> configHold_;
  const ServerConfig& config_;
  // Only during the HTTP upgrade; released after it, so a session does not
  // carry the handshake's parser and buffers for its whole life.
  struct Handshake {
    explicit Handshake(tcp::socket s) : stream(std::move(s)) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    beast::http::request_parser<beast::http::string_body> parser;
  };
  std::unique_ptr<Handshake> handshake_;
  std::optional<tcp::socket> socket_;
  router::RouterSession* session_ = nullptr;  // used inside router sections only

  ws::FrameParser parser_;
  PartialInput partial_;  // an incomplete frame; empty when idle

  OutBuffer pending_;    // queued frames (WebSocket-framed)
  OutBuffer inflight_;   // being written
  bool writing_ = false;
  bool closing_ = false;       // no more frames accepted; close after the flush
  std::size_t dropped_ = 0;    // Fire frames dropped above the soft limit
  std::size_t accounted_ = 0;  // queued bytes this connection added to the loop's gauge

  asio::steady_timer housekeeping_;
  std::chrono::steady_clock::time_point lastActivity_;
  std::chrono::steady_clock::time_point started_;
  std::optional<std::chrono::steady_clock::time_point> closeDeadline_;
  bool draining_ = false;     // our close is sent; input is read and discarded
  bool established_ = false;  // HELLO seen (cached from the router session)
  bool terminated_ = false;
};

}  // namespace clasp::transport
