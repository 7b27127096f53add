// Server URLs and name resolution for the bench tool: ws://host[:port][/path]
// for CLASP over WebSocket, mqtt://host[:port] for an MQTT 3.1.1 broker (or a
// relay's MQTT front door). IPv6 literals go in brackets. wss:// and mqtts://
// are refused: the tool speaks plain TCP. Resolution is blocking
// (getaddrinfo) and happens once, before the loops start.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "bench/status.hpp"

namespace clasp::bench {

enum class Scheme : std::uint8_t { Ws, Mqtt };

struct Url {
  Scheme scheme = Scheme::Ws;
  std::string host;  // without brackets
  std::uint16_t port = 80;
  std::string path = "/";  // ws:// only
  std::string hostHeader;  // as the Host header wants it: "host:port"
};

Status<Url> parseUrl(std::string_view url);

// "ws" or "mqtt", for reports.
const char* schemeName(Scheme s);

// The address every connection dials, resolved once.
struct Endpoint {
  sockaddr_storage addr{};
  socklen_t addrLen = 0;
  Url url;
  std::string display;  // "127.0.0.1:7330", for messages
};

Status<Endpoint> resolve(const Url& url);

// How every mode starts: parse and resolve `url`, then run(endpoint) and
// return its exit code. A bad URL is a usage error (2), a name that does not
// resolve a failed setup (1); either is said on stderr.
int runAgainst(std::string_view url, const std::function<int(const Endpoint&)>& run);

}  // namespace clasp::bench
