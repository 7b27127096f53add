// SET and the state store: router.md §3 (R3.1-R3.10), scenarios S8, S9,
// S19, S25-S30, with DECISIONS D-2 (address validation, 200), D-6 (every SET
// ACKed), D-7 (echo to the writer, before its ACK), D-10 (locks, 401,
// release on disconnect), D-11 (revisions) and docs/decisions.md (400/401/402
// texts, ACK lock info, missing param has revision 0).
#include "fixture.hpp"

namespace clasp::conformance {
namespace {

class SetOp : public ConformanceTest {};

std::string lockHeld(const std::string& holder) { return "LockHeld { holder: \"" + holder + "\" }"; }

// S8, D-6: every SET is acknowledged with its address and new revision,
// whatever the frame QoS.
TEST_F(SetOp, S8_D6_AckedWithAddressAndRevisionAtAnyQos) {
  auto c = open();
  ASSERT_TRUE(c);
  std::uint64_t expected = 0;
  for (QoS qos : {QoS::Fire, QoS::Confirm, QoS::Commit}) {
    SCOPED_TRACE("QoS " + std::to_string(static_cast<int>(qos)));
    ASSERT_TRUE(c->send(setOf(addr("/test/value"), Value(42.0)), qos));
    auto ack = c->expect<Ack>();
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->address, addr("/test/value"));
    EXPECT_EQ(ack->revision, ++expected);
  }
}

// R3.4, D-11: revisions start at 1 per address and grow by one per write.
TEST_F(SetOp, R3_4_RevisionsArePerAddress) {
  auto c = open();
  ASSERT_TRUE(c);
  struct Step {
    const char* address;
    std::uint64_t revision;
  };
  for (const Step& s : {Step{"/a", 1}, Step{"/a", 2}, Step{"/b", 1}, Step{"/a", 3}, Step{"/b", 2}}) {
    auto ack = setAcked(*c, addr(s.address), Value(1));
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->revision, s.revision) << s.address;
  }
}

// S9, R3.10, protocol.md §4: subscribers receive a SET carrying the new
// revision; every value kind arrives unchanged.
TEST_F(SetOp, S9_R3_10_FanOutIsSetWithNewRevisionForEveryValueKind) {
  Map nested;
  mapSet(nested, "x", Value(0.5));
  mapSet(nested, "list", Value(Array{Value(1), Value("two"), Value(Null{})}));
  struct Case {
    const char* kind;
    Value value;
  };
  const Case cases[] = {
      {"null", Value(Null{})},
      {"bool", Value(true)},
      {"int", Value(std::int64_t{-9'000'000'000})},
      {"float", Value(23.5)},
      {"string", Value("héllo wörld")},
      {"bytes", Value(Bytes{0x00, 0xFF, 0x10})},
      {"array", Value(Array{Value(1), Value(2.5), Value("x")})},
      {"map", Value(nested)},
  };
  auto sub = open("subscriber");
  auto writer = open("writer");
  ASSERT_TRUE(sub && writer);
  ASSERT_TRUE(subscribe(*sub, addr("/**"), 1));
  for (const Case& c : cases) {
    SCOPED_TRACE(c.kind);
    const std::string a = addr(std::string("/sensor/") + c.kind);
    auto ack = setAcked(*writer, a, c.value);
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->revision, 1u);
    auto s = sub->expect<Set>();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->address, a);
    EXPECT_EQ(s->value, c.value) << toDebugString(s->value);
    EXPECT_EQ(s->revision, 1u);
  }
}

// S19, D-7, docs/decisions.md: a writer subscribed to its own address gets
// the echo, and the echo comes before its ACK.
TEST_F(SetOp, S19_D7_WriterEchoBeforeAck) {
  auto c = open();
  ASSERT_TRUE(c);
  ASSERT_TRUE(subscribe(*c, addr("/**"), 1));
  ASSERT_TRUE(c->send(setOf(addr("/test/post_flood"), Value("clean")), QoS::Confirm));
  auto echo = c->expect<Set>();
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->value, Value("clean"));
  EXPECT_EQ(echo->revision, 1u);
  auto ack = c->expect<Ack>();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->revision, 1u);
}

