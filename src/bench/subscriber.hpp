// Subscriber: one receiving session of the fan-out benchmark. After the
// handshake it subscribes to everything under bench/ (/bench/** on CLASP,
// with QoS Confirm; bench/# on MQTT) and counts itself ready once the server
// confirms. Each delivered stamp (the publisher's send time in µs) is
// counted, and when it lies in the measurement window its latency goes into
// the thread's histogram. Runs on one loop thread; its counters are atomics
// stored once per read batch.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "bench/client_conn.hpp"
#include "bench/fanout.hpp"
#include "bench/fanout_shared.hpp"
#include "bench/histogram.hpp"

namespace clasp::bench {

class Subscriber final : public ClientConn::Listener {
 public:
  Subscriber(EventLoop& loop, const Endpoint& endpoint, const FanoutOptions& options, FanoutShared& shared,
             Histogram& latency, unsigned index);

  Status<void> start() { return conn_->start(); }
  void closeGracefully() { conn_->closeGracefully(); }
  ClientConn& conn() { return *conn_; }

  // Any thread.
  std::uint64_t received() const { return received_.load(std::memory_order_seq_cst); }
  std::uint64_t receivedInWindow() const { return inWindow_.load(std::memory_order_relaxed); }
  bool alive() const { return alive_.load(std::memory_order_relaxed); }

 private:
  void onReady(ClientConn& conn) override;
  void onSubscribed(ClientConn& conn) override;
  void onStamp(ClientConn& conn, std::uint64_t sentUs) override;
  void onRefused(ClientConn& conn, std::string_view why) override;
  void onReadBatchEnd(ClientConn& conn) override;
  void onClosed(ClientConn& conn, std::string_view why) override;

  const EventLoop& loop_;
  std::unique_ptr<ClientConn> conn_;
  FanoutShared& shared_;
  Histogram& latency_;
  std::string pattern_;
  bool subscribed_ = false;
  std::uint64_t receivedLocal_ = 0;
  std::uint64_t inWindowLocal_ = 0;
  std::atomic<std::uint64_t> received_{0};
  std::atomic<std::uint64_t> inWindow_{0};
  std::atomic<bool> alive_{true};
};

}  // namespace clasp::bench
