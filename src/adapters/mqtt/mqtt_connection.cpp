// MQTT connection: reading, the protocol's order and flow rules, writing.
// Reads follow the WebSocket connection's pattern (readiness, the loop's
// shared buffer, only an incomplete packet kept); a run of packets shares
// one router section (RouterGate). A packet the codec refuses, or one that
// breaks an ordering rule, ends the connection with the MQTT 5 reason code
// (v3.1.1 has none: the connection is just closed); nothing else is touched.
#include "adapters/mqtt/mqtt_connection.hpp"

#include <cstring>
#include <random>
#include <spdlog/spdlog.h>
#include <string_view>

#include "log/fields.hpp"

namespace clasp::mqtt {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kCloseGrace = std::chrono::seconds(2);
// Packets handled under one router section before other loops get a turn.
constexpr int kPacketsPerSection = 256;
constexpr int kReadsPerTurn = 4;

// The protocol level a CONNECT announces, read before it is decoded, so a
// malformed v5 CONNECT can still be answered in v5 form.
Version guessVersion(const RawPacket& raw) {
  if (raw.body.size() >= 7 && raw.body[0] == 0 && raw.body[1] == 4 && raw.body[6] == 5) return Version::V5;
  return Version::V311;
}

// CONNACK return codes exist in v3.1.1 only for these refusals.
bool v3CanRefuse(ReasonCode c) {
  switch (c) {
    case ReasonCode::UnsupportedProtocolVersion:
    case ReasonCode::ClientIdentifierNotValid:
    case ReasonCode::ServerUnavailable:
    case ReasonCode::ServerBusy:
    case ReasonCode::BadUserNameOrPassword:
    case ReasonCode::NotAuthorized: return true;
    default: return false;
  }
}

std::string randomClientId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "clasp-";
  for (int i = 0; i < 20; ++i) id.push_back(kHex[rng() & 15]);
  return id;
}

}  // namespace

MqttConnection::MqttConnection(tcp::socket socket, Shard& shard)
    : shard_(&shard), socket_(std::move(socket)), parser_(shard.config.maxPacketSize) {}

MqttConnection::~MqttConnection() {
  if (shard_) shard_->connections.erase(this);
}

void MqttConnection::start(std::vector<std::uint8_t> early) {
  started_ = lastInbound_ = lastTraffic_ = Clock::now();
  boost::system::error_code ignored;
  socket_->set_option(tcp::no_delay(true), ignored);
  socket_->non_blocking(true, ignored);
  shard_->connections[this] = weak_from_this();
  if (!early.empty()) {
    auto used = processInput(early);
    if (moved_ || terminated_) return;
    if (used) keepPartial(std::span<const std::uint8_t>(early).subspan(*used));
  }
  waitReadable();
}

void MqttConnection::waitReadable() {
  socket_->async_wait(tcp::socket::wait_read,
                      [self = shared_from_this()](boost::system::error_code ec) { self->onReadable(ec); });
}

void MqttConnection::onReadable(boost::system::error_code ec) {
  if (moved_ || terminated_) return;
  if (ec) return terminate();
  for (int i = 0; i < kReadsPerTurn; ++i) {
    switch (readOnce()) {
      case ReadOutcome::Closed: return terminate();
      case ReadOutcome::Drained:
        if (moved_ || terminated_) return;
        return waitReadable();
      case ReadOutcome::More:
        if (moved_ || terminated_) return;
        break;
    }
  }
  asio::post(socket_->get_executor(), [self = shared_from_this()] { self->onReadable({}); });
}

