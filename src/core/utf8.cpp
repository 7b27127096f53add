// UTF-8 validation for every decoded string (protocol.md §3: the reference
// rejects invalid UTF-8, and so do we). ASCII runs take a word-at-a-time fast
// path because addresses and keys are almost always ASCII.
#include <cstdint>
#include <cstring>
#include <string>

#include "wire_read.hpp"

namespace clasp::wire {

bool isValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    if (end - p >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        p += 8;
        continue;
      }
    }
    unsigned c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n;
    unsigned min;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      min = 0x80;
      c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      min = 0x800;
      c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      min = 0x10000;
      c &= 0x07;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      c = (c << 6) | (p[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
    p += n + 1;
  }
  return true;
}

std::string Reader::describeFailure() const {
  std::string out = field_ ? field_ : "?";
  out += ": ";
  out += reason_ ? reason_ : "error";
  out += " at offset ";
  out += std::to_string(failOffset_);
  return out;
}

}  // namespace clasp::wire
