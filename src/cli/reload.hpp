// Reload: what a SIGHUP changes in a running server (DECISIONS D-24). The
// configuration is parsed again from the same command line, environment and
// config file; a broken one is refused and the old one kept. What can change
// at runtime is applied: the log level, the limits new sessions get (session
// count, subscriptions, message size, queue limits, timeouts) and the tokens.
// What cannot (ports, addresses, threads, files, front doors) is reported as
// needing a restart and keeps its running value.
#pragma once

#include <string>
#include <vector>

#include "cli/run_server.hpp"
#include "transport/router_host.hpp"
#include "transport/server.hpp"

namespace clasp::cli {

// Applies `next` over `running` (which is updated to what now runs).
// Returns the settings that changed but need a restart.
std::vector<std::string> applyReload(RunOptions& running, const RunOptions& next, transport::RouterHost& host,
                                     transport::Server& server);

}  // namespace clasp::cli
