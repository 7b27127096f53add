// RFC 6455 frame codec: every parser rule accepted and rejected with its exact
// close code, fragmentation with interleaved control frames, every stream cut
// at every byte offset, size limits at their boundaries, and writer output
// read back by a parser of the opposite role. Client frames are built here
// byte by byte so that malformed ones can be built too.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "transport/websocket/ws_codec.hpp"

namespace clasp::ws {
namespace {

using ByteVec = std::vector<std::uint8_t>;

constexpr MaskKey kKey{0x37, 0xFA, 0x21, 0x3D};

enum class Len { Minimal, Ext16, Ext64 };

// One frame as a client (masked) or server (mask = nullopt) would send it,
// with every header field under the test's control.
class Raw {
 public:
  // clang-format off
  Raw& op(unsigned v) { op_ = v; return *this; }
  Raw& fin(bool v) { fin_ = v; return *this; }
  Raw& rsv(std::uint8_t v) { rsv_ = v; return *this; }  // bits in place: 0x40, 0x20, 0x10
  Raw& mask(std::optional<MaskKey> v) { mask_ = v; return *this; }
  Raw& len(Len v) { len_ = v; return *this; }
  Raw& claimedLength(std::uint64_t v) { claimed_ = v; return *this; }  // a lying header
  // clang-format on

  ByteVec build(const ByteVec& payload) const;

