// What the counters say after known traffic: messages by type, deliveries,
// fan-out, state size, sessions, errors by code, latency and journal lag
// (router.md R11.3 names, docs/decisions.md "Metrics and health"). Deltas
// between two scrapes must match the traffic exactly.
#include <algorithm>
#include <cmath>

#include "metrics_fixture.hpp"

namespace clasp::conformance {
namespace {

class Counters : public MetricsTest {};

// Every histogram: cumulative buckets never decrease and +Inf equals _count.
void expectHistogramsConsistent(const Scrape& s) {
  for (const auto& [family, type] : s.types) {
    if (type != "histogram") continue;
    // Group the bucket samples by their other labels.
    std::map<std::string, std::vector<std::pair<double, double>>> series;
    for (const auto& [key, value] : s.samples) {
      const std::string prefix = family + "_bucket{";
      if (key.rfind(prefix, 0) != 0) continue;
      std::string labels = key.substr(prefix.size(), key.size() - prefix.size() - 1);
      auto le = labels.find("le=");
      std::size_t leEnd = labels.find(',', le);
      std::string leText = labels.substr(le + 3, leEnd == std::string::npos ? std::string::npos : leEnd - le - 3);
      std::string rest = labels.substr(0, le) + (leEnd == std::string::npos ? "" : labels.substr(leEnd + 1));
      if (!rest.empty() && rest.back() == ',') rest.pop_back();
      series[rest].push_back({leText == "+Inf" ? HUGE_VAL : std::stod(leText), value});
    }
    EXPECT_FALSE(series.empty()) << family << " has no buckets";
    for (auto& [labels, buckets] : series) {
      std::sort(buckets.begin(), buckets.end());
      for (std::size_t i = 1; i < buckets.size(); ++i)
        EXPECT_LE(buckets[i - 1].second, buckets[i].second) << family << "{" << labels << "} not cumulative";
      ASSERT_TRUE(std::isinf(buckets.back().first)) << family << "{" << labels << "} has no +Inf bucket";
      const std::string countKey = family + "_count{" + labels + "}";
      ASSERT_TRUE(s.samples.contains(countKey)) << countKey;
      EXPECT_EQ(buckets.back().second, s.samples.at(countKey)) << family << "{" << labels << "}: +Inf != _count";
    }
  }
}

TEST_F(Counters, SetsAndPublishesMoveCountersByExactlyTheTraffic) {
  ASSERT_TRUE(startWithMetrics(Flavour::Relay, {"--metrics-port", "0"}));
  auto reader = helloClient("reader");
  auto writer = helloClient("writer");
  ASSERT_TRUE(reader && writer);
  const std::string ns = addr();
  ASSERT_TRUE(subscribe(*reader, ns + "/**", 1));

  Scrape before = scrape(httpPort_);
  ASSERT_TRUE(before.ok) << before.error;
  constexpr int kSets = 25, kPublishes = 10;
  for (int i = 0; i < kSets; ++i) ASSERT_TRUE(writer->send(setOf(ns + "/p" + std::to_string(i), Value(std::int64_t{i}))));
  for (int i = 0; i < kPublishes; ++i) ASSERT_TRUE(writer->send(eventOf(ns + "/e", Value(std::int64_t{i}))));
  // SET and event PUBLISH default to QoS Confirm: one ACK each. The
  // writer's PONG comes after everything it sent was routed (D-8 order).
  for (int i = 0; i < kSets + kPublishes; ++i) ASSERT_TRUE(writer->expect<Ack>());
  ASSERT_TRUE(writer->pingPong());
  for (int i = 0; i < kSets + kPublishes; ++i) ASSERT_TRUE(reader->next(kExpectTimeout)) << "delivery " << i;

  // Latency is recorded just after the batch's router section, so poll for it.
  Scrape after;
  ASSERT_TRUE(eventually([&] {
    after = scrape(httpPort_);
    return after.ok && after.value("clasp_message_latency_seconds_count", {{"type", "ping"}}) >= 1;
  })) << after.error;
  auto delta = [&](const std::string& n, const std::map<std::string, std::string>& l = {}) {
    return after.value(n, l) - before.value(n, l);
  };
  EXPECT_EQ(delta("clasp_messages_total", {{"type", "set"}}), kSets);
  EXPECT_EQ(delta("clasp_messages_total", {{"type", "publish"}}), kPublishes);
  EXPECT_EQ(delta("clasp_messages_total", {{"type", "ping"}}), 1);
  EXPECT_EQ(delta("clasp_messages_sent_total", {{"type", "ack"}}), kSets + kPublishes);
  EXPECT_EQ(delta("clasp_messages_sent_total", {{"type", "set"}}), kSets);
  EXPECT_EQ(delta("clasp_messages_sent_total", {{"type", "publish"}}), kPublishes);
  EXPECT_EQ(delta("clasp_messages_sent_total", {{"type", "pong"}}), 1);
  EXPECT_EQ(delta("clasp_deliveries_total"), kSets + kPublishes);
  EXPECT_EQ(delta("clasp_broadcast_fanout_count"), kSets + kPublishes);
  EXPECT_EQ(delta("clasp_broadcast_fanout_sum"), kSets + kPublishes);  // one subscriber each
  EXPECT_EQ(after.value("clasp_state_params_active"), kSets);
  EXPECT_EQ(after.value("clasp_subscriptions_active"), 1);
  EXPECT_EQ(after.value("clasp_sessions_active"), 2);
  EXPECT_TRUE(eventually([&] {
    Scrape s = scrape(httpPort_);
    return s.value("clasp_message_latency_seconds_count", {{"type", "set"}}) -
               before.value("clasp_message_latency_seconds_count", {{"type", "set"}}) ==
           kSets;
  })) << "latency histogram counts every SET once";
  EXPECT_EQ(after.value("clasp_errors_total", {{"code", "400"}}), 0);
  expectHistogramsConsistent(after);
}

TEST_F(Counters, SessionsActiveFollowsConnections) {
  ASSERT_TRUE(startWithMetrics(Flavour::ClaspServer, {"--metrics", "--metrics-port", "0"}));
  auto sessions = [&] { return scrape(httpPort_).value("clasp_sessions_active"); };
  EXPECT_EQ(sessions(), 0);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(helloClient("c" + std::to_string(i)));
    ASSERT_TRUE(clients.back());
  }
  EXPECT_EQ(sessions(), 3);
  clients[0]->close();
  clients[1].reset();  // dropped without a close handshake
  EXPECT_TRUE(eventually([&] { return sessions() == 1; })) << "now " << sessions();
  clients.clear();
  EXPECT_TRUE(eventually([&] { return sessions() == 0; })) << "now " << sessions();
}

TEST_F(Counters, ErrorsSentAreCountedByCode) {
  ASSERT_TRUE(startWithMetrics(Flavour::Relay, {"--metrics-port", "0"}));
  auto c = helloClient("errors");
  ASSERT_TRUE(c);
  Scrape before = scrape(httpPort_);
  ASSERT_TRUE(before.ok) << before.error;
  ASSERT_TRUE(c->send(setOf("no-leading-slash", Value(std::int64_t{1}))));
  auto e1 = c->expect<ErrorMsg>();
  ASSERT_TRUE(e1);
  ASSERT_TRUE(c->send(Hello{}));  // a second HELLO: 101
  auto e2 = c->expectError(101);
  ASSERT_TRUE(e2);
  ASSERT_TRUE(c->pingPong());
  Scrape after = scrape(httpPort_);
  ASSERT_TRUE(after.ok) << after.error;
  const std::string code1 = std::to_string(e1->code);
  EXPECT_EQ(after.value("clasp_errors_total", {{"code", code1}}) - before.value("clasp_errors_total", {{"code", code1}}),
            1)
      << "code " << code1;
  EXPECT_EQ(after.value("clasp_errors_total", {{"code", "101"}}) - before.value("clasp_errors_total", {{"code", "101"}}),
            1);
  EXPECT_EQ(after.value("clasp_messages_sent_total", {{"type", "error"}}) -
                before.value("clasp_messages_sent_total", {{"type", "error"}}),
            2);
  // Known codes have a series from the start.
  EXPECT_TRUE(before.get("clasp_errors_total", {{"code", "429"}}).has_value());
}

TEST_F(Counters, JournalLagIsReportedWithAJournal) {
  ASSERT_TRUE(startWithMetrics(Flavour::Relay, {"--metrics-port", "0", "--journal-memory"}));
  auto c = helloClient("journal");
  ASSERT_TRUE(c);
  Scrape before = scrape(httpPort_);
  ASSERT_TRUE(before.ok) << before.error;
  ASSERT_TRUE(before.get("clasp_journal_lag_entries").has_value()) << before.text;
  const std::string ns = addr();
  constexpr int kSets = 20;
  for (int i = 0; i < kSets; ++i) ASSERT_TRUE(c->send(setOf(ns + "/j" + std::to_string(i), Value(std::int64_t{i}))));
  // D-23: each ACK waits for its entry's commit, so after the last ACK
  // every entry is committed and the lag is back to zero.
  for (int i = 0; i < kSets; ++i) ASSERT_TRUE(c->expect<Ack>());
  Scrape after = scrape(httpPort_);
  ASSERT_TRUE(after.ok) << after.error;
  EXPECT_EQ(after.value("clasp_journal_lag_entries"), 0);
  EXPECT_EQ(after.value("clasp_journal_committed_entries_total") - before.value("clasp_journal_committed_entries_total"),
            kSets);
}

TEST_F(Counters, NoJournalNoJournalSeries) {
  ASSERT_TRUE(startWithMetrics(Flavour::Relay, {"--metrics-port", "0"}));
  Scrape s = scrape(httpPort_);
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_FALSE(s.get("clasp_journal_lag_entries").has_value());
}

}  // namespace
}  // namespace clasp::conformance

