// v1 (binary) payload and frame encoder, protocol.md §5, byte-exact with the
// reference encoder: optional fields are written exactly when present, values
// use i64/f64, HELLO keeps feature bits 7-2 and WELCOME bits 7-3. Anything the
// wire cannot represent (a string, list or payload over 65 535 bytes) fails
// with Errc::InvalidValue and leaves the output buffer as it was.
#include "codec.hpp"
#include "value_codec.hpp"
#include "wire_write.hpp"

namespace clasp {

namespace {

using namespace wire;

// Collects "does not fit" conditions so the per-field code stays linear.
struct Enc {
  OutBuffer& out;
  bool ok = true;

  void str(std::string_view s) {
    if (s.size() > 0xFFFF) {
      ok = false;
      return;
    }
    putStr(out, s);
  }
  void count(std::size_t n) {
    if (n > 0xFFFF) ok = false;
    putU16(out, static_cast<std::uint16_t>(n));
  }
  void typed(const Value& v) { ok = codec::writeTypedValue(out, v) && ok; }
};

std::uint8_t typeMaskToWire(std::uint8_t m) {
  std::uint8_t bits = m & typemask::kAll;
  return bits == 0 ? 0xFF : bits;
}

void writeSignal(Enc& e, const SignalDefinition& s, bool withMeta) {
  e.str(s.address);
  putU8(e.out, static_cast<std::uint8_t>(s.type));
  std::uint8_t opt = (s.datatype ? 0x01 : 0) | (s.access ? 0x02 : 0) |
                     (withMeta && s.meta ? 0x04 : 0);
  putU8(e.out, opt);
  if (s.datatype) e.str(*s.datatype);
  if (s.access) e.str(*s.access);
  if (withMeta && s.meta) {
    const SignalMeta& m = *s.meta;
    std::uint8_t mf = (m.unit ? 0x01 : 0) | (m.range ? 0x02 : 0) | (m.defaultValue ? 0x04 : 0) |
                      (m.description ? 0x08 : 0);
    putU8(e.out, mf);
    if (m.unit) e.str(*m.unit);
    if (m.range) {
      putF64(e.out, m.range->first);
      putF64(e.out, m.range->second);
    }
    if (m.defaultValue) e.typed(*m.defaultValue);
    if (m.description) e.str(*m.description);
  }
}

struct PayloadWriter {
  Enc& e;

