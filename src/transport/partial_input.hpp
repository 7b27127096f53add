// PartialInput: the bytes of an incomplete message a stream connection keeps
// between reads (reads go into the loop's shared buffer; only what could not
// be handled yet is copied out). An idle connection gives the memory back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace clasp::transport {

struct PartialInput {
  std::vector<std::uint8_t> bytes;
  std::size_t len = 0;  // bytes[0, len) are pending

  // Keeps `rest` (which may point into `bytes` or the loop's buffer).
  void keep(std::span<const std::uint8_t> rest) {
    len = rest.size();
    if (rest.empty()) {
      if (bytes.capacity() > 4096) std::vector<std::uint8_t>().swap(bytes);
      return;
    }
    if (bytes.size() < rest.size()) bytes.resize(rest.size());
    std::memmove(bytes.data(), rest.data(), rest.size());
  }
};

}  // namespace clasp::transport
