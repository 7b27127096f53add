// Value blobs through the wire codec's typed-value reader and writer.
#include "storage/value_blob.hpp"

#include "core/out_buffer.hpp"
#include "core/value_codec.hpp"
#include "core/wire_read.hpp"

namespace clasp::storage {

std::vector<std::uint8_t> valueToBlob(const Value& v) {
  OutBuffer out(64);
  if (!codec::writeTypedValue(out, v)) return {};
  auto s = out.span();
  return {s.begin(), s.end()};
}

std::optional<Value> valueFromBlob(std::span<const std::uint8_t> blob) {
  wire::Reader r(blob);
  Value v = codec::readTypedValue(r);
  if (!r.ok() || r.remaining() != 0) return std::nullopt;
  return v;
}

}  // namespace clasp::storage
