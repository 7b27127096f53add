// The value model and its wire form (protocol.md §4): widening of every
// integer and float width, int/float kept apart, order-insensitive map
// equality, duplicate keys (later wins), and the 32-level nesting limit (D-4).
#include <gtest/gtest.h>

#include <cmath>

#include "core/codec.hpp"
#include "core/value_codec.hpp"
#include "spec_vectors.hpp"

namespace clasp {
namespace {

using test::ByteVec;
using test::fromHex;

Result<Value> decodeTyped(const ByteVec& bytes) {
  wire::Reader r(bytes);
  Value v = codec::readTypedValue(r);
  if (!r.ok()) return fail(Errc::BadMessage, r.describeFailure());
  return v;
}

TEST(Value, KindsStayDistinct) {
  EXPECT_FALSE(Value(std::int64_t{1}) == Value(1.0));
  EXPECT_TRUE(Value(std::int64_t{1}) == Value(1));
  EXPECT_FALSE(Value() == Value(false));
  EXPECT_FALSE(Value("a") == Value(Bytes{'a'}));
  double nan = std::nan("");
  EXPECT_TRUE(Value(nan) == Value(nan));
  EXPECT_TRUE(Value(0.0) == Value(-0.0));
}

TEST(Value, MapEqualityIgnoresOrder) {
  Value a(Map{MapEntry{"x", 1}, MapEntry{"y", 2}});
  Value b(Map{MapEntry{"y", 2}, MapEntry{"x", 1}});
  Value c(Map{MapEntry{"y", 2}, MapEntry{"x", 3}});
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(a == c);
  EXPECT_EQ(*a.find("y")->asInt(), 2);
  EXPECT_EQ(a.find("z"), nullptr);
}

TEST(Value, EveryWidthDecodesAndWidens) {
  EXPECT_TRUE(*decodeTyped(fromHex("02 80")) == Value(std::int64_t{-128}));
  EXPECT_TRUE(*decodeTyped(fromHex("03 80 00")) == Value(std::int64_t{-32768}));
  EXPECT_TRUE(*decodeTyped(fromHex("04 80 00 00 00")) == Value(std::int64_t{INT32_MIN}));
  EXPECT_TRUE(*decodeTyped(fromHex("05 80 00 00 00 00 00 00 00")) == Value(std::int64_t{INT64_MIN}));
  EXPECT_TRUE(*decodeTyped(fromHex("06 3f c0 00 00")) == Value(1.5));
  EXPECT_TRUE(*decodeTyped(fromHex("07 7f f0 00 00 00 00 00 00")) == Value(INFINITY));
  EXPECT_TRUE(*decodeTyped(fromHex("01 02")) == Value(true));  // any non-zero byte is true
  EXPECT_TRUE(*decodeTyped(fromHex("09 00 00")) == Value(Bytes{}));
}

TEST(Value, EncoderEmitsWidestForms) {
  OutBuffer b;
  ASSERT_TRUE(codec::writeTypedValue(b, Value(std::int64_t{-1})));
  EXPECT_EQ(test::toHex(b.data(), b.size()), "05 ff ff ff ff ff ff ff ff");
}

TEST(Value, DuplicateMapKeyLaterWins) {
  auto v = decodeTyped(fromHex("0b 00 02 00 01 6b 07 3f f0 00 00 00 00 00 00 00 01 6b 08 00 01 7a"));
  ASSERT_TRUE(v);
  ASSERT_EQ(v->asMap()->size(), 1u);
  EXPECT_TRUE(*v->find("k") == Value("z"));
}

TEST(Value, LargeMapWithDuplicatesDedupesInLinearTime) {
  // 16 000 entries over 100 distinct keys: a quadratic dedupe would take
  // seconds here; the result keeps first positions and last values.
  Map m;
  for (int i = 0; i < 16000; ++i) {
    std::string key(1, 'k');  // not "k" + ...: GCC 12 -O3 raises a false -Wrestrict there
    key += std::to_string(i % 100);
    m.push_back(MapEntry{std::move(key), i});
  }
  dedupeMapKeys(m);
  ASSERT_EQ(m.size(), 100u);
  EXPECT_EQ(m[0].key, "k0");
  EXPECT_TRUE(m[0].value == Value(15900));
  EXPECT_EQ(m[99].key, "k99");
  EXPECT_TRUE(m[99].value == Value(15999));
}

ByteVec nestedArrays(int depth) {
  ByteVec b;
  for (int i = 0; i < depth; ++i) b.insert(b.end(), {0x0a, 0x00, 0x01});
  b.push_back(0x00);  // innermost null
  return b;
}

ByteVec nestedMaps(int depth) {
  ByteVec b;
  for (int i = 0; i < depth; ++i) b.insert(b.end(), {0x0b, 0x00, 0x01, 0x00, 0x01, 'k'});
  b.push_back(0x00);
  return b;
}

TEST(Value, NestingLimitIs32) {
  EXPECT_TRUE(decodeTyped(nestedArrays(32)).has_value());
  EXPECT_TRUE(decodeTyped(nestedMaps(32)).has_value());
  auto deepA = decodeTyped(nestedArrays(33));
  ASSERT_FALSE(deepA);
  EXPECT_NE(deepA.error().message.find("nesting deeper than 32"), std::string::npos);
  EXPECT_FALSE(decodeTyped(nestedMaps(33)).has_value());
  // The reference overflows its stack at ~20 000 levels; we stop at 33.
  EXPECT_FALSE(decodeTyped(nestedArrays(20000)).has_value());
}

TEST(Value, NestingLimitInsideMessages) {
  ByteVec set = {0x21, 0x0a, 0x00, 0x02, '/', 'a', 0x00, 0x01};
  ByteVec tail = nestedArrays(32);  // 32 more inside the SET's own array = 33
  set.insert(set.end(), tail.begin(), tail.end());
  auto r = decodeMessage(set);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::BadMessage);
}

TEST(Value, EncoderRejectsOversizedContainers) {
  OutBuffer b;
  EXPECT_FALSE(codec::writeTypedValue(b, Value(std::string(70000, 'x'))));
  EXPECT_FALSE(codec::writeTypedValue(b, Value(Array(70000))));
  auto r = encodePayload(Message(Set{"/a", Value(Bytes(70000)), {}, false, false, {}}), b);
  EXPECT_FALSE(r);
}

TEST(Value, DebugString) {
  Value v(Map{MapEntry{"a", Array{1, 2.5, "s", Value(), true, Bytes{0xab}}}});
  EXPECT_EQ(toDebugString(v), "{a: [1, 2.5f, \"s\", null, true, b'ab']}");
}

TEST(Ttl, RawForms) {
  EXPECT_EQ(Ttl::fromRaw(0).kind, Ttl::Kind::Never);
  EXPECT_EQ(Ttl::fromRaw(60), (Ttl{Ttl::Kind::Sliding, 60}));
  EXPECT_EQ(Ttl::fromRaw(0x80000000u), (Ttl{Ttl::Kind::Absolute, 0}));
  EXPECT_EQ((Ttl{Ttl::Kind::Absolute, 300}).raw(), 0x8000012cu);
  EXPECT_EQ((Ttl{Ttl::Kind::Sliding, 0xFFFFFFFFu}).raw(), 0x7FFFFFFFu);  // masked to 31 bits
}

}  // namespace
}  // namespace clasp
