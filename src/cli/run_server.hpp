// The code both executables share once their flags are parsed: logging
// setup, the router host, the WebSocket listener, the startup line that
// scripts and tests wait for, and the run loop. Returns the exit code.
#pragma once

#include <string>

#include "router/router_config.hpp"
#include "transport/server_config.hpp"

namespace clasp::cli {

struct RunOptions {
  std::string program;  // for messages: "clasp-relay" or "clasp server"
  router::RouterConfig router;
  transport::ServerConfig server;
  bool websocket = true;
  std::string logLevel = "info";
};

int runServer(const RunOptions& options);

// Exit code for usage errors (bad flag, bad value, port in use).
inline constexpr int kUsageError = 2;

}  // namespace clasp::cli
