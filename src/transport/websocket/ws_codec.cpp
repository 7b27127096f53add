// RFC 6455 frame decoding and encoding behind ws_codec.hpp. The frame layout
// (§5.2) the decoder walks, one check per byte as soon as that byte arrives:
//   byte 0: FIN | RSV1 RSV2 RSV3 | opcode(4)
//   byte 1: MASK | len7   (126: u16 follows, 127: u64 follows, big-endian)
//   [extended length] [4-byte mask key if MASK] payload
#include "ws_codec.hpp"

#include <algorithm>
#include <cstring>

#include "core/wire_read.hpp"

namespace clasp::ws {

namespace {

constexpr std::uint8_t kFin = 0x80;
constexpr std::uint8_t kRsvMask = 0x70;
constexpr std::uint8_t kOpcodeMask = 0x0F;
constexpr std::uint8_t kMaskBit = 0x80;
constexpr std::uint8_t kLen7Mask = 0x7F;
// Smallest reassembly buffer worth allocating; fragments are usually small.
constexpr std::size_t kMinReassembly = 4096;

constexpr bool isKnownOpcode(unsigned op) { return op <= 2 || (op >= 8 && op <= 10); }

std::uint64_t readBe(const std::uint8_t* p, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

std::string_view asChars(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// The reason fits a control frame and is cut at a character boundary: a cut
// in front of a continuation byte would split a code point.
std::string_view closeReasonToSend(std::string_view reason) {
  if (reason.size() > kMaxCloseReason) {
    std::size_t n = kMaxCloseReason;
    while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80) --n;
    reason = reason.substr(0, n);
  }
  return wire::isValidUtf8(reason) ? reason : std::string_view{};
}

// Close payload (code + reason) into `out`, which has room for 125 bytes;
// returns its length.
std::size_t encodeClosePayload(std::uint8_t* out, CloseCode code, std::string_view reason) {
  const auto c = static_cast<std::uint16_t>(code);
  if (!isValidWireCloseCode(c)) return 0;
  reason = closeReasonToSend(reason);
  out[0] = static_cast<std::uint8_t>(c >> 8);
  out[1] = static_cast<std::uint8_t>(c);
  if (!reason.empty()) std::memcpy(out + 2, reason.data(), reason.size());
  return 2 + reason.size();
}

}  // namespace

void applyMask(std::span<std::uint8_t> bytes, MaskKey key) {
  std::uint8_t* p = bytes.data();
  std::size_t n = bytes.size();
  // The key repeats every 4 bytes, so two copies make a 64-bit word whose
  // phase is unchanged after each 8-byte step; memcpy keeps it alignment-free
  // and compiles to plain loads and stores.
  std::uint32_t k32;
  std::memcpy(&k32, key.data(), 4);
  const std::uint64_t k64 = (static_cast<std::uint64_t>(k32) << 32) | k32;
  while (n >= 32) {
    std::uint64_t w[4];
    std::memcpy(w, p, 32);
    w[0] ^= k64;
    w[1] ^= k64;
    w[2] ^= k64;
    w[3] ^= k64;
    std::memcpy(p, w, 32);
    p += 32;
    n -= 32;
  }
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    w ^= k64;
    std::memcpy(p, &w, 8);
    p += 8;
    n -= 8;
  }
  for (std::size_t i = 0; i < n; ++i) p[i] ^= key[i & 3];
}

// ---------------------------------------------------------------------------
// FrameParser
// ---------------------------------------------------------------------------

std::unexpected<ProtocolError> FrameParser::fail(CloseCode code, const char* reason) {
  failed_ = true;
  error_ = ProtocolError{code, reason};
  pending_ = 0;
  return std::unexpected(error_);
}

void FrameParser::appendFragment(std::span<const std::uint8_t> bytes) {
  // decodeFrame checked bufSize_ + bytes.size() <= maxMessageSize_.
  const std::size_t need = bufSize_ + bytes.size();
  if (need > bufCap_) {
    std::size_t cap = std::max({need, bufCap_ * 2, std::min(kMinReassembly, maxMessageSize_)});
    cap = std::min(cap, maxMessageSize_);
    auto fresh = std::make_unique_for_overwrite<std::uint8_t[]>(cap);
    if (bufSize_ != 0) std::memcpy(fresh.get(), buf_.get(), bufSize_);
    buf_ = std::move(fresh);
    bufCap_ = cap;
  }
  if (!bytes.empty()) std::memcpy(buf_.get() + bufSize_, bytes.data(), bytes.size());
  bufSize_ = need;
}

std::expected<FrameParser::Step, ProtocolError> FrameParser::decodeFrame(std::span<std::uint8_t> in,
                                                                         Event& ev) {
  const std::size_t avail = in.size();
  const std::uint8_t b0 = in[0];
  if ((b0 & kRsvMask) != 0) return fail(CloseCode::ProtocolError, "reserved bits set");
  const unsigned op = b0 & kOpcodeMask;
  if (!isKnownOpcode(op)) return fail(CloseCode::ProtocolError, "unknown opcode");
  const bool fin = (b0 & kFin) != 0;
  const bool control = (op & 0x08) != 0;
  if (control) {
    if (!fin) return fail(CloseCode::ProtocolError, "fragmented control frame");
  } else if (op == 0) {
    if (!inMessage_) return fail(CloseCode::ProtocolError, "continuation without a message");
  } else if (inMessage_) {
    return fail(CloseCode::ProtocolError, "new message inside a fragmented message");
  }
  if (avail < 2) return Step{};

  const std::uint8_t b1 = in[1];
  const bool masked = (b1 & kMaskBit) != 0;
  if (role_ == Role::Server && !masked)
    return fail(CloseCode::ProtocolError, "unmasked client frame");
  if (role_ == Role::Client && masked) return fail(CloseCode::ProtocolError, "masked server frame");
  std::uint64_t len = b1 & kLen7Mask;
  // Non-minimal length encodings are accepted (a 16-bit 5, even on a Ping):
  // RFC 6455 puts the MUST on the sender, and rejecting them buys nothing.
  std::size_t pos = 2;
  if (len == 126) {
    if (avail < 4) return Step{};
    len = readBe(in.data() + 2, 2);
    pos = 4;
  } else if (len == 127) {
    if (avail < 10) return Step{};
    len = readBe(in.data() + 2, 8);
    if ((len >> 63) != 0) return fail(CloseCode::ProtocolError, "64-bit length with top bit set");
    pos = 10;
  }
  if (control && len > kMaxControlPayload)
    return fail(CloseCode::ProtocolError, "control frame over 125 bytes");
  // Checked before waiting for the payload; bufSize_ <= maxMessageSize_ and
  // len < 2^63, so the sum cannot wrap.
  if (!control && (inMessage_ ? bufSize_ : 0) + len > maxMessageSize_)
    return fail(CloseCode::MessageTooBig, "message too big");
  if (masked) pos += 4;
  // From here len <= max(maxMessageSize_, 125), so it fits std::size_t.
  const auto frameSize = pos + static_cast<std::size_t>(len);
  if (avail < frameSize) {
    pending_ = frameSize;
    return Step{};
  }

  std::span<std::uint8_t> payload = in.subspan(pos, static_cast<std::size_t>(len));
  if (masked) {
    MaskKey key;
    std::memcpy(key.data(), in.data() + pos - 4, 4);
    applyMask(payload, key);
  }

  switch (static_cast<Opcode>(op)) {
    case Opcode::Ping:
    case Opcode::Pong:
      ev.kind = op == 9 ? EventKind::Ping : EventKind::Pong;
      ev.payload = payload;
      return Step{frameSize, true};
    case Opcode::Close:
      ev.kind = EventKind::Close;
      ev.payload = payload;
      if (payload.size() == 1) return fail(CloseCode::ProtocolError, "close payload of one byte");
      if (payload.size() >= 2) {
        const auto code = static_cast<std::uint16_t>(readBe(payload.data(), 2));
        if (!isValidWireCloseCode(code))
          return fail(CloseCode::ProtocolError, "invalid close code");
        ev.closeCode = static_cast<CloseCode>(code);
        ev.closeReason = asChars(payload.subspan(2));
        if (!wire::isValidUtf8(ev.closeReason))
          return fail(CloseCode::InvalidPayload, "close reason is not UTF-8");
      }
      closed_ = true;
      return Step{frameSize, true};
    case Opcode::Text:
    case Opcode::Binary:
      if (fin) {
        if (op == 1 && !wire::isValidUtf8(asChars(payload)))
          return fail(CloseCode::InvalidPayload, "text message is not UTF-8");
        ev.kind = EventKind::Message;
        ev.binary = op == 2;
        ev.payload = payload;
        return Step{frameSize, true};
      }
      inMessage_ = true;
      messageBinary_ = op == 2;
      bufSize_ = 0;
      appendFragment(payload);
      return Step{frameSize, false};
    case Opcode::Continuation:
      appendFragment(payload);
      if (!fin) return Step{frameSize, false};
      inMessage_ = false;
      {
        std::span<const std::uint8_t> whole(buf_.get(), bufSize_);
        if (!messageBinary_ && !wire::isValidUtf8(asChars(whole)))
          return fail(CloseCode::InvalidPayload, "text message is not UTF-8");
        ev.kind = EventKind::Message;
        ev.binary = messageBinary_;
        ev.payload = whole;
      }
      return Step{frameSize, true};
  }
  return fail(CloseCode::ProtocolError, "unknown opcode");  // unreachable: opcode checked above
}

// ---------------------------------------------------------------------------
// Writers
// ---------------------------------------------------------------------------

void appendFrame(OutBuffer& out, Opcode op, std::span<const std::uint8_t> payload) {
  std::uint8_t* p = out.grow(headerSize(payload.size()) + payload.size());
  const std::size_t h = writeHeader(p, op, payload.size());
  if (!payload.empty()) std::memcpy(p + h, payload.data(), payload.size());
}

void appendClose(OutBuffer& out, CloseCode code, std::string_view reason) {
  std::uint8_t payload[kMaxControlPayload];
  const std::size_t n = encodeClosePayload(payload, code, reason);
  appendFrame(out, Opcode::Close, {payload, n});
}

std::size_t writeMaskedHeader(std::uint8_t* out, Opcode op, std::size_t payloadLen, MaskKey key) {
  const std::size_t h = writeHeader(out, op, payloadLen);
  out[1] |= kMaskBit;
  std::memcpy(out + h, key.data(), 4);
  return h + 4;
}

void appendMaskedFrame(OutBuffer& out, Opcode op, std::span<const std::uint8_t> payload,
                       MaskKey key) {
  std::uint8_t* p = out.grow(maskedHeaderSize(payload.size()) + payload.size());
  const std::size_t h = writeMaskedHeader(p, op, payload.size(), key);
  if (payload.empty()) return;
  std::memcpy(p + h, payload.data(), payload.size());
  applyMask({p + h, payload.size()}, key);
}

void appendMaskedClose(OutBuffer& out, CloseCode code, std::string_view reason, MaskKey key) {
  std::uint8_t payload[kMaxControlPayload];
  const std::size_t n = encodeClosePayload(payload, code, reason);
  appendMaskedFrame(out, Opcode::Close, {payload, n}, key);
}

}  // namespace clasp::ws
