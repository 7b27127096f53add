// libFuzzer target: the MQTT codec (adapters/mqtt). The first bytes pick the
// session version, the maximum packet size and the chunking; the rest is a
// client byte stream. Every packet is decoded as both v3.1.1 and v5; a
// chunked run (keeping the unconsumed tail, as a connection does) must cut
// exactly the packets of a one-shot run. Whatever decodes is re-encoded, and
// the re-encoding must decode and re-encode to the same bytes. Topics and
// payloads also go through the relay's MQTT <-> CLASP mapping (mqtt_bridge).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "adapters/mqtt/mqtt_bridge.hpp"
#include "chunked.hpp"
#include "adapters/mqtt/mqtt_codec.hpp"
#include "adapters/mqtt/mqtt_topic.hpp"

namespace {

using namespace clasp::mqtt;
using ByteVec = std::vector<std::uint8_t>;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

struct Rec {
  std::uint8_t type;
  std::size_t size;
  bool operator==(const Rec&) const = default;
};

struct Run {
  std::vector<Rec> packets;
  bool failed = false;
  ReasonCode code{};
};

// Encodes a decoded client packet; false when the kind has no encoder here.
bool encodeClient(clasp::OutBuffer& out, const ClientPacket& p, Version v) {
  Parsed<std::size_t> r = std::unexpected(ProtocolError{ReasonCode::UnspecifiedError, ""});
  if (auto* c = std::get_if<Connect>(&p)) r = encodeConnect(out, *c);
  else if (auto* m = std::get_if<Publish>(&p)) r = encodePublish(out, v, *m);
  else if (auto* a = std::get_if<PubAck>(&p)) r = encodePubAck(out, v, *a);
  else if (auto* s = std::get_if<Subscribe>(&p)) r = encodeSubscribe(out, v, *s);
  else if (auto* u = std::get_if<Unsubscribe>(&p)) r = encodeUnsubscribe(out, v, *u);
  else if (std::holds_alternative<Pingreq>(p)) r = encodePingreq(out);
  else if (auto* d = std::get_if<Disconnect>(&p)) r = encodeDisconnect(out, v, *d);
  else if (auto* x = std::get_if<Auth>(&p)) r = encodeAuth(out, *x);
  check(r.has_value());  // anything that decoded fits back on the wire
  return true;
}

ByteVec toVec(const clasp::OutBuffer& out) { return {out.data(), out.data() + out.size()}; }

// decode -> encode -> decode -> encode must reach a fixed point.
void roundTrip(const ClientPacket& p, Version v) {
  clasp::OutBuffer first;
  encodeClient(first, p, v);
  const ByteVec once = toVec(first);
  PacketParser parser;
  auto raw = parser.next(once);
  check(raw && raw->has_value() && (*raw)->size == once.size());
  auto again = decodeClientPacket(**raw, v);
  check(again.has_value() && again->index() == p.index());
  clasp::OutBuffer second;
  encodeClient(second, *again, v);
  check(toVec(second) == once);
}

// Topic filters and names from the same input, against each other.
void matchAll(const std::vector<std::string_view>& filters, const std::vector<std::string_view>& topics) {
  for (std::string_view f : filters) {
    const std::string_view plain = splitSharedFilter(f).filter;
    const bool literal = plain.find_first_of("+#") == std::string_view::npos;
    for (std::string_view t : topics) {
      const bool m = topicMatches(plain, t);
      if (literal) check(m == (plain == t));
    }
  }
}

void parseAll(const PacketParser& parser, const ByteVec& buf, std::size_t& used, Run& run, Version v,
              bool decodeToo) {
  std::vector<std::string_view> filters, topics;
  while (!run.failed) {
    Bytes rest(buf.data() + used, buf.size() - used);
    auto r = parser.next(rest);
    if (!r) {
      run.failed = true;
      run.code = r.error().code;
      break;
    }
    if (!r->has_value()) break;
    const RawPacket& p = **r;
    check(p.size <= rest.size() && p.size <= parser.maxPacketSize());
    check(p.body.data() >= rest.data() && p.body.data() + p.body.size() == rest.data() + p.size);
    run.packets.push_back(Rec{static_cast<std::uint8_t>(p.type), p.size});
    used += p.size;
    if (!decodeToo) continue;
    const Version other = v == Version::V5 ? Version::V311 : Version::V5;
    (void)decodeClientPacket(p, other);
    auto d = decodeClientPacket(p, v);
    if (!d) {
      check(d.error().reason != nullptr && d.error().field != nullptr);
      continue;
    }
    roundTrip(*d, v);
    if (auto* s = std::get_if<Subscribe>(&*d)) {
      check(!s->subscriptions.empty());
      for (const Subscription& sub : s->subscriptions) {
        check(isValidTopicFilter(sub.filter));
        filters.push_back(sub.filter);
        if (auto pattern = filterToPattern("/mqtt", sub.filter)) check(pattern->starts_with("/mqtt/"));
      }
    } else if (auto* m = std::get_if<Publish>(&*d)) {
      if (!m->topic.empty()) {
        check(isValidTopicName(m->topic));
        topics.push_back(m->topic);
        // The relay's mapping of what it accepted: address back to the same topic.
        if (auto address = topicToAddress("/mqtt", m->topic)) {
          auto back = addressToTopic("/mqtt", *address);
          check(back && *back == m->topic);
        }
      }
      // Payload -> value -> payload never fails; text that is not a number
      // or JSON comes back unchanged.
      std::string_view text(reinterpret_cast<const char*>(m->payload.data()), m->payload.size());
      clasp::Value value = payloadToValue(text);
      clasp::OutBuffer out;
      appendPayload(out, value);
      // (A JSON string, possibly after JSON whitespace, is unquoted instead.)
      const std::size_t first = text.find_first_not_of(" \t\n\r");
      const bool jsonString = first != std::string_view::npos && text[first] == '"';
      if (value.asString() && !jsonString)
        check(std::string_view(reinterpret_cast<const char*>(out.data()), out.size()) == text);
    }
  }
  matchAll(filters, topics);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const Version v = (data[0] & 1) ? Version::V5 : Version::V311;
  const std::size_t raw = data[1] | (std::size_t{data[2]} << 8);
  const PacketParser parser(raw == 0 ? kMaxPacketSize : raw);
  unsigned step = data[3];
  const ByteVec stream(data + 4, data + size);

  Run whole;
  std::size_t used = 0;
  parseAll(parser, stream, used, whole, v, true);

  Run chunked;
  clasp::fuzz::feedChunked(
      stream, step,
      [&](const ByteVec& buf) {
        std::size_t consumed = 0;
        parseAll(parser, buf, consumed, chunked, v, false);
        return consumed;
      },
      [&] { return chunked.failed; });
  check(chunked.packets == whole.packets);
  check(chunked.failed == whole.failed && chunked.code == whole.code);
  return 0;
}
