// WebSocket upgrade request and response check (see ws_handshake.hpp).
#include "bench/ws_handshake.hpp"

#include <algorithm>
#include <cctype>

namespace clasp::bench {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string makeWebSocketKey(const std::array<std::uint8_t, 16>& nonce) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve(24);
  std::size_t i = 0;
  for (; i + 3 <= nonce.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{nonce[i]} << 16) | (std::uint32_t{nonce[i + 1]} << 8) | nonce[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  // 16 = 5 * 3 + 1: one byte left, two characters and two pads.
  const std::uint32_t v = std::uint32_t{nonce[i]} << 16;
  out += kAlphabet[(v >> 18) & 63];
  out += kAlphabet[(v >> 12) & 63];
  out += "==";
  return out;
}

std::string buildUpgradeRequest(std::string_view hostHeader, std::string_view path, std::string_view key) {
  std::string r;
  r.reserve(256);
  r.append("GET ").append(path).append(" HTTP/1.1\r\n");
  r.append("Host: ").append(hostHeader).append("\r\n");
  r.append("Upgrade: websocket\r\nConnection: Upgrade\r\n");
  r.append("Sec-WebSocket-Key: ").append(key).append("\r\n");
  r.append("Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: clasp\r\n");
  r.append("User-Agent: clasp-bench\r\n\r\n");
  return r;
}

Status<std::size_t> checkUpgradeResponse(std::string_view received) {
  const std::size_t end = received.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (received.size() > kMaxResponseHead) return failure("upgrade response head too large");
    return std::size_t{0};
  }
  std::string_view head = received.substr(0, end + 2);  // every line ends in \r\n
  std::size_t eol = head.find("\r\n");
  std::string_view status = head.substr(0, eol);
  // "HTTP/1.1 101 Switching Protocols": the code is the second token.
  if (!status.starts_with("HTTP/1.") || status.size() < 12 || status.substr(8, 4) != " 101" ||
      (status.size() > 12 && status[12] != ' '))
    return failure("upgrade refused: " + std::string(status));
  bool accept = false, upgrade = false;
  head.remove_prefix(eol + 2);
  while (!head.empty()) {
    eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "Sec-WebSocket-Accept")) accept = !value.empty();
    if (iequals(name, "Upgrade")) upgrade = iequals(value, "websocket");
    if (iequals(name, "Sec-WebSocket-Protocol") && !iequals(value, "clasp"))
      return failure("server chose subprotocol '" + std::string(value) + "', not clasp");
  }
  if (!upgrade) return failure("upgrade response lacks 'Upgrade: websocket'");
  if (!accept) return failure("upgrade response lacks Sec-WebSocket-Accept");
  return end + 4;
}

}  // namespace clasp::bench
