// BUNDLE (D-9, router.md §6 Fixes): every SET and PUBLISH member is checked
// (address, scope, size, revision and lock against the state as the earlier
// members would leave it) before any is applied; one failure sends that
// member's error and applies nothing. A future timestamp (server wall µs)
// schedules the bundle, which then runs even if the sender has left; the
// checks run again at execution. Members apply in bundle order.
#include "core/address.hpp"
#include "router/ops/ops.hpp"

namespace clasp::router {

namespace {

struct Failure {
  Errc code;
  std::string text;
  std::string address;
};

// Checks every member against a shadow of the param state (revision, lock
// holder) so several SETs to one address in one bundle are judged in order.
std::optional<Failure> checkBundle(Router& r, const ParamStore& store, const Scopes& scopes,
                                   std::string_view writer, const Bundle& b) {
  struct Shadow {
    std::uint64_t revision;
    std::string holder;
  };
  std::unordered_map<std::string_view, Shadow> shadow;
  for (const Message& m : b.messages) {
    if (const Set* set = std::get_if<Set>(&m)) {
      if (auto ok = r.validateSet(*set); !ok)
        return Failure{ok.error().code, ok.error().message, set->address};
      if (!scopes.canWrite(set->address))
        return Failure{Errc::Rejected, "Bundle rejected: insufficient scope for SET to " + set->address,
                       set->address};
      auto it = shadow.find(set->address);
      if (it == shadow.end()) {
        const Param* p = store.find(set->address);
        it = shadow.emplace(set->address, Shadow{p ? p->revision : 0, p ? p->lockHolder : ""}).first;
      }
      Shadow& sh = it->second;
      if (auto ok = ParamStore::checkWrite(*set, writer, sh.revision, sh.holder); !ok)
        return Failure{ok.error().code, ok.error().message, set->address};
      if (set->unlock && sh.holder == writer) sh.holder.clear();
      if (set->lock) sh.holder.assign(writer);
      sh.revision += 1;
    } else if (const Publish* p = std::get_if<Publish>(&m)) {
      if (auto ok = validateAddress(p->address); !ok)
        return Failure{Errc::InvalidAddress, ok.error().message, p->address};
      if (!scopes.canWrite(p->address))
        return Failure{Errc::Rejected,
                       "Bundle rejected: insufficient scope for PUBLISH to " + p->address, p->address};
    }
  }
  return std::nullopt;
}

// Applies a checked bundle; returns the revision of the last SET applied.
}  // namespace

std::optional<std::uint64_t> Ops::applyBundle(Router& r, RouterSession* sender,
                                              std::string_view writer, const Bundle& b) {
  std::optional<std::uint64_t> last;
  for (const Message& m : b.messages) {
    if (const Set* set = std::get_if<Set>(&m)) last = r.applySet(sender, writer, *set).revision;
    // A bundle is all or nothing, so none of its members is ever dropped.
    else if (const Publish* p = std::get_if<Publish>(&m)) r.routePublish(sender, *p, QoS::Commit);
  }
  return last;
}

void Ops::bundle(Router& r, RouterSession* s, const Bundle& m) {
  if (auto f = checkBundle(r, r.store_, s->scopes, s->id, m))
    return r.sendError(s, f->code, f->text, f->address);
  const std::uint64_t now = r.clock_.wallMicros();
  if (m.timestamp && *m.timestamp > now) {
    if (*m.timestamp - now > r.config_.maxScheduleAheadMicros)
      return r.sendError(s, Errc::InvalidValue, "bundle scheduled too far ahead");
    if (s->scheduledBundles >= r.config_.maxScheduledPerSession)
      return r.sendError(s, Errc::InvalidValue, "too many scheduled bundles");
    ++s->scheduledBundles;
    r.scheduled_.emplace(*m.timestamp, Router::Scheduled{s, s->id, s->scopes, m});
    return r.reply(s, Ack{});
  }
  Ack ack;
  ack.revision = applyBundle(r, s, s->id, m);
  r.reply(s, ack);
}

void Ops::runScheduled(Router& r, Router::Scheduled& job) {
  if (job.session) --job.session->scheduledBundles;
  // The sender may be gone: its recorded id and scopes still judge the bundle.
  if (auto f = checkBundle(r, r.store_, job.scopes, job.sessionId, job.bundle)) {
    if (job.session) r.sendError(job.session, f->code, f->text, f->address);
    return;
  }
  applyBundle(r, job.session, job.sessionId, job.bundle);
}

}  // namespace clasp::router
