// The relay's Multi-Protocol flags (relay-server.md, relay.md §12): MQTT and
// OSC front doors, each enabled by its port. Namespaces are checked at start
// (relay.md §12 [Rec]): a CLASP address prefix, '/' first, no trailing '/'.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "adapters/osc/osc_allow.hpp"
#include "cli/run_server.hpp"
#include "core/address.hpp"

namespace clasp::cli {

inline std::string checkNamespace(const std::string& ns) {
  if (ns.empty() || ns.front() != '/') return "must start with '/'";
  if (ns.size() > 1 && ns.back() == '/') return "must not end with '/'";
  if (ns.find_first_of("*#?[]{} ") != std::string::npos) return "must be a plain address prefix";
  if (ns != "/" && !validateAddress(ns)) return "is not a valid address";
  return {};
}

inline void addAdapterFlags(CLI::App& app, RunOptions& o) {
  app.add_option("--mqtt-port", o.mqttPort, "Enable the MQTT 3.1.1/5.0 listener on this TCP port")
      ->group("Multi-Protocol");
  app.add_option("--mqtt-namespace", o.mqtt.ns, "Address prefix for MQTT topics")
      ->capture_default_str()
      ->check(checkNamespace)
      ->group("Multi-Protocol");
  app.add_option("--osc-port", o.oscPort, "Enable the OSC listener on this UDP port")->group("Multi-Protocol");
  app.add_option("--osc-namespace", o.osc.ns, "Address prefix for OSC addresses")
      ->capture_default_str()
      ->check(checkNamespace)
      ->group("Multi-Protocol");
  app.add_flag("--osc-events", o.osc.events, "OSC messages become events instead of param SETs")
      ->group("Multi-Protocol");
  app.add_option("--osc-session-timeout", o.osc.sessionTimeoutSeconds,
                 "Seconds without a datagram after which an OSC source (and its subscriptions) is forgotten")
      ->capture_default_str()
      ->check(CLI::Range(1u, 86400u))
      ->group("Multi-Protocol");
  app.add_option("--osc-allow", o.osc.allow,
                 "Networks (CIDR) allowed to send OSC; default: any, or loopback only when auth is on")
      ->check([](const std::string& network) -> std::string {
        // Checked with the flags, so a typo is one usage line, not a failed start.
        auto list = osc::AllowList::build({network}, false);
        if (list) return {};
        std::string why = list.error().message;  // CLI11 names the flag itself
        if (why.starts_with("--osc-allow ")) why.erase(0, 12);
        return why;
      })
      ->group("Multi-Protocol");
}

}  // namespace clasp::cli
