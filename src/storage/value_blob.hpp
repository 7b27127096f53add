// A value's exact stored form: the CLASP typed-value encoding (protocol.md
// §4), so Int stays Int, Float stays Float and bytes stay bytes across a
// restart. The JSON column beside it is for people and for other tools.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/value.hpp"

namespace clasp::storage {

// Empty when the value cannot be encoded (it would not have been stored).
std::vector<std::uint8_t> valueToBlob(const Value& v);
std::optional<Value> valueFromBlob(std::span<const std::uint8_t> blob);

}  // namespace clasp::storage
