// RouterHost: the one Router shared by every transport thread, with the lock
// that serialises access to it. Transports take the lock for a whole batch
// of inbound frames (one socket read), never while doing I/O.
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