 private:
  unsigned op_ = 2;
  bool fin_ = true;
  std::uint8_t rsv_ = 0;
  std::optional<MaskKey> mask_ = kKey;
  Len len_ = Len::Minimal;
  std::optional<std::uint64_t> claimed_;
};

ByteVec Raw::build(const ByteVec& payload) const {
  ByteVec out;
  out.push_back(static_cast<std::uint8_t>((fin_ ? 0x80 : 0) | rsv_ | op_));
  const std::uint64_t n = claimed_.value_or(payload.size());
  const std::uint8_t m = mask_ ? 0x80 : 0;
  Len form = len_;
  if (form == Len::Minimal) form = n < 126 ? Len::Minimal : n <= 0xFFFF ? Len::Ext16 : Len::Ext64;
  if (form == Len::Minimal) {
    out.push_back(static_cast<std::uint8_t>(m | n));
  } else if (form == Len::Ext16) {
    out.push_back(m | 126);
    out.push_back(static_cast<std::uint8_t>(n >> 8));
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    out.push_back(m | 127);
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
  }
  std::size_t start = out.size();
  if (mask_) {
    out.insert(out.end(), mask_->begin(), mask_->end());
    start += 4;
  }
  out.insert(out.end(), payload.begin(), payload.end());
  if (mask_) {
    for (std::size_t i = 0; i < payload.size(); ++i) out[start + i] ^= (*mask_)[i % 4];
  }
  return out;
}

ByteVec frame(const Raw& r, const ByteVec& payload) { return r.build(payload); }

ByteVec bytes(std::string_view s) { return {s.begin(), s.end()}; }
ByteVec filled(std::size_t n) {
  ByteVec v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return v;
}
ByteVec closePayload(std::uint16_t code, std::string_view reason = {}) {
  // Sized up front: GCC 12 -O3 misreads insert() into a 2-byte vector (-Warray-bounds).
  ByteVec v(2 + reason.size());
  v[0] = static_cast<std::uint8_t>(code >> 8);
  v[1] = static_cast<std::uint8_t>(code);
  std::copy(reason.begin(), reason.end(), v.begin() + 2);
  return v;
}
ByteVec operator+(ByteVec a, const ByteVec& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

ByteVec message(const ByteVec& payload, unsigned op = 2) { return frame(Raw().op(op), payload); }
ByteVec control(unsigned op, const ByteVec& payload) { return frame(Raw().op(op), payload); }

// An event copied out of the callback, comparable.
struct Rec {
  EventKind kind;
  bool binary;
  ByteVec payload;
  std::uint16_t code;
  std::string reason;
  bool operator==(const Rec&) const = default;
};

struct Outcome {
  std::vector<Rec> events;
  std::optional<CloseCode> error;
  std::size_t consumed = 0;
};

// Runs one parse() over `data` (modified in place, as the real caller's).
Outcome parseOnce(FrameParser& p, ByteVec& data, Outcome acc = {}) {
  auto r = p.parse(data, [&](const Event& e) {
    acc.events.push_back(Rec{e.kind, e.binary, ByteVec(e.payload.begin(), e.payload.end()),
                             static_cast<std::uint16_t>(e.closeCode), std::string(e.closeReason)});
  });
  if (r) {
    acc.consumed = *r;
  } else {
    acc.error = r.error().code;
  }
  return acc;
}

Outcome parseAll(ByteVec data, std::size_t max = 1 << 20, Role role = Role::Server) {
  FrameParser p(max, role);
  return parseOnce(p, data);
}

// Feeds `stream` in pieces cut at `cuts`, keeping each unconsumed tail.
Outcome parseSplit(const ByteVec& stream, const std::vector<std::size_t>& cuts,
                   std::size_t max = 1 << 20) {
  FrameParser p(max);
  Outcome acc;
  ByteVec buf;
  std::size_t prev = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(stream.size());
  for (std::size_t end : ends) {
    buf.insert(buf.end(), stream.begin() + static_cast<std::ptrdiff_t>(prev),
               stream.begin() + static_cast<std::ptrdiff_t>(end));
    prev = end;
    acc = parseOnce(p, buf, std::move(acc));
    if (acc.error) return acc;
    buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(acc.consumed));
  }
  acc.consumed = stream.size() - buf.size();
  return acc;
}

Rec msg(const ByteVec& payload, bool binary = true) {
  return Rec{EventKind::Message, binary, payload, 1005, ""};
}

void expectError(const ByteVec& data, CloseCode code, std::size_t max = 1 << 20) {
  Outcome o = parseAll(data, max);
  ASSERT_TRUE(o.error.has_value()) << "accepted";
  EXPECT_EQ(static_cast<int>(*o.error), static_cast<int>(code));
}

// --- masking ---------------------------------------------------------------

TEST(WsMask, MatchesBytewiseXorAtEveryLengthAndAlignment) {
  std::mt19937 rng(7);
  for (std::size_t offset = 0; offset < 8; ++offset) {
    for (std::size_t n = 0; n < 80; ++n) {
      ByteVec v(offset + n);
      for (auto& b : v) b = static_cast<std::uint8_t>(rng());
      ByteVec want = v;
      for (std::size_t i = 0; i < n; ++i) want[offset + i] ^= kKey[i % 4];
      applyMask({v.data() + offset, n}, kKey);
      ASSERT_EQ(v, want) << "offset " << offset << " n " << n;
    }
  }
}

// --- accepted frames -------------------------------------------------------

TEST(WsParser, SingleBinaryMessagePointsIntoTheInput) {
  ByteVec data = message(bytes("hello"));
  FrameParser p(1024);
  int seen = 0;
  auto r = p.parse(data, [&](const Event& e) {
    ++seen;
    EXPECT_EQ(e.kind, EventKind::Message);
    EXPECT_TRUE(e.binary);
    EXPECT_EQ(ByteVec(e.payload.begin(), e.payload.end()), bytes("hello"));
    EXPECT_EQ(e.payload.data(), data.data() + 6);  // unmasked in place, no copy
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, data.size());
  EXPECT_EQ(seen, 1);
}

TEST(WsParser, TextMessageIsDeliveredAsText) {
  Outcome o = parseAll(message(bytes("h\xC3\xA9llo"), 1));
  ASSERT_FALSE(o.error);
  EXPECT_EQ(o.events, std::vector<Rec>{msg(bytes("h\xC3\xA9llo"), false)});
}

TEST(WsParser, EmptyMessagesAndEmptyInput) {
  EXPECT_EQ(parseAll(ByteVec{}).consumed, 0u);
  Outcome o = parseAll(message({}) + message({}, 1));
  ASSERT_FALSE(o.error);
  EXPECT_EQ(o.events, (std::vector<Rec>{msg({}), msg({}, false)}));
}

TEST(WsParser, PingPongAndClose) {
  Outcome o = parseAll(control(9, bytes("p")) + control(10, filled(125)) +
                       control(8, closePayload(1000, "bye")));
  ASSERT_FALSE(o.error);
  ASSERT_EQ(o.events.size(), 3u);
  EXPECT_EQ(o.events[0], (Rec{EventKind::Ping, false, bytes("p"), 1005, ""}));
  EXPECT_EQ(o.events[1], (Rec{EventKind::Pong, false, filled(125), 1005, ""}));
  EXPECT_EQ(o.events[2], (Rec{EventKind::Close, false, closePayload(1000, "bye"), 1000, "bye"}));
}

TEST(WsParser, EmptyCloseMeansNoStatus) {
  Outcome o = parseAll(control(8, {}));
  ASSERT_FALSE(o.error);
  EXPECT_EQ(o.events, (std::vector<Rec>{Rec{EventKind::Close, false, {}, 1005, ""}}));
}

TEST(WsParser, NothingIsParsedAfterClose) {
  ByteVec closeFrame = control(8, closePayload(1001));
  ByteVec data = closeFrame + message(bytes("late"));
  FrameParser p(1024);
  Outcome o = parseOnce(p, data);
  EXPECT_EQ(o.consumed, closeFrame.size());
  EXPECT_EQ(o.events.size(), 1u);
  EXPECT_TRUE(p.closeReceived());
  ByteVec more = message(bytes("later")) + ByteVec{0xFF};  // even garbage is swallowed
  Outcome after = parseOnce(p, more);
  EXPECT_FALSE(after.error);
  EXPECT_EQ(after.consumed, more.size());
  EXPECT_TRUE(after.events.empty());
}

TEST(WsParser, ValidCloseCodesAreAccepted) {
  for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
                             3000, 3999, 4000, 4999}) {
    Outcome o = parseAll(control(8, closePayload(code, "x")));
    ASSERT_FALSE(o.error) << code;
    ASSERT_EQ(o.events.size(), 1u);
    EXPECT_EQ(o.events[0].code, code);
  }
}

TEST(WsParser, NonMinimalLengthEncodingsAreAccepted) {
  const ByteVec p = bytes("abc");
  ByteVec data = frame(Raw().len(Len::Ext16), p) + frame(Raw().len(Len::Ext64), p) +
                 frame(Raw().op(9).len(Len::Ext16), p);
  Outcome o = parseAll(data);
  ASSERT_FALSE(o.error);
  EXPECT_EQ(o.events.size(), 3u);
  EXPECT_EQ(o.consumed, data.size());
}

TEST(WsParser, SevenSixteenAndSixtyFourBitLengths) {
  for (std::size_t n : {125u, 126u, 65535u, 65536u}) {
    ByteVec payload = filled(n);
    ByteVec data = message(payload);
    EXPECT_EQ(data.size(), maskedHeaderSize(n) + n);
    Outcome o = parseAll(data);
    ASSERT_FALSE(o.error) << n;
    EXPECT_EQ(o.events, std::vector<Rec>{msg(payload)}) << n;
  }
}

TEST(WsParser, ManyFramesBackToBack) {
  ByteVec data;
  for (int i = 0; i < 1000; ++i) data = data + message(filled(static_cast<std::size_t>(i % 40)));
  Outcome o = parseAll(data);
  ASSERT_FALSE(o.error);
  ASSERT_EQ(o.events.size(), 1000u);
  EXPECT_EQ(o.consumed, data.size());
  EXPECT_EQ(o.events[999], msg(filled(999 % 40)));
}

// --- fragmentation ---------------------------------------------------------

TEST(WsParser, FragmentedMessageWithInterleavedControlFrames) {
  ByteVec data = frame(Raw().op(2).fin(false), bytes("ab")) + control(9, bytes("p1")) +
                 frame(Raw().op(0).fin(false), bytes("cd")) + control(10, {}) +
                 frame(Raw().op(0).fin(false), {}) + frame(Raw().op(0), bytes("ef"));
  FrameParser p(1024);
  Outcome o = parseOnce(p, data);
  ASSERT_FALSE(o.error);
  EXPECT_EQ(o.events,
            (std::vector<Rec>{Rec{EventKind::Ping, false, bytes("p1"), 1005, ""},
                              Rec{EventKind::Pong, false, {}, 1005, ""}, msg(bytes("abcdef"))}));
  EXPECT_FALSE(p.inFragmentedMessage());
}

TEST(WsParser, FragmentedTextMaySplitACodePoint) {
  // U+00E9 is C3 A9: the fragments are not UTF-8 on their own, the message is.
  ByteVec data =
      frame(Raw().op(1).fin(false), bytes("caf\xC3")) + frame(Raw().op(0), bytes("\xA9"));
  Outcome o = parseAll(data);
  ASSERT_FALSE(o.error);
  EXPECT_EQ(o.events, std::vector<Rec>{msg(bytes("caf\xC3\xA9"), false)});
}

TEST(WsParser, ReassemblyBufferIsBoundedAndReused) {
  FrameParser p(10000);
  for (int round = 0; round < 3; ++round) {
    ByteVec data = frame(Raw().op(2).fin(false), filled(5000)) +
                   frame(Raw().op(0).fin(false), filled(3000)) + frame(Raw().op(0), filled(2000));
    Outcome o = parseOnce(p, data);
    ASSERT_FALSE(o.error);
    ASSERT_EQ(o.events.size(), 1u);
    EXPECT_EQ(o.events[0].payload, filled(5000) + filled(3000) + filled(2000));
    EXPECT_EQ(p.reassemblyCapacity(), 10000u);
  }
}

// --- rejected frames -------------------------------------------------------

TEST(WsParser, UnmaskedClientFrameIs1002) {
  expectError(frame(Raw().mask(std::nullopt), bytes("x")), CloseCode::ProtocolError);
  expectError(frame(Raw().op(9).mask(std::nullopt), {}), CloseCode::ProtocolError);
}

TEST(WsParser, ReservedBitsAre1002) {
  for (std::uint8_t rsv : {0x40, 0x20, 0x10, 0x70}) {
    expectError(frame(Raw().rsv(rsv), bytes("x")), CloseCode::ProtocolError);
    expectError(frame(Raw().op(9).rsv(rsv), {}), CloseCode::ProtocolError);
  }
}

TEST(WsParser, UnknownOpcodesAre1002) {
  for (unsigned op : {3u, 4u, 5u, 6u, 7u, 11u, 12u, 13u, 14u, 15u})
    expectError(frame(Raw().op(op), {}), CloseCode::ProtocolError);
}

TEST(WsParser, ControlFrameRules) {
  expectError(control(9, filled(126)), CloseCode::ProtocolError);
  expectError(control(10, filled(126)), CloseCode::ProtocolError);
  expectError(control(8, closePayload(1000, std::string(124, 'x'))), CloseCode::ProtocolError);
  // From the header alone, and 1002 (not 1009) even when the length is huge.
  expectError(frame(Raw().op(9).claimedLength(126), {}), CloseCode::ProtocolError, 10);
  expectError(frame(Raw().op(9).len(Len::Ext64).claimedLength(1ull << 62), {}),
              CloseCode::ProtocolError, 10);
  for (unsigned op : {8u, 9u, 10u})
    expectError(frame(Raw().op(op).fin(false), {}), CloseCode::ProtocolError);
}

TEST(WsParser, ContinuationAndInterleavingRules) {
  expectError(frame(Raw().op(0), bytes("x")), CloseCode::ProtocolError);
  expectError(frame(Raw().op(0).fin(false), bytes("x")), CloseCode::ProtocolError);
  // A message after a complete fragmented one is fine; inside one, it is not.
  ByteVec started = frame(Raw().op(2).fin(false), bytes("a"));
  EXPECT_FALSE(parseAll(started + frame(Raw().op(0), bytes("b")) + message(bytes("c"))).error);
  expectError(started + message(bytes("c")), CloseCode::ProtocolError);
  expectError(started + message(bytes("c"), 1), CloseCode::ProtocolError);
  expectError(started + frame(Raw().op(1).fin(false), bytes("c")), CloseCode::ProtocolError);
}

TEST(WsParser, SixtyFourBitLengthWithTopBitIs1002FromTheHeaderAlone) {
  ByteVec header = frame(Raw().len(Len::Ext64).claimedLength(1ull << 63), {});
  expectError(header, CloseCode::ProtocolError);
}

TEST(WsParser, CloseFrameRules) {
  expectError(control(8, ByteVec{0x03}), CloseCode::ProtocolError);
  for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
    expectError(control(8, closePayload(code)), CloseCode::ProtocolError);
  expectError(control(8, closePayload(1000, "\xC3\x28")), CloseCode::InvalidPayload);
  expectError(control(8, closePayload(1000, "\xED\xA0\x80")), CloseCode::InvalidPayload);
}

TEST(WsParser, InvalidUtf8TextIs1007) {
  expectError(message(bytes("\xFF"), 1), CloseCode::InvalidPayload);
  expectError(message(bytes("ab\xC3"), 1), CloseCode::InvalidPayload);
  expectError(frame(Raw().op(1).fin(false), bytes("ab")) + frame(Raw().op(0), bytes("\xC0\xAF")),
              CloseCode::InvalidPayload);
  // Binary messages are not text: anything goes.
  EXPECT_FALSE(parseAll(message(bytes("\xFF\xC0"), 2)).error);
}

TEST(WsParser, ErrorsAreStickyAndEventsBeforeThemAreDelivered) {
  ByteVec data = message(bytes("ok")) + frame(Raw().op(3), {});
  FrameParser p(1024);
  Outcome o = parseOnce(p, data);
  EXPECT_EQ(o.events.size(), 1u);
  ASSERT_TRUE(o.error);
  EXPECT_TRUE(p.failed());
  ByteVec more = message(bytes("again"));
  Outcome again = parseOnce(p, more);
  EXPECT_TRUE(again.events.empty());
  EXPECT_EQ(again.error, CloseCode::ProtocolError);
}

// --- size limits -----------------------------------------------------------

TEST(WsParser, SingleFrameMaxBoundary) {
  EXPECT_EQ(parseAll(message(filled(100)), 100).events.size(), 1u);
  expectError(message(filled(101)), CloseCode::MessageTooBig, 100);
  // Detected from the header: no payload bytes are needed.
  ByteVec header = frame(Raw().claimedLength(101), {});
  expectError(header, CloseCode::MessageTooBig, 100);
  // Control frames are bounded by 125, not by the message limit.
  EXPECT_FALSE(parseAll(control(9, filled(125)), 10).error);
}

TEST(WsParser, FragmentedMaxBoundary) {
  ByteVec exact = frame(Raw().op(2).fin(false), filled(60)) + frame(Raw().op(0), filled(40));
  Outcome o = parseAll(exact, 100);
  ASSERT_FALSE(o.error);
  EXPECT_EQ(o.events, std::vector<Rec>{msg(filled(60) + filled(40))});
  ByteVec over = frame(Raw().op(2).fin(false), filled(60)) +
                 frame(Raw().op(0).claimedLength(41), {});  // header only
  expectError(over, CloseCode::MessageTooBig, 100);
}

TEST(WsParser, HostileLengthFailsAtOnceWithoutWaitingOrAllocating) {
  FrameParser p(1 << 20);
  ByteVec header = frame(Raw().len(Len::Ext64).claimedLength(1ull << 62), {});
  Outcome o = parseOnce(p, header);
  EXPECT_EQ(o.error, CloseCode::MessageTooBig);
  EXPECT_EQ(p.reassemblyCapacity(), 0u);
  // The same as the first fragment of a message.
  FrameParser q(1 << 20);
  ByteVec frag = frame(Raw().op(2).fin(false).len(Len::Ext64).claimedLength(1ull << 62), {});
  EXPECT_EQ(parseOnce(q, frag).error, CloseCode::MessageTooBig);
  EXPECT_EQ(q.reassemblyCapacity(), 0u);
}

TEST(WsParser, PendingFrameSizeTellsTheCallerHowMuchToBuffer) {
  FrameParser p(100000);
  ByteVec whole = message(filled(70000));
  ByteVec part(whole.begin(), whole.begin() + 20);
  Outcome o = parseOnce(p, part);
  EXPECT_EQ(o.consumed, 0u);
  EXPECT_EQ(p.pendingFrameSize(), whole.size());
  ByteVec tiny(whole.begin(), whole.begin() + 3);  // header incomplete: unknown yet
  parseOnce(p, tiny);
  EXPECT_EQ(p.pendingFrameSize(), 0u);
  EXPECT_LE(whole.size(), p.maxFrameSize());
  // With a tiny message limit a 125-byte Ping still has to fit.
  FrameParser small(10);
  ByteVec ping = control(9, filled(125));
  ByteVec head(ping.begin(), ping.begin() + 2);
  parseOnce(small, head);
  EXPECT_EQ(small.pendingFrameSize(), ping.size());
  EXPECT_LE(ping.size(), small.maxFrameSize());
}

// --- split at every offset ------------------------------------------------

ByteVec mixedStream() {
  return message(bytes("one")) + message(bytes("t\xC3\xA9xt"), 1) + control(9, bytes("ping")) +
         frame(Raw().op(1).fin(false), bytes("fr\xE2\x82")) + control(10, bytes("pong")) +
         frame(Raw().op(0).fin(false), bytes("\xAC")) + frame(Raw().op(0), bytes("ag")) +
         message(filled(300)) + frame(Raw().len(Len::Ext64), bytes("long")) + message({}) +
         control(8, closePayload(1000, "done"));
}

TEST(WsParser, EveryCutOffsetYieldsTheSameEvents) {
  const ByteVec stream = mixedStream();
  const Outcome whole = parseAll(stream);
  ASSERT_FALSE(whole.error);
  ASSERT_EQ(whole.events.size(), 9u);
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    Outcome o = parseSplit(stream, {cut});
    ASSERT_FALSE(o.error) << cut;
    ASSERT_EQ(o.events, whole.events) << "cut at " << cut;
    ASSERT_EQ(o.consumed, stream.size()) << cut;
  }
}

