// v1 (binary) payload decoder, protocol.md §5, and the decodeMessage entry
// point that sniffs v0 MessagePack (§6.1). Every read is bounds-checked by
// wire::Reader; any truncation or invalid field becomes Errc::BadMessage with
// "<TYPE> <field>: <reason> at offset N". Trailing bytes are ignored (§5.18);
// unknown flag bits are ignored; unknown signal/phase codes are normalised.
#include <cstdio>

#include "codec.hpp"
#include "value_codec.hpp"
#include "wire_read.hpp"

namespace clasp {

namespace {

using codec::readCount;
using codec::readTypedValue;
using codec::readValueData;
using wire::Reader;

// BUNDLE may nest; bound the recursion like value nesting (D-4).
constexpr int kMaxBundleDepth = kMaxValueDepth;

SignalType signalFromCode(unsigned code) {
  return code <= 4 ? static_cast<SignalType>(code) : SignalType::Event;
}

GesturePhase phaseFromCode(unsigned code) {
  return code <= 3 ? static_cast<GesturePhase>(code) : GesturePhase::Start;
}

// Type mask: 0xFF or no recognised bit means "no filter" (0 in the model).
std::uint8_t typeMaskFromWire(std::uint8_t m) {
  return m == 0xFF ? 0 : static_cast<std::uint8_t>(m & typemask::kAll);
}

Hello readHello(Reader& r) {
  Hello h;
  h.version = r.u8("version");
  h.features = static_cast<std::uint8_t>(r.u8("features") & 0xFC);
  h.name = r.str("name");
  h.token = r.str("token");
  return h;
}

Welcome readWelcome(Reader& r) {
  Welcome w;
  w.version = r.u8("version");
  w.features = static_cast<std::uint8_t>(r.u8("features") & 0xF8);
  w.time = r.u64("time");
  w.session = r.str("session");
  w.name = r.str("name");
  w.token = r.str("token");
  return w;
}

SignalDefinition readSignal(Reader& r, bool withMeta) {
  SignalDefinition s;
  s.address = r.str("signal.address");
  s.type = signalFromCode(r.u8("signal.type"));
  std::uint8_t opt = r.u8("signal.flags");
  if (opt & 0x01) s.datatype = r.str("signal.datatype");
  if (opt & 0x02) s.access = r.str("signal.access");
  if (withMeta && (opt & 0x04)) {
    SignalMeta m;
    std::uint8_t mf = r.u8("signal.meta.flags");
    if (mf & 0x01) m.unit = r.str("signal.meta.unit");
    if (mf & 0x02) {
      double lo = r.f64("signal.meta.range");
      double hi = r.f64("signal.meta.range");
      m.range = std::make_pair(lo, hi);
    }
    if (mf & 0x04) m.defaultValue = readTypedValue(r);
    if (mf & 0x08) m.description = r.str("signal.meta.description");
    s.meta = std::move(m);
  }
  return s;
}

Announce readAnnounce(Reader& r) {
  Announce a;
  a.ns = r.str("namespace");
  std::uint16_t n = readCount(r, 4, "signal count");
  a.signals.reserve(n);
  for (std::uint16_t i = 0; i < n && r.ok(); ++i) a.signals.push_back(readSignal(r, true));
  return a;
}

QueryResult readResult(Reader& r) {
  QueryResult res;
  std::uint16_t n = readCount(r, 4, "signal count");
  res.signals.reserve(n);
  for (std::uint16_t i = 0; i < n && r.ok(); ++i) res.signals.push_back(readSignal(r, false));
  return res;
}

FederationSync readFederationSync(Reader& r) {
  FederationSync f;
  std::uint8_t op = r.u8("op");
  if (r.ok() && (op < 1 || op > 4)) {
    r.fail("op", "unknown federation op");
    return f;
  }
  f.op = static_cast<FederationOp>(op);
  std::uint16_t np = readCount(r, 2, "pattern count");
  f.patterns.reserve(np);
  for (std::uint16_t i = 0; i < np && r.ok(); ++i) f.patterns.push_back(r.str("pattern"));
  std::uint16_t nr = readCount(r, 10, "revision count");
  f.revisions.reserve(nr);
  for (std::uint16_t i = 0; i < nr && r.ok(); ++i) {
    std::string addr = r.str("revision.address");
    std::uint64_t rev = r.u64("revision.value");
    f.revisions.emplace_back(std::move(addr), rev);
  }
  std::uint8_t flags = r.u8("flags");
  if (flags & 0x80) f.sinceRevision = r.u64("since_revision");
  if (flags & 0x40) f.origin = r.str("origin");
  return f;
}

Subscribe readSubscribe(Reader& r) {
  Subscribe s;
  s.id = r.u32("id");
  s.pattern = r.str("pattern");
  s.types = typeMaskFromWire(r.u8("type mask"));
  std::uint8_t opt = r.u8("option flags");
  if (opt != 0) {
    SubscribeOptions o;
    if (opt & 0x01) o.maxRate = r.u32("max_rate");
    if (opt & 0x02) o.epsilon = r.f64("epsilon");
    if (opt & 0x04) o.history = r.u32("history");
    if (opt & 0x08) o.window = r.u32("window");
    s.options = o;
  }
  return s;
}

Publish readPublish(Reader& r) {
  Publish p;
  std::uint8_t flags = r.u8("flags");
  p.signal = signalFromCode(flags >> 5);
  p.phase = phaseFromCode(flags & 0x07);
  p.address = r.str("address");
  std::uint8_t indicator = r.u8("value indicator");
  if (indicator == 1) {
    p.value = readTypedValue(r);
  } else if (indicator == 2) {
    std::uint16_t n = readCount(r, 8, "sample count");
    std::vector<double> samples;
    samples.reserve(n);
    for (std::uint16_t i = 0; i < n && r.ok(); ++i) samples.push_back(r.f64("sample"));
    p.samples = std::move(samples);
  }
  if (flags & 0x10) p.timestamp = r.u64("timestamp");
  if (flags & 0x08) p.id = r.u32("gesture id");
  // The rate has no flag: it is present when at least 4 bytes remain (§5.7).
  if (r.ok() && r.remaining() >= 4) p.rate = r.u32("rate");
  return p;
}

Set readSet(Reader& r) {
  Set s;
  std::uint8_t flags = r.u8("flags");
  std::uint8_t vtype = flags & 0x0F;
  if (r.ok() && vtype > static_cast<std::uint8_t>(ValueType::Map)) {
    r.fail("flags", "unknown value type");
    return s;
  }
  s.address = r.str("address");
  s.value = readValueData(r, vtype);
  if (flags & 0x80) s.revision = r.u64("revision");
  s.lock = (flags & 0x40) != 0;
  s.unlock = (flags & 0x20) != 0;
  if (flags & 0x10) s.ttl = Ttl::fromRaw(r.u32("ttl"));
  return s;
}

Snapshot readSnapshot(Reader& r) {
  Snapshot s;
  std::uint16_t n = readCount(r, 12, "param count");
  s.params.reserve(n);
  for (std::uint16_t i = 0; i < n && r.ok(); ++i) {
    ParamValue p;
    p.address = r.str("param.address");
    p.value = readTypedValue(r);
    p.revision = r.u64("param.revision");
    std::uint8_t opt = r.u8("param.flags");
    if (opt & 0x01) p.writer = r.str("param.writer");
    if (opt & 0x02) p.timestamp = r.u64("param.timestamp");
    s.params.push_back(std::move(p));
  }
  return s;
}

Replay readReplay(Reader& r) {
  Replay p;
  std::uint8_t flags = r.u8("flags");
  p.pattern = r.str("pattern");
  if (flags & 0x80) p.from = r.u64("from");
  if (flags & 0x40) p.to = r.u64("to");
  if (flags & 0x20) p.limit = r.u32("limit");
  p.types = typeMaskFromWire(r.u8("type mask"));
  return p;
}

Sync readSync(Reader& r) {
  Sync s;
  std::uint8_t flags = r.u8("flags");
  s.t1 = r.u64("t1");
  if (flags & 0x01) s.t2 = r.u64("t2");
  if (flags & 0x02) s.t3 = r.u64("t3");
  return s;
}

Ack readAck(Reader& r) {
  Ack a;
  std::uint8_t flags = r.u8("flags");
  if (flags & 0x01) a.address = r.str("address");
  if (flags & 0x02) a.revision = r.u64("revision");
  if (flags & 0x04) a.locked = r.u8("locked") != 0;
  if (flags & 0x08) a.holder = r.str("holder");
  if (flags & 0x10) a.correlationId = r.u32("correlation id");
  return a;
}

ErrorMsg readError(Reader& r) {
  ErrorMsg e;
  e.code = r.u16("code");
  e.message = r.str("message");
  std::uint8_t flags = r.u8("flags");
  if (flags & 0x01) e.address = r.str("address");
  if (flags & 0x02) e.correlationId = r.u32("correlation id");
  return e;
}

Result<Message> decodeV1(std::span<const std::uint8_t> payload, int bundleDepth);

// A BUNDLE's inner messages are complete v1 payloads, each decoded from
// exactly its own length (§5.12); v0 is not allowed inside.
Result<Message> readBundle(Reader& r, int bundleDepth) {
  Bundle b;
  if (bundleDepth >= kMaxBundleDepth) return fail(Errc::BadMessage, "BUNDLE: nested too deeply");
  std::uint8_t flags = r.u8("flags");
  std::uint16_t n = readCount(r, 3, "message count");
  if (flags & 0x80) b.timestamp = r.u64("timestamp");
  b.messages.reserve(n);
  for (std::uint16_t i = 0; i < n && r.ok(); ++i) {
    std::uint16_t len = r.u16("message length");
    if (r.ok() && len == 0) {
      r.fail("message length", "zero-length inner message");
      break;
    }
    auto inner = r.raw(len, "message");
    if (!r.ok()) break;
    auto m = decodeV1(inner, bundleDepth + 1);
    if (!m) return fail(Errc::BadMessage, "BUNDLE message " + std::to_string(i) + ": " + m.error().message);
    b.messages.push_back(std::move(*m));
  }
  if (!r.ok()) return fail(Errc::BadMessage, "BUNDLE " + r.describeFailure());
  return Message(std::move(b));
}

std::string hexByte(std::uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

template <class T>
Result<Message> finish(Reader& r, MessageType t, T&& msg) {
  if (!r.ok()) return fail(Errc::BadMessage, std::string(messageTypeName(t)) + " " + r.describeFailure());
  return Message(std::forward<T>(msg));
}

Result<Message> decodeV1(std::span<const std::uint8_t> payload, int bundleDepth) {
  if (payload.empty()) return fail(Errc::BadMessage, "empty payload");
  Reader r(payload);
  std::uint8_t code = r.u8("type");
  auto t = static_cast<MessageType>(code);
  switch (t) {
    case MessageType::Hello: return finish(r, t, readHello(r));
    case MessageType::Welcome: return finish(r, t, readWelcome(r));
    case MessageType::Announce: return finish(r, t, readAnnounce(r));
    case MessageType::FederationSync: return finish(r, t, readFederationSync(r));
    case MessageType::Subscribe: return finish(r, t, readSubscribe(r));
    case MessageType::Unsubscribe: {
      Unsubscribe u;
      u.id = r.u32("id");
      return finish(r, t, u);
    }
    case MessageType::Publish: return finish(r, t, readPublish(r));
    case MessageType::Set: return finish(r, t, readSet(r));
    case MessageType::Get: {
      Get g;
      g.address = r.str("address");
      return finish(r, t, std::move(g));
    }
    case MessageType::Snapshot: return finish(r, t, readSnapshot(r));
    case MessageType::Replay: return finish(r, t, readReplay(r));
    case MessageType::Bundle: return readBundle(r, bundleDepth);
    case MessageType::Sync: return finish(r, t, readSync(r));
    case MessageType::Ping: return Message(Ping{});
    case MessageType::Pong: return Message(Pong{});
    case MessageType::Ack: return finish(r, t, readAck(r));
    case MessageType::Error: return finish(r, t, readError(r));
    case MessageType::Query: {
      Query q;
      q.pattern = r.str("pattern");
      return finish(r, t, std::move(q));
    }
    case MessageType::Result: return finish(r, t, readResult(r));
  }
  return fail(Errc::BadMessage, "unknown message type " + hexByte(code));
}

bool isMsgpackMap(std::uint8_t b) { return (b >= 0x80 && b <= 0x8F) || b == 0xDE || b == 0xDF; }

}  // namespace

Result<Message> decodeMessageV1(std::span<const std::uint8_t> payload) {
  return decodeV1(payload, 0);
}

Result<Message> decodeMessage(std::span<const std::uint8_t> payload) {
  if (payload.empty()) return fail(Errc::BadMessage, "empty payload");
  if (isMsgpackMap(payload[0])) return decodeMessageV0(payload);
  return decodeV1(payload, 0);
}

Result<DecodedFrame> decodeFrame(std::span<const std::uint8_t> bytes) {
  auto frame = parseFrame(bytes);
  if (!frame) return std::unexpected(std::move(frame.error()));
  auto msg = decodeMessage(frame->payload);
  if (!msg) return std::unexpected(std::move(msg.error()));
  return DecodedFrame{frame->header, std::move(*msg), frame->size};
}

}  // namespace clasp
