// Publisher: rate or window-paced stamps on one connection (see
// publisher.hpp).
#include "bench/publisher.hpp"

#include <algorithm>
#include <cstdio>

#include "bench/clock.hpp"
#include "bench/event_loop.hpp"
#include "bench/subscriber.hpp"

namespace clasp::bench {

Publisher::Publisher(EventLoop& loop, const Endpoint& endpoint, const FanoutOptions& options, FanoutShared& shared,
                     unsigned index)
    : loop_(loop),
      options_(options),
      shared_(shared),
      conn_(makeClientConn(loop, endpoint, *this,
                           options.publishers == 1 ? "publisher" : "publisher " + std::to_string(index),
                           options.kind)),
      index_(index),
      multiThreaded_(options.threads > 1),
      confirms_(conn_->confirmsSends()),
      lagBound_(options.subscribers != 0) {
  const std::string prefix = options.publishers == 1 ? "bench/" : "bench/" + std::to_string(index) + "/";
  addresses_.reserve(options.addresses);
  for (unsigned i = 0; i < options.addresses; ++i)
    addresses_.push_back(addressOf(endpoint.url.scheme, prefix + std::to_string(i)));
}

void Publisher::onReady(ClientConn&) {
  ready_ = true;
  shared_.ready.fetch_add(1);
}

void Publisher::onAck(ClientConn& conn) {
  // An ACK with nothing in flight is not an answer to us: nothing to time.
  if (unanswered_.size() == 0) return;
  // Answers come in send order, so this ACK is the oldest message's.
  const std::uint64_t sentUs = unanswered_.pop();
  // Like the delivery latency: only window messages, timed from their stamp
  // to the read that brought the answer.
  if (sentUs >= windowStartUs_ && sentUs < windowEndUs_) {
    const std::uint64_t nowUs = conn.lastReadNanos() / 1000;
    ackLatency_.record(nowUs > sentUs ? nowUs - sentUs : 0);
  }
}

void Publisher::onRefused(ClientConn& conn, std::string_view why) {
  // A refused message is answered too: it no longer occupies the window,
  // but an ERROR is no ACK, so its time is not recorded.
  if (unanswered_.size() != 0) unanswered_.pop();
  if (errors_++ == 0)
    std::fprintf(stderr, "clasp-bench: %s: server answered ERROR %.*s\n", conn.name().c_str(),
                 static_cast<int>(why.size()), why.data());
}

void Publisher::onReadBatchEnd(ClientConn&) {
  // Answers keep arriving after the publisher finished (pump() then no
  // longer publishes): the drain waits for the in-flight count to reach 0.
  inflightAtomic_.store(unanswered_.size(), std::memory_order_relaxed);
  errorsAtomic_.store(errors_, std::memory_order_relaxed);
}

void Publisher::onClosed(ClientConn&, std::string_view why) {
  if (!ready_) shared_.setupFailures.fetch_add(1);
  alive_.store(false);
  std::fprintf(stderr, "clasp-bench: %.*s\n", static_cast<int>(why.size()), why.data());
  finish();
}

std::uint64_t Publisher::scheduledNs(std::uint64_t seq) const {
  // Publisher p owns slots p, p + P, p + 2P ... of the shared schedule.
  const std::uint64_t slot = seq * options_.publishers + index_;
  // Split so slot * 1e9 cannot overflow however long the run.
  const std::uint64_t r = options_.rate;
  return scheduleStartNs_ + (slot / r) * 1'000'000'000u + (slot % r) * 1'000'000'000u / r;
}

std::uint64_t Publisher::slowestReceived(std::uint64_t totalSent) const {
  std::uint64_t slowest = UINT64_MAX;
  for (const Subscriber* s : shared_.subscribers)
    if (s->alive()) slowest = std::min(slowest, s->received());
  return slowest == UINT64_MAX ? totalSent : slowest;
}

std::uint64_t Publisher::lagBudget() {
  const std::uint64_t w = options_.window;
  const std::uint64_t total = shared_.totalSent.load(std::memory_order_relaxed);
  // Another client stamping the same topics could put a subscriber ahead.
  auto ahead = [&] { return total > minReceived_ ? total - minReceived_ : 0; };
  if (ahead() < w) return w - ahead();
  minReceived_ = slowestReceived(total);
  if (ahead() < w) return w - ahead();
  if (!multiThreaded_) return 0;  // same loop: the subscribers' reads end this turn
  // Ask the other threads for a wake-up, then look once more so that progress
  // made between the first look and the request is not missed.
  shared_.publisherWaiting.store(true, std::memory_order_seq_cst);
  minReceived_ = slowestReceived(total);
  if (ahead() < w) return w - ahead();
  return 0;
}

void Publisher::sendOne(std::uint64_t timestampUs) {
  if (!conn_->sendStamp(addresses_[seq_ % addresses_.size()], timestampUs)) return;
  ++seq_;
  if (confirms_) unanswered_.push(timestampUs);
  if (timestampUs >= windowStartUs_ && timestampUs < windowEndUs_) ++sentInWindow_;
}

void Publisher::pump() {
  if (!ready_ || finished_ || !conn_->ready()) return;
  if (!started_) {
    if (!shared_.sending.load(std::memory_order_acquire)) return;
    started_ = true;
    scheduleStartNs_ = shared_.scheduleStartNs.load(std::memory_order_relaxed);
    windowStartUs_ = shared_.windowStartUs.load(std::memory_order_relaxed);
    windowEndUs_ = shared_.windowEndUs.load(std::memory_order_relaxed);
  }
  const std::uint64_t now = monoNanos();
  const std::uint64_t endNs = windowEndUs_ * 1000;
  const std::uint64_t inflight = unanswered_.size();
  std::uint64_t budget = options_.window > inflight ? options_.window - inflight : 0;
  if (options_.rate != 0) {
    // Every message scheduled before the window's end is sent, however late:
    // lateness is measured (send lag) and counted in the latency.
    if (scheduledNs(seq_) >= endNs) return finish();
    if (budget != 0 && lagBound_) budget = std::min(budget, lagBudget());
    for (; budget != 0 && !conn_->closed(); --budget) {
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
    if (budget != 0 && lagBound_) budget = std::min(budget, lagBudget());
    // One timestamp per batch: the batch leaves in one write at the end of
    // this turn, so its messages really are sent together.
    const std::uint64_t nowUs = now / 1000;
    for (; budget != 0 && !conn_->closed(); --budget) sendOne(nowUs);
  }
  publishCounters();
}

void Publisher::publishCounters() {
  if (seq_ != countedSent_) {
    shared_.totalSent.fetch_add(seq_ - countedSent_, std::memory_order_relaxed);
    countedSent_ = seq_;
  }
  sentAtomic_.store(seq_, std::memory_order_relaxed);
  inflightAtomic_.store(unanswered_.size(), std::memory_order_relaxed);
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
