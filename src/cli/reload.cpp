// Reload: see reload.hpp.
#include "cli/reload.hpp"

#include <spdlog/spdlog.h>

#include "cli/logging.hpp"
#include "transport/router_section.hpp"

namespace clasp::cli {

std::vector<std::string> applyReload(RunOptions& running, const RunOptions& next, transport::RouterHost& host,
                                     transport::Server& server) {
  std::vector<std::string> restart;
  auto fixed = [&](bool changed, const char* what) {
    if (changed) restart.push_back(what);
  };
  fixed(next.server.host != running.server.host, "bind address");
  fixed(next.server.port != running.server.port, "WebSocket port");
  fixed(next.server.threads != running.server.threads, "threads");
  fixed(next.websocket != running.websocket, "WebSocket listener");
  fixed(next.mqttPort != running.mqttPort, "MQTT port");
  fixed(next.oscPort != running.oscPort, "OSC port");
  fixed(next.durable.persistPath != running.durable.persistPath || next.durable.journalPath != running.durable.journalPath ||
            next.durable.journalMemory != running.durable.journalMemory,
        "persistence files");
  fixed(next.router.name != running.router.name, "name");
  fixed(next.router.paramTtlSeconds != running.router.paramTtlSeconds ||
            next.router.signalTtlSeconds != running.router.signalTtlSeconds ||
            next.router.ttlEnabled != running.router.ttlEnabled,
        "TTL");

  fixed(next.log.file != running.log.file, "log file");
  fixed(next.metrics.enabled != running.metrics.enabled || next.metrics.port != running.metrics.port,
        "metrics listener");
  fixed(next.healthPort != running.healthPort, "health port");
  if (next.log.level != running.log.level) {
    if (auto ok = setLogLevel(next.log.level); ok) {
      spdlog::info("reload: log level {} -> {}", running.log.level, next.log.level);
      running.log.level = next.log.level;
    }
  }
  if (next.log.format != running.log.format) {
    if (auto ok = setLogFormat(next.log.format); ok) {
      spdlog::info("reload: log format {} -> {}", running.log.format, next.log.format);
      running.log.format = next.log.format;
    }
  }
  {
    transport::RouterSection section(host);
    section.router().reconfigure(next.router);
  }
  running.router.maxSessions = next.router.maxSessions;
  running.router.maxSubscriptions = next.router.maxSubscriptions;
  running.router.requireAuth = next.router.requireAuth;
  running.router.validator = next.router.validator;

  transport::ServerConfig limits = *server.config();
  limits.maxMessageSize = next.server.maxMessageSize;
  limits.queueSoftLimit = next.server.queueSoftLimit;
  limits.queueHardLimit = next.server.queueHardLimit;
  limits.sessionTimeoutSeconds = next.server.sessionTimeoutSeconds;
  server.setConfig(limits);
  running.server.maxMessageSize = limits.maxMessageSize;
  running.server.queueSoftLimit = limits.queueSoftLimit;
  running.server.queueHardLimit = limits.queueHardLimit;
  running.server.sessionTimeoutSeconds = limits.sessionTimeoutSeconds;
  running.drainTimeoutSeconds = next.drainTimeoutSeconds;

  spdlog::info("reload: applied (max sessions {}, max subscriptions {}, max message size {}, auth {})",
               next.router.maxSessions, next.router.maxSubscriptions, next.server.maxMessageSize,
               next.router.requireAuth ? "on" : "off");
  for (const std::string& what : restart) spdlog::warn("reload: {} changed; it takes effect at the next start", what);
  return restart;
}

}  // namespace clasp::cli
