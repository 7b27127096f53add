// Loop: inbox hand-over, batch application and the per-turn flush list. A
// batch is applied and its sinks flushed in one go, so a connection that got
// many frames from one batch writes them with one system call.
#include "transport/loop.hpp"

#include <boost/asio/post.hpp>
#include <cstring>

#include "transport/sink.hpp"

namespace clasp::transport {

namespace {
thread_local Loop* tlsLoop = nullptr;
// Recycled batches keep their capacity, up to this much each.
constexpr std::size_t kKeepBytes = 1 << 20;
constexpr std::size_t kKeepBatches = 16;
}  // namespace

void DeliveryBatch::addFrame(Sink* sink, std::span<const std::uint8_t> frame, router::Delivery kind,
                             std::uint64_t shared) {
  // The router encodes a fan-out once and hands the same bytes to every
  // target: store them once per batch and point each record at them.
  if (shared == 0 || shared != lastShared) {
    lastShared = shared;
    lastOffset = static_cast<std::uint32_t>(bytes.size());
    lastSize = static_cast<std::uint32_t>(frame.size());
    bytes.insert(bytes.end(), frame.begin(), frame.end());
  }
  records.push_back(Record{sink, lastOffset, lastSize, Op::Frame, static_cast<std::uint8_t>(kind)});
}

void DeliveryBatch::addClose(Sink* sink, router::CloseReason reason, std::string_view text) {
  auto offset = static_cast<std::uint32_t>(bytes.size());
  bytes.insert(bytes.end(), text.begin(), text.end());
  records.push_back(Record{sink, offset, static_cast<std::uint32_t>(text.size()), Op::Close,
                           static_cast<std::uint8_t>(reason)});
}

void DeliveryBatch::apply(Loop& loop) const {
  for (const Record& r : records) {
    if (r.op == Op::Frame) {
      r.sink->deliver({bytes.data() + r.offset, r.size}, static_cast<router::Delivery>(r.arg));
    } else {
      r.sink->deliverClose(static_cast<router::CloseReason>(r.arg),
                           {reinterpret_cast<const char*>(bytes.data()) + r.offset, r.size});
    }
    loop.listForFlush(r.sink);
  }
}

Loop::Loop(unsigned index)
    : index_(index), readBuffer_(std::make_unique_for_overwrite<std::uint8_t[]>(kReadBuffer)) {}

Loop* Loop::current() { return tlsLoop; }

void Loop::run() {
  tlsLoop = this;
  context_.run();
  tlsLoop = nullptr;
}

void Loop::handOver(DeliveryBatch& batch) {
  bool post = false;
  {
    std::lock_guard g(inboxMutex_);
    inbox_.push_back(std::move(batch));
    batch = DeliveryBatch{};
    if (!spare_.empty()) {
      batch = std::move(spare_.back());
      spare_.pop_back();
    }
    post = !drainPosted_;
    drainPosted_ = true;
  }
  if (post) boost::asio::post(context_, [this] { drain(); });
}

void Loop::takeInbox(std::vector<DeliveryBatch>& into) {
  std::lock_guard g(inboxMutex_);
  if (inbox_.empty()) return;
  if (into.empty()) {
    std::swap(inbox_, into);
  } else {
    for (auto& b : inbox_) into.push_back(std::move(b));
    inbox_.clear();
  }
}

void Loop::recycle(std::vector<DeliveryBatch>& batches) {
  for (auto& b : batches) {
    b.clear();
    if (b.bytes.capacity() > kKeepBytes) b = DeliveryBatch{};
  }
  std::lock_guard g(inboxMutex_);
  for (auto& b : batches)
    if (spare_.size() < kKeepBatches) spare_.push_back(std::move(b));
  batches.clear();
}

void Loop::drain() {
  {
    std::lock_guard g(inboxMutex_);
    drainPosted_ = false;
  }
  takeInbox(taken_);
  for (const DeliveryBatch& b : taken_) b.apply(*this);
  recycle(taken_);
  flushListed();
}

void Loop::listForFlush(Sink* s) {
  if (s->flushListed) return;
  s->flushListed = true;
  flushList_.push_back(s);
}

void Loop::flushListed() {
  // A flush can end a session, whose router section applies more records and
  // calls this again: the inner call only lists, the outer loop flushes.
  if (flushing_) return;
  flushing_ = true;
  while (!flushList_.empty()) {
    std::swap(flushList_, flushBatch_);
    for (Sink* s : flushBatch_) {
      s->flushListed = false;
      s->flushQueued();
    }
    flushBatch_.clear();
  }
  flushing_ = false;
}

}  // namespace clasp::transport
