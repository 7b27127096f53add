// RouterConfig: the router's settings, filled by the command line of either
// program (clasp-relay or clasp server). Defaults follow the users' documents
// (D-26); 0 means unlimited/disabled where noted.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "router/auth.hpp"

namespace clasp::router {

struct RouterConfig {
  std::string name = "CLASP Relay";
  std::uint32_t maxSessions = 1000;          // 0 = unlimited
  std::uint32_t maxSubscriptions = 1000;     // per session; 0 = unlimited
  std::uint32_t paramTtlSeconds = 3600;      // default TTL of params without their own; 0 = none
  std::uint32_t signalTtlSeconds = 3600;     // announced signals; 0 = none
  bool ttlEnabled = true;                    // --no-ttl turns all expiry off
  std::uint32_t gestureIntervalMicros = 16'000;  // D-13 move flush interval; 0 = no coalescing
  std::uint64_t maxScheduleAheadMicros = 3'600'000'000ull;  // D-9: 1 h
  std::uint32_t maxScheduledPerSession = 1000;              // D-9
  // Authenticated mode (R1.4, R7): every session needs a token the validator
  // accepts; open mode (false) ignores tokens.
  bool requireAuth = false;
  std::shared_ptr<const TokenValidator> validator;
};

}  // namespace clasp::router
