// Feeds a byte stream to a streaming parser in pseudo-random chunk sizes
// (1..97 bytes, from `step`), keeping the unconsumed tail in front of the
// next chunk the way a connection's read loop does. Shared by the fuzz
// targets that check a chunked run against a whole-buffer run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace clasp::fuzz {

// `parse(buffer)` returns how many bytes of the buffer it consumed; `stop()`
// ends the run early (the parser failed).
template <class Parse, class Stop>
void feedChunked(const std::vector<std::uint8_t>& stream, std::uint32_t step, Parse parse, Stop stop) {
  std::vector<std::uint8_t> buf;
  std::size_t pos = 0;
  while (pos < stream.size() && !stop()) {
    std::size_t n = 1 + step % 97;
    step = step * 31 + 7;
    if (n > stream.size() - pos) n = stream.size() - pos;
    buf.insert(buf.end(), stream.begin() + static_cast<std::ptrdiff_t>(pos),
               stream.begin() + static_cast<std::ptrdiff_t>(pos + n));
    pos += n;
    const std::size_t used = parse(buf);
    if (stop()) break;
    buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(used));
  }
}

}  // namespace clasp::fuzz