// D-7, D-8 (fixes R2.5's > 10 subscriber reordering): echo before ACK and
// one copy each, with a large fan-out.
TEST_F(SetOp, D7_D8_EchoBeforeAckWithTwentySubscribers) {
  auto writer = open("writer");
  ASSERT_TRUE(writer);
  std::vector<std::unique_ptr<Client>> subs;
  for (int i = 0; i < 20; ++i) {
    subs.push_back(open("sub" + std::to_string(i)));
    ASSERT_TRUE(subs.back());
    ASSERT_TRUE(subscribe(*subs.back(), addr("/fan/**"), 1));
  }
  ASSERT_TRUE(subscribe(*writer, addr("/fan/**"), 1));
  for (int round = 1; round <= 3; ++round) {
    ASSERT_TRUE(writer->send(setOf(addr("/fan/x"), Value(round)), QoS::Confirm));
    auto echo = writer->expect<Set>();
    ASSERT_TRUE(echo) << "round " << round;
    EXPECT_EQ(echo->value, Value(round));
    ASSERT_TRUE(writer->expect<Ack>());
  }
  for (auto& s : subs) {
    for (int round = 1; round <= 3; ++round) {
      auto set = s->expect<Set>();
      ASSERT_TRUE(set) << s->name();
      EXPECT_EQ(set->value, Value(round));
      EXPECT_EQ(set->revision, static_cast<std::uint64_t>(round));
    }
  }
}

// S29, R3.3 step 1, docs/decisions.md: expected revision != current ->
// 400 "RevisionConflict { expected: E, actual: A }"; a missing param has
// revision 0. A rejected SET changes nothing and is not broadcast.
TEST_F(SetOp, S29_ExpectedRevisionConflictGets400) {
  struct Case {
    const char* name;
    int priorWrites;  // SETs before the conditional one
    std::uint64_t expected;
    bool accepted;
  };
  static const Case kCases[] = {
      {"existing, expected ahead", 2, 5, false},
      {"existing, expected behind", 2, 1, false},
      {"existing, expected current", 2, 2, true},
      {"missing, expected 3", 0, 3, false},
      {"missing, expected 0", 0, 0, true},
  };
  auto writer = open("writer");
  auto watcher = open("watcher");
  ASSERT_TRUE(writer && watcher);
  ASSERT_TRUE(subscribeBarrier(*watcher));
  int n = 0;
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const std::string a = addr("/r" + std::to_string(++n));
    for (int i = 1; i <= c.priorWrites; ++i) ASSERT_TRUE(setAcked(*writer, a, Value(i)));
    ASSERT_TRUE(subscribe(*watcher, a, static_cast<std::uint32_t>(n)));
    Set s = setOf(a, Value(100));
    s.revision = c.expected;
    ASSERT_TRUE(writer->send(s, QoS::Confirm));
    if (c.accepted) {
      auto ack = writer->expect<Ack>();
      ASSERT_TRUE(ack);
      EXPECT_EQ(ack->revision, static_cast<std::uint64_t>(c.priorWrites + 1));
      auto seen = watcher->expect<Set>();
      ASSERT_TRUE(seen);
      EXPECT_EQ(seen->value, Value(100));
    } else {
      auto e = writer->expectError(400);
      ASSERT_TRUE(e);
      EXPECT_EQ(e->message, "RevisionConflict { expected: " + std::to_string(c.expected) +
                                ", actual: " + std::to_string(c.priorWrites) + " }");
      EXPECT_EQ(e->address, a);
    }
    ASSERT_TRUE(barrier(*writer, {watcher.get()}));
  }
}

// S25-S27, R3.6, D-10, docs/decisions.md: a lock's whole life. The holder
// keeps writing; others get 401; unlock frees it; ACKs carry lock info;
// broadcasts copy the lock/unlock flags; rejected writes are never broadcast.
TEST_F(SetOp, S25_S27_D10_LockLifecycle) {
  auto owner = open("owner");
  auto other = open("other");
  auto watcher = open("watcher");
  ASSERT_TRUE(owner && other && watcher);
  ASSERT_TRUE(subscribeBarrier(*watcher));
  ASSERT_TRUE(subscribe(*watcher, addr("/locks/**"), 1));
  const std::string a = addr("/locks/value");

  Set lock = setOf(a, Value(100));
  lock.lock = true;
  auto ack = setAcked(*owner, lock);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->revision, 1u);
  EXPECT_EQ(ack->locked, true) << "ACK carries locked when the SET carried lock";
  EXPECT_EQ(ack->holder, owner->session());
  auto seen = watcher->expect<Set>();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->value, Value(100));
  EXPECT_TRUE(seen->lock) << "R3.1 6a: the broadcast copies the lock flag";

  // S25: another session's write -> 401 LockHeld, not broadcast.
  ASSERT_TRUE(other->send(setOf(a, Value(999)), QoS::Confirm));
  auto e = other->expectError(401);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, lockHeld(owner->session()));
  EXPECT_EQ(e->address, a);
  // ... nor can it take the lock.
  Set steal = setOf(a, Value(998));
  steal.lock = true;
  ASSERT_TRUE(other->send(steal, QoS::Confirm));
  EXPECT_TRUE(other->expectError(401));
  ASSERT_TRUE(barrier(*other, {watcher.get()}));

  // S26: the holder writes on without repeating the lock flag.
  ack = setAcked(*owner, a, Value(150));
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->revision, 2u);
  EXPECT_EQ(ack->locked, true) << "ACK carries locked while the param is locked";
  seen = watcher->expect<Set>();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->value, Value(150));

  // S27: unlock (its value applies), then the other session may write.
  Set unlock = setOf(a, Value(200));
  unlock.unlock = true;
  ack = setAcked(*owner, unlock);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->revision, 3u);
  EXPECT_EQ(ack->locked, false) << "ACK carries locked=false after an unlock";
  seen = watcher->expect<Set>();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->value, Value(200));
  EXPECT_TRUE(seen->unlock);
  ack = setAcked(*other, a, Value(999));
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->revision, 4u);
  seen = watcher->expect<Set>();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->value, Value(999));
}

