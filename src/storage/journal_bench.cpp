// Journal micro-benchmark (Google Benchmark): entries appended and committed
// per second by the writer thread alone, no network, so the journal's own
// ceiling can be compared with the relay's SETs/s under --journal. A batch of
// `range(0)` SET entries is appended, then the commit of its last ticket is
// awaited, as the router's held ACKs would be.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "storage/journal.hpp"

namespace clasp::storage {
namespace {

void BM_JournalAppendCommit(benchmark::State& state) {
  const auto dir = std::filesystem::temp_directory_path() / ("clasp-journal-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  JournalOptions o;
  o.path = state.range(1) ? (dir / "j.db").string() : ":memory:";
  auto j = Journal::open(o);
  if (!j) {
    state.SkipWithError(j.error().message.c_str());
    return;
  }
  std::mutex m;
  std::condition_variable cv;
  std::uint64_t committed = 0;
  Journal::Hooks hooks;
  hooks.committed = [&](std::uint64_t t) {
    std::lock_guard lock(m);
    committed = t;
    cv.notify_all();
  };
  (*j)->start(hooks);
  std::uint64_t n = 0;
  const std::string author = "3f1c9a52-5b8e-4d0a-9c1e-7a2b6d4e8f10";
  for (auto _ : state) {
    std::uint64_t last = 0;
    for (int i = 0; i < state.range(0); ++i) {
      router::JournalEntry e;
      e.wallMicros = 1'700'000'000'000'000ull + n;
      e.author = author;
      e.address = "/bench/" + std::to_string(n % 100);
      e.value = Value(static_cast<std::int64_t>(n));
      e.revision = n / 100 + 1;
      ++n;
      last = (*j)->append(std::move(e));
    }
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return committed >= last; });
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  (*j)->stop();
  j->reset();
  std::filesystem::remove_all(dir);
}
// {entries per batch, file (1) or memory (0)}
BENCHMARK(BM_JournalAppendCommit)->Args({1000, 1})->Args({10000, 1})->Args({10000, 0})->UseRealTime();

}  // namespace
}  // namespace clasp::storage
