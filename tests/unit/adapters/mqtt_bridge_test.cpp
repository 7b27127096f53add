// The MQTT <-> CLASP mapping (router.md R9.4, R9.5 with D-28): topics and
// filters to addresses and patterns, the namespace stripped only at a segment
// boundary, payloads to values and back, byte for byte.
#include <gtest/gtest.h>

#include <cmath>

#include "adapters/mqtt/mqtt_bridge.hpp"

namespace clasp::mqtt {
namespace {

std::string out(const Value& v) {
  OutBuffer b;
  appendPayload(b, v);
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

TEST(MqttBridge, TopicsMapUnderTheNamespace) {
  EXPECT_EQ(topicToAddress("/mqtt", "sensors/temp"), "/mqtt/sensors/temp");
  EXPECT_EQ(topicToAddress("/", "a/b"), "/a/b");
  EXPECT_EQ(topicToAddress("/mqtt", "$SYS/x"), "/mqtt/$SYS/x");
  // Not a CLASP address: empty levels, '*'.
  EXPECT_FALSE(topicToAddress("/mqtt", "a//b"));
  EXPECT_FALSE(topicToAddress("/mqtt", "/a"));
  EXPECT_FALSE(topicToAddress("/mqtt", "a/"));
  EXPECT_FALSE(topicToAddress("/mqtt", "a*b"));
}

TEST(MqttBridge, FiltersBecomePatterns) {
  EXPECT_EQ(filterToPattern("/mqtt", "sensors/+/temp"), "/mqtt/sensors/*/temp");
  EXPECT_EQ(filterToPattern("/mqtt", "sensors/#"), "/mqtt/sensors/**");
  EXPECT_EQ(filterToPattern("/mqtt", "#"), "/mqtt/**");
  EXPECT_EQ(filterToPattern("/mqtt", "+"), "/mqtt/*");
  EXPECT_EQ(filterToPattern("/", "a/+"), "/a/*");
  EXPECT_FALSE(filterToPattern("/mqtt", "a//b"));
}

TEST(MqttBridge, NamespaceStrippedAtASegmentBoundaryOnly) {
  EXPECT_EQ(addressToTopic("/mqtt", "/mqtt/a/b"), "a/b");
  EXPECT_FALSE(addressToTopic("/mqtt", "/mqttx/a"));
  EXPECT_FALSE(addressToTopic("/mqtt", "/mqtt"));
  EXPECT_FALSE(addressToTopic("/mqtt", "/other/a"));
  EXPECT_EQ(addressToTopic("/devices", "/devices/x"), "x");
  EXPECT_EQ(addressToTopic("/", "/x/y"), "x/y");
  EXPECT_EQ(addressToTopic("/a/b", "/a/b/c"), "c");
  EXPECT_FALSE(addressToTopic("/a/b", "/a/bc"));
}

TEST(MqttBridge, PayloadsBecomeValuesJsonFirst) {
  EXPECT_EQ(payloadToValue("42"), Value(std::int64_t{42}));
  EXPECT_EQ(payloadToValue("-7"), Value(std::int64_t{-7}));
  EXPECT_EQ(payloadToValue("42.5"), Value(42.5));
  EXPECT_EQ(payloadToValue("true"), Value(true));
  EXPECT_EQ(payloadToValue("false"), Value(false));
  EXPECT_EQ(payloadToValue("null"), Value());
  EXPECT_EQ(payloadToValue("\"x\""), Value("x"));
  EXPECT_EQ(payloadToValue("[1,\"a\"]"), Value(Array{Value(1), Value("a")}));
  EXPECT_EQ(payloadToValue("{\"k\":{\"n\":1}}"), Value(Map{MapEntry{"k", Value(Map{MapEntry{"n", Value(1)}})}}));
  // Beyond i64: a float.
  EXPECT_EQ(payloadToValue("18446744073709551615"), Value(18446744073709551615.0));
  EXPECT_EQ(payloadToValue("9223372036854775807"), Value(std::int64_t{9223372036854775807}));
  // Not JSON but a float the text spells.
  EXPECT_TRUE(std::isnan(*payloadToValue("NaN").asFloat()));
  EXPECT_EQ(payloadToValue("inf"), Value(INFINITY));
  EXPECT_EQ(payloadToValue("-inf"), Value(-INFINITY));
  // Text, including what only looks numeric.
  EXPECT_EQ(payloadToValue("hello"), Value("hello"));
  EXPECT_EQ(payloadToValue(" 1x"), Value(" 1x"));
  EXPECT_EQ(payloadToValue("0x10"), Value("0x10"));
  EXPECT_EQ(payloadToValue(""), Value(""));
  // Not UTF-8: bytes.
  EXPECT_EQ(payloadToValue(std::string_view("\xff\x00\x01", 3)), Value(Bytes{0xff, 0x00, 0x01}));
  // Deeper than a CLASP value may be: kept as text.
  std::string deep(40, '[');
  deep += std::string(40, ']');
  EXPECT_EQ(payloadToValue(deep), Value(deep));
}

TEST(MqttBridge, ValuesBecomePayloads) {
  EXPECT_EQ(out(Value()), "null");
  EXPECT_EQ(out(Value(true)), "true");
  EXPECT_EQ(out(Value(false)), "false");
  EXPECT_EQ(out(Value(std::int64_t{-12})), "-12");
  EXPECT_EQ(out(Value(1.0)), "1");
  EXPECT_EQ(out(Value(0.1)), "0.1");
  EXPECT_EQ(out(Value(1e21)), "1000000000000000000000");
  EXPECT_EQ(out(Value(1.5e-7)), "0.00000015");
  EXPECT_EQ(out(Value(NAN)), "NaN");
  EXPECT_EQ(out(Value(INFINITY)), "inf");
  EXPECT_EQ(out(Value(-INFINITY)), "-inf");
  EXPECT_EQ(out(Value("raw text")), "raw text");
  EXPECT_EQ(out(Value(Bytes{1, 2, 255})), std::string("\x01\x02\xff", 3));
  EXPECT_EQ(out(Value(Array{Value(1), Value(Bytes{7}), Value(NAN)})), "[1,[7],null]");
  EXPECT_EQ(out(Value(Map{MapEntry{"a", Value(2.5)}})), "{\"a\":2.5}");
}

}  // namespace
}  // namespace clasp::mqtt