TEST(WsParser, EveryMessageCutAtEveryPairOfOffsets) {
  const ByteVec stream = frame(Raw().op(2).fin(false), bytes("ab")) + control(9, bytes("p")) +
                         frame(Raw().op(0), filled(130)) + message(bytes("z"));
  const Outcome whole = parseAll(stream);
  for (std::size_t a = 0; a <= stream.size(); ++a)
    for (std::size_t b = a; b <= stream.size(); ++b)
      ASSERT_EQ(parseSplit(stream, {a, b}).events, whole.events) << a << "," << b;
}

TEST(WsParser, ErrorsSurviveEveryCut) {
  const ByteVec stream = message(bytes("ok")) + control(9, bytes("p")) +
                         frame(Raw().op(2).claimedLength(101), {}) + filled(20);
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    Outcome o = parseSplit(stream, {cut}, 100);
    ASSERT_EQ(o.error, CloseCode::MessageTooBig) << cut;
    ASSERT_EQ(o.events.size(), 2u) << cut;
  }
}

TEST(WsParser, RandomMultiCuts) {
  const ByteVec stream = mixedStream();
  const Outcome whole = parseAll(stream);
  std::mt19937 rng(42);
  for (int i = 0; i < 500; ++i) {
    std::vector<std::size_t> cuts;
    std::size_t at = 0;
    while (true) {
      at += 1 + rng() % 40;
      if (at >= stream.size()) break;
      cuts.push_back(at);
    }
    ASSERT_EQ(parseSplit(stream, cuts).events, whole.events);
  }
}

