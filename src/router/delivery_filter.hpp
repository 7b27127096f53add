// DeliveryFilter: the per-subscription options of D-12 for param and stream
// deliveries. epsilon suppresses a numeric value that moved less than epsilon
// from the last one delivered on that address; max_rate sends at most
// max_rate values per second per address, keeping only the newest in between
// (latest value wins) and sending it when the interval has passed.
// One per subscription with options; owned by the Router, single-threaded.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/messages.hpp"
#include "router/param_store.hpp"

namespace clasp::router {

class DeliveryFilter {
 public:
  explicit DeliveryFilter(const SubscribeOptions& o);

  enum class Verdict : std::uint8_t { Deliver, Suppress, Deferred };

  // Decides for one delivery. Deferred means the frame was kept and will come
  // back from takeDue() once the rate interval allows.
  Verdict admit(std::string_view address, const Value* value, std::span<const std::uint8_t> frame,
                std::uint64_t monoNow);

  // Frames whose interval has passed, oldest address first; calls send(frame).
  template <class F>
  void takeDue(std::uint64_t monoNow, F&& send) {
    for (auto& [address, st] : state_) {
      if (!st.pending.empty() && monoNow - st.lastSent >= intervalMicros_) {
        send(std::span<const std::uint8_t>(st.pending));
        st.lastSent = monoNow;
        st.pending.clear();
        --pendingCount_;
      }
    }
  }
  bool hasPending() const { return pendingCount_ != 0; }
  bool enabled() const { return intervalMicros_ != 0 || epsilon_.has_value(); }

 private:
  struct AddressState {
    std::optional<double> lastValue;  // last numeric value delivered
    std::uint64_t lastSent = 0;
    bool sentAny = false;
    std::vector<std::uint8_t> pending;  // newest frame waiting for the interval
  };
  std::uint64_t intervalMicros_ = 0;
  std::optional<double> epsilon_;
  std::unordered_map<std::string, AddressState, StringHash, std::equal_to<>> state_;
  std::size_t pendingCount_ = 0;
};

}  // namespace clasp::router
