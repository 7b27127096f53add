// Bad input for every message type: each payload from the spec vectors (which
// cover all 19 types) truncated at every length must give a clean BadMessage
// error naming the type, or, where the layout allows a shorter message (the
// flagless PUBLISH rate), decode to a message that is a prefix of the input.
#include <gtest/gtest.h>

#include <set>

#include "core/codec.hpp"
#include "spec_vectors.hpp"

namespace clasp {
namespace {

using test::ByteVec;

std::vector<ByteVec> allPayloads() {
  std::vector<ByteVec> out;
  auto addFrame = [&](const ByteVec& f) {
    auto p = parseFrame(f);
    ASSERT_TRUE(p);
    out.emplace_back(p->payload.begin(), p->payload.end());
  };
  for (const auto& [id, frames] : test::loadProtocolVectors()) {
    if (id == "TV-43") {
      for (const auto& p : frames) out.push_back(p);
      continue;
    }
    for (const auto& f : frames) addFrame(f);
  }
  for (const auto& v : test::loadJsClientVectors()) addFrame(v.frame);
  return out;
}

TEST(Truncation, EveryPayloadAtEveryLength) {
  std::set<MessageType> covered;
  std::size_t errors = 0, shorterValid = 0;
  for (const ByteVec& payload : allPayloads()) {
    auto full = decodeMessage(payload);
    ASSERT_TRUE(full) << full.error().message;
    covered.insert(full->type());
    for (std::size_t n = 0; n < payload.size(); ++n) {
      std::span<const std::uint8_t> cut(payload.data(), n);
      auto r = decodeMessage(cut);
      if (!r) {
        ++errors;
        EXPECT_EQ(r.error().code, Errc::BadMessage);
        EXPECT_FALSE(r.error().message.empty());
        continue;
      }
      // Only a message whose own encoding is a prefix of the cut may decode.
      ++shorterValid;
      OutBuffer b;
      ASSERT_TRUE(encodePayload(*r, b).has_value());
      ASSERT_LE(b.size(), n);
      EXPECT_TRUE(std::equal(b.data(), b.data() + b.size(), payload.data()))
          << messageTypeName(r->type()) << " decoded from " << n << " of " << payload.size();
    }
  }
  EXPECT_EQ(covered.size(), 19u) << "vectors must cover every message type";
  EXPECT_GT(errors, 1000u);
  RecordProperty("truncations_rejected", static_cast<int>(errors));
  RecordProperty("truncations_valid_prefix", static_cast<int>(shorterValid));
}

TEST(Truncation, ErrorNamesTypeAndField) {
  auto r = decodeMessage(test::fromHex("21 07 00 04 2f 61 2f 62 40 45 00"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "SET value.f64: truncated at offset 8");
  auto h = decodeMessage(test::fromHex("01 01 e0 00 04 54 65 73 74"));
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().message, "HELLO token: truncated at offset 9");
}

TEST(BadInput, FieldLevelErrors) {
  struct Case {
    const char* hex;
    const char* expect;  // substring of the error
  };
  const Case cases[] = {
      {"21 0c 00 02 2f 61", "unknown value type"},              // SET vtype 0x0C
      {"21 0f 00 02 2f 61", "unknown value type"},              // SET vtype 0x0F
      {"21 0a 00 02 2f 61 00 01 0c", "unknown value type"},     // array element type 0x0C
      {"21 08 00 02 2f 61 00 02 c3 28", "invalid UTF-8"},       // bad string value
      {"22 00 02 2f ff", "invalid UTF-8"},                      // bad address
      {"21 0a 00 02 2f 61 ff ff", "count exceeds remaining"},   // huge array count
      {"21 0b 00 02 2f 61 ff ff 00", "count exceeds remaining"},
      {"23 ff ff", "count exceeds remaining"},                  // SNAPSHOT count
      {"04 05 00 00 00 00 00", "unknown federation op"},
      {"04 00 00 00 00 00 00", "unknown federation op"},
      {"30 00 00 01 00 00 41", "zero-length inner message"},
      {"30 00 00 02 00 01 41", "count exceeds remaining"},      // fewer messages than count
      {"30 00 00 02 00 01 41 00 03 21", "truncated"},             // second inner cut short
      {"30 00 00 01 00 05 41", "truncated"},                    // inner length past the end
      {"30 00 00 01 00 01 05", "unknown message type 0x05"},
      {"00", "unknown message type 0x00"},
      {"91 a4 50 49 4e 47", "unknown message type 0x91"},       // msgpack array is not v0
  };
  for (const Case& c : cases) {
    auto r = decodeMessage(test::fromHex(c.hex));
    ASSERT_FALSE(r) << c.hex;
    EXPECT_EQ(r.error().code, Errc::BadMessage) << c.hex;
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos)
        << c.hex << " -> " << r.error().message;
  }
}

TEST(BadInput, NestedBundlesAreBounded) {
  // BUNDLE{BUNDLE{...{PING}}} 40 deep: rejected, no stack exhaustion.
  ByteVec inner = {0x41};
  for (int i = 0; i < 40; ++i) {
    ByteVec b = {0x30, 0x00, 0x00, 0x01, static_cast<std::uint8_t>(inner.size() >> 8),
                 static_cast<std::uint8_t>(inner.size())};
    b.insert(b.end(), inner.begin(), inner.end());
    inner = std::move(b);
  }
  auto r = decodeMessage(inner);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("nested too deeply"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace clasp
