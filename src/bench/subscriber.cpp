// Subscriber: subscribe, then count deliveries and record their latency (see
// subscriber.hpp).
#include "bench/subscriber.hpp"

#include <cstdio>

#include "bench/event_loop.hpp"

namespace clasp::bench {

Subscriber::Subscriber(EventLoop& loop, const Endpoint& endpoint, const FanoutOptions& options, FanoutShared& shared,
                       Histogram& latency, unsigned index)
    : loop_(loop),
      conn_(makeClientConn(loop, endpoint, *this, "subscriber " + std::to_string(index), options.kind)),
      shared_(shared),
      latency_(latency),
      pattern_(patternUnder(endpoint.url.scheme, "bench")) {}

void Subscriber::onReady(ClientConn& conn) { conn.subscribe(pattern_); }

void Subscriber::onSubscribed(ClientConn&) {
  subscribed_ = true;
  shared_.ready.fetch_add(1);
}

void Subscriber::onRefused(ClientConn& conn, std::string_view why) {
  if (subscribed_) return;  // a stray ERROR later does not end the session
  alive_.store(false);
  shared_.setupFailures.fetch_add(1);
  reportClosed(shared_, (conn.name() + ": SUBSCRIBE refused: " + std::string(why)).c_str());
  conn.closeGracefully();
}

void Subscriber::onStamp(ClientConn& conn, std::uint64_t sentUs) {
  if (!subscribed_) return;
  ++receivedLocal_;
  if (sentUs >= shared_.windowStartUs.load(std::memory_order_relaxed) &&
      sentUs < shared_.windowEndUs.load(std::memory_order_relaxed)) {
    ++inWindowLocal_;
    const std::uint64_t nowUs = conn.lastReadNanos() / 1000;
    latency_.record(nowUs > sentUs ? nowUs - sentUs : 0);
  }
}

void Subscriber::onReadBatchEnd(ClientConn&) {
  inWindow_.store(inWindowLocal_, std::memory_order_relaxed);
  if (received_.load(std::memory_order_relaxed) == receivedLocal_) return;
  // seq_cst store, then seq_cst load of publisherWaiting: paired with the
  // publisher's store-then-recheck, one of the two sides sees the other.
  received_.store(receivedLocal_, std::memory_order_seq_cst);
  if (shared_.publisherWaiting.load(std::memory_order_seq_cst) && shared_.publisherWaiting.exchange(false))
    wakePublishers(shared_, &loop_);
}

void Subscriber::onClosed(ClientConn&, std::string_view why) {
  if (!subscribed_) shared_.setupFailures.fetch_add(1);
  alive_.store(false, std::memory_order_seq_cst);
  // A dead subscriber no longer bounds the publishers: let them re-check.
  wakePublishers(shared_, &loop_);
  reportClosed(shared_, std::string(why).c_str());
}

}  // namespace clasp::bench
