// OscEndpoint: the OSC-over-UDP front door (router.md §10 with its Fixes,
// D-18, D-29; choices in docs/decisions.md "OSC"). One UDP socket on loop 0;
// each OSC source address (ip:port) is an adapter session of the shared
// router, named "osc:<ip:port>", created by its first well-formed datagram
// and forgotten after OscConfig::sessionTimeoutSeconds without one.
//
// Inbound: a message is a SET on <ns><address> (a PUBLISH event with
// --osc-events); a bundle is one atomic CLASP BUNDLE per distinct time tag,
// scheduled when the tag is in the future. `/clasp/subscribe [pattern]
// [reply-port]` and `/clasp/unsubscribe [pattern] [reply-port]` manage the
// subscriptions of the session at <source ip>:<reply-port> (default: the
// source port); patterns are absolute CLASP patterns. Outbound, matching SETs
// and PUBLISHes with a value (and the state matching a new subscription) go
// to the session's address as OSC messages, the namespace stripped.
//
// Threads: everything runs on loop 0 (socket, sessions, sweep via
// Server::onTick); the router reaches sessions only through RouterSection
// records applied there. The endpoint must outlive Server::run().
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "adapters/osc/osc_config.hpp"
#include "core/result.hpp"
#include "transport/server.hpp"

namespace clasp::osc {

class OscEndpoint {
 public:
  OscEndpoint(transport::Server& server, OscConfig config);
  ~OscEndpoint();
  OscEndpoint(const OscEndpoint&) = delete;
  OscEndpoint& operator=(const OscEndpoint&) = delete;

  // Binds host:port (UDP) and starts receiving; returns the bound port (the
  // kernel's pick for 0). Fails for a bad --osc-allow entry or a bind error.
  Result<std::uint16_t> listen(const std::string& host, std::uint16_t port);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace clasp::osc
