// Publisher: rate or window-paced SET/PUBLISH with send timestamps (see
// publisher.hpp).
#include "bench/publisher.hpp"

#include <algorithm>
#include <cstdio>

#include "bench/clock.hpp"
#include "bench/event_loop.hpp"
#include "bench/subscriber.hpp"

namespace clasp::bench {

Publisher::Publisher(EventLoop& loop, const Endpoint& endpoint, const FanoutOptions& options, FanoutShared& shared)
    : loop_(loop),
      options_(options),
      shared_(shared),
      conn_(loop, endpoint, *this, "publisher"),
      multiThreaded_(options.threads > 1) {
  addresses_.reserve(options.addresses);
  for (unsigned i = 0; i < options.addresses; ++i) addresses_.push_back("/bench/" + std::to_string(i));
  if (options.kind == MessageKind::Set) {
    Set set;
    set.value = Value(std::int64_t{0});
    msg_ = std::move(set);
  } else {
    Publish pub;
    pub.signal = SignalType::Event;
    pub.value = Value(std::int64_t{0});
    msg_ = std::move(pub);
  }
}

void Publisher::onReady(WsClientConn&) {
  ready_ = true;
  shared_.ready.fetch_add(1);
}

void Publisher::onMessage(WsClientConn&, const Message& m) {
  if (std::holds_alternative<Ack>(m)) {
    if (inflight_ > 0) --inflight_;
  } else if (const auto* e = std::get_if<ErrorMsg>(&m)) {
    // A refused message is answered too: it no longer occupies the window.
    if (inflight_ > 0) --inflight_;
    if (errors_++ == 0)
      std::fprintf(stderr, "clasp-bench: publisher: relay answered ERROR %u \"%s\"\n", e->code, e->message.c_str());
  }
}

void Publisher::onClosed(WsClientConn&, std::string_view why) {
  if (!ready_) shared_.setupFailures.fetch_add(1);
  alive_.store(false);
  std::fprintf(stderr, "clasp-bench: %.*s\n", static_cast<int>(why.size()), why.data());
  finish();
}

std::uint64_t Publisher::scheduledNs(std::uint64_t seq) const {
  // Split so seq * 1e9 cannot overflow however long the run.
  const std::uint64_t r = options_.rate;
  return scheduleStartNs_ + (seq / r) * 1'000'000'000u + (seq % r) * 1'000'000'000u / r;
}

std::uint64_t Publisher::slowestReceived() const {
  std::uint64_t slowest = UINT64_MAX;
  for (const Subscriber* s : shared_.subscribers)
    if (s->alive()) slowest = std::min(slowest, s->received());
  return slowest == UINT64_MAX ? seq_ : slowest;
}

std::uint64_t Publisher::lagBudget() {
  const std::uint64_t w = options_.window;
  if (seq_ - minReceived_ < w) return w - (seq_ - minReceived_);
  minReceived_ = slowestReceived();
  if (seq_ - minReceived_ < w) return w - (seq_ - minReceived_);
  if (!multiThreaded_) return 0;  // same loop: the subscribers' reads end this turn
  // Ask the other threads for a wake-up, then look once more so that progress
  // made between the first look and the request is not missed.
  shared_.publisherWaiting.store(true, std::memory_order_seq_cst);
  minReceived_ = slowestReceived();
  if (seq_ - minReceived_ < w) {
    shared_.publisherWaiting.store(false, std::memory_order_relaxed);
    return w - (seq_ - minReceived_);
  }
  return 0;
}

void Publisher::sendOne(std::uint64_t timestampUs) {
  const std::string& address = addresses_[seq_ % addresses_.size()];
  const auto ts = static_cast<std::int64_t>(timestampUs);
  // Same alternative, same string capacity: no allocation per message.
  if (auto* set = std::get_if<Set>(&msg_)) {
    set->address = address;
    set->value.v = ts;
  } else {
    auto& pub = std::get<Publish>(msg_);
    pub.address = address;
    pub.value->v = ts;
  }
  if (!conn_.send(msg_, QoS::Confirm)) return;
  ++seq_;
  ++inflight_;
  if (timestampUs >= windowStartUs_ && timestampUs < windowEndUs_) ++sentInWindow_;
}

void Publisher::pump() {
  if (!ready_ || finished_ || !conn_.ready()) return;
  if (!started_) {
    if (!shared_.sending.load(std::memory_order_acquire)) return;
    started_ = true;
    scheduleStartNs_ = shared_.scheduleStartNs.load(std::memory_order_relaxed);
    windowStartUs_ = shared_.windowStartUs.load(std::memory_order_relaxed);
    windowEndUs_ = shared_.windowEndUs.load(std::memory_order_relaxed);
  }
  const std::uint64_t now = monoNanos();
  const std::uint64_t endNs = windowEndUs_ * 1000;
  std::uint64_t budget = options_.window > inflight_ ? options_.window - inflight_ : 0;
  if (options_.rate != 0) {
    // Every message scheduled before the window's end is sent, however late:
    // lateness is measured (send lag) and counted in the latency.
    if (scheduledNs(seq_) >= endNs) return finish();
    if (budget != 0) budget = std::min(budget, lagBudget());
    for (; budget != 0 && !conn_.closed(); --budget) {
      const std::uint64_t due = scheduledNs(seq_);
      if (due >= endNs) return finish();
      if (due > now) {
        loop_.armTimer(due);
        break;
      }
      const std::uint64_t dueUs = due / 1000;
      if (dueUs >= windowStartUs_) sendLag_.record(now / 1000 - dueUs);
      sendOne(dueUs);
    }
  } else {
    if (now >= endNs) return finish();
    loop_.armTimer(endNs);  // stop on time even if nothing else wakes the loop
    if (budget != 0) budget = std::min(budget, lagBudget());
    // One timestamp per batch: the batch leaves in one write at the end of
    // this turn, so its messages really are sent together.
    const std::uint64_t nowUs = now / 1000;
    for (; budget != 0 && !conn_.closed(); --budget) sendOne(nowUs);
  }
  publishCounters();
}

void Publisher::publishCounters() {
  sentAtomic_.store(seq_, std::memory_order_relaxed);
  inflightAtomic_.store(inflight_, std::memory_order_relaxed);
  errorsAtomic_.store(errors_, std::memory_order_relaxed);
  sentInWindowAtomic_.store(sentInWindow_, std::memory_order_release);
}

void Publisher::finish() {
  if (finished_) return;
  finished_ = true;
  publishCounters();
  finishedAtomic_.store(true, std::memory_order_release);
}

}  // namespace clasp::bench
