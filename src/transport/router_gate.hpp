// RouterGate: a RouterSection opened on first use and held across a run of
// inbound packets, so a burst of small messages pays for the router lock
// once, not per message. Adapters whose handling may or may not need the
// router (MQTT keeps PINGREQ and PUBACK to itself) pass one gate down.
#pragma once

#include <optional>

#include "transport/router_section.hpp"

namespace clasp::transport {

class RouterGate {
 public:
  explicit RouterGate(RouterHost& host) : host_(host) {}
  router::Router& router() {
    if (!section_) section_.emplace(host_);
    return section_->router();
  }
  bool open() const { return section_.has_value(); }
  // Ends the section: deliveries routed so far are handed over and applied.
  void release() { section_.reset(); }

 private:
  RouterHost& host_;
  std::optional<RouterSection> section_;
};

}  // namespace clasp::transport
