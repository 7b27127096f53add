// Encoded sizes of values and of the frames the router builds from a SET, so
// a SET whose fan-out or snapshot entry could not be encoded is refused up
// front (402) instead of being stored and then silently undeliverable.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/value.hpp"

namespace clasp::router {

// Bytes of the value's data, without its type byte.
std::size_t valueDataSize(const Value& v);

// Bytes one param takes inside a SNAPSHOT payload.
inline std::size_t snapshotEntrySize(std::string_view address, const Value& v, std::string_view writer) {
  return 2 + address.size() + 1 + valueDataSize(v) + 8 + 1 + 2 + writer.size() + 8;
}

}  // namespace clasp::router
