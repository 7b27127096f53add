// The MQTT <-> CLASP mapping (router.md R9.4, R9.5 with D-28): topic a/b is
// address <ns>/a/b, a topic filter becomes a CLASP pattern (+ -> *, # -> **),
// the namespace is stripped only at a segment boundary, and payloads become
// values (JSON first, then a number, then text; non-UTF-8 is bytes) and back.
// Pure functions; the session (mqtt_session.hpp) applies them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/out_buffer.hpp"
#include "core/value.hpp"

namespace clasp::mqtt {

// <ns>/<topic>; nothing when the result is not a valid CLASP address (an
// empty level, a '*', too long), which the session reports as TopicNameInvalid.
std::optional<std::string> topicToAddress(std::string_view ns, std::string_view topic);

// <ns>/<filter> with + -> * and # -> **; nothing when the result is not a
// valid CLASP pattern. The session still matches every delivery against the
// MQTT filter itself, so '$' topics and literal '*' keep MQTT's rules.
std::optional<std::string> filterToPattern(std::string_view ns, std::string_view filter);

// The topic for an address inside the namespace ("<ns>/a/b" -> "a/b"), or
// nothing for an address outside it ("/mqttx/a" is outside "/mqtt").
std::optional<std::string_view> addressToTopic(std::string_view ns, std::string_view address);

// R9.5 inbound: JSON (integers beyond i64 become floats), else a float the
// text spells (NaN, inf), else true/false, else the text; non-UTF-8 -> bytes;
// empty -> "".
Value payloadToValue(std::string_view payload);

// R9.5 outbound, appended to `out`: null, true/false, decimal ints, floats in
// shortest round-trip digits without exponent (NaN, inf, -inf), strings and
// bytes raw, arrays/maps as JSON (bytes inside as number arrays).
void appendPayload(OutBuffer& out, const Value& value);

}  // namespace clasp::mqtt
