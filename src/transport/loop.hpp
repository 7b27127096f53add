// Loop: one event-loop thread of a server and what it owns besides its
// sockets: the inbox where other threads hand over deliveries for its
// connections, the list of connections to flush, and scratch memory shared by
// all its connections (the read buffer and the decoded-message batch), so an
// idle connection holds no buffers of its own.
//
// Threads: everything except Inbox::handOver runs on the loop's own thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "core/codec.hpp"
#include "router/outbox.hpp"
#include "transport/loop_stats.hpp"

namespace clasp::transport {

class Sink;

// Deliveries produced under the router lock for the sinks of one loop: frame
// bytes stored once per message (not once per subscriber) plus one record per
// target. Handed over whole; recycled to keep its capacity.
struct DeliveryBatch {
  enum class Op : std::uint8_t { Frame, Close };
  struct Record {
    Sink* sink;
    std::uint32_t offset;
    std::uint32_t size;
    Op op;
    std::uint8_t arg;  // Delivery for Frame, CloseReason for Close
  };
  std::vector<Record> records;
  std::vector<std::uint8_t> bytes;
  // The last frame stored, so the next target of the same message reuses it.
  std::uint64_t lastShared = 0;
  std::uint32_t lastOffset = 0;
  std::uint32_t lastSize = 0;

  bool empty() const { return records.empty(); }
  void clear() {
    records.clear();
    bytes.clear();
    lastShared = 0;
    lastOffset = lastSize = 0;
  }
  // `shared` as in router::Outbox::send: equal non-zero ids are equal bytes.
  void addFrame(Sink* sink, std::span<const std::uint8_t> frame, router::Delivery kind, std::uint64_t shared);
  void addClose(Sink* sink, router::CloseReason reason, std::string_view text);
  // Applies every record in order on the sinks' loop thread.
  void apply(class Loop& loop) const;
};

class Loop {
 public:
  explicit Loop(unsigned index);
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  boost::asio::io_context& context() { return context_; }
  unsigned index() const { return index_; }

  // The loop running on this thread, or null off the loop threads.
  static Loop* current();
  // Runs the io_context on the calling thread until stopped.
  void run();

  // Any thread holding the router lock: queue a batch for this loop's sinks
  // (the batch is moved from and left empty). Wakes the loop when needed.
  void handOver(DeliveryBatch& batch);
  // Own thread: take every handed-over batch, in order, without applying it.
  void takeInbox(std::vector<DeliveryBatch>& into);
  // Own thread: give applied batches back for reuse.
  void recycle(std::vector<DeliveryBatch>& batches);

  // Own thread: flush `s` at the end of the current batch.
  void listForFlush(Sink* s);
  void flushListed();

  // Own thread: scratch shared by the loop's connections.
  std::span<std::uint8_t> readBuffer() { return {readBuffer_.get(), kReadBuffer}; }
  struct Inbound {
    DecodedFrame frame;
    std::optional<Error> error;  // set when the frame could not be decoded
  };
  std::vector<Inbound>& decodeBatch() { return decodeBatch_; }

  static constexpr std::size_t kReadBuffer = 256 * 1024;

  // Own thread writes, any thread reads (the metrics scrape).
  LoopStats& stats() { return stats_; }

 private:
  void drain();

  boost::asio::io_context context_{1};
  unsigned index_;

  std::mutex inboxMutex_;
  std::vector<DeliveryBatch> inbox_;  // guarded by inboxMutex_
  std::vector<DeliveryBatch> spare_;  // guarded by inboxMutex_
  bool drainPosted_ = false;          // guarded by inboxMutex_

  std::vector<Sink*> flushList_;
  std::vector<Sink*> flushBatch_;
  bool flushing_ = false;
  std::vector<DeliveryBatch> taken_;
  std::unique_ptr<std::uint8_t[]> readBuffer_;
  std::vector<Inbound> decodeBatch_;
  LoopStats stats_;
};

}  // namespace clasp::transport
