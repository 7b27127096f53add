// ClientConn: what the bench modes need from one connection, whatever the
// protocol: dial and handshake, subscribe to one pattern, send a send-time
// stamp to an address, and be told of each stamp delivered. Publisher,
// Subscriber and the conns mode are written once against this interface;
// WsClientConn (CLASP over WebSocket) and MqttClientConn (MQTT 3.1.1, QoS 0)
// implement it. One virtual call per message is noise next to the syscalls.
// Owned by one EventLoop thread; never destroyed inside a callback.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "bench/event_loop.hpp"
#include "bench/status.hpp"
#include "bench/url.hpp"

namespace clasp::bench {

// CLASP only: what a stamp is sent as. MQTT always sends a QoS 0 PUBLISH.
enum class MessageKind : std::uint8_t { Set, Event };

class ClientConn {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // The session is usable: CLASP WELCOME and first SNAPSHOT, MQTT CONNACK.
    virtual void onReady(ClientConn& conn) = 0;
    // The server confirmed the subscription (CLASP ACK, MQTT SUBACK).
    virtual void onSubscribed(ClientConn&) {}
    // A delivered message carrying a send stamp (µs, CLOCK_MONOTONIC).
    virtual void onStamp(ClientConn&, std::uint64_t) {}
    // CLASP only: the server confirmed one sent stamp (ACK) ...
    virtual void onAck(ClientConn&) {}
    // ... or refused a sent message or the subscription (ERROR).
    virtual void onRefused(ClientConn&, std::string_view) {}
    // After the last callback of one socket read: a place to publish
    // counters once per batch instead of once per message.
    virtual void onReadBatchEnd(ClientConn&) {}
    // The connection is gone (refused, reset, closed by the server, or a
    // protocol error); `why` says which. Called at most once.
    virtual void onClosed(ClientConn& conn, std::string_view why) = 0;
  };

  virtual ~ClientConn() = default;

  // Creates the socket and starts connecting. Errors found at once (e.g. out
  // of file descriptors) come back here; later ones through onClosed.
  virtual Status<void> start() = 0;
  // Subscribes to `pattern` (see patternUnder); onSubscribed follows.
  virtual void subscribe(const std::string& pattern) = 0;
  // Queues one stamp for `address` (see addressOf) for the end of the loop
  // turn. False when the connection is closed.
  virtual bool sendStamp(const std::string& address, std::uint64_t stampUs) = 0;
  // True when every sendStamp is answered (onAck/onRefused), so a window of
  // unanswered messages applies. MQTT QoS 0 answers nothing.
  virtual bool confirmsSends() const = 0;
  // Called every kKeepAliveSeconds / 2 on every connection of a loop: MQTT
  // sends PINGREQ so an idle subscriber outlives the broker's keepalive.
  virtual void keepAlive() {}
  // A last best-effort goodbye (WebSocket Close, MQTT DISCONNECT), then the
  // socket is closed without onClosed: the end of a run, on the loop thread.
  virtual void closeGracefully() = 0;

  virtual bool ready() const = 0;
  virtual bool closed() const = 0;
  virtual const std::string& name() const = 0;
  // CLOCK_MONOTONIC ns of the read that delivered the current batch.
  virtual std::uint64_t lastReadNanos() const = 0;
};

// The MQTT keepalive the tool announces in CONNECT.
inline constexpr unsigned kKeepAliveSeconds = 60;

// Addresses and patterns are written as slash-separated paths ("bench/3");
// each protocol spells them its own way.
std::string addressOf(Scheme scheme, std::string_view path);    // "/bench/3"  | "bench/3"
std::string patternUnder(Scheme scheme, std::string_view path);  // "/bench/**" | "bench/#"

std::unique_ptr<ClientConn> makeClientConn(EventLoop& loop, const Endpoint& endpoint, ClientConn::Listener& listener,
                                           std::string name, MessageKind kind);

}  // namespace clasp::bench
