// The 19 CLASP message types of protocol.md §5 as plain structs, and Message,
// the variant that holds any one of them. Field names follow the spec. Presence
// of optional wire fields is modelled with std::optional so that a decoded
// message re-encodes to the same bytes. No behaviour lives here: encoding is in
// codec_v1_*.cpp, legacy MessagePack decoding in codec_v0.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "value.hpp"

namespace clasp {

enum class MessageType : std::uint8_t {
  Hello = 0x01,
  Welcome = 0x02,
  Announce = 0x03,
  FederationSync = 0x04,
  Subscribe = 0x10,
  Unsubscribe = 0x11,
  Publish = 0x20,
  Set = 0x21,
  Get = 0x22,
  Snapshot = 0x23,
  Replay = 0x24,
  Bundle = 0x30,
  Sync = 0x40,
  Ping = 0x41,
  Pong = 0x42,
  Ack = 0x50,
  Error = 0x51,
  Query = 0x60,
  Result = 0x61,
};

enum class QoS : std::uint8_t { Fire = 0, Confirm = 1, Commit = 2 };

// §9.1. Unknown codes decode as Event.
enum class SignalType : std::uint8_t { Param = 0, Event = 1, Stream = 2, Gesture = 3, Timeline = 4 };

// §9.2. Unknown codes decode as Start.
enum class GesturePhase : std::uint8_t { Start = 0, Move = 1, End = 2, Cancel = 3 };

// HELLO/WELCOME feature bits (§9.5).
namespace feature {
inline constexpr std::uint8_t kParam = 0x80;
inline constexpr std::uint8_t kEvent = 0x40;
inline constexpr std::uint8_t kStream = 0x20;
inline constexpr std::uint8_t kGesture = 0x10;
inline constexpr std::uint8_t kTimeline = 0x08;
inline constexpr std::uint8_t kFederation = 0x04;  // HELLO only
}  // namespace feature

// SUBSCRIBE/REPLAY type-mask bits (§5.4). A mask of 0 in the model means
// "no filter" and is written as 0xFF.
namespace typemask {
inline constexpr std::uint8_t kParam = 0x01;
inline constexpr std::uint8_t kEvent = 0x02;
inline constexpr std::uint8_t kStream = 0x04;
inline constexpr std::uint8_t kGesture = 0x08;
inline constexpr std::uint8_t kTimeline = 0x10;
inline constexpr std::uint8_t kAll = 0x1F;
inline constexpr std::uint8_t bitFor(SignalType s) {
  return static_cast<std::uint8_t>(1u << static_cast<unsigned>(s));
}
}  // namespace typemask

struct Hello {
  std::uint8_t version = 1;
  std::uint8_t features = 0;  // bitmask of feature::k*, unused bits cleared
  std::string name;
  std::string token;  // empty = no token
  friend bool operator==(const Hello&, const Hello&) = default;
};

struct Welcome {
  std::uint8_t version = 1;
  std::uint8_t features = 0;  // federation bit never carried
  std::uint64_t time = 0;     // server wall clock, µs since the epoch
  std::string session;
  std::string name;
  std::string token;
  friend bool operator==(const Welcome&, const Welcome&) = default;
};

struct SignalMeta {
  std::optional<std::string> unit;
  std::optional<std::pair<double, double>> range;
  std::optional<Value> defaultValue;
  std::optional<std::string> description;
  friend bool operator==(const SignalMeta&, const SignalMeta&) = default;
};

struct SignalDefinition {
  std::string address;
  SignalType type = SignalType::Param;
  std::optional<std::string> datatype;
  std::optional<std::string> access;
  std::optional<SignalMeta> meta;  // ANNOUNCE only; RESULT never carries it
  friend bool operator==(const SignalDefinition&, const SignalDefinition&) = default;
};

struct Announce {
  std::string ns;
  std::vector<SignalDefinition> signals;
  friend bool operator==(const Announce&, const Announce&) = default;
};

enum class FederationOp : std::uint8_t {
  DeclareNamespaces = 1,
  RequestSync = 2,
  RevisionVector = 3,
  SyncComplete = 4,
};

struct FederationSync {
  FederationOp op = FederationOp::DeclareNamespaces;
  std::vector<std::string> patterns;
  std::vector<std::pair<std::string, std::uint64_t>> revisions;
  std::optional<std::uint64_t> sinceRevision;
  std::optional<std::string> origin;
  friend bool operator==(const FederationSync&, const FederationSync&) = default;
};

struct SubscribeOptions {
  std::optional<std::uint32_t> maxRate;
  std::optional<double> epsilon;
  std::optional<std::uint32_t> history;
  std::optional<std::uint32_t> window;
  friend bool operator==(const SubscribeOptions&, const SubscribeOptions&) = default;
};

struct Subscribe {
  std::uint32_t id = 0;
  std::string pattern;
  std::uint8_t types = 0;  // typemask bits; 0 = every type
  std::optional<SubscribeOptions> options;
  friend bool operator==(const Subscribe&, const Subscribe&) = default;
};

struct Unsubscribe {
  std::uint32_t id = 0;
  friend bool operator==(const Unsubscribe&, const Unsubscribe&) = default;
};

struct Publish {
  std::string address;
  SignalType signal = SignalType::Event;
  GesturePhase phase = GesturePhase::Start;
  std::optional<Value> value;                 // value indicator 1
  std::optional<std::vector<double>> samples;  // value indicator 2 (when no value)
  std::optional<std::uint64_t> timestamp;
  std::optional<std::uint32_t> id;    // gesture id
  std::optional<std::uint32_t> rate;  // trailing, flagless (§5.7)
  friend bool operator==(const Publish&, const Publish&) = default;
};

// SET TTL (§9.7). Raw u32: 0 = never, bit 31 = absolute, else sliding seconds.
struct Ttl {
  enum class Kind : std::uint8_t { Never, Sliding, Absolute };
  Kind kind = Kind::Never;
  std::uint32_t seconds = 0;  // 31 bits

