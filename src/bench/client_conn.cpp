// The protocol switch: addresses, patterns and the connection class for a
// URL scheme (see client_conn.hpp).
#include "bench/client_conn.hpp"

#include "bench/mqtt_client_conn.hpp"
#include "bench/ws_client_conn.hpp"

namespace clasp::bench {

std::string addressOf(Scheme scheme, std::string_view path) {
  return scheme == Scheme::Mqtt ? std::string(path) : "/" + std::string(path);
}

std::string patternUnder(Scheme scheme, std::string_view path) {
  return scheme == Scheme::Mqtt ? std::string(path) + "/#" : "/" + std::string(path) + "/**";
}

std::unique_ptr<ClientConn> makeClientConn(EventLoop& loop, const Endpoint& endpoint, ClientConn::Listener& listener,
                                           std::string name, MessageKind kind) {
  if (endpoint.url.scheme == Scheme::Mqtt)
    return std::make_unique<MqttClientConn>(loop, endpoint, listener, std::move(name));
  return std::make_unique<WsClientConn>(loop, endpoint, listener, std::move(name), kind);
}

}  // namespace clasp::bench
