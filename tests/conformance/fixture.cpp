// ConformanceTest: shared-server access, unique addresses and the SUBSCRIBE /
// SET / barrier helpers declared in fixture.hpp.
#include "fixture.hpp"

#include <gtest/gtest-spi.h>

#include <cstdlib>
#include <random>

namespace clasp::conformance {

namespace {

constexpr std::uint32_t kBarrierSubscriptionId = 0xBA77;

// Distinguishes this run's addresses from any earlier run's on the same server.
const std::string& runId() {
  static const std::string id = [] {
    std::random_device rd;
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < 8; ++i) s += kDigits[rd() % 16];
    return s;
  }();
  return id;
}

// One HELLO against the shared server, once per run, with its failures
// captured rather than reported: "" when it completed, else the reason. A
// server that cannot complete a handshake then fails every test at once
// instead of making each wait for its own timeouts.
std::string smokeHandshake(const Endpoint& ep) {
  ::testing::TestPartResultArray failures;
  bool ok = false;
  {
    ::testing::ScopedFakeTestPartResultReporter capture(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
    Client probe("smoke-probe");
    ok = probe.connect(ep) && probe.hello().has_value();
  }
  if (ok) return "";
  std::string why;
  for (int i = 0; i < failures.size(); ++i) why += std::string("\n  ") + failures.GetTestPartResult(i).message();
  return why.empty() ? "unknown failure" : why;
}

}  // namespace

void ConformanceTest::SetUp() {
  std::string error;
  const Endpoint* ep = sharedEndpoint(error);
  ASSERT_NE(ep, nullptr) << "no server to test: " << error;
  std::string status;
  ASSERT_TRUE(sharedServerAlive(status)) << "the shared server is no longer running: " << status;
  static const std::string smokeError = smokeHandshake(*ep);
  ASSERT_TRUE(smokeError.empty())
      << "the shared server at " << ep->url()
      << " did not complete a HELLO handshake (WELCOME, SNAPSHOT, PONG) when first probed, so no "
         "test can run:"
      << smokeError;
  endpoint_ = *ep;
}

void ConformanceTest::TearDown() {
  std::string status;
  if (HasFailure() && !sharedServerAlive(status)) {
    ADD_FAILURE() << "the shared server died during this test: " << status;
  }
}

std::unique_ptr<Client> ConformanceTest::connectOnly(const Endpoint& ep, const std::string& name,
                                                     ConnectOptions options) {
  auto c = std::make_unique<Client>(name);
  if (!c->connect(ep, options)) return nullptr;
  return c;
}

std::unique_ptr<Client> ConformanceTest::openOn(const Endpoint& ep, const std::string& name) {
  auto c = connectOnly(ep, name);
  if (!c || !c->hello()) return nullptr;
  return c;
}

std::unique_ptr<Client> ConformanceTest::open(const std::string& name) { return openOn(endpoint_, name); }

std::string ConformanceTest::addr(const std::string& suffix) const {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string test = info ? std::string(info->test_suite_name()) + "." + info->name() : "test";
  return "/conf-" + runId() + "/" + test + suffix;
}

std::optional<std::vector<ParamValue>> ConformanceTest::subscribe(
    Client& c, const std::string& pattern, std::uint32_t id, std::uint8_t types,
    std::optional<SubscribeOptions> options, Loc loc) {
  Subscribe s = subscribeOf(id, pattern, types);
  s.options = std::move(options);
  if (!c.send(s, QoS::Confirm, loc) || !c.send(Ping{}, std::nullopt, loc)) return std::nullopt;
  std::vector<ParamValue> params;
  bool acked = false;
  for (;;) {
    auto m = c.next(kExpectTimeout);
    if (!m) {
      ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
          << c.name() << ": SUBSCRIBE " << pattern << ": no ACK/PONG within "
          << kExpectTimeout.count() << " ms (" << c.endDescription() << ")";
      return std::nullopt;
    }
    if (auto* snap = std::get_if<Snapshot>(&m->variant())) {
      for (auto& p : snap->params) params.push_back(std::move(p));
      continue;
    }
    if (auto* ack = std::get_if<Ack>(&m->variant()); ack && !acked) {
      EXPECT_EQ(ack->address, pattern) << "D-6: SUBSCRIBE is acknowledged with ACK{address: pattern}";
      acked = true;
      continue;
    }
    if (std::holds_alternative<Pong>(m->variant())) break;
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << c.name() << ": SUBSCRIBE " << pattern << " (QoS Confirm) answered with " << describe(*m);
    return std::nullopt;
  }
  if (!acked) {
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << c.name() << ": SUBSCRIBE " << pattern
        << " at QoS Confirm got no ACK before the PONG (D-6)";
    return std::nullopt;
  }
  return params;
}

std::optional<Ack> ConformanceTest::setAcked(Client& writer, Set s, Loc loc) {
  if (!writer.send(s, QoS::Confirm, loc)) return std::nullopt;
  return writer.expect<Ack>(kExpectTimeout, loc);
}

std::optional<Ack> ConformanceTest::setAcked(Client& writer, const std::string& address, Value v,
                                             Loc loc) {
  return setAcked(writer, setOf(address, std::move(v)), loc);
}

bool ConformanceTest::subscribeBarrier(Client& c, Loc loc) {
  return subscribe(c, addr("/_barrier/**"), kBarrierSubscriptionId, 0, {}, loc).has_value();
}

bool ConformanceTest::barrier(Client& writer, std::initializer_list<Client*> readers, Loc loc) {
  const std::string address = addr("/_barrier/" + std::to_string(++barrierCount_));
  if (!writer.send(setOf(address, Value(barrierCount_)), QoS::Confirm, loc)) return false;
  bool ok = true;
  for (Client* r : readers) {  // the writer, if listed, sees its echo before its ACK (D-7)
    auto m = r->next(kExpectTimeout);
    const auto* s = m ? std::get_if<Set>(&m->variant()) : nullptr;
    if (s == nullptr || s->address != address) {
      ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
          << r->name() << ": expected the barrier SET " << address << " next, but "
          << (m ? "received " + describe(*m) : "nothing arrived (" + r->endDescription() + ")");
      ok = false;
    }
  }
  auto ack = writer.expect<Ack>(kExpectTimeout, loc);
  return ok && ack.has_value();
}

std::unique_ptr<RelayProcess> ConformanceTest::startDedicated(Flavour flavour,
                                                              std::vector<std::string> args,
                                                              std::string& skipReason) {
  if (externalServer()) {
    skipReason = "needs its own server with special flags, but CLASP_TEST_URL points at an external one";
    return nullptr;
  }
  const char* var = flavour == Flavour::Relay ? "CLASP_RELAY_BIN" : "CLASP_SERVER_BIN";
  const char* bin = std::getenv(var);
  if (bin == nullptr || *bin == '\0') {
    skipReason = std::string("needs ") + var + " (" +
                 (flavour == Flavour::Relay ? "clasp-relay" : "clasp server") + "), which is not set";
    return nullptr;
  }
  std::string error;
  auto p = RelayProcess::start(flavour, args, error);
  if (!p) ADD_FAILURE() << "cannot start a dedicated server: " << error;
  return p;
}

Set setOf(std::string address, Value v) {
  Set s;
  s.address = std::move(address);
  s.value = std::move(v);
  return s;
}

Publish eventOf(std::string address, Value v) {
  Publish p;
  p.address = std::move(address);
  p.signal = SignalType::Event;
  p.value = std::move(v);
  return p;
}

Publish gestureOf(std::string address, std::uint32_t id, GesturePhase phase, Value v) {
  Publish p;
  p.address = std::move(address);
  p.signal = SignalType::Gesture;
  p.phase = phase;
  p.id = id;
  p.value = std::move(v);
  return p;
}

Subscribe subscribeOf(std::uint32_t id, std::string pattern, std::uint8_t types) {
  Subscribe s;
  s.id = id;
  s.pattern = std::move(pattern);
  s.types = types;
  return s;
}

}  // namespace clasp::conformance
