// Message codec entry points. decodeMessage sniffs the payload's first byte
// (§6.1): a MessagePack map marker selects the legacy v0 decoder, anything else
// is a v1 type code. Encoding is always v1. All functions are pure; failures
// come back as Errc::BadMessage (decode) or Errc::InvalidValue (encode of a
// message that cannot be represented, e.g. a string over 65 535 bytes).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "frame.hpp"
#include "messages.hpp"
#include "out_buffer.hpp"
#include "result.hpp"

namespace clasp {

// Decodes one payload (v1 or v0). Trailing bytes after the message are ignored.
Result<Message> decodeMessage(std::span<const std::uint8_t> payload);

// Decodes into caller-owned storage: the form a session's read loop uses, with
// one Message reused for every frame (no moves of the result, and the hot
// types SET and PUBLISH are filled in place). On failure `out` is unspecified.
Result<void> decodeMessageInto(std::span<const std::uint8_t> payload, Message& out);

// Decodes a v1 payload only (used inside BUNDLE, where v0 is not allowed).
Result<Message> decodeMessageV1(std::span<const std::uint8_t> payload);

// Decodes a legacy v0 MessagePack payload (codec_v0.cpp).
Result<Message> decodeMessageV0(std::span<const std::uint8_t> payload);

// Appends the v1 payload of m to out. On failure out is restored to its size
// before the call.
Result<void> encodePayload(const Message& m, OutBuffer& out);

// Appends a complete frame (header + v1 payload). QoS defaults to the
// reference's default for the message (§1.6).
Result<void> encodeFrame(const Message& m, OutBuffer& out, std::optional<QoS> qos = std::nullopt,
                         std::optional<std::uint64_t> timestamp = std::nullopt);

// Decodes the frame at the start of bytes and its message in one step.
struct DecodedFrame {
  FrameHeader header;
  Message message;
  std::size_t size = 0;
};
Result<DecodedFrame> decodeFrame(std::span<const std::uint8_t> bytes);
Result<void> decodeFrameInto(std::span<const std::uint8_t> bytes, DecodedFrame& out);

}  // namespace clasp
