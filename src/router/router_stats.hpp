// RouterStats: what the router counts for the metrics endpoint: messages
// handled and sent by type, fan-out deliveries and their spread, and ERRORs
// sent by code. The router owns it and writes it under its lock (serial
// counters: no locked instructions on the hot path); the scrape reads it from
// any thread. Fan-out counts are summed per fan-out and added once.
#pragma once

#include <array>
#include <cstdint>

#include "core/messages.hpp"
#include "metrics/counter.hpp"
#include "metrics/histogram.hpp"

namespace clasp::router {

// Dense slots for the 19 message types (labels of clasp_messages_total).
inline constexpr std::array<MessageType, 19> kMessageTypes = {
    MessageType::Hello,     MessageType::Welcome, MessageType::Announce, MessageType::FederationSync,
    MessageType::Subscribe, MessageType::Unsubscribe, MessageType::Publish, MessageType::Set,
    MessageType::Get,       MessageType::Snapshot, MessageType::Replay,   MessageType::Bundle,
    MessageType::Sync,      MessageType::Ping,    MessageType::Pong,     MessageType::Ack,
    MessageType::Error,     MessageType::Query,   MessageType::Result};

inline constexpr std::array<std::uint8_t, 256> kTypeSlots = [] {
  std::array<std::uint8_t, 256> slots{};
  for (std::size_t i = 0; i < kMessageTypes.size(); ++i)
    slots[static_cast<std::uint8_t>(kMessageTypes[i])] = static_cast<std::uint8_t>(i);
  return slots;
}();

constexpr std::size_t typeSlot(MessageType t) { return kTypeSlots[static_cast<std::uint8_t>(t)]; }

// Subscriber counts per SET/PUBLISH fan-out (clasp_broadcast_fanout).
inline constexpr std::uint64_t kFanoutBounds[] = {0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000};

struct RouterStats {
  static constexpr std::size_t kCodes = 1000;  // CLASP error codes are three digits

  std::array<metrics::SerialCounter, kMessageTypes.size()> received;  // handled inbound messages
  std::array<metrics::SerialCounter, kMessageTypes.size()> sent;      // frames queued to sessions
  metrics::SerialCounter deliveries;  // fan-out frames queued to subscribers
  std::array<metrics::SerialCounter, kCodes> errors;
  metrics::Histogram fanout{kFanoutBounds};

  void error(std::uint16_t code) { errors[code < kCodes ? code : 0].add(); }
};

}  // namespace clasp::router
