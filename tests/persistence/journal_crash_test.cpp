// The journal's durability promise under load (contract "Restore", D-23):
// every SET whose ACK was sent survives kill -9. One client pipelines SETs
// (window of 200 in flight, ~10 000/s, a few hundred addresses) and keeps a
// ledger of what the relay acknowledged; the relay is killed while the client
// is still sending, restarted on the same journal file, and every ledger
// entry must be there: restored revision >= acknowledged revision, and the
// very value sent when they are equal.
#include <deque>
#include <map>

#include "persistence_fixture.hpp"

namespace clasp::conformance {
namespace {

class JournalCrash : public PersistenceTest {};

constexpr int kAddresses = 300;
constexpr std::size_t kWindow = 200;      // SETs in flight
constexpr double kRatePerSecond = 10'000;  // target send rate
constexpr milliseconds kLoadBeforeKill{2000};

struct Acked {
  std::uint64_t revision = 0;
  Value value;
};

TEST_F(JournalCrash, EveryAcknowledgedSetSurvivesKill9UnderLoad) {
  const std::vector<std::string> args{"--journal", statePath("journal.db")};
  std::map<std::string, Acked> ledger;  // address -> highest acknowledged revision and its value
  std::size_t acks = 0, sent = 0;
  {
    PERSIST_LAUNCH(relay, Flavour::Relay, args);
    auto c = openOn(relay->endpoint(), "loader");
    ASSERT_TRUE(c);
    // ACKs of one session come in order (D-8), so ACK i answers SET i; the
    // ACK's own address is checked against it too.
    std::deque<std::pair<std::string, Value>> inFlight;
    bool broken = false;  // the connection ended (after the kill)
    auto take = [&](milliseconds timeout) {
      auto m = c->next(timeout);
      if (!m) {
        broken = c->ended();
        return false;
      }
      const auto* ack = std::get_if<Ack>(&m->variant());
      if (ack == nullptr) {
        // An ERROR or a notice during the load: the test cannot attribute ACKs any more.
        ADD_FAILURE() << "during the load: unexpected " << describe(*m);
        broken = true;
        return false;
      }
      if (inFlight.empty() || ack->address != inFlight.front().first || !ack->revision) {
        ADD_FAILURE() << "ACK " << describe(*m) << " does not answer the oldest SET in flight ("
                      << (inFlight.empty() ? std::string("none") : inFlight.front().first) << ")";
        broken = true;
        return false;
      }
      Acked& entry = ledger[*ack->address];
      if (*ack->revision > entry.revision) entry = {*ack->revision, inFlight.front().second};
      inFlight.pop_front();
      ++acks;
      return true;
    };

    const auto start = SteadyClock::now();
    bool killed = false;
    while (!broken && !HasFailure()) {
      const auto now = SteadyClock::now();
      if (!killed && now - start >= kLoadBeforeKill) {
        // Kill while SETs are still in flight, which is the case to survive:
        // fill the window at once (a fast relay may have answered everything
        // sent at the paced rate), then kill without reading.
        while (inFlight.size() < kWindow) {
          std::string address = "/load/" + std::to_string(sent % kAddresses);
          Value v(static_cast<std::int64_t>(sent));
          ASSERT_TRUE(c->sendRaw(frameOf(setOf(address, v), QoS::Confirm)));
          inFlight.emplace_back(std::move(address), std::move(v));
          ++sent;
        }
        crash(relay);
        killed = true;
      }
      if (killed) {
        // Collect the ACKs the relay sent before it died; the connection then ends.
        if (!take(kExpectTimeout)) break;
        continue;
      }
      const auto due = static_cast<std::size_t>(
          std::chrono::duration<double>(now - start).count() * kRatePerSecond);
      if (inFlight.size() >= kWindow || sent >= due) {
        take(milliseconds(1));  // window full or ahead of the rate: read ACKs instead
        continue;
      }
      std::string address = "/load/" + std::to_string(sent % kAddresses);
      // Alternate kinds so a restored value of the wrong kind is noticed.
      Value v = sent % 2 == 0 ? Value(static_cast<std::int64_t>(sent)) : Value(static_cast<double>(sent) + 0.5);
      ASSERT_TRUE(c->sendRaw(frameOf(setOf(address, v), QoS::Confirm)));
      inFlight.emplace_back(std::move(address), std::move(v));
      ++sent;
    }
    ASSERT_FALSE(HasFailure());
    ASSERT_TRUE(killed) << "the connection ended before the kill: " << c->endDescription();
  }
  RecordProperty("ledger_acks", static_cast<int>(acks));
  std::printf("[journal-crash] sent %zu SETs, %zu ACKs in the ledger over %zu addresses\n", sent, acks,
              ledger.size());
  ASSERT_GT(acks, 1000u) << "too few ACKs for the test to mean anything";

  PERSIST_LAUNCH(relay, Flavour::Relay, args);
  auto restored = greetingParams(relay->endpoint());
  ASSERT_TRUE(restored);
  std::size_t lost = 0, wrongValue = 0;
  for (const auto& [address, want] : ledger) {
    auto it = restored->find(address);
    if (it == restored->end() || it->second.revision < want.revision) {
      if (++lost <= 10) {
        ADD_FAILURE() << address << ": acknowledged revision " << want.revision << " but restored "
                      << (it == restored->end() ? std::string("nothing") : std::to_string(it->second.revision));
      }
      continue;
    }
    if (it->second.revision == want.revision && !(it->second.value == want.value)) {
      if (++wrongValue <= 10) {
        ADD_FAILURE() << address << " revision " << want.revision << ": sent " << toDebugString(want.value)
                      << ", restored " << toDebugString(it->second.value);
      }
    }
  }
  EXPECT_EQ(lost, 0u) << "acknowledged SETs lost by kill -9 (of " << ledger.size() << " addresses)";
  EXPECT_EQ(wrongValue, 0u) << "restored values differing from the acknowledged ones";
}

}  // namespace
}  // namespace clasp::conformance
