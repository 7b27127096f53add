// Sink: a connection as the delivery path sees it. The router's Outbox calls
// are turned into records (router_section.hpp) that reach the connection's
// own loop thread; there they are applied through this interface, so a
// connection's output queue is touched by one thread only and needs no lock.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "router/outbox.hpp"

namespace clasp::transport {

class Loop;

class Sink {
 public:
  virtual ~Sink() = default;
  // The loop that owns this connection; records for it are applied there.
  virtual Loop& loop() = 0;
  // Loop thread: queue one CLASP frame (the bytes are valid during the call).
  virtual void deliver(std::span<const std::uint8_t> frame, router::Delivery kind) = 0;
  // Loop thread: the router asked to close the session after what is queued.
  virtual void deliverClose(router::CloseReason reason, std::string_view text) = 0;
  // Loop thread: write out what deliver() queued (once per batch of records).
  virtual void flushQueued() = 0;

  // Set while the sink waits in its loop's flush list (loop thread only).
  bool flushListed = false;
};

}  // namespace clasp::transport
