// OscEndpoint: the OSC-over-UDP front door (router.md §10 with its Fixes,
// D-18, D-29). One UDP socket; each source address is an adapter session of
// the shared router.
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

  // Binds host:port (UDP) and starts receiving; returns the bound port.
  Result<std::uint16_t> listen(const std::string& host, std::uint16_t port);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clasp::osc
