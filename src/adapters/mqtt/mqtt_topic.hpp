// MQTT topic names and filters (MQTT 5.0 §4.7): validation of what a client
// may publish to or subscribe to, and the matcher between them. Levels are
// split on '/'; '+' matches one level, '#' the rest (including the parent),
// and neither matches a first level that starts with '$'. Shared subscription
// prefixes ($share/<group>/) are validated here but stripped by the caller
// before matching. Pure functions.
#pragma once

#include <string_view>

namespace clasp::mqtt {

// Valid UTF-8 without U+0000 (MQTT §1.5.4); length checks are the caller's.
bool isValidMqttString(std::string_view s);

// A PUBLISH topic: non-empty, valid string, no '+' or '#'.
bool isValidTopicName(std::string_view topic);

// A SUBSCRIBE filter: non-empty, '+' alone in its level, '#' alone in the last
// level; "$share/<group>/<filter>" needs a non-empty group without wildcards.
bool isValidTopicFilter(std::string_view filter);

// "$share/<group>/<filter>" split into group and filter; a plain filter
// comes back with an empty group.
struct SharedFilter {
  std::string_view group;   // empty when not shared
  std::string_view filter;  // the filter to match with
};
SharedFilter splitSharedFilter(std::string_view filter);

// True when the topic name matches the (valid, unshared) filter.
bool topicMatches(std::string_view filter, std::string_view topic);

}  // namespace clasp::mqtt
