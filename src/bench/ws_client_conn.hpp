// WsClientConn: one CLASP-over-WebSocket connection of the bench tool (a
// ClientConn). It dials (non-blocking connect), upgrades to WebSocket, sends
// CLASP HELLO, waits for WELCOME and the first SNAPSHOT, and from then on
// turns decoded CLASP messages into Listener calls: ACK of the subscription,
// ACK or ERROR of a sent stamp, a SET or PUBLISH carrying an Int stamp.
// The socket, the batched reads and writes are SocketConn's; this class
// parses every complete frame of a read in place and queues masked frames.
// The steady state allocates nothing: one reused Message each way.
// Owned by one EventLoop thread; never destroyed inside a callback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bench/client_conn.hpp"
#include "bench/event_loop.hpp"
#include "bench/socket_conn.hpp"
#include "bench/status.hpp"
#include "bench/url.hpp"
#include "core/codec.hpp"
#include "transport/websocket/ws_codec.hpp"

namespace clasp::bench {

class WsClientConn final : public SocketConn {
 public:
  // After the TCP connect; Closed is SocketConn's.
  enum class State : std::uint8_t { Upgrading, AwaitWelcome, AwaitSnapshot, Ready };

  // `kind`: stamps leave as SETs, or as event PUBLISHes; both with QoS Confirm.
  WsClientConn(EventLoop& loop, const Endpoint& endpoint, Listener& listener, std::string name, MessageKind kind);

  Status<void> start() override;
  // SUBSCRIBE with QoS Confirm: the relay ACKs once the pattern is indexed.
  void subscribe(const std::string& pattern) override;
  bool sendStamp(const std::string& address, std::uint64_t stampUs) override;
  bool confirmsSends() const override { return true; }

  bool ready() const override { return connected() && state_ == State::Ready; }

 private:
  // Sends the HTTP upgrade request.
  void onConnected() override;
  // The upgrade answer, then every complete frame of the read.
  void onBytes() override;
  // A Close frame, once upgraded.
  bool appendGoodbye() override;
  const char* oversizeReason() const override { return "frame larger than the read buffer"; }
  std::string eofReason() const override;

  // Encodes m as one masked binary frame and queues it for the end of the
  // loop turn. False (and the connection closed) if m cannot be encoded.
  bool send(const Message& m, QoS qos);
  void dispatch();
  void parseFrames();
  bool onWsEvent(const ws::Event& ev);
  bool onClaspFrame(std::span<const std::uint8_t> bytes);
  void queueMasked(ws::Opcode op, std::span<const std::uint8_t> payload);
  ws::MaskKey nextMask();

  State state_ = State::Upgrading;
  ws::FrameParser parser_;
  OutBuffer scratch_;  // one CLASP frame being encoded

  Message msg_;    // the last decoded message, reused
  Message stamp_;  // the reused SET or PUBLISH; only its address and value change
  std::string subscribing_;  // the pattern whose ACK is awaited; empty when none
  std::string lastError_;  // text of the last ERROR the relay sent, for close reasons
  std::uint64_t rng_;
};

}  // namespace clasp::bench
