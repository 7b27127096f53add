// MqttSession: the state MQTT keeps for one client id (MQTT 5.0 §4.1) and
// its router adapter session: subscriptions, QoS 1 messages in flight and
// queued, QoS 2 packet ids received and not yet released, the will, and the
// expiry of a session that outlives its connection. A session lives on one
// loop (the shard its client id hashes to), so nothing here needs a lock;
// the connection currently attached (mqtt_connection.hpp) writes what the
// session produces.
//
// As a router::Outbox it sees the router's replies to its own messages at
// once (capture), to turn ACK/ERROR into PUBACK reason codes and SNAPSHOT
// into retained messages; everything else becomes records applied on its
// loop through transport::Sink, like any connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "adapters/mqtt/mqtt_config.hpp"
#include "adapters/mqtt/mqtt_packets.hpp"
#include "core/out_buffer.hpp"
#include "router/router.hpp"
#include "transport/sink.hpp"

namespace clasp::mqtt {

class MqttConnection;
struct Shard;

using SteadyTime = std::chrono::steady_clock::time_point;

class MqttSession final : public router::Outbox, public transport::Sink {
 public:
  MqttSession(Shard& shard, std::string clientId);
  ~MqttSession() override;

  const std::string& clientId() const { return clientId_; }
  Shard& shard() { return shard_; }
  bool open() const { return rs_ != nullptr; }
  MqttConnection* connection() const { return conn_; }

  // --- router lock held (inside a RouterSection) ---
  // Registers with the router; false at the session limit.
  bool start(router::Router& r, router::Scopes scopes);
  void setScopes(router::Router& r, router::Scopes scopes) { r.setScopes(rs_, std::move(scopes)); }
  // A PUBLISH from the client (or its will): the v5 reason for PUBACK/PUBREC.
  ReasonCode publish(router::Router& r, std::string_view topic, Bytes payload, bool retain, std::uint8_t qos,
                     std::optional<std::uint8_t> payloadFormat);
  // SUBSCRIBE: one reason per filter. The subscribe-time state is held
  // until releaseRetained(), which the connection calls after the SUBACK.
  void subscribe(router::Router& r, const Subscribe& s, Suback& suback);
  void releaseRetained();
  void unsubscribe(router::Router& r, const Unsubscribe& u, Unsuback& unsuback);
  // Ends the session: its will (if still pending) goes out, the router
  // forgets it. The caller keeps a reference until the section ends.
  void end(router::Router& r);
  // Publishes and forgets the will, if any.
  void publishWill(router::Router& r);

  // --- loop thread, no lock needed ---
  // The connection that now carries the session. `resumed`: unacknowledged
  // QoS 1 messages are sent again with DUP set, then the queue.
  void attach(MqttConnection& c, Version v, std::uint16_t receiveMaximum, std::uint32_t maxPacket, bool resumed);
  // The connection is gone. `keepWill` false after a normal DISCONNECT.
  // Returns true when the session must end now (expiry 0).
  bool detach(MqttConnection& c, bool keepWill, SteadyTime now);
  void setWill(std::optional<Will> will);
  void setExpiry(std::uint32_t seconds) { expirySeconds_ = seconds; }
  std::uint32_t expiry() const { return expirySeconds_; }
  // Packet ids the client sent with QoS 2 and has not released (PUBREL).
  bool qos2Seen(std::uint16_t id) const { return qos2In_.contains(id); }
  void qos2Remember(std::uint16_t id) { qos2In_.insert(id); }
  bool qos2Release(std::uint16_t id) { return qos2In_.erase(id) != 0; }
  // PUBACK from the client for one of our QoS 1 messages.
  bool acknowledge(std::uint16_t id);
  // Periodic duties (loop thread, gate for the router): will delay, expiry.
  // Returns true when the session ended.
  enum class Due : std::uint8_t { Nothing, Will, End };
  Due due(SteadyTime now) const;

  // router::Outbox (router lock held, any thread).
  void send(std::span<const std::uint8_t> frame, router::Delivery kind, std::uint64_t shared) override;
  void close(router::CloseReason reason, std::string_view text) override;
  // transport::Sink (own loop thread).
  transport::Loop& loop() override;
  void deliver(std::span<const std::uint8_t> frame, router::Delivery kind) override;
  void deliverClose(router::CloseReason reason, std::string_view text) override;
  void flushQueued() override;

 private:
  struct Sub {
    std::string filter;
    std::uint32_t routerId;
    std::uint8_t qos;
    bool noLocal;
    bool retainAsPublished;
  };
  // A QoS 1 PUBLISH as encoded, with where its packet id goes.
  struct Stored {
    std::vector<std::uint8_t> bytes;
    std::size_t idOffset;
  };
  struct StoredWill {
    std::string topic;
    std::vector<std::uint8_t> payload;
    std::uint8_t qos;
    bool retain;
    std::optional<std::uint8_t> payloadFormat;
    std::uint32_t delaySeconds;
  };

  // Runs one router call with capture on: its replies land in captured_.
  template <class F>
  void captured(F&& call);
  // A SET or PUBLISH frame for this client: match, convert, queue. `own`:
  // the client's own message coming back (v5 No Local).
  // `kind`: the router's verdict (D-15): only Fire streams and gestures may
  // be dropped for a slow reader, whatever the MQTT QoS.
  void deliverFrame(std::span<const std::uint8_t> frame, bool own, router::Delivery kind);
  // SNAPSHOT entries matching one subscription, as retained messages.
  void deliverRetained(std::span<const std::uint8_t> frame, const Sub& sub);
  void enqueue(std::string_view topic, std::span<const std::uint8_t> payload, std::uint8_t qos, bool retain,
               router::Delivery kind);
  void sendStored(Stored& s, bool dup);
  void pump();
  std::uint16_t nextPacketId();

  Shard& shard_;
  std::string clientId_;
  router::RouterSession* rs_ = nullptr;
  MqttConnection* conn_ = nullptr;
  Version version_ = Version::V311;
  std::uint16_t receiveMaximum_ = 65535;
  std::uint32_t maxPacket_ = 0;  // client's Maximum Packet Size; 0 = none
  std::vector<Sub> subs_;
  std::uint32_t nextSubId_ = 1;
  std::unordered_set<std::uint16_t> qos2In_;
  std::map<std::uint16_t, Stored> inflight_;  // by packet id
  std::deque<std::uint16_t> inflightOrder_;    // ids in send order, for resending
  std::deque<Stored> queued_;                  // waiting for a connection or window
  std::uint16_t lastPacketId_ = 0;
  std::size_t heldBytes_ = 0;  // bytes of queued_ and inflight_
  std::uint64_t droppedQueued_ = 0;
  std::optional<StoredWill> will_;
  std::optional<SteadyTime> willDue_;
  std::optional<SteadyTime> expiresAt_;
  std::uint32_t expirySeconds_ = 0;

  struct RetainedBatch {
    std::vector<std::uint8_t> frame;  // a SNAPSHOT the router sent at SUBSCRIBE
    Sub sub;
  };
  std::vector<RetainedBatch> retained_;

  // Capture of the router's replies during this session's own calls.
  bool capturing_ = false;
  std::vector<std::vector<std::uint8_t>> captured_;
};

}  // namespace clasp::mqtt
