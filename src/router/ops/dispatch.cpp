// Dispatch of one decoded message to its handler. Before HELLO only HELLO is
// accepted (D-5); message types only a server sends are ignored (R1.6).
#include "router/ops/ops.hpp"

namespace clasp::router {

void Router::dispatch(RouterSession* s, const Message& m, QoS qos) {
  stats_.received[typeSlot(m.type())].add();
  if (!s->established) {
    if (const Hello* h = std::get_if<Hello>(&m)) return Ops::hello(*this, s, *h);
    sendError(s, Errc::Unauthorized, "hello required");
    s->closing = true;
    s->outbox->close(CloseReason::ProtocolError, "hello required");
    return;
  }
  switch (m.type()) {
    case MessageType::Hello: return sendError(s, Errc::BadMessage, "HELLO already received");
    case MessageType::Subscribe: return Ops::subscribe(*this, s, std::get<Subscribe>(m), qos);
    case MessageType::Unsubscribe: return Ops::unsubscribe(*this, s, std::get<Unsubscribe>(m), qos);
    case MessageType::Set: return Ops::set(*this, s, std::get<Set>(m));
    case MessageType::Get: return Ops::get(*this, s, std::get<Get>(m));
    case MessageType::Publish: return Ops::publish(*this, s, std::get<Publish>(m), qos);
    case MessageType::Bundle: return Ops::bundle(*this, s, std::get<Bundle>(m));
    case MessageType::Ping: return reply(s, Pong{});
    case MessageType::Sync: return Ops::sync(*this, s, std::get<Sync>(m));
    case MessageType::Query: return Ops::query(*this, s, std::get<Query>(m));
    case MessageType::Announce: return Ops::announce(*this, s, std::get<Announce>(m));
    case MessageType::Replay: return Ops::replay(*this, s, std::get<Replay>(m));
    case MessageType::FederationSync:
      return Ops::federationSync(*this, s, std::get<FederationSync>(m));
    case MessageType::Welcome:
    case MessageType::Snapshot:
    case MessageType::Pong:
    case MessageType::Ack:
    case MessageType::Error:
    case MessageType::Result: return;  // server-to-client types: ignored (R1.6)
  }
}

}  // namespace clasp::router
