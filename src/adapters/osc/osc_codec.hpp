// OSC codec: datagrams <-> CLASP values for the OSC front door (router.md
// R10.3/R10.4 with their Fixes, D-29; docs/decisions.md "OSC").
//
// Inbound, parsePacket decodes one UDP datagram (OSC 1.0/1.1 message or
// bundle, nested bundles flattened) into messages whose arguments are
// already CLASP values. It is our own bounds-checked decoder: liblo 0.31 has
// no public bundle decoder and rejects the `r` and `[`/`]` type tags that
// R10.3 maps, and it rejects messages without a type tag string. The fuzz
// target (fuzz/osc_parser.cpp) checks it against liblo's
// lo_message_deserialise on everything liblo accepts. Outbound messages are
// built with liblo (lo_message_add_* and lo_message_serialise).
//
// Pure functions: no sockets, no global state, callable from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/value_json.hpp"  // valueToJson: maps go out as JSON text (R10.4)
#include "core/result.hpp"
#include "core/value.hpp"

namespace clasp::osc {

// OSC time tag 0x00000000_00000001: "immediately".
inline constexpr std::uint64_t kImmediate = 1;
// Bundles nested deeper than this make the datagram malformed.
inline constexpr int kMaxBundleDepth = 8;
// Largest UDP payload we send or accept (IPv4's limit; the relay's datagrams
// are no larger than 65 535 bytes by R10.3).
inline constexpr std::size_t kMaxDatagram = 65535;

struct OscMessage {
  std::string address;         // the OSC address as sent (UTF-8, starts with '/')
  std::string typeTags;        // without the leading ','; empty for none
  std::vector<Value> args;     // one value per top-level argument (arrays nested)
  std::uint64_t timeTag = kImmediate;  // effective time tag (bundles only)
};

struct OscPacket {
  bool bundle = false;                // a bundle, even an empty one
  std::vector<OscMessage> messages;   // in datagram order, nested bundles flattened
};

// Decodes one datagram. Errors (Errc::BadMessage) say what and where (byte
// offset). A nested bundle's effective time tag is the later of its own and
// its parent's (OSC 1.0: an inner bundle may not run before the outer one).
Result<OscPacket> parsePacket(std::span<const std::uint8_t> datagram);

// Decodes one OSC message (the whole span, no trailing bytes).
Result<OscMessage> parseMessage(std::span<const std::uint8_t> bytes);

// R10.3: no argument -> null, one -> that value, several -> an array.
Value argsToValue(std::vector<Value> args);

// OSC /x/y -> <ns>/x/y. "/" maps to the namespace itself; namespace "/"
// adds nothing. The result is not validated (the router does, D-2).
std::string toClaspAddress(std::string_view ns, std::string_view oscAddress);

// R10.4 Fix: strips the namespace only at a segment boundary (<ns> -> "/",
// <ns>/x -> /x); an address outside the namespace is returned unchanged.
std::string_view toOscAddress(std::string_view ns, std::string_view claspAddress);

// NTP time tag -> Unix wall µs; nullopt for "immediately" (0 or 1) and for
// times before 1970 (both mean "at once").
std::optional<std::uint64_t> timeTagToMicros(std::uint64_t ntp);
// Unix wall µs -> NTP time tag (tests and tools).
std::uint64_t microsToTimeTag(std::uint64_t micros);

// R10.4: appends one serialised OSC message carrying `value` to `out`:
// null N, bool T/F, int i (i32 range) or h, float f, string s, bytes b,
// array flattened (recursively) into consecutive arguments, map -> JSON text s.
// Fails (Errc::InvalidValue) when the message would not fit a datagram.
Result<void> buildMessage(std::string_view address, const Value& value, std::vector<std::uint8_t>& out);

}  // namespace clasp::osc
