// The adapter entry points (router.md §9, §10 with D-18, D-28, D-29): MQTT
// and OSC sessions are established without a HELLO exchange and then use the
// same handlers as CLASP sessions, so scopes, locks, revisions and fan-out
// hold across protocols. Deletion exists only for MQTT's empty retained
// PUBLISH; its notice to subscribers is a SET of null (docs/decisions.md).
#include "core/address.hpp"
#include "router/ops/ops.hpp"

namespace clasp::router {

RouterSession* Router::openAdapter(Outbox& outbox, std::string name, std::uint8_t features,
                                   Scopes scopes, bool limited) {
  RouterSession* s = open(outbox, limited);
  if (!s) return nullptr;
  s->adapter = true;
  s->name = std::move(name);
  s->features = features;
  s->scopes = std::move(scopes);
  registerSession(s);
  return s;
}

void Router::handleAdapter(RouterSession* s, const Message& m, QoS qos) {
  if (!s->established || s->closing) return;
  dispatch(s, m, qos);
}

void Router::removeParam(RouterSession* s, std::string_view address) {
  if (auto ok = validateAddress(address); !ok)
    return sendError(s, Errc::InvalidAddress, ok.error().message, address);
  if (!s->scopes.canWrite(address))
    return sendError(s, Errc::Forbidden, "Insufficient scope for write operation", address);
  auto& all = store_.mutableAll();
  auto it = all.find(address);
  if (it == all.end()) return;
  Set probe{std::string(address), Value{}, std::nullopt, false, false, std::nullopt};
  if (auto ok = store_.check(probe, s->id); !ok) return sendError(s, ok.error().code, ok.error().message, address);
  std::string key = it->first;
  const std::uint64_t revision = store_.erase(it);
  journalDelete(s, s->id, key, revision);
  announceDeletion(key, revision);
}

TokenVerdict Router::authenticate(std::string_view token) const {
  if (!config_.validator) return TokenVerdict{};
  return config_.validator->validate(token, clock_.wallMicros());
}

}  // namespace clasp::router
