// MqttClientConn: one MQTT 3.1.1 connection of the bench tool (a ClientConn),
// so the same Publisher, Subscriber and conns mode measure a broker, or a
// relay's MQTT front door, next to a CLASP relay. It dials (non-blocking),
// sends CONNECT (clean session, keepalive 60 s, a client id unique in the
// process) and is ready on a CONNACK that accepts. subscribe() sends
// SUBSCRIBE at QoS 0 and onSubscribed follows the SUBACK; a stamp is a QoS 0
// PUBLISH whose payload is the stamp in ASCII decimal. QoS 0 is never
// answered, so confirmsSends() is false. Reads and writes are batched like
// WsClientConn's: one read per readiness event, every complete packet in it
// handled in place (a partial one waits for the next read), one send per
// connection per loop turn, no allocation in the steady state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "bench/client_conn.hpp"
#include "bench/event_loop.hpp"
#include "bench/mqtt_codec.hpp"
#include "core/out_buffer.hpp"

namespace clasp::bench {

class MqttClientConn final : public ClientConn, public EventLoop::Handler, public EventLoop::Flushable {
 public:
  enum class State : std::uint8_t { Idle, Connecting, AwaitConnack, Ready, Closed };

  // Larger than any packet the tool expects (its own stamps, SUBACKs); a
  // bigger one is reported as an error instead of stalling the connection.
  static constexpr std::size_t kReadBuffer = 128 * 1024;

  MqttClientConn(EventLoop& loop, const Endpoint& endpoint, Listener& listener, std::string name);
  ~MqttClientConn() override;
  MqttClientConn(const MqttClientConn&) = delete;
  MqttClientConn& operator=(const MqttClientConn&) = delete;

  Status<void> start() override;
  void subscribe(const std::string& pattern) override;
  bool sendStamp(const std::string& address, std::uint64_t stampUs) override;
  bool confirmsSends() const override { return false; }
  void keepAlive() override;
  void closeGracefully() override;

  bool ready() const override { return state_ == State::Ready; }
  bool closed() const override { return state_ == State::Closed; }
  const std::string& name() const override { return name_; }
  std::uint64_t lastReadNanos() const override { return lastReadNs_; }

  void onEvents(std::uint32_t events) override;
  void flush() override;

 private:
  void finishConnect();
  void readSome();
  bool onPacket(const mqtt::Packet& p);
  void queued();
  void fail(std::string why);

  EventLoop& loop_;
  const Endpoint& endpoint_;
  Listener& listener_;
  std::string name_;
  int fd_ = -1;
  State state_ = State::Idle;
  std::uint16_t subscribePacketId_ = 0;  // the SUBSCRIBE whose SUBACK is awaited; 0 when none

  std::unique_ptr<std::uint8_t[]> readBuf_;
  std::size_t readLen_ = 0;
  std::uint64_t lastReadNs_ = 0;

  OutBuffer out_;  // queued packets; [outSent_, size) not yet written
  std::size_t outSent_ = 0;
  bool flushQueued_ = false;
  bool wantWrite_ = false;  // EPOLLOUT armed: the socket refused part of out_
};

}  // namespace clasp::bench
