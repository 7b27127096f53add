// The small handlers: SYNC (R4.7), ANNOUNCE and QUERY over the announced
// signal registry (R4.3/R4.4 with scope Fixes), REPLAY (scope as SUBSCRIBE,
// 501 without a journal; the journal thread answers it), and FEDERATION_SYNC
// from a session that is not a federation peer.
#include "core/address.hpp"
#include "router/ops/ops.hpp"

namespace clasp::router {

void Ops::sync(Router& r, RouterSession* s, const Sync& m) {
  const std::uint64_t now = r.clock_.wallMicros();
  r.reply(s, Sync{m.t1, now, now});
}

void Ops::announce(Router& r, RouterSession* s, const Announce& m) {
  for (const SignalDefinition& d : m.signals) {
    if (auto ok = validateAddress(d.address); !ok)
      return r.sendError(s, Errc::InvalidAddress, ok.error().message, d.address);
    if (!s->scopes.canWrite(d.address))
      return r.sendError(s, Errc::Forbidden, "Insufficient scope for announce operation", d.address);
  }
  const std::uint64_t mono = r.clock_.monoMicros();
  for (const SignalDefinition& d : m.signals) r.signals_.insert_or_assign(d.address, std::make_pair(d, mono));
  r.reply(s, Ack{m.ns, std::nullopt, std::nullopt, std::nullopt, std::nullopt});
}

void Ops::query(Router& r, RouterSession* s, const Query& m) {
  auto pattern = Pattern::parse(m.pattern);
  if (!pattern) return r.sendError(s, Errc::PatternError, pattern.error().message, m.pattern);
  QueryResult result;
  std::size_t bytes = 3;
  for (const auto& [address, entry] : r.signals_) {
    if (!pattern->matches(address) || !s->scopes.canRead(address)) continue;
    const SignalDefinition& a = entry.first;
    // RESULT carries no meta (protocol.md §5.17).
    SignalDefinition d{a.address, a.type, a.datatype, a.access, std::nullopt};
    std::size_t size = 4 + d.address.size() + (d.datatype ? 2 + d.datatype->size() : 0) +
                       (d.access ? 2 + d.access->size() : 0);
    if (bytes + size > kMaxPayload) break;  // one RESULT frame; the rest does not fit
    bytes += size;
    result.signals.push_back(std::move(d));
  }
  r.reply(s, result);
}

void Ops::replay(Router& r, RouterSession* s, const Replay& m) {
  // R7.3: REPLAY needs what SUBSCRIBE needs, so a session without the scope
  // learns nothing, not even that there is no journal.
  auto pattern = Pattern::parse(m.pattern);
  if (!pattern) return r.sendError(s, Errc::PatternError, pattern.error().message, m.pattern);
  if (!s->scopes.canSubscribe(*pattern))
    return r.sendError(s, Errc::Forbidden, "Insufficient scope for replay", m.pattern);
  if (!r.journal_) return r.sendError(s, Errc::ServiceUnavailable, "Journal not configured on this router", m.pattern);
  // The journal thread answers: entries, then the end-marker ACK.
  r.journal_->replay(s->id, m);
}

void Ops::federationSync(Router& r, RouterSession* s, const FederationSync&) {
  if ((s->features & feature::kFederation) == 0)
    return r.sendError(s, Errc::Rejected, "FederationSync requires federation feature");
  r.sendError(s, Errc::ServiceUnavailable, "federation is not enabled on this router");
}

}  // namespace clasp::router
