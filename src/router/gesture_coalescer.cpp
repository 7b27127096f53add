// Gesture move throttling (D-13, router.md R5.5 Fix). Entries are keyed per
// sender so two performers' gestures with the same id never merge, and an
// entry lives from START (or the first MOVE) to END/CANCEL.
#include "router/gesture_coalescer.hpp"

namespace clasp::router {

void GestureCoalescer::onPublish(const void* sender, const Publish& p, std::uint64_t monoNow,
                                 const Forward& forward) {
  Key key{sender, p.address, p.id.value_or(0)};
  if (p.phase == GesturePhase::Move) {
    Entry& e = entries_[key];
    if (!e.pending && (!e.sentAny || monoNow - e.lastSent >= interval_)) {
      e.lastSent = monoNow;
      e.sentAny = true;
      forward(p);
    } else {
      e.pending = p;  // newest wins
    }
    return;
  }
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.pending) {
    forward(*it->second.pending);
    it->second.pending.reset();
  }
  if (p.phase == GesturePhase::Start) {
    Entry& e = entries_[key];
    e.lastSent = monoNow;
    e.sentAny = false;
  } else if (it != entries_.end()) {
    entries_.erase(it);
  }
  forward(p);
}

void GestureCoalescer::flushDue(std::uint64_t monoNow,
                                const std::function<void(const void*, const Publish&)>& forward) {
  for (auto& [key, e] : entries_) {
    if (e.pending && monoNow - e.lastSent >= interval_) {
      e.lastSent = monoNow;
      e.sentAny = true;
      forward(std::get<0>(key), *e.pending);
      e.pending.reset();
    }
  }
}

void GestureCoalescer::dropSender(const void* sender) {
  for (auto it = entries_.begin(); it != entries_.end();)
    it = std::get<0>(it->first) == sender ? entries_.erase(it) : std::next(it);
}

}  // namespace clasp::router
