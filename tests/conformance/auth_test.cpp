// Authenticated mode, end to end: a server started with `--token-file`
// (router.md R1.4, §7, R11.2; DECISIONS D-17; docs/decisions.md "Token
// file"). The HELLO refusals in R1.4's order (S39, S40) with close 1008 and
// silence afterwards, the per-operation 301s of S41 (with R7.3's Fixes: REPLAY
// is checked like SUBSCRIBE, admin may subscribe, no escalation from /a/* to
// /a/**), and D-17's rule that the initial snapshot and live fan-out carry
// only what the session may read. Each test starts its own server from one
// token file written by this file; the tokens' names say what they may do.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "fixture.hpp"

namespace clasp::conformance {
namespace {

class Auth : public ConformanceTest {};

// Written once per test binary, removed when it exits. Servers read it at start.
const std::string& tokenFile() {
  struct File {
    std::filesystem::path path;
    File() {
      path = std::filesystem::temp_directory_path() /
             ("clasp-conformance-tokens-" + std::to_string(::getpid()) + ".txt");
      std::ofstream out(path);
      out << "# Tokens of the conformance suite's authenticated servers.\n"
             "\n"
             "admin-token\n"                             // bare: admin:/** (R11.2)
             "reader-a read:/a/**\n"                     // S41
             "star-a r:/a/*\n"                           // escalation check (R7.3 Fix)
             "writer-w WRITE:/w/**\n"                    // write implies read (D-17)
             "expired-token read:/** expires=1000000000\n"  // 2001-09-09: long expired
             "future-token read:/** expires=4102444800\n";  // 2100-01-01
      path_ = path.string();
    }
    ~File() {
      std::error_code ec;
      std::filesystem::remove(path, ec);
    }
    std::string path_;
  };
  static File file;
  return file.path_;
}

Hello helloWithToken(std::string token) {
  Hello h;
  h.features = feature::kParam | feature::kEvent | feature::kStream;
  h.name = "auth";
  h.token = std::move(token);
  return h;
}

// A handshaken client presenting `token`; nullptr after a recorded failure.
std::unique_ptr<Client> openWithToken(const Endpoint& ep, const std::string& token, Loc loc = Loc::current()) {
  auto c = std::make_unique<Client>(token);
  c->setToken(token);
  if (!c->connect(ep, {}, loc) || !c->hello(1, loc)) return nullptr;
  return c;
}

// R1.4 refusal: exactly one ERROR(code, text), then close 1008 and nothing
// else, although the client pipelined more frames behind its HELLO (S39:
// "even if the client continues, e.g. sends FEDERATION_SYNC").
void expectRefused(const Endpoint& ep, const std::string& token, std::uint16_t code, const std::string& text,
                   Loc loc = Loc::current()) {
  SCOPED_TRACE("token '" + token + "'");
  Client c("refused");
  ASSERT_TRUE(c.connect(ep, {}, loc));
  ASSERT_TRUE(c.sendRaw(frameOf(helloWithToken(token)), loc));
  FederationSync fs;
  fs.op = FederationOp::RequestSync;
  fs.patterns = {"/**"};
  // Pipelined behind the HELLO; writes may race the close, so unchecked.
  for (const Message& m : {Message(fs), Message(setOf("/a/x", Value(1.0))), Message(Ping{})})
    c.trySendRaw(frameOf(m, QoS::Confirm));
  auto e = c.expectError(code, kExpectTimeout, loc);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, text);
  EXPECT_TRUE(c.expectClose(1008, kExpectTimeout, loc)) << "R1.11 Fix: close 1008 right after the ERROR";
}

// S39 and R1.4 (1) on both programs: no token -> 300 "Authentication required".
TEST_F(Auth, S39_R1_4_NoTokenGets300ThenClose1008) {
  CLASP_DEDICATED(relay, Flavour::Relay, "--token-file", tokenFile());
  expectRefused(relay->endpoint(), "", 300, "Authentication required");
}

TEST_F(Auth, S39_R1_4_ServerRequireAuthNoTokenGets300ThenClose1008) {
  CLASP_DEDICATED(srv, Flavour::ClaspServer, "--require-auth", "--token-file", tokenFile());
  expectRefused(srv->endpoint(), "", 300, "Authentication required");
  EXPECT_TRUE(openWithToken(srv->endpoint(), "admin-token")) << "a listed token gets in";
}

// S40 and R1.4 (3), (4): expired -> 302; unknown -> 300 "Invalid token: token
// not found". A token file claims every string, so (5) "Unrecognized token
// format" cannot occur here (router unit test HelloAuth covers it).
TEST_F(Auth, S40_R1_4_ExpiredAndUnknownTokensRefused) {
  CLASP_DEDICATED(relay, Flavour::Relay, "--token-file", tokenFile());
  const Endpoint& ep = relay->endpoint();
  expectRefused(ep, "expired-token", 302, "Token has expired");
  expectRefused(ep, "no-such-token", 300, "Invalid token: token not found");
  expectRefused(ep, "admin-token ", 300, "Invalid token: token not found");  // exact match only
  expectRefused(ep, "reader-a read:/a/**", 300, "Invalid token: token not found");
  EXPECT_TRUE(openWithToken(ep, "future-token")) << "an expiry in the future is no refusal";
  EXPECT_TRUE(openWithToken(ep, "admin-token"));
}

// S41 (R7.3): token read:/a/** -> each refused operation gets its own 301
// with the address or pattern; the session stays usable. Also REPLAY (as
// SUBSCRIBE) and a BUNDLE member (403, nothing applied).
TEST_F(Auth, S41_R7_3_EachOperationOutsideTheScopeGets301) {
  CLASP_DEDICATED(relay, Flavour::Relay, "--token-file", tokenFile());
  auto c = openWithToken(relay->endpoint(), "reader-a");
  ASSERT_TRUE(c);
  struct Case {
    Message message;
    std::uint16_t code;
    std::string text;
    std::string address;
  };
  Replay replay;
  replay.pattern = "/b/**";
  Bundle bundle;
  bundle.messages = {setOf("/a/x", Value(1.0))};
  const Case cases[] = {
      {setOf("/a/x", Value(1.0)), 301, "Insufficient scope for write operation", "/a/x"},
      {eventOf("/a/x", Value("e")), 301, "Insufficient scope for publish operation", "/a/x"},
      {Get{"/b/x"}, 301, "Insufficient scope for read operation", "/b/x"},
      {subscribeOf(1, "/b/**"), 301, "Insufficient scope for subscription", "/b/**"},
      {replay, 301, "Insufficient scope for replay", "/b/**"},
      {bundle, 403, "Bundle rejected: insufficient scope for SET to /a/x", "/a/x"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(describe(k.message));
    ASSERT_TRUE(c->send(k.message, QoS::Confirm));
    auto e = c->expectError(k.code);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->message, k.text);
    EXPECT_EQ(e->address, k.address);
  }
  // Still open, and what the scope allows works: the GET finds nothing (201,
  // the bundle applied nothing), the SUBSCRIBE is acknowledged.
  ASSERT_TRUE(c->send(Get{"/a/x"}));
  EXPECT_TRUE(c->expectError(201));
  EXPECT_TRUE(subscribe(*c, "/a/**", 2));
}

// D-17, R7.3 Fix: read:/a/* must not admit a subscription to /a/** (the
// reference matched the pattern text and let it through); /a/* itself and
// an exact address under it are fine.
TEST_F(Auth, D17_SubscribeCannotEscalateFromStarToDoubleStar) {
  CLASP_DEDICATED(relay, Flavour::Relay, "--token-file", tokenFile());
  auto c = openWithToken(relay->endpoint(), "star-a");
  ASSERT_TRUE(c);
  for (const char* p : {"/a/**", "/**", "/a/*/*", "/*/x"}) {
    SCOPED_TRACE(p);
    ASSERT_TRUE(c->send(subscribeOf(1, p), QoS::Confirm));
    auto e = c->expectError(301);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->message, "Insufficient scope for subscription");
    EXPECT_EQ(e->address, p);
  }
  EXPECT_TRUE(subscribe(*c, "/a/*", 2));
  EXPECT_TRUE(subscribe(*c, "/a/x", 3));
}

