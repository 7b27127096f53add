// WebSocket URL parsing and name resolution for the bench tool: ws://host[:port][/path]
// (IPv6 literals in brackets). wss:// is refused: the tool speaks plain TCP.
// Resolution is blocking (getaddrinfo) and happens once, before the loops start.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "bench/status.hpp"

namespace clasp::bench {

struct WsUrl {
  std::string host;  // without brackets
  std::uint16_t port = 80;
  std::string path = "/";
  std::string hostHeader;  // as the Host header wants it: "host:port"
};

Status<WsUrl> parseWsUrl(std::string_view url);

// The address every connection dials, resolved once.
struct Endpoint {
  sockaddr_storage addr{};
  socklen_t addrLen = 0;
  WsUrl url;
  std::string display;  // "127.0.0.1:7330", for messages
};

Status<Endpoint> resolve(const WsUrl& url);

}  // namespace clasp::bench