MqttConnection::ReadOutcome MqttConnection::readOnce() {
  boost::system::error_code ec;
  std::span<std::uint8_t> buf = shard_->loop.readBuffer();
  // A packet larger than the shared buffer grows in partial_ (bounded by
  // the packet size limit, which the parser enforced from its header).
  if (partial_.len + 4096 > buf.size()) {
    partial_.bytes.resize(partial_.len + buf.size());
    std::size_t n = socket_->read_some(asio::buffer(partial_.bytes.data() + partial_.len, buf.size()), ec);
    if (ec == asio::error::would_block) return ReadOutcome::Drained;
    if (ec) return ReadOutcome::Closed;
    lastInbound_ = lastTraffic_ = Clock::now();
    if (closing_) return ReadOutcome::More;
    std::vector<std::uint8_t> data = std::move(partial_.bytes);
    partial_.bytes.clear();
    const std::size_t have = partial_.len + n;
    partial_.len = 0;
    auto used = processInput({data.data(), have});
    if (used) keepPartial(std::span<const std::uint8_t>(data.data(), have).subspan(*used));
    return ReadOutcome::More;
  }
  if (partial_.len != 0) std::memcpy(buf.data(), partial_.bytes.data(), partial_.len);
  const std::size_t have = partial_.len;
  const std::size_t room = buf.size() - have;
  std::size_t n = socket_->read_some(asio::buffer(buf.data() + have, room), ec);
  if (ec == asio::error::would_block) return ReadOutcome::Drained;
  if (ec) return ReadOutcome::Closed;  // EOF included
  const ReadOutcome next = n == room ? ReadOutcome::More : ReadOutcome::Drained;
  lastInbound_ = lastTraffic_ = Clock::now();
  if (closing_) {
    partial_.len = 0;  // input after our close is read and dropped
    return next;
  }
  std::span<std::uint8_t> data = buf.first(have + n);
  auto used = processInput(data);
  if (!used) {
    partial_.len = 0;
    return next;
  }
  keepPartial(data.subspan(*used));
  return next;
}

void MqttConnection::keepPartial(std::span<const std::uint8_t> rest) { partial_.keep(rest); }

std::optional<std::size_t> MqttConnection::processInput(std::span<std::uint8_t> data) {
  auto out = handleInput(data);
  // Packets handled without the router (PUBACK opening the QoS 1 window,
  // a resumed session's backlog) queued output that no delivery record
  // will flush.
  flush();
  return out;
}

std::optional<std::size_t> MqttConnection::handleInput(std::span<std::uint8_t> data) {
  transport::RouterGate gate(shard_->host);
  std::size_t used = 0;
  int handled = 0;
  for (;;) {
    auto next = parser_.next(data.subspan(used));
    if (!next) {
      fail(next.error().code, next.error().reason, gate);
      return std::nullopt;
    }
    if (!*next) return used;
    const RawPacket raw = **next;
    const Next after = handlePacket(raw, data.subspan(used), gate);
    used += raw.size;
    if (after == Next::Stop || closing_ || moved_ || terminated_) return std::nullopt;
    if (++handled % kPacketsPerSection == 0) gate.release();
  }
}

MqttConnection::Next MqttConnection::handlePacket(const RawPacket& raw, std::span<const std::uint8_t> fromHere,
                                                  transport::RouterGate& gate) {
  if (!connected_) {
    if (raw.type != PacketType::Connect) {
      spdlog::debug("mqtt: closing connection: first packet is type {}, not CONNECT", static_cast<int>(raw.type));
      closeAfterFlush(false, gate);
      return Next::Stop;
    }
    auto c = decodeConnect(raw);
    if (!c) {
      refuseConnect(guessVersion(raw), c.error().code, c.error().reason);
      return Next::Stop;
    }
    return onConnect(*c, fromHere, gate);
  }
  auto packet = decodeClientPacket(raw, version_);
  if (!packet) {
    fail(packet.error().code, packet.error().reason, gate);
    return Next::Stop;
  }
  return std::visit(
      [&](const auto& p) -> Next {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, Connect>) {
          fail(ReasonCode::ProtocolError, "second CONNECT", gate);
          return Next::Stop;
        } else if constexpr (std::is_same_v<T, Publish>) {
          return onPublish(p, gate);
        } else if constexpr (std::is_same_v<T, PubAck>) {
          onPubAck(p);
        } else if constexpr (std::is_same_v<T, Subscribe>) {
          if (!p.properties.subscriptionIdentifiers.empty()) {
            // CONNACK said Subscription Identifier Available = 0.
            fail(ReasonCode::SubscriptionIdentifiersNotSupported, "subscription identifier sent", gate);
            return Next::Stop;
          }
          onSubscribe(p, gate);
        } else if constexpr (std::is_same_v<T, Unsubscribe>) {
          onUnsubscribe(p, gate);
        } else if constexpr (std::is_same_v<T, Pingreq>) {
          writePacket([](OutBuffer& out) { (void)encodePingresp(out); });
        } else if constexpr (std::is_same_v<T, Disconnect>) {
          onDisconnect(p, gate);
          return Next::Stop;
        } else if constexpr (std::is_same_v<T, Auth>) {
          fail(ReasonCode::ProtocolError, "AUTH without an authentication method", gate);
          return Next::Stop;
        }
        return Next::Continue;
      },
      *packet);
}

