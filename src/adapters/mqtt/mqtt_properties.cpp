// MQTT 5 properties (MQTT 5.0 §2.2.2): the property block reader with its
// per-packet allow lists, duplicate and value checks, and the writer. Also the
// varint and length-prefix helpers of mqtt_wire.hpp. Unknown or misplaced ids
// are Malformed Packet; repeats and out-of-range values are Protocol Error.
#include <cstring>

#include "adapters/mqtt/mqtt_wire.hpp"

namespace clasp::mqtt::detail {

std::uint32_t Reader::varint(const char* field) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    if (!need(1, field)) return 0;
    const std::uint8_t b = *p_++;
    // A zero continuation byte means the sender did not use the fewest bytes.
    if (i > 0 && b == 0) {
      fail(ReasonCode::MalformedPacket, "non-minimal variable byte integer", field);
      return 0;
    }
    v |= std::uint32_t{b & 0x7Fu} << (7 * i);
    if ((b & 0x80) == 0) return v;
  }
  fail(ReasonCode::MalformedPacket, "variable byte integer longer than 4 bytes", field);
  return 0;
}

void Writer::closeLength(std::size_t at) {
  const std::size_t len = out_.size() - at - 4;
  if (len > 268'435'455) {
    ok_ = false;
    return;
  }
  const auto v = static_cast<std::uint32_t>(len);
  const std::size_t n = varintSize(v);
  std::uint8_t* p = out_.data() + at;
  std::uint32_t rest = v;
  for (std::size_t i = 0; i < n; ++i) {
    p[i] = static_cast<std::uint8_t>((rest & 0x7F) | (i + 1 < n ? 0x80 : 0));
    rest >>= 7;
  }
  if (n != 4) {
    std::memmove(p + n, p + 4, len);
    out_.truncate(out_.size() - (4 - n));
  }
}

namespace {

// One property value into its slot; false when it was already set.
template <class T>
bool setOnce(std::optional<T>& slot, T v) {
  if (slot) return false;
  slot = v;
  return true;
}

bool isFlag(std::uint8_t v) { return v == 0 || v == 1; }

}  // namespace

void readProperties(Reader& r, Properties& props, std::uint64_t allowed) {
  const std::uint32_t len = r.varint("property length");
  if (!r.ok()) return;
  Bytes block = r.take(len, "properties");
  if (!r.ok()) return;
  Reader pr(block);
  while (pr.ok() && pr.remaining() > 0) {
    const std::uint32_t id = pr.varint("property identifier");
    if (!pr.ok()) break;
    if (id >= 64 || (allowed & bit(id)) == 0) {
      // A subscription identifier from a client PUBLISH is a named protocol error.
      if (id == 0x0B)
        pr.fail(ReasonCode::ProtocolError, "property not allowed here", "subscription identifier");
      else
        pr.fail(ReasonCode::MalformedPacket, "property not allowed in this packet", "property");
      break;
    }
    bool once = true;
    const char* field = "property";
    auto check = [&](bool good, const char* name) {
      if (!good && pr.ok()) pr.fail(ReasonCode::ProtocolError, "property value out of range", name);
    };
    switch (id) {
      case 0x01:
        field = "payload format indicator";
        once = setOnce(props.payloadFormatIndicator, pr.u8(field));
        check(isFlag(*props.payloadFormatIndicator), field);
        break;
      case 0x02:
        field = "message expiry interval";
        once = setOnce(props.messageExpiryInterval, pr.u32(field));
        break;
      case 0x03:
        field = "content type";
        once = setOnce(props.contentType, pr.string(field));
        break;
      case 0x08:
        field = "response topic";
        once = setOnce(props.responseTopic, pr.string(field));
        if (pr.ok() && !isValidTopicName(*props.responseTopic))
          pr.fail(ReasonCode::ProtocolError, "wildcard or empty topic", field);
        break;
      case 0x09:
        field = "correlation data";
        once = setOnce(props.correlationData, pr.binary(field));
        break;
      case 0x0B: {
        field = "subscription identifier";
        const std::uint32_t v = pr.varint(field);
        once = props.subscriptionIdentifiers.empty();
        props.subscriptionIdentifiers.push_back(v);
        check(v != 0, field);
        break;
      }
      case 0x11:
        field = "session expiry interval";
        once = setOnce(props.sessionExpiryInterval, pr.u32(field));
        break;
      case 0x15:
        field = "authentication method";
        once = setOnce(props.authenticationMethod, pr.string(field));
        break;
      case 0x16:
        field = "authentication data";
        once = setOnce(props.authenticationData, pr.binary(field));
        break;
      case 0x17:
        field = "request problem information";
        once = setOnce(props.requestProblemInformation, pr.u8(field));
        check(isFlag(*props.requestProblemInformation), field);
        break;
      case 0x18:
        field = "will delay interval";
        once = setOnce(props.willDelayInterval, pr.u32(field));
        break;
      case 0x19:
        field = "request response information";
        once = setOnce(props.requestResponseInformation, pr.u8(field));
        check(isFlag(*props.requestResponseInformation), field);
        break;
      case 0x1C:
        field = "server reference";
        once = setOnce(props.serverReference, pr.string(field));
        break;
      case 0x1F:
        field = "reason string";
        once = setOnce(props.reasonString, pr.string(field));
        break;
      case 0x21:
        field = "receive maximum";
        once = setOnce(props.receiveMaximum, pr.u16(field));
        check(*props.receiveMaximum != 0, field);
        break;
      case 0x22:
        field = "topic alias maximum";
        once = setOnce(props.topicAliasMaximum, pr.u16(field));
        break;
      case 0x23:
        field = "topic alias";
        once = setOnce(props.topicAlias, pr.u16(field));
        check(*props.topicAlias != 0, field);
        break;
      case 0x26: {
        const std::string_view k = pr.string("user property name");
        const std::string_view v = pr.string("user property value");
        props.userProperties.push_back(UserProperty{k, v});
        break;
      }
      case 0x27:
        field = "maximum packet size";
        once = setOnce(props.maximumPacketSize, pr.u32(field));
        check(*props.maximumPacketSize != 0, field);
        break;
      default:  // server -> client only ids never reach here: no context allows them
        pr.fail(ReasonCode::MalformedPacket, "property not allowed in this packet", "property");
        break;
    }
    if (!once && pr.ok()) pr.fail(ReasonCode::ProtocolError, "property appears twice", field);
  }
  if (!pr.ok()) r.fail(pr.error().code, pr.error().reason, pr.error().field);
}

