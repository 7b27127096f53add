// RFC 6455 frame codec, with no I/O: FrameParser turns received bytes into
// messages and control frames, and the writers append frames to an OutBuffer.
// Beast only does the HTTP upgrade; after that the connection frames its own
// bytes so that many frames go out in one syscall. No extensions are
// negotiated, so RSV1-3 must be 0. One parser per connection, owned by the
// connection's loop thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/out_buffer.hpp"

namespace clasp::ws {

enum class Opcode : std::uint8_t {
  Continuation = 0,
  Text = 1,
  Binary = 2,
  Close = 8,
  Ping = 9,
  Pong = 10,
};

// Status codes of a Close frame (RFC 6455 §7.4). Any u16 can arrive on the
// wire; the named ones are those we send or test against.
enum class CloseCode : std::uint16_t {
  Normal = 1000,
  GoingAway = 1001,
  ProtocolError = 1002,
  UnsupportedData = 1003,
  NoStatus = 1005,  // never on the wire: "the close frame had no payload"
  Abnormal = 1006,  // never on the wire: "the TCP connection just ended"
  InvalidPayload = 1007,
  PolicyViolation = 1008,
  MessageTooBig = 1009,
  MandatoryExtension = 1010,
  InternalError = 1011,
  ServiceRestart = 1012,
  TryAgainLater = 1013,
  BadGateway = 1014,
};

// Which end of the connection we are. A server reads masked frames and writes
// unmasked ones; a client (our load tool, tests) the other way round.
enum class Role : std::uint8_t { Server, Client };

// A fatal violation by the peer: close the connection with `code`. `reason`
// is a static string short enough (< 123 bytes) to go in the Close frame.
struct ProtocolError {
  CloseCode code;
  const char* reason;
};

using ParseResult = std::expected<std::size_t, ProtocolError>;

inline constexpr std::size_t kMaxHeaderSize = 14;  // 2 + 8 length + 4 mask
inline constexpr std::size_t kMaxControlPayload = 125;
inline constexpr std::size_t kMaxCloseReason = kMaxControlPayload - 2;

using MaskKey = std::array<std::uint8_t, 4>;

// True for the codes a peer may put in a Close frame: 1000-1003, 1007-1014
// and the application ranges 3000-4999.
constexpr bool isValidWireCloseCode(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

// XORs `bytes` with the repeating key, in place (masking and unmasking are
// the same operation). Hot path: eight bytes per step.
void applyMask(std::span<std::uint8_t> bytes, MaskKey key);

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

enum class EventKind : std::uint8_t { Message, Ping, Pong, Close };

// One complete data message or one control frame. The spans point into the
// caller's buffer (unfragmented messages, control frames) or into the
// parser's reassembly buffer (fragmented messages): valid only during the
// callback.
struct Event {
  EventKind kind = EventKind::Message;
  bool binary = false;                        // Message: Binary (true) or Text
  std::span<const std::uint8_t> payload;      // Close: the whole payload, code included
  CloseCode closeCode = CloseCode::NoStatus;  // Close only; NoStatus if no payload
  std::string_view closeReason;               // Close only; valid UTF-8
};

// Incremental frame parser. The caller owns the input buffer: it calls
// parse() with everything received so far, drops the consumed prefix, keeps
// the tail (an incomplete frame), appends new bytes after it and calls again.
// Only whole frames are consumed, so a buffer must be able to hold one frame
// of maxFrameSize() bytes; pendingFrameSize() says how big the next one is.
//
// Violations are detected from the frame header as soon as its bytes arrive,
// before any payload is waited for: an oversized length fails with 1009 at
// once, so a hostile 2^62-byte header never waits for data or allocates.
//
// A Close frame ends parsing: the bytes after it in that call are left
// unconsumed, and later calls swallow their input without events. An error is
// sticky: every later call returns it again.
class FrameParser {
 public:
  // maxMessageSize bounds one data message after reassembly. Control frames
  // are bounded by the protocol (125 bytes) instead.
  explicit FrameParser(std::size_t maxMessageSize, Role role = Role::Server)
      : maxMessageSize_(maxMessageSize), role_(role) {}

  FrameParser(const FrameParser&) = delete;
  FrameParser& operator=(const FrameParser&) = delete;
  FrameParser(FrameParser&&) noexcept = default;
  FrameParser& operator=(FrameParser&&) noexcept = default;

  // Parses whole frames from the front of `data`, unmasking payloads in
  // place, and calls onEvent(const Event&) for each complete message and each
  // control frame. If onEvent returns bool, false stops parsing after that
  // frame (backpressure); the rest stays unconsumed. Returns the bytes
  // consumed, or the error after which the connection must be closed (events
  // before the error were delivered). onEvent must not call parse().
  template <class F>
  ParseResult parse(std::span<std::uint8_t> data, F&& onEvent);

  std::size_t maxMessageSize() const { return maxMessageSize_; }
  // The largest frame parse() may wait for: the caller's buffer must hold it.
  // A 125-byte Ping is legal even when messages are limited to less.
  std::size_t maxFrameSize() const {
    return (maxMessageSize_ > kMaxControlPayload ? maxMessageSize_ : kMaxControlPayload) +
           kMaxHeaderSize;
  }
  Role role() const { return role_; }
  bool closeReceived() const { return closed_; }
  bool failed() const { return failed_; }
  // True between the first and the final fragment of a data message.
  bool inFragmentedMessage() const { return inMessage_; }
  // Size of the incomplete frame left at the tail by the last parse() once
  // its header was readable, else 0: the caller's buffer must reach it.
  std::size_t pendingFrameSize() const { return pending_; }
  // Bytes allocated for reassembling fragments (never above maxMessageSize).
  std::size_t reassemblyCapacity() const { return bufCap_; }

 private:
  // Outcome of decoding the frame at the front of the input: size 0 means
  // incomplete; `event` is false for non-final fragments.
  struct Step {
    std::size_t size = 0;
    bool event = false;
  };

  std::expected<Step, ProtocolError> decodeFrame(std::span<std::uint8_t> in, Event& ev);
  std::unexpected<ProtocolError> fail(CloseCode code, const char* reason);
  void appendFragment(std::span<const std::uint8_t> bytes);

  std::size_t maxMessageSize_;
  Role role_;
  bool closed_ = false;
  bool failed_ = false;
  bool inMessage_ = false;
  bool messageBinary_ = false;
  ProtocolError error_{CloseCode::Normal, ""};
  std::size_t pending_ = 0;
  std::unique_ptr<std::uint8_t[]> buf_;  // reassembly, reused across messages
  std::size_t bufSize_ = 0;
  std::size_t bufCap_ = 0;
};

template <class F>
ParseResult FrameParser::parse(std::span<std::uint8_t> data, F&& onEvent) {
  if (failed_) return std::unexpected(error_);
  if (closed_) return data.size();
  pending_ = 0;
  std::size_t used = 0;
  while (used < data.size()) {
    Event ev;
    auto step = decodeFrame(data.subspan(used), ev);
    if (!step) return std::unexpected(step.error());
    if (step->size == 0) break;
    used += step->size;
    if (!step->event) continue;
    if constexpr (std::is_same_v<std::invoke_result_t<F&, const Event&>, bool>) {
      if (!onEvent(std::as_const(ev))) break;
    } else {
      onEvent(std::as_const(ev));
    }
    if (closed_) break;
  }
  return used;
}

// ---------------------------------------------------------------------------
// Writing. Frames are always final (FIN=1): we never fragment what we send.
// ---------------------------------------------------------------------------

// Header bytes of an unmasked (server) frame: 2, 4 or 10.
constexpr std::size_t headerSize(std::size_t payloadLen) {
  return payloadLen < 126 ? 2 : payloadLen <= 0xFFFF ? 4 : 10;
}

// Writes an unmasked final-frame header at `out` (room for 10 bytes) and
// returns its size, so a connection can gather header + shared payload.
inline std::size_t writeHeader(std::uint8_t* out, Opcode op, std::size_t payloadLen) {
  out[0] = static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(op));
  if (payloadLen < 126) {
    out[1] = static_cast<std::uint8_t>(payloadLen);
    return 2;
  }
  if (payloadLen <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<std::uint8_t>(payloadLen >> 8);
    out[3] = static_cast<std::uint8_t>(payloadLen);
    return 4;
  }
  out[1] = 127;
  const auto len = static_cast<std::uint64_t>(payloadLen);
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<std::uint8_t>(len >> (56 - 8 * i));
  return 10;
}

// Appends an unmasked frame (server -> client).
void appendFrame(OutBuffer& out, Opcode op, std::span<const std::uint8_t> payload);

// Appends an unmasked Close frame. The reason is cut at a UTF-8 boundary to
// keep the payload <= 125 bytes, and dropped if not valid UTF-8. Codes that
// must not appear on the wire (NoStatus, Abnormal, 1015) give an empty
// payload, which is how a received empty Close is echoed.
void appendClose(OutBuffer& out, CloseCode code, std::string_view reason = {});

// Client side: masked frames, header 6, 8 or 14 bytes. The caller supplies
// the key (RFC 6455 wants it unpredictable; core has no RNG).
constexpr std::size_t maskedHeaderSize(std::size_t payloadLen) {
  return headerSize(payloadLen) + 4;
}
std::size_t writeMaskedHeader(std::uint8_t* out, Opcode op, std::size_t payloadLen, MaskKey key);
void appendMaskedFrame(OutBuffer& out, Opcode op, std::span<const std::uint8_t> payload,
                       MaskKey key);
void appendMaskedClose(OutBuffer& out, CloseCode code, std::string_view reason, MaskKey key);

}  // namespace clasp::ws
