// Bounded resources, each with its own server and small limits: the session
// limit (R1.2, S53, docs/decisions.md: close 1013 "too many sessions"), slow
// consumers (D-15: hard limit -> ERROR 501 "slow consumer" + close 1008, no
// other session slowed) and the idle timeout (D-16, R1.8 Fix: ERROR 502
// "idle timeout" + close 1000; inbound frames and WebSocket pings count).
#include <boost/asio.hpp>

#include "fixture.hpp"

namespace clasp::conformance {
namespace {

class Limits : public ConformanceTest {};

// Connects and sends HELLO; true when a WELCOME comes back, false when the
// connection is closed instead (code in *closed).
bool tryHello(const Endpoint& ep, std::unique_ptr<Client>& out, std::optional<std::uint16_t>* closed) {
  auto c = std::make_unique<Client>("late");
  if (!c->connect(ep)) return false;
  Hello h;
  h.name = "late";
  h.features = 0xF8;
  c->trySendRaw(frameOf(h));
  auto m = c->next(kExpectTimeout);
  if (m && std::holds_alternative<Welcome>(m->variant())) {
    out = std::move(c);
    return true;
  }
  if (m) ADD_FAILURE() << "expected WELCOME or a close, received " << describe(*m);
  c->ended(kExpectTimeout);
  *closed = c->closeCode();
  return false;
}

// R1.2 (applied after the upgrade), S53, D-26, docs/decisions.md: with the
// limit reached a new connection is closed with 1013 and never welcomed;
// once a session leaves, a newcomer gets in.
void checkSessionLimit(const Endpoint& ep, std::unique_ptr<Client> a, std::unique_ptr<Client> b) {
  ASSERT_TRUE(a && b);
  Client third("third");
  ASSERT_TRUE(third.connect(ep));
  Hello h;
  h.name = "third";
  third.trySendRaw(frameOf(h));
  EXPECT_TRUE(third.expectClose(1013)) << "no WELCOME beyond the limit";
  a->close();
  // The server notices the departure asynchronously: a newcomer may be
  // turned away (1013) for a moment; it must get in within a few tries.
  std::unique_ptr<Client> late;
  bool admitted = false;
  for (int attempt = 0; attempt < 20 && !admitted; ++attempt) {
    std::optional<std::uint16_t> closed;
    admitted = tryHello(ep, late, &closed);
    if (!admitted && closed != 1013) break;
  }
  EXPECT_TRUE(admitted) << "a freed slot must be reusable";
}

TEST_F(Limits, R1_2_S53_RelayMaxSessionsCloses1013) {
  CLASP_DEDICATED(relay, Flavour::Relay, "--max-sessions", "2");
  const Endpoint& ep = relay->endpoint();
  auto a = openOn(ep, "a");
  auto b = openOn(ep, "b");
  checkSessionLimit(ep, std::move(a), std::move(b));
}

TEST_F(Limits, R1_2_S53_ServerMaxConnectionsCloses1013) {
  CLASP_DEDICATED(srv, Flavour::ClaspServer, "--max-connections", "2");
  const Endpoint& ep = srv->endpoint();
  auto a = openOn(ep, "a");
  auto b = openOn(ep, "b");
  checkSessionLimit(ep, std::move(a), std::move(b));
}

// D-15: a subscriber that stops reading is disconnected once its queue passes
// the hard limit (ERROR 501 "slow consumer", close 1008), while the writer
// and a normal subscriber carry on and the latter receives everything in order.
TEST_F(Limits, D15_SlowConsumerDisconnectedOthersUnaffected) {
  CLASP_DEDICATED(relay, Flavour::Relay, "--queue-soft-limit", "65536", "--queue-hard-limit", "262144");
  auto writer = openOn(relay->endpoint(), "writer");
  auto normal = openOn(relay->endpoint(), "normal");
  ASSERT_TRUE(writer && normal);
  // A tiny receive buffer keeps the kernel from absorbing megabytes on the
  // slow client's behalf.
  auto slow = connectOnly(relay->endpoint(), "slow", ConnectOptions{.receiveBuffer = 4096});
  ASSERT_TRUE(slow && slow->hello());
  ASSERT_TRUE(subscribe(*normal, "/slow/**", 1));
  ASSERT_TRUE(subscribe(*slow, "/slow/**", 1));
  // From here on `slow` is never read until the end (its io_context does not run).

  // 1500 x 8 KiB = 12 MiB: far beyond 256 KiB plus what the kernel buffers (the
  // server socket's send buffer alone can grow to a few MiB).
  constexpr int kSets = 1500;
  const std::string big(8192, 'x');
  for (int i = 1; i <= kSets; ++i) {
    Map m;
    mapSet(m, "i", Value(i));
    mapSet(m, "pad", Value(big));
    ASSERT_TRUE(writer->send(setOf("/slow/value", Value(std::move(m))), QoS::Confirm));
    auto s = normal->expect<Set>();
    ASSERT_TRUE(s) << "normal subscriber, SET " << i;
    ASSERT_EQ(s->revision, static_cast<std::uint64_t>(i)) << "in order, none lost";
    auto ack = writer->expect<Ack>();
    ASSERT_TRUE(ack) << "writer, ACK " << i;
    ASSERT_EQ(ack->revision, static_cast<std::uint64_t>(i));
  }

  auto drained = slow->drainUntilClosed(milliseconds(5000));
  ASSERT_TRUE(drained.ended) << "the slow consumer must have been disconnected; it read "
                             << drained.messages.size() << " frames and is still connected";
  ASSERT_FALSE(drained.messages.empty());
  const auto* err = std::get_if<ErrorMsg>(&drained.messages.back().variant());
  ASSERT_NE(err, nullptr) << "last frame before the close: " << describe(drained.messages.back());
  EXPECT_EQ(err->code, 501);
  EXPECT_EQ(err->message, "slow consumer");
  EXPECT_EQ(drained.closeCode, std::optional<std::uint16_t>(1008));
  EXPECT_LT(drained.messages.size(), static_cast<std::size_t>(kSets)) << "it was cut off early";
  RecordProperty("slow_consumer_frames_before_close", static_cast<int>(drained.messages.size()));
  EXPECT_TRUE(normal->pingPong());
  EXPECT_TRUE(writer->pingPong());
}

// D-15: above the soft limit only Fire-QoS streams are dropped for a slow
// reader. Streams sent with QoS Confirm are never dropped: all of them arrive
// once the reader catches up (the hard limit is set out of reach here).
TEST_F(Limits, D15_AboveSoftLimitOnlyFireStreamsAreDropped) {
  CLASP_DEDICATED(relay, Flavour::Relay, "--queue-soft-limit", "65536", "--queue-hard-limit", "268435456");
  auto writer = openOn(relay->endpoint(), "writer");
  ASSERT_TRUE(writer);
  auto slow = connectOnly(relay->endpoint(), "slow", ConnectOptions{.receiveBuffer = 4096});
  ASSERT_TRUE(slow && slow->hello());
  ASSERT_TRUE(subscribe(*slow, "/st/**", 1));

  // 1200 x 8 KiB per kind: well beyond what the kernel buffers for `slow`, so
  // the relay's queue for it is far above the soft limit by the Fire phase.
  constexpr int kEach = 1200;
  const std::string pad(8192, 'x');
  auto stream = [&](const char* address, int i) {
    Publish p;
    p.address = address;
    p.signal = SignalType::Stream;
    Map m;
    mapSet(m, "i", Value(i));
    mapSet(m, "pad", Value(pad));
    p.value = Value(std::move(m));
    return p;
  };
  for (int i = 1; i <= kEach; ++i) {
    ASSERT_TRUE(writer->send(stream("/st/confirm", i), QoS::Confirm));
    ASSERT_TRUE(writer->expect<Ack>()) << "ACK " << i;
  }
  for (int i = 1; i <= kEach; ++i) ASSERT_TRUE(writer->send(stream("/st/fire", i), QoS::Fire));
  ASSERT_TRUE(writer->send(setOf("/st/end", Value(1)), QoS::Confirm));
  ASSERT_TRUE(writer->expect<Ack>());

  int confirmSeen = 0, fireSeen = 0, lastConfirm = 0;
  bool ended = false;
  while (!ended) {
    auto m = slow->next(milliseconds(10000));
    ASSERT_TRUE(m) << "slow reader stalled after " << confirmSeen << " Confirm and " << fireSeen << " Fire streams";
    if (const auto* p = std::get_if<Publish>(&m->variant())) {
      if (p->address == "/st/confirm") {
        ++confirmSeen;
        const Value* i = p->value ? p->value->find("i") : nullptr;
        ASSERT_TRUE(i && i->asInt());
        EXPECT_EQ(*i->asInt(), lastConfirm + 1) << "Confirm streams in order, none missing";
        lastConfirm = static_cast<int>(*i->asInt());
      } else if (p->address == "/st/fire") {
        ++fireSeen;
      }
    } else if (const auto* s = std::get_if<Set>(&m->variant())) {
      ended = s->address == "/st/end";
    }
  }
  EXPECT_EQ(confirmSeen, kEach) << "no Confirm-QoS stream may be dropped";
  EXPECT_LT(fireSeen, kEach) << "Fire streams above the soft limit are dropped";
  RecordProperty("fire_streams_delivered", fireSeen);
}

// D-16, R1.8 Fix, docs/decisions.md: a session idle for --session-timeout
// gets ERROR 502 "idle timeout" and close 1000.
TEST_F(Limits, D16_IdleTimeoutGets502ThenClose1000) {
  CLASP_DEDICATED(relay, Flavour::Relay, "--session-timeout", "1");
  auto c = openOn(relay->endpoint(), "idle");
  ASSERT_TRUE(c);
  const auto start = SteadyClock::now();
  auto e = c->expectError(502, milliseconds(5000));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "idle timeout");
  EXPECT_GE(std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start).count(), 900);
  EXPECT_TRUE(c->expectClose(1000));
}

