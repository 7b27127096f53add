// PersistenceTest: per-test state folder, process start / graceful stop /
// crash, GET and expiry helpers, and REPLAY (frame encoding by hand from
// protocol.md §5.10, answer collection up to the end-marker ACK).
#include "persistence_fixture.hpp"

#include <cstdlib>
#include <cstring>

namespace clasp::conformance {

ParamMap paramsOf(const std::vector<Snapshot>& snapshots) {
  ParamMap out;
  for (const Snapshot& s : snapshots) {
    for (const ParamValue& p : s.params) out[p.address] = p;
  }
  return out;
}

Set ttlSet(std::string address, Value v, Ttl ttl) {
  Set s = setOf(std::move(address), std::move(v));
  s.ttl = ttl;
  return s;
}

namespace {
void putU16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void putU32(Bytes& b, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(v >> shift));
}
void putU64(Bytes& b, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(v >> shift));
}
}  // namespace

Bytes replayFrame(const std::string& pattern, std::optional<std::uint64_t> from,
                  std::optional<std::uint64_t> to, std::optional<std::uint32_t> limit,
                  std::uint8_t types) {
  // The 4-byte frame header is written first and its length filled in last.
  Bytes frame{0x53, 0x41, 0x00, 0x00};  // magic, QoS Confirm + binary encoding, length
  Bytes& payload = frame;
  payload.push_back(0x24);
  payload.push_back(static_cast<std::uint8_t>((from ? 0x80 : 0) | (to ? 0x40 : 0) | (limit ? 0x20 : 0)));
  putU16(payload, static_cast<std::uint16_t>(pattern.size()));
  for (char ch : pattern) payload.push_back(static_cast<std::uint8_t>(ch));
  if (from) putU64(payload, *from);
  if (to) putU64(payload, *to);
  if (limit) putU32(payload, *limit);
  payload.push_back(types == 0 ? 0xFF : types);  // §5.4: an empty type list is written as 0xFF
  const std::size_t length = frame.size() - 4;
  frame[2] = static_cast<std::uint8_t>(length >> 8);
  frame[3] = static_cast<std::uint8_t>(length);
  return frame;
}

void PersistenceTest::SetUp() {
  // Deliberately not ConformanceTest::SetUp(): no shared server is needed.
  if (externalServer()) GTEST_SKIP() << "needs its own server processes, but CLASP_TEST_URL is set";
  const char* bin = std::getenv("CLASP_RELAY_BIN");
  if (bin == nullptr || *bin == '\0') GTEST_SKIP() << "CLASP_RELAY_BIN (clasp-relay) is not set";
  std::error_code ec;
  std::filesystem::path tmp = std::filesystem::temp_directory_path(ec);
  if (ec) tmp = "/tmp";
  std::string templ = (tmp / "clasp-persistence-XXXXXX").string();
  ASSERT_NE(::mkdtemp(templ.data()), nullptr) << "mkdtemp: " << std::strerror(errno);
  stateDir_ = templ;
}

void PersistenceTest::TearDown() {
  if (stateDir_.empty()) return;
  const char* keep = std::getenv("CLASP_CONFORMANCE_KEEP_LOGS");
  if (keep != nullptr && *keep != '\0') {
    std::fprintf(stderr, "[persistence] state files kept in %s\n", stateDir_.c_str());
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(stateDir_, ec);
}

std::string PersistenceTest::statePath(const std::string& name) const { return (stateDir_ / name).string(); }

std::unique_ptr<RelayProcess> PersistenceTest::launch(Flavour flavour, const std::vector<std::string>& args,
                                                      Loc loc) {
  if (flavour == Flavour::ClaspServer) {
    const char* bin = std::getenv("CLASP_SERVER_BIN");
    if (bin == nullptr || *bin == '\0') {
      ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line())) << "CLASP_SERVER_BIN is not set";
      return nullptr;
    }
  }
  std::string error;
  auto p = RelayProcess::start(flavour, args, error);
  if (!p) ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line())) << "server did not start: " << error;
  return p;
}

