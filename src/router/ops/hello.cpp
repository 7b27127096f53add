// HELLO (D-5, router.md R1.4/R1.5): version 0 and 1 are accepted, anything
// newer is refused with 102. WELCOME is followed by the state the session may
// read, as SNAPSHOT frames, even when there is none.
#include "router/ops/ops.hpp"

namespace clasp::router {

void Ops::hello(Router& r, RouterSession* s, const Hello& m) {
  if (m.version >= 2) {
    r.sendError(s, Errc::UnsupportedVersion,
                "unsupported protocol version: " + std::to_string(m.version));
    s->closing = true;
    s->outbox->close(CloseReason::ProtocolError, "unsupported protocol version");
    return;
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
