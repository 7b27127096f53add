// Address and pattern syntax checks (DECISIONS D-2 for addresses, D-1 for
// patterns) and the one segment splitter every matcher shares. Addresses are
// what SET/PUBLISH/GET name; patterns are what SUBSCRIBE and scopes name.
// Pure functions over string_views: no allocation except to build an error
// message, no state, callable from any thread.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/result.hpp"

namespace clasp {

// Limits of D-1/D-2. 1024 bytes also keeps every segment offset in 16 bits.
inline constexpr std::size_t kMaxAddressBytes = 1024;
inline constexpr std::size_t kMaxAddressSegments = 64;

// D-2: starts with '/', no empty segment (so no "//" and no trailing '/'),
// no '*', at most kMaxAddressBytes bytes and kMaxAddressSegments segments.
// "/" alone is the root address, with zero segments. The input is assumed to
// be valid UTF-8 (the wire decoder checks it). Failure: Errc::InvalidAddress.
Result<void> validateAddress(std::string_view address);

// D-1: the same structural rules as an address, but '*' is allowed anywhere.
// `? [ ] { } ! \` are ordinary characters, so they never make a pattern
// invalid. Failure: Errc::PatternError.
Result<void> validatePattern(std::string_view pattern);

// True when the text contains a '*', i.e. names a set of addresses.
bool isPattern(std::string_view text);

// Splits "/a/b" into {"a", "b"} in out[0..cap). "/" gives 0 segments; empty
// segments of invalid input are kept ("/a/" gives {"a", ""}) so callers see
// exactly what was sent. Returns the count, or -1 when the text does not start
// with '/' or has more than cap segments. The views point into `text`.
int splitSegments(std::string_view text, std::string_view* out, int cap);

}  // namespace clasp
