// MqttConnection: one MQTT client's TCP connection, from accept to close.
// It reads packets (mqtt_codec.hpp), runs the protocol's order and flow
// rules (CONNECT first and once, keep-alive, PUBACK/PUBREC/PUBREL/PUBCOMP,
// SUBACK, DISCONNECT) and writes what it and its session queue. The state
// that outlives a connection is in the session (mqtt_session.hpp).
//
// Threads: everything runs on the connection's loop thread. A connection is
// accepted on any loop; once its CONNECT names the client id, it moves to the
// shard that owns that id (the socket changes io_context, the bytes already
// read go with it) before anything else happens.
// Lifetime: pending handlers hold shared_from_this(); the shard lists it
// weakly for the sweep.
#pragma once

#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "adapters/mqtt/mqtt_codec.hpp"
#include "adapters/mqtt/mqtt_session.hpp"
#include "adapters/mqtt/mqtt_shard.hpp"
#include "core/out_buffer.hpp"
#include "transport/partial_input.hpp"
#include "transport/router_gate.hpp"

namespace clasp::mqtt {

class MqttConnection final : public std::enable_shared_from_this<MqttConnection> {
 public:
  MqttConnection(boost::asio::ip::tcp::socket socket, Shard& shard);
  ~MqttConnection();

  // Starts reading; `early` are bytes already read (a moved connection's).
  void start(std::vector<std::uint8_t> early = {});

  // Session side (loop thread): append one encoded packet / write it out.
  // Returns false when the packet was dropped (queue limits, D-15).
  bool queuePacket(std::span<const std::uint8_t> packet, bool droppable);
  std::size_t queuedBytes() const { return pending_.size() + inflight_.size(); }
  void flush();
  // The session ends this connection (router close, slow consumer).
  void endFromSession(ReasonCode code, const char* why);
  // Once a second from the shard's sweep: CONNECT deadline, keep-alive,
  // close deadline.
  void sweep(SteadyTime now, transport::RouterGate& gate);
  // Another connection took the client id over (MQTT 5.0 §3.1.4).
  void takeOver(transport::RouterGate& gate);
  // The server is going away before the loops' handlers (which own this
  // connection) are destroyed: forget the shard.
  void orphan() { shard_ = nullptr; }

 private:
  void waitReadable();
  void onReadable(boost::system::error_code ec);
  enum class ReadOutcome : std::uint8_t { Drained, More, Closed };
  ReadOutcome readOnce();
  // Handles every complete packet at the front of `data`; the bytes used, or
  // nothing once input must no longer be read (closing, moved).
  std::optional<std::size_t> processInput(std::span<std::uint8_t> data);
  std::optional<std::size_t> handleInput(std::span<std::uint8_t> data);
  void keepPartial(std::span<const std::uint8_t> rest);
  enum class Next : std::uint8_t { Continue, Stop };
  Next handlePacket(const RawPacket& raw, std::span<const std::uint8_t> fromHere, transport::RouterGate& gate);
  Next onConnect(const Connect& c, std::span<const std::uint8_t> fromHere, transport::RouterGate& gate);
  Next onPublish(const Publish& p, transport::RouterGate& gate);
  void onPubAck(const PubAck& a);
  void onSubscribe(const Subscribe& s, transport::RouterGate& gate);
  void onUnsubscribe(const Unsubscribe& u, transport::RouterGate& gate);
  void onDisconnect(const Disconnect& d, transport::RouterGate& gate);
  // Moves this connection to the shard that owns its client id.
  void moveTo(Shard& target, std::span<const std::uint8_t> unread);
  void refuseConnect(Version v, ReasonCode code, const char* why);
  // A protocol violation: v5 DISCONNECT with the reason code, then close.
  void fail(ReasonCode code, const char* why, transport::RouterGate& gate);
  void writePacket(const std::function<void(OutBuffer&)>& encode);
  void startWrite();
  void onWrite(boost::system::error_code ec);
  // Stop reading, write what is queued, close; the session is detached
  // (keepWill false only for a normal DISCONNECT).
  void closeAfterFlush(bool keepWill, transport::RouterGate& gate);
  void detachSession(bool keepWill, transport::RouterGate& gate);
  // Ends everything now. `gate`: the caller's open router section, if any
  // (the router lock is not reentrant).
  void terminate(transport::RouterGate* gate = nullptr);

  Shard* shard_;
  std::optional<boost::asio::ip::tcp::socket> socket_;
  PacketParser parser_;
  transport::PartialInput partial_;  // an incomplete packet; empty when idle

  OutBuffer pending_;
  OutBuffer inflight_;
  bool writing_ = false;
  bool closing_ = false;    // nothing more is read or queued; close after the flush
  bool terminated_ = false;
  bool moved_ = false;
  bool halfClosed_ = false;  // our FIN is sent; reading until the peer's EOF
  bool slow_ = false;        // over the hard queue limit; the close is on its way

  std::shared_ptr<MqttSession> session_;
  Version version_ = Version::V311;
  bool connected_ = false;
  std::uint16_t keepAlive_ = 0;
  SteadyTime started_;
  SteadyTime lastInbound_;
  SteadyTime lastTraffic_;
  std::optional<SteadyTime> closeDeadline_;
  std::uint64_t dropped_ = 0;
};

}  // namespace clasp::mqtt
