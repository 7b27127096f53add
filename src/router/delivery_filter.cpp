// D-12 subscription options. epsilon compares against the last value this
// subscription actually delivered on the address, so a slow drift in small
// steps still gets through once it adds up to epsilon.
#include "router/delivery_filter.hpp"

#include <cmath>

namespace clasp::router {

DeliveryFilter::DeliveryFilter(const SubscribeOptions& o) {
  if (o.maxRate && *o.maxRate != 0) intervalMicros_ = 1'000'000ull / *o.maxRate;
  if (o.epsilon && *o.epsilon > 0 && std::isfinite(*o.epsilon)) epsilon_ = *o.epsilon;
}

DeliveryFilter::Verdict DeliveryFilter::admit(std::string_view address, const Value* value,
                                              std::span<const std::uint8_t> frame,
                                              std::uint64_t monoNow) {
  auto it = state_.find(address);
  if (it == state_.end()) it = state_.emplace(std::string(address), AddressState{}).first;
  AddressState& st = it->second;

  double number = 0;
  const bool numeric = value && value->toDouble(number);
  if (epsilon_ && numeric && st.lastValue && std::fabs(number - *st.lastValue) < *epsilon_)
    return Verdict::Suppress;

  if (intervalMicros_ != 0 && st.sentAny && monoNow - st.lastSent < intervalMicros_) {
    if (st.pending.empty()) ++pendingCount_;
    st.pending.assign(frame.begin(), frame.end());  // latest value wins
    if (numeric) st.lastValue = number;
    return Verdict::Deferred;
  }
  if (!st.pending.empty()) {
    st.pending.clear();
    --pendingCount_;
  }
  st.sentAny = true;
  st.lastSent = monoNow;
  if (numeric) st.lastValue = number;
  return Verdict::Deliver;
}

}  // namespace clasp::router