  void operator()(const Hello& h) {
    putU8(e.out, 0x01);
    putU8(e.out, h.version);
    putU8(e.out, h.features & 0xFC);
    e.str(h.name);
    e.str(h.token);
  }
  void operator()(const Welcome& w) {
    putU8(e.out, 0x02);
    putU8(e.out, w.version);
    putU8(e.out, w.features & 0xF8);
    putU64(e.out, w.time);
    e.str(w.session);
    e.str(w.name);
    e.str(w.token);
  }
  void operator()(const Announce& a) {
    putU8(e.out, 0x03);
    e.str(a.ns);
    e.count(a.signals.size());
    for (const auto& s : a.signals) writeSignal(e, s, true);
  }
  void operator()(const FederationSync& f) {
    putU8(e.out, 0x04);
    putU8(e.out, static_cast<std::uint8_t>(f.op));
    e.count(f.patterns.size());
    for (const auto& p : f.patterns) e.str(p);
    e.count(f.revisions.size());
    for (const auto& [addr, rev] : f.revisions) {
      e.str(addr);
      putU64(e.out, rev);
    }
    putU8(e.out, (f.sinceRevision ? 0x80 : 0) | (f.origin ? 0x40 : 0));
    if (f.sinceRevision) putU64(e.out, *f.sinceRevision);
    if (f.origin) e.str(*f.origin);
  }
  void operator()(const Subscribe& s) {
    putU8(e.out, 0x10);
    putU32(e.out, s.id);
    e.str(s.pattern);
    putU8(e.out, typeMaskToWire(s.types));
    if (!s.options) {
      putU8(e.out, 0);
      return;
    }
    const SubscribeOptions& o = *s.options;
    putU8(e.out, (o.maxRate ? 0x01 : 0) | (o.epsilon ? 0x02 : 0) | (o.history ? 0x04 : 0) |
                     (o.window ? 0x08 : 0));
    if (o.maxRate) putU32(e.out, *o.maxRate);
    if (o.epsilon) putF64(e.out, *o.epsilon);
    if (o.history) putU32(e.out, *o.history);
    if (o.window) putU32(e.out, *o.window);
  }
  void operator()(const Unsubscribe& u) {
    putU8(e.out, 0x11);
    putU32(e.out, u.id);
  }
  void operator()(const Publish& p) {
    putU8(e.out, 0x20);
    putU8(e.out, static_cast<std::uint8_t>((static_cast<unsigned>(p.signal) << 5) |
                                           (p.timestamp ? 0x10 : 0) | (p.id ? 0x08 : 0) |
                                           static_cast<unsigned>(p.phase)));
    e.str(p.address);
    if (p.value) {
      putU8(e.out, 1);
      e.typed(*p.value);
    } else if (p.samples) {
      putU8(e.out, 2);
      e.count(p.samples->size());
      for (double d : *p.samples) putF64(e.out, d);
    } else {
      putU8(e.out, 0);
    }
    if (p.timestamp) putU64(e.out, *p.timestamp);
    if (p.id) putU32(e.out, *p.id);
    if (p.rate) putU32(e.out, *p.rate);
  }
  void operator()(const Set& s) {
    putU8(e.out, 0x21);
    putU8(e.out, static_cast<std::uint8_t>((s.revision ? 0x80 : 0) | (s.lock ? 0x40 : 0) |
                                           (s.unlock ? 0x20 : 0) | (s.ttl ? 0x10 : 0) |
                                           static_cast<unsigned>(s.value.wireType())));
    e.str(s.address);
    e.ok = codec::writeValueData(e.out, s.value) && e.ok;
    if (s.revision) putU64(e.out, *s.revision);
    if (s.ttl) putU32(e.out, s.ttl->raw());
  }
  void operator()(const Get& g) {
    putU8(e.out, 0x22);
    e.str(g.address);
  }
  void operator()(const Snapshot& s) {
    putU8(e.out, 0x23);
    e.count(s.params.size());
    for (const auto& p : s.params) {
      e.str(p.address);
      e.typed(p.value);
      putU64(e.out, p.revision);
      putU8(e.out, (p.writer ? 0x01 : 0) | (p.timestamp ? 0x02 : 0));
      if (p.writer) e.str(*p.writer);
      if (p.timestamp) putU64(e.out, *p.timestamp);
    }
  }
  void operator()(const Replay& p) {
    putU8(e.out, 0x24);
    putU8(e.out, (p.from ? 0x80 : 0) | (p.to ? 0x40 : 0) | (p.limit ? 0x20 : 0));
    e.str(p.pattern);
    if (p.from) putU64(e.out, *p.from);
    if (p.to) putU64(e.out, *p.to);
    if (p.limit) putU32(e.out, *p.limit);
    putU8(e.out, typeMaskToWire(p.types));
  }
  void operator()(const Bundle& b) {
    putU8(e.out, 0x30);
    putU8(e.out, b.timestamp ? 0x80 : 0);
    e.count(b.messages.size());
    if (b.timestamp) putU64(e.out, *b.timestamp);
    for (const Message& m : b.messages) {
      std::size_t lenAt = e.out.size();
      putU16(e.out, 0);
      std::visit(*this, m.variant());
      std::size_t len = e.out.size() - lenAt - 2;
      if (len > 0xFFFF) e.ok = false;
      patchU16(e.out, lenAt, static_cast<std::uint16_t>(len));
    }
  }
  void operator()(const Sync& s) {
    putU8(e.out, 0x40);
    putU8(e.out, (s.t2 ? 0x01 : 0) | (s.t3 ? 0x02 : 0));
    putU64(e.out, s.t1);
    if (s.t2) putU64(e.out, *s.t2);
    if (s.t3) putU64(e.out, *s.t3);
  }
  void operator()(const Ping&) { putU8(e.out, 0x41); }
  void operator()(const Pong&) { putU8(e.out, 0x42); }
  void operator()(const Ack& a) {
    putU8(e.out, 0x50);
    putU8(e.out, (a.address ? 0x01 : 0) | (a.revision ? 0x02 : 0) | (a.locked ? 0x04 : 0) |
                     (a.holder ? 0x08 : 0) | (a.correlationId ? 0x10 : 0));
    if (a.address) e.str(*a.address);
    if (a.revision) putU64(e.out, *a.revision);
    if (a.locked) putU8(e.out, *a.locked ? 1 : 0);
    if (a.holder) e.str(*a.holder);
    if (a.correlationId) putU32(e.out, *a.correlationId);
  }
  void operator()(const ErrorMsg& m) {
    putU8(e.out, 0x51);
    putU16(e.out, m.code);
    e.str(m.message);
    putU8(e.out, (m.address ? 0x01 : 0) | (m.correlationId ? 0x02 : 0));
    if (m.address) e.str(*m.address);
    if (m.correlationId) putU32(e.out, *m.correlationId);
  }
  void operator()(const Query& q) {
    putU8(e.out, 0x60);
    e.str(q.pattern);
  }
  void operator()(const QueryResult& r) {
    putU8(e.out, 0x61);
    e.count(r.signals.size());
    for (const auto& s : r.signals) writeSignal(e, s, false);
  }
};

}  // namespace

Result<void> encodePayload(const Message& m, OutBuffer& out) {
  std::size_t start = out.size();
  Enc e{out};
  std::visit(PayloadWriter{e}, m.variant());
  if (!e.ok || out.size() - start > kMaxPayload) {
    out.truncate(start);
    return fail(Errc::InvalidValue, std::string(messageTypeName(m.type())) +
                                        ": does not fit the wire format (field or payload over 65535)");
  }
  return {};
}

Result<void> encodeFrame(const Message& m, OutBuffer& out, std::optional<QoS> qos,
                         std::optional<std::uint64_t> timestamp) {
  std::size_t start = out.size();
  writeFrameHeader(out, frameFlags(qos.value_or(defaultQos(m)), timestamp.has_value()), 0, timestamp);
  auto r = encodePayload(m, out);
  if (!r) {
    out.truncate(start);
    return r;
  }
  std::size_t headerSize = kFrameHeaderSize + (timestamp ? kFrameTimestampSize : 0);
  patchU16(out, start + 2, static_cast<std::uint16_t>(out.size() - start - headerSize));
  return {};
}

}  // namespace clasp
