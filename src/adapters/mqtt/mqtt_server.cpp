// The MQTT listener and its shards: one per event loop, each with a sweep
// timer (once a second) for keep-alive, CONNECT deadlines, delayed wills and
// session expiry.
#include "adapters/mqtt/mqtt_server.hpp"

#include <spdlog/spdlog.h>

#include "adapters/mqtt/mqtt_connection.hpp"
#include "adapters/mqtt/mqtt_session.hpp"
#include "adapters/mqtt/mqtt_shard.hpp"
#include "transport/router_gate.hpp"
#include "transport/tcp_listener.hpp"

namespace clasp::mqtt {

namespace asio = boost::asio;

Shard& Shard::owner(std::string_view clientId) const {
  return *all[std::hash<std::string_view>{}(clientId) % all.size()];
}

struct MqttServer::Impl {
  Impl(transport::Server& s, MqttConfig c)
      : server(s), config(std::move(c)), listener(s, "MQTT", [this](asio::ip::tcp::socket socket, transport::Loop& loop) {
          std::make_shared<MqttConnection>(std::move(socket), *shards[loop.index()])->start();
        }) {
    for (std::size_t i = 0; i < s.loopCount(); ++i)
      shards.push_back(std::make_unique<Shard>(s.loop(i), s.host(), config, *s.config(), shards));
  }

  ~Impl() {
    // Connections live as long as their pending handlers, which the loops
    // destroy after this server is gone.
    for (auto& shard : shards)
      for (auto& [raw, weak] : shard->connections)
        if (auto c = weak.lock()) c->orphan();
  }

  void armSweep(Shard& shard) {
    shard.sweep.expires_after(std::chrono::seconds(1));
    shard.sweep.async_wait([this, &shard](boost::system::error_code ec) {
      if (ec) return;
      sweep(shard);
      armSweep(shard);
    });
  }

  static void sweep(Shard& shard) {
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::shared_ptr<MqttConnection>> conns;
    conns.reserve(shard.connections.size());
    for (auto& [raw, weak] : shard.connections)
      if (auto c = weak.lock()) conns.push_back(std::move(c));
    std::vector<std::shared_ptr<MqttSession>> ended;
    {
      transport::RouterGate gate(shard.host);
      for (auto& c : conns) c->sweep(now, gate);
      for (auto it = shard.sessions.begin(); it != shard.sessions.end();) {
        switch (it->second->due(now)) {
          case MqttSession::Due::Nothing: ++it; break;
          case MqttSession::Due::Will:
            it->second->publishWill(gate.router());
            ++it;
            break;
          case MqttSession::Due::End:
            spdlog::debug("mqtt {}: session expired", it->first);
            it->second->end(gate.router());
            ended.push_back(std::move(it->second));
            it = shard.sessions.erase(it);
            break;
        }
      }
    }
    // Ended sessions are released only after the section: records for them
    // were applied when it closed.
  }

  transport::Server& server;
  MqttConfig config;
  std::vector<std::unique_ptr<Shard>> shards;
  transport::TcpListener listener;
};

MqttServer::MqttServer(transport::Server& server, MqttConfig config)
    : impl_(std::make_unique<Impl>(server, std::move(config))) {}

MqttServer::~MqttServer() = default;

void MqttServer::stopAccepting() { impl_->listener.close(); }

Result<std::uint16_t> MqttServer::listen(const std::string& host, std::uint16_t port) {
  auto bound = impl_->listener.listen(host, port);
  if (!bound) return bound;
  for (auto& shard : impl_->shards) {
    Shard* s = shard.get();
    asio::post(s->loop.context(), [this, s] { impl_->armSweep(*s); });
  }
  return bound;
}

}  // namespace clasp::mqtt
