// Publisher: one sending session of the fan-out benchmark. Once `sending` is
// set it sends stamps (the send time in µs) to its own addresses: at a fixed
// rate (timestamp = the scheduled time, so a stall shows up as latency
// instead of hiding) or as fast as the window allows (timestamp = the time of
// the batch). With P publishers, publisher p takes every P-th slot of one
// schedule at the total --rate, and cycles over /bench/<p>/<n> (just
// /bench/<n> when P is 1). Never more than `window` of its messages await an
// answer (CLASP QoS Confirm; MQTT QoS 0 has none), and all publishers
// together stay at most `window` messages ahead of the slowest live
// subscriber, so neither the tool nor the server queues without bound
// (without subscribers, -n 0, only the ACK window applies). In rate mode it
// records how late each send was (the tool's own timing error). On CLASP it
// also times how long each message waits for its ACK: the server answers a
// session's messages in order, so a FIFO of send stamps pairs every ACK (or
// ERROR) with its message. pump() runs once per loop turn on its loop
// thread.
#pragma once

#include <atomic>
#include <cstddef>
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
  // True on CLASP: every message is answered, so the ACK window and the ACK
  // latency exist. MQTT QoS 0 answers nothing.
  bool confirms() const { return confirms_; }
  // True once the window has ended (or the connection died): sentInWindow() is final.
  bool finished() const { return finishedAtomic_.load(std::memory_order_acquire); }
  bool alive() const { return alive_.load(std::memory_order_relaxed); }
  // Rate mode: how late each window message left against its schedule, µs.
  // Read only after the loop thread has stopped.
  const Histogram& sendLag() const { return sendLag_; }
  // CLASP: send stamp -> ACK read, µs, for messages stamped inside the
  // window. Read only after the loop thread has stopped.
  const Histogram& ackLatency() const { return ackLatency_; }

 private:
  void onReady(ClientConn& conn) override;
  void onAck(ClientConn& conn) override;
  void onRefused(ClientConn& conn, std::string_view why) override;
  void onReadBatchEnd(ClientConn& conn) override;
  void onClosed(ClientConn& conn, std::string_view why) override;

  // The stamps of sent messages still awaiting their answer, oldest first;
  // its size is the number in flight. A ring that doubles when full: the
  // ACK window bounds it, so it stops growing within the first window and
  // never allocates in the steady state (sized to --window up front it
  // would cost 8 MB per publisher at the largest window).
  class StampFifo {
   public:
    std::size_t size() const { return size_; }
    void push(std::uint64_t stampUs) {
      if (size_ == ring_.size()) grow();
      ring_[(head_ + size_) & (ring_.size() - 1)] = stampUs;
      ++size_;
    }
    // Not on an empty FIFO.
    std::uint64_t pop() {
      const std::uint64_t v = ring_[head_];
      head_ = (head_ + 1) & (ring_.size() - 1);
      --size_;
      return v;
    }

   private:
    void grow() {
      // Power-of-two sizes, so wrapping is a mask.
      std::vector<std::uint64_t> bigger(ring_.empty() ? 64 : ring_.size() * 2);
      for (std::size_t i = 0; i < size_; ++i) bigger[i] = ring_[(head_ + i) & (ring_.size() - 1)];
      ring_.swap(bigger);
      head_ = 0;
    }
    std::vector<std::uint64_t> ring_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
  };

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
  bool lagBound_;  // there are subscribers to stay ahead of (not with -n 0)

  std::vector<std::string> addresses_;
  Histogram sendLag_;
  Histogram ackLatency_;
  StampFifo unanswered_;  // CLASP only: the ACK window's messages
  std::uint64_t seq_ = 0;  // this publisher's messages so far
  std::uint64_t countedSent_ = 0;  // the part of seq_ already added to shared_.totalSent
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
