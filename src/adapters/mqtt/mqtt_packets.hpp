// MQTT 3.1.1 / 5.0 packet types as plain structs: what the codec decodes from
// clients and encodes for them. Strings and binary fields are views into the
// bytes they were decoded from (the caller keeps those alive while using the
// packet), so decoding copies nothing but the small vectors of SUBSCRIBE and
// UNSUBSCRIBE. Errors carry the MQTT 5 reason code that applies, which a v3
// session maps to a CONNACK return code or a plain close.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace clasp::mqtt {

// The CONNECT protocol level byte.
enum class Version : std::uint8_t { V311 = 4, V5 = 5 };

enum class PacketType : std::uint8_t {
  Connect = 1,
  Connack = 2,
  Publish = 3,
  Puback = 4,
  Pubrec = 5,
  Pubrel = 6,
  Pubcomp = 7,
  Subscribe = 8,
  Suback = 9,
  Unsubscribe = 10,
  Unsuback = 11,
  Pingreq = 12,
  Pingresp = 13,
  Disconnect = 14,
  Auth = 15,
};

// MQTT 5.0 §2.4 reason codes. 0x00-0x02 double as granted QoS in SUBACK.
enum class ReasonCode : std::uint8_t {
  Success = 0x00,  // also Normal disconnection, Granted QoS 0
  GrantedQos1 = 0x01,
  GrantedQos2 = 0x02,
  DisconnectWithWill = 0x04,
  NoMatchingSubscribers = 0x10,
  NoSubscriptionExisted = 0x11,
  ContinueAuthentication = 0x18,
  ReAuthenticate = 0x19,
  UnspecifiedError = 0x80,
  MalformedPacket = 0x81,
  ProtocolError = 0x82,
  ImplementationSpecificError = 0x83,
  UnsupportedProtocolVersion = 0x84,
  ClientIdentifierNotValid = 0x85,
  BadUserNameOrPassword = 0x86,
  NotAuthorized = 0x87,
  ServerUnavailable = 0x88,
  ServerBusy = 0x89,
  Banned = 0x8A,
  ServerShuttingDown = 0x8B,
  BadAuthenticationMethod = 0x8C,
  KeepAliveTimeout = 0x8D,
  SessionTakenOver = 0x8E,
  TopicFilterInvalid = 0x8F,
  TopicNameInvalid = 0x90,
  PacketIdentifierInUse = 0x91,
  PacketIdentifierNotFound = 0x92,
  ReceiveMaximumExceeded = 0x93,
  TopicAliasInvalid = 0x94,
  PacketTooLarge = 0x95,
  MessageRateTooHigh = 0x96,
  QuotaExceeded = 0x97,
  AdministrativeAction = 0x98,
  PayloadFormatInvalid = 0x99,
  RetainNotSupported = 0x9A,
  QosNotSupported = 0x9B,
  UseAnotherServer = 0x9C,
  ServerMoved = 0x9D,
  SharedSubscriptionsNotSupported = 0x9E,
  ConnectionRateExceeded = 0x9F,
  MaximumConnectTime = 0xA0,
  SubscriptionIdentifiersNotSupported = 0xA1,
  WildcardSubscriptionsNotSupported = 0xA2,
};

// A client sent something the codec refuses. `code` is what a v5 server puts
// in its CONNACK/DISCONNECT (PacketTooLarge, MalformedPacket, ...); `reason`
// and `field` are static strings naming the rule and where it broke.
struct ProtocolError {
  ReasonCode code;
  const char* reason;
  const char* field = "";
};

template <class T>
using Parsed = std::expected<T, ProtocolError>;

using Bytes = std::span<const std::uint8_t>;

struct UserProperty {
  std::string_view key;
  std::string_view value;
  bool operator==(const UserProperty&) const = default;
};

