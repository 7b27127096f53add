// Outbox: how the router hands frames to a session's transport. The router
// calls it with its lock held, from whichever thread is running the router;
// implementations copy the bytes (they are only valid during the call), queue
// them, and flush on their own thread. They never call back into the router.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace clasp::router {

// What kind of traffic a frame is, for the slow-consumer policy (D-15): Droppable
// frames (Fire-QoS streams and gestures) may be dropped above the soft limit;
// everything else queues until the hard limit closes the session.
enum class Delivery : std::uint8_t { Reliable, Droppable };

// Why the router asks a transport to close a session (mapped to WebSocket codes).
enum class CloseReason : std::uint8_t {
  ProtocolError,    // 1002: bad frame, no HELLO, unsupported version
  PolicyViolation,  // 1008: auth failure, slow consumer
  TryAgainLater,    // 1013: session limit
  Normal,           // 1000: idle timeout
  GoingAway,        // 1001: shutdown
};

class Outbox {
 public:
  virtual ~Outbox() = default;
  // One complete CLASP frame (header + payload). A non-zero `shared` names
  // these exact bytes: a fan-out passes the same bytes with the same id to
  // every target, so a transport may store them once (0 = not shared).
  virtual void send(std::span<const std::uint8_t> frame, Delivery kind, std::uint64_t shared = 0) = 0;
  // Flush what is queued, then close the transport.
  virtual void close(CloseReason reason, std::string_view text) = 0;
};

}  // namespace clasp::router
