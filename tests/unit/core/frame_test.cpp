// Frame parsing (protocol.md §1) and the stream splitter (§1.5): every vector
// frame, concatenated into one stream and cut at every byte offset, comes out
// as the same frames; bad magic and oversize frames break the stream for good.
#include <gtest/gtest.h>

#include <random>

#include "core/codec.hpp"
#include "spec_vectors.hpp"

namespace clasp {
namespace {

using test::ByteVec;

// Every frame the spec gives (TV vectors, JS capture), plus a timestamped one.
std::vector<ByteVec> allFrames() {
  std::vector<ByteVec> out;
  for (const auto& [id, frames] : test::loadProtocolVectors()) {
    if (id == "TV-43") continue;  // payloads only, not frames
    for (const auto& f : frames) out.push_back(f);
  }
  for (const auto& v : test::loadJsClientVectors()) out.push_back(v.frame);
  OutBuffer b;
  EXPECT_TRUE(encodeFrame(Message(Get{"/ts"}), b, QoS::Confirm, 123456789ull).has_value());
  out.emplace_back(b.data(), b.data() + b.size());
  return out;
}

ByteVec concat(const std::vector<ByteVec>& frames) {
  ByteVec s;
  for (const auto& f : frames) s.insert(s.end(), f.begin(), f.end());
  return s;
}

// Feeds `stream` in the given pieces and returns the frames seen, as bytes.
std::vector<ByteVec> split(const ByteVec& stream, const std::vector<std::size_t>& cuts) {
  FrameSplitter sp;
  std::vector<ByteVec> got;
  std::size_t prev = 0;
  auto drain = [&] {
    for (;;) {
      auto r = sp.next();
      EXPECT_TRUE(r.has_value());
      if (!r || !*r) return;
      const FrameView& f = **r;
      const std::uint8_t* start = f.payload.data() - f.header.headerSize();
      got.emplace_back(start, start + f.size);
    }
  };
  for (std::size_t c : cuts) {
    sp.feed(std::span<const std::uint8_t>(stream.data() + prev, c - prev));
    prev = c;
    drain();
  }
  sp.feed(std::span<const std::uint8_t>(stream.data() + prev, stream.size() - prev));
  drain();
  EXPECT_EQ(sp.buffered(), 0u);
  return got;
}

TEST(ParseFrame, HeaderFields) {
  ByteVec f = test::fromHex("53 e1 00 01 00 00 00 00 00 00 00 2a 41 ff");
  auto r = parseFrame(f);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header.qos(), QoS::Fire);  // QoS 3 is reserved, read as Fire
  EXPECT_TRUE(r->header.hasTimestamp());
  EXPECT_EQ(r->header.timestamp, 42u);
  EXPECT_EQ(r->header.version(), 1);
  EXPECT_EQ(r->size, 13u);  // trailing 0xff ignored
  EXPECT_EQ(r->payload.size(), 1u);
  ByteVec g = test::fromHex("53 59 00 01 41");
  auto q = parseFrame(g);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->header.qos(), QoS::Confirm);
  EXPECT_TRUE(q->header.encrypted());
  EXPECT_TRUE(q->header.compressed());
}

TEST(ParseFrame, Errors) {
  for (const char* hex : {"", "53", "53 01", "53 01 00", "53 01 00 02 41", "53 21 00 01 00 00 41",
                          "52 01 00 01 41", "00 00 00 00"}) {
    auto r = parseFrame(test::fromHex(hex));
    ASSERT_FALSE(r) << hex;
    EXPECT_EQ(r.error().code, Errc::BadFrame) << hex;
  }
  // A zero-length payload is a valid frame but an undecodable message (§1.4).
  auto z = decodeFrame(test::fromHex("53 01 00 00"));
  ASSERT_FALSE(z);
  EXPECT_EQ(z.error().code, Errc::BadMessage);
}

TEST(ParseFrame, EveryTruncationOfEveryFrameIsBadFrame) {
  for (const ByteVec& f : allFrames()) {
    for (std::size_t n = 0; n < f.size(); ++n) {
      auto r = parseFrame(std::span<const std::uint8_t>(f.data(), n));
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().code, Errc::BadFrame);
    }
  }
}

