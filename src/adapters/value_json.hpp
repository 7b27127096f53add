// A CLASP value as JSON text and back, for the front doors that carry structured
// values as text (MQTT payloads, R9.5; OSC map arguments, R10.4). Map keys
// keep their order; bytes become arrays of numbers; NaN and infinities,
// which JSON cannot spell, become null; invalid UTF-8 is replaced.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/value.hpp"

namespace clasp {

std::string valueToJson(const Value& v);

// JSON text -> value: integers that fit stay Int, other numbers are Float,
// object keys come back sorted. Nothing when the text is not one JSON
// document or nests deeper than a CLASP value may (kMaxValueDepth).
std::optional<Value> valueFromJson(std::string_view text);

}  // namespace clasp
