// Unit tests of address/pattern validation (D-2, D-1), the one matcher
// (Pattern::matches, patternMatches, and PatternIndex on the same table),
// segmentGlobMatch and patternCovers. The protocol.md §8.6 example table is
// encoded row by row with our expected result; rows that differ from the
// reference's "Live" column say why.
#include <gtest/gtest.h>

#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/address.hpp"
#include "core/pattern.hpp"
#include "core/pattern_index.hpp"

namespace clasp {
namespace {

std::string repeat(std::string_view piece, std::size_t times, std::string out = "") {
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

// "/" then `piece` repeated. (Not "/" + repeat(...): GCC 12 -O3 reports a
// false -Wrestrict on operator+(const char*, std::string&&).)
std::string rooted(std::string_view piece, std::size_t times) { return repeat(piece, times, "/"); }

// ---------------------------------------------------------------------------
// Validation tables

TEST(AddressValidation, Accepts) {
  const std::vector<std::string> ok = {
      "/",
      "/a",
      "/a/b",
      "/lumen/layer/0/opacity",
      "/a b/c d",                 // spaces are ordinary bytes
      "/tab\there",
      "/@#$%/^&()",
      "/日本/ß/é",               // UTF-8 segments
      "/a/{x,y}/?/[z]/!/\\",     // glob-looking bytes are literal
      rooted("a", 1023),   // exactly 1024 bytes
      repeat("/a", 64),          // exactly 64 segments
  };
  for (const auto& a : ok) EXPECT_TRUE(validateAddress(a).has_value()) << a;
}

struct Rejected {
  std::string text;
  std::string messagePart;
};

TEST(AddressValidation, Rejects) {
  const std::vector<Rejected> bad = {
      {"", "empty address"},
      {"a/b", "must start with '/'"},
      {"a", "must start with '/'"},
      {" /a", "must start with '/'"},
      {"//", "empty segment"},
      {"//a", "empty segment"},
      {"/a//b", "empty segment"},
      {"/a/", "empty segment"},  // trailing slash (§8.1 allowed it; D-2 does not)
      {"/a/*", "'*'"},
      {"/*", "'*'"},
      {"/a/zone5*", "'*'"},
      {"/**", "'*'"},
      {rooted("a", 1024), "longer than 1024 bytes"},  // 1025 bytes
      {repeat("/a", 65), "more than 64 segments"},
  };
  for (const auto& r : bad) {
    const auto res = validateAddress(r.text);
    ASSERT_FALSE(res.has_value()) << r.text;
    EXPECT_EQ(res.error().code, Errc::InvalidAddress) << r.text;
    EXPECT_EQ(res.error().wireCode(), 200);
    EXPECT_NE(res.error().message.find(r.messagePart), std::string::npos)
        << r.text << " -> " << res.error().message;
  }
}

TEST(PatternValidation, Accepts) {
  const std::vector<std::string> ok = {
      "/", "/a", "/*", "/**", "/a/*", "/a/**", "/**/**/**", "/a/zone5*", "/a/b**", "/*x*",
      "/***",
      // §8.4: the reference rejects these through an unused regex; D-1 makes
      // those characters literal, so they are valid patterns.
      "/a/(*", "/a/*)", "/a/{*", "/a/[*", "/a/{x,y}/*",
      // ... and the ones it accepts stay accepted.
      "/a/(b", "/a/*+", "/a/*.x", "/a/b*?", "/a b/*", "/日本/*",
      rooted("*", 1023),  // 1024 bytes
      repeat("/*", 64),         // 64 segments
  };
  for (const auto& p : ok) {
    EXPECT_TRUE(validatePattern(p).has_value()) << p;
    EXPECT_TRUE(Pattern::parse(p).has_value()) << p;
  }
}

TEST(PatternValidation, Rejects) {
  const std::vector<Rejected> bad = {
      {"", "empty address"},
      {"a/b", "must start with '/'"},
      {"*", "must start with '/'"},
      {"**", "must start with '/'"},
      {"//a", "empty segment"},
      {"/a//b", "empty segment"},
      {"/a/", "empty segment"},
      {"/**/", "empty segment"},
      {"//", "empty segment"},
      {rooted("*", 1024), "longer than 1024 bytes"},
      {repeat("/*", 65), "more than 64 segments"},
  };
  for (const auto& r : bad) {
    const auto res = validatePattern(r.text);
    ASSERT_FALSE(res.has_value()) << r.text;
    EXPECT_EQ(res.error().code, Errc::PatternError) << r.text;
    EXPECT_EQ(res.error().wireCode(), 202);
    EXPECT_NE(res.error().message.find(r.messagePart), std::string::npos) << res.error().message;
    const auto parsed = Pattern::parse(r.text);
    ASSERT_FALSE(parsed.has_value()) << r.text;
    EXPECT_EQ(parsed.error().message, res.error().message);
    EXPECT_FALSE(patternMatches(r.text, "/a/b"));
  }
}

TEST(PatternValidation, ReferenceMessages) {
  EXPECT_EQ(validatePattern("").error().message, "invalid address: empty address");
  EXPECT_EQ(validatePattern("a/b").error().message,
            "invalid address: address must start with '/': a/b");
  EXPECT_EQ(validatePattern("//a").error().message,
            "invalid address: empty segment in address: //a");
  EXPECT_EQ(validateAddress("/a//b").error().message,
            "invalid address: empty segment in address: /a//b");
}

TEST(AddressValidation, LongTextIsCutInMessageOnACharacterBoundary) {
  // 99 ASCII bytes then 3-byte characters: byte 100 falls inside one.
  const std::string addr = rooted("a", 98) + repeat("日", 400);
  const auto res = validateAddress(addr);
  ASSERT_FALSE(res.has_value());
  const std::string& msg = res.error().message;
  EXPECT_LT(msg.size(), 200u);
  EXPECT_EQ(msg.substr(msg.size() - 3), "...");
  const std::string quotedPart = msg.substr(msg.find(": /") + 2);
  EXPECT_EQ(quotedPart, rooted("a", 98) + "...");  // the cut 日 is dropped whole
}

TEST(AddressValidation, PatternValidExactlyWhenAddressValidWithoutStar) {
  for (const std::string t : {"/", "/a", "/a/", "//", "x", "/a b", "/a/b/c"}) {
    EXPECT_EQ(validateAddress(t).has_value(), validatePattern(t).has_value()) << t;
  }
}

TEST(Split, Segments) {
  std::string_view out[kMaxAddressSegments];
  EXPECT_EQ(splitSegments("/", out, 64), 0);
  ASSERT_EQ(splitSegments("/a", out, 64), 1);
  EXPECT_EQ(out[0], "a");
  ASSERT_EQ(splitSegments("/a/bc/d", out, 64), 3);
  EXPECT_EQ(out[0], "a");
  EXPECT_EQ(out[1], "bc");
  EXPECT_EQ(out[2], "d");
  ASSERT_EQ(splitSegments("/a/", out, 64), 2);  // invalid input keeps its empty segment
  EXPECT_EQ(out[1], "");
  ASSERT_EQ(splitSegments("//", out, 64), 2);
  EXPECT_EQ(splitSegments("", out, 64), -1);
  EXPECT_EQ(splitSegments("a/b", out, 64), -1);
  EXPECT_EQ(splitSegments("/a/b/c", out, 2), -1);
  EXPECT_EQ(splitSegments(repeat("/a", 64), out, 64), 64);
  EXPECT_EQ(splitSegments(repeat("/a", 65), out, 64), -1);
}

TEST(IsPattern, StarAnywhere) {
  EXPECT_FALSE(isPattern("/a/b"));
  EXPECT_FALSE(isPattern("/a/{x}/?"));
  EXPECT_TRUE(isPattern("/a/*"));
  EXPECT_TRUE(isPattern("/a/zone5*"));
  EXPECT_TRUE(isPattern("/**"));
}

// ---------------------------------------------------------------------------
// protocol.md §8.6, adjusted by D-1/D-2.

enum class Expect { Yes, No, BadAddress };

struct Row {
  const char* pattern;
  const char* address;
  Expect expect;
  const char* whyNotLive;  // empty when we agree with the Live column
};

constexpr Expect Y = Expect::Yes;
constexpr Expect N = Expect::No;
constexpr Expect BadAddr = Expect::BadAddress;

const Row kTable[] = {
    {"/lumen/layer/0/opacity", "/lumen/layer/0/opacity", Y, ""},
    {"/lumen/scene/0/opacity", "/lumen/scene/1/opacity", N, ""},
    {"/lumen/layer/*/opacity", "/lumen/layer/5/opacity", Y, ""},
    {"/lumen/layer/*/opacity", "/lumen/layer/foo/opacity", Y, ""},
    {"/lumen/layer/*/opacity", "/lumen/layer/opacity", N, ""},
    {"/lumen/layer/*/opacity", "/lumen/layer/0/0/opacity", N, ""},
    {"/lumen/layer/*/opacity", "/other/layer/0/opacity", N, ""},
    {"/lumen/scene/*/layer/*/opacity", "/lumen/scene/0/layer/3/opacity", Y, ""},
    {"/lumen/scene/*/layer/*/opacity", "/lumen/scene/0/layer/3/color", N, ""},
    {"/lumen/scene/*/layer/*/opacity", "/lumen/scene/opacity", N, ""},
    {"/*/layer/*/opacity", "/foo/layer/bar/opacity", Y, ""},
    {"/*/layer/*/opacity", "/lumen/group/0/opacity", N, ""},
    {"/lumen/*/opacity", "/lumen/scene/opacity", Y, ""},
    {"/lumen/*/opacity", "/lumen/scene/0/opacity", N, ""},
    {"/lumen/**/opacity", "/lumen/opacity", Y, ""},
    {"/lumen/**/opacity", "/lumen/layer/opacity", Y, ""},
    {"/lumen/**/opacity", "/lumen/a/b/c/d/opacity", Y, ""},
    {"/lumen/**/opacity", "/lumen/layer/0/enabled", N, ""},
    {"/lumen/**/opacity", "/other/opacity", N, ""},
    {"/lumen/**", "/lumen", Y, ""},
    {"/lumen/**", "/lumen/layer/0/opacity", Y, ""},
    {"/lumen/**", "/other/something", N, ""},
    {"/lumen/**", "/lumenx", N, ""},
    {"/chat/room/*/messages", "/chat/room/abc/messages", Y, ""},
    {"/chat/room/*/messages", "/chat/room/a/b/messages", N, ""},
    {"/chat/room/abc/messages", "/chat/room/abc", N, ""},
    {"/chat/**", "/chat", Y, ""},
    {"/chat/**", "/chat/room", Y, ""},
    {"/**", "/a/b/c", Y, ""},
    {"/**", "/foo", Y, ""},
    {"/**", "/", Y, ""},
    {"/*", "/", N, "decision: '/' has zero segments and '*' needs exactly one"},
    {"/lumen/scene/*/layer/**", "/lumen/scene/main/layer/2", Y, ""},
    {"/lumen/scene/*/layer/**", "/lumen/scene/0/effect", N, ""},
    {"/lights/**", "/lights", Y, ""},
    {"/lights/*/zone/**", "/lights/room2/zone", Y, ""},
    {"/a/*", "/a/", BadAddr, "D-2: trailing slash is an empty segment"},
    {"/a/*", "/a", N, ""},
    {"/a/zone5*", "/a/zone51", Y, ""},
    {"/a/zone5*", "/a/zone5", Y, ""},
    {"/a/zone5*", "/a/zone6", N, ""},
    {"/a/b*/**", "/a/bc/d/e", Y, ""},
    {"/a/**/b/**", "/a/b", Y, ""},
    {"/a/**/**", "/a", Y, ""},
    {"/a/b**", "/a/bc/d", N, ""},  // (Glob said yes; D-1 keeps a glob inside one segment)
    {"/a/?/*", "/a/x/y", N, ""},   // '?' is literal (D-1)
    {"/a/?", "/a/x", N, ""},
    {"/a/{x,y}/*", "/a/y/z", N, "D-1: '{' ',' '}' are literal, so the pattern is valid (no 202)"},
    {"/a/b", "/a/b/", BadAddr, "D-2: trailing slash is an empty segment"},
    {"/A/b", "/a/b", N, ""},
};

TEST(MatcherTable, Section8_6) {
  EXPECT_EQ(std::size(kTable), 50u);  // every row of §8.6
  for (const Row& row : kTable) {
    SCOPED_TRACE(std::string(row.pattern) + " vs " + row.address + " " + row.whyNotLive);
    const auto p = Pattern::parse(row.pattern);
    ASSERT_TRUE(p.has_value()) << "every §8.6 pattern is valid under D-1";
    if (row.expect == Expect::BadAddress) {
      const auto v = validateAddress(row.address);
      ASSERT_FALSE(v.has_value());
      EXPECT_EQ(v.error().code, Errc::InvalidAddress);
      continue;
    }
    ASSERT_TRUE(validateAddress(row.address).has_value());
    const bool want = row.expect == Expect::Yes;
    EXPECT_EQ(p->matches(row.address), want);
    EXPECT_EQ(patternMatches(row.pattern, row.address), want);
    PatternIndex<int> index;
    ASSERT_TRUE(index.insert(row.pattern, 7).has_value());
    int hits = 0;
    index.match(row.address, [&](int v) { hits += v == 7 ? 1 : 100; });
    EXPECT_EQ(hits, want ? 1 : 0);
  }
}

TEST(Matcher, MoreCases) {
  EXPECT_TRUE(patternMatches("/", "/"));
  EXPECT_FALSE(patternMatches("/", "/a"));
  EXPECT_FALSE(patternMatches("/a", "/"));
  EXPECT_TRUE(patternMatches("/**/**/**", "/"));
  EXPECT_TRUE(patternMatches("/a/**/b", "/a/b"));
  EXPECT_TRUE(patternMatches("/a/**/b", "/a/x/y/b"));
  EXPECT_FALSE(patternMatches("/a/**/b", "/a/xb"));
  EXPECT_TRUE(patternMatches("/**/b/**/c", "/x/b/y/b/z/c"));
  EXPECT_FALSE(patternMatches("/**/b/**/c", "/x/b/y/b/z/c/d"));
  EXPECT_TRUE(patternMatches("/a/*x*", "/a/x"));
  EXPECT_TRUE(patternMatches("/a/*x*", "/a/axb"));
  EXPECT_FALSE(patternMatches("/a/*x*", "/a/ab"));
  EXPECT_TRUE(patternMatches("/a/***", "/a/anything"));
  EXPECT_FALSE(patternMatches("/a/***", "/a"));
  EXPECT_TRUE(patternMatches("/日本/*", "/日本/東京"));
  EXPECT_TRUE(patternMatches("/a b/*", "/a b/c d"));
  // Addresses past the segment limit match nothing, even `/**`.
  EXPECT_TRUE(patternMatches("/**", repeat("/a", 64)));
  EXPECT_FALSE(patternMatches("/**", repeat("/a", 65)));
  EXPECT_FALSE(patternMatches("/**", "no-slash"));
  // Hostile shapes stay fast (quadratic at worst, never exponential).
  const std::string hostile = repeat("/**/a", 32);
  EXPECT_FALSE(patternMatches(hostile, repeat("/a", 31) + "/b"));
  EXPECT_TRUE(patternMatches(hostile, repeat("/a", 64)));
}

TEST(PatternParse, Segments) {
  const auto p = Pattern::parse("/a/*/**/zone5*/lit");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->text(), "/a/*/**/zone5*/lit");
  EXPECT_FALSE(p->isExact());
  ASSERT_EQ(p->segmentCount(), 5u);
  EXPECT_EQ(p->segment(3), "zone5*");
  EXPECT_EQ(p->segmentKind(0), SegmentKind::Literal);
  EXPECT_EQ(p->segmentKind(1), SegmentKind::Star);
  EXPECT_EQ(p->segmentKind(2), SegmentKind::DoubleStar);
  EXPECT_EQ(p->segmentKind(3), SegmentKind::Glob);
  EXPECT_EQ(classifySegment("***"), SegmentKind::Glob);
  const auto root = Pattern::parse("/");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->segmentCount(), 0u);
  EXPECT_TRUE(root->isExact());
  EXPECT_TRUE(root->matches("/"));
  // Copies keep working (segments are offsets, not views into the old text).
  Pattern copy = *Pattern::parse("/x/y*");
  const Pattern moved = std::move(copy);
  EXPECT_TRUE(moved.matches("/x/yz"));
  EXPECT_EQ(moved.segment(1), "y*");
}

// ---------------------------------------------------------------------------
// segmentGlobMatch

TEST(SegmentGlob, Cases) {
  struct Case {
    const char* glob;
    const char* seg;
    bool want;
  };
  const Case cases[] = {
      {"zone5*", "zone51", true}, {"zone5*", "zone5", true},  {"zone5*", "zone6", false},
      {"*", "", true},            {"*", "abc", true},          {"**", "abc", true},
      {"b**", "bc", true},        {"b**", "b", true},          {"b**", "cb", false},
      {"*x*", "x", true},         {"*x*", "axb", true},        {"*x*", "ab", false},
      {"a*b*c", "abc", true},     {"a*b*c", "aXbYc", true},    {"a*b*c", "acb", false},
      {"a*a", "a", false},        {"a*a", "aa", true},         {"*ab", "aab", true},
      {"*ab", "abab", true},      {"*ab", "aba", false},       {"abc", "abc", true},
      {"abc", "abd", false},      {"", "", true},              {"", "a", false},
      {"?", "x", false},          {"?", "?", true},            {"[ab]*", "[ab]x", true},
      {"日*", "日本", true},     {"*本", "日本", true},      {"*", "*", true},
      {"a", "*", false},          {"a*", "a*", true},          {"a*", "*a", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(segmentGlobMatch(c.glob, c.seg), c.want) << c.glob << " vs " << c.seg;
  }
}

// ---------------------------------------------------------------------------
// patternCovers (D-17)

bool covers(std::string_view outer, std::string_view inner) {
  const auto o = Pattern::parse(outer);
  const auto i = Pattern::parse(inner);
  EXPECT_TRUE(o.has_value() && i.has_value()) << outer << " / " << inner;
  return o && i && patternCovers(*o, *i);
}

TEST(PatternCovers, Cases) {
  EXPECT_TRUE(covers("/a/**", "/a/*"));
  EXPECT_TRUE(covers("/a/**", "/a/b/**"));
  EXPECT_TRUE(covers("/a/**", "/a/x"));
  EXPECT_TRUE(covers("/a/**", "/a"));
  EXPECT_TRUE(covers("/a/**", "/a/**"));
  EXPECT_TRUE(covers("/a/**", "/a/**/b"));
  EXPECT_FALSE(covers("/a/*", "/a/**"));  // no escalation from /a/* to /a/**
  EXPECT_FALSE(covers("/a/*", "/a/x/y"));
  EXPECT_FALSE(covers("/a/*", "/a"));
  for (const char* any : {"/", "/a", "/*", "/**", "/a/**/b", "/x/*y*/**", "/日本/*"}) {
    EXPECT_TRUE(covers("/**", any)) << any;
    EXPECT_TRUE(covers(any, any)) << any;
  }
  EXPECT_TRUE(covers("/a/*", "/a/zone5*"));
  EXPECT_TRUE(covers("/a/zone*", "/a/zone5*"));
  EXPECT_FALSE(covers("/a/zone5*", "/a/zone*"));
  EXPECT_FALSE(covers("/a/zone*", "/a/*"));
  EXPECT_TRUE(covers("/a/*x*", "/a/x*"));
  EXPECT_TRUE(covers("/a/***", "/a/*"));
  EXPECT_TRUE(covers("/a/*", "/a/***"));
  EXPECT_TRUE(covers("/*/**", "/**/***"));
  EXPECT_FALSE(covers("/a/x", "/a/*"));
  EXPECT_FALSE(covers("/a/b", "/a/c"));
  EXPECT_FALSE(covers("/*", "/"));
  EXPECT_TRUE(covers("/**", "/"));
  EXPECT_FALSE(covers("/", "/**"));
  EXPECT_TRUE(covers("/**/b", "/a/b"));
  EXPECT_TRUE(covers("/**/b", "/a/**/b"));
  EXPECT_FALSE(covers("/**/b", "/a/**"));
  EXPECT_TRUE(covers("/*/**", "/a/**"));
  EXPECT_FALSE(covers("/*/**", "/**"));  // "/" escapes
  EXPECT_TRUE(covers("/a/**/**", "/a/**"));
  EXPECT_TRUE(covers("/a/**", "/a/**/**"));
  EXPECT_FALSE(covers("/{a,b}/*", "/a/x"));  // '{' is literal
  // Same sets spelled differently: "at least one segment".
  EXPECT_TRUE(covers("/**/*", "/*/**"));
  EXPECT_TRUE(covers("/*/**", "/**/*"));
  EXPECT_TRUE(covers("/*/**", "/**/a"));
  EXPECT_TRUE(covers("/**/*", "/ab/**"));
  EXPECT_TRUE(covers("/**/*/**", "/**/b/*"));
  EXPECT_FALSE(covers("/*/*/**", "/**/a"));  // "/a" escapes
  EXPECT_FALSE(covers("/**/a/**", "/**/*"));
  // Hostile shapes terminate quickly and stay sound.
  const std::string many = repeat("/**/a", 32);
  EXPECT_TRUE(covers("/**", many));
  EXPECT_TRUE(covers(many, many));
  EXPECT_FALSE(covers(repeat("/**/a", 31) + "/b", many));
}

// Soundness: whenever patternCovers says yes, every address built from the
// inner pattern (random fillers for `**`, `*` and glob stars) matches outer.
std::string instantiate(const Pattern& p, std::mt19937& rng) {
  static const char* const kFill[] = {"a", "b", "ab", "ba", "x", "aa"};
  auto fill = [&] { return std::string(kFill[rng() % std::size(kFill)]); };
  std::string out;
  for (std::size_t i = 0; i < p.segmentCount(); ++i) {
    switch (p.segmentKind(i)) {
      case SegmentKind::Literal:
        out += '/';
        out += p.segment(i);
        break;
      case SegmentKind::Star:
        out += '/';
        out += fill();
        break;
      case SegmentKind::DoubleStar:
        for (unsigned k = rng() % 3; k > 0; --k) {
          out += '/';
          out += fill();
        }
        break;
      case SegmentKind::Glob: {
        out += "/";
        for (char c : p.segment(i)) {
          if (c != '*') out += c;
          else if (rng() % 2) out += fill();
        }
        break;
      }
    }
  }
  if (out.empty() || out.size() > kMaxAddressBytes) return "/";
  return out;
}

std::string randomPattern(std::mt19937& rng) {
  static const char* const kSeg[] = {"a", "b", "ab", "*", "**", "a*", "*b", "*a*", "x"};
  std::string out;
  for (unsigned n = rng() % 4; n > 0; --n) out += std::string("/") + kSeg[rng() % std::size(kSeg)];
  return out.empty() ? "/" : out;
}

TEST(PatternCovers, RandomizedSoundness) {
  for (unsigned seed : {1u, 2u}) {
    std::mt19937 rng(seed);
    int coveredPairs = 0;
    for (int round = 0; round < 3000; ++round) {
      const auto outer = Pattern::parse(randomPattern(rng));
      const auto inner = Pattern::parse(randomPattern(rng));
      ASSERT_TRUE(outer && inner);
      if (!patternCovers(*outer, *inner)) continue;
      ++coveredPairs;
      for (int k = 0; k < 20; ++k) {
        const std::string addr = instantiate(*inner, rng);
        ASSERT_TRUE(inner->matches(addr)) << inner->text() << " " << addr;
        ASSERT_TRUE(outer->matches(addr))
            << outer->text() << " claims to cover " << inner->text() << " but misses " << addr;
      }
    }
    EXPECT_GT(coveredPairs, 100);  // the property was really exercised
  }
}

// Exactness for literal/`*`/`**` patterns of up to 3 segments: when no
// address of up to 4 segments (literals a, b plus a segment no pattern names)
// escapes, patternCovers must say yes. For such short patterns a shortest
// escaping address has at most 4 segments, so the brute force is a proof.
TEST(PatternCovers, ExactWithoutGlobs) {
  std::vector<std::string> universe = {"/"};
  std::vector<std::string> frontier = {""};
  for (int len = 1; len <= 4; ++len) {
    std::vector<std::string> grown;
    for (const auto& f : frontier) {
      for (const char* s : {"a", "b", "x"}) {
        grown.push_back(f);
        grown.back() += '/';
        grown.back() += s;
        universe.push_back(grown.back());
      }
    }
    frontier = std::move(grown);
  }
  std::mt19937 rng(3);
  const char* const kSeg[] = {"a", "b", "*", "**"};
  auto randomShort = [&] {
    std::string out;
    for (unsigned n = rng() % 4; n > 0; --n) out += std::string("/") + kSeg[rng() % 4];
    return out.empty() ? std::string("/") : out;
  };
  int included = 0;
  for (int round = 0; round < 3000; ++round) {
    const auto outer = *Pattern::parse(randomShort());
    const auto inner = *Pattern::parse(randomShort());
    bool escapes = false;
    for (const auto& a : universe) {
      if (inner.matches(a) && !outer.matches(a)) {
        escapes = true;
        break;
      }
    }
    ASSERT_EQ(patternCovers(outer, inner), !escapes) << outer.text() << " / " << inner.text();
    included += escapes ? 0 : 1;
  }
  EXPECT_GT(included, 300);
}

}  // namespace
}  // namespace clasp
