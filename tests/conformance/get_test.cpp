// GET and SNAPSHOT: router.md R4.1, R4.2, R1.5 step 2, scenarios S30, S31,
// S52, with DECISIONS D-2 (address validation), D-3 (GET of an unknown
// address -> 201) and docs/decisions.md (snapshot chunks: <= 800 params and
// <= 65 535 payload bytes).
#include <algorithm>
#include <set>

#include "fixture.hpp"

namespace clasp::conformance {
namespace {

class GetOp : public ConformanceTest {};

// R4.1, R3.9: GET -> SNAPSHOT with that one param, its writer and timestamp.
TEST_F(GetOp, R4_1_ReturnsSnapshotOfTheParam) {
  auto writer = open("writer");
  auto reader = open("reader");
  ASSERT_TRUE(writer && reader);
  const std::uint64_t before = nowMicros();
  ASSERT_TRUE(setAcked(*writer, addr("/g/x"), Value(1.5)));
  ASSERT_TRUE(setAcked(*writer, addr("/g/x"), Value(2.5)));
  ASSERT_TRUE(setAcked(*writer, addr("/g/y"), Value(0)));
  ASSERT_TRUE(reader->send(Get{addr("/g/x")}));
  auto snap = reader->expect<Snapshot>();
  ASSERT_TRUE(snap);
  ASSERT_EQ(snap->params.size(), 1u);
  const ParamValue& p = snap->params[0];
  EXPECT_EQ(p.address, addr("/g/x"));
  EXPECT_EQ(p.value, Value(2.5));
  EXPECT_EQ(p.revision, 2u);
  EXPECT_EQ(p.writer, writer->session());
  ASSERT_TRUE(p.timestamp);
  EXPECT_GE(*p.timestamp + 60'000'000, before);
  EXPECT_LE(*p.timestamp, nowMicros() + 60'000'000);
  EXPECT_TRUE(reader->pingPong());
}

// S31, D-3 (fixes R4.1's silence): GET of a never-set address -> 201.
TEST_F(GetOp, S31_D3_UnknownAddressGets201) {
  auto c = open();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->send(Get{addr("/never/set")}));
  auto e = c->expectError(201);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "Address not found");
  EXPECT_EQ(e->address, addr("/never/set"));
}

// D-2, R4.1 (GET does not take patterns): invalid addresses -> 200.
TEST_F(GetOp, D2_InvalidAddressOrPatternGets200) {
  auto c = open();
  ASSERT_TRUE(c);
  for (const std::string& a : {std::string(""), std::string("x"), addr("/*"), addr("/**"), addr("//x")}) {
    SCOPED_TRACE("GET '" + a + "'");
    ASSERT_TRUE(c->send(Get{a}));
    auto e = c->expectError(200);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->address.value_or(""), a);
  }
  EXPECT_TRUE(c->pingPong());
}

// R1.5, D-5: the initial snapshot carries the stored params with writer and timestamp.
TEST_F(GetOp, R1_5_InitialSnapshotCarriesState) {
  CLASP_DEDICATED(relay, Flavour::Relay);
  auto writer = openOn(relay->endpoint(), "writer");
  ASSERT_TRUE(writer);
  ASSERT_TRUE(setAcked(*writer, "/s/a", Value(1)));
  ASSERT_TRUE(setAcked(*writer, "/s/b", Value("two")));
  ASSERT_TRUE(setAcked(*writer, "/s/b", Value("three")));
  auto late = connectOnly(relay->endpoint(), "late");
  ASSERT_TRUE(late);
  auto g = late->hello();
  ASSERT_TRUE(g);
  std::vector<ParamValue> all;
  for (auto& s : g->snapshots) all.insert(all.end(), s.params.begin(), s.params.end());
  ASSERT_EQ(all.size(), 2u);
  std::sort(all.begin(), all.end(), [](auto& x, auto& y) { return x.address < y.address; });
  EXPECT_EQ(all[0].address, "/s/a");
  EXPECT_EQ(all[0].value, Value(1));
  EXPECT_EQ(all[0].revision, 1u);
  EXPECT_EQ(all[1].value, Value("three"));
  EXPECT_EQ(all[1].revision, 2u);
  for (const auto& p : all) {
    EXPECT_EQ(p.writer, writer->session());
    EXPECT_TRUE(p.timestamp);
  }
}

// S52, R4.2 Fix, docs/decisions.md: snapshots are chunked by count (<= 800)
// and by size (<= 65 535 payload bytes, which the decoder enforces), both
// after HELLO and after SUBSCRIBE, and together carry every param once.
TEST_F(GetOp, S52_R4_2_SnapshotsChunkedByCountAndSize) {
  CLASP_DEDICATED(relay, Flavour::Relay);
  auto writer = openOn(relay->endpoint(), "writer");
  ASSERT_TRUE(writer);
  constexpr int kSmall = 2000;
  constexpr int kLarge = 40;  // 40 x 4 KiB cannot share one 64 KiB frame
  for (int i = 0; i < kSmall; ++i) {
    ASSERT_TRUE(writer->send(setOf("/chunk/small/" + std::to_string(i), Value(i)), QoS::Confirm));
  }
  for (int i = 0; i < kLarge; ++i) {
    ASSERT_TRUE(writer->send(setOf("/chunk/large/" + std::to_string(i), Value(std::string(4096, 'z'))),
                             QoS::Confirm));
  }
  for (int i = 0; i < kSmall + kLarge; ++i) ASSERT_TRUE(writer->expect<Ack>()) << "ACK " << i;

  auto check = [&](const std::vector<Snapshot>& snaps, const char* what) {
    SCOPED_TRACE(what);
    std::set<std::string> seen;
    for (const Snapshot& s : snaps) {
      EXPECT_LE(s.params.size(), 800u);
      for (const ParamValue& p : s.params) EXPECT_TRUE(seen.insert(p.address).second) << p.address;
    }
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(kSmall + kLarge));
    EXPECT_GE(snaps.size(), 3u);
  };
  auto late = connectOnly(relay->endpoint(), "late");
  ASSERT_TRUE(late);
  auto g = late->hello();
  ASSERT_TRUE(g);
  check(g->snapshots, "initial snapshot");

  ASSERT_TRUE(late->send(subscribeOf(1, "/chunk/**"), QoS::Fire));
  ASSERT_TRUE(late->send(Ping{}));
  std::vector<Snapshot> subSnaps;
  for (;;) {
    auto m = late->next(kExpectTimeout);
    ASSERT_TRUE(m) << "no PONG after the subscribe snapshot";
    if (auto* s = std::get_if<Snapshot>(&m->variant())) {
      subSnaps.push_back(std::move(*s));
      continue;
    }
    ASSERT_TRUE(std::holds_alternative<Pong>(m->variant())) << describe(*m);
    break;
  }
  check(subSnaps, "subscribe snapshot");
}

}  // namespace
}  // namespace clasp::conformance
