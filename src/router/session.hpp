// RouterSession: the router's record of one client session, owned by the
// Router and reached by transports only as an opaque handle. Holds the
// session's scopes (D-17), subscriptions and per-fan-out bookkeeping. Lives
// from Router::open to Router::close; used only under the router's lock.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/codec.hpp"
#include "core/pattern.hpp"
#include "router/delivery_filter.hpp"
#include "router/outbox.hpp"
#include "router/scopes.hpp"

namespace clasp::router {

struct Subscription {
  std::uint32_t id = 0;
  Pattern pattern;
  std::uint8_t types = 0;  // typemask bits; 0 = every type
  std::optional<SubscribeOptions> options;
  std::unique_ptr<DeliveryFilter> filter;  // D-12, only when max_rate or epsilon is set
};

struct RouterSession {
  explicit RouterSession(Outbox& out) : outbox(&out) {}

  Outbox* outbox;
  std::string id;  // UUID text, assigned at HELLO
  bool established = false;
  bool closing = false;
  bool limited = true;  // counts toward maxSessions (OSC sources do not, R10.2)
  bool adapter = false;  // MQTT or OSC: speaks no CLASP, so gets no ERROR frames
  std::uint8_t features = 0;
  std::string name;
  Scopes scopes = Scopes::allowAll();
  std::string subject;  // who the token says this is (authenticated mode); never the token
  std::unordered_map<std::uint32_t, Subscription> subscriptions;
  std::uint64_t fanoutStamp = 0;  // last fan-out that reached this session (one copy each, D-7)
  std::uint32_t scheduledBundles = 0;
  // Durable ACKs (D-23): the ticket of the last journal entry written on this
  // session's behalf, and how many of its ACKs wait for a journal commit.
  std::uint64_t journalTicket = 0;
  std::uint32_t heldAcks = 0;
};

// What the subscription index stores: enough to filter without a lookup.
struct SubRef {
  RouterSession* session;
  std::uint32_t id;
  std::uint8_t types;
  bool filtered = false;  // the subscription has a DeliveryFilter
  bool operator==(const SubRef& o) const { return session == o.session && id == o.id; }
};

}  // namespace clasp::router
