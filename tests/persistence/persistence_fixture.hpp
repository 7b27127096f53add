// The gtest fixture of the persistence suite (state file, journal, REPLAY,
// TTL expiry; contract: relay.md §5, §6, §13 with router.md R3.4, R3.7, R4.5,
// DECISIONS D-11, D-23). It reuses the conformance harness (RelayProcess,
// Client, ConformanceTest helpers) but needs no shared server: every test
// starts, crashes and restarts its own processes, with their state files at
// absolute paths in a per-test folder that outlives each process.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fixture.hpp"

namespace clasp::conformance {

// How long a test waits for a TTL expiry notice: TTL 1 s + sweep period 1 s + slack.
inline constexpr milliseconds kExpiryTimeout{6000};
// How long a graceful stop (SIGTERM, drain, final state write) may take.
inline constexpr milliseconds kStopTimeout{15000};

// Params by address, from a greeting's or a GET's SNAPSHOTs.
using ParamMap = std::map<std::string, ParamValue>;
ParamMap paramsOf(const std::vector<Snapshot>& snapshots);

// SET TTL field values (protocol.md §9.7).
inline Ttl slidingTtl(std::uint32_t s) { return Ttl::fromRaw(s); }
inline Ttl absoluteTtl(std::uint32_t s) { return Ttl::fromRaw(0x80000000u | s); }
inline Ttl neverTtl() { return Ttl::fromRaw(0); }
Set ttlSet(std::string address, Value v, Ttl ttl);

// A REPLAY (0x24) frame built byte by byte from protocol.md §5.10, so the
// suite does not depend on the encoder of the code under test. QoS Confirm.
Bytes replayFrame(const std::string& pattern, std::optional<std::uint64_t> from = {},
                  std::optional<std::uint64_t> to = {}, std::optional<std::uint32_t> limit = {},
                  std::uint8_t types = 0);

// What one REPLAY produced: the entries (SET / PUBLISH), then the end-marker
// ACK, or an ERROR instead. `complete` is false when neither arrived.
struct ReplayAnswer {
  std::vector<Message> entries;
  std::optional<Ack> end;
  std::optional<ErrorMsg> error;
  bool complete = false;
};

class PersistenceTest : public ConformanceTest {
 protected:
  // No shared server; skips when CLASP_TEST_URL is set or CLASP_RELAY_BIN is
  // not; creates the per-test state folder.
  void SetUp() override;
  // Removes the state folder (kept with CLASP_CONFORMANCE_KEEP_LOGS=1).
  void TearDown() override;

  // An absolute path in this test's state folder (the file is not created).
  std::string statePath(const std::string& name) const;
  const std::filesystem::path& stateDir() const { return stateDir_; }

  // Starts a server; adds a failure (and returns nullptr) when it does not come up.
  std::unique_ptr<RelayProcess> launch(Flavour flavour, const std::vector<std::string>& args,
                                       Loc loc = Loc::current());
  // SIGTERM; the process must exit with code 0 within kStopTimeout. Resets p.
  void stopGracefully(std::unique_ptr<RelayProcess>& p, Loc loc = Loc::current());
  // SIGKILL. Resets p.
  static void crash(std::unique_ptr<RelayProcess>& p);

  // HELLO on a fresh connection; the params of its initial SNAPSHOTs.
  std::optional<ParamMap> greetingParams(const Endpoint& ep, Loc loc = Loc::current());
  // GET -> the one param of the SNAPSHOT answer (nullopt after a recorded failure).
  std::optional<ParamValue> getParam(Client& c, const std::string& address, Loc loc = Loc::current());
  // GET must be answered with ERROR 201 (the param does not exist).
  bool expectGone(Client& c, const std::string& address, Loc loc = Loc::current());
  // Waits for the next SET to `address` on subscriber `c`, skipping SETs to
  // other addresses (fan-out of other params); nullopt on timeout or on any
  // other message type.
  std::optional<Set> nextSetTo(Client& c, const std::string& address, milliseconds timeout,
                               Loc loc = Loc::current());

  // Sends a REPLAY and collects its answer until the end-marker ACK (address =
  // pattern) or an ERROR. Each frame must arrive within kExpectTimeout.
  ReplayAnswer replay(Client& c, const std::string& pattern, std::optional<std::uint64_t> from = {},
                      std::optional<std::uint64_t> to = {}, std::optional<std::uint32_t> limit = {},
                      std::uint8_t types = 0, Loc loc = Loc::current());

 private:
  std::filesystem::path stateDir_;
};

// Starts a server into `var` or returns from the test (failure already recorded).
#define PERSIST_LAUNCH(var, flavour, ...)          \
  auto var = launch(flavour, {__VA_ARGS__});       \
  if (!var) return;                                \
  static_assert(true)

}  // namespace clasp::conformance