// D-16 (fixes R1.8's outbound-only activity): inbound CLASP frames and
// WebSocket pings keep a session alive past --session-timeout, while an
// idle session on the same server expires.
TEST_F(Limits, D16_InboundFramesAndWebSocketPingsKeepSessionAlive) {
  CLASP_DEDICATED(relay, Flavour::Relay, "--session-timeout", "2");
  auto pinger = openOn(relay->endpoint(), "clasp-pinger");
  auto wsPinger = openOn(relay->endpoint(), "ws-pinger");
  auto idle = openOn(relay->endpoint(), "idle");
  ASSERT_TRUE(pinger && wsPinger && idle);
  bool idleExpired = false;
  const auto until = SteadyClock::now() + milliseconds(3200);
  while (SteadyClock::now() < until) {
    ASSERT_TRUE(pinger->pingPong());
    ASSERT_TRUE(wsPinger->sendWebSocketPing());
    // Waiting for the idle client's ERROR also paces the loop (~400 ms).
    if (!idleExpired) {
      if (auto m = idle->next(milliseconds(400))) {
        auto* e = std::get_if<ErrorMsg>(&m->variant());
        ASSERT_NE(e, nullptr) << describe(*m);
        EXPECT_EQ(e->code, 502);
        idleExpired = true;
      }
    } else {
      pinger->expectNothing(milliseconds(400));
    }
  }
  if (!idleExpired) {
    EXPECT_TRUE(idle->expectError(502, milliseconds(3000)));
  }
  EXPECT_FALSE(wsPinger->ended()) << "WebSocket pings count as activity: " << wsPinger->endDescription();
  EXPECT_TRUE(pinger->pingPong()) << "inbound frames count as activity";
  EXPECT_TRUE(wsPinger->pingPong());
}

