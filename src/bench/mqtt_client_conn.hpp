// MqttClientConn: one MQTT 3.1.1 connection of the bench tool (a ClientConn),
// so the same Publisher, Subscriber and conns mode measure a broker, or a
// relay's MQTT front door, next to a CLASP relay. It dials (non-blocking),
// sends CONNECT (clean session, keepalive 60 s, a client id unique in the
// process) and is ready on a CONNACK that accepts. subscribe() sends
// SUBSCRIBE at QoS 0 and onSubscribed follows the SUBACK; a stamp is a QoS 0
// PUBLISH whose payload is the stamp in ASCII decimal. QoS 0 is never
// answered, so confirmsSends() is false. The socket and the batched I/O are
// SocketConn's; this class splits every complete packet of a read in place
// (a partial one waits for the next read) and appends packets to the output
// buffer, with no allocation in the steady state.
#pragma once

#include <cstdint>
#include <string>

#include "bench/client_conn.hpp"
#include "bench/event_loop.hpp"
#include "bench/mqtt_codec.hpp"
#include "bench/socket_conn.hpp"

namespace clasp::bench {

class MqttClientConn final : public SocketConn {
 public:
  // After the TCP connect; Closed is SocketConn's.
  enum class State : std::uint8_t { AwaitConnack, Ready };

  MqttClientConn(EventLoop& loop, const Endpoint& endpoint, Listener& listener, std::string name);

  void subscribe(const std::string& pattern) override;
  bool sendStamp(const std::string& address, std::uint64_t stampUs) override;
  bool confirmsSends() const override { return false; }
  void keepAlive() override;

  bool ready() const override { return connected() && state_ == State::Ready; }

 private:
  // Sends CONNECT.
  void onConnected() override;
  // Every complete packet of the read.
  void onBytes() override;
  // DISCONNECT.
  bool appendGoodbye() override;
  const char* oversizeReason() const override { return "MQTT packet larger than the read buffer"; }
  std::string eofReason() const override { return "broker closed the TCP connection"; }

  bool onPacket(const mqtt::Packet& p);

  State state_ = State::AwaitConnack;
  std::uint16_t subscribePacketId_ = 0;  // the SUBSCRIBE whose SUBACK is awaited; 0 when none
};

}  // namespace clasp::bench
