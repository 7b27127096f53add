// Ordering at fan-out scale: DECISIONS D-8 (messages from one session reach
// each subscriber in the order they were received, at any fan-out size),
// fixing router.md R2.5 (the reference may reorder above 10 targets).
#include "fixture.hpp"

namespace clasp::conformance {
namespace {

class Order : public ConformanceTest {};

// D-8, R2.5 Fix: 60 subscribers, one writer pipelining 300 messages (SETs to
// ten addresses with events interleaved): every subscriber receives all of
// them, in the writer's order, with per-address revisions counting up; the
// writer's ACKs come back in order too.
TEST_F(Order, D8_SixtySubscribersReceiveThreeHundredMessagesInOrder) {
  constexpr int kSubscribers = 60;
  constexpr int kMessages = 300;
  constexpr int kAddresses = 10;
  auto writer = open("writer");
  ASSERT_TRUE(writer);
  std::vector<std::unique_ptr<Client>> subs;
  for (int i = 0; i < kSubscribers; ++i) {
    subs.push_back(open("sub" + std::to_string(i)));
    ASSERT_TRUE(subs.back());
    ASSERT_TRUE(subscribe(*subs.back(), addr("/order/**"), 1));
  }
  auto isEvent = [](int i) { return i % 3 == 2; };
  auto address = [&](int i) { return addr("/order/p" + std::to_string(i % kAddresses)); };
  // Expected revision of message i (SETs only): count earlier SETs to its address.
  std::vector<std::uint64_t> revision(kMessages, 0);
  std::vector<std::uint64_t> perAddress(kAddresses, 0);
  for (int i = 0; i < kMessages; ++i) {
    if (!isEvent(i)) revision[i] = ++perAddress[i % kAddresses];
  }

  for (int i = 0; i < kMessages; ++i) {
    if (isEvent(i)) {
      ASSERT_TRUE(writer->send(eventOf(addr("/order/event"), Value(i)), QoS::Fire));
    } else {
      ASSERT_TRUE(writer->send(setOf(address(i), Value(i)), QoS::Confirm));
    }
  }
  for (int i = 0; i < kMessages; ++i) {
    if (isEvent(i)) continue;
    auto ack = writer->expect<Ack>();
    ASSERT_TRUE(ack) << "ACK for message " << i;
    EXPECT_EQ(ack->address, address(i));
    EXPECT_EQ(ack->revision, revision[i]);
  }
  for (auto& s : subs) {
    SCOPED_TRACE(s->name());
    for (int i = 0; i < kMessages; ++i) {
      auto m = s->next(kExpectTimeout);
      ASSERT_TRUE(m) << "message " << i << " missing (" << s->endDescription() << ")";
      if (isEvent(i)) {
        auto* p = std::get_if<Publish>(&m->variant());
        ASSERT_NE(p, nullptr) << "message " << i << ": expected the event, got " << describe(*m);
        ASSERT_EQ(p->value, Value(i)) << "out of order";
      } else {
        auto* set = std::get_if<Set>(&m->variant());
        ASSERT_NE(set, nullptr) << "message " << i << ": expected a SET, got " << describe(*m);
        ASSERT_EQ(set->value, Value(i)) << "out of order";
        ASSERT_EQ(set->address, address(i));
        ASSERT_EQ(set->revision, revision[i]);
      }
    }
  }
}

}  // namespace
}  // namespace clasp::conformance
