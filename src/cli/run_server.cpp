// Startup and the run loop shared by clasp-relay and clasp server.
#include "cli/run_server.hpp"

#include <cstdio>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "transport/server.hpp"
#include "transport/tcp_listener.hpp"
#include "transport/websocket/ws_connection.hpp"

namespace clasp::cli {

int runServer(const RunOptions& options) {
  auto logger = spdlog::stderr_color_mt("clasp");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(options.logLevel));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  router::SystemClock clock;
  transport::RouterHost host(options.router, clock);
  transport::Server server(host, options.server);
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
    spdlog::info("{} '{}' serving WebSocket on {}:{}", options.program, options.router.name,
                 options.server.host, *port);
  } else {
    spdlog::info("{} '{}' running with the WebSocket listener disabled", options.program,
                 options.router.name);
  }
  server.run();
  spdlog::info("stopped");
  return 0;
}

}  // namespace clasp::cli