MqttConnection::Next MqttConnection::onConnect(const Connect& c, std::span<const std::uint8_t> fromHere,
                                               transport::RouterGate& gate) {
  version_ = c.version;
  if (c.properties.authenticationMethod) {
    refuseConnect(version_, ReasonCode::BadAuthenticationMethod, "enhanced authentication is not supported");
    return Next::Stop;
  }
  std::string clientId(c.clientId);
  const bool assigned = clientId.empty();
  if (assigned) {
    // An id of our choosing that this shard owns, so the client can resume it here.
    do {
      clientId = randomClientId();
    } while (&shard_->owner(clientId) != shard_);
  }
  Shard& owner = shard_->owner(clientId);
  if (&owner != shard_) {
    gate.release();
    moveTo(owner, fromHere);
    return Next::Stop;
  }

  router::Router& r = gate.router();
  router::Scopes scopes = router::Scopes::allowAll();
  if (r.config().requireAuth) {
    // D-18: the password is the token (the user name is not used).
    if (!c.password) {
      refuseConnect(version_, ReasonCode::BadUserNameOrPassword, "no password (token) given");
      return Next::Stop;
    }
    if (!r.config().validator) {
      refuseConnect(version_, ReasonCode::ServerUnavailable, "no token validator configured");
      return Next::Stop;
    }
    std::string_view token(reinterpret_cast<const char*>(c.password->data()), c.password->size());
    router::TokenVerdict v = r.authenticate(token);
    switch (v.kind) {
      case router::TokenVerdict::Kind::Valid: scopes = std::move(v.scopes); break;
      case router::TokenVerdict::Kind::Expired:
        refuseConnect(version_, ReasonCode::NotAuthorized, "token expired");
        return Next::Stop;
      case router::TokenVerdict::Kind::Invalid:
      case router::TokenVerdict::Kind::NotMine:
        refuseConnect(version_, ReasonCode::BadUserNameOrPassword, "token not accepted");
        return Next::Stop;
    }
  }

  // Takeover: the older connection with this id goes (MQTT 5.0 §3.1.4-3).
  auto found = shard_->sessions.find(clientId);
  if (found != shard_->sessions.end() && found->second->connection())
    found->second->connection()->takeOver(gate);
  found = shard_->sessions.find(clientId);
  std::shared_ptr<MqttSession> existing = found != shard_->sessions.end() ? found->second : nullptr;

  bool resumed = false;
  if (existing && existing->open() && !c.cleanStart) {
    session_ = existing;
    session_->setScopes(r, std::move(scopes));
    resumed = true;
  } else {
    if (existing) {
      existing->end(r);
      shard_->sessions.erase(clientId);
      asio::post(shard_->loop.context(), [keep = std::move(existing)] {});  // outlives the section
    }
    auto fresh = std::make_shared<MqttSession>(*shard_, clientId);
    if (!fresh->start(r, std::move(scopes))) {
      refuseConnect(version_, ReasonCode::ServerBusy, "session limit reached");
      return Next::Stop;
    }
    session_ = fresh;
    shard_->sessions[clientId] = fresh;
  }

  // Session expiry: v3.1.1 clean session 0 keeps it, 1 ends it at
  // disconnect; v5 asks for seconds. Either is capped by --session-timeout.
  const std::uint32_t cap = shard_->config.sessionTimeoutSeconds == 0 ? 0xFFFFFFFFu
                                                                        : shard_->config.sessionTimeoutSeconds;
  std::uint32_t asked = version_ == Version::V5 ? c.properties.sessionExpiryInterval.value_or(0)
                                                : (c.cleanStart ? 0 : 0xFFFFFFFFu);
  const std::uint32_t expiry = std::min(asked, cap);
  session_->setExpiry(expiry);
  session_->setWill(c.will);
  keepAlive_ = c.keepAlive;

  Connack ack;
  ack.sessionPresent = resumed;
  if (version_ == Version::V5) {
    if (assigned) ack.properties.assignedClientIdentifier = clientId;
    if (expiry != asked) ack.properties.sessionExpiryInterval = expiry;
    ack.properties.maximumPacketSize = static_cast<std::uint32_t>(shard_->config.maxPacketSize);
    ack.properties.subscriptionIdAvailable = 0;
    ack.properties.sharedSubscriptionAvailable = 0;
  }
  writePacket([&](OutBuffer& out) { (void)encodeConnack(out, version_, ack); });
  connected_ = true;
  session_->attach(*this, version_, c.properties.receiveMaximum.value_or(0),
                   c.properties.maximumPacketSize.value_or(0), resumed);
  spdlog::debug("mqtt {}: connected (v{}, keep-alive {} s, session expiry {} s{})", clientId,
                version_ == Version::V5 ? 5 : 3, keepAlive_, expiry, resumed ? ", resumed" : "");
  return Next::Continue;
}

