// Unit tests of the OSC front door's pure parts: the datagram decoder (R10.3
// type tags, bundles, malformed input), the value -> OSC builder (R10.4,
// checked with liblo's own decoder), address and time tag mapping, and the
// --osc-allow policy (D-18).
#include <bit>
#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <lo/lo.h>

#include "adapters/osc/osc_allow.hpp"
#include "adapters/osc/osc_codec.hpp"

namespace clasp::osc {
namespace {

using B = std::vector<std::uint8_t>;

// A tiny OSC writer for the tests (independent of the code under test).
struct W {
  B b;
  W& str(std::string_view s) {
    b.insert(b.end(), s.begin(), s.end());
    b.push_back(0);
    while (b.size() % 4) b.push_back(0);
    return *this;
  }
  W& u32(std::uint32_t v) {
    for (int i = 3; i >= 0; --i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return *this;
  }
  W& u64(std::uint64_t v) { return u32(static_cast<std::uint32_t>(v >> 32)).u32(static_cast<std::uint32_t>(v)); }
  W& raw(const B& x) {
    b.insert(b.end(), x.begin(), x.end());
    return *this;
  }
  W& element(const B& x) { return u32(static_cast<std::uint32_t>(x.size())).raw(x); }
};

B bundle(std::uint64_t tag, std::initializer_list<B> elements) {
  W w;
  w.str("#bundle").u64(tag);
  for (const B& e : elements) w.element(e);
  return w.b;
}

Value one(const B& datagram) {
  auto p = parsePacket(datagram);
  EXPECT_TRUE(p) << (p ? "" : p.error().message);
  if (!p || p->messages.size() != 1) return Value("<no message>");
  return argsToValue(p->messages[0].args);
}

TEST(OscDecode, EachTypeTag) {
  EXPECT_EQ(one(W().str("/a").str(",i").u32(0xFFFFFFFE).b), Value(-2));
  EXPECT_EQ(one(W().str("/a").str(",h").u64(0x100000000ull).b), Value(std::int64_t{0x100000000}));
  EXPECT_EQ(one(W().str("/a").str(",f").u32(std::bit_cast<std::uint32_t>(0.5f)).b), Value(0.5));
  EXPECT_EQ(one(W().str("/a").str(",d").u64(std::bit_cast<std::uint64_t>(0.1)).b), Value(0.1));
  EXPECT_EQ(one(W().str("/a").str(",s").str("hello").b), Value("hello"));
  EXPECT_EQ(one(W().str("/a").str(",S").str("sym").b), Value("sym"));
  EXPECT_EQ(one(W().str("/a").str(",c").u32('A').b), Value("A"));
  EXPECT_EQ(one(W().str("/a").str(",c").u32(0xE9).b), Value("\xC3\xA9"));  // é as UTF-8
  EXPECT_EQ(one(W().str("/a").str(",b").u32(3).raw({1, 2, 3, 0}).b), Value(Bytes{1, 2, 3}));
  EXPECT_EQ(one(W().str("/a").str(",T").b), Value(true));
  EXPECT_EQ(one(W().str("/a").str(",F").b), Value(false));
  EXPECT_EQ(one(W().str("/a").str(",N").b), Value());
  EXPECT_EQ(one(W().str("/a").str(",I").b), Value(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(one(W().str("/a").str(",t").u64(12345).b), Value());
  EXPECT_EQ(one(W().str("/a").str(",r").u32(0x11223344).b), Value(Array{0x11, 0x22, 0x33, 0x44}));
  EXPECT_EQ(one(W().str("/a").str(",m").u32(0x00903C7F).b), Value(Array{0, 0x90, 0x3C, 0x7F}));
}

TEST(OscDecode, ArgumentCountsAndArrays) {
  EXPECT_EQ(one(W().str("/a").str(",").b), Value());
  EXPECT_EQ(one(W().str("/a").b), Value());  // OSC 1.0: no type tag string at all
  EXPECT_EQ(one(W().str("/a").str(",is").u32(1).str("x").b), Value(Array{1, "x"}));
  EXPECT_EQ(one(W().str("/a").str(",[ii]").u32(1).u32(2).b), Value(Array{1, 2}));
  EXPECT_EQ(one(W().str("/a").str(",i[i[T]]").u32(1).u32(2).b),
            Value(Array{1, Value(Array{2, Value(Array{true})})}));
  EXPECT_EQ(one(W().str("/a").str(",[]").b), Value(Array{}));
}

TEST(OscDecode, NonUtf8StringBecomesBytes) {
  EXPECT_EQ(one(W().str("/a").str(",s").str("\xFF\xFE").b), Value(Bytes{0xFF, 0xFE}));
}

TEST(OscDecode, Malformed) {
  const std::vector<B> bad = {
      {},
      {'/', 'a', 0},                                             // not a multiple of 4
      W().str("/a").str(",i").b,                                 // missing int
      W().str("/a").str(",h").u32(1).b,                          // truncated int64
      W().str("/a").str(",s").b,                                 // missing string
      W().str("/a").str(",x").b,                                 // unknown tag
      W().str("/a").str(",[i").u32(1).b,                         // unclosed array
      W().str("/a").str(",]").b,                                 // stray ]
      W().str("/a").str("i").u32(1).b,                           // no ','
      W().str("a").str(",").b,                                   // address without '/'
      W().str("/a").str(",b").u32(100).raw({1, 2, 3, 4}).b,      // blob longer than the datagram
      W().str("/a").str(",b").u32(0x80000000u).b,                // negative blob size
      W().str("/a").str(",i").u32(1).u32(2).b,                   // trailing bytes
      W().str("/\xFF").str(",").b,                               // address not UTF-8
      {'/', 'a', 'b', 'c'},                                      // unterminated address
      W().str("#bundle").b,                                      // no time tag
      W().str("#bundle").u64(1).u32(8).b,                        // element size beyond the end
      W().str("#bundle").u64(1).u32(6).raw({'/', 'a', 0, 0, 0, 0}).b,  // size not a multiple of 4
      W().str("#bundle").u64(1).u32(0).b,                        // zero size
      W().str("#bundle").u64(1).element(W().str("/a").str(",i").b).b,  // bad message inside
      W().str("#bundlx").u64(1).b,                               // not a bundle
  };
  for (std::size_t i = 0; i < bad.size(); ++i) {
    auto p = parsePacket(bad[i]);
    EXPECT_FALSE(p) << "case " << i;
    if (!p) {
      EXPECT_EQ(p.error().code, Errc::BadMessage);
    }
  }
}

TEST(OscDecode, ArraysNestedTooDeep) {
  std::string tags = ",";
  tags.append(40, '[');
  tags.append(40, ']');
  EXPECT_FALSE(parsePacket(W().str("/a").str(tags).b));
}

TEST(OscDecode, BundlesFlattenWithEffectiveTimeTags) {
  const std::uint64_t t1 = microsToTimeTag(2'000'000'000'000'000ull);
  const std::uint64_t t2 = t1 + (1ull << 32);
  B inner = bundle(t2, {W().str("/c").str(",i").u32(3).b});
  B early = bundle(1, {W().str("/d").str(",").b});  // "immediately" inside: the parent's time
  B outer = bundle(t1, {W().str("/a").str(",i").u32(1).b, inner, W().str("/b").str(",").b, early});
  auto p = parsePacket(outer);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(p->bundle);
  ASSERT_EQ(p->messages.size(), 4u);
  EXPECT_EQ(p->messages[0].address, "/a");
  EXPECT_EQ(p->messages[0].timeTag, t1);
  EXPECT_EQ(p->messages[1].address, "/c");
  EXPECT_EQ(p->messages[1].timeTag, t2);
  EXPECT_EQ(p->messages[2].address, "/b");
  EXPECT_EQ(p->messages[3].address, "/d");
  EXPECT_EQ(p->messages[3].timeTag, t1);
  // An empty bundle is a bundle with nothing in it.
  auto empty = parsePacket(bundle(1, {}));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->bundle);
  EXPECT_TRUE(empty->messages.empty());
}

TEST(OscDecode, BundleDepthLimit) {
  B b = W().str("/a").str(",").b;
  for (int i = 0; i < kMaxBundleDepth; ++i) b = bundle(1, {b});
  EXPECT_TRUE(parsePacket(b));
  EXPECT_FALSE(parsePacket(bundle(1, {b})));
}

TEST(OscTime, Conversions) {
  EXPECT_EQ(timeTagToMicros(0), std::nullopt);
  EXPECT_EQ(timeTagToMicros(1), std::nullopt);
  EXPECT_EQ(timeTagToMicros(std::uint64_t{100} << 32), std::nullopt);  // 1900: past
  EXPECT_EQ(timeTagToMicros(std::uint64_t{2'208'988'800} << 32), 0u);
  EXPECT_EQ(timeTagToMicros((std::uint64_t{2'208'988'801} << 32) | 0x80000000u), 1'500'000u);
  for (std::uint64_t us : {0ull, 1ull, 999'999ull, 1'700'000'000'123'456ull})
    EXPECT_EQ(timeTagToMicros(microsToTimeTag(us)).value_or(0), us);
}

TEST(OscAddress, NamespaceMapping) {
  EXPECT_EQ(toClaspAddress("/osc", "/synth/volume"), "/osc/synth/volume");
  EXPECT_EQ(toClaspAddress("/osc", "/"), "/osc");
  EXPECT_EQ(toClaspAddress("/", "/x"), "/x");
  EXPECT_EQ(toClaspAddress("/stage/a", "/dimmer"), "/stage/a/dimmer");
  EXPECT_EQ(toOscAddress("/osc", "/osc/synth/volume"), "/synth/volume");
  EXPECT_EQ(toOscAddress("/osc", "/osc"), "/");
  EXPECT_EQ(toOscAddress("/osc", "/oscillator/x"), "/oscillator/x");  // R10.4 Fix
  EXPECT_EQ(toOscAddress("/osc", "/mqtt/sensors/t"), "/mqtt/sensors/t");
  EXPECT_EQ(toOscAddress("/", "/a/b"), "/a/b");
  EXPECT_EQ(toOscAddress("/stage", "/stage/dimmer"), "/dimmer");
}

// Decodes what buildMessage wrote with liblo itself: address and type tags.
std::pair<std::string, std::string> viaLiblo(const B& bytes) {
  int result = 0;
  B copy = bytes;
  lo_message m = lo_message_deserialise(copy.data(), copy.size(), &result);
  if (!m) return {"<liblo error " + std::to_string(result) + ">", ""};
  char* path = lo_get_path(copy.data(), static_cast<ssize_t>(copy.size()));
  std::pair<std::string, std::string> out{path ? path : "", lo_message_get_types(m)};
  lo_message_free(m);
  return out;
}

std::string tagsOf(const Value& v) {
  B out;
  auto ok = buildMessage("/x", v, out);
  EXPECT_TRUE(ok);
  return viaLiblo(out).second;
}

TEST(OscEncode, TypeTagsPerR10_4) {
  EXPECT_EQ(tagsOf(Value()), "N");
  EXPECT_EQ(tagsOf(Value(true)), "T");
  EXPECT_EQ(tagsOf(Value(false)), "F");
  EXPECT_EQ(tagsOf(Value(7)), "i");
  EXPECT_EQ(tagsOf(Value(std::int64_t{-2147483648})), "i");
  EXPECT_EQ(tagsOf(Value(std::int64_t{2147483648})), "h");
  EXPECT_EQ(tagsOf(Value(0.25)), "f");
  EXPECT_EQ(tagsOf(Value("s")), "s");
  EXPECT_EQ(tagsOf(Value(Bytes{1, 2, 3})), "b");
  EXPECT_EQ(tagsOf(Value(Array{1, Value(Array{2.5, "x"}), Value()})), "ifsN");
  EXPECT_EQ(tagsOf(Value(Array{})), "");
  Map m;
  mapSet(m, "k", Value(1));
  EXPECT_EQ(tagsOf(Value(m)), "s");
}

TEST(OscEncode, RoundTripThroughOurDecoder) {
  B out;
  ASSERT_TRUE(buildMessage("/synth/volume", Value(Array{1, 0.5, "x", Value(Bytes{9}), true, Value()}), out));
  EXPECT_EQ(viaLiblo(out).first, "/synth/volume");
  auto p = parsePacket(out);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->messages[0].address, "/synth/volume");
  EXPECT_EQ(argsToValue(p->messages[0].args), Value(Array{1, 0.5, "x", Value(Bytes{9}), true, Value()}));
}

TEST(OscEncode, TooLargeForADatagram) {
  B out;
  EXPECT_FALSE(buildMessage("/x", Value(std::string(70000, 'a')), out));
  EXPECT_TRUE(out.empty());
}

TEST(OscEncode, MapsAsJson) {
  Map inner;
  mapSet(inner, "b", Value(Bytes{1, 2}));
  Map m;
  mapSet(m, "z", Value(1));
  mapSet(m, "a", Value(std::nan("")));
  mapSet(m, "q", Value(inner));
  EXPECT_EQ(valueToJson(Value(m)), R"({"z":1,"a":null,"q":{"b":[1,2]}})");
}

TEST(OscAllow, OpenModeAllowsEveryone) {
  auto a = AllowList::build({}, false);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->allows(boost::asio::ip::make_address("203.0.113.9")));
}

TEST(OscAllow, AuthDefaultsToLoopback) {
  auto a = AllowList::build({}, true);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->allows(boost::asio::ip::make_address("127.0.0.1")));
  EXPECT_TRUE(a->allows(boost::asio::ip::make_address("127.9.9.9")));
  EXPECT_TRUE(a->allows(boost::asio::ip::make_address("::1")));
  EXPECT_TRUE(a->allows(boost::asio::ip::make_address("::ffff:127.0.0.1")));
  EXPECT_FALSE(a->allows(boost::asio::ip::make_address("192.168.1.2")));
  EXPECT_FALSE(a->allows(boost::asio::ip::make_address("fe80::1")));
}

TEST(OscAllow, Networks) {
  for (bool auth : {false, true}) {
    auto a = AllowList::build({"10.0.0.0/8", "192.168.1.7", "fd00::/8", "172.16.0.0/12"}, auth);
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->allows(boost::asio::ip::make_address("10.200.1.1")));
    EXPECT_TRUE(a->allows(boost::asio::ip::make_address("::ffff:10.0.0.1")));
    EXPECT_TRUE(a->allows(boost::asio::ip::make_address("192.168.1.7")));
    EXPECT_FALSE(a->allows(boost::asio::ip::make_address("192.168.1.8")));
    EXPECT_TRUE(a->allows(boost::asio::ip::make_address("fd12::1")));
    EXPECT_TRUE(a->allows(boost::asio::ip::make_address("172.31.255.255")));
    EXPECT_FALSE(a->allows(boost::asio::ip::make_address("172.32.0.0")));
    EXPECT_FALSE(a->allows(boost::asio::ip::make_address("127.0.0.1")));  // given networks replace the default
  }
}

TEST(OscAllow, BadEntries) {
  for (const char* text : {"10.0.0.0/33", "nonsense", "10.0.0.0/", "10.0.0.0/x", "::1/129"}) {
    auto a = AllowList::build({text}, false);
    EXPECT_FALSE(a) << text;
  }
}

}  // namespace
}  // namespace clasp::osc