// R7.3 Fix: admin:/** (what a bare token gets, R11.2) CAN subscribe (the
// reference only accepted a `read` action) and receives others' writes.
// write:/w/** may subscribe, write and read under /w (D-17: read ⊂ write).
TEST_F(Auth, R7_3_AdminAndWriteScopesMaySubscribe) {
  CLASP_DEDICATED(relay, Flavour::Relay, "--token-file", tokenFile());
  auto admin = openWithToken(relay->endpoint(), "admin-token");
  auto writer = openWithToken(relay->endpoint(), "writer-w");
  ASSERT_TRUE(admin && writer);
  ASSERT_TRUE(subscribe(*admin, "/**", 1));
  ASSERT_TRUE(subscribe(*writer, "/w/**", 1));
  ASSERT_TRUE(writer->send(setOf("/w/x", Value(2.0)), QoS::Confirm));
  auto echo = writer->expect<Set>();  // D-7: the writer's own echo, then its ACK
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->address, "/w/x");
  EXPECT_TRUE(writer->expect<Ack>());
  auto seen = admin->expect<Set>();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->address, "/w/x");
  ASSERT_TRUE(writer->send(Get{"/w/x"}));
  EXPECT_TRUE(writer->expect<Snapshot>()) << "write implies read";
}

// D-17, R7.6 Fix: the snapshot after WELCOME holds only readable params.
TEST_F(Auth, D17_R7_6_InitialSnapshotCarriesOnlyReadableParams) {
  CLASP_DEDICATED(relay, Flavour::Relay, "--token-file", tokenFile());
  auto admin = openWithToken(relay->endpoint(), "admin-token");
  ASSERT_TRUE(admin);
  for (const char* a : {"/a/x", "/a/y/z", "/b/x", "/w/x", "/secret"}) ASSERT_TRUE(setAcked(*admin, a, Value(a)));

  struct Case {
    const char* token;
    std::set<std::string> want;
  };
  const Case cases[] = {
      {"reader-a", {"/a/x", "/a/y/z"}},
      {"star-a", {"/a/x"}},
      {"writer-w", {"/w/x"}},
      {"admin-token", {"/a/x", "/a/y/z", "/b/x", "/w/x", "/secret"}},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.token);
    Client c(k.token);
    c.setToken(k.token);
    ASSERT_TRUE(c.connect(relay->endpoint()));
    auto g = c.hello();
    ASSERT_TRUE(g);
    std::set<std::string> got;
    for (const Snapshot& s : g->snapshots)
      for (const ParamValue& p : s.params) got.insert(p.address);
    EXPECT_EQ(got, k.want);
  }
}

