// WsClientConn: one CLASP-over-WebSocket connection of the bench tool (a
// ClientConn). It dials (non-blocking connect), upgrades to WebSocket, sends
// CLASP HELLO, waits for WELCOME and the first SNAPSHOT, and from then on
// turns decoded CLASP messages into Listener calls: ACK of the subscription,
// ACK or ERROR of a sent stamp, a SET or PUBLISH carrying an Int stamp.
// Reads are batched (one read into 128 KiB per readiness event, every
// complete frame in it handled in place); writes are batched (frames are
// queued and leave in one send per loop turn). The steady state allocates
// nothing: one read buffer, one output buffer, one reused Message each way.
// Owned by one EventLoop thread; never destroyed inside a callback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "bench/client_conn.hpp"
#include "bench/event_loop.hpp"
#include "bench/status.hpp"
#include "bench/url.hpp"
#include "core/codec.hpp"
#include "transport/websocket/ws_codec.hpp"

namespace clasp::bench {

class WsClientConn final : public ClientConn, public EventLoop::Handler, public EventLoop::Flushable {
 public:
  enum class State : std::uint8_t { Idle, Connecting, Upgrading, AwaitWelcome, AwaitSnapshot, Ready, Closed };

  // Bytes read per readiness event at most; the buffer is twice the largest
  // frame so that a partial frame left at its end never starves a read.
  static constexpr std::size_t kReadBuffer = 128 * 1024;

  // `kind`: stamps leave as SETs, or as event PUBLISHes; both with QoS Confirm.
  WsClientConn(EventLoop& loop, const Endpoint& endpoint, Listener& listener, std::string name, MessageKind kind);
  ~WsClientConn() override;
  WsClientConn(const WsClientConn&) = delete;
  WsClientConn& operator=(const WsClientConn&) = delete;

  Status<void> start() override;
  // SUBSCRIBE with QoS Confirm: the relay ACKs once the pattern is indexed.
  void subscribe(const std::string& pattern) override;
  bool sendStamp(const std::string& address, std::uint64_t stampUs) override;
  bool confirmsSends() const override { return true; }
  // Queues a Close frame, tries one last write and closes the socket.
  void closeGracefully() override;

  State state() const { return state_; }
  bool ready() const override { return state_ == State::Ready; }
  bool closed() const override { return state_ == State::Closed; }
  const std::string& name() const override { return name_; }
  std::uint64_t lastReadNanos() const override { return lastReadNs_; }

  void onEvents(std::uint32_t events) override;
  void flush() override;

 private:
  // Encodes m as one masked binary frame and queues it for the end of the
  // loop turn. False (and the connection closed) if m cannot be encoded.
  bool send(const Message& m, QoS qos);
  void dispatch();
  void finishConnect();
  void readSome();
  void parseFrames();
  bool onWsEvent(const ws::Event& ev);
  bool onClaspFrame(std::span<const std::uint8_t> bytes);
  void queueMasked(ws::Opcode op, std::span<const std::uint8_t> payload);
  void consume(std::size_t n);
  ws::MaskKey nextMask();
  void fail(std::string why);

  EventLoop& loop_;
  const Endpoint& endpoint_;
  Listener& listener_;
  std::string name_;
  int fd_ = -1;
  State state_ = State::Idle;

  std::unique_ptr<std::uint8_t[]> readBuf_;
  std::size_t readLen_ = 0;
  std::uint64_t lastReadNs_ = 0;
  ws::FrameParser parser_;

  OutBuffer out_;      // queued WebSocket frames; [outSent_, size) not yet written
  std::size_t outSent_ = 0;
  OutBuffer scratch_;  // one CLASP frame being encoded
  bool flushQueued_ = false;
  bool wantWrite_ = false;  // EPOLLOUT armed: the socket refused part of out_

  Message msg_;    // the last decoded message, reused
  Message stamp_;  // the reused SET or PUBLISH; only its address and value change
  std::string subscribing_;  // the pattern whose ACK is awaited; empty when none
  std::string lastError_;  // text of the last ERROR the relay sent, for close reasons
  std::uint64_t rng_;
};

}  // namespace clasp::bench
