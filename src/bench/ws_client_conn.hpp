// WsClientConn: one client connection of the bench tool. It dials (non-
// blocking connect), upgrades to WebSocket, sends CLASP HELLO, waits for
// WELCOME and the first SNAPSHOT, and from then on hands every decoded CLASP
// message to its Listener. Reads are batched (one read into 128 KiB per
// readiness event, every complete frame in it handled in place); writes are
// batched (frames are queued and leave in one send per loop turn). The steady
// state allocates nothing: one read buffer, one output buffer, one reused
// Message. Owned by one EventLoop thread; never destroyed inside a callback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "bench/event_loop.hpp"
#include "bench/status.hpp"
#include "bench/url.hpp"
#include "core/codec.hpp"
#include "transport/websocket/ws_codec.hpp"

namespace clasp::bench {

class WsClientConn final : public EventLoop::Handler, public EventLoop::Flushable {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // WELCOME and the first SNAPSHOT have arrived: the session is usable.
    virtual void onReady(WsClientConn& conn) = 0;
    // One message received after onReady. `m` is reused for the next frame.
    virtual void onMessage(WsClientConn& conn, const Message& m) = 0;
    // After the last onMessage of one socket read: a place to publish
    // counters once per batch instead of once per message.
    virtual void onReadBatchEnd(WsClientConn&) {}
    // The connection is gone (refused, reset, closed by the relay, or a
    // protocol error); `why` says which. Called at most once.
    virtual void onClosed(WsClientConn& conn, std::string_view why) = 0;
  };

  enum class State : std::uint8_t { Idle, Connecting, Upgrading, AwaitWelcome, AwaitSnapshot, Ready, Closed };

  // Bytes read per readiness event at most; the buffer is twice the largest
  // frame so that a partial frame left at its end never starves a read.
  static constexpr std::size_t kReadBuffer = 128 * 1024;

  WsClientConn(EventLoop& loop, const Endpoint& endpoint, Listener& listener, std::string name);
  ~WsClientConn() override;
  WsClientConn(const WsClientConn&) = delete;
  WsClientConn& operator=(const WsClientConn&) = delete;

  // Creates the socket and starts connecting. Errors found at once (e.g. out
  // of file descriptors) come back here; later ones through onClosed.
  Status<void> start();

  // Encodes m as one masked binary frame and queues it for the end of the
  // loop turn. False (and the connection closed) if m cannot be encoded.
  bool send(const Message& m, QoS qos);

  // Queues a Close frame, tries one last write and closes the socket without
  // calling onClosed: the end of a run, on the loop thread after run().
  void closeGracefully();

  State state() const { return state_; }
  bool ready() const { return state_ == State::Ready; }
  bool closed() const { return state_ == State::Closed; }
  const std::string& name() const { return name_; }
  // CLOCK_MONOTONIC ns of the read that delivered the current batch.
  std::uint64_t lastReadNanos() const { return lastReadNs_; }
  std::size_t queuedBytes() const { return out_.size() - outSent_; }

  void onEvents(std::uint32_t events) override;
  void flush() override;

 private:
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

  Message msg_;
  std::string lastError_;  // text of the last ERROR the relay sent, for close reasons
  std::uint64_t rng_;
};

}  // namespace clasp::bench
