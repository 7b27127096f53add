// MqttConfig: the MQTT front door's settings (relay.md §12, router.md R9.1
// with D-28), filled from the relay's flags.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace clasp::mqtt {

struct MqttConfig {
  std::string ns = "/mqtt";              // topic a/b <-> address <ns>/a/b
  std::size_t maxPacketSize = 65536;     // --max-message-size
  std::uint32_t sessionTimeoutSeconds = 300;  // --session-timeout; also caps session expiry
};

}  // namespace clasp::mqtt
