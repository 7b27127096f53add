// SET and GET (router.md §3, R4.1 with Fixes; D-2, D-6, D-7, D-10, D-11).
// SET: address (200), scope (301), size (402), store rules (400/401), then the
// fan-out to every matching param subscriber, writer included, before the
// writer's ACK. GET: a one-param SNAPSHOT, or 201 for an unknown address.
#include "core/address.hpp"
#include "router/ops/ops.hpp"
#include "router/value_size.hpp"

namespace clasp::router {

Result<void> Router::validateSet(const Set& set) const {
  if (auto ok = validateAddress(set.address); !ok) return ok;
  // The fan-out SET adds a revision; the param's SNAPSHOT entry (for late
  // joiners and GET) adds revision, writer id and timestamp. A param that
  // could not travel in both would be stored but undeliverable.
  constexpr std::size_t kSessionId = 36;
  std::size_t setPayload =
      2 + 2 + set.address.size() + valueDataSize(set.value) + 8 + (set.ttl ? 4 : 0);
  std::size_t snapshotPayload = 3 + snapshotEntrySize(set.address, set.value, std::string(kSessionId, 'x'));
  if (setPayload > kMaxPayload || snapshotPayload > kMaxPayload)
    return fail(Errc::InvalidValue, "value too large");
  return {};
}

const Param& Router::applySet(RouterSession* by, std::string_view writer, const Set& set) {
  const Param& p = store_.apply(set, writer, clock_.wallMicros(), clock_.monoMicros());
  journalSet(by, set.address, p);
  Set out{set.address, p.value, p.revision, set.lock, set.unlock, set.ttl};
  fanout(out, set.address, SignalType::Param, nullptr, Delivery::Reliable, &p.value);
  return p;
}

void Ops::set(Router& r, RouterSession* s, const Set& m) {
  if (auto ok = r.validateSet(m); !ok) return r.sendError(s, ok.error().code, ok.error().message, m.address);
  if (!s->scopes.canWrite(m.address))
    return r.sendError(s, Errc::Forbidden, "Insufficient scope for write operation", m.address);
  if (auto ok = r.store_.check(m, s->id); !ok)
    return r.sendError(s, ok.error().code, ok.error().message, m.address);
  const Param& p = r.applySet(s, s->id, m);
  Ack ack;
  ack.address = m.address;
  ack.revision = p.revision;
  if (m.lock || m.unlock || !p.lockHolder.empty()) {
    ack.locked = !p.lockHolder.empty();
    if (!p.lockHolder.empty()) ack.holder = p.lockHolder;
  }
  r.reply(s, ack);
}

void Ops::get(Router& r, RouterSession* s, const Get& m) {
  if (auto ok = validateAddress(m.address); !ok)
    return r.sendError(s, Errc::InvalidAddress, ok.error().message, m.address);
  if (!s->scopes.canRead(m.address))
    return r.sendError(s, Errc::Forbidden, "Insufficient scope for read operation", m.address);
  auto& all = r.store_.mutableAll();
  auto it = all.find(m.address);
  if (it == all.end()) return r.sendError(s, Errc::AddressNotFound, "Address not found", m.address);
  r.store_.touch(it->second, r.clock_.monoMicros());
  r.sendSnapshot(s, {&*it}, true);
}

}  // namespace clasp::router