// --- callback control ------------------------------------------------------

TEST(WsParser, CallbackReturningFalseStopsAfterThatFrame) {
  ByteVec first = message(bytes("a"));
  ByteVec data = first + message(bytes("b"));
  FrameParser p(1024);
  int seen = 0;
  auto r = p.parse(data, [&](const Event&) {
    ++seen;
    return false;
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, first.size());
  EXPECT_EQ(seen, 1);
}

// --- writers ---------------------------------------------------------------

TEST(WsWriter, HeaderSizes) {
  std::uint8_t h[kMaxHeaderSize];
  for (auto [n, size] : std::vector<std::pair<std::size_t, std::size_t>>{
           {0, 2}, {125, 2}, {126, 4}, {65535, 4}, {65536, 10}, {1ull << 40, 10}}) {
    EXPECT_EQ(headerSize(n), size) << n;
    EXPECT_EQ(writeHeader(h, Opcode::Binary, n), size) << n;
    EXPECT_EQ(maskedHeaderSize(n), size + 4) << n;
    EXPECT_EQ(writeMaskedHeader(h, Opcode::Binary, n, kKey), size + 4) << n;
  }
}

TEST(WsWriter, ExactBytes) {
  OutBuffer out;
  appendFrame(out, Opcode::Ping, bytes("hi"));
  EXPECT_EQ(ByteVec(out.span().begin(), out.span().end()), (ByteVec{0x89, 0x02, 'h', 'i'}));
  out.clear();
  appendFrame(out, Opcode::Binary, filled(300));
  EXPECT_EQ(ByteVec(out.data(), out.data() + 4), (ByteVec{0x82, 126, 0x01, 0x2C}));
  out.clear();
  appendFrame(out, Opcode::Binary, filled(65536));
  EXPECT_EQ(ByteVec(out.data(), out.data() + 10), (ByteVec{0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0}));
  out.clear();
  appendClose(out, CloseCode::GoingAway, "bye");
  EXPECT_EQ(ByteVec(out.span().begin(), out.span().end()),
            (ByteVec{0x88, 0x05, 0x03, 0xE9, 'b', 'y', 'e'}));
}

TEST(WsWriter, ServerFramesRoundTripThroughAClientParser) {
  OutBuffer out;
  for (std::size_t n : {0u, 1u, 125u, 126u, 65535u, 65536u})
    appendFrame(out, Opcode::Binary, filled(n));
  appendFrame(out, Opcode::Text, bytes("text"));
  appendFrame(out, Opcode::Ping, bytes("p"));
  appendClose(out, CloseCode::PolicyViolation, "no");
  ByteVec data(out.data(), out.data() + out.size());
  Outcome o = parseAll(data, 1 << 20, Role::Client);
  ASSERT_FALSE(o.error);
  ASSERT_EQ(o.events.size(), 9u);
  EXPECT_EQ(o.events[3], msg(filled(126)));
  EXPECT_EQ(o.events[5], msg(filled(65536)));
  EXPECT_EQ(o.events[6], msg(bytes("text"), false));
  EXPECT_EQ(o.events[8].code, 1008);
  EXPECT_EQ(o.events[8].reason, "no");
  EXPECT_EQ(o.consumed, data.size());
}

TEST(WsWriter, ClientFramesRoundTripThroughAServerParser) {
  OutBuffer out;
  for (std::size_t n : {0u, 5u, 126u, 65536u})
    appendMaskedFrame(out, Opcode::Binary, filled(n), kKey);
  appendMaskedClose(out, CloseCode::Normal, "fin", kKey);
  ByteVec data(out.data(), out.data() + out.size());
  ByteVec expected = message(filled(5));
  EXPECT_EQ(ByteVec(data.begin() + 6, data.begin() + 6 + 11),
            expected);  // same bytes as the helper
  Outcome o = parseAll(data);
  ASSERT_FALSE(o.error);
  ASSERT_EQ(o.events.size(), 5u);
  EXPECT_EQ(o.events[2], msg(filled(126)));
  EXPECT_EQ(o.events[4].reason, "fin");
}

TEST(WsWriter, ClientParserRejectsMaskedFrames) {
  Outcome o = parseAll(message(bytes("x")), 1024, Role::Client);
  EXPECT_EQ(o.error, CloseCode::ProtocolError);
}

TEST(WsWriter, CloseReasonIsTruncatedAtACharacterBoundary) {
  std::string reason;
  for (int i = 0; i < 60; ++i) reason += "\xC3\xA9";  // 120 bytes
  reason = "ab" + reason + "\xE2\x82\xAC";            // 125 bytes: the euro sign straddles 123
  OutBuffer out;
  appendClose(out, CloseCode::InternalError, reason);
  ByteVec data(out.data(), out.data() + out.size());
  Outcome o = parseAll(data, 1024, Role::Client);
  ASSERT_FALSE(o.error);
  ASSERT_EQ(o.events.size(), 1u);
  EXPECT_EQ(o.events[0].code, 1011);
  EXPECT_EQ(o.events[0].reason, reason.substr(0, 122));
  EXPECT_LE(o.events[0].payload.size(), kMaxControlPayload);
}

TEST(WsWriter, CloseEdgeCases) {
  OutBuffer out;
  appendClose(out, CloseCode::NoStatus, "ignored");
  EXPECT_EQ(ByteVec(out.span().begin(), out.span().end()), (ByteVec{0x88, 0x00}));
  out.clear();
  appendClose(out, CloseCode::Normal, "\xFF bad");  // invalid reason is dropped, code kept
  EXPECT_EQ(ByteVec(out.span().begin(), out.span().end()), (ByteVec{0x88, 0x02, 0x03, 0xE8}));
  out.clear();
  appendClose(out, CloseCode::Normal, std::string(200, 'x'));
  EXPECT_EQ(out.size(), 2 + kMaxControlPayload);
}

}  // namespace
}  // namespace clasp::ws
