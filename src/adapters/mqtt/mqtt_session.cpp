// MQTT session state and its two directions. Inbound, a PUBLISH becomes a
// SET (retained), a deletion (empty retained) or an event (D-28) on
// <ns>/<topic>, handled by the router like a CLASP client's, so scopes, locks
// and revisions apply; the router's reply is captured to pick the PUBACK
// reason. Outbound, every SET or valued PUBLISH the router routes here is
// matched against this client's own MQTT filters (the router's patterns are
// wider: '$' topics, literal '*') and queued at the best matching QoS, which
// is at most 1 (D-28 grants min(requested, 1)).
#include "adapters/mqtt/mqtt_session.hpp"

#include <algorithm>
#include <spdlog/spdlog.h>

#include "adapters/mqtt/mqtt_bridge.hpp"
#include "adapters/mqtt/mqtt_connection.hpp"
#include "adapters/mqtt/mqtt_shard.hpp"
#include "adapters/mqtt/mqtt_topic.hpp"
#include "core/codec.hpp"
#include "core/wire_read.hpp"
#include "transport/router_section.hpp"

namespace clasp::mqtt {

namespace {

// QoS 1 messages held for a client beyond its receive window or while it
// is away (mosquitto's max_queued_messages default); later ones are dropped.
constexpr std::size_t kMaxQueued = 1000;
// In-flight QoS 1 messages for a v3.1.1 client, which cannot announce one.
constexpr std::uint16_t kV3ReceiveMaximum = 100;

QoS claspQos(std::uint8_t mqttQos) {
  return mqttQos == 0 ? QoS::Fire : mqttQos == 1 ? QoS::Confirm : QoS::Commit;
}

// What a CLASP ERROR means to an MQTT 5 client.
ReasonCode reasonFor(std::uint16_t code) {
  switch (code) {
    case 300:
    case 301:
    case 302: return ReasonCode::NotAuthorized;
    case 200:
    case 202: return ReasonCode::TopicNameInvalid;
    case 429: return ReasonCode::QuotaExceeded;
    default: return ReasonCode::ImplementationSpecificError;
  }
}

std::optional<ErrorMsg> firstError(const std::vector<std::vector<std::uint8_t>>& frames) {
  for (const auto& f : frames) {
    auto d = decodeFrame(f);
    if (!d) continue;
    if (const auto* e = std::get_if<ErrorMsg>(&d->message)) return *e;
  }
  return std::nullopt;
}

// One routed frame as this front door needs it. Deliveries of one fan-out
// reach every MQTT session on a loop with the same bytes, so the last
// conversion is kept per thread and reused when the bytes match.
struct Converted {
  std::vector<std::uint8_t> key;
  bool deliverable = false;
  bool isParam = false;
  std::uint8_t qos = 0;  // the message's own: streams and gestures 0, the rest 1
  std::string topic;
  std::vector<std::uint8_t> payload;
};

const Converted& convert(std::span<const std::uint8_t> frame, std::string_view ns) {
  thread_local Converted c;
  thread_local OutBuffer scratch(256);
  if (c.key.size() == frame.size() && std::equal(frame.begin(), frame.end(), c.key.begin())) return c;
  c.key.assign(frame.begin(), frame.end());
  c.deliverable = false;
  auto d = decodeFrame(frame);
  if (!d) return c;
  const Value* value = nullptr;
  std::string_view address;
  if (const auto* s = std::get_if<clasp::Set>(&d->message)) {
    value = &s->value;
    address = s->address;
    c.isParam = true;
    c.qos = 1;
  } else if (const auto* p = std::get_if<clasp::Publish>(&d->message)) {
    if (!p->value) return c;  // R9.9: value-less PUBLISHes are not for MQTT
    value = &*p->value;
    address = p->address;
    c.isParam = false;
    c.qos = (p->signal == SignalType::Stream || p->signal == SignalType::Gesture) ? 0 : 1;
  } else {
    return c;
  }
  auto topic = addressToTopic(ns, address);
  if (!topic) return c;
  c.topic.assign(*topic);
  scratch.clear();
  appendPayload(scratch, *value);
  c.payload.assign(scratch.data(), scratch.data() + scratch.size());
  c.deliverable = true;
  return c;
}

}  // namespace

MqttSession::MqttSession(Shard& shard, std::string clientId) : shard_(shard), clientId_(std::move(clientId)) {}

MqttSession::~MqttSession() = default;

transport::Loop& MqttSession::loop() { return shard_.loop; }

bool MqttSession::start(router::Router& r, router::Scopes scopes) {
  rs_ = r.openAdapter(*this, "mqtt:" + clientId_, 0, std::move(scopes));
  return rs_ != nullptr;
}

template <class F>
void MqttSession::captured(F&& call) {
  captured_.clear();
  capturing_ = true;
  call();
  capturing_ = false;
}

ReasonCode MqttSession::publish(router::Router& r, std::string_view topic, Bytes payload, bool retain,
                                std::uint8_t qos, std::optional<std::uint8_t> payloadFormat) {
  if (!rs_) return ReasonCode::UnspecifiedError;
  auto address = topicToAddress(shard_.config.ns, topic);
  if (!address) return ReasonCode::TopicNameInvalid;
  std::string_view text(reinterpret_cast<const char*>(payload.data()), payload.size());
  if (payloadFormat == 1 && !wire::isValidUtf8(text)) return ReasonCode::PayloadFormatInvalid;
  clasp::Publish event;
  captured([&] {
    if (retain && payload.empty()) {
      r.removeParam(rs_, *address);
    } else if (retain) {
      r.handleAdapter(rs_, clasp::Set{std::move(*address), payloadToValue(text), std::nullopt, false, false, std::nullopt},
                      claspQos(qos));
    } else {
      event.address = std::move(*address);
      event.signal = SignalType::Event;
      event.value = payloadToValue(text);
      r.handleAdapter(rs_, event, claspQos(qos));
    }
  });
  auto frames = std::move(captured_);
  captured_.clear();
  auto error = firstError(frames);
  // The client's own message coming back through its subscriptions: SETs
  // are echoed by the router (D-7); an event is not sent back to a CLASP
  // publisher, but MQTT delivers it to a subscribed publisher unless the
  // subscription says No Local, so the session hands it to itself.
  for (const auto& f : frames) deliverFrame(f, true, router::Delivery::Reliable);
  if (!error && !retain && !subs_.empty()) {
    thread_local OutBuffer own(256);
    own.clear();
    if (encodeFrame(Message(event), own)) deliverFrame(own.span(), true, router::Delivery::Reliable);
  }
  if (error) {
    spdlog::debug("mqtt {}: publish to '{}' refused: {} {}", clientId_, topic, error->code, error->message);
    return reasonFor(error->code);
  }
  return ReasonCode::Success;
}

void MqttSession::subscribe(router::Router& r, const Subscribe& s, Suback& suback) {
  suback.packetId = s.packetId;
  for (const Subscription& entry : s.subscriptions) {
    if (!splitSharedFilter(entry.filter).group.empty()) {
      suback.reasons.push_back(ReasonCode::SharedSubscriptionsNotSupported);
      continue;
    }
    auto pattern = filterToPattern(shard_.config.ns, entry.filter);
    if (!pattern || !rs_) {
      suback.reasons.push_back(ReasonCode::TopicFilterInvalid);
      continue;
    }
    auto it = std::find_if(subs_.begin(), subs_.end(), [&](const Sub& x) { return x.filter == entry.filter; });
    const bool existed = it != subs_.end();
    const std::uint32_t id = existed ? it->routerId : nextSubId_;
    captured([&] { r.handleAdapter(rs_, clasp::Subscribe{id, *pattern, 0, std::nullopt}, QoS::Confirm); });
    auto frames = std::move(captured_);
    captured_.clear();
    if (auto error = firstError(frames)) {
      spdlog::debug("mqtt {}: subscribe '{}' refused: {} {}", clientId_, entry.filter, error->code, error->message);
      suback.reasons.push_back(error->code == 202 ? ReasonCode::TopicFilterInvalid : reasonFor(error->code));
      continue;
    }
    const auto granted = static_cast<std::uint8_t>(std::min<std::uint8_t>(entry.qos, 1));
    Sub sub{std::string(entry.filter), id, granted, entry.noLocal, entry.retainAsPublished};
    if (existed) {
      *it = sub;
    } else {
      ++nextSubId_;
      subs_.push_back(sub);
    }
    suback.reasons.push_back(static_cast<ReasonCode>(granted));
    // Subscribe-time state goes out with RETAIN=1 (D-28), after the SUBACK;
    // v5 Retain Handling 1 sends it only for a new subscription, 2 never.
    if (entry.retainHandling == 2 || (entry.retainHandling == 1 && existed)) continue;
    for (auto& f : frames) retained_.push_back(RetainedBatch{std::move(f), sub});
  }
}

void MqttSession::releaseRetained() {
  auto batches = std::move(retained_);
  retained_.clear();
  for (const auto& b : batches) deliverRetained(b.frame, b.sub);
}

void MqttSession::deliverRetained(std::span<const std::uint8_t> frame, const Sub& sub) {
  auto d = decodeFrame(frame);
  if (!d) return;
  const auto* snap = std::get_if<clasp::Snapshot>(&d->message);
  if (!snap) return;
  thread_local OutBuffer payload(256);
  for (const ParamValue& pv : snap->params) {
    auto topic = addressToTopic(shard_.config.ns, pv.address);
    if (!topic || !topicMatches(sub.filter, *topic)) continue;
    payload.clear();
    appendPayload(payload, pv.value);
    enqueue(*topic, payload.span(), sub.qos, true, router::Delivery::Reliable);
  }
}

void MqttSession::unsubscribe(router::Router& r, const Unsubscribe& u, Unsuback& unsuback) {
  unsuback.packetId = u.packetId;
  for (std::string_view filter : u.filters) {
    auto it = std::find_if(subs_.begin(), subs_.end(), [&](const Sub& x) { return x.filter == filter; });
    if (it == subs_.end()) {
      unsuback.reasons.push_back(ReasonCode::NoSubscriptionExisted);
      continue;
    }
    if (rs_) captured([&] { r.handleAdapter(rs_, clasp::Unsubscribe{it->routerId}, QoS::Confirm); });
    captured_.clear();
    subs_.erase(it);
    unsuback.reasons.push_back(ReasonCode::Success);
  }
}

void MqttSession::setWill(std::optional<Will> will) {
  will_.reset();
  willDue_.reset();
  if (!will) return;
  StoredWill w;
  w.topic.assign(will->topic);
  w.payload.assign(will->payload.begin(), will->payload.end());
  w.qos = will->qos;
  w.retain = will->retain;
  w.payloadFormat = will->properties.payloadFormatIndicator;
  w.delaySeconds = will->properties.willDelayInterval.value_or(0);
  will_ = std::move(w);
}

void MqttSession::publishWill(router::Router& r) {
  if (!will_) return;
  StoredWill w = std::move(*will_);
  will_.reset();
  willDue_.reset();
  auto code = publish(r, w.topic, w.payload, w.retain, w.qos, w.payloadFormat);
  spdlog::debug("mqtt {}: will published to '{}' ({})", clientId_, w.topic, static_cast<int>(code));
}

void MqttSession::end(router::Router& r) {
  publishWill(r);
  if (rs_) r.close(rs_);
  rs_ = nullptr;
  subs_.clear();
  inflight_.clear();
  inflightOrder_.clear();
  queued_.clear();
  heldBytes_ = 0;
  expiresAt_.reset();
}

void MqttSession::attach(MqttConnection& c, Version v, std::uint16_t receiveMaximum, std::uint32_t maxPacket,
                         bool resumed) {
  conn_ = &c;
  version_ = v;
  receiveMaximum_ = v == Version::V5 ? (receiveMaximum == 0 ? 65535 : receiveMaximum) : kV3ReceiveMaximum;
  maxPacket_ = maxPacket;
  expiresAt_.reset();
  // A will waiting for its delay is not sent once the client is back (v5 §3.1.3.2.2).
  willDue_.reset();
  if (!resumed) {
    inflight_.clear();
    inflightOrder_.clear();
    queued_.clear();
    heldBytes_ = 0;
    qos2In_.clear();
    return;
  }
  for (std::uint16_t id : inflightOrder_) sendStored(inflight_.at(id), true);
  pump();
}

bool MqttSession::detach(MqttConnection& c, bool keepWill, SteadyTime now) {
  if (conn_ != &c) return false;
  conn_ = nullptr;
  if (!keepWill) will_.reset();
  if (expirySeconds_ == 0) return true;
  expiresAt_ = now + std::chrono::seconds(expirySeconds_);
  if (will_) willDue_ = now + std::chrono::seconds(std::min(will_->delaySeconds, expirySeconds_));
  return false;
}

MqttSession::Due MqttSession::due(SteadyTime now) const {
  if (conn_) return Due::Nothing;
  if (expiresAt_ && now >= *expiresAt_) return Due::End;
  if (willDue_ && now >= *willDue_) return Due::Will;
  return Due::Nothing;
}

bool MqttSession::acknowledge(std::uint16_t id) {
  auto found = inflight_.find(id);
  if (found == inflight_.end()) return false;
  heldBytes_ -= found->second.bytes.size();
  inflight_.erase(found);
  auto it = std::find(inflightOrder_.begin(), inflightOrder_.end(), id);
  if (it != inflightOrder_.end()) inflightOrder_.erase(it);
  pump();
  return true;
}

void MqttSession::send(std::span<const std::uint8_t> frame, router::Delivery kind, std::uint64_t shared) {
  if (capturing_) {
    captured_.emplace_back(frame.begin(), frame.end());
    return;
  }
  transport::RouterSection::deliver(*this, frame, kind, shared);
}

void MqttSession::close(router::CloseReason reason, std::string_view text) {
  transport::RouterSection::close(*this, reason, text);
}

void MqttSession::deliver(std::span<const std::uint8_t> frame, router::Delivery kind) {
  deliverFrame(frame, false, kind);
}

void MqttSession::deliverClose(router::CloseReason reason, std::string_view text) {
  if (!conn_) return;
  if (reason == router::CloseReason::GoingAway) return conn_->endFromSession(ReasonCode::ServerShuttingDown, "server shutting down");
  conn_->endFromSession(ReasonCode::AdministrativeAction, text.empty() ? "closed by the router" : "closed");
}

void MqttSession::flushQueued() {
  if (conn_) conn_->flush();
}

void MqttSession::deliverFrame(std::span<const std::uint8_t> frame, bool own, router::Delivery kind) {
  if (subs_.empty()) return;
  const Converted& c = convert(frame, shard_.config.ns);
  if (!c.deliverable) return;
  int qos = -1;
  bool retain = false;
  for (const Sub& s : subs_) {
    if (own && s.noLocal) continue;
    if (!topicMatches(s.filter, c.topic)) continue;
    qos = std::max<int>(qos, std::min<int>(s.qos, c.qos));
    if (s.retainAsPublished && c.isParam) retain = true;
  }
  if (qos < 0) return;
  enqueue(c.topic, c.payload, static_cast<std::uint8_t>(qos), retain, kind);
}

void MqttSession::enqueue(std::string_view topic, std::span<const std::uint8_t> payload, std::uint8_t qos,
                          bool retain, router::Delivery kind) {
  thread_local OutBuffer scratch(512);
  if (qos == 0 && !conn_) return;  // QoS 0 is not kept for an absent client
  scratch.clear();
  Publish p;
  p.qos = qos;
  p.retain = retain;
  p.topic = topic;
  p.packetId = 0;
  p.payload = payload;
  auto n = encodePublish(scratch, version_, p);
  if (!n) return;
  // v5 Maximum Packet Size: a packet the client cannot take is discarded.
  if (maxPacket_ != 0 && *n > maxPacket_) {
    spdlog::debug("mqtt {}: {} byte message to '{}' exceeds the client's maximum packet size", clientId_, *n, topic);
    return;
  }
  if (qos == 0) {
    conn_->queuePacket(scratch.span(), kind == router::Delivery::Droppable);
    return;
  }
  // Held QoS 1 messages (queued and in flight) are bounded by count and by
  // the relay's per-session queue limit in bytes (D-15's hard limit).
  if (queued_.size() >= kMaxQueued || heldBytes_ + *n > shard_.server.queueHardLimit) {
    shard_.loop.stats().droppedQueueFull.add();
    if (droppedQueued_++ % 1000 == 0)
      spdlog::info("mqtt {}: QoS 1 queue full ({} messages, {} bytes), dropping", clientId_, queued_.size(),
                   heldBytes_);
    return;
  }
  heldBytes_ += *n;
  // Packet id position: fixed header, topic (2 + length); no properties yet.
  const std::size_t body = 2 + topic.size() + 2 + (version_ == Version::V5 ? 1 : 0) + payload.size();
  Stored s{std::vector<std::uint8_t>(scratch.data(), scratch.data() + scratch.size()), 0};
  s.idOffset = (*n - body) + 2 + topic.size();
  queued_.push_back(std::move(s));
  pump();
}

std::uint16_t MqttSession::nextPacketId() {
  do {
    ++lastPacketId_;
    if (lastPacketId_ == 0) lastPacketId_ = 1;
  } while (inflight_.contains(lastPacketId_));
  return lastPacketId_;
}

void MqttSession::pump() {
  while (conn_ && !queued_.empty() && inflight_.size() < receiveMaximum_) {
    const std::uint16_t id = nextPacketId();
    Stored s = std::move(queued_.front());
    queued_.pop_front();
    s.bytes[s.idOffset] = static_cast<std::uint8_t>(id >> 8);
    s.bytes[s.idOffset + 1] = static_cast<std::uint8_t>(id & 0xFF);
    auto [it, _] = inflight_.emplace(id, std::move(s));
    inflightOrder_.push_back(id);
    sendStored(it->second, false);
  }
}

void MqttSession::sendStored(Stored& s, bool dup) {
  if (!conn_) return;
  if (dup) s.bytes[0] |= 0x08;
  conn_->queuePacket(s.bytes, false);
}

}  // namespace clasp::mqtt