  static Ttl fromRaw(std::uint32_t raw);
  std::uint32_t raw() const;
  friend bool operator==(const Ttl&, const Ttl&) = default;
};

struct Set {
  std::string address;
  Value value;
  std::optional<std::uint64_t> revision;
  bool lock = false;
  bool unlock = false;
  std::optional<Ttl> ttl;
  friend bool operator==(const Set&, const Set&) = default;
};

struct Get {
  std::string address;
  friend bool operator==(const Get&, const Get&) = default;
};

struct ParamValue {
  std::string address;
  Value value;
  std::uint64_t revision = 0;
  std::optional<std::string> writer;
  std::optional<std::uint64_t> timestamp;
  friend bool operator==(const ParamValue&, const ParamValue&) = default;
};

struct Snapshot {
  std::vector<ParamValue> params;
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

struct Replay {
  std::string pattern;
  std::optional<std::uint64_t> from;
  std::optional<std::uint64_t> to;
  std::optional<std::uint32_t> limit;
  std::uint8_t types = 0;  // typemask bits; 0 = every type
  friend bool operator==(const Replay&, const Replay&) = default;
};

struct Message;

struct Bundle {
  std::optional<std::uint64_t> timestamp;  // requested execution time, µs
  std::vector<Message> messages;
  friend bool operator==(const Bundle&, const Bundle&);
};

struct Sync {
  std::uint64_t t1 = 0;
  std::optional<std::uint64_t> t2;
  std::optional<std::uint64_t> t3;
  friend bool operator==(const Sync&, const Sync&) = default;
};

struct Ping {
  friend bool operator==(const Ping&, const Ping&) = default;
};
struct Pong {
  friend bool operator==(const Pong&, const Pong&) = default;
};

struct Ack {
  std::optional<std::string> address;
  std::optional<std::uint64_t> revision;
  std::optional<bool> locked;
  std::optional<std::string> holder;
  std::optional<std::uint32_t> correlationId;
  friend bool operator==(const Ack&, const Ack&) = default;
};

struct ErrorMsg {
  std::uint16_t code = 0;
  std::string message;
  std::optional<std::string> address;
  std::optional<std::uint32_t> correlationId;
  friend bool operator==(const ErrorMsg&, const ErrorMsg&) = default;
};

struct Query {
  std::string pattern;
  friend bool operator==(const Query&, const Query&) = default;
};

struct QueryResult {
  std::vector<SignalDefinition> signals;
  friend bool operator==(const QueryResult&, const QueryResult&) = default;
};

using MessageVariant =
    std::variant<Hello, Welcome, Announce, FederationSync, Subscribe, Unsubscribe, Publish, Set,
                 Get, Snapshot, Replay, Bundle, Sync, Ping, Pong, Ack, ErrorMsg, Query, QueryResult>;

// Any one message. Derives from the variant so std::visit / std::get_if work.
struct Message : MessageVariant {
  using MessageVariant::MessageVariant;
  using MessageVariant::operator=;

  MessageType type() const;
  const MessageVariant& variant() const { return *this; }
  MessageVariant& variant() { return *this; }
  friend bool operator==(const Message& a, const Message& b) {
    return static_cast<const MessageVariant&>(a) == static_cast<const MessageVariant&>(b);
  }
};

inline bool operator==(const Bundle& a, const Bundle& b) {
  return a.timestamp == b.timestamp && a.messages == b.messages;
}

// The QoS the reference encoder uses for a message it originates (§1.6).
QoS defaultQos(const Message& m);

// Upper-case name of a message type ("SET"), for logs and v0 decoding.
const char* messageTypeName(MessageType t);

}  // namespace clasp
