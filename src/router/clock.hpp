// Clock: the router's only source of time, injected so tests can control it.
// wallMicros() is what goes on the wire (WELCOME.time, SNAPSHOT timestamps);
// monoMicros() orders events and drives timeouts, immune to clock steps.
#pragma once

#include <chrono>
#include <cstdint>

namespace clasp::router {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::uint64_t wallMicros() const = 0;
  virtual std::uint64_t monoMicros() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::uint64_t wallMicros() const override {
    using namespace std::chrono;
    return static_cast<std::uint64_t>(
        duration_cast<microseconds>(system_clock::now().time_since_epoch()).count());
  }
  std::uint64_t monoMicros() const override {
    using namespace std::chrono;
    return static_cast<std::uint64_t>(
        duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count());
  }
};

}  // namespace clasp::router
