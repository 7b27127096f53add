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
  // Only the four defined bits carry options; a byte with nothing but unknown
  // bits says nothing, and modelling it as "no options" keeps re-encoding stable.
  std::uint8_t opt = r.u8("option flags") & 0x0F;
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

// Returns the T held by m, reusing it (and its strings' capacity) when m
// already holds one: the steady state of a stream of SETs or PUBLISHes.
template <class T>
T& reuse(Message& m) {
  if (T* p = std::get_if<T>(&m)) return *p;
  return m.emplace<T>();
}

void readPublish(Reader& r, Publish& p) {
  p.value.reset();
  p.samples.reset();
  p.timestamp.reset();
  p.id.reset();
  p.rate.reset();
  std::uint8_t flags = r.u8("flags");
  p.signal = signalFromCode(flags >> 5);
  p.phase = phaseFromCode(flags & 0x07);
  p.address.assign(r.strView("address"));
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
}

void readSet(Reader& r, Set& s) {
  s.revision.reset();
  s.ttl.reset();
  std::uint8_t flags = r.u8("flags");
  std::uint8_t vtype = flags & 0x0F;
  if (r.ok() && vtype > static_cast<std::uint8_t>(ValueType::Map)) {
    r.fail("flags", "unknown value type");
    return;
  }
  s.address.assign(r.strView("address"));
  s.value = readValueData(r, vtype);
  if (flags & 0x80) s.revision = r.u64("revision");
  s.lock = (flags & 0x40) != 0;
  s.unlock = (flags & 0x20) != 0;
  if (flags & 0x10) s.ttl = Ttl::fromRaw(r.u32("ttl"));
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

Result<void> decodeV1(std::span<const std::uint8_t> payload, int bundleDepth, Message& out);

// A BUNDLE's inner messages are complete v1 payloads, each decoded from
// exactly its own length (§5.12); v0 is not allowed inside.
Result<void> readBundle(Reader& r, int bundleDepth, Message& out) {
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
    Message& m = b.messages.emplace_back();
    auto ok = decodeV1(inner, bundleDepth + 1, m);
    if (!ok) return fail(Errc::BadMessage, "BUNDLE message " + std::to_string(i) + ": " + ok.error().message);
  }
  if (!r.ok()) return fail(Errc::BadMessage, "BUNDLE " + r.describeFailure());
  out = std::move(b);
  return {};
}

std::string hexByte(std::uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

Result<void> check(const Reader& r, MessageType t) {
  if (!r.ok()) return fail(Errc::BadMessage, std::string(messageTypeName(t)) + " " + r.describeFailure());
  return {};
}

template <class T>
Result<void> finish(Reader& r, MessageType t, T&& msg, Message& out) {
  if (!r.ok()) return check(r, t);
  out = std::forward<T>(msg);
  return {};
}

Result<void> decodeV1(std::span<const std::uint8_t> payload, int bundleDepth, Message& out) {
  if (payload.empty()) return fail(Errc::BadMessage, "empty payload");
  Reader r(payload);
  std::uint8_t code = r.u8("type");
  auto t = static_cast<MessageType>(code);
  switch (t) {
    case MessageType::Hello: return finish(r, t, readHello(r), out);
    case MessageType::Welcome: return finish(r, t, readWelcome(r), out);
    case MessageType::Announce: return finish(r, t, readAnnounce(r), out);
    case MessageType::FederationSync: return finish(r, t, readFederationSync(r), out);
    case MessageType::Subscribe: return finish(r, t, readSubscribe(r), out);
    case MessageType::Unsubscribe: {
      Unsubscribe u;
      u.id = r.u32("id");
      return finish(r, t, u, out);
    }
    // The hot types decode straight into the caller's message.
    case MessageType::Publish: readPublish(r, reuse<Publish>(out)); return check(r, t);
    case MessageType::Set: readSet(r, reuse<Set>(out)); return check(r, t);
    case MessageType::Get: {
      Get g;
      g.address = r.str("address");
      return finish(r, t, std::move(g), out);
    }
    case MessageType::Snapshot: return finish(r, t, readSnapshot(r), out);
    case MessageType::Replay: return finish(r, t, readReplay(r), out);
    case MessageType::Bundle: return readBundle(r, bundleDepth, out);
    case MessageType::Sync: return finish(r, t, readSync(r), out);
    case MessageType::Ping: out = Ping{}; return {};
    case MessageType::Pong: out = Pong{}; return {};
    case MessageType::Ack: return finish(r, t, readAck(r), out);
    case MessageType::Error: return finish(r, t, readError(r), out);
    case MessageType::Query: {
      Query q;
      q.pattern = r.str("pattern");
      return finish(r, t, std::move(q), out);
    }
    case MessageType::Result: return finish(r, t, readResult(r), out);
  }
  return fail(Errc::BadMessage, "unknown message type " + hexByte(code));
}

bool isMsgpackMap(std::uint8_t b) { return (b >= 0x80 && b <= 0x8F) || b == 0xDE || b == 0xDF; }

}  // namespace

Result<void> decodeMessageInto(std::span<const std::uint8_t> payload, Message& out) {
  if (payload.empty()) return fail(Errc::BadMessage, "empty payload");
  if (isMsgpackMap(payload[0])) {
    auto m = decodeMessageV0(payload);
    if (!m) return std::unexpected(std::move(m.error()));
    out = std::move(*m);
    return {};
  }
  return decodeV1(payload, 0, out);
}

Result<Message> decodeMessageV1(std::span<const std::uint8_t> payload) {
  Message m;
  auto r = decodeV1(payload, 0, m);
  if (!r) return std::unexpected(std::move(r.error()));
  return m;
}

Result<Message> decodeMessage(std::span<const std::uint8_t> payload) {
  Message m;
  auto r = decodeMessageInto(payload, m);
  if (!r) return std::unexpected(std::move(r.error()));
  return m;
}

Result<void> decodeFrameInto(std::span<const std::uint8_t> bytes, DecodedFrame& out) {
  auto frame = parseFrame(bytes);
  if (!frame) return std::unexpected(std::move(frame.error()));
  out.header = frame->header;
  out.size = frame->size;
  return decodeMessageInto(frame->payload, out.message);
}

Result<DecodedFrame> decodeFrame(std::span<const std::uint8_t> bytes) {
  DecodedFrame d;
  auto r = decodeFrameInto(bytes, d);
  if (!r) return std::unexpected(std::move(r.error()));
  return d;
}

}  // namespace clasp
