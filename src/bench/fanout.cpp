// runFanout: the fan-out run from start to report. The main thread only
// orchestrates: it builds one Worker (event loop + latency histogram) per
// --threads, deals publishers and then subscribers round-robin over them,
// then drives the phases by the clock: setup (every session subscribed) ->
// warm-up -> measurement window -> drain (deliveries and ACKs of window
// messages still in flight) -> stop. Loss is exact: every message stamped
// inside the window must reach every subscriber. Histograms (delivery
// latency per thread; send lag and ACK latency per publisher) are merged
// after the threads join.
#include "bench/fanout.hpp"

#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "bench/clock.hpp"
#include "bench/event_loop.hpp"
#include "bench/fanout_shared.hpp"
#include "bench/histogram.hpp"
#include "bench/os.hpp"
#include "bench/publisher.hpp"
#include "bench/report.hpp"
#include "bench/subscriber.hpp"
#include "bench/url.hpp"

namespace clasp::bench {

namespace {

constexpr std::uint64_t kSecond = 1'000'000'000;
// Drain ends when nothing new arrived for this long.
constexpr std::uint64_t kDrainQuiet = 2 * kSecond;
constexpr unsigned kCloseReportLines = 5;

struct Worker {
  EventLoop loop;
  Histogram latency;
  std::vector<std::unique_ptr<Subscriber>> subscribers;
  std::vector<Publisher*> publishers;
  std::thread thread;
};

class Run {
 public:
  Run(const FanoutOptions& o, const Endpoint& ep) : o_(o), ep_(ep) {}
  ~Run() { stopThreads(); }

  int execute();

 private:
  Status<void> build();
  void startThreads();
  void stopThreads();
  bool waitForSetup();
  void measure();
  void drain();
  FanoutResult collect() const;

  std::uint64_t sentTotal() const;
  std::uint64_t sentInWindowTotal() const;
  std::uint64_t inflightTotal() const;
  bool allLivePublishersAnswered() const;
  bool publishersAlive() const;
  bool publishersFinished() const;
  std::uint64_t receivedTotal() const;
  std::uint64_t receivedInWindowTotal() const;
  unsigned closedSubscribers() const;
  bool allLiveSubscribersCaughtUp(std::uint64_t sentInWindow) const;
  void progress(const char* phase, std::uint64_t now);

  const FanoutOptions& o_;
  const Endpoint& ep_;
  FanoutShared shared_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<Publisher>> publishers_;
  bool tty_ = isatty(STDERR_FILENO) != 0;
  bool threadsRunning_ = false;

  std::uint64_t startNs_ = 0;
  std::uint64_t windowStartNs_ = 0;
  std::uint64_t windowEndNs_ = 0;
  CpuSample cpuAtStart_;
  CpuSample cpuAtEnd_;
  bool drainStalled_ = false;

