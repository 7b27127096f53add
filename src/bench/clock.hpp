// The one clock of the bench tool: CLOCK_MONOTONIC in ns and µs. Publisher and
// subscribers live in one process, so a send timestamp taken by one thread can
// be subtracted from a receive time taken by another with no clock sync.
#pragma once

#include <time.h>

#include <cstdint>

namespace clasp::bench {

inline std::uint64_t monoNanos() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

inline std::uint64_t monoMicros() { return monoNanos() / 1000; }

}  // namespace clasp::bench
