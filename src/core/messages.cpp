// Small behaviour attached to the message model: TTL raw form (§9.7), the
// type code of a Message, the reference's default QoS per message (§1.6) and
// the upper-case type names used by logs and the v0 decoder.
#include "messages.hpp"

namespace clasp {

Ttl Ttl::fromRaw(std::uint32_t raw) {
  if (raw == 0) return Ttl{Kind::Never, 0};
  if (raw & 0x80000000u) return Ttl{Kind::Absolute, raw & 0x7FFFFFFFu};
  return Ttl{Kind::Sliding, raw};
}

std::uint32_t Ttl::raw() const {
  switch (kind) {
    case Kind::Never: return 0;
    case Kind::Sliding: return seconds & 0x7FFFFFFFu;
    case Kind::Absolute: return 0x80000000u | (seconds & 0x7FFFFFFFu);
  }
  return 0;
}

namespace {
struct TypeOf {
  MessageType operator()(const Hello&) const { return MessageType::Hello; }
  MessageType operator()(const Welcome&) const { return MessageType::Welcome; }
  MessageType operator()(const Announce&) const { return MessageType::Announce; }
  MessageType operator()(const FederationSync&) const { return MessageType::FederationSync; }
  MessageType operator()(const Subscribe&) const { return MessageType::Subscribe; }
  MessageType operator()(const Unsubscribe&) const { return MessageType::Unsubscribe; }
  MessageType operator()(const Publish&) const { return MessageType::Publish; }
  MessageType operator()(const Set&) const { return MessageType::Set; }
  MessageType operator()(const Get&) const { return MessageType::Get; }
  MessageType operator()(const Snapshot&) const { return MessageType::Snapshot; }
  MessageType operator()(const Replay&) const { return MessageType::Replay; }
  MessageType operator()(const Bundle&) const { return MessageType::Bundle; }
  MessageType operator()(const Sync&) const { return MessageType::Sync; }
  MessageType operator()(const Ping&) const { return MessageType::Ping; }
  MessageType operator()(const Pong&) const { return MessageType::Pong; }
  MessageType operator()(const Ack&) const { return MessageType::Ack; }
  MessageType operator()(const ErrorMsg&) const { return MessageType::Error; }
  MessageType operator()(const Query&) const { return MessageType::Query; }
  MessageType operator()(const QueryResult&) const { return MessageType::Result; }
};
}  // namespace

MessageType Message::type() const { return std::visit(TypeOf{}, variant()); }

QoS defaultQos(const Message& m) {
  switch (m.type()) {
    case MessageType::Set:
    case MessageType::Subscribe:
    case MessageType::Unsubscribe:
    case MessageType::Replay:
    case MessageType::FederationSync: return QoS::Confirm;
    case MessageType::Bundle: return QoS::Commit;
    case MessageType::Publish:
      switch (std::get<Publish>(m).signal) {
        case SignalType::Param:
        case SignalType::Event: return QoS::Confirm;
        case SignalType::Stream:
        case SignalType::Gesture: return QoS::Fire;
        case SignalType::Timeline: return QoS::Commit;
      }
      return QoS::Fire;
    default: return QoS::Fire;
  }
}

const char* messageTypeName(MessageType t) {
  switch (t) {
    case MessageType::Hello: return "HELLO";
    case MessageType::Welcome: return "WELCOME";
    case MessageType::Announce: return "ANNOUNCE";
    case MessageType::FederationSync: return "FEDERATION_SYNC";
    case MessageType::Subscribe: return "SUBSCRIBE";
    case MessageType::Unsubscribe: return "UNSUBSCRIBE";
    case MessageType::Publish: return "PUBLISH";
    case MessageType::Set: return "SET";
    case MessageType::Get: return "GET";
    case MessageType::Snapshot: return "SNAPSHOT";
    case MessageType::Replay: return "REPLAY";
    case MessageType::Bundle: return "BUNDLE";
    case MessageType::Sync: return "SYNC";
    case MessageType::Ping: return "PING";
    case MessageType::Pong: return "PONG";
    case MessageType::Ack: return "ACK";
    case MessageType::Error: return "ERROR";
    case MessageType::Query: return "QUERY";
    case MessageType::Result: return "RESULT";
  }
  return "UNKNOWN";
}

}  // namespace clasp
