// Publisher: one sending session of the fan-out benchmark. Once `sending` is
// set it sends stamps (the send time in µs) to its own addresses: at a fixed
// rate (timestamp = the scheduled time, so a stall shows up as latency
// instead of hiding) or as fast as the window allows (timestamp = the time of
// the batch). With P publishers, publisher p takes every P-th slot of one
// schedule at the total --rate, and cycles over /bench/<p>/<n> (just
// /bench/<n> when P is 1). Never more than `window` of its messages await an
// answer (CLASP QoS Confirm; MQTT QoS 0 has none), and all publishers
// together stay at most `window` messages ahead of the slowest live
// subscriber, so neither the tool nor the server queues without bound. In
// rate mode it records how late each send was (the tool's own timing
// error). pump() runs once per loop turn on its loop thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/client_conn.hpp"
#include "bench/fanout.hpp"
#include "bench/fanout_shared.hpp"
#include "bench/histogram.hpp"

namespace clasp::bench {

class Publisher final : public ClientConn::Listener {
 public:
  Publisher(EventLoop& loop, const Endpoint& endpoint, const FanoutOptions& options, FanoutShared& shared,
            unsigned index);

  Status<void> start() { return conn_->start(); }
  void closeGracefully() { conn_->closeGracefully(); }
  ClientConn& conn() { return *conn_; }
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
  void onReady(ClientConn& conn) override;
  void onAck(ClientConn& conn) override;
  void onRefused(ClientConn& conn, std::string_view why) override;
  void onClosed(ClientConn& conn, std::string_view why) override;

  std::uint64_t lagBudget();
  std::uint64_t slowestReceived(std::uint64_t totalSent) const;
  std::uint64_t scheduledNs(std::uint64_t seq) const;
  void sendOne(std::uint64_t timestampUs);
  void finish();
  void publishCounters();

  EventLoop& loop_;
  const FanoutOptions& options_;
  FanoutShared& shared_;
  std::unique_ptr<ClientConn> conn_;
  unsigned index_;
  bool multiThreaded_;
  bool confirms_;  // the server answers every message: the ACK window applies

  std::vector<std::string> addresses_;
  Histogram sendLag_;
  std::uint64_t seq_ = 0;  // this publisher's messages so far
  std::uint64_t countedSent_ = 0;  // the part of seq_ already added to shared_.totalSent
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
