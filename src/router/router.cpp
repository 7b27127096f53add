// Router plumbing: the session table, decoding of inbound frames (D-4), the
// outbound helpers (replies, errors, encode-once fan-out, chunked snapshots)
// and the timers. The per-message behaviour lives in ops/*.cpp.
#include "router/ops/ops.hpp"

#include <cstdio>

#include "core/address.hpp"
#include "router/value_size.hpp"

namespace clasp::router {

Router::Router(RouterConfig config, const Clock& clock)
    : config_(std::move(config)),
      clock_(clock),
      gestures_(config_.gestureIntervalMicros),
      out_(1 << 16),
      rng_(std::random_device{}()) {}

Router::~Router() = default;

RouterSession* Router::open(Outbox& outbox, bool limited) {
  if (limited && config_.maxSessions != 0 && limitedSessions_ >= config_.maxSessions) return nullptr;
  auto owned = std::make_unique<RouterSession>(outbox);
  RouterSession* s = owned.get();
  s->limited = limited;
  if (limited) ++limitedSessions_;
  sessions_.emplace(s, std::move(owned));
  return s;
}

void Router::close(RouterSession* s) {
  auto it = sessions_.find(s);
  if (it == sessions_.end()) return;
  s->closing = true;
  for (auto& [id, sub] : s->subscriptions) index_.remove(sub.pattern.text(), SubRef{s, id, 0});
  s->subscriptions.clear();
  gestures_.dropSender(s);
  throttled_.erase(s);
  for (auto& [when, job] : scheduled_)
    if (job.session == s) job.session = nullptr;  // D-9: runs even after the sender left
  if (s->established) {
    byId_.erase(s->id);
    // D-10: the holder's locks go with it; subscribers see the unlocked state.
    for (const std::string& address : store_.releaseLocks(s->id)) {
      const Param* p = store_.find(address);
      journalSet(nullptr, address, *p);
      Set note{address, p->value, p->revision, false, true, std::nullopt};
      fanout(note, address, SignalType::Param, nullptr, Delivery::Reliable);
    }
  }
  if (s->heldAcks > 0)
    for (HeldAck& h : held_)
      if (h.session == s) h.session = nullptr;
  if (s->limited) --limitedSessions_;
  sessions_.erase(it);
}

std::size_t Router::clientCount() const {
  std::size_t n = 0;
  for (const auto& [s, owned] : sessions_) n += s->adapter || s->closing ? 0 : 1;
  return n;
}

void Router::reconfigure(const RouterConfig& next) {
  config_.maxSessions = next.maxSessions;
  config_.maxSubscriptions = next.maxSubscriptions;
  config_.requireAuth = next.requireAuth;
  config_.validator = next.validator;
}

void Router::announceShutdown() {
  for (auto& [s, owned] : sessions_) {
    if (s->closing) continue;
    // MQTT's notice is the DISCONNECT itself (0x8B, server shutting down);
    // an OSC source has nothing to leave.
    if (s->adapter) {
      s->closing = true;
      s->outbox->close(CloseReason::GoingAway, "server shutting down");
    } else if (s->established) {
      sendError(s, Errc::ServiceUnavailable, "shutting down");
    }
  }
}

void Router::closeAll(CloseReason reason, std::string_view text) {
  for (auto& [s, owned] : sessions_) {
    if (s->closing) continue;
    s->closing = true;
    s->outbox->close(reason, text);
  }
}

std::size_t Router::subscriptionCount() const {
  std::size_t n = 0;
  for (const auto& [s, owned] : sessions_) n += s->subscriptions.size();
  return n;
}

void Router::handleMessage(RouterSession* s, std::span<const std::uint8_t> bytes) {
  if (auto ok = decodeInbound(bytes, inbound_); !ok) return rejectInbound(s, ok.error());
  handleDecoded(s, inbound_);
}

Result<void> Router::decodeInbound(std::span<const std::uint8_t> bytes, DecodedFrame& into) {
  auto frame = parseFrame(bytes);
  if (!frame) return fail(Errc::BadFrame, "invalid frame: " + frame.error().message);
  into.header = frame->header;
  into.size = frame->size;
  if (auto decoded = decodeMessageInto(frame->payload, into.message); !decoded)
    return fail(Errc::BadMessage, decoded.error().message);
  return {};
}

void Router::rejectInbound(RouterSession* s, const Error& e) {
  if (s->closing) return;
  sendError(s, e.code, e.message);
  if (e.code == Errc::BadFrame) {
    // D-4: unparseable frame -> ERROR 100 and close; undecodable -> 101, the session continues.
    s->closing = true;
    s->outbox->close(CloseReason::ProtocolError, "invalid frame");
  }
}

void Router::handleDecoded(RouterSession* s, const DecodedFrame& f) {
  if (s->closing) return;
  dispatch(s, f.message, f.header.qos());
}

void Router::reply(RouterSession* s, const Message& m, Delivery kind) {
  if (journal_ && (s->journalTicket > committed_ || s->heldAcks > 0)) {
    // D-23: an ACK after a journalled change waits for its commit; later
    // ACKs of the same session queue behind it so they keep their order.
    if (const Ack* ack = std::get_if<Ack>(&m.variant())) {
      held_.push_back(HeldAck{std::max(s->journalTicket, held_.empty() ? 0 : held_.back().ticket), s, *ack});
      ++s->heldAcks;
      return;
    }
  }
  out_.clear();
  if (!encodeFrame(m, out_)) return;  // replies are built to fit; nothing to send otherwise
  stats_.sent[typeSlot(m.type())].add();
  s->outbox->send(out_.span(), kind);
}

void Router::countFrame(std::span<const std::uint8_t> frame, std::uint64_t deliveries) {
  auto parsed = parseFrame(frame);
  if (!parsed || parsed->payload.empty()) return;
  stats_.sent[typeSlot(static_cast<MessageType>(parsed->payload[0]))].add();
  stats_.deliveries.add(deliveries);
}

void Router::sendError(RouterSession* s, Errc code, std::string_view text,
                       std::optional<std::string_view> address) {
  ErrorMsg e;
  e.code = static_cast<std::uint16_t>(code);
  stats_.error(e.code);
  // Texts quote client input; keep the frame comfortably inside the limit.
  e.message.assign(text.substr(0, 1024));
  if (address) e.address = std::string(address->substr(0, 4096));
  reply(s, e);
}

void Router::fanout(const Message& m, std::string_view address, SignalType signal,
                    const RouterSession* exclude, Delivery kind, const Value* value) {
  out_.clear();
  if (!encodeFrame(m, out_)) return;
  const auto frame = out_.span();
  const std::uint64_t stamp = ++fanoutStamp_;
  const std::uint8_t bit = typemask::bitFor(signal);
  const bool filterable = signal == SignalType::Param || signal == SignalType::Stream;
  std::uint64_t mono = 0;
  std::uint64_t targets = 0;
  index_.match(address, [&](const SubRef& ref) {
    RouterSession* target = ref.session;
    if (target == exclude || target->fanoutStamp == stamp) return;
    if (ref.types != 0 && (ref.types & bit) == 0) return;
    if (!target->scopes.isAllowAll() && !target->scopes.canRead(address)) return;
    if (ref.filtered && filterable) {
      // D-12: this subscription may hold the value back; another matching
      // subscription of the same session may still deliver it, so no stamp.
      auto sub = target->subscriptions.find(ref.id);
      if (sub != target->subscriptions.end() && sub->second.filter) {
        if (mono == 0) mono = clock_.monoMicros();
        auto verdict = sub->second.filter->admit(address, value, frame, mono);
        if (verdict == DeliveryFilter::Verdict::Deferred) throttled_.insert(target);
        if (verdict != DeliveryFilter::Verdict::Deliver) return;
      }
    }
    target->fanoutStamp = stamp;
    ++targets;
    target->outbox->send(frame, kind, stamp);
  });
  stats_.sent[typeSlot(m.type())].add(targets);
  stats_.deliveries.add(targets);
  stats_.fanout.observe(targets);
}

void Router::sendSnapshot(RouterSession* s,
                          const std::vector<const std::pair<const std::string, Param>*>& items,
                          bool evenIfEmpty) {
  constexpr std::size_t kMaxParams = 800;
  constexpr std::size_t kHeader = 3;  // type + count
  Snapshot snap;
  std::size_t bytes = kHeader;
  auto flush = [&] {
    reply(s, snap);
    snap.params.clear();
    bytes = kHeader;
  };
  for (const auto* item : items) {
    const auto& [address, p] = *item;
    std::size_t entry = snapshotEntrySize(address, p.value, p.writer);
    if (!snap.params.empty() && (snap.params.size() == kMaxParams || bytes + entry > kMaxPayload))
      flush();
    snap.params.push_back(ParamValue{address, p.value, p.revision, p.writer, p.timestamp});
    bytes += entry;
  }
  if (!snap.params.empty() || evenIfEmpty) flush();
}

void Router::tick() {
  const std::uint64_t mono = clock_.monoMicros();
  if (config_.gestureIntervalMicros != 0) {
    gestures_.flushDue(mono, [&](const void* sender, const Publish& p) {
      fanout(p, p.address, SignalType::Gesture, static_cast<const RouterSession*>(sender),
             Delivery::Droppable);
    });
  }
  for (auto it = throttled_.begin(); it != throttled_.end();) {
    RouterSession* s = *it;
    bool waiting = false;
    for (auto& [id, sub] : s->subscriptions) {
      if (!sub.filter || !sub.filter->hasPending()) continue;
      sub.filter->takeDue(mono, [&](std::span<const std::uint8_t> frame) {
        countFrame(frame, 1);
        s->outbox->send(frame, Delivery::Reliable);
      });
      waiting = waiting || sub.filter->hasPending();
    }
    it = waiting ? std::next(it) : throttled_.erase(it);
  }
  const std::uint64_t wall = clock_.wallMicros();
  while (!scheduled_.empty() && scheduled_.begin()->first <= wall) {
    auto node = scheduled_.extract(scheduled_.begin());
    Ops::runScheduled(*this, node.mapped());
  }
  if (config_.ttlEnabled && mono >= nextTtlSweep_) {
    nextTtlSweep_ = mono + 1'000'000;
    sweepParams(mono);
    if (config_.signalTtlSeconds != 0) {
      const std::uint64_t limit = std::uint64_t{config_.signalTtlSeconds} * 1'000'000;
      std::erase_if(signals_, [&](const auto& kv) { return mono - kv.second.second >= limit; });
    }
  }
}

void Router::sweepParams(std::uint64_t mono) {
  for (const auto& [address, revision] : store_.expire(mono, config_.paramTtlSeconds)) {
    journalDelete(nullptr, "system", address, revision);
    announceDeletion(address, revision);
  }
}

void Router::registerSession(RouterSession* s) {
  do {
    s->id = newSessionId();
  } while (byId_.contains(s->id));
  byId_.emplace(s->id, s);
  s->established = true;
}

std::string Router::newSessionId() {
  // UUID v4, canonical lower-case text (protocol.md §16 item 16: never a '/').
  std::uint64_t hi = rng_(), lo = rng_();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return buf;
}

}  // namespace clasp::router