MqttConnection::Next MqttConnection::onPublish(const Publish& p, transport::RouterGate& gate) {
  if (p.properties.topicAlias) {
    // CONNACK announced no Topic Alias Maximum, i.e. 0.
    fail(ReasonCode::TopicAliasInvalid, "topic alias used (maximum is 0)", gate);
    return Next::Stop;
  }
  if (p.qos == 2 && session_->qos2Seen(p.packetId)) {
    // A resent QoS 2 message already handled: acknowledge, do not apply twice.
    writePacket([&](OutBuffer& out) {
      (void)encodePubAck(out, version_, PubAck{PacketType::Pubrec, p.packetId, ReasonCode::Success, {}});
    });
    return Next::Continue;
  }
  ReasonCode code = session_->publish(gate.router(), p.topic, p.payload, p.retain, p.qos,
                                      p.properties.payloadFormatIndicator);
  // v3.1.1 has no way to refuse a PUBLISH; its acknowledgement stays positive.
  if (version_ == Version::V311) code = ReasonCode::Success;
  if (p.qos == 1) {
    writePacket([&](OutBuffer& out) {
      (void)encodePubAck(out, version_, PubAck{PacketType::Puback, p.packetId, code, {}});
    });
  } else if (p.qos == 2) {
    if (static_cast<std::uint8_t>(code) < 0x80) session_->qos2Remember(p.packetId);
    writePacket([&](OutBuffer& out) {
      (void)encodePubAck(out, version_, PubAck{PacketType::Pubrec, p.packetId, code, {}});
    });
  }
  return Next::Continue;
}

void MqttConnection::onPubAck(const PubAck& a) {
  switch (a.type) {
    case PacketType::Puback:
      if (!session_->acknowledge(a.packetId))
        spdlog::debug("mqtt {}: PUBACK for unknown packet id {}", session_->clientId(), a.packetId);
      break;
    case PacketType::Pubrel: {
      const bool known = session_->qos2Release(a.packetId);
      const ReasonCode code = known ? ReasonCode::Success : ReasonCode::PacketIdentifierNotFound;
      writePacket([&](OutBuffer& out) {
        (void)encodePubAck(out, version_, PubAck{PacketType::Pubcomp, a.packetId, code, {}});
      });
      break;
    }
    case PacketType::Pubrec:
      // We never send QoS 2 (D-28 grants at most 1): answer so the client's
      // flow ends instead of waiting.
      writePacket([&](OutBuffer& out) {
        (void)encodePubAck(out, version_,
                           PubAck{PacketType::Pubrel, a.packetId, ReasonCode::PacketIdentifierNotFound, {}});
      });
      break;
    default: break;  // PUBCOMP: nothing of ours is waiting for it
  }
}

void MqttConnection::onSubscribe(const Subscribe& s, transport::RouterGate& gate) {
  Suback ack;
  session_->subscribe(gate.router(), s, ack);
  writePacket([&](OutBuffer& out) { (void)encodeSuback(out, version_, ack); });
  session_->releaseRetained();
}

void MqttConnection::onUnsubscribe(const Unsubscribe& u, transport::RouterGate& gate) {
  Unsuback ack;
  session_->unsubscribe(gate.router(), u, ack);
  writePacket([&](OutBuffer& out) { (void)encodeUnsuback(out, version_, ack); });
}

void MqttConnection::onDisconnect(const Disconnect& d, transport::RouterGate& gate) {
  if (version_ == Version::V5 && d.properties.sessionExpiryInterval) {
    if (session_->expiry() == 0 && *d.properties.sessionExpiryInterval != 0) {
      fail(ReasonCode::ProtocolError, "session expiry set at DISCONNECT after 0 at CONNECT", gate);
      return;
    }
    const std::uint32_t cap = shard_->config.sessionTimeoutSeconds == 0 ? 0xFFFFFFFFu
                                                                          : shard_->config.sessionTimeoutSeconds;
    session_->setExpiry(std::min(*d.properties.sessionExpiryInterval, cap));
  }
  const bool keepWill = version_ == Version::V5 && d.reason == ReasonCode::DisconnectWithWill;
  closeAfterFlush(keepWill, gate);
}

