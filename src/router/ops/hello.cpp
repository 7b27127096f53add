// HELLO (D-5, router.md R1.4/R1.5): version 0 and 1 are accepted, anything
// newer is refused with 102. In authenticated mode the token is judged in
// R1.4's order, and a refusal is one ERROR then close 1008 (R1.11 Fix), with
// nothing after it processed. WELCOME is followed by the state the session
// may read, as SNAPSHOT frames, even when there is none.
#include "router/ops/ops.hpp"

namespace clasp::router {

namespace {

// The R1.4 verdict: empty when the session may proceed (scopes set), else
// the ERROR to send.
std::optional<Error> authenticate(Router& r, RouterSession* s, const Hello& m) {
  if (m.token.empty()) return Error{Errc::Unauthorized, "Authentication required"};
  if (!r.config().validator) return Error{Errc::InternalError, "Server misconfiguration"};
  TokenVerdict v = r.authenticate(m.token);
  switch (v.kind) {
    case TokenVerdict::Kind::Expired: return Error{Errc::TokenExpired, "Token has expired"};
    case TokenVerdict::Kind::Invalid: return Error{Errc::Unauthorized, "Invalid token: " + v.reason};
    case TokenVerdict::Kind::NotMine: return Error{Errc::Unauthorized, "Unrecognized token format"};
    case TokenVerdict::Kind::Valid: break;
  }
  s->subject = std::move(v.subject);
  s->scopes = std::move(v.scopes);
  return std::nullopt;
}

}  // namespace

void Ops::hello(Router& r, RouterSession* s, const Hello& m) {
  if (m.version >= 2) {
    r.sendError(s, Errc::UnsupportedVersion,
                "unsupported protocol version: " + std::to_string(m.version));
    s->closing = true;
    s->outbox->close(CloseReason::ProtocolError, "unsupported protocol version");
    return;
  }
  // Open mode ignores any token (R1.4, R7.1): the session keeps allow-all.
  if (r.config_.requireAuth) {
    if (auto refused = authenticate(r, s, m)) {
      r.sendError(s, refused->code, refused->message);
      s->closing = true;
      s->outbox->close(CloseReason::PolicyViolation, refused->message);
      return;
    }
  }
  r.registerSession(s);
  s->features = m.features;
  s->name = m.name;

  Welcome w;
  w.version = 1;
  w.features = feature::kParam | feature::kEvent | feature::kStream | feature::kGesture |
               feature::kTimeline;
  w.time = r.clock_.wallMicros();
  w.session = s->id;
  w.name = r.config_.name;
  r.reply(s, w);

  const std::uint64_t mono = r.clock_.monoMicros();
  std::vector<const std::pair<const std::string, Param>*> items;
  items.reserve(r.store_.size());
  for (auto& kv : r.store_.mutableAll()) {
    if (!s->scopes.canRead(kv.first)) continue;
    r.store_.touch(kv.second, mono);
    items.push_back(&kv);
  }
  r.sendSnapshot(s, items, true);
}

}  // namespace clasp::router
