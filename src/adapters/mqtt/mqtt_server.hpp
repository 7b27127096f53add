// MqttServer: the MQTT 3.1.1/5.0 front door (router.md §9 with its Fixes,
// D-18, D-28). Listens on TCP; each client becomes an adapter session of the
// shared router, so MQTT, CLASP and OSC clients share state and signals.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "adapters/mqtt/mqtt_config.hpp"
#include "core/result.hpp"
#include "transport/server.hpp"

namespace clasp::mqtt {

class MqttServer {
 public:
  MqttServer(transport::Server& server, MqttConfig config);
  ~MqttServer();
  MqttServer(const MqttServer&) = delete;
  MqttServer& operator=(const MqttServer&) = delete;

  // Binds host:port and starts accepting; returns the bound port.
  Result<std::uint16_t> listen(const std::string& host, std::uint16_t port);
  // Stops accepting connections (shutdown). Loop 0.
  void stopAccepting();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clasp::mqtt
