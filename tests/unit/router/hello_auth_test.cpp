// HELLO in authenticated mode (router.md R1.4, R7.1, R1.11 Fix) at the
// router's interface, for the verdicts no shipped validator produces from
// the wire: NotMine ("Unrecognized token format") and the missing validator
// (500). The conformance suite covers the token file end to end; here a
// fixed-verdict validator drives every branch, and each refusal must be one
// ERROR, a 1008 close, and nothing processed afterwards.
#include "router_fixture.hpp"

namespace clasp::router {
namespace {

// Answers every token with one verdict and remembers what it was asked.
class FixedValidator final : public TokenValidator {
 public:
  explicit FixedValidator(TokenVerdict v) : verdict_(std::move(v)) {}
  TokenVerdict validate(std::string_view token, std::uint64_t) const override {
    asked.emplace_back(token);
    return verdict_;
  }
  mutable std::vector<std::string> asked;

 private:
  TokenVerdict verdict_;
};

std::vector<std::uint8_t> frameOf(const Message& m) {
  OutBuffer b;
  EXPECT_TRUE(encodeFrame(m, b, QoS::Confirm));
  return {b.data(), b.data() + b.size()};
}

TokenVerdict verdict(TokenVerdict::Kind k, std::string reason = {}) {
  TokenVerdict v;
  v.kind = k;
  v.reason = std::move(reason);
  return v;
}

struct Outcome {
  std::vector<Message> got;
  std::vector<CloseReason> closes;
};

// HELLO with `token`, then a SET and a PING that must be ignored if refused.
Outcome helloWith(RouterConfig cfg, std::string token) {
  ManualClock clock;
  Router router(std::move(cfg), clock);
  RecordingOutbox out;
  RouterSession* s = router.open(out);
  router.handleMessage(s, frameOf(Hello{1, 0xE0, "t", std::move(token)}));
  router.handleMessage(s, frameOf(Set{"/x", 1.0, std::nullopt, false, false, std::nullopt}));
  router.handleMessage(s, frameOf(Ping{}));
  return {std::move(out.got), std::move(out.closes)};
}

void expectRefused(const Outcome& o, std::uint16_t code, const std::string& text) {
  ASSERT_EQ(o.got.size(), 1u) << "one ERROR and nothing after it (not even for the SET and PING)";
  const auto* e = std::get_if<ErrorMsg>(&o.got[0]);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->code, code);
  EXPECT_EQ(e->message, text);
  ASSERT_EQ(o.closes.size(), 1u);
  EXPECT_EQ(o.closes[0], CloseReason::PolicyViolation) << "R1.11 Fix: auth failures close with 1008";
}

RouterConfig authenticated(std::shared_ptr<const TokenValidator> v) {
  RouterConfig cfg;
  cfg.requireAuth = true;
  cfg.validator = std::move(v);
  return cfg;
}

TEST(HelloAuth, R1_4_NoTokenComesBeforeTheValidatorCheck) {
  auto v = std::make_shared<FixedValidator>(verdict(TokenVerdict::Kind::Valid));
  expectRefused(helloWith(authenticated(v), ""), 300, "Authentication required");
  EXPECT_TRUE(v->asked.empty()) << "no token: the validator is not consulted";
  expectRefused(helloWith(authenticated(nullptr), ""), 300, "Authentication required");
}

TEST(HelloAuth, R1_4_NoValidatorIsAServerMisconfiguration) {
  expectRefused(helloWith(authenticated(nullptr), "tok"), 500, "Server misconfiguration");
}

TEST(HelloAuth, R1_4_EachVerdictHasItsError) {
  expectRefused(helloWith(authenticated(std::make_shared<FixedValidator>(verdict(TokenVerdict::Kind::Expired))), "tok"),
                302, "Token has expired");
  expectRefused(helloWith(authenticated(std::make_shared<FixedValidator>(
                              verdict(TokenVerdict::Kind::Invalid, "token not found"))),
                          "tok"),
                300, "Invalid token: token not found");
  expectRefused(helloWith(authenticated(std::make_shared<FixedValidator>(verdict(TokenVerdict::Kind::NotMine))), "tok"),
                300, "Unrecognized token format");
}

TEST(HelloAuth, R1_4_ValidTokenGivesItsScopes) {
  TokenVerdict ok = verdict(TokenVerdict::Kind::Valid);
  ok.subject = "tokens.txt:1";
  ok.scopes = Scopes::granted({Grant{Action::Read, *Pattern::parse("/x")}});
  auto v = std::make_shared<FixedValidator>(ok);
  Outcome o = helloWith(authenticated(v), "tok");
  ASSERT_EQ(v->asked, std::vector<std::string>{"tok"});
  ASSERT_EQ(o.got.size(), 4u);  // WELCOME, SNAPSHOT, ERROR 301 for the SET, PONG
  EXPECT_TRUE(std::holds_alternative<Welcome>(o.got[0]));
  EXPECT_TRUE(std::holds_alternative<Snapshot>(o.got[1]));
  const auto* e = std::get_if<ErrorMsg>(&o.got[2]);
  ASSERT_NE(e, nullptr) << "read:/x does not allow SET /x";
  EXPECT_EQ(e->code, 301);
  EXPECT_TRUE(std::holds_alternative<Pong>(o.got[3]));
  EXPECT_TRUE(o.closes.empty());
}

TEST(HelloAuth, R7_1_OpenModeIgnoresTokens) {
  auto v = std::make_shared<FixedValidator>(verdict(TokenVerdict::Kind::Invalid, "no"));
  RouterConfig cfg;
  cfg.validator = v;  // configured but not required: still open mode
  for (const char* token : {"", "anything"}) {
    Outcome o = helloWith(cfg, token);
    ASSERT_EQ(o.got.size(), 4u) << token;  // WELCOME, SNAPSHOT, ACK, PONG
    EXPECT_TRUE(std::holds_alternative<Ack>(o.got[2])) << "open mode: unrestricted";
    EXPECT_TRUE(o.closes.empty());
  }
  EXPECT_TRUE(v->asked.empty());
}

}  // namespace
}  // namespace clasp::router
