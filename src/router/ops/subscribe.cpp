// SUBSCRIBE / UNSUBSCRIBE (router.md R2 with Fixes, D-1, D-6, D-12, D-17):
// limit (429), pattern (202), scope containment (301); a reused id replaces
// the old subscription; matching params the session may read follow as a
// SNAPSHOT (only when there are some). ACK only for Confirm/Commit frames.
#include "core/address.hpp"
#include "router/ops/ops.hpp"

namespace clasp::router {

void Ops::subscribe(Router& r, RouterSession* s, const Subscribe& m, QoS qos) {
  auto existing = s->subscriptions.find(m.id);
  if (existing == s->subscriptions.end() && r.config_.maxSubscriptions != 0 &&
      s->subscriptions.size() >= r.config_.maxSubscriptions)
    return r.sendError(s, Errc::RateLimited,
                       "Subscription limit reached (max " +
                           std::to_string(r.config_.maxSubscriptions) + ")",
                       m.pattern);
  auto pattern = Pattern::parse(m.pattern);
  if (!pattern) return r.sendError(s, Errc::PatternError, pattern.error().message, m.pattern);
  if (!s->scopes.canSubscribe(*pattern))
    return r.sendError(s, Errc::Forbidden, "Insufficient scope for subscription", m.pattern);

  if (existing != s->subscriptions.end()) {
    r.index_.remove(existing->second.pattern.text(), SubRef{s, m.id, 0});
    s->subscriptions.erase(existing);
  }
  std::unique_ptr<DeliveryFilter> filter;
  if (m.options) {
    filter = std::make_unique<DeliveryFilter>(*m.options);
    if (!filter->enabled()) filter.reset();
  }
  // Cannot fail: the pattern was validated above.
  (void)r.index_.insert(m.pattern, SubRef{s, m.id, m.types, filter != nullptr});
  s->subscriptions.emplace(m.id, Subscription{m.id, *pattern, m.types, m.options, std::move(filter)});
  if (wantsAck(qos)) r.reply(s, Ack{m.pattern, std::nullopt, std::nullopt, std::nullopt, std::nullopt});

  const std::uint64_t mono = r.clock_.monoMicros();
  std::vector<const std::pair<const std::string, Param>*> items;
  for (auto& kv : r.store_.mutableAll()) {
    if (!pattern->matches(kv.first) || !s->scopes.canRead(kv.first)) continue;
    r.store_.touch(kv.second, mono);
    items.push_back(&kv);
  }
  r.sendSnapshot(s, items, false);
}

void Ops::unsubscribe(Router& r, RouterSession* s, const Unsubscribe& m, QoS qos) {
  auto it = s->subscriptions.find(m.id);
  if (it != s->subscriptions.end()) {
    r.index_.remove(it->second.pattern.text(), SubRef{s, m.id, 0});
    s->subscriptions.erase(it);
  }
  if (wantsAck(qos)) r.reply(s, Ack{});
}

}  // namespace clasp::router
