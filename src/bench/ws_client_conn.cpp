// WsClientConn implementation: upgrade, HELLO/WELCOME/SNAPSHOT, then each
// read parsed in place (FrameParser in client role, CLASP frames decoded into
// one reused Message, turned into Listener calls) and masked frames queued on
// SocketConn's output buffer. See ws_client_conn.hpp.
#include "bench/ws_client_conn.hpp"

#include <sys/random.h>

#include <array>
#include <cstring>
#include <optional>

#include "bench/clock.hpp"
#include "bench/ws_handshake.hpp"

namespace clasp::bench {

namespace {

std::uint64_t randomSeed() {
  std::uint64_t seed = 0;
  if (getrandom(&seed, sizeof seed, 0) != static_cast<ssize_t>(sizeof seed)) seed = monoNanos();
  return seed | 1;  // xorshift state must not be zero
}

// The payload of the CLASP frame filling a WebSocket message (§2.1: trailing
// bytes ignored), or an empty optional when the frame is malformed; then
// parseFrame() says why. Same checks as parseFrame, inlined: this runs for
// every delivery and parseFrame's Result<FrameView> cost a quarter of the
// subscriber's CPU in profiles.
std::optional<std::span<const std::uint8_t>> framePayload(std::span<const std::uint8_t> b) {
  if (b.size() < kFrameHeaderSize || b[0] != kFrameMagic) return std::nullopt;
  const std::size_t len = (std::size_t{b[2]} << 8) | b[3];
  const std::size_t header = kFrameHeaderSize + ((b[1] & frameflag::kTimestamp) ? kFrameTimestampSize : 0);
  if (b.size() < header + len) return std::nullopt;
  return b.subspan(header, len);
}

}  // namespace

WsClientConn::WsClientConn(EventLoop& loop, const Endpoint& endpoint, Listener& listener, std::string name,
                           MessageKind kind)
    : SocketConn(loop, endpoint, listener, std::move(name)),
      // The relay's frames are at most one CLASP frame each (kMaxFrame bytes).
      parser_(kMaxFrame, ws::Role::Client),
      rng_(randomSeed()) {
  if (kind == MessageKind::Set) {
    Set set;
    set.value = Value(std::int64_t{0});
    stamp_ = std::move(set);
  } else {
    Publish pub;
    pub.signal = SignalType::Event;
    pub.value = Value(std::int64_t{0});
    stamp_ = std::move(pub);
  }
}

Status<void> WsClientConn::start() {
  scratch_.reserve(256);
  return SocketConn::start();
}

void WsClientConn::onConnected() {
  std::array<std::uint8_t, 16> nonce;
  for (std::size_t i = 0; i < nonce.size(); i += 4) {
    const ws::MaskKey k = nextMask();
    std::memcpy(nonce.data() + i, k.data(), 4);
  }
  const std::string req = buildUpgradeRequest(endpoint_.url.hostHeader, endpoint_.url.path, makeWebSocketKey(nonce));
  out_.append(req.data(), req.size());
  state_ = State::Upgrading;
}

std::string WsClientConn::eofReason() const {
  return lastError_.empty() ? "relay closed the TCP connection"
                            : "relay closed the TCP connection after ERROR " + lastError_;
}

void WsClientConn::onBytes() {
  if (state_ == State::Upgrading) {
    auto head = checkUpgradeResponse({reinterpret_cast<const char*>(readBuf_.get()), readLen_});
    if (!head) return fail(head.error());
    if (*head == 0) return;
    consume(*head);
    state_ = State::AwaitWelcome;
    Hello hello;
    hello.features = feature::kParam | feature::kEvent | feature::kStream | feature::kGesture | feature::kTimeline;
    hello.name = "clasp-bench";
    if (!send(hello, QoS::Confirm)) return;
  }
  if (readLen_ != 0) parseFrames();
}

void WsClientConn::parseFrames() {
  auto used = parser_.parse({readBuf_.get(), readLen_}, [this](const ws::Event& ev) { return onWsEvent(ev); });
  if (closed()) return;
  if (!used) return fail(std::string("WebSocket protocol error from relay: ") + used.error().reason);
  consume(*used);
  listener_.onReadBatchEnd(*this);
}

bool WsClientConn::onWsEvent(const ws::Event& ev) {
  switch (ev.kind) {
    case ws::EventKind::Message:
      return !ev.binary || onClaspFrame(ev.payload);  // text messages carry nothing for us
    case ws::EventKind::Ping:
      queueMasked(ws::Opcode::Pong, ev.payload);
      return true;
    case ws::EventKind::Pong:
      return true;
    case ws::EventKind::Close: {
      std::string why = "relay sent WebSocket close " + std::to_string(static_cast<unsigned>(ev.closeCode));
      if (!ev.closeReason.empty()) why += " \"" + std::string(ev.closeReason) + "\"";
      if (!lastError_.empty()) why += " after ERROR " + lastError_;
      fail(std::move(why));
      return false;
    }
  }
  return true;
}

namespace {

// The one message a fan-out delivers millions of times: SET with an I64
// value (protocol.md §5: type 0x21, flags with the value type in the low
// nibble, u16 address length, address, 8-byte big-endian value, optional
// revision and TTL). Reading just the stamp costs a few bounds checks where
// a full decode copies the address into a Message (a third of the tool's
// time at 100 subscribers). Anything else, or anything odd, returns nothing
// and takes the full decoder, which also reports errors.
std::optional<std::uint64_t> peekSetStamp(std::span<const std::uint8_t> p) {
  constexpr std::uint8_t kSet = 0x21, kI64 = 0x05, kFlagBits = 0xF0;
  if (p.size() < 4 || p[0] != kSet || (p[1] & ~kFlagBits) != kI64) return std::nullopt;
  const std::size_t addressLen = (std::size_t{p[2]} << 8) | p[3];
  const std::size_t valueAt = 4 + addressLen;
  std::size_t end = valueAt + 8 + ((p[1] & 0x80) ? 8 : 0) + ((p[1] & 0x10) ? 4 : 0);
  if (p.size() < end) return std::nullopt;
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | p[valueAt + i];
  if (static_cast<std::int64_t>(v) < 0) return std::nullopt;
  return v;
}

}  // namespace

bool WsClientConn::onClaspFrame(std::span<const std::uint8_t> bytes) {
  auto payload = framePayload(bytes);
  if (!payload) {
    auto frame = parseFrame(bytes);
    fail("bad CLASP frame from relay: " + (frame ? std::string("?") : frame.error().message));
    return false;
  }
  if (state_ == State::Ready) {
    if (auto stamp = peekSetStamp(*payload)) {
      listener_.onStamp(*this, *stamp);
      return true;
    }
  }
  if (auto ok = decodeMessageInto(*payload, msg_); !ok) {
    fail("undecodable message from relay: " + ok.error().message);
    return false;
  }
  if (const auto* e = std::get_if<ErrorMsg>(&msg_)) lastError_ = std::to_string(e->code) + " \"" + e->message + "\"";
  switch (state_) {
    case State::AwaitWelcome:
      if (std::holds_alternative<Welcome>(msg_)) state_ = State::AwaitSnapshot;
      else if (!lastError_.empty()) fail("HELLO refused: ERROR " + lastError_);
      break;
    case State::AwaitSnapshot:
      if (std::holds_alternative<Snapshot>(msg_)) {
        state_ = State::Ready;
        listener_.onReady(*this);
      } else if (!lastError_.empty()) {
        fail("session refused: ERROR " + lastError_);
      }
      break;
    case State::Ready:
      dispatch();
      break;
    default:
      break;
  }
  return !closed();
}

void WsClientConn::dispatch() {
  const Value* value = nullptr;
  if (const auto* set = std::get_if<Set>(&msg_)) {
    value = &set->value;
  } else if (const auto* pub = std::get_if<Publish>(&msg_)) {
    if (pub->value) value = &*pub->value;
  } else if (const auto* ack = std::get_if<Ack>(&msg_)) {
    if (!subscribing_.empty() && ack->address && *ack->address == subscribing_) {
      subscribing_.clear();
      listener_.onSubscribed(*this);
    } else {
      listener_.onAck(*this);
    }
    return;
  } else if (std::holds_alternative<ErrorMsg>(msg_)) {
    listener_.onRefused(*this, lastError_);
    return;
  }
  if (value == nullptr) return;
  const std::int64_t* stamp = value->asInt();
  if (stamp != nullptr && *stamp >= 0) listener_.onStamp(*this, static_cast<std::uint64_t>(*stamp));
}

void WsClientConn::subscribe(const std::string& pattern) {
  Subscribe sub;
  sub.id = 1;
  sub.pattern = pattern;
  subscribing_ = pattern;
  send(sub, QoS::Confirm);
}

bool WsClientConn::sendStamp(const std::string& address, std::uint64_t stampUs) {
  const auto ts = static_cast<std::int64_t>(stampUs);
  // Same alternative, same string capacity: no allocation per message.
  if (auto* set = std::get_if<Set>(&stamp_)) {
    set->address = address;
    set->value.v = ts;
  } else {
    auto& pub = std::get<Publish>(stamp_);
    pub.address = address;
    pub.value->v = ts;
  }
  return send(stamp_, QoS::Confirm);
}

bool WsClientConn::send(const Message& m, QoS qos) {
  if (closed()) return false;
  scratch_.clear();
  if (auto ok = encodeFrame(m, scratch_, qos); !ok) {
    fail("cannot encode " + std::string(messageTypeName(m.type())) + ": " + ok.error().message);
    return false;
  }
  queueMasked(ws::Opcode::Binary, scratch_.span());
  return true;
}

void WsClientConn::queueMasked(ws::Opcode op, std::span<const std::uint8_t> payload) {
  ws::appendMaskedFrame(out_, op, payload, nextMask());
  queued();
}

bool WsClientConn::appendGoodbye() {
  if (state_ == State::Upgrading) return false;
  ws::appendMaskedClose(out_, ws::CloseCode::Normal, "bench done", nextMask());
  return true;
}

ws::MaskKey WsClientConn::nextMask() {
  // xorshift64: masking keys only need to be unpredictable to intermediaries,
  // and a syscall per frame would cost more than the frame.
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 7;
  rng_ ^= rng_ << 17;
  ws::MaskKey k;
  std::memcpy(k.data(), &rng_, 4);
  return k;
}

}  // namespace clasp::bench
