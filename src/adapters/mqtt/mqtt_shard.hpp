// Shard: what the MQTT front door keeps per event loop. A client id always
// hashes to the same shard, so its session, a second connection with the
// same id (takeover) and a later resumption all meet on one thread, and the
// session table needs no lock. Connections are listed for the sweep
// (keep-alive, CONNECT deadline), which runs once a second per shard instead
// of one timer per connection.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapters/mqtt/mqtt_config.hpp"
#include "transport/loop.hpp"
#include "transport/router_host.hpp"
#include "transport/server_config.hpp"

namespace clasp::mqtt {

class MqttConnection;
class MqttSession;

struct Shard {
  Shard(transport::Loop& l, transport::RouterHost& h, const MqttConfig& c, const transport::ServerConfig& s,
        const std::vector<std::unique_ptr<Shard>>& a)
      : loop(l), host(h), config(c), server(s), all(a), sweep(l.context()) {}

  transport::Loop& loop;
  transport::RouterHost& host;
  const MqttConfig& config;
  const transport::ServerConfig server;  // as the MQTT listener started
  const std::vector<std::unique_ptr<Shard>>& all;  // every shard, by loop index
  boost::asio::steady_timer sweep;
  std::unordered_map<std::string, std::shared_ptr<MqttSession>> sessions;  // by client id
  std::unordered_map<MqttConnection*, std::weak_ptr<MqttConnection>> connections;

  // The shard that owns a client id.
  Shard& owner(std::string_view clientId) const;
};

}  // namespace clasp::mqtt