void writeProperties(Writer& w, const Properties& p) {
  const std::size_t at = w.openLength();
  auto id = [&](std::uint8_t v) { w.u8(v); };
  if (p.payloadFormatIndicator) id(0x01), w.u8(*p.payloadFormatIndicator);
  if (p.messageExpiryInterval) id(0x02), w.u32(*p.messageExpiryInterval);
  if (p.contentType) id(0x03), w.string(*p.contentType);
  if (p.responseTopic) id(0x08), w.string(*p.responseTopic);
  if (p.correlationData) id(0x09), w.binary(*p.correlationData);
  for (std::uint32_t s : p.subscriptionIdentifiers) id(0x0B), w.varint(s);
  if (p.sessionExpiryInterval) id(0x11), w.u32(*p.sessionExpiryInterval);
  if (p.assignedClientIdentifier) id(0x12), w.string(*p.assignedClientIdentifier);
  if (p.serverKeepAlive) id(0x13), w.u16(*p.serverKeepAlive);
  if (p.authenticationMethod) id(0x15), w.string(*p.authenticationMethod);
  if (p.authenticationData) id(0x16), w.binary(*p.authenticationData);
  if (p.requestProblemInformation) id(0x17), w.u8(*p.requestProblemInformation);
  if (p.willDelayInterval) id(0x18), w.u32(*p.willDelayInterval);
  if (p.requestResponseInformation) id(0x19), w.u8(*p.requestResponseInformation);
  if (p.responseInformation) id(0x1A), w.string(*p.responseInformation);
  if (p.serverReference) id(0x1C), w.string(*p.serverReference);
  if (p.reasonString) id(0x1F), w.string(*p.reasonString);
  if (p.receiveMaximum) id(0x21), w.u16(*p.receiveMaximum);
  if (p.topicAliasMaximum) id(0x22), w.u16(*p.topicAliasMaximum);
  if (p.topicAlias) id(0x23), w.u16(*p.topicAlias);
  if (p.maximumQos) id(0x24), w.u8(*p.maximumQos);
  if (p.retainAvailable) id(0x25), w.u8(*p.retainAvailable);
  for (const UserProperty& u : p.userProperties) id(0x26), w.string(u.key), w.string(u.value);
  if (p.maximumPacketSize) id(0x27), w.u32(*p.maximumPacketSize);
  if (p.wildcardSubscriptionAvailable) id(0x28), w.u8(*p.wildcardSubscriptionAvailable);
  if (p.subscriptionIdAvailable) id(0x29), w.u8(*p.subscriptionIdAvailable);
  if (p.sharedSubscriptionAvailable) id(0x2A), w.u8(*p.sharedSubscriptionAvailable);
  w.closeLength(at);
}

}  // namespace clasp::mqtt::detail
