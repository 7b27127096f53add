// Startup and the run loop shared by clasp-relay and clasp server.
#include "cli/run_server.hpp"

#include <atomic>
#include <cstdio>
#include <spdlog/spdlog.h>

#include "adapters/mqtt/mqtt_server.hpp"
#include "adapters/osc/osc_endpoint.hpp"
#include "cli/durable_state.hpp"
#include "cli/logging.hpp"
#include "cli/reload.hpp"
#include "log/fields.hpp"
#include "transport/drain.hpp"
#include "cli/metrics_exporter.hpp"
#include "metrics/http_endpoint.hpp"
#include "transport/server.hpp"
#include "transport/tcp_listener.hpp"
#include "transport/websocket/ws_connection.hpp"

namespace clasp::cli {

int runServer(const RunOptions& startOptions, const Reparse& reparse) {
  RunOptions options = startOptions;  // what runs; a reload updates it
  if (auto ok = configureLogging(options.log); !ok) {
    std::fprintf(stderr, "%s: %s\n", options.program.c_str(), ok.error().message.c_str());
    return kStartupError;
  }

  router::SystemClock clock;
  transport::RouterHost host(options.router, clock);
  transport::Server server(host, options.server);
  server.onHangup(reopenLogFileAndReport);  // logrotate: move the file, then SIGHUP
  std::unique_ptr<DurableState> durable;
  const DurableOptions& d = options.durable;
  if (d.persistPath || d.journalPath || d.journalMemory) {
    auto opened = DurableState::open(d);
    Result<void> ok = opened ? (*opened)->restore(host) : Result<void>(std::unexpected(opened.error()));
    if (!ok) {
      // Never start empty over state that could not be read (D-23).
      std::fprintf(stderr, "%s: %s\n", options.program.c_str(), ok.error().message.c_str());
      return kStartupError;
    }
    durable = std::move(*opened);
    durable->attach(host, server);
  }
  if (!options.websocket && !options.mqttPort && !options.oscPort) {
    // Nothing to serve (relay.md check 31): refuse instead of idling.
    std::fprintf(stderr, "%s: no protocol enabled (--no-websocket without --mqtt-port or --osc-port)\n",
                 options.program.c_str());
    return kUsageError;
  }
  // Bound before the protocol listeners (relay.md §1.3); /readyz says 503
  // until they are all up.
  std::atomic<bool> ready{false};
  auto metrics = startMetrics(options.metrics, options.server.host, host, server, durable.get(),
                              [&ready] { return ready.load(); });
  if (!metrics) {
    std::fprintf(stderr, "%s: %s\n", options.program.c_str(), metrics.error().message.c_str());
    return kUsageError;
  }
  std::unique_ptr<metrics::HttpEndpoint> health;
  if (options.healthPort) {
    health = std::make_unique<metrics::HttpEndpoint>(metrics::HttpHandlers{{}, [&ready] { return ready.load(); }});
    auto port = health->listen(options.server.host, *options.healthPort);
    if (!port) {
      std::fprintf(stderr, "%s: health: %s\n", options.program.c_str(), port.error().c_str());
      return kUsageError;
    }
    health->start();
    std::printf("listening on health://%s:%u\n", options.server.host.c_str(), static_cast<unsigned>(*port));
    std::fflush(stdout);
  }
  transport::TcpListener ws(server, "WebSocket", [&](boost::asio::ip::tcp::socket socket, transport::Loop& loop) {
    std::make_shared<transport::WsConnection>(std::move(socket), loop, host, server.config())->start();
  });
  if (options.websocket) {
    auto port = ws.listen(options.server.host, options.server.port);
    if (!port) {
      std::fprintf(stderr, "%s: %s\n", options.program.c_str(), port.error().message.c_str());
      return kUsageError;
    }
    // Tests and scripts wait for this exact line (docs/decisions.md).
    std::printf("listening on ws://%s:%u\n", options.server.host.c_str(), static_cast<unsigned>(*port));
    std::fflush(stdout);
    slog::info({{"event", "listening"}, {"protocol", "ws"}, {"host", options.server.host}, {"port", *port}},
               "{} '{}' serving WebSocket on {}:{}", options.program, options.router.name, options.server.host, *port);
  } else {
    spdlog::info("{} '{}' running with the WebSocket listener disabled", options.program,
                 options.router.name);
  }
  std::unique_ptr<mqtt::MqttServer> mqttServer;
  if (options.mqttPort) {
    mqtt::MqttConfig config = options.mqtt;
    config.maxPacketSize = options.server.maxMessageSize;
    config.sessionTimeoutSeconds = options.server.sessionTimeoutSeconds;
    mqttServer = std::make_unique<mqtt::MqttServer>(server, config);
    auto port = mqttServer->listen(options.server.host, *options.mqttPort);
    if (!port) {
      std::fprintf(stderr, "%s: %s\n", options.program.c_str(), port.error().message.c_str());
      return kUsageError;
    }
    std::printf("listening on mqtt://%s:%u\n", options.server.host.c_str(), static_cast<unsigned>(*port));
    std::fflush(stdout);
    slog::info({{"event", "listening"}, {"protocol", "mqtt"}, {"host", options.server.host}, {"port", *port}},
               "serving MQTT on {}:{} as {}", options.server.host, *port, config.ns);
  }
  std::unique_ptr<osc::OscEndpoint> oscEndpoint;
  if (options.oscPort) {
    oscEndpoint = std::make_unique<osc::OscEndpoint>(server, options.osc);
    auto port = oscEndpoint->listen(options.server.host, *options.oscPort);
    if (!port) {
      std::fprintf(stderr, "%s: %s\n", options.program.c_str(), port.error().message.c_str());
      return kUsageError;
    }
    std::printf("listening on osc.udp://%s:%u\n", options.server.host.c_str(), static_cast<unsigned>(*port));
    std::fflush(stdout);
    slog::info({{"event", "listening"}, {"protocol", "osc"}, {"host", options.server.host}, {"port", *port}},
               "serving OSC on {}:{} as {}", options.server.host, *port, options.osc.ns);
  }
  transport::Drain drain(server);
  if (options.websocket) drain.addListener([&ws] { ws.close(); });
  if (mqttServer) drain.addListener([&] { mqttServer->stopAccepting(); });
  server.onShutdown([&] {
    ready = false;  // /readyz: 503 from the first signal on
    drain.start(std::chrono::seconds(options.drainTimeoutSeconds));
  });
  server.onHangup([&] {
    if (!reparse) return;
    auto next = reparse();
    if (!next) {
      spdlog::error("reload refused, the running configuration stays: {}", next.error().message);
      return;
    }
    applyReload(options, *next, host, server);
  });
  ready = true;
  server.run();
  // D-25: persistence and the journal are flushed after the clients left.
  if (durable) durable->finish(host);
  slog::info({{"event", "stopped"}}, "stopped");
  return 0;
}

}  // namespace clasp::cli
