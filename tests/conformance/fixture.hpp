// The gtest fixture every conformance test derives from, and the few
// protocol-level helpers tests share: a handshaken client, per-test unique
// addresses, SUBSCRIBE with its ACK, SET with its ACK, and the fan-out
// barrier that replaces sleeps when a test must show that something did NOT
// arrive. Each test file declares `class <Suite> : public ConformanceTest {}`
// so that test names read `Suite.ClauseId_Behaviour`.
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness.hpp"

namespace clasp::conformance {

class ConformanceTest : public ::testing::Test {
 protected:
  // Obtains the shared server (starting it on first use); fails the test
  // when there is none or when it has died.
  void SetUp() override;
  // After a failure, says so when the shared server died during the test.
  void TearDown() override;

  const Endpoint& server() const { return endpoint_; }

  // A client connected to `ep` (default: the shared server) that completed
  // hello(). nullptr after a failure has been recorded.
  std::unique_ptr<Client> open(const std::string& name = "client");
  std::unique_ptr<Client> openOn(const Endpoint& ep, const std::string& name = "client");
  // Connected, no HELLO sent.
  std::unique_ptr<Client> connectOnly(const Endpoint& ep, const std::string& name = "client",
                                      ConnectOptions options = {});

  // An address unique to this run and this test: "/conf-<run id>/<Suite>.<Test><suffix>".
  // Re-running the suite against one external server therefore starts from fresh state.
  std::string addr(const std::string& suffix = "") const;

  // SUBSCRIBE at QoS Confirm followed by a PING: expects exactly one
  // ACK{address = pattern} and any SNAPSHOTs before the PONG. Returns the
  // snapshot params (possibly none); nullopt after a failure.
  std::optional<std::vector<ParamValue>> subscribe(Client& c, const std::string& pattern,
                                                   std::uint32_t id, std::uint8_t types = 0,
                                                   std::optional<SubscribeOptions> options = {},
                                                   Loc loc = Loc::current());
  // Sends `s` and expects its ACK as the next frame (so the writer must not
  // be subscribed to s.address). Returns the ACK.
  std::optional<Ack> setAcked(Client& writer, Set s, Loc loc = Loc::current());
  std::optional<Ack> setAcked(Client& writer, const std::string& address, Value v,
                              Loc loc = Loc::current());

  // Fan-out barrier. subscribeBarrier() subscribes c to this test's barrier
  // addresses. barrier() has `writer` SET a fresh barrier address; every
  // reader must receive that SET as its very next frame (the writer, if it
  // is a reader, then its ACK). D-8 delivers one session's messages to each
  // subscriber in order, so any earlier fan-out from `writer` would have
  // arrived first: "nothing before the barrier" replaces "wait and see".
  bool subscribeBarrier(Client& c, Loc loc = Loc::current());
  bool barrier(Client& writer, std::initializer_list<Client*> readers, Loc loc = Loc::current());

  // A server of its own with extra flags. Returns nullptr without failing
  // (the caller skips, `skipReason` says why) when CLASP_TEST_URL points at
  // an external server or the flavour's binary variable is not set; fails
  // the test when the process does not start.
  std::unique_ptr<RelayProcess> startDedicated(Flavour flavour, std::vector<std::string> args,
                                               std::string& skipReason);

 private:
  Endpoint endpoint_;
  int barrierCount_ = 0;
};

// Starts a dedicated server into `var`, or skips (external server, binary
// not configured) / returns (start failure, already reported) from the test.
#define CLASP_DEDICATED(var, flavour, ...)                          \
  std::string var##SkipReason;                                      \
  auto var = startDedicated(flavour, {__VA_ARGS__}, var##SkipReason); \
  if (!var) {                                                       \
    if (!HasFailure()) GTEST_SKIP() << var##SkipReason;             \
    return;                                                         \
  }                                                                 \
  static_assert(true)

// Builders for the messages tests send most (fields not named keep defaults).
Set setOf(std::string address, Value v);
Publish eventOf(std::string address, Value v);
Publish gestureOf(std::string address, std::uint32_t id, GesturePhase phase, Value v);
Subscribe subscribeOf(std::uint32_t id, std::string pattern, std::uint8_t types = 0);

}  // namespace clasp::conformance