// D-17: live fan-out reaches a session only at addresses it may read, while
// sessions with different scopes share the same fan-out. star-a holds /a/*
// and, after its /a/** attempt is refused, receives /a/x and /a/zz but not
// /a/b/c (the reference's escalation let that through); the PING proves
// nothing else was on its way. Over the wire a subscription always lies
// inside one grant, so the per-address delivery filter on its own is
// covered by the router unit test D17_LiveFanOutCarriesOnlyReadableAddresses.
TEST_F(Auth, D17_LiveFanOutCarriesOnlyReadableAddresses) {
  CLASP_DEDICATED(relay, Flavour::Relay, "--token-file", tokenFile());
  auto admin = openWithToken(relay->endpoint(), "admin-token");
  auto star = openWithToken(relay->endpoint(), "star-a");
  ASSERT_TRUE(admin && star);
  ASSERT_TRUE(star->send(subscribeOf(1, "/a/**"), QoS::Confirm));
  ASSERT_TRUE(star->expectError(301));
  ASSERT_TRUE(subscribe(*star, "/a/*", 2));
  for (const char* a : {"/a/x", "/a/b/c", "/b/x", "/a/b/d", "/a/zz"}) {
    ASSERT_TRUE(admin->send(setOf(a, Value(1.0)), QoS::Confirm));
    ASSERT_TRUE(admin->expect<Ack>());
  }
  for (const char* want : {"/a/x", "/a/zz"}) {
    auto s = star->expect<Set>();
    ASSERT_TRUE(s) << "waiting for " << want;
    EXPECT_EQ(s->address, want);
  }
  EXPECT_TRUE(star->pingPong()) << "nothing else was delivered";

  // Events follow the same rule.
  ASSERT_TRUE(admin->send(eventOf("/a/b/e", Value("hidden"))));
  ASSERT_TRUE(admin->send(eventOf("/a/e", Value("seen"))));
  auto p = star->expect<Publish>();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->address, "/a/e");
}

}  // namespace
}  // namespace clasp::conformance
