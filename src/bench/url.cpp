// ws:// and mqtt:// URL parsing and getaddrinfo resolution (see url.hpp).
#include "bench/url.hpp"

#include <arpa/inet.h>
#include <netdb.h>

#include <charconv>
#include <cstdio>
#include <cstring>

namespace clasp::bench {

const char* schemeName(Scheme s) { return s == Scheme::Mqtt ? "mqtt" : "ws"; }

Status<Url> parseUrl(std::string_view url) {
  if (url.starts_with("wss://")) return failure("wss:// is not supported; use ws://");
  if (url.starts_with("mqtts://")) return failure("mqtts:// is not supported; use mqtt://");
  Url out;
  std::string_view rest;
  if (url.starts_with("ws://")) {
    rest = url.substr(5);
  } else if (url.starts_with("mqtt://")) {
    out.scheme = Scheme::Mqtt;
    out.port = 1883;
    rest = url.substr(7);
  } else {
    return failure("URL must start with ws:// or mqtt://: " + std::string(url));
  }
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    if (out.scheme == Scheme::Mqtt && slash + 1 != rest.size())
      return failure("mqtt:// URLs take no path: " + std::string(url));
    if (out.scheme == Scheme::Ws) out.path = std::string(rest.substr(slash));
  }
  std::string_view portText;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return failure("unterminated [ in URL host");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return failure("junk after ] in URL host");
      portText = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) portText = authority.substr(colon + 1);
  }
  if (out.host.empty()) return failure("URL has no host: " + std::string(url));
  if (!portText.empty()) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (ec != std::errc{} || end != portText.data() + portText.size() || port == 0 || port > 65535)
      return failure("bad port in URL: " + std::string(portText));
    out.port = static_cast<std::uint16_t>(port);
  }
  const bool v6 = out.host.find(':') != std::string::npos;
  out.hostHeader = (v6 ? "[" + out.host + "]" : out.host) + ":" + std::to_string(out.port);
  return out;
}

Status<Endpoint> resolve(const Url& url) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(url.port);
  if (int rc = getaddrinfo(url.host.c_str(), port.c_str(), &hints, &res); rc != 0)
    return failure("cannot resolve " + url.host + ": " + gai_strerror(rc));
  Endpoint ep;
  std::memcpy(&ep.addr, res->ai_addr, res->ai_addrlen);
  ep.addrLen = static_cast<socklen_t>(res->ai_addrlen);
  freeaddrinfo(res);
  ep.url = url;
  ep.display = url.hostHeader;
  return ep;
}

int runAgainst(std::string_view url, const std::function<int(const Endpoint&)>& run) {
  auto parsed = parseUrl(url);
  if (!parsed) {
    std::fprintf(stderr, "clasp-bench: %s\n", parsed.error().c_str());
    return 2;
  }
  auto endpoint = resolve(*parsed);
  if (!endpoint) {
    std::fprintf(stderr, "clasp-bench: %s\n", endpoint.error().c_str());
    return 1;
  }
  return run(*endpoint);
}

}  // namespace clasp::bench
