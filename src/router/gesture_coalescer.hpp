// GestureCoalescer (D-13): per (sender, address, gesture id) only the newest
// MOVE is kept, and moves go out at most once per interval. A throttle, not a
// debounce: a continuous stream of moves keeps flowing at the interval rate.
// START/END/CANCEL go out at once, after any pending MOVE of the same gesture.
// Owned by the Router, single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "core/messages.hpp"

namespace clasp::router {

class GestureCoalescer {
 public:
  using Forward = std::function<void(const Publish&)>;

  explicit GestureCoalescer(std::uint64_t intervalMicros) : interval_(intervalMicros) {}

  // Routes one gesture PUBLISH from `sender`; calls forward() for what goes out now.
  void onPublish(const void* sender, const Publish& p, std::uint64_t monoNow, const Forward& forward);
  // Sends pending moves whose interval has passed.
  void flushDue(std::uint64_t monoNow, const std::function<void(const void*, const Publish&)>& forward);
  // The sender left: its pending moves are dropped (nobody to exclude any more).
  void dropSender(const void* sender);
  std::size_t active() const { return entries_.size(); }

 private:
  using Key = std::tuple<const void*, std::string, std::uint32_t>;
  struct Entry {
    std::optional<Publish> pending;
    std::uint64_t lastSent = 0;
    bool sentAny = false;
  };
  std::uint64_t interval_;
  std::map<Key, Entry> entries_;
};

}  // namespace clasp::router
