// Subscriber: one receiving session of the fan-out benchmark. After the
// handshake it subscribes to /bench/** with QoS Confirm and counts itself
// ready on the ACK. Each delivered SET or PUBLISH whose value is an Int (the
// publisher's send time in µs) is counted, and when that time lies in the
// measurement window its latency goes into the thread's histogram. Runs on
// one loop thread; its counters are atomics stored once per read batch.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "bench/fanout_shared.hpp"
#include "bench/histogram.hpp"
#include "bench/ws_client_conn.hpp"

namespace clasp::bench {

class Subscriber final : public WsClientConn::Listener {
 public:
  static constexpr const char* kPattern = "/bench/**";

  Subscriber(EventLoop& loop, const Endpoint& endpoint, FanoutShared& shared, Histogram& latency, unsigned index,
             bool onPublisherLoop);

  Status<void> start() { return conn_.start(); }
  void closeGracefully() { conn_.closeGracefully(); }

  // Any thread.
  std::uint64_t received() const { return received_.load(std::memory_order_seq_cst); }
  std::uint64_t receivedInWindow() const { return inWindow_.load(std::memory_order_relaxed); }
  bool alive() const { return alive_.load(std::memory_order_relaxed); }

 private:
  void onReady(WsClientConn& conn) override;
  void onMessage(WsClientConn& conn, const Message& m) override;
  void onReadBatchEnd(WsClientConn& conn) override;
  void onClosed(WsClientConn& conn, std::string_view why) override;

  WsClientConn conn_;
  FanoutShared& shared_;
  Histogram& latency_;
  bool onPublisherLoop_;
  bool subscribed_ = false;
  std::uint64_t receivedLocal_ = 0;
  std::uint64_t inWindowLocal_ = 0;
  std::atomic<std::uint64_t> received_{0};
  std::atomic<std::uint64_t> inWindow_{0};
  std::atomic<bool> alive_{true};
};

}  // namespace clasp::bench
