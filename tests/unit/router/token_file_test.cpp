// The --token-file format (router.md R11.2 plus the expires= extension of
// docs/decisions.md "Token file") and its verdicts (R1.4): what a line may
// hold, the default admin:/** of a bare token, Expired from the expiry
// second on, "token not found" for anything else, and load errors that name
// source:line and the problem without ever quoting a token.
#include <gtest/gtest.h>

#include "router/token_file.hpp"

namespace clasp::router {
namespace {

constexpr std::uint64_t kNow = 1'700'000'000;  // unix seconds
constexpr std::uint64_t kNowMicros = kNow * 1'000'000;

std::shared_ptr<const TokenFile> parseOk(std::string_view text) {
  auto f = TokenFile::parse(text, "tokens.txt");
  EXPECT_TRUE(f) << (f ? "" : f.error().message);
  return f ? *f : nullptr;
}

std::string parseError(std::string_view text) {
  auto f = TokenFile::parse(text, "tokens.txt");
  EXPECT_FALSE(f) << "accepted:\n" << text;
  return f ? "" : f.error().message;
}

TEST(TokenFile, LinesCommentsBlanksAndDefaults) {
  auto f = parseOk(
      "# operators\n"
      "\n"
      "   \t\n"
      "bare-token\n"
      "reader read:/a/**,w:/b/x\r\n"  // CRLF from a Windows editor
      "  indented\tr:/i/**  \n"
      "temp write:/t/** expires=1700000100\n"
      "bare-expiring expires=1700000100\n");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->size(), 5u);

  auto bare = f->validate("bare-token", kNowMicros);
  ASSERT_EQ(bare.kind, TokenVerdict::Kind::Valid);
  EXPECT_TRUE(bare.scopes.canWrite("/anything/at/all")) << "R11.2: a bare token gets admin:/**";
  EXPECT_TRUE(bare.scopes.canSubscribe(*Pattern::parse("/**")));
  EXPECT_EQ(bare.subject, "tokens.txt:4");

  auto reader = f->validate("reader", kNowMicros);
  ASSERT_EQ(reader.kind, TokenVerdict::Kind::Valid);
  EXPECT_TRUE(reader.scopes.canRead("/a/x"));
  EXPECT_FALSE(reader.scopes.canWrite("/a/x"));
  EXPECT_TRUE(reader.scopes.canWrite("/b/x"));
  EXPECT_FALSE(reader.scopes.canRead("/c"));

  auto indented = f->validate("indented", kNowMicros);
  ASSERT_EQ(indented.kind, TokenVerdict::Kind::Valid);
  EXPECT_TRUE(indented.scopes.canRead("/i/j"));

  auto temp = f->validate("temp", kNowMicros);
  ASSERT_EQ(temp.kind, TokenVerdict::Kind::Valid);
  EXPECT_TRUE(temp.scopes.canWrite("/t/x"));
  EXPECT_FALSE(temp.scopes.canWrite("/u")) << "expires= does not replace the scope list";
  EXPECT_EQ(f->validate("bare-expiring", kNowMicros).kind, TokenVerdict::Kind::Valid);
}

TEST(TokenFile, ExpiredFromTheExpirySecondOn) {
  auto f = parseOk("temp read:/** expires=1700000000\n");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->validate("temp", kNowMicros - 1).kind, TokenVerdict::Kind::Valid);
  auto v = f->validate("temp", kNowMicros);
  EXPECT_EQ(v.kind, TokenVerdict::Kind::Expired);
  EXPECT_TRUE(v.subject.empty());
  EXPECT_FALSE(v.scopes.canRead("/x")) << "an expired verdict grants nothing";
}

TEST(TokenFile, UnknownTokensAreNotFound) {
  auto f = parseOk("secret-one\nsecret-two read:/a\n");
  ASSERT_TRUE(f);
  for (const std::string& t : std::vector<std::string>{"", "secret", "secret-on", "secret-one ", "Secret-one", "secret-onex", "x",
                        std::string(TokenFile::kMaxTokenLength + 1, 's')}) {
    auto v = f->validate(t, kNowMicros);
    EXPECT_EQ(v.kind, TokenVerdict::Kind::Invalid) << "'" << t << "'";
    EXPECT_EQ(v.reason, "token not found");
    EXPECT_FALSE(v.scopes.canRead("/a"));
  }
  EXPECT_EQ(f->validate("secret-two", kNowMicros).kind, TokenVerdict::Kind::Valid);
}

TEST(TokenFile, ErrorsNameTheLineAndNeverTheToken) {
  struct Case {
    const char* text;
    const char* want;
  };
  const Case cases[] = {
      {"good\nsecret-abc bogus:/x\n", "tokens.txt:2: invalid scope 'bogus:/x'"},
      {"secret-abc read:/a,,read:/b\n", "tokens.txt:1: empty scope"},
      {"secret-abc read:/a/\n", "tokens.txt:1: invalid scope 'read:/a/'"},
      {"secret-abc expires=soon\n", "tokens.txt:1: 'expires=soon': expires= wants unix seconds"},
      {"secret-abc expires=\n", "tokens.txt:1:"},
      {"secret-abc expires=1 expires=2\n", "tokens.txt:1: 'expires=' given twice"},
      {"secret-abc expires=1 read:/a\n", "tokens.txt:1: unexpected field 'read:/a'"},
      {"secret-abc read:/a write:/b\n", "tokens.txt:1: unexpected field 'write:/b'"},
      {"secret-abc\n# again\nsecret-abc read:/a\n", "tokens.txt:3: token repeats the one on line 1"},
      {"", "tokens.txt: no tokens"},
      {"# only comments\n\n", "tokens.txt: no tokens"},
  };
  for (const Case& c : cases) {
    const std::string e = parseError(c.text);
    EXPECT_TRUE(e.starts_with(c.want)) << "got: " << e << "\nwant prefix: " << c.want;
    EXPECT_EQ(e.find("secret-abc"), std::string::npos) << "the token leaked into: " << e;
  }
  const std::string longToken(TokenFile::kMaxTokenLength + 1, 'k');
  const std::string e = parseError(longToken + "\n");
  EXPECT_TRUE(e.starts_with("tokens.txt:1: token longer than")) << e;
  EXPECT_EQ(e.find("kkkk"), std::string::npos) << e;
}

}  // namespace
}  // namespace clasp::router