void PersistenceTest::stopGracefully(std::unique_ptr<RelayProcess>& p, Loc loc) {
  if (!p) return;
  std::string status;
  std::optional<int> code = p->stop(kStopTimeout, &status);
  if (code != 0) {
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << "graceful stop (SIGTERM) must exit with code 0 (D-25), but the process " << status << "\n"
        << p->logTail();
  }
  p.reset();
}

void PersistenceTest::crash(std::unique_ptr<RelayProcess>& p) {
  if (!p) return;
  p->kill9();
  p.reset();
}

std::optional<ParamMap> PersistenceTest::greetingParams(const Endpoint& ep, Loc loc) {
  Client c("greeting");
  if (!c.connect(ep, {}, loc)) return std::nullopt;
  auto g = c.hello(1, loc);
  if (!g) return std::nullopt;
  return paramsOf(g->snapshots);
}

std::optional<ParamValue> PersistenceTest::getParam(Client& c, const std::string& address, Loc loc) {
  if (!c.send(Get{address}, std::nullopt, loc)) return std::nullopt;
  auto m = c.next(kExpectTimeout);
  const auto* snap = m ? std::get_if<Snapshot>(&m->variant()) : nullptr;
  if (snap == nullptr || snap->params.size() != 1 || snap->params[0].address != address) {
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << "GET " << address << ": expected a SNAPSHOT with that one param, got "
        << (m ? describe(*m) : "nothing (" + c.endDescription() + ")");
    return std::nullopt;
  }
  return snap->params[0];
}

bool PersistenceTest::expectGone(Client& c, const std::string& address, Loc loc) {
  if (!c.send(Get{address}, std::nullopt, loc)) return false;
  auto m = c.next(kExpectTimeout);
  const auto* e = m ? std::get_if<ErrorMsg>(&m->variant()) : nullptr;
  if (e == nullptr || e->code != 201) {
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << "GET " << address << ": expected ERROR 201 (param gone), got "
        << (m ? describe(*m) : "nothing (" + c.endDescription() + ")");
    return false;
  }
  return true;
}

std::optional<Set> PersistenceTest::nextSetTo(Client& c, const std::string& address, milliseconds timeout,
                                              Loc loc) {
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now());
    auto m = left.count() > 0 ? c.next(left) : std::nullopt;
    if (!m) {
      ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
          << c.name() << ": no SET to " << address << " within " << timeout.count() << " ms ("
          << c.endDescription() << ")";
      return std::nullopt;
    }
    const auto* s = std::get_if<Set>(&m->variant());
    if (s == nullptr) {
      ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
          << c.name() << ": waiting for a SET to " << address << ", received " << describe(*m);
      return std::nullopt;
    }
    if (s->address == address) return *s;
  }
}

ReplayAnswer PersistenceTest::replay(Client& c, const std::string& pattern, std::optional<std::uint64_t> from,
                                     std::optional<std::uint64_t> to, std::optional<std::uint32_t> limit,
                                     std::uint8_t types, Loc loc) {
  ReplayAnswer a;
  if (!c.sendRaw(replayFrame(pattern, from, to, limit, types), loc)) return a;
  for (;;) {
    auto m = c.next(kExpectTimeout);
    if (!m) {
      ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
          << "REPLAY " << pattern << ": after " << a.entries.size()
          << " entries neither the end-marker ACK nor an ERROR arrived within " << kExpectTimeout.count()
          << " ms (" << c.endDescription() << ")";
      return a;
    }
    if (auto* ack = std::get_if<Ack>(&m->variant())) {
      if (ack->address != pattern) {
        ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
            << "REPLAY " << pattern << ": the end-marker ACK must carry the pattern as address, got "
            << describe(*m);
      }
      a.end = *ack;
      a.complete = true;
      return a;
    }
    if (auto* e = std::get_if<ErrorMsg>(&m->variant())) {
      a.error = *e;
      a.complete = true;
      return a;
    }
    if (std::holds_alternative<Set>(m->variant()) || std::holds_alternative<Publish>(m->variant())) {
      a.entries.push_back(std::move(*m));
      continue;
    }
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << "REPLAY " << pattern << ": unexpected " << describe(*m);
    return a;
  }
}

}  // namespace clasp::conformance
