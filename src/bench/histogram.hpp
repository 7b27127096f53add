// Histogram: a fixed-size log-linear latency histogram in the spirit of
// HdrHistogram. Values below 256 have a bucket each; above, every power of
// two is cut into 128 equal buckets, so a reported value is within 0.8% of
// the true one over the whole u64 range. All storage is inside the object
// (7424 counters, 58 KiB): record() never allocates. One owner thread;
// merge() combines per-thread histograms after the threads have stopped.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace clasp::bench {

class Histogram {
 public:
  static constexpr int kLinearBits = 8;                        // exact below 2^8
  static constexpr std::uint64_t kLinear = 1u << kLinearBits;  // 256
  static constexpr std::uint64_t kPerOctave = kLinear / 2;     // 128 buckets per power of two
  static constexpr std::size_t kBuckets = kLinear + (64 - kLinearBits) * kPerOctave;

  void record(std::uint64_t v) {
    ++counts_[indexOf(v)];
    ++total_;
    if (v > max_) max_ = v;
  }

  void merge(const Histogram& other) {
    for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    max_ = std::max(max_, other.max_);
  }

  std::uint64_t count() const { return total_; }
  std::uint64_t max() const { return max_; }

  // The value at quantile q in (0, 1]: the highest value that falls in the
  // bucket holding the ceil(q * count)-th smallest sample, capped at the true
  // maximum. 0 for an empty histogram.
  std::uint64_t percentile(double q) const {
    if (total_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_)));
    rank = std::clamp<std::uint64_t>(rank, 1, total_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(highestIn(i), max_);
    }
    return max_;
  }

  static constexpr std::size_t indexOf(std::uint64_t v) {
    if (v < kLinear) return static_cast<std::size_t>(v);
    const int msb = 63 - std::countl_zero(v);  // >= kLinearBits
    const int shift = msb - (kLinearBits - 1);  // v >> shift lies in [128, 256)
    const std::uint64_t sub = (v >> shift) - kPerOctave;
    return static_cast<std::size_t>(kLinear + static_cast<std::uint64_t>(msb - kLinearBits) * kPerOctave + sub);
  }

  static constexpr std::uint64_t highestIn(std::size_t index) {
    if (index < kLinear) return index;
    const std::size_t rest = index - kLinear;
    const int msb = kLinearBits + static_cast<int>(rest / kPerOctave);
    const int shift = msb - (kLinearBits - 1);
    const std::uint64_t sub = kPerOctave + rest % kPerOctave;
    const std::uint64_t next = (sub + 1) << shift;
    return next == 0 ? UINT64_MAX : next - 1;  // the top bucket ends at 2^64 - 1
  }

 private:
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t max_ = 0;
};

static_assert(Histogram::indexOf(255) == 255);
static_assert(Histogram::indexOf(256) == 256);
static_assert(Histogram::highestIn(256) == 257);
static_assert(Histogram::indexOf(UINT64_MAX) == Histogram::kBuckets - 1);
static_assert(Histogram::highestIn(Histogram::kBuckets - 1) == UINT64_MAX);

}  // namespace clasp::bench