  // Progress: counters at the previous line.
  std::uint64_t lastProgressNs_ = 0;
  std::uint64_t lastSent_ = 0;
  std::uint64_t lastReceived_ = 0;
};

// MQTT brokers drop a client silent for 1.5 x its keepalive, and a
// subscriber never sends: ping from every connection at half the keepalive.
void addKeepAliveHook(Worker& w) {
  constexpr std::uint64_t kEvery = std::uint64_t{kKeepAliveSeconds} * kSecond / 2;
  w.loop.addHook([&w, next = monoNanos() + kEvery]() mutable {
    const std::uint64_t now = monoNanos();
    if (now >= next) {
      for (auto& s : w.subscribers) s->conn().keepAlive();
      for (Publisher* p : w.publishers) p->conn().keepAlive();
      next = now + kEvery;
    }
    w.loop.armTimer(next);
  });
}

Status<void> Run::build() {
  for (unsigned t = 0; t < o_.threads; ++t) {
    auto w = std::make_unique<Worker>();
    if (auto ok = w->loop.init(); !ok) return ok;
    // Busy polling serves every loop; spinning only the senders' deadlines.
    if (o_.timing == EventLoop::Timing::BusyPoll) w->loop.setTiming(o_.timing);
    workers_.push_back(std::move(w));
  }
  for (unsigned p = 0; p < o_.publishers; ++p) {
    Worker& w = *workers_[p % o_.threads];
    publishers_.push_back(std::make_unique<Publisher>(w.loop, ep_, o_, shared_, p));
    Publisher* pub = publishers_.back().get();
    if (w.publishers.empty()) {
      shared_.publisherLoops.push_back(&w.loop);
      if (o_.rate != 0 && o_.timing == EventLoop::Timing::Spin) w.loop.setTiming(o_.timing);
    }
    w.publishers.push_back(pub);
    w.loop.addHook([pub] { pub->pump(); });
  }
  for (unsigned i = 0; i < o_.subscribers; ++i) {
    Worker& w = *workers_[(o_.publishers + i) % o_.threads];
    auto sub = std::make_unique<Subscriber>(w.loop, ep_, o_, shared_, w.latency, i);
    shared_.subscribers.push_back(sub.get());
    w.subscribers.push_back(std::move(sub));
  }
  if (ep_.url.scheme == Scheme::Mqtt)
    for (auto& w : workers_) addKeepAliveHook(*w);
  for (auto& p : publishers_)
    if (auto ok = p->start(); !ok) return ok;
  for (auto& w : workers_)
    for (auto& s : w->subscribers)
      if (auto ok = s->start(); !ok) return ok;
  return {};
}

void Run::startThreads() {
  threadsRunning_ = true;
  for (auto& wp : workers_) {
    Worker* w = wp.get();
    w->thread = std::thread([this, w] {
      // Timer slack (50 µs by default) would add its own jitter to rate mode.
      prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
      w->loop.run(shared_.stop);
      // Still on the loop thread: the connections belong to it.
      for (auto& s : w->subscribers) s->closeGracefully();
      for (Publisher* p : w->publishers) p->closeGracefully();
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

bool Run::waitForSetup() {
  const unsigned sessions = o_.subscribers + o_.publishers;
  // Generous: a loaded relay may take a while to accept hundreds of sessions.
  const std::uint64_t deadline = monoNanos() + 10 * kSecond + std::uint64_t{o_.subscribers} * 20'000'000;
  while (shared_.ready.load() < sessions) {
    if (shared_.setupFailures.load() != 0) {
      std::fprintf(stderr, "clasp-bench: %u of %u sessions failed to set up\n", shared_.setupFailures.load(),
                   sessions);
      return false;
    }
    if (monoNanos() >= deadline) {
      std::fprintf(stderr, "clasp-bench: setup timed out: %u of %u sessions ready\n", shared_.ready.load(),
                   sessions);
      return false;
    }
    sleepUntil(monoNanos() + 5'000'000);
  }
  return true;
}

std::uint64_t Run::sentTotal() const {
  std::uint64_t n = 0;
  for (const auto& p : publishers_) n += p->sent();
  return n;
}

std::uint64_t Run::sentInWindowTotal() const {
  std::uint64_t n = 0;
  for (const auto& p : publishers_) n += p->sentInWindow();
  return n;
}

std::uint64_t Run::inflightTotal() const {
  std::uint64_t n = 0;
  for (const auto& p : publishers_) n += p->inflight();
  return n;
}

bool Run::allLivePublishersAnswered() const {
  for (const auto& p : publishers_)
    if (p->alive() && p->inflight() != 0) return false;
  return true;
}

bool Run::publishersAlive() const {
  for (const auto& p : publishers_)
    if (!p->alive()) return false;
  return true;
}

bool Run::publishersFinished() const {
  for (const auto& p : publishers_)
    if (!p->finished()) return false;
  return true;
}

std::uint64_t Run::receivedTotal() const {
  std::uint64_t n = 0;
  for (const Subscriber* s : shared_.subscribers) n += s->received();
  return n;
}

std::uint64_t Run::receivedInWindowTotal() const {
  std::uint64_t n = 0;
  for (const Subscriber* s : shared_.subscribers) n += s->receivedInWindow();
  return n;
}

unsigned Run::closedSubscribers() const {
  unsigned n = 0;
  for (const Subscriber* s : shared_.subscribers) n += s->alive() ? 0 : 1;
  return n;
}

bool Run::allLiveSubscribersCaughtUp(std::uint64_t sentInWindow) const {
  for (const Subscriber* s : shared_.subscribers)
    if (s->alive() && s->receivedInWindow() < sentInWindow) return false;
  return true;
}

void Run::progress(const char* phase, std::uint64_t now) {
  const std::uint64_t sent = sentTotal();
  const std::uint64_t received = receivedTotal();
  const double dt = static_cast<double>(now - lastProgressNs_) / 1e9;
  if (tty_ && dt > 0) {
    printProgress(phase, static_cast<double>(now - startNs_) / 1e9, static_cast<double>(sent - lastSent_) / dt,
                  static_cast<double>(received - lastReceived_) / dt, inflightTotal());
  }
  lastProgressNs_ = now;
  lastSent_ = sent;
  lastReceived_ = received;
}

void Run::measure() {
  // Start a little ahead so every loop sees the schedule before its first tick.
  startNs_ = monoNanos() + 1'000'000;
  windowStartNs_ = startNs_ + static_cast<std::uint64_t>(o_.warmupSeconds * 1e9);
  windowEndNs_ = windowStartNs_ + static_cast<std::uint64_t>(o_.durationSeconds * 1e9);
  shared_.scheduleStartNs.store(startNs_, std::memory_order_relaxed);
  shared_.windowStartUs.store(windowStartNs_ / 1000, std::memory_order_relaxed);
  shared_.windowEndUs.store(windowEndNs_ / 1000, std::memory_order_relaxed);
  shared_.sending.store(true, std::memory_order_release);
  wakePublishers(shared_, nullptr);
  lastProgressNs_ = startNs_;
  cpuAtStart_ = sampleCpu();  // replaced at the window's start, unless the run dies before

  bool haveStart = false;
  std::uint64_t nextTick = startNs_ + kSecond;
  for (;;) {
    std::uint64_t target = nextTick;
    if (!haveStart && windowStartNs_ < target) target = windowStartNs_;
    if (windowEndNs_ < target) target = windowEndNs_;
    sleepUntil(target);
    const std::uint64_t now = monoNanos();
    if (!haveStart && now >= windowStartNs_) {
      cpuAtStart_ = sampleCpu();
      haveStart = true;
    }
    if (now >= windowEndNs_) {
      cpuAtEnd_ = sampleCpu();
      return;
    }
    if (now >= nextTick) {
      // Name the second that just ended: a tick at the window's start closes the warm-up.
      progress(nextTick <= windowStartNs_ ? "warmup" : "measure", now);
      nextTick += kSecond;
    }
    if (!publishersAlive()) {
      // Cut short: rates count over the part of the window that happened.
      cpuAtEnd_ = sampleCpu();
      windowEndNs_ = std::max(now, windowStartNs_ + 1000);
      return;
    }
  }
}

void Run::drain() {
  // The publisher stops on its own once the window is over (in rate mode,
  // once it has sent everything scheduled inside it, however late it runs).
  std::uint64_t sent = sentTotal();
  std::uint64_t sentChange = monoNanos();
  while (!publishersFinished() && monoNanos() - sentChange < kDrainQuiet) {
    sleepUntil(monoNanos() + 1'000'000);
    if (sentTotal() != sent) {
      sent = sentTotal();
      sentChange = monoNanos();
    }
  }
  // Every subscriber must receive every publisher's window messages, and
  // every publisher's last messages must be answered so that their ACK
  // latency counts (with -n 0 that is all the drain waits for).
  const std::uint64_t sentInWindow = sentInWindowTotal();
  std::uint64_t lastReceived = receivedInWindowTotal();
  std::uint64_t lastInflight = inflightTotal();
  std::uint64_t lastChange = monoNanos();
  std::uint64_t nextTick = lastChange + kSecond;
  while (!allLiveSubscribersCaughtUp(sentInWindow) || !allLivePublishersAnswered()) {
    sleepUntil(monoNanos() + 2'000'000);
    const std::uint64_t now = monoNanos();
    const std::uint64_t received = receivedInWindowTotal();
    const std::uint64_t inflight = inflightTotal();
    if (received != lastReceived || inflight != lastInflight) {
      lastReceived = received;
      lastInflight = inflight;
      lastChange = now;
    } else if (now - lastChange >= kDrainQuiet) {
      drainStalled_ = true;
      return;
    }
    if (now >= nextTick) {
      progress("drain", now);
      nextTick += kSecond;
    }
  }
}

FanoutResult Run::collect() const {
  Histogram all;
  for (const auto& w : workers_) all.merge(w->latency);
  FanoutResult r;
  r.mode = o_.mode;
  r.transport = schemeName(ep_.url.scheme);
  r.kind = ep_.url.scheme == Scheme::Mqtt ? "qos0" : o_.kind == MessageKind::Set ? "set" : "event";
  // Spinning serves a schedule; without one (--rate 0) the loops just sleep.
  r.timing = o_.timing == EventLoop::Timing::BusyPoll                 ? "busy"
             : o_.timing == EventLoop::Timing::Spin && o_.rate != 0 ? "spin"
                                                                    : "sleep";
  r.publishers = o_.publishers;
  r.subscribers = o_.subscribers;
  r.threads = o_.threads;
  r.rate = o_.rate;
  r.window = o_.window;
  r.warmupSeconds = o_.warmupSeconds;
  r.durationSeconds = static_cast<double>(windowEndNs_ / 1000 - windowStartNs_ / 1000) / 1e6;
  r.sent = sentInWindowTotal();
  r.expected = r.sent * o_.subscribers;
  r.received = receivedInWindowTotal();
  r.p50 = all.percentile(0.50);
  r.p90 = all.percentile(0.90);
  r.p99 = all.percentile(0.99);
  r.p999 = all.percentile(0.999);
  r.max = all.max();
  r.haveDeliveries = o_.subscribers != 0;
  Histogram lag;
  Histogram ack;
  std::uint64_t errors = 0;
  for (const auto& p : publishers_) {
    lag.merge(p->sendLag());
    ack.merge(p->ackLatency());
    errors += p->errors();
  }
  r.sendLagP50 = lag.percentile(0.50);
  r.sendLagP99 = lag.percentile(0.99);
  r.sendLagMax = lag.max();
  // Every publisher speaks the same protocol: either all are answered or none.
  r.haveAcks = publishers_.front()->confirms();
  r.acks = ack.count();
  r.ackP50 = ack.percentile(0.50);
  r.ackP99 = ack.percentile(0.99);
  r.ackP999 = ack.percentile(0.999);
  r.ackMax = ack.max();
  r.toolCpuPercent = cpuPercent(cpuAtStart_, cpuAtEnd_);
  r.closedSubscribers = closedSubscribers();
  r.publisherErrors = errors;
  r.drainStalled = drainStalled_;
  return r;
}

int Run::execute() {
  if (auto ok = ensureFdLimit(std::uint64_t{o_.subscribers} + o_.publishers + 64 + 3ull * o_.threads); !ok) {
    std::fprintf(stderr, "clasp-bench: %s\n", ok.error().c_str());
    return 1;
  }
  if (auto ok = build(); !ok) {
    std::fprintf(stderr, "clasp-bench: %s\n", ok.error().c_str());
    return 1;
  }
  startThreads();
  if (tty_)
    std::fprintf(stderr, "connecting %u publisher(s) and %u subscriber(s) to %s://%s\n", o_.publishers,
                 o_.subscribers, schemeName(ep_.url.scheme), ep_.display.c_str());
  if (!waitForSetup()) return 1;
  measure();
  drain();
  if (tty_) endProgress();
  stopThreads();
  const bool alive = publishersAlive();
  if (!alive) std::fprintf(stderr, "clasp-bench: a publisher lost its connection; the run is cut short\n");
  const FanoutResult r = collect();
  printSummary(r);
  printJson(r);
  return alive ? 0 : 1;
}

}  // namespace

void reportClosed(FanoutShared& shared, const char* why) {
  const unsigned n = shared.closeReports.fetch_add(1);
  if (n < kCloseReportLines) std::fprintf(stderr, "clasp-bench: %s\n", why);
  else if (n == kCloseReportLines) std::fprintf(stderr, "clasp-bench: (further closed connections only counted)\n");
}

void wakePublishers(FanoutShared& shared, const EventLoop* self) {
  for (EventLoop* loop : shared.publisherLoops)
    if (loop != self) loop->wake();
}

int runFanout(const FanoutOptions& options) {
  return runAgainst(options.url, [&](const Endpoint& endpoint) {
    // Without subscribers only the ACK window limits a publisher, and MQTT
    // QoS 0 has no ACK: nothing would bound the sending, nor measure it.
    if (options.subscribers == 0 && endpoint.url.scheme == Scheme::Mqtt) {
      std::fprintf(stderr, "clasp-bench: -n 0 needs a ws:// URL: MQTT QoS 0 has no ACK to bound or time\n");
      return 2;
    }
    Run run(options, endpoint);
    return run.execute();
  });
}

}  // namespace clasp::bench