// R1.1 Fix: the accept path never waits on a client. Connections that stay
// silent, or stop halfway through the HTTP upgrade, each cost a timer of their
// own; a normal client connecting after them is welcomed at once.
TEST_F(Limits, R1_1_SilentAndHalfOpenClientsDoNotDelayOthers) {
  CLASP_DEDICATED(relay, Flavour::Relay);
  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::socket> stalled;
  const auto& ep = relay->endpoint();
  for (int i = 0; i < 20; ++i) {
    boost::asio::ip::tcp::socket s(io);
    boost::system::error_code ec;
    s.connect({boost::asio::ip::make_address(ep.host), ep.port}, ec);
    ASSERT_FALSE(ec) << ec.message();
    if (i % 2 == 1) {
      // Half an upgrade request, never finished.
      const std::string part = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n";
      boost::asio::write(s, boost::asio::buffer(part), ec);
      ASSERT_FALSE(ec);
    }
    stalled.push_back(std::move(s));
  }
  const auto start = SteadyClock::now();
  auto c = openOn(ep, "after-the-stalled");
  ASSERT_TRUE(c) << "a normal client completes its handshake";
  ASSERT_TRUE(c->pingPong());
  EXPECT_LT(std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start).count(), 2000)
      << "welcomed without waiting for the stalled connections";
}

}  // namespace
}  // namespace clasp::conformance
