// OscConfig: the OSC front door's settings (relay.md §12, router.md R10.1
// with D-18, D-29), filled from the relay's flags.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace clasp::osc {

struct OscConfig {
  std::string ns = "/osc";                   // OSC /x/y <-> address <ns>/x/y
  bool events = false;                       // --osc-events: messages become events, not SETs
  std::vector<std::string> allow;            // --osc-allow networks (CIDR); D-18
  std::uint32_t sessionTimeoutSeconds = 30;  // idle OSC source addresses are forgotten; 0 = never
  std::uint32_t maxSessions = 1024;          // OSC source addresses tracked at once (docs/decisions.md)
};

}  // namespace clasp::osc
