// A CLASP value as JSON text, for the front doors that carry structured
// values as text (MQTT payloads, R9.5; OSC map arguments, R10.4). Map keys
// keep their order; bytes become arrays of numbers; NaN and infinities,
// which JSON cannot spell, become null; invalid UTF-8 is replaced.
#pragma once

#include <string>

#include "core/value.hpp"

namespace clasp {

std::string valueToJson(const Value& v);

}  // namespace clasp