// S28, D-10 (fixes R3.6's bypass): `unlock` from a non-holder -> 401 and
// nothing changes.
TEST_F(SetOp, S28_D10_NonHolderUnlockGets401) {
  auto owner = open("owner");
  auto intruder = open("intruder");
  ASSERT_TRUE(owner && intruder);
  const std::string a = addr("/locked");
  Set lock = setOf(a, Value(1));
  lock.lock = true;
  ASSERT_TRUE(setAcked(*owner, lock));
  Set unlock = setOf(a, Value(5));
  unlock.unlock = true;
  ASSERT_TRUE(intruder->send(unlock, QoS::Confirm));
  auto e = intruder->expectError(401);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, lockHeld(owner->session()));
  ASSERT_TRUE(intruder->send(Get{a}));
  auto snap = intruder->expect<Snapshot>();
  ASSERT_TRUE(snap);
  ASSERT_EQ(snap->params.size(), 1u);
  EXPECT_EQ(snap->params[0].value, Value(1));
  EXPECT_EQ(snap->params[0].revision, 1u);
  // The lock is still the owner's.
  ASSERT_TRUE(intruder->send(setOf(a, Value(6)), QoS::Confirm));
  EXPECT_TRUE(intruder->expectError(401));
}

// D-10, R1.9 Fix, docs/decisions.md "State": when the holder disconnects
// (cleanly or by dropping TCP), subscribers receive a SET with the current
// value, the next revision and `unlock`, and others may write again.
TEST_F(SetOp, D10_HolderDisconnectReleasesLock) {
  for (bool graceful : {true, false}) {
    SCOPED_TRACE(graceful ? "WebSocket close" : "TCP dropped");
    const std::string a = addr(graceful ? "/graceful" : "/abrupt");
    auto owner = open("owner");
    auto watcher = open("watcher");
    auto other = open("other");
    ASSERT_TRUE(owner && watcher && other);
    ASSERT_TRUE(subscribe(*watcher, a, 1));
    Set lock = setOf(a, Value("mine"));
    lock.lock = true;
    ASSERT_TRUE(setAcked(*owner, lock));
    ASSERT_TRUE(watcher->expect<Set>());
    if (graceful) {
      owner->close();
    } else {
      owner.reset();
    }
    auto released = watcher->expect<Set>();
    ASSERT_TRUE(released) << "subscribers must see the lock released";
    EXPECT_EQ(released->address, a);
    EXPECT_EQ(released->value, Value("mine"));
    EXPECT_EQ(released->revision, 2u);
    EXPECT_TRUE(released->unlock);
    auto ack = setAcked(*other, a, Value("yours"));
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->revision, 3u);
  }
}

// S30, R3.9: last writer wins; GET shows the value, revision and writer.
TEST_F(SetOp, S30_LastWriterWins) {
  auto w1 = open("w1");
  auto w2 = open("w2");
  auto reader = open("reader");
  ASSERT_TRUE(w1 && w2 && reader);
  ASSERT_TRUE(setAcked(*w1, addr("/lww/value"), Value(1)));
  ASSERT_TRUE(setAcked(*w2, addr("/lww/value"), Value(2)));
  ASSERT_TRUE(reader->send(Get{addr("/lww/value")}));
  auto snap = reader->expect<Snapshot>();
  ASSERT_TRUE(snap);
  ASSERT_EQ(snap->params.size(), 1u);
  EXPECT_EQ(snap->params[0].value, Value(2));
  EXPECT_EQ(snap->params[0].revision, 2u);
  EXPECT_EQ(snap->params[0].writer, w2->session());
}

