// libFuzzer target: the RFC 6455 FrameParser (transport/websocket/ws_codec).
// The first bytes pick the role, the message limit and the chunking; the rest
// is a byte stream fed in chunks whose sizes come from the input, keeping the
// unconsumed tail as a connection does. The chunked run must see exactly the
// events and the error of a one-shot run, and every invariant of the contract
// (bounds, stickiness, nothing after Close) is checked with __builtin_trap.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "chunked.hpp"
#include "core/wire_read.hpp"
#include "transport/websocket/ws_codec.hpp"

namespace {

using clasp::ws::Event;
using clasp::ws::EventKind;
using clasp::ws::FrameParser;

struct Rec {
  EventKind kind;
  bool binary;
  std::vector<std::uint8_t> payload;
  std::uint16_t code;
  bool operator==(const Rec&) const = default;
};

struct Run {
  std::vector<Rec> events;
  bool failed = false;
  clasp::ws::CloseCode code{};
};

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// One parse() over buf with the invariants of a single call checked.
std::size_t parseChecked(FrameParser& p, std::vector<std::uint8_t>& buf, Run& run) {
  const bool wasClosed = p.closeReceived();
  const std::uint8_t* lo = buf.data();
  const std::uint8_t* hi = buf.data() + buf.size();
  bool closeSeen = false;
  auto r = p.parse(buf, [&](const Event& e) {
    check(!closeSeen && !wasClosed);
    const bool inBuf =
        e.payload.empty() || (e.payload.data() >= lo && e.payload.data() + e.payload.size() <= hi);
    if (e.kind == EventKind::Message) {
      check(e.payload.size() <= p.maxMessageSize());
      check(inBuf || e.payload.size() <= p.reassemblyCapacity());
      if (!e.binary) {
        check(clasp::wire::isValidUtf8(
            {reinterpret_cast<const char*>(e.payload.data()), e.payload.size()}));
      }
    } else {
      check(inBuf && e.payload.size() <= clasp::ws::kMaxControlPayload);
    }
    if (e.kind == EventKind::Close) {
      closeSeen = true;
      const auto c = static_cast<std::uint16_t>(e.closeCode);
      check(e.payload.empty() ? c == 1005 : clasp::ws::isValidWireCloseCode(c));
      check(clasp::wire::isValidUtf8(e.closeReason));
    }
    run.events.push_back(Rec{e.kind,
                             e.binary,
                             {e.payload.begin(), e.payload.end()},
                             static_cast<std::uint16_t>(e.closeCode)});
  });
  check(p.reassemblyCapacity() <= p.maxMessageSize());
  if (!r) {
    check(p.failed());
    run.failed = true;
    run.code = r.error().code;
    // Sticky: the same error again, and no events.
    std::size_t before = run.events.size();
    auto again = p.parse(buf, [&](const Event&) { check(false); });
    check(!again && again.error().code == run.code && run.events.size() == before);
    return 0;
  }
  check(*r <= buf.size());
  if (wasClosed) check(*r == buf.size());
  if (p.pendingFrameSize() != 0) {
    check(p.pendingFrameSize() > buf.size() - *r);
    check(p.pendingFrameSize() <= p.maxFrameSize());
  }
  return *r;
}

// Re-encodes a message with the opposite role's writer and reads it back.
void roundTrip(const Rec& m, clasp::ws::Role role, std::size_t max) {
  using namespace clasp::ws;
  clasp::OutBuffer out;
  const Opcode op = m.binary ? Opcode::Binary : Opcode::Text;
  if (role == Role::Server) {
    appendMaskedFrame(out, op, m.payload, MaskKey{1, 2, 3, 4});
  } else {
    appendFrame(out, op, m.payload);
  }
  std::vector<std::uint8_t> bytes(out.data(), out.data() + out.size());
  FrameParser p(max, role);
  int seen = 0;
  auto r = p.parse(bytes, [&](const Event& e) {
    ++seen;
    check(e.binary == m.binary && e.payload.size() == m.payload.size());
    check(std::equal(e.payload.begin(), e.payload.end(), m.payload.begin()));
  });
  check(r && *r == bytes.size() && seen == 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const auto role = (data[0] & 1) ? clasp::ws::Role::Client : clasp::ws::Role::Server;
  const std::size_t max = data[1] | (static_cast<std::size_t>(data[2]) << 8);
  unsigned step = data[3];
  const std::vector<std::uint8_t> stream(data + 4, data + size);

  // One shot.
  Run whole;
  {
    FrameParser p(max, role);
    std::vector<std::uint8_t> buf = stream;
    parseChecked(p, buf, whole);
  }

  // Chunked, keeping the tail.
  Run chunked;
  FrameParser p(max, role);
  clasp::fuzz::feedChunked(
      stream, step, [&](std::vector<std::uint8_t>& buf) { return parseChecked(p, buf, chunked); },
      [&] { return chunked.failed; });
  check(chunked.events == whole.events);
  check(chunked.failed == whole.failed && chunked.code == whole.code);

  for (const Rec& e : whole.events)
    if (e.kind == EventKind::Message) roundTrip(e, role, max);

  // The close writer: any reason yields a Close frame a peer accepts.
  clasp::OutBuffer out;
  std::string_view reason(reinterpret_cast<const char*>(stream.data()), stream.size());
  clasp::ws::appendClose(out, static_cast<clasp::ws::CloseCode>(max), reason);
  std::vector<std::uint8_t> closeBytes(out.data(), out.data() + out.size());
  FrameParser reader(0, clasp::ws::Role::Client);
  auto r = reader.parse(closeBytes, [](const Event& e) { check(e.kind == EventKind::Close); });
  check(r && *r == closeBytes.size() && reader.closeReceived());
  return 0;
}
