// SocketConn: the TCP half every ClientConn of the bench tool shares, so the
// WebSocket and MQTT classes hold only their protocol. It dials (non-blocking
// connect, writability says connected or failed), then batches both ways:
// one read per readiness event into one 128 KiB buffer that the protocol
// parses in place (a partial unit stays at the front for the next read), and
// output appended to one buffer that leaves in one send per loop turn, with
// EPOLLOUT armed only while the socket refuses part of it. The protocol sees
// one virtual call per read and per connect, never per message, and the
// steady state allocates nothing. Owned by one EventLoop thread; never
// destroyed inside a callback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "bench/client_conn.hpp"
#include "bench/event_loop.hpp"
#include "bench/status.hpp"
#include "bench/url.hpp"
#include "core/out_buffer.hpp"

namespace clasp::bench {

class SocketConn : public ClientConn, public EventLoop::Handler, public EventLoop::Flushable {
 public:
  // Bytes read per readiness event at most: twice the largest WebSocket
  // frame, so a partial frame left at the end never starves a read, and far
  // more than any MQTT packet the tool expects.
  static constexpr std::size_t kReadBuffer = 128 * 1024;

  ~SocketConn() override;
  SocketConn(const SocketConn&) = delete;
  SocketConn& operator=(const SocketConn&) = delete;

  Status<void> start() override;
  // A last best-effort goodbye (appendGoodbye), then the socket is closed
  // without onClosed.
  void closeGracefully() final;

  bool closed() const final { return link_ == Link::Closed; }
  const std::string& name() const final { return name_; }
  std::uint64_t lastReadNanos() const final { return lastReadNs_; }

  void onEvents(std::uint32_t events) final;
  void flush() final;

 protected:
  SocketConn(EventLoop& loop, const Endpoint& endpoint, Listener& listener, std::string name);

  // Connected: the protocol may write its greeting into out_ (flushed at once).
  virtual void onConnected() = 0;
  // New bytes are in readBuf_[0, readLen_): handle every complete unit,
  // consume() them and end with listener_.onReadBatchEnd unless closed.
  virtual void onBytes() = 0;
  // Only while connected: append the protocol's goodbye to out_, or return
  // false when the handshake is not far enough for one.
  virtual bool appendGoodbye() = 0;
  // Close reasons for a read buffer full of one unfinished unit, and for EOF.
  virtual const char* oversizeReason() const = 0;
  virtual std::string eofReason() const = 0;

  bool connected() const { return link_ == Link::Open; }
  // Schedules the flush of out_ for the end of the loop turn, once per turn.
  void queued() {
    if (!flushQueued_) {
      flushQueued_ = true;
      loop_.scheduleFlush(this);
    }
  }
  // Drops the first n bytes of the read buffer.
  void consume(std::size_t n);
  // Closes the socket and reports `why` through onClosed, once.
  void fail(std::string why);

  EventLoop& loop_;
  const Endpoint& endpoint_;
  Listener& listener_;

  std::unique_ptr<std::uint8_t[]> readBuf_;
  std::size_t readLen_ = 0;
  OutBuffer out_;  // queued output; [outSent_, size) not yet written

 private:
  enum class Link : std::uint8_t { Idle, Connecting, Open, Closed };

  void finishConnect();
  void readSome();

  std::string name_;
  int fd_ = -1;
  Link link_ = Link::Idle;
  std::uint64_t lastReadNs_ = 0;
  std::size_t outSent_ = 0;
  bool flushQueued_ = false;
  bool wantWrite_ = false;  // EPOLLOUT armed: the socket refused part of out_
};

}  // namespace clasp::bench