TEST(FrameSplitter, WholeStreamCutAtEveryOffset) {
  auto frames = allFrames();
  ByteVec stream = concat(frames);
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) EXPECT_EQ(split(stream, {cut}), frames) << cut;
}

TEST(FrameSplitter, EveryFrameCutAtEveryOffsetPair) {
  for (const ByteVec& f : allFrames())
    for (std::size_t a = 0; a <= f.size(); ++a)
      for (std::size_t b = a; b <= f.size(); ++b) EXPECT_EQ(split(f, {a, b}), std::vector<ByteVec>{f});
}

TEST(FrameSplitter, ByteAtATimeAndRandomChunks) {
  auto frames = allFrames();
  ByteVec stream = concat(frames);
  std::vector<std::size_t> each;
  for (std::size_t i = 1; i < stream.size(); ++i) each.push_back(i);
  EXPECT_EQ(split(stream, each), frames);
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::size_t> cuts;
    for (std::size_t p = 0;;) {
      p += 1 + rng() % 97;
      if (p >= stream.size()) break;
      cuts.push_back(p);
    }
    EXPECT_EQ(split(stream, cuts), frames);
  }
}

TEST(FrameSplitter, LargestFrameAcrossManyReads) {
  // type, flags, "/big" (2+4) and the string length take 10 payload bytes.
  Set s{"/big", std::string(65535 - 10, 'x'), {}, false, false, {}};
  OutBuffer b;
  ASSERT_TRUE(encodeFrame(s, b).has_value());
  ASSERT_EQ(b.size(), 4u + 65535u);
  ByteVec f(b.data(), b.data() + b.size());
  std::vector<std::size_t> cuts;
  for (std::size_t p = 1000; p < f.size(); p += 1000) cuts.push_back(p);
  EXPECT_EQ(split(f, cuts), std::vector<ByteVec>{f});
}

TEST(FrameSplitter, BadMagicBreaksTheStream) {
  FrameSplitter sp;
  ByteVec good = test::fromHex("53 01 00 01 41");
  ByteVec bad = test::fromHex("54 01 00 01 41");
  sp.feed(good);
  sp.feed(bad);
  auto first = sp.next();
  ASSERT_TRUE(first && *first);
  auto second = sp.next();
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Errc::BadFrame);
  sp.feed(good);  // no resync is defined: the stream stays broken
  EXPECT_FALSE(sp.next());
}

TEST(FrameSplitter, FrameOverTheLimitIsRejectedBeforeBuffering) {
  FrameSplitter sp(100);
  sp.feed(test::fromHex("53 01 01 00"));  // announces 256 payload bytes
  auto r = sp.next();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::BadFrame);
}

TEST(EncodeFrame, RejectsPayloadOverTheLimitAndRestoresBuffer) {
  OutBuffer b;
  b.append("xy", 2);
  Set s{"/big", std::string(65535, 'x'), {}, false, false, {}};
  auto r = encodeFrame(s, b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::InvalidValue);
  EXPECT_EQ(b.size(), 2u);
  Set ok{"/big", std::string(65535 - 12, 'x'), {}, false, false, {}};
  EXPECT_TRUE(encodeFrame(ok, b).has_value());
}

TEST(EncodeFrame, DefaultQosPerMessage) {
  auto flagsOf = [](const Message& m) {
    OutBuffer b;
    EXPECT_TRUE(encodeFrame(m, b).has_value());
    return b.data()[1];
  };
  Publish stream;
  stream.signal = SignalType::Stream;
  Publish timeline;
  timeline.signal = SignalType::Timeline;
  EXPECT_EQ(flagsOf(Set{"/a", 1.0, {}, false, false, {}}), 0x41);
  EXPECT_EQ(flagsOf(Subscribe{1, "/a", 0, {}}), 0x41);
  EXPECT_EQ(flagsOf(Bundle{}), 0x81);
  EXPECT_EQ(flagsOf(Publish{}), 0x41);  // event
  EXPECT_EQ(flagsOf(stream), 0x01);
  EXPECT_EQ(flagsOf(timeline), 0x81);
  EXPECT_EQ(flagsOf(Ack{}), 0x01);
  EXPECT_EQ(flagsOf(Snapshot{}), 0x01);
}

}  // namespace
}  // namespace clasp
