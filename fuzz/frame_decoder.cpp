// libFuzzer target: frame parsing and the stream splitter (protocol.md §1).
// The input is parsed as one transport message, and also fed as a stream in
// chunks whose sizes come from the input itself; the frames the splitter
// yields must match a sequential parseFrame over the same bytes.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  if (auto f = clasp::parseFrame(in)) {
    if (f->size > size || f->payload.size() != f->header.payloadLength) __builtin_trap();
    (void)clasp::decodeMessage(f->payload);
  }

  // Expected frames: parse sequentially until the first error or incomplete tail.
  std::vector<std::vector<std::uint8_t>> expected;
  std::size_t off = 0;
  bool brokenMagic = false;
  while (off < size) {
    auto f = clasp::parseFrame(in.subspan(off));
    if (!f) {
      brokenMagic = in[off] != clasp::kFrameMagic;
      break;
    }
    expected.emplace_back(in.begin() + off, in.begin() + off + f->size);
    off += f->size;
  }

  clasp::FrameSplitter sp;
  std::vector<std::vector<std::uint8_t>> got;
  bool failed = false;
  std::size_t pos = 0;
  unsigned step = size ? data[0] : 1;
  while (pos < size && !failed) {
    std::size_t n = 1 + (step % 61);
    step = step * 31 + 7;
    if (n > size - pos) n = size - pos;
    sp.feed(in.subspan(pos, n));
    pos += n;
    for (;;) {
      auto r = sp.next();
      if (!r) {
        failed = true;
        break;
      }
      if (!*r) break;
      const clasp::FrameView& f = **r;
      const std::uint8_t* start = f.payload.data() - f.header.headerSize();
      got.emplace_back(start, start + f.size);
    }
  }
  if (got != expected) __builtin_trap();
  if (failed != brokenMagic) __builtin_trap();
  return 0;
}
