// CLASP frames (protocol.md §1): magic 0x53, flags, u16 payload length,
// optional u64 timestamp, payload. parseFrame reads one frame from a transport
// message (trailing bytes ignored, §2.1); FrameSplitter cuts frames out of a
// byte stream delivered in arbitrary pieces (§1.5). No I/O, no threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "messages.hpp"
#include "out_buffer.hpp"
#include "result.hpp"

namespace clasp {

inline constexpr std::uint8_t kFrameMagic = 0x53;
inline constexpr std::size_t kFrameHeaderSize = 4;
inline constexpr std::size_t kFrameTimestampSize = 8;
inline constexpr std::size_t kMaxPayload = 65535;
inline constexpr std::size_t kMaxFrame = kFrameHeaderSize + kFrameTimestampSize + kMaxPayload;

namespace frameflag {
inline constexpr std::uint8_t kQosMask = 0xC0;
inline constexpr std::uint8_t kTimestamp = 0x20;
inline constexpr std::uint8_t kEncrypted = 0x10;
inline constexpr std::uint8_t kCompressed = 0x08;
inline constexpr std::uint8_t kVersionMask = 0x07;
inline constexpr std::uint8_t kVersionBinary = 0x01;
}  // namespace frameflag

struct FrameHeader {
  std::uint8_t flags = frameflag::kVersionBinary;
  std::uint16_t payloadLength = 0;
  std::optional<std::uint64_t> timestamp;

  // QoS 3 is reserved and read as Fire (§1.4).
  QoS qos() const {
    unsigned q = (flags & frameflag::kQosMask) >> 6;
    return q == 3 ? QoS::Fire : static_cast<QoS>(q);
  }
  bool hasTimestamp() const { return (flags & frameflag::kTimestamp) != 0; }
  bool encrypted() const { return (flags & frameflag::kEncrypted) != 0; }
  bool compressed() const { return (flags & frameflag::kCompressed) != 0; }
  std::uint8_t version() const { return flags & frameflag::kVersionMask; }
  std::size_t headerSize() const {
    return kFrameHeaderSize + (hasTimestamp() ? kFrameTimestampSize : 0);
  }
  std::size_t frameSize() const { return headerSize() + payloadLength; }
};

struct FrameView {
  FrameHeader header;
  std::span<const std::uint8_t> payload;
  std::size_t size = 0;  // bytes of input the frame occupies
};

// Flags byte for an outgoing frame: QoS, optional timestamp, version 1.
inline std::uint8_t frameFlags(QoS qos, bool timestamp = false) {
  return static_cast<std::uint8_t>((static_cast<unsigned>(qos) << 6) |
                                   (timestamp ? frameflag::kTimestamp : 0) |
                                   frameflag::kVersionBinary);
}

// Bytes needed for the frame that starts at bytes[0]: 0 when fewer than the
// header is present yet (length unknown). Assumes the magic was checked.
std::size_t frameSizeNeeded(std::span<const std::uint8_t> bytes);

// Parses the frame at the start of `bytes` (one transport message).
// Errors (Errc::BadFrame): fewer than 4 bytes, bad magic, payload or
// timestamp shorter than announced.
Result<FrameView> parseFrame(std::span<const std::uint8_t> bytes);

// Appends a frame header for a payload of `payloadLength` bytes.
void writeFrameHeader(OutBuffer& out, std::uint8_t flags, std::uint16_t payloadLength,
                      std::optional<std::uint64_t> timestamp = std::nullopt);

// Incremental frame splitter for stream transports (QUIC streams, serial).
// feed() appends bytes; next() yields complete frames in order. After a bad
// magic the stream is unusable (no resync is defined, §1.4) and next() keeps
// returning the error. The view returned by next() is valid until the next
// call to feed() or next().
class FrameSplitter {
 public:
  explicit FrameSplitter(std::size_t maxFrame = kMaxFrame) : maxFrame_(maxFrame) {}

  void feed(std::span<const std::uint8_t> bytes);
  // A frame, std::nullopt when more bytes are needed, or a BadFrame error.
  Result<std::optional<FrameView>> next();
  std::size_t buffered() const { return buf_.size() - start_; }

 private:
  std::vector<std::uint8_t> buf_;
  std::size_t start_ = 0;
  std::size_t maxFrame_;
  bool broken_ = false;
};

}  // namespace clasp
