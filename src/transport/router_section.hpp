// RouterSection: the only way transports use the shared Router. It holds the
// router lock for its lifetime and collects what the router sends, per
// target loop, instead of touching other threads' connections. When it ends
// it hands each other loop its batch (still under the lock, which keeps
// deliveries to a connection in router order), takes what other loops handed
// to this one, releases the lock, and only then copies frames into this
// loop's connections and writes them. So the lock covers routing alone, no
// connection queue needs a lock, and a fan-out wakes each other loop once
// per batch instead of once per subscriber.
#pragma once

#include <mutex>
#include <span>
#include <string_view>

#include "router/router.hpp"
#include "transport/router_host.hpp"
#include "transport/sink.hpp"

namespace clasp::transport {

class RouterSection {
 public:
  explicit RouterSection(RouterHost& host);
  ~RouterSection();
  RouterSection(const RouterSection&) = delete;
  RouterSection& operator=(const RouterSection&) = delete;

  router::Router& router() { return host_.router; }

  // Outbox implementations call these (router lock held by this thread).
  static void deliver(Sink& sink, std::span<const std::uint8_t> frame, router::Delivery kind,
                      std::uint64_t shared);
  static void close(Sink& sink, router::CloseReason reason, std::string_view text);

 private:
  RouterHost& host_;
  std::unique_lock<std::mutex> lock_;
};

}  // namespace clasp::transport
