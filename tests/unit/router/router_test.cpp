// Router rules that the wire cannot reach yet or that need controlled time:
// scopes (D-17) checked on every operation and filtered into snapshots and
// live fan-out, and TTL expiry (sliding refreshed by reads, absolute, never,
// the default TTL and --no-ttl). Sessions talk to the real Router through a
// recording Outbox (the router's transport interface) and a manual clock.
#include "router_fixture.hpp"

namespace clasp::router {
namespace {

TEST_F(RouterTest, D17_ReadScopeAllowsGetAndSubscribeInsideOnly) {
  Client& admin = connect();
  set(admin, "/a/x", 1.0);
  set(admin, "/b/x", 2.0);
  Client& reader = connect(grants({{Action::Read, "/a/**"}}));

  EXPECT_TRUE(exists(reader, "/a/x"));
  send(reader, Get{"/b/x"});
  auto e = onlyError(reader.out.take());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, 301);
  EXPECT_EQ(e->message, "Insufficient scope for read operation");

  send(reader, Set{"/a/x", 5.0, std::nullopt, false, false, std::nullopt});
  e = onlyError(reader.out.take());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, 301);
  EXPECT_EQ(e->message, "Insufficient scope for write operation");

  // No escalation: /a/** is granted, /** and /b/* are not (D-17).
  for (const char* p : {"/**", "/b/*", "/*/x"}) {
    send(reader, Subscribe{1, p, 0, std::nullopt});
    e = onlyError(reader.out.take());
    ASSERT_TRUE(e) << p;
    EXPECT_EQ(e->message, "Insufficient scope for subscription") << p;
  }
  send(reader, Subscribe{2, "/a/*", 0, std::nullopt});
  auto ms = reader.out.take();
  ASSERT_EQ(ms.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<Snapshot>(ms[0]));
  EXPECT_EQ(std::get<Snapshot>(ms[0]).params.size(), 1u);
}

TEST_F(RouterTest, D17_InitialSnapshotCarriesOnlyReadableParams) {
  Client& admin = connect();
  set(admin, "/a/x", 1.0);
  set(admin, "/a/y", 2.0);
  set(admin, "/secret/k", "s");
  auto& c = *clients_.emplace_back(std::make_unique<Client>());
  c.session = router_->open(c.out);
  router_->setScopes(c.session, grants({{Action::Read, "/a/**"}}));
  send(c, Hello{1, 0xE0, "scoped", ""});
  auto ms = c.out.take();
  ASSERT_EQ(ms.size(), 2u);
  const auto& snap = std::get<Snapshot>(ms[1]);
  ASSERT_EQ(snap.params.size(), 2u);
  for (const auto& p : snap.params) EXPECT_TRUE(p.address.starts_with("/a/")) << p.address;
}

TEST_F(RouterTest, D17_LiveFanOutCarriesOnlyReadableAddresses) {
  Client& writer = connect();
  Client& reader = connect();
  send(reader, Subscribe{1, "/a/**", 0, std::nullopt});
  // Scopes narrowed after subscribing (as a token refresh would): deliveries
  // are filtered per address, not trusted to the subscribe-time check.
  router_->setScopes(reader.session, grants({{Action::Read, "/a/x"}}));
  reader.out.take();
  set(writer, "/a/x", 1.0);
  set(writer, "/a/y", 2.0);
  auto ms = reader.out.take();
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(std::get<Set>(ms[0]).address, "/a/x");
}

TEST_F(RouterTest, D17_WriteScopeCoversSetPublishAndBundleMembers) {
  Client& w = connect(grants({{Action::Write, "/w/**"}}));
  set(w, "/w/x", 1.0);
  auto ms = w.out.take();
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<Ack>(ms[0]));
  EXPECT_TRUE(exists(w, "/w/x")) << "write implies read";

  Publish p;
  p.address = "/elsewhere/e";
  send(w, p);
  auto e = onlyError(w.out.take());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "Insufficient scope for publish operation");

  Bundle b;
  b.messages.push_back(Set{"/w/y", 1.0, std::nullopt, false, false, std::nullopt});
  b.messages.push_back(Set{"/other/z", 1.0, std::nullopt, false, false, std::nullopt});
  send(w, b, QoS::Commit);
  e = onlyError(w.out.take());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, 403);
  EXPECT_EQ(e->message, "Bundle rejected: insufficient scope for SET to /other/z");
  EXPECT_FALSE(exists(w, "/w/y")) << "nothing of a rejected bundle is applied";
}

