// Ops: the router's message handlers, one file per concern (hello.cpp,
// subscribe.cpp, state.cpp for SET/GET, publish.cpp, bundle.cpp, misc.cpp),
// as mosquitto has handle_<packet>.c. They run under the router's lock and
// may call the Router's private helpers (Ops is its friend).
#pragma once

#include "router/router.hpp"

namespace clasp::router {

struct Ops {
  static void hello(Router& r, RouterSession* s, const Hello& m);
  static void subscribe(Router& r, RouterSession* s, const Subscribe& m, QoS qos);
  static void unsubscribe(Router& r, RouterSession* s, const Unsubscribe& m, QoS qos);
  static void set(Router& r, RouterSession* s, const Set& m);
  static void get(Router& r, RouterSession* s, const Get& m);
  static void publish(Router& r, RouterSession* s, const Publish& m, QoS qos);
  static void bundle(Router& r, RouterSession* s, const Bundle& m);
  static void runScheduled(Router& r, Router::Scheduled& job);
  static std::optional<std::uint64_t> applyBundle(Router& r, RouterSession* sender,
                                                  std::string_view writer, const Bundle& b);
  static void announce(Router& r, RouterSession* s, const Announce& m);
  static void query(Router& r, RouterSession* s, const Query& m);
  static void sync(Router& r, RouterSession* s, const Sync& m);
  static void replay(Router& r, RouterSession* s, const Replay& m);
  static void federationSync(Router& r, RouterSession* s, const FederationSync& m);
};

inline bool wantsAck(QoS q) { return q != QoS::Fire; }

}  // namespace clasp::router
