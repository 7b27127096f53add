// Publisher: the sending session of the fan-out benchmark. Once `sending` is
// set it SETs (or PUBLISHes events, QoS Confirm) /bench/<n> with the send time
// in µs as an Int value: at a fixed rate (timestamp = the scheduled time, so a
// stall shows up as latency instead of hiding) or as fast as the window
// allows (timestamp = the time of the batch). Never more than `window`
// messages await their ACK, and never more than `window` messages are not yet
// received by the slowest live subscriber, so neither the tool nor the relay
// queues without bound. In rate mode it also records how late each send was
// (the tool's own timing error). pump() runs once per loop turn on its loop thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/fanout.hpp"
#include "bench/fanout_shared.hpp"
#include "bench/histogram.hpp"
#include "bench/ws_client_conn.hpp"

namespace clasp::bench {

class Publisher final : public WsClientConn::Listener {
 public:
  Publisher(EventLoop& loop, const Endpoint& endpoint, const FanoutOptions& options, FanoutShared& shared);

  Status<void> start() { return conn_.start(); }
  void closeGracefully() { conn_.closeGracefully(); }
  // The loop hook: sends whatever the schedule and the window allow.
  void pump();

  // Any thread.
  std::uint64_t sent() const { return sentAtomic_.load(std::memory_order_relaxed); }
  std::uint64_t sentInWindow() const { return sentInWindowAtomic_.load(std::memory_order_acquire); }
  std::uint64_t inflight() const { return inflightAtomic_.load(std::memory_order_relaxed); }
  std::uint64_t errors() const { return errorsAtomic_.load(std::memory_order_relaxed); }
  // True once the window has ended (or the connection died): sentInWindow() is final.
  bool finished() const { return finishedAtomic_.load(std::memory_order_acquire); }
  bool alive() const { return alive_.load(std::memory_order_relaxed); }
  // Rate mode: how late each window message left against its schedule, µs.
  // Read only after the loop thread has stopped.
  const Histogram& sendLag() const { return sendLag_; }

 private:
  void onReady(WsClientConn& conn) override;
  void onMessage(WsClientConn& conn, const Message& m) override;
  void onClosed(WsClientConn& conn, std::string_view why) override;

  std::uint64_t lagBudget();
  std::uint64_t slowestReceived() const;
  std::uint64_t scheduledNs(std::uint64_t seq) const;
  void sendOne(std::uint64_t timestampUs);
  void finish();
  void publishCounters();

  EventLoop& loop_;
  const FanoutOptions& options_;
  FanoutShared& shared_;
  WsClientConn conn_;
  bool multiThreaded_;

  Message msg_;  // the reused SET or PUBLISH; only its address and value change
  std::vector<std::string> addresses_;
  Histogram sendLag_;
  std::uint64_t seq_ = 0;
  std::uint64_t inflight_ = 0;
  std::uint64_t minReceived_ = 0;  // a lower bound of the slowest subscriber's count
  std::uint64_t sentInWindow_ = 0;
  std::uint64_t errors_ = 0;
  std::uint64_t scheduleStartNs_ = 0;
  std::uint64_t windowStartUs_ = 0;
  std::uint64_t windowEndUs_ = 0;
  bool ready_ = false;
  bool started_ = false;
  bool finished_ = false;

  std::atomic<std::uint64_t> sentAtomic_{0};
  std::atomic<std::uint64_t> sentInWindowAtomic_{0};
  std::atomic<std::uint64_t> inflightAtomic_{0};
  std::atomic<std::uint64_t> errorsAtomic_{0};
  std::atomic<bool> finishedAtomic_{false};
  std::atomic<bool> alive_{true};
};

}  // namespace clasp::bench
