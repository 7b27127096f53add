// Big-endian primitive writers (protocol.md §0, §3) over an OutBuffer.
// Length checks for str/bytes/counts are the encoder's job (codec_v1_encode.cpp);
// these functions only lay bytes down.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "out_buffer.hpp"

namespace clasp::wire {

inline void putU8(OutBuffer& b, std::uint8_t v) { *b.grow(1) = v; }

inline void putU16(OutBuffer& b, std::uint16_t v) {
  std::uint8_t* p = b.grow(2);
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

inline void putU32(OutBuffer& b, std::uint32_t v) {
  v = std::byteswap(v);
  std::memcpy(b.grow(4), &v, 4);
}

inline void putU64(OutBuffer& b, std::uint64_t v) {
  v = std::byteswap(v);
  std::memcpy(b.grow(8), &v, 8);
}

inline void putF64(OutBuffer& b, double d) { putU64(b, std::bit_cast<std::uint64_t>(d)); }

// u16 length + bytes. Caller guarantees s.size() <= 65535.
inline void putStr(OutBuffer& b, std::string_view s) {
  putU16(b, static_cast<std::uint16_t>(s.size()));
  b.append(s.data(), s.size());
}

inline void patchU16(OutBuffer& b, std::size_t offset, std::uint16_t v) {
  b.data()[offset] = static_cast<std::uint8_t>(v >> 8);
  b.data()[offset + 1] = static_cast<std::uint8_t>(v);
}

}  // namespace clasp::wire
