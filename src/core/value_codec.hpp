// Typed-value wire form (protocol.md §4): reading and writing one Value, with
// or without its leading type byte. Shared by the v1 message codec (SET keeps
// the type code in its flags byte; everything else writes it inline).
// Reads are bounded: nesting deeper than kMaxValueDepth containers and element
// counts that cannot fit in the remaining bytes fail before allocating.
#pragma once

#include <cstdint>

#include "out_buffer.hpp"
#include "value.hpp"
#include "wire_read.hpp"

namespace clasp::codec {

// Reads the data of a value whose type code was already consumed. `depth` is
// the number of containers enclosing this value. Failures are recorded in r.
Value readValueData(wire::Reader& r, std::uint8_t type, int depth = 0);

// Reads a type byte followed by the value's data.
Value readTypedValue(wire::Reader& r, int depth = 0);

// Reads a u16 element count and fails when `count * minItemBytes` exceeds the
// remaining input (so a hostile count cannot force a large allocation).
std::uint16_t readCount(wire::Reader& r, std::size_t minItemBytes, const char* field);

// Writes the value's data (no type byte). False when it cannot be represented:
// a string, byte string, array or map longer than 65 535.
bool writeValueData(OutBuffer& out, const Value& v);

// Writes the type byte and the data.
bool writeTypedValue(OutBuffer& out, const Value& v);

}  // namespace clasp::codec
