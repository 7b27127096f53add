// Journal: the SQLite event journal of relay.md §5 with the behaviour of
// DECISIONS D-23. The router appends entries under its lock (a queue push);
// one writer thread commits them in batches (group commit) and then reports
// the last ticket it made durable, so held ACKs can go out. REPLAY queries
// run on the same thread after the entries queued before them, so a client
// always finds its own acknowledged writes. Retention removes history older
// than compactAge or beyond maxEntries, but never the newest SET or deletion
// of an address, so the journal alone can always rebuild the state. Those
// newest rows are tracked in journal_latest (updated once per address per
// batch) instead of an index on address, which halved the append rate.
//
// Threads: append/replay from any thread holding the router lock; open,
// latestState and start before serving; stop from the main thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "router/durable.hpp"
#include "storage/sqlite_db.hpp"

namespace clasp::storage {

struct JournalOptions {
  std::string path;                                   // ":memory:" for --journal-memory
  std::uint64_t compactAgeMicros = 86'400'000'000ull;  // history kept; 0 = all
  std::uint64_t maxEntries = 10'000'000;               // 0 = no count limit
  bool fsync = false;                                  // synchronous=FULL: survive power loss too
};

class Journal final : public router::JournalPort {
 public:
  struct Hooks {
    // Every entry up to this ticket is committed.
    std::function<void(std::uint64_t ticket)> committed;
    // The complete answer to one REPLAY: entry frames, then the end marker.
    std::function<void(const std::string& sessionId, std::vector<std::vector<std::uint8_t>>&& frames)> answer;
  };

  // Opens or creates the file, checks it and migrates an older layout.
  static Result<std::unique_ptr<Journal>> open(const JournalOptions& options);
  ~Journal() override;

  // Startup: the newest SET or deletion of every address, for restore.
  Result<std::vector<router::StoredParam>> latestState();

  void start(Hooks hooks);
  // Commits everything queued, answers queued queries, stops the thread.
  void stop();

  std::uint64_t append(router::JournalEntry&& entry) override;

  // For the metrics endpoint, from any thread: entries handed to the journal
  // and entries committed so far; their difference is the journal's lag.
  std::uint64_t appendedEntries() const { return appended_.load(std::memory_order_relaxed); }
  std::uint64_t committedEntries() const { return committedUpTo_.load(std::memory_order_relaxed); }
  void replay(std::string sessionId, Replay query) override;

  // Server limits of one REPLAY answer; the end marker says where to go on.
  static constexpr std::size_t kPageEntries = 10'000;
  static constexpr std::size_t kPageBytes = 4u << 20;
  // Rows one REPLAY answer may examine: the journal thread also commits,
  // so a query over a long history is answered in pages.
  static constexpr std::size_t kPageScan = 250'000;

 private:
  explicit Journal(JournalOptions options, SqliteDb db);
  struct Query {
    std::string sessionId;
    Replay replay;
  };

  void run();
  Result<void> writeBatch(const std::vector<router::JournalEntry>& batch);
  // Binds one entry as row `row` (0-based) of a (multi-row) INSERT.
  static void bindEntry(Statement& st, int row, const router::JournalEntry& e);
  std::vector<std::vector<std::uint8_t>> answer(const Replay& q);
  // One bounded retention step; true when more work is waiting.
  bool compactStep(std::uint64_t nowMicros);

  JournalOptions options_;
  SqliteDb db_;
  Statement insert_;      // one row
  Statement insertMany_;  // kRowsPerInsert rows
  static constexpr int kRowsPerInsert = 32;
  Hooks hooks_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<router::JournalEntry> pending_;  // guarded by mutex_
  std::vector<Query> queries_;                 // guarded by mutex_
  std::uint64_t ticket_ = 0;                   // guarded by mutex_: last ticket handed out
  std::uint64_t lastTimestamp_ = 0;            // guarded by mutex_: timestamps are unique
  bool stopping_ = false;                      // guarded by mutex_
  std::atomic<std::uint64_t> appended_{0};      // = ticket_, readable without the lock
  std::atomic<std::uint64_t> committedUpTo_{0};  // last ticket the writer committed
  std::thread thread_;
  // File journals: WAL checkpoints run here, on their own connection, so
  // copying the log into the database never stalls a commit (and the ACKs
  // waiting for it). Stopped with stopping_.
  std::thread checkpointer_;
  std::condition_variable checkpointWake_;  // with mutex_: only stop() notifies it
  void checkpoint();

  // Writer thread only.
  std::int64_t entries_ = 0;         // rows in the table
  // The newest SET or deletion of every address (seq), mirrored in the
  // journal_latest table: retention keeps these rows, recovery reads them.
  std::unordered_map<std::string, std::int64_t> latest_;
  Statement upsertLatest_;
  std::int64_t compactCursor_ = 0;   // seq where the current retention pass goes on
  std::uint64_t nextCompact_ = 0;    // wall µs
  std::uint64_t nextWalReset_ = 0;   // wall µs
};

}  // namespace clasp::storage