TEST_F(RouterTest, TtlDefaultIsSlidingAndReadsRefreshIt) {
  RouterConfig cfg;
  cfg.paramTtlSeconds = 10;
  makeRouter(cfg);
  Client& c = connect();
  set(c, "/t/x", 1.0);
  c.out.take();
  clock_.advanceSeconds(9);
  router_->tick();
  EXPECT_TRUE(exists(c, "/t/x")) << "GET at 9 s refreshes the sliding TTL";
  clock_.advanceSeconds(9);
  router_->tick();
  EXPECT_TRUE(exists(c, "/t/x")) << "18 s after the write, 9 s after the read";
  clock_.advanceSeconds(10.5);
  router_->tick();
  EXPECT_FALSE(exists(c, "/t/x"));
}

TEST_F(RouterTest, TtlPerParamAbsoluteSlidingAndNever) {
  RouterConfig cfg;
  cfg.paramTtlSeconds = 4;
  makeRouter(cfg);
  Client& c = connect();
  set(c, "/t/abs", 1.0, Ttl{Ttl::Kind::Absolute, 5});
  set(c, "/t/slide", 1.0, Ttl{Ttl::Kind::Sliding, 3});
  set(c, "/t/never", 1.0, Ttl{Ttl::Kind::Never, 0});
  set(c, "/t/default", 1.0);
  c.out.take();
  clock_.advanceSeconds(2.5);
  router_->tick();
  EXPECT_TRUE(exists(c, "/t/abs"));    // reads do not extend an absolute TTL
  EXPECT_TRUE(exists(c, "/t/slide"));  // refreshed at 2.5 s
  clock_.advanceSeconds(2.6);          // 5.1 s
  router_->tick();
  EXPECT_FALSE(exists(c, "/t/abs"));
  EXPECT_TRUE(exists(c, "/t/slide"));
  EXPECT_FALSE(exists(c, "/t/default")) << "default TTL 4 s, never read";
  clock_.advanceSeconds(3.5);
  router_->tick();
  EXPECT_FALSE(exists(c, "/t/slide"));
  clock_.advanceSeconds(1000);
  router_->tick();
  EXPECT_TRUE(exists(c, "/t/never"));
}

TEST_F(RouterTest, TtlDisabledKeepsEverything) {
  RouterConfig cfg;
  cfg.paramTtlSeconds = 1;
  cfg.ttlEnabled = false;  // --no-ttl
  makeRouter(cfg);
  Client& c = connect();
  set(c, "/t/a", 1.0, Ttl{Ttl::Kind::Absolute, 1});
  set(c, "/t/b", 1.0);
  c.out.take();
  clock_.advanceSeconds(100);
  router_->tick();
  EXPECT_TRUE(exists(c, "/t/a"));
  EXPECT_TRUE(exists(c, "/t/b"));
}

TEST_F(RouterTest, SignalTtlExpiresAnnouncements) {
  RouterConfig cfg;
  cfg.signalTtlSeconds = 5;
  makeRouter(cfg);
  Client& c = connect();
  Announce a;
  a.ns = "/dev";
  a.signals.push_back(SignalDefinition{"/dev/vol", SignalType::Param, std::string("f64"), std::nullopt, std::nullopt});
  send(c, a);
  c.out.take();
  auto query = [&] {
    send(c, Query{"/dev/**"});
    auto ms = c.out.take();
    return ms.size() == 1 ? std::get<QueryResult>(ms[0]).signals.size() : 99u;
  };
  EXPECT_EQ(query(), 1u);
  clock_.advanceSeconds(6);
  router_->tick();
  EXPECT_EQ(query(), 0u);
}

}  // namespace
}  // namespace clasp::router