void MqttConnection::takeOver(transport::RouterGate& gate) {
  spdlog::debug("mqtt {}: session taken over by a new connection", session_ ? session_->clientId() : "");
  if (version_ == Version::V5) {
    writePacket([&](OutBuffer& out) {
      (void)encodeDisconnect(out, version_, Disconnect{ReasonCode::SessionTakenOver, {}});
    });
  }
  closeAfterFlush(true, gate);
}

void MqttConnection::moveTo(Shard& target, std::span<const std::uint8_t> unread) {
  std::vector<std::uint8_t> bytes(unread.begin(), unread.end());
  boost::system::error_code ec;
  const auto protocol = socket_->local_endpoint(ec).protocol();
  int fd = -1;
  if (!ec) fd = socket_->release(ec);
  if (ec) {
    spdlog::debug("mqtt: cannot hand the connection to its shard: {}", ec.message());
    return terminate();
  }
  moved_ = true;
  terminated_ = true;
  shard_->connections.erase(this);
  socket_.reset();
  asio::post(target.loop.context(), [&target, fd, protocol, bytes = std::move(bytes)]() mutable {
    boost::system::error_code err;
    tcp::socket s(target.loop.context());
    s.assign(protocol, fd, err);
    if (err) {
      ::close(fd);
      return;
    }
    std::make_shared<MqttConnection>(std::move(s), target)->start(std::move(bytes));
  });
}

void MqttConnection::refuseConnect(Version v, ReasonCode code, const char* why) {
  slog::info({{"event", "session_refused"}, {"protocol", "mqtt"}, {"reason", why}, {"code", static_cast<unsigned>(code)}},
             "mqtt: CONNECT refused: {} (reason 0x{:02x})", why, static_cast<unsigned>(code));
  if (v == Version::V5 || v3CanRefuse(code)) {
    Connack ack;
    ack.reason = code;
    writePacket([&](OutBuffer& out) { (void)encodeConnack(out, v, ack); });
  }
  closing_ = true;
  closeDeadline_ = Clock::now() + kCloseGrace;
  flush();
}

void MqttConnection::fail(ReasonCode code, const char* why, transport::RouterGate& gate) {
  const std::string_view clientId = session_ ? std::string_view(session_->clientId()) : std::string_view("-");
  slog::info({{"event", "session_close"}, {"protocol", "mqtt"}, {"client_id", clientId}, {"reason", why},
              {"code", static_cast<unsigned>(code)}},
             "mqtt {}: closing connection: {} (reason 0x{:02x})", clientId, why, static_cast<unsigned>(code));
  if (connected_ && version_ == Version::V5) {
    writePacket([&](OutBuffer& out) { (void)encodeDisconnect(out, version_, Disconnect{code, {}}); });
  }
  closeAfterFlush(true, gate);
}

void MqttConnection::endFromSession(ReasonCode code, const char* why) {
  if (closing_ || terminated_) return;
  transport::RouterGate gate(shard_->host);
  fail(code, why, gate);
}

bool MqttConnection::queuePacket(std::span<const std::uint8_t> packet, bool droppable) {
  if (closing_ || terminated_) return false;
  const std::size_t queued = queuedBytes();
  if (queued + packet.size() > shard_->server.queueHardLimit) {
    // D-15: a reader this slow is disconnected; it cannot be done here (the
    // router may be locked by this thread), so it happens next turn.
    if (!slow_) {
      slow_ = true;
      shard_->loop.stats().slowConsumerCloses.add();
      slog::info({{"event", "session_close"}, {"protocol", "mqtt"}, {"reason", "slow consumer"}, {"queued_bytes", queued}},
                 "mqtt {}: slow consumer, {} bytes queued", session_ ? session_->clientId() : "-", queued);
      asio::post(shard_->loop.context(), [self = shared_from_this()] {
        self->pending_.clear();
        self->endFromSession(ReasonCode::QuotaExceeded, "slow consumer");
      });
    }
    return false;
  }
  if (droppable && queued > shard_->server.queueSoftLimit) {
    ++dropped_;
    shard_->loop.stats().droppedSoftLimit.add();
    return false;
  }
  pending_.append(packet.data(), packet.size());
  return true;
}

