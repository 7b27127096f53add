// Subscriber: subscribe, then count deliveries and record their latency (see
// subscriber.hpp).
#include "bench/subscriber.hpp"

#include <cstdio>

#include "bench/event_loop.hpp"

namespace clasp::bench {

Subscriber::Subscriber(EventLoop& loop, const Endpoint& endpoint, FanoutShared& shared, Histogram& latency,
                       unsigned index, bool onPublisherLoop)
    : conn_(loop, endpoint, *this, "subscriber " + std::to_string(index)),
      shared_(shared),
      latency_(latency),
      onPublisherLoop_(onPublisherLoop) {}

void Subscriber::onReady(WsClientConn& conn) {
  Subscribe sub;
  sub.id = 1;
  sub.pattern = kPattern;
  // Confirm: the relay ACKs once the subscription is in its index.
  conn.send(sub, QoS::Confirm);
}

void Subscriber::onMessage(WsClientConn& conn, const Message& m) {
  if (!subscribed_) {
    const auto* ack = std::get_if<Ack>(&m);
    if (ack && ack->address && *ack->address == kPattern) {
      subscribed_ = true;
      shared_.ready.fetch_add(1);
    } else if (const auto* err = std::get_if<ErrorMsg>(&m)) {
      alive_.store(false);
      shared_.setupFailures.fetch_add(1);
      reportClosed(shared_, (conn.name() + ": SUBSCRIBE refused: ERROR " + std::to_string(err->code) + " " +
                             err->message).c_str());
      conn.closeGracefully();
    }
    return;
  }
  const Value* value = nullptr;
  if (const auto* set = std::get_if<Set>(&m)) {
    value = &set->value;
  } else if (const auto* pub = std::get_if<Publish>(&m)) {
    if (pub->value) value = &*pub->value;
  }
  if (value == nullptr) return;
  const std::int64_t* sent = value->asInt();
  if (sent == nullptr || *sent < 0) return;
  ++receivedLocal_;
  const auto sentUs = static_cast<std::uint64_t>(*sent);
  if (sentUs >= shared_.windowStartUs.load(std::memory_order_relaxed) &&
      sentUs < shared_.windowEndUs.load(std::memory_order_relaxed)) {
    ++inWindowLocal_;
    const std::uint64_t nowUs = conn.lastReadNanos() / 1000;
    latency_.record(nowUs > sentUs ? nowUs - sentUs : 0);
  }
}

void Subscriber::onReadBatchEnd(WsClientConn&) {
  inWindow_.store(inWindowLocal_, std::memory_order_relaxed);
  if (received_.load(std::memory_order_relaxed) == receivedLocal_) return;
  // seq_cst store, then seq_cst load of publisherWaiting: paired with the
  // publisher's store-then-recheck, one of the two sides sees the other.
  received_.store(receivedLocal_, std::memory_order_seq_cst);
  if (!onPublisherLoop_ && shared_.publisherWaiting.load(std::memory_order_seq_cst) &&
      shared_.publisherWaiting.exchange(false))
    shared_.publisherLoop->wake();
}

void Subscriber::onClosed(WsClientConn&, std::string_view why) {
  if (!subscribed_) shared_.setupFailures.fetch_add(1);
  alive_.store(false, std::memory_order_seq_cst);
  // A dead subscriber no longer bounds the publisher: let it re-check.
  if (!onPublisherLoop_ && shared_.publisherLoop) shared_.publisherLoop->wake();
  reportClosed(shared_, std::string(why).c_str());
}

}  // namespace clasp::bench