// Every MQTT 5 property; which ones a packet may carry is checked on decode.
// Encoders write whatever is set. Empty in v3.1.1.
struct Properties {
  std::optional<std::uint8_t> payloadFormatIndicator;       // 0x01
  std::optional<std::uint32_t> messageExpiryInterval;       // 0x02
  std::optional<std::string_view> contentType;              // 0x03
  std::optional<std::string_view> responseTopic;            // 0x08
  std::optional<Bytes> correlationData;                     // 0x09
  std::vector<std::uint32_t> subscriptionIdentifiers;       // 0x0B
  std::optional<std::uint32_t> sessionExpiryInterval;       // 0x11
  std::optional<std::string_view> assignedClientIdentifier; // 0x12
  std::optional<std::uint16_t> serverKeepAlive;             // 0x13
  std::optional<std::string_view> authenticationMethod;     // 0x15
  std::optional<Bytes> authenticationData;                  // 0x16
  std::optional<std::uint8_t> requestProblemInformation;    // 0x17
  std::optional<std::uint32_t> willDelayInterval;           // 0x18
  std::optional<std::uint8_t> requestResponseInformation;   // 0x19
  std::optional<std::string_view> responseInformation;      // 0x1A
  std::optional<std::string_view> serverReference;          // 0x1C
  std::optional<std::string_view> reasonString;             // 0x1F
  std::optional<std::uint16_t> receiveMaximum;              // 0x21
  std::optional<std::uint16_t> topicAliasMaximum;           // 0x22
  std::optional<std::uint16_t> topicAlias;                  // 0x23
  std::optional<std::uint8_t> maximumQos;                   // 0x24
  std::optional<std::uint8_t> retainAvailable;              // 0x25
  std::vector<UserProperty> userProperties;                 // 0x26
  std::optional<std::uint32_t> maximumPacketSize;           // 0x27
  std::optional<std::uint8_t> wildcardSubscriptionAvailable;   // 0x28
  std::optional<std::uint8_t> subscriptionIdAvailable;         // 0x29
  std::optional<std::uint8_t> sharedSubscriptionAvailable;     // 0x2A
};

struct Will {
  std::string_view topic;
  Bytes payload;
  std::uint8_t qos = 0;
  bool retain = false;
  Properties properties;  // v5 will properties
};

struct Connect {
  Version version = Version::V311;
  bool cleanStart = false;  // v3 "clean session"
  std::uint16_t keepAlive = 0;
  std::string_view clientId;
  std::optional<Will> will;
  std::optional<std::string_view> username;
  std::optional<Bytes> password;
  Properties properties;
};

struct Publish {
  bool dup = false;
  std::uint8_t qos = 0;
  bool retain = false;
  std::string_view topic;  // may be empty in v5 when properties.topicAlias is set
  std::uint16_t packetId = 0;  // only for qos > 0
  Bytes payload;
  Properties properties;
};

// PUBACK, PUBREC, PUBREL and PUBCOMP share one shape.
struct PubAck {
  PacketType type = PacketType::Puback;
  std::uint16_t packetId = 0;
  ReasonCode reason = ReasonCode::Success;
  Properties properties;
};

struct Subscription {
  std::string_view filter;
  std::uint8_t qos = 0;
  bool noLocal = false;            // v5
  bool retainAsPublished = false;  // v5
  std::uint8_t retainHandling = 0; // v5, 0..2
};

struct Subscribe {
  std::uint16_t packetId = 0;
  std::vector<Subscription> subscriptions;
  Properties properties;
};

struct Unsubscribe {
  std::uint16_t packetId = 0;
  std::vector<std::string_view> filters;
  Properties properties;
};

struct Pingreq {};

struct Disconnect {
  ReasonCode reason = ReasonCode::Success;
  Properties properties;
};

struct Auth {
  ReasonCode reason = ReasonCode::Success;
  Properties properties;
};

// Server -> client packets that have no client -> server twin.
struct Connack {
  bool sessionPresent = false;
  ReasonCode reason = ReasonCode::Success;  // v3: mapped by connackReturnCodeV3
  Properties properties;
};

struct Suback {
  std::uint16_t packetId = 0;
  std::vector<ReasonCode> reasons;  // v3: 0, 1, 2 or 0x80 (any failure)
  Properties properties;
};

struct Unsuback {
  std::uint16_t packetId = 0;
  std::vector<ReasonCode> reasons;  // v5 only; v3 UNSUBACK has no payload
  Properties properties;
};

}  // namespace clasp::mqtt
