// runConns: the connections run from start to report. Loop threads open the
// sessions themselves from a hook, topping up to their share of
// --concurrency whenever one finishes its setup, so the server sees a steady
// stream of handshakes instead of one burst. The main thread only reads the
// server's memory, watches the counters and prints. The setup gives up when
// nothing has progressed for kSetupQuiet; whatever is unfinished then counts
// as failed.
#include "bench/conns.hpp"

#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "bench/client_conn.hpp"
#include "bench/clock.hpp"
#include "bench/event_loop.hpp"
#include "bench/os.hpp"
#include "bench/report.hpp"
#include "bench/url.hpp"

namespace clasp::bench {

namespace {

constexpr std::uint64_t kSecond = 1'000'000'000;
constexpr std::uint64_t kSetupQuiet = 10 * kSecond;
constexpr unsigned kCloseReportLines = 5;

struct Shared {
  std::atomic<unsigned> opened{0};
  std::atomic<unsigned> ready{0};
  std::atomic<unsigned> failed{0};
  std::atomic<unsigned> dropped{0};
  std::atomic<bool> stop{false};
  std::atomic<unsigned> closeReports{0};
};

void report(Shared& shared, std::string_view why) {
  const unsigned n = shared.closeReports.fetch_add(1);
  if (n < kCloseReportLines) std::fprintf(stderr, "clasp-bench: %.*s\n", static_cast<int>(why.size()), why.data());
  else if (n == kCloseReportLines) std::fprintf(stderr, "clasp-bench: (further failures only counted)\n");
}

struct Worker;

class Session final : public ClientConn::Listener {
 public:
  Session(Worker& w, const Endpoint& ep, Shared& shared, unsigned index);
  ClientConn& conn() { return *conn_; }

 private:
  void onReady(ClientConn& conn) override { conn.subscribe(pattern_); }
  void onSubscribed(ClientConn&) override;
  void onRefused(ClientConn& conn, std::string_view why) override;
  void onClosed(ClientConn& conn, std::string_view why) override;
  void setupFailed();

  Worker& worker_;
  Shared& shared_;
  std::unique_ptr<ClientConn> conn_;
  std::string pattern_;
  bool ready_ = false;
  bool failed_ = false;
};

struct Worker {
  EventLoop loop;
  std::vector<std::unique_ptr<Session>> sessions;
  std::size_t next = 0;    // the next session to open
  unsigned pending = 0;    // opened, not yet ready or failed
  unsigned limit = 1;      // this loop's share of --concurrency
  std::atomic<std::uint64_t> lastReadyNs{0};
  std::thread thread;

  void openMore(Shared& shared) {
    while (next < sessions.size() && pending < limit) {
      Session& s = *sessions[next++];
      shared.opened.fetch_add(1, std::memory_order_relaxed);
      if (auto ok = s.conn().start(); !ok) {
        shared.failed.fetch_add(1);
        report(shared, ok.error());
        continue;
      }
      ++pending;
    }
  }
};

Session::Session(Worker& w, const Endpoint& ep, Shared& shared, unsigned index)
    : worker_(w),
      shared_(shared),
      conn_(makeClientConn(w.loop, ep, *this, "connection " + std::to_string(index), MessageKind::Set)),
      pattern_(patternUnder(ep.url.scheme, "conns/" + std::to_string(index))) {}

void Session::onSubscribed(ClientConn&) {
  ready_ = true;
  --worker_.pending;
  worker_.lastReadyNs.store(monoNanos(), std::memory_order_relaxed);
  shared_.ready.fetch_add(1);
}

void Session::setupFailed() {
  if (failed_) return;
  failed_ = true;
  --worker_.pending;
  shared_.failed.fetch_add(1);
}

void Session::onRefused(ClientConn& conn, std::string_view why) {
  if (ready_) return;
  setupFailed();
  report(shared_, conn.name() + ": SUBSCRIBE refused: " + std::string(why));
  conn.closeGracefully();
}

void Session::onClosed(ClientConn&, std::string_view why) {
  if (ready_) shared_.dropped.fetch_add(1);
  else setupFailed();
  report(shared_, why);
}

class Run {
 public:
  Run(const ConnsOptions& o, const Endpoint& ep) : o_(o), ep_(ep) {}
  ~Run() { stopThreads(); }
  int execute();

 private:
  Status<void> build();
  void startThreads();
  void stopThreads();
  void awaitSetup();
  bool readMemory(ProcMemory& into);

