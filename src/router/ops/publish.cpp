// PUBLISH (router.md §5 with Fixes; D-6, D-7, D-13, D-14): address (200),
// scope (301), P2P signalling to one session (404 when unknown), gesture move
// throttling, then fan-out to matching subscribers except the publisher.
// Nothing is stored. Streams and gestures are droppable for slow readers.
#include "core/address.hpp"
#include "router/ops/ops.hpp"

namespace clasp::router {

namespace {
constexpr std::string_view kP2pSignal = "/clasp/p2p/signal/";

// D-15: Fire-QoS streams and gestures may be dropped above the soft limit; a
// stream sent with Confirm or Commit is never dropped (the slow reader is
// disconnected at the hard limit instead).
Delivery deliveryFor(SignalType t, QoS qos) {
  return (t == SignalType::Stream || t == SignalType::Gesture) && qos == QoS::Fire ? Delivery::Droppable
                                                                                   : Delivery::Reliable;
}
}  // namespace

void Router::routePublish(RouterSession* s, const Publish& p, QoS qos) {
  // s is null for a scheduled bundle whose sender left: no one to answer or exclude.
  if (p.address.starts_with(kP2pSignal)) {
    std::string_view target = std::string_view(p.address).substr(kP2pSignal.size());
    if (!target.empty() && target.find('/') == std::string_view::npos) {
      auto it = byId_.find(target);
      if (it == byId_.end()) {
        if (s) sendError(s, Errc::TargetNotFound, "Target session not found: " + std::string(target), p.address);
        return;
      }
      out_.clear();
      if (!encodeFrame(p, out_)) return;
      stats_.sent[typeSlot(MessageType::Publish)].add();
      stats_.deliveries.add();
      it->second->outbox->send(out_.span(), Delivery::Reliable);
      return;
    }
  }
  if (p.signal == SignalType::Gesture && config_.gestureIntervalMicros != 0) {
    gestures_.onPublish(s, p, clock_.monoMicros(), [&](const Publish& out) {
      fanout(out, out.address, SignalType::Gesture, s, deliveryFor(SignalType::Gesture, qos));
    });
    return;
  }
  fanout(p, p.address, p.signal, s, deliveryFor(p.signal, qos), p.value ? &*p.value : nullptr);
}

void Ops::publish(Router& r, RouterSession* s, const Publish& m, QoS qos) {
  if (auto ok = validateAddress(m.address); !ok)
    return r.sendError(s, Errc::InvalidAddress, ok.error().message, m.address);
  if (!s->scopes.canWrite(m.address))
    return r.sendError(s, Errc::Forbidden, "Insufficient scope for publish operation", m.address);
  r.routePublish(s, m, qos);
  r.journalPublish(s, m);
  if (wantsAck(qos)) r.reply(s, Ack{m.address, std::nullopt, std::nullopt, std::nullopt, std::nullopt});
}

}  // namespace clasp::router
