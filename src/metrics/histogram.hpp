// Histogram: fixed upper bounds chosen at construction, one counter per
// bucket plus the sum, written by one writer at a time (same rule as
// SerialCounter) and read by the scrape from any thread. The sum is kept in
// integer units (the caller says which: nanoseconds, or plain counts) so an
// observation is three relaxed load/store pairs and a short bound search.
// The scrape derives the count from the buckets, so +Inf always equals
// _count even while writers run.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace clasp::metrics {

class Histogram {
 public:
  // `bounds`: increasing upper bounds in the same unit as observe()'s value;
  // +Inf is implicit. The span must outlive the histogram (use constants).
  explicit Histogram(std::span<const std::uint64_t> bounds)
      : bounds_(bounds), buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {}

  // Serialised writers only. `n` observations of the same value at once (a
  // batch of messages that share a receipt and a completion time).
  void observe(std::uint64_t value, std::uint64_t n = 1) {
    std::size_t i = 0;
    while (i < bounds_.size() && value > bounds_[i]) ++i;
    bump(buckets_[i], n);
    bump(sum_, value * n);
  }

  std::span<const std::uint64_t> bounds() const { return bounds_; }
  // Non-cumulative count of bucket i (i == bounds().size() is +Inf's own).
  std::uint64_t bucket(std::size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  std::uint64_t sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  static void bump(std::atomic<std::uint64_t>& a, std::uint64_t n) {
    a.store(a.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::span<const std::uint64_t> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
  std::atomic<std::uint64_t> sum_{0};
};

// Several shards (one per writer) summed at scrape time.
struct HistogramTotal {
  std::vector<std::uint64_t> buckets;  // non-cumulative, bounds.size() + 1
  std::uint64_t sum = 0;
  void add(const Histogram& h) {
    if (buckets.size() < h.bounds().size() + 1) buckets.resize(h.bounds().size() + 1);
    for (std::size_t i = 0; i <= h.bounds().size(); ++i) buckets[i] += h.bucket(i);
    sum += h.sum();
  }
};

}  // namespace clasp::metrics
