// Micro-benchmarks of PatternIndex::match with 10K subscriptions. Target:
// <= 200 ns per lookup. Shapes: a realistic mix (mostly exact addresses, some
// `*`, `**` and glob subscriptions, a few catch-alls), the same mix minus the
// catch-alls for a lookup nothing matches, and 10K plain literals.
// Linked into core_bench beside codec_bench.cpp; benchmark_main provides main.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/pattern_index.hpp"

namespace {

struct Sub {
  int session;
  int id;
  bool operator==(const Sub&) const = default;
};

constexpr int kSubscriptions = 10000;

// 9000 `/bench/<i>/value`, 980 `/bench/<i>/**`, 5 `/bench/*/value`,
// 10 globs `/bench/<d>*/value` and 5 `/**` (the last replaced by
// `/bench/<i>/other` when catch-alls are unwanted): 10 000 in all.
clasp::PatternIndex<Sub> buildMix(bool withCatchAll) {
  clasp::PatternIndex<Sub> index;
  int n = 0;
  auto add = [&](const std::string& p) {
    if (!index.insert(p, Sub{n, n}).has_value()) std::abort();
    ++n;
  };
  for (int i = 0; i < 9000; ++i) add("/bench/" + std::to_string(i) + "/value");
  for (int i = 0; i < 980; ++i) add("/bench/" + std::to_string(i * 9) + "/**");
  for (int i = 0; i < 5; ++i) add("/bench/*/value");
  for (int i = 0; i < 10; ++i) add("/bench/" + std::to_string(i) + "*/value");
  for (int i = 0; i < 5; ++i) add(withCatchAll ? "/**" : "/bench/" + std::to_string(i) + "/other");
  if (index.size() != kSubscriptions) std::abort();
  return index;
}

void runLookups(benchmark::State& state, const clasp::PatternIndex<Sub>& index,
                const std::string& address, std::size_t expectHits) {
  std::size_t hits = 0;
  index.match(address, [&](const Sub&) { ++hits; });
  if (hits != expectHits) {
    state.SkipWithError("unexpected hit count");
    return;
  }
  for (auto _ : state) {
    std::size_t sum = 0;
    index.match(address, [&](const Sub& s) { sum += static_cast<std::size_t>(s.id); });
    benchmark::DoNotOptimize(sum);
  }
  state.counters["hits"] = static_cast<double>(hits);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// /bench/4599/value: its exact entry, /bench/4599/** (4599 = 9 x 511),
// 5 x /bench/*/value, the /bench/4*/value glob and 5 x /**: 13 hits.
void BM_PatternIndexMatch(benchmark::State& state) {
  const auto index = buildMix(true);
  runLookups(state, index, "/bench/4599/value", 13);
}
BENCHMARK(BM_PatternIndexMatch);

// Same mix; the address only reaches the 5 catch-alls.
void BM_PatternIndexMatchCatchAllOnly(benchmark::State& state) {
  const auto index = buildMix(true);
  runLookups(state, index, "/other/4599/value", 5);
}
BENCHMARK(BM_PatternIndexMatchCatchAllOnly);

// Mix without catch-alls; the address walks into /bench but matches nothing.
void BM_PatternIndexNoMatch(benchmark::State& state) {
  const auto index = buildMix(false);
  runLookups(state, index, "/bench/99999/other", 0);
}
BENCHMARK(BM_PatternIndexNoMatch);

// 10K exact addresses: one hash lookup per level.
void BM_PatternIndexMatchLiteral10K(benchmark::State& state) {
  clasp::PatternIndex<Sub> index;
  for (int i = 0; i < kSubscriptions; ++i) {
    if (!index.insert("/bench/" + std::to_string(i) + "/value", Sub{i, i}).has_value()) {
      std::abort();
    }
  }
  runLookups(state, index, "/bench/4599/value", 1);
}
BENCHMARK(BM_PatternIndexMatchLiteral10K);

}  // namespace
