// Scope text (router.md R7.2) and what a parsed list allows (R7.3 with its
// Fix notes, D-17): the action spellings in any case, the pattern rules of
// D-1, errors that quote the bad text, and the coverage rules the router's
// handlers rely on (write implies read, admin implies both, admin may
// subscribe, no escalation from /a/* to /a/**).
#include <gtest/gtest.h>

#include "router/scopes.hpp"

namespace clasp::router {
namespace {

Scopes scopesOf(std::vector<std::string> texts) {
  auto s = parseScopes(texts);
  EXPECT_TRUE(s) << (s ? "" : s.error().message);
  return s ? *s : Scopes::granted({});
}

TEST(ScopeParse, EveryActionSpellingInAnyCase) {
  const std::pair<const char*, Action> cases[] = {
      {"read", Action::Read},   {"r", Action::Read},      {"READ", Action::Read},   {"Read", Action::Read},
      {"write", Action::Write}, {"w", Action::Write},     {"WrItE", Action::Write}, {"W", Action::Write},
      {"admin", Action::Admin}, {"a", Action::Admin},     {"*", Action::Admin},     {"ADMIN", Action::Admin},
  };
  for (auto [action, want] : cases) {
    auto g = parseGrant(std::string(action) + ":/x/**");
    ASSERT_TRUE(g) << action << ": " << g.error().message;
    EXPECT_EQ(g->action, want) << action;
    EXPECT_EQ(g->pattern.text(), "/x/**") << action;
  }
}

TEST(ScopeParse, PatternMayContainColons) {
  // Only the first ':' separates; D-2 addresses may contain ':'.
  auto g = parseGrant("read:/dev/a:b/*");
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->pattern.text(), "/dev/a:b/*");
}

TEST(ScopeParse, BadTextIsAnErrorThatQuotesIt) {
  for (const char* bad : {"", "read", "/a/**", "readwrite:/a", "rw:/a", "read:", "read:a/b", "read:/a//b",
                          "write:/a/", ":/a", "**:/a"}) {
    auto g = parseGrant(bad);
    ASSERT_FALSE(g) << "accepted '" << bad << "'";
    EXPECT_NE(g.error().message.find(std::string("'") + bad + "'"), std::string::npos) << g.error().message;
  }
  const std::vector<std::string> list{"read:/ok/**", "bogus:/x"};
  auto s = parseScopes(list);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("'bogus:/x'"), std::string::npos) << s.error().message;
}

TEST(ScopeParse, ReadWriteAdminCoverage) {
  Scopes s = scopesOf({"r:/r/**", "w:/w/**", "a:/adm/**"});
  EXPECT_TRUE(s.canRead("/r/x"));
  EXPECT_FALSE(s.canWrite("/r/x"));
  EXPECT_TRUE(s.canRead("/w/x")) << "write implies read";
  EXPECT_TRUE(s.canWrite("/w/x"));
  EXPECT_TRUE(s.canRead("/adm/x"));
  EXPECT_TRUE(s.canWrite("/adm/x"));
  EXPECT_FALSE(s.canRead("/other"));
  // Exact pattern: string equality (R7.2).
  Scopes exact = scopesOf({"read:/a/b"});
  EXPECT_TRUE(exact.canRead("/a/b"));
  EXPECT_FALSE(exact.canRead("/a/b/c"));
}

TEST(ScopeParse, SubscribeNeedsContainmentAndAnyAction) {
  // R7.3 Fix: admin (and write) may subscribe; the reference refused admin.
  Scopes admin = scopesOf({"admin:/**"});
  EXPECT_TRUE(admin.canSubscribe(*Pattern::parse("/**")));
  Scopes write = scopesOf({"write:/w/**"});
  EXPECT_TRUE(write.canSubscribe(*Pattern::parse("/w/*")));
  // R7.3 Fix / D-17: no escalation from /a/* to /a/**.
  Scopes star = scopesOf({"read:/a/*"});
  EXPECT_TRUE(star.canSubscribe(*Pattern::parse("/a/*")));
  EXPECT_TRUE(star.canSubscribe(*Pattern::parse("/a/x")));
  EXPECT_FALSE(star.canSubscribe(*Pattern::parse("/a/**")));
  EXPECT_FALSE(star.canSubscribe(*Pattern::parse("/a/*/b")));
}

TEST(ScopeParse, EmptyListGrantsNothing) {
  Scopes none = scopesOf({});
  EXPECT_FALSE(none.isAllowAll());
  EXPECT_FALSE(none.canRead("/a"));
  EXPECT_FALSE(none.canSubscribe(*Pattern::parse("/a")));
}

}  // namespace
}  // namespace clasp::router
