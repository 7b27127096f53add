// Unit tests of PatternIndex: insert/remove/match, duplicates, pruning and
// slot reuse, and a seeded randomized comparison against a brute-force loop
// over Pattern::matches (the one matcher), with interleaved removals.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/pattern.hpp"
#include "core/pattern_index.hpp"

namespace clasp {
namespace {

// What a router would store: who subscribed, and with which subscription id.
struct Sub {
  int session;
  int id;
  bool operator==(const Sub&) const = default;
  bool operator<(const Sub& o) const { return std::pair(session, id) < std::pair(o.session, o.id); }
};

template <class T>
std::vector<T> matchAll(const PatternIndex<T>& index, std::string_view address) {
  std::vector<T> out;
  index.match(address, [&](const T& v) { out.push_back(v); });
  std::sort(out.begin(), out.end());
  return out;
}

TEST(PatternIndex, InsertMatchRemove) {
  PatternIndex<Sub> index;
  EXPECT_TRUE(index.empty());
  ASSERT_TRUE(index.insert("/a/b", Sub{1, 1}).has_value());
  ASSERT_TRUE(index.insert("/a/*", Sub{2, 1}).has_value());
  ASSERT_TRUE(index.insert("/a/**", Sub{3, 1}).has_value());
  ASSERT_TRUE(index.insert("/**", Sub{4, 1}).has_value());
  ASSERT_TRUE(index.insert("/a/b*", Sub{5, 1}).has_value());
  ASSERT_TRUE(index.insert("/", Sub{6, 1}).has_value());
  EXPECT_EQ(index.size(), 6u);

  EXPECT_EQ(matchAll(index, "/a/b"),
            (std::vector<Sub>{{1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}}));
  EXPECT_EQ(matchAll(index, "/a/c"), (std::vector<Sub>{{2, 1}, {3, 1}, {4, 1}}));
  EXPECT_EQ(matchAll(index, "/a"), (std::vector<Sub>{{3, 1}, {4, 1}}));
  EXPECT_EQ(matchAll(index, "/a/b/c"), (std::vector<Sub>{{3, 1}, {4, 1}}));
  EXPECT_EQ(matchAll(index, "/"), (std::vector<Sub>{{4, 1}, {6, 1}}));
  EXPECT_EQ(matchAll(index, "/z"), (std::vector<Sub>{{4, 1}}));
  EXPECT_TRUE(matchAll(index, "no-slash").empty());

  EXPECT_TRUE(index.remove("/a/*", Sub{2, 1}));
  EXPECT_FALSE(index.remove("/a/*", Sub{2, 1}));
  EXPECT_FALSE(index.remove("/a/b", Sub{9, 9}));
  EXPECT_FALSE(index.remove("/nope", Sub{1, 1}));
  EXPECT_FALSE(index.remove("bad", Sub{1, 1}));
  EXPECT_EQ(index.size(), 5u);
  EXPECT_EQ(matchAll(index, "/a/c"), (std::vector<Sub>{{3, 1}, {4, 1}}));
}

TEST(PatternIndex, RejectsInvalidPatterns) {
  PatternIndex<int> index;
  for (const char* bad : {"", "a", "/a/", "//", "/a//b"}) {
    const auto r = index.insert(bad, 1);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, Errc::PatternError);
  }
  EXPECT_TRUE(index.empty());
  EXPECT_EQ(index.nodeCount(), 1u);
}

TEST(PatternIndex, DuplicatesStoredOnce) {
  PatternIndex<int> index;
  ASSERT_TRUE(index.insert("/a/*", 1).has_value());
  ASSERT_TRUE(index.insert("/a/*", 1).has_value());
  EXPECT_EQ(index.size(), 1u);
  EXPECT_EQ(matchAll(index, "/a/x"), std::vector<int>{1});
  EXPECT_TRUE(index.remove("/a/*", 1));
  EXPECT_TRUE(index.empty());
  EXPECT_TRUE(matchAll(index, "/a/x").empty());
}

TEST(PatternIndex, SameValueUnderSeveralPatterns) {
  // The index reports one call per (pattern, value) entry; collapsing to one
  // copy per session is the router's job (§8.3 A.8).
  PatternIndex<int> index;
  for (const char* p : {"/a/b", "/a/*", "/a/**", "/**", "/*/b", "/a/b*", "/a/***"}) {
    ASSERT_TRUE(index.insert(p, 42).has_value()) << p;
  }
  EXPECT_EQ(index.size(), 7u);
  EXPECT_EQ(matchAll(index, "/a/b"), std::vector<int>(7, 42));
  EXPECT_TRUE(index.remove("/a/***", 42));  // distinct from "/a/*"
  EXPECT_EQ(matchAll(index, "/a/b").size(), 6u);
}

TEST(PatternIndex, EachEntryOnceThroughManyDoubleStarPaths) {
  PatternIndex<int> index;
  ASSERT_TRUE(index.insert("/**/**/**/**/**", 1).has_value());
  ASSERT_TRUE(index.insert("/**/a/**/a/**", 2).has_value());
  ASSERT_TRUE(index.insert("/**/**/a", 3).has_value());
  EXPECT_EQ(matchAll(index, "/a/a/a/a/a/a"), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(matchAll(index, "/"), std::vector<int>{1});
  EXPECT_EQ(matchAll(index, "/a"), (std::vector<int>{1, 3}));
  std::string deep;
  for (int i = 0; i < 64; ++i) deep += "/a";
  EXPECT_EQ(matchAll(index, deep), (std::vector<int>{1, 2, 3}));
  EXPECT_TRUE(matchAll(index, deep + "/a").empty());  // over the segment limit
}

TEST(PatternIndex, RemovalPrunesAndReusesSlots) {
  PatternIndex<int> index;
  std::vector<std::string> patterns;
  for (int i = 0; i < 50; ++i) {
    const std::string n = std::to_string(i);
    patterns.push_back("/p/" + n + "/v");
    patterns.push_back("/p/*/" + n + "/**");
    patterns.push_back("/g" + n + "*/x");
  }
  for (const auto& p : patterns) ASSERT_TRUE(index.insert(p, 1).has_value());
  const std::size_t fullNodes = index.nodeCount();
  const std::size_t slots = index.nodeSlots();
  EXPECT_GT(fullNodes, 150u);
  for (const auto& p : patterns) EXPECT_TRUE(index.remove(p, 1)) << p;
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.nodeCount(), 1u);  // only the root is left
  EXPECT_TRUE(matchAll(index, "/p/3/v").empty());
  // Re-inserting reuses the freed slots instead of growing.
  for (const auto& p : patterns) ASSERT_TRUE(index.insert(p, 2).has_value());
  EXPECT_EQ(index.nodeCount(), fullNodes);
  EXPECT_EQ(index.nodeSlots(), slots);
  EXPECT_EQ(matchAll(index, "/p/3/v"), std::vector<int>{2});
  // Removing one branch keeps shared prefixes alive.
  EXPECT_TRUE(index.remove("/p/3/v", 2));
  EXPECT_EQ(matchAll(index, "/p/4/v"), std::vector<int>{2});
  index.clear();
  EXPECT_TRUE(index.empty());
  EXPECT_EQ(index.nodeCount(), 1u);
  EXPECT_TRUE(matchAll(index, "/p/4/v").empty());
}

TEST(PatternIndex, LiteralGlobAndStarChildrenAreDistinct) {
  PatternIndex<int> index;
  ASSERT_TRUE(index.insert("/a/*", 1).has_value());
  ASSERT_TRUE(index.insert("/a/**", 2).has_value());
  ASSERT_TRUE(index.insert("/a/x*", 3).has_value());
  ASSERT_TRUE(index.insert("/a/x", 4).has_value());
  EXPECT_TRUE(index.remove("/a/x*", 3));
  EXPECT_EQ(matchAll(index, "/a/x"), (std::vector<int>{1, 2, 4}));
  EXPECT_TRUE(index.remove("/a/*", 1));
  EXPECT_EQ(matchAll(index, "/a/x"), (std::vector<int>{2, 4}));
  EXPECT_TRUE(index.remove("/a/**", 2));
  EXPECT_EQ(matchAll(index, "/a/x"), std::vector<int>{4});
  EXPECT_TRUE(index.remove("/a/x", 4));
  EXPECT_EQ(index.nodeCount(), 1u);
}

// ---------------------------------------------------------------------------
// Randomized comparison with the brute-force matcher.

std::string randomPattern(std::mt19937& rng) {
  static const char* const kSeg[] = {"a",  "b",  "ab", "ba", "a",   "b",  "*",
                                     "*",  "**", "**", "a*", "*b", "*a*", "a*b"};
  std::string out;
  for (unsigned n = rng() % 5; n > 0; --n) out += std::string("/") + kSeg[rng() % std::size(kSeg)];
  return out.empty() ? "/" : out;
}

std::string randomAddress(std::mt19937& rng) {
  // Now and then an address D-2 would reject: index and matcher must still
  // agree on it (they split it the same way).
  static const char* const kInvalid[] = {"", "a", "/a/", "//", "/a//b", "/*", "/a/*b", "/a/"};
  if (rng() % 20 == 0) return kInvalid[rng() % std::size(kInvalid)];
  static const char* const kSeg[] = {"a", "b", "ab", "ba", "abb", "aab", "bab", "c"};
  std::string out;
  for (unsigned n = rng() % 7; n > 0; --n) out += std::string("/") + kSeg[rng() % std::size(kSeg)];
  return out.empty() ? "/" : out;
}

void randomizedAgainstBruteForce(unsigned seed) {
  std::mt19937 rng(seed);
  PatternIndex<int> index;
  std::map<std::string, Pattern> parsed;
  std::set<std::pair<std::string, int>> reference;  // (pattern, value) entries
  std::size_t nonEmptyResults = 0;
  for (int round = 0; round < 6; ++round) {
    for (int i = 0; i < 500; ++i) {
      const std::string p = randomPattern(rng);
      const int value = static_cast<int>(rng() % 40);
      ASSERT_TRUE(index.insert(p, value).has_value()) << p;
      reference.emplace(p, value);
      parsed.try_emplace(p, *Pattern::parse(p));
    }
    // Interleaved removals: some present entries and some absent ones.
    for (int i = 0; i < 200 && !reference.empty(); ++i) {
      auto it = reference.begin();
      std::advance(it, rng() % reference.size());
      const auto entry = *it;
      ASSERT_TRUE(index.remove(entry.first, entry.second));
      reference.erase(it);
      const std::string absent = randomPattern(rng);
      const bool present = reference.contains({absent, 1000});
      EXPECT_EQ(index.remove(absent, 1000), present);
    }
    ASSERT_EQ(index.size(), reference.size());
    // The set is ordered by pattern: match each distinct pattern once.
    std::vector<std::pair<const Pattern*, std::vector<int>>> byPattern;
    for (const auto& [p, value] : reference) {
      if (byPattern.empty() || byPattern.back().first->text() != p) {
        byPattern.emplace_back(&parsed.at(p), std::vector<int>{});
      }
      byPattern.back().second.push_back(value);
    }
    for (int i = 0; i < 250; ++i) {
      const std::string addr = randomAddress(rng);
      std::vector<int> want;
      for (const auto& [pattern, values] : byPattern) {
        if (pattern->matches(addr)) want.insert(want.end(), values.begin(), values.end());
      }
      std::sort(want.begin(), want.end());
      const std::vector<int> got = matchAll(index, addr);
      ASSERT_EQ(got, want) << "seed " << seed << " round " << round << " address " << addr;
      if (!got.empty()) ++nonEmptyResults;
    }
  }
  EXPECT_GT(nonEmptyResults, 1000u);  // matches really happened
  for (const auto& [p, value] : reference) ASSERT_TRUE(index.remove(p, value)) << p;
  EXPECT_TRUE(index.empty());
  EXPECT_EQ(index.nodeCount(), 1u);
}

TEST(PatternIndex, RandomizedSeed1) { randomizedAgainstBruteForce(1); }
TEST(PatternIndex, RandomizedSeed2) { randomizedAgainstBruteForce(20240611); }
TEST(PatternIndex, RandomizedSeed3) { randomizedAgainstBruteForce(7); }

}  // namespace
}  // namespace clasp
