// RouterHost: the one Router shared by every transport thread, with the lock
// that serialises access to it. Transports use it only through a
// RouterSection (router_section.hpp), which also carries what the router sends.
#pragma once

#include <mutex>

#include "router/router.hpp"

namespace clasp::transport {

struct RouterHost {
  RouterHost(router::RouterConfig config, const router::Clock& clock) : router(std::move(config), clock) {}
  std::mutex mutex;
  router::Router router;
};

}  // namespace clasp::transport