namespace clasp::conformance {
namespace {

// D-15 through the metrics: a subscriber that never reads first loses Fire
// streams above the soft limit (counted as drops); reliable SETs then pile
// up in its queue (the queued-bytes gauge) until the hard limit closes it
// (one slow-consumer close, one ERROR 501); once it is gone its queue
// leaves the gauge.
TEST_F(Counters, SlowConsumerDropsCloseAndQueuedBytes) {
  ASSERT_TRUE(startWithMetrics(Flavour::Relay, {"--metrics-port", "0", "--queue-soft-limit", "65536",
                                                "--queue-hard-limit", "16777216"}));
  auto writer = helloClient("writer");
  ASSERT_TRUE(writer);
  auto slow = connectOnly(server_->endpoint(), "slow", ConnectOptions{.receiveBuffer = 4096});
  ASSERT_TRUE(slow && slow->hello());
  ASSERT_TRUE(subscribe(*slow, "/slow/**", 1));
  const std::string pad(8192, 'x');
  auto padded = [&](int i) {
    Map m;
    mapSet(m, "i", Value(i));
    mapSet(m, "pad", Value(pad));
    return Value(std::move(m));
  };
  auto sets = [&](int n) {
    for (int i = 0; i < n; ++i)
      if (!writer->send(setOf("/slow/value", padded(i)))) return false;
    for (int i = 0; i < n; ++i)
      if (!writer->expect<Ack>()) return false;
    return writer->pingPong();
  };
  // 8 MiB of Fire streams: beyond what the kernel buffers for `slow`.
  for (int i = 0; i < 1000; ++i) {
    Publish p;
    p.address = "/slow/stream";
    p.signal = SignalType::Stream;
    p.value = padded(i);
    ASSERT_TRUE(writer->send(p, QoS::Fire));
  }
  ASSERT_TRUE(writer->pingPong());
  Scrape s;
  EXPECT_TRUE(eventually([&] {
    s = scrape(httpPort_);
    return s.value("clasp_messages_dropped_total", {{"reason", "queue_soft_limit"}}) > 0;
  })) << s.text;
  // 8 MiB of SETs, never dropped: at most a few MiB fit in the kernel's buffers.
  ASSERT_TRUE(sets(1000));
  EXPECT_TRUE(eventually([&] {
    s = scrape(httpPort_);
    return s.value("clasp_outbound_queue_bytes") >= 1 << 20;
  })) << s.text;
  EXPECT_EQ(s.value("clasp_slow_consumer_closes_total"), 0);
  // 12 MiB more: past the 16 MiB hard limit.
  ASSERT_TRUE(sets(1500));
  EXPECT_TRUE(eventually([&] {
    s = scrape(httpPort_);
    return s.value("clasp_slow_consumer_closes_total") == 1 && s.value("clasp_errors_total", {{"code", "501"}}) == 1;
  })) << s.text;
  // The close frame is never read: the 2 s close grace ends the connection.
  EXPECT_TRUE(eventually([&] { return scrape(httpPort_).value("clasp_outbound_queue_bytes") == 0; },
                         milliseconds{6000}));
  EXPECT_EQ(scrape(httpPort_).value("clasp_slow_consumer_closes_total"), 1);
}

}  // namespace
}  // namespace clasp::conformance
