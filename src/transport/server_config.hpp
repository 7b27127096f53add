// ServerConfig: transport-level settings shared by both programs: where to
// listen, how many event-loop threads, and the per-connection bounds (message
// size, outbound queue limits of D-15, idle timeout of D-16).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace clasp::transport {

struct ServerConfig {
  std::string host = "0.0.0.0";
  std::uint16_t port = 7330;
  unsigned threads = 0;                          // 0 = one per core
  std::size_t maxMessageSize = 65536;            // one WebSocket message
  std::size_t queueSoftLimit = 1u << 20;         // D-15: drop Fire traffic above
  std::size_t queueHardLimit = 16u << 20;        // D-15: close the session above
  std::uint32_t sessionTimeoutSeconds = 300;     // D-16; 0 = never
  std::uint32_t handshakeTimeoutSeconds = 10;    // R1.3: HELLO must come by then
};

}  // namespace clasp::transport
