// Frame header parsing and writing, and the stream splitter (protocol.md §1).
// The splitter keeps one growing buffer and a read offset; consumed bytes are
// compacted away only when they dominate, so a long stream costs amortised
// O(1) per byte.
#include "frame.hpp"

#include <cstring>

#include "wire_write.hpp"

namespace clasp {

namespace {
std::size_t headerSizeFor(std::uint8_t flags) {
  return kFrameHeaderSize + ((flags & frameflag::kTimestamp) ? kFrameTimestampSize : 0);
}
}  // namespace

std::size_t frameSizeNeeded(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kFrameHeaderSize) return 0;
  std::size_t len = (static_cast<std::size_t>(bytes[2]) << 8) | bytes[3];
  return headerSizeFor(bytes[1]) + len;
}

Result<FrameView> parseFrame(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kFrameHeaderSize)
    return fail(Errc::BadFrame, "truncated frame: " + std::to_string(bytes.size()) +
                                    " bytes, a header needs 4");
  if (bytes[0] != kFrameMagic) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string m = "invalid magic 0x";
    m += hex[bytes[0] >> 4];
    m += hex[bytes[0] & 15];
    return fail(Errc::BadFrame, std::move(m));
  }
  FrameView f;
  f.header.flags = bytes[1];
  f.header.payloadLength = static_cast<std::uint16_t>((bytes[2] << 8) | bytes[3]);
  std::size_t hs = f.header.headerSize();
  if (bytes.size() < hs + f.header.payloadLength)
    return fail(Errc::BadFrame, "truncated frame: header announces " +
                                    std::to_string(f.header.payloadLength) + " payload bytes, " +
                                    std::to_string(bytes.size() < hs ? 0 : bytes.size() - hs) +
                                    " present");
  if (f.header.hasTimestamp()) {
    std::uint64_t ts = 0;
    for (std::size_t i = 0; i < 8; ++i) ts = (ts << 8) | bytes[4 + i];
    f.header.timestamp = ts;
  }
  f.payload = bytes.subspan(hs, f.header.payloadLength);
  f.size = hs + f.header.payloadLength;
  return f;
}

void writeFrameHeader(OutBuffer& out, std::uint8_t flags, std::uint16_t payloadLength,
                      std::optional<std::uint64_t> timestamp) {
  if (timestamp) flags |= frameflag::kTimestamp;
  std::uint8_t* p = out.grow(4);
  p[0] = kFrameMagic;
  p[1] = flags;
  p[2] = static_cast<std::uint8_t>(payloadLength >> 8);
  p[3] = static_cast<std::uint8_t>(payloadLength);
  if (timestamp) wire::putU64(out, *timestamp);
}

void FrameSplitter::feed(std::span<const std::uint8_t> bytes) {
  if (broken_ || bytes.empty()) return;
  if (start_ != 0 && start_ >= buf_.size() / 2) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(start_));
    start_ = 0;
  }
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

Result<std::optional<FrameView>> FrameSplitter::next() {
  std::span<const std::uint8_t> avail(buf_.data() + start_, buf_.size() - start_);
  if (broken_ || (!avail.empty() && avail[0] != kFrameMagic)) {
    broken_ = true;
    return fail(Errc::BadFrame, "invalid magic in stream");
  }
  std::size_t need = frameSizeNeeded(avail);
  if (need > maxFrame_) {
    broken_ = true;
    return fail(Errc::BadFrame, "frame larger than the limit");
  }
  if (need == 0 || avail.size() < need) return std::optional<FrameView>{};
  auto f = parseFrame(avail.first(need));
  if (!f) {
    broken_ = true;
    return std::unexpected(std::move(f.error()));
  }
  start_ += need;
  return std::optional<FrameView>{*f};
}

}  // namespace clasp
