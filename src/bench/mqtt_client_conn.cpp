// MqttClientConn implementation: connect, CONNECT/CONNACK, SUBSCRIBE/SUBACK,
// QoS 0 PUBLISH both ways, on SocketConn's batched I/O. See mqtt_client_conn.hpp.
#include "bench/mqtt_client_conn.hpp"

#include <unistd.h>

#include <atomic>

namespace clasp::bench {

namespace {

// Client ids must be unique per broker: a second CONNECT with the same id
// makes the broker drop the first. pid + a process-wide counter, short
// enough for the 23 characters every 3.1.1 broker must accept.
std::string nextClientId() {
  static std::atomic<std::uint64_t> counter{0};
  return "cb" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
}

const char* connackText(std::uint8_t rc) {
  switch (rc) {
    case 1: return "unacceptable protocol version";
    case 2: return "client identifier rejected";
    case 3: return "server unavailable";
    case 4: return "bad user name or password";
    case 5: return "not authorized";
    default: return "unknown return code";
  }
}

}  // namespace

MqttClientConn::MqttClientConn(EventLoop& loop, const Endpoint& endpoint, Listener& listener, std::string name)
    : SocketConn(loop, endpoint, listener, std::move(name)) {}

void MqttClientConn::onConnected() {
  mqtt::appendConnect(out_, nextClientId(), kKeepAliveSeconds);
  state_ = State::AwaitConnack;
}

void MqttClientConn::onBytes() {
  std::size_t used = 0;
  for (;;) {
    const mqtt::Packet p = mqtt::splitPacket({readBuf_.get() + used, readLen_ - used});
    if (p.status == mqtt::Packet::Status::Incomplete) break;
    if (p.status == mqtt::Packet::Status::Malformed) return fail("malformed MQTT remaining length from broker");
    if (!onPacket(p)) return;  // closed
    used += p.size;
  }
  consume(used);
  listener_.onReadBatchEnd(*this);
}

bool MqttClientConn::onPacket(const mqtt::Packet& p) {
  switch (p.type) {
    case mqtt::Type::Connack:
      if (state_ != State::AwaitConnack || p.body.size() < 2) {
        fail("unexpected CONNACK");
        return false;
      }
      if (p.body[1] != 0) {
        fail(std::string("CONNECT refused: ") + connackText(p.body[1]));
        return false;
      }
      state_ = State::Ready;
      listener_.onReady(*this);
      break;
    case mqtt::Type::Suback:
      if (subscribePacketId_ != 0 && p.body.size() >= 3 &&
          ((unsigned{p.body[0]} << 8) | p.body[1]) == subscribePacketId_) {
        subscribePacketId_ = 0;
        if (p.body[2] == 0x80) listener_.onRefused(*this, "SUBSCRIBE refused (SUBACK 0x80)");
        else listener_.onSubscribed(*this);
      }
      break;
    case mqtt::Type::Publish: {
      std::string_view topic;
      std::span<const std::uint8_t> payload;
      if (!mqtt::parsePublish(p, topic, payload)) {
        fail("malformed PUBLISH from broker");
        return false;
      }
      std::uint64_t stamp = 0;
      if (mqtt::parseDecimal(payload, stamp)) listener_.onStamp(*this, stamp);
      break;
    }
    default:
      break;  // PINGRESP, and anything a QoS 0 client need not answer
  }
  return !closed();
}

void MqttClientConn::subscribe(const std::string& pattern) {
  if (closed()) return;
  subscribePacketId_ = 1;
  mqtt::appendSubscribe(out_, subscribePacketId_, pattern);
  queued();
}

bool MqttClientConn::sendStamp(const std::string& address, std::uint64_t stampUs) {
  if (closed()) return false;
  mqtt::appendPublishDecimal(out_, address, stampUs);
  queued();
  return true;
}

void MqttClientConn::keepAlive() {
  if (!ready()) return;
  mqtt::appendPingreq(out_);
  queued();
}

bool MqttClientConn::appendGoodbye() {
  mqtt::appendDisconnect(out_);
  return true;
}

}  // namespace clasp::bench
