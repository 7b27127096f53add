// The client half of the WebSocket opening handshake (RFC 6455 §4.1): the
// HTTP/1.1 GET with Upgrade and Sec-WebSocket-Protocol: clasp, and the check
// of the server's answer (status 101, Sec-WebSocket-Accept present, and if a
// subprotocol is named, it is clasp). The accept value is not verified
// cryptographically: the tool trusts the relay it was pointed at. Pure text
// functions, no I/O.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bench/status.hpp"

namespace clasp::bench {

// Sec-WebSocket-Key: base64 of 16 random bytes (24 characters).
std::string makeWebSocketKey(const std::array<std::uint8_t, 16>& nonce);

std::string buildUpgradeRequest(std::string_view hostHeader, std::string_view path, std::string_view key);

// Largest response head accepted before the upgrade is declared broken.
inline constexpr std::size_t kMaxResponseHead = 16 * 1024;

// Looks at the response bytes received so far: 0 while the head is incomplete,
// else the size of the head including its blank line (what follows are
// WebSocket frames), or why the upgrade failed.
Status<std::size_t> checkUpgradeResponse(std::string_view received);

}  // namespace clasp::bench
