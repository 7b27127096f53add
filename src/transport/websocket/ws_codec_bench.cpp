// WebSocket codec micro-benchmarks (Google Benchmark): parsing a read buffer
// of 1000 small masked binary frames (the shape of a busy control surface),
// unmasking throughput on large frames, and appending small server frames.
// Parsing unmasks in place; XOR is its own inverse and binary payloads are
// not validated, so re-parsing the same buffer repeats exactly the same work.
#include <benchmark/benchmark.h>

#include <vector>

#include "transport/websocket/ws_codec.hpp"

namespace clasp::ws {
namespace {

constexpr MaskKey kKey{0x11, 0x22, 0x33, 0x44};

std::vector<std::uint8_t> maskedFrames(std::size_t count, std::size_t payloadSize) {
  std::vector<std::uint8_t> payload(payloadSize, 0x5A);
  OutBuffer out;
  for (std::size_t i = 0; i < count; ++i) appendMaskedFrame(out, Opcode::Binary, payload, kKey);
  return {out.data(), out.data() + out.size()};
}

void parseBench(benchmark::State& state, std::size_t count, std::size_t payloadSize) {
  std::vector<std::uint8_t> buf = maskedFrames(count, payloadSize);
  FrameParser parser(1 << 20);
  for (auto _ : state) {
    std::size_t bytes = 0;
    auto r = parser.parse(buf, [&](const Event& e) { bytes += e.payload.size(); });
    if (!r || *r != buf.size()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(bytes);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(count));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(buf.size()));
  // Seconds per frame, printed with an SI prefix ("15n" = 15 ns).
  state.counters["time_per_frame"] =
      benchmark::Counter(static_cast<double>(count), benchmark::Counter::kIsIterationInvariantRate |
                                                         benchmark::Counter::kInvert);
}

void BM_Parse_1000x32B_masked(benchmark::State& state) { parseBench(state, 1000, 32); }
void BM_Parse___16x64KiB_masked(benchmark::State& state) { parseBench(state, 16, 65536); }

void BM_Append_1000x32B_unmasked(benchmark::State& state) {
  std::vector<std::uint8_t> payload(32, 0x5A);
  OutBuffer out(1 << 16);
  for (auto _ : state) {
    out.clear();
    for (int i = 0; i < 1000; ++i) appendFrame(out, Opcode::Binary, payload);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}

BENCHMARK(BM_Parse_1000x32B_masked);
BENCHMARK(BM_Parse___16x64KiB_masked);
BENCHMARK(BM_Append_1000x32B_unmasked);

}  // namespace
}  // namespace clasp::ws
