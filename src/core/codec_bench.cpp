// Codec micro-benchmarks (Google Benchmark): decode and encode of the frames a
// relay handles most: a small SET, a PUBLISH event with a map payload, and a
// SNAPSHOT of 100 params. Encodes reuse one OutBuffer, as a session's writer does.
#include <benchmark/benchmark.h>

#include <string>

#include "core/codec.hpp"

namespace clasp {
namespace {

std::vector<std::uint8_t> frameOf(const Message& m) {
  OutBuffer b;
  if (!encodeFrame(m, b)) std::abort();
  return {b.data(), b.data() + b.size()};
}

Message smallSet() { return Set{"/a/b", 42.0, std::nullopt, false, false, std::nullopt}; }

Message publishEvent() {
  Publish p;
  p.address = "/cue/fire";
  p.signal = SignalType::Event;
  p.value = Value(Map{MapEntry{"cue", "intro"}, MapEntry{"fade", 2.5}, MapEntry{"layer", 3}});
  p.timestamp = 1700000000000000ull;
  return p;
}

Message snapshot100() {
  Snapshot s;
  for (int i = 0; i < 100; ++i)
    s.params.push_back(ParamValue{"/mixer/channel/" + std::to_string(i) + "/gain", 0.5 + i,
                                  static_cast<std::uint64_t>(i + 1), std::string("session-1"),
                                  1700000000000000ull});
  return s;
}

// Decodes into one reused DecodedFrame, as a session's read loop does.
void decodeBench(benchmark::State& state, const Message& m) {
  auto bytes = frameOf(m);
  DecodedFrame frame;
  for (auto _ : state) {
    auto r = decodeFrameInto(bytes, frame);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(frame);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
}

void encodeBench(benchmark::State& state, const Message& m) {
  OutBuffer out(1 << 16);
  for (auto _ : state) {
    out.clear();
    auto r = encodeFrame(m, out);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
}

void BM_Decode_SmallSet(benchmark::State& s) { decodeBench(s, smallSet()); }
void BM_Encode_SmallSet(benchmark::State& s) { encodeBench(s, smallSet()); }
void BM_Decode_PublishEventMap(benchmark::State& s) { decodeBench(s, publishEvent()); }
void BM_Encode_PublishEventMap(benchmark::State& s) { encodeBench(s, publishEvent()); }
void BM_Decode_Snapshot100(benchmark::State& s) { decodeBench(s, snapshot100()); }
void BM_Encode_Snapshot100(benchmark::State& s) { encodeBench(s, snapshot100()); }

// The allocating convenience form, for comparison.
void BM_DecodeReturningValue_SmallSet(benchmark::State& state) {
  auto bytes = frameOf(smallSet());
  for (auto _ : state) {
    auto r = decodeFrame(bytes);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_Decode_SmallSet);
BENCHMARK(BM_DecodeReturningValue_SmallSet);
BENCHMARK(BM_Encode_SmallSet);
BENCHMARK(BM_Decode_PublishEventMap);
BENCHMARK(BM_Encode_PublishEventMap);
BENCHMARK(BM_Decode_Snapshot100);
BENCHMARK(BM_Encode_Snapshot100);

}  // namespace
}  // namespace clasp
