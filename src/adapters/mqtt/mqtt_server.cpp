// Placeholder until the MQTT session lands: refuses to listen.
#include "adapters/mqtt/mqtt_server.hpp"

namespace clasp::mqtt {

struct MqttServer::Impl {};

MqttServer::MqttServer(transport::Server&, MqttConfig) : impl_(std::make_unique<Impl>()) {}
MqttServer::~MqttServer() = default;

Result<std::uint16_t> MqttServer::listen(const std::string&, std::uint16_t) {
  return fail(Errc::InternalError, "MQTT is not available yet");
}

}  // namespace clasp::mqtt