  const ConnsOptions& o_;
  const Endpoint& ep_;
  Shared shared_;
  std::vector<std::unique_ptr<Worker>> workers_;
  bool threadsRunning_ = false;
  bool tty_ = isatty(STDERR_FILENO) != 0;
  std::uint64_t startNs_ = 0;
};

Status<void> Run::build() {
  for (unsigned t = 0; t < o_.threads; ++t) {
    auto w = std::make_unique<Worker>();
    if (auto ok = w->loop.init(); !ok) return ok;
    w->limit = std::max(1u, (o_.concurrency + o_.threads - 1) / o_.threads);
    workers_.push_back(std::move(w));
  }
  for (unsigned i = 0; i < o_.connections; ++i) {
    Worker& w = *workers_[i % o_.threads];
    w.sessions.push_back(std::make_unique<Session>(w, ep_, shared_, i));
  }
  for (auto& wp : workers_) {
    Worker* w = wp.get();
    w->loop.addHook([this, w] { w->openMore(shared_); });
    if (ep_.url.scheme == Scheme::Mqtt) {
      // Brokers drop clients silent for 1.5 x the keepalive; a long --hold is.
      constexpr std::uint64_t kEvery = std::uint64_t{kKeepAliveSeconds} * kSecond / 2;
      w->loop.addHook([w, next = monoNanos() + kEvery]() mutable {
        const std::uint64_t now = monoNanos();
        if (now >= next) {
          for (auto& s : w->sessions) s->conn().keepAlive();
          next = now + kEvery;
        }
        w->loop.armTimer(next);
      });
    }
  }
  return {};
}

void Run::startThreads() {
  threadsRunning_ = true;
  for (auto& wp : workers_) {
    Worker* w = wp.get();
    w->thread = std::thread([this, w] {
      prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
      w->loop.run(shared_.stop);
      for (auto& s : w->sessions) s->conn().closeGracefully();  // still on the loop thread
    });
  }
}

void Run::stopThreads() {
  if (!threadsRunning_) return;
  threadsRunning_ = false;
  shared_.stop.store(true, std::memory_order_release);
  for (auto& w : workers_) w->loop.wake();
  for (auto& w : workers_)
    if (w->thread.joinable()) w->thread.join();
}

void Run::awaitSetup() {
  unsigned last = 0;
  unsigned lastReady = 0;
  std::uint64_t lastChange = monoNanos();
  std::uint64_t lastTick = startNs_;
  for (;;) {
    sleepUntil(monoNanos() + 5'000'000);
    const std::uint64_t now = monoNanos();
    const unsigned ready = shared_.ready.load();
    const unsigned failed = shared_.failed.load();
    if (ready + failed >= o_.connections) return;
    if (ready + failed != last) {
      last = ready + failed;
      lastChange = now;
    } else if (now - lastChange >= kSetupQuiet) {
      std::fprintf(stderr, "clasp-bench: setup stalled: %u of %u sessions ready after %.0f s without progress\n",
                   ready, o_.connections, static_cast<double>(kSetupQuiet) / 1e9);
      return;
    }
    if (tty_ && now - lastTick >= kSecond) {
      const unsigned opened = shared_.opened.load(std::memory_order_relaxed);
      printConnsProgress(static_cast<double>(now - startNs_) / 1e9, ready,
                         static_cast<double>(ready - lastReady) * 1e9 / static_cast<double>(now - lastTick), failed,
                         opened > ready + failed ? opened - ready - failed : 0);
      lastTick = now;
      lastReady = ready;
    }
  }
}

bool Run::readMemory(ProcMemory& into) {
  if (o_.serverPid == 0) return true;
  auto m = readProcMemory(o_.serverPid);
  if (!m) {
    std::fprintf(stderr, "clasp-bench: %s\n", m.error().c_str());
    return false;
  }
  into = *m;
  return true;
}

int Run::execute() {
  if (auto ok = ensureFdLimit(std::uint64_t{o_.connections} + 64 + 3ull * o_.threads); !ok) {
    std::fprintf(stderr, "clasp-bench: %s\n", ok.error().c_str());
    return 1;
  }
  ProcMemory before, after;
  if (!readMemory(before)) return 1;
  if (auto ok = build(); !ok) {
    std::fprintf(stderr, "clasp-bench: %s\n", ok.error().c_str());
    return 1;
  }
  if (tty_)
    std::fprintf(stderr, "opening %u connections to %s://%s, %u at a time\n", o_.connections,
                 schemeName(ep_.url.scheme), ep_.display.c_str(), o_.concurrency);
  const CpuSample cpuStart = sampleCpu();
  startNs_ = cpuStart.wallNs;
  startThreads();
  awaitSetup();
  std::uint64_t lastReadyNs = 0;
  for (const auto& w : workers_) lastReadyNs = std::max(lastReadyNs, w->lastReadyNs.load());
  // The CPU figure covers the setup only: the hold is idle by design.
  CpuSample cpuEnd = sampleCpu();
  if (tty_) endProgress();
  const std::uint64_t holdNs = static_cast<std::uint64_t>(o_.holdSeconds * 1e9);
  if (tty_ && holdNs >= kSecond)
    std::fprintf(stderr, "holding %u sessions for %.1f s\n", shared_.ready.load(), o_.holdSeconds);
  sleepUntil(monoNanos() + holdNs);
  const bool memoryOk = readMemory(after);
  stopThreads();

  ConnsResult r;
  r.transport = schemeName(ep_.url.scheme);
  r.connections = o_.connections;
  r.concurrency = o_.concurrency;
  r.threads = o_.threads;
  r.ready = shared_.ready.load();
  r.failed = o_.connections - r.ready;  // includes sessions still unfinished when the setup stalled
  r.dropped = shared_.dropped.load();
  r.setupSeconds = lastReadyNs > startNs_ ? static_cast<double>(lastReadyNs - startNs_) / 1e9 : 0;
  r.holdSeconds = o_.holdSeconds;
  r.haveMemory = o_.serverPid != 0 && memoryOk;
  r.rssBeforeKib = before.rssKib;
  r.rssAfterKib = after.rssKib;
  r.anonBeforeKib = before.rssAnonKib;
  r.anonAfterKib = after.rssAnonKib;
  cpuEnd.wallNs = std::max(cpuEnd.wallNs, cpuStart.wallNs + 1);
  r.toolCpuPercent = cpuPercent(cpuStart, cpuEnd);
  printSummary(r);
  printJson(r);
  return r.ready == 0 || (o_.serverPid != 0 && !memoryOk) ? 1 : 0;
}

}  // namespace

int runConns(const ConnsOptions& options) {
  return runAgainst(options.url, [&](const Endpoint& endpoint) {
    Run run(options, endpoint);
    return run.execute();
  });
}

}  // namespace clasp::bench