void MqttConnection::writePacket(const std::function<void(OutBuffer&)>& encode) {
  if (terminated_) return;
  encode(pending_);
  flush();
}

void MqttConnection::flush() {
  if (writing_ || terminated_ || !socket_) return;
  if (!pending_.empty()) return startWrite();
  if (closing_ && !halfClosed_) {
    // Everything is out: FIN, then read until the peer's EOF (closing with
    // unread input would reset the connection and could lose our last packet).
    halfClosed_ = true;
    boost::system::error_code ignored;
    socket_->shutdown(tcp::socket::shutdown_send, ignored);
  }
}

void MqttConnection::startWrite() {
  std::swap(pending_, inflight_);
  writing_ = true;
  asio::async_write(*socket_, asio::buffer(inflight_.data(), inflight_.size()),
                    [self = shared_from_this()](boost::system::error_code ec, std::size_t) { self->onWrite(ec); });
}

void MqttConnection::onWrite(boost::system::error_code ec) {
  writing_ = false;
  if (ec) return terminate();
  lastTraffic_ = Clock::now();
  inflight_.clear();
  flush();
}

void MqttConnection::closeAfterFlush(bool keepWill, transport::RouterGate& gate) {
  if (closing_) return;
  closing_ = true;
  closeDeadline_ = Clock::now() + kCloseGrace;
  detachSession(keepWill, gate);
  flush();
}

void MqttConnection::detachSession(bool keepWill, transport::RouterGate& gate) {
  if (!session_) return;
  std::shared_ptr<MqttSession> s = std::move(session_);
  session_.reset();
  const auto now = Clock::now();
  if (s->detach(*this, keepWill, now)) {
    s->end(gate.router());
    auto it = shard_->sessions.find(s->clientId());
    if (it != shard_->sessions.end() && it->second == s) shard_->sessions.erase(it);
  } else if (s->due(now) == MqttSession::Due::Will) {
    s->publishWill(gate.router());
  }
  asio::post(shard_->loop.context(), [keep = std::move(s)] {});  // outlives the section
}

void MqttConnection::sweep(SteadyTime now, transport::RouterGate& gate) {
  if (terminated_) return;
  if (closing_) {
    if (closeDeadline_ && now >= *closeDeadline_) {
      // The peer did not take what we had for it in time (a slow consumer,
      // or no EOF after our FIN): reset instead of leaving the kernel to
      // trickle the backlog out.
      boost::system::error_code ignored;
      if (socket_) socket_->set_option(asio::socket_base::linger(true, 0), ignored);
      terminate(&gate);
    }
    return;
  }
  if (!connected_) {
    if (now - started_ >= std::chrono::seconds(shard_->server.handshakeTimeoutSeconds)) {
      spdlog::debug("mqtt: closing connection: no CONNECT within {} s", shard_->server.handshakeTimeoutSeconds);
      closeAfterFlush(false, gate);
    }
    return;
  }
  if (keepAlive_ != 0) {
    // MQTT §3.1.2.10: one and a half keep-alive periods without a packet.
    if (now - lastInbound_ >= std::chrono::milliseconds(std::uint64_t{keepAlive_} * 1500))
      fail(ReasonCode::KeepAliveTimeout, "keep-alive timeout", gate);
  } else if (shard_->server.sessionTimeoutSeconds != 0 &&
             now - lastTraffic_ >= std::chrono::seconds(shard_->server.sessionTimeoutSeconds)) {
    // No keep-alive asked for: the relay's idle timeout applies (D-16).
    fail(ReasonCode::KeepAliveTimeout, "idle timeout", gate);
  }
}

void MqttConnection::terminate(transport::RouterGate* gate) {
  if (terminated_) return;
  terminated_ = true;
  closing_ = true;
  if (session_) {
    if (gate) {
      detachSession(true, *gate);
    } else {
      transport::RouterGate own(shard_->host);
      detachSession(true, own);
    }
  }
  shard_->connections.erase(this);
  if (socket_) {
    boost::system::error_code ignored;
    socket_->shutdown(tcp::socket::shutdown_both, ignored);
    socket_->close(ignored);
  }
}

}  // namespace clasp::mqtt