// D-2 (fixes P2): SET addresses are validated -> ERROR 200 with the address;
// nothing is stored or broadcast; the connection stays usable.
TEST_F(SetOp, D2_InvalidAddressGets200) {
  std::string tooLong = addr("/");
  tooLong += std::string(1025 - tooLong.size(), 'x');
  std::string tooDeep = addr("");
  for (int segs = 2; segs <= 64; ++segs) tooDeep += "/s";  // addr() has 2 segments: 65 in all
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"no leading slash", "conf/x"},
      {"empty segment", addr("//b")},
      {"trailing slash", addr("/a/")},
      {"wildcard *", addr("/a/*")},
      {"wildcard **", addr("/a/**")},
      {"glob in segment", addr("/a/b*")},
      {"1025 bytes", tooLong},
      {"65 segments", tooDeep},
  };
  auto writer = open("writer");
  auto watcher = open("watcher");
  ASSERT_TRUE(writer && watcher);
  ASSERT_TRUE(subscribeBarrier(*watcher));
  ASSERT_TRUE(subscribe(*watcher, addr("/**"), 1));
  for (const auto& [name, address] : cases) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(writer->send(setOf(address, Value(1)), QoS::Confirm));
    auto e = writer->expectError(200);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->address.value_or(""), address) << "address = the rejected address";
  }
  EXPECT_TRUE(barrier(*writer, {watcher.get()})) << "rejected SETs must not be broadcast";
}

// D-2: the limits are inclusive (1024 bytes, 64 segments) and `/` is valid.
TEST_F(SetOp, D2_LimitsInclusiveAndRootValid) {
  std::string longest = addr("/");
  longest += std::string(1024 - longest.size(), 'x');
  std::string deepest = addr("");
  for (int segs = 3; segs <= 64; ++segs) deepest += "/s";
  auto c = open();
  ASSERT_TRUE(c);
  for (const std::string& a : {longest, deepest, std::string("/")}) {
    SCOPED_TRACE(a.size() > 40 ? a.substr(0, 40) + "..." : a);
    auto ack = setAcked(*c, a, Value(1));
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->address, a);
  }
}

// docs/decisions.md: a SET whose fan-out or SNAPSHOT entry would not fit a
// frame -> 402 "value too large", nothing stored; one byte less is accepted.
// For a string SET the SNAPSHOT entry is the larger: it adds the revision,
// the 36-byte writer id, the timestamp and the entry flags, 57 bytes over the
// inbound SET payload. Dedicated server: the accepted ~64 KiB param would
// otherwise ride along in every later test's initial snapshot.
TEST_F(SetOp, D3_ValueTooLargeForFanOutGets402) {
  CLASP_DEDICATED(relay, Flavour::Relay);
  auto c = openOn(relay->endpoint(), "writer");
  auto sub = openOn(relay->endpoint(), "subscriber");
  ASSERT_TRUE(c && sub);
  ASSERT_TRUE(subscribe(*sub, "/big/**", 1));
  // A string SET whose payload is exactly `payload` bytes.
  auto sized = [](const std::string& a, std::size_t payload) {
    Set s = setOf(a, Value(std::string()));
    OutBuffer b;
    EXPECT_TRUE(encodePayload(s, b));
    s.value = Value(std::string(payload - b.size(), 'v'));
    return s;
  };
  // Inbound 65 479 bytes: its SNAPSHOT entry would make a 65 536-byte payload.
  ASSERT_TRUE(c->send(sized("/big/too", kMaxPayload - 56), QoS::Confirm));
  auto e = c->expectError(402);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "value too large");
  EXPECT_EQ(e->address, "/big/too");
  ASSERT_TRUE(c->send(Get{"/big/too"}));
  EXPECT_TRUE(c->expectError(201)) << "a rejected SET stores nothing";
  // Inbound 65 478 bytes: the SNAPSHOT entry is exactly 65 535.
  auto ack = setAcked(*c, sized("/big/fits", kMaxPayload - 57));
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->revision, 1u);
  auto s = sub->expect<Set>();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->address, "/big/fits");
}

// R3.1 step 6a: the broadcast copies the request's TTL.
TEST_F(SetOp, R3_1_FanOutCopiesTtl) {
  auto writer = open("writer");
  auto sub = open("subscriber");
  ASSERT_TRUE(writer && sub);
  ASSERT_TRUE(subscribe(*sub, addr("/ttl/**"), 1));
  Set s = setOf(addr("/ttl/x"), Value(1));
  s.ttl = Ttl{Ttl::Kind::Sliding, 3600};
  ASSERT_TRUE(setAcked(*writer, s));
  auto seen = sub->expect<Set>();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->ttl, s.ttl);
}

}  // namespace
}  // namespace clasp::conformance
