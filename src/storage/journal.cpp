// Journal: opening (checks, schema, migration of the reference layout), the
// append queue and the writer thread with its group commit.
#include "storage/journal.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "adapters/value_json.hpp"
#include "storage/schema.hpp"
#include "storage/value_blob.hpp"

namespace clasp::storage {

namespace {

constexpr int kSchemaVersion = 1;
constexpr int kColumns = 11;  // bound per row by bindEntry

// relay.md §5.2's table (so the reference's tools and REST shapes still fit)
// plus what exact restore needs: the value's typed bytes, the TTL, and a
// deletion flag, and journal_latest (the newest SET or deletion per address).
// Timestamps grow with seq (append makes them unique and increasing), so time
// bounds are found by a binary search over seq. No index on timestamp,
// address or signal_type: an index update per append cost 20 % (timestamp)
// and half (address) of the journal's throughput.
constexpr const char* kCreate = R"sql(
CREATE TABLE IF NOT EXISTS journal_entries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, timestamp INTEGER NOT NULL, author TEXT NOT NULL,
  address TEXT NOT NULL, signal_type TEXT NOT NULL, value_json TEXT NOT NULL,
  revision INTEGER, msg_type INTEGER NOT NULL, hmac TEXT,
  value_bin BLOB, ttl INTEGER, ttl_since INTEGER, deleted INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS journal_latest (address TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots (
  id INTEGER PRIMARY KEY AUTOINCREMENT, created_at INTEGER NOT NULL,
  seq_at INTEGER NOT NULL, data_json TEXT NOT NULL);
)sql";

// A journal written by the reference relay (no schema table): add our columns.
Result<void> migrateReference(SqliteDb& db) {
  const std::pair<const char*, const char*> columns[] = {
      {"hmac", "TEXT"}, {"value_bin", "BLOB"}, {"ttl", "INTEGER"}, {"ttl_since", "INTEGER"},
      {"deleted", "INTEGER NOT NULL DEFAULT 0"}};
  for (const auto& [name, type] : columns) {
    if (db.hasColumn("journal_entries", name)) continue;
    if (auto ok = db.exec(std::string("ALTER TABLE journal_entries ADD COLUMN ") + name + " " + type); !ok)
      return ok;
  }
  if (auto ok = db.exec(kCreate); !ok) return ok;
  return db.exec(
      "INSERT OR REPLACE INTO journal_latest (address, seq) SELECT address, MAX(seq) FROM journal_entries"
      " WHERE msg_type = 33 AND revision IS NOT NULL GROUP BY address");
}

const char* signalName(SignalType t) {
  switch (t) {
    case SignalType::Param: return "param";
    case SignalType::Event: return "event";
    case SignalType::Stream: return "stream";
    case SignalType::Gesture: return "gesture";
    case SignalType::Timeline: return "timeline";
  }
  return "event";
}

std::uint64_t wallNow() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(duration_cast<microseconds>(system_clock::now().time_since_epoch()).count());
}

}  // namespace

Journal::Journal(JournalOptions options, SqliteDb db) : options_(std::move(options)), db_(std::move(db)) {}

Journal::~Journal() { stop(); }

Result<std::unique_ptr<Journal>> Journal::open(const JournalOptions& options) {
  const bool memory = options.path == ":memory:";
  auto db = SqliteDb::open(options.path);
  if (!db) return std::unexpected(db.error());
  if (!memory) {
    if (auto ok = prepareFile(*db, options.fsync); !ok) return std::unexpected(ok.error());
  }
  SchemaSteps steps;
  steps.table = "journal_entries";
  steps.create = kCreate;
  steps.migrateUnversioned = migrateReference;
  if (auto ok = ensureSchema(*db, "journal", kSchemaVersion, steps); !ok) return std::unexpected(ok.error());

  std::unique_ptr<Journal> j(new Journal(options, std::move(*db)));
  // Multi-row INSERTs: one statement run per 32 entries (the per-statement
  // work, AUTOINCREMENT's bookkeeping included, was a large part of an append).
  auto insertSql = [](int rows) {
    std::string sql =
        "INSERT INTO journal_entries (timestamp, author, address, signal_type, value_json, revision, msg_type,"
        " value_bin, ttl, ttl_since, deleted) VALUES ";
    for (int r = 0; r < rows; ++r) {
      sql += r ? ",(" : "(";
      for (int c = 0; c < kColumns; ++c) sql += c ? ",?" : "?";
      sql += ")";
    }
    return sql;
  };
  auto insert = j->db_.prepare(insertSql(1));
  if (!insert) return std::unexpected(insert.error());
  j->insert_ = std::move(*insert);
  auto many = j->db_.prepare(insertSql(kRowsPerInsert));
  if (!many) return std::unexpected(many.error());
  j->insertMany_ = std::move(*many);
  auto upsert = j->db_.prepare("INSERT OR REPLACE INTO journal_latest (address, seq) VALUES (?1, ?2)");
  if (!upsert) return std::unexpected(upsert.error());
  j->upsertLatest_ = std::move(*upsert);
  auto latest = j->db_.prepare("SELECT address, seq FROM journal_latest");
  if (!latest) return std::unexpected(latest.error());
  int rc;
  while ((rc = latest->step()) == SQLITE_ROW) j->latest_.emplace(std::string(latest->text(0)), latest->i64(1));
  if (rc != SQLITE_DONE) return std::unexpected(j->db_.error("reading journal_latest"));
  auto last = j->db_.scalar("SELECT COALESCE(MAX(timestamp), 0) FROM journal_entries");
  if (!last) return std::unexpected(last.error());
  j->lastTimestamp_ = static_cast<std::uint64_t>(*last);
  auto count = j->db_.scalar("SELECT COUNT(*) FROM journal_entries");
  if (!count) return std::unexpected(count.error());
  j->entries_ = *count;
  return j;
}

void Journal::start(Hooks hooks) {
  hooks_ = std::move(hooks);
  thread_ = std::thread([this] { run(); });
  if (options_.path != ":memory:") {
    // The writer's connection no longer checkpoints by itself.
    (void)db_.exec("PRAGMA wal_autocheckpoint = 0");
    checkpointer_ = std::thread([this] { checkpoint(); });
  }
}

void Journal::checkpoint() {
  auto db = SqliteDb::open(options_.path);
  // A connection learns the file is in WAL mode when it first reads it.
  if (db) (void)db->exec("PRAGMA journal_mode = WAL");
  if (!db) {
    spdlog::warn("journal: no checkpoint connection: {}", db.error().message);
    return;
  }
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (checkpointWake_.wait_for(lock, std::chrono::milliseconds(500), [&] { return stopping_; })) break;
    }
    // PASSIVE: copies what it can without blocking the writer.
    int logPages = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(db->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &logPages, &copied);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) spdlog::warn("journal: checkpoint failed: {}", db->error("").message);
  }
  (void)sqlite3_wal_checkpoint_v2(db->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
}

void Journal::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  checkpointWake_.notify_one();
  if (thread_.joinable()) thread_.join();
  if (checkpointer_.joinable()) checkpointer_.join();
}

std::uint64_t Journal::append(router::JournalEntry&& entry) {
  std::lock_guard lock(mutex_);
  // Unique, increasing timestamps make `from` an exact REPLAY cursor.
  entry.wallMicros = std::max(entry.wallMicros, lastTimestamp_ + 1);
  lastTimestamp_ = entry.wallMicros;
  pending_.push_back(std::move(entry));
  if (pending_.size() == 1) wake_.notify_one();
  appended_.store(ticket_ + 1, std::memory_order_relaxed);
  return ++ticket_;
}

void Journal::replay(std::string sessionId, Replay query) {
  {
    std::lock_guard lock(mutex_);
    queries_.push_back(Query{std::move(sessionId), std::move(query)});
  }
  wake_.notify_one();
}

void Journal::run() {
  std::vector<router::JournalEntry> batch;
  std::vector<Query> queries;
  bool moreRetention = false;
  for (;;) {
    std::uint64_t upTo = 0;
    bool stop = false;
    {
      std::unique_lock lock(mutex_);
      auto ready = [&] { return !pending_.empty() || !queries_.empty() || stopping_; };
      if (!moreRetention) wake_.wait_for(lock, std::chrono::seconds(1), ready);
      batch.swap(pending_);
      queries.swap(queries_);
      upTo = ticket_;
      stop = stopping_;
    }
    if (!batch.empty()) {
      if (auto ok = writeBatch(batch); !ok) {
        // Nothing is acknowledged until it is written: keep the batch in
        // front of newer entries and try again shortly.
        spdlog::error("journal: write failed, retrying: {}", ok.error().message);
        {
          std::lock_guard lock(mutex_);
          batch.insert(batch.end(), std::make_move_iterator(pending_.begin()),
                       std::make_move_iterator(pending_.end()));
          pending_.swap(batch);
          queries.insert(queries.end(), std::make_move_iterator(queries_.begin()),
                         std::make_move_iterator(queries_.end()));
          queries_.swap(queries);
        }
        batch.clear();
        queries.clear();
        if (stop) return;  // shutting down: what is not written cannot be now
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        continue;
      }
      batch.clear();
      committedUpTo_.store(upTo, std::memory_order_relaxed);
      if (hooks_.committed) hooks_.committed(upTo);
      if (checkpointer_.joinable() && wallNow() >= nextWalReset_) {
        // The checkpointer copied almost everything; finishing the tail here
        // lets the next commit start the log from its beginning again (under
        // steady load it would otherwise grow without end).
        nextWalReset_ = wallNow() + 5'000'000;
        (void)sqlite3_wal_checkpoint_v2(db_.raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      }
    }
    // Retention before answers: a REPLAY sees history as retention leaves
    // it (the first step runs at once after startup).
    if (!stop) moreRetention = compactStep(wallNow());
    for (const Query& q : queries) {
      auto frames = answer(q.replay);
      if (hooks_.answer) hooks_.answer(q.sessionId, std::move(frames));
    }
    queries.clear();
    if (stop) return;
  }
}

void Journal::bindEntry(Statement& st, int row, const router::JournalEntry& e) {
  using Kind = router::JournalEntry::Kind;
  const int b = row * kColumns;
  st.bind(b + 1, e.wallMicros);
  st.bind(b + 2, std::string_view(e.author));
  st.bind(b + 3, std::string_view(e.address));
  st.bind(b + 4, std::string_view(signalName(e.kind == Kind::Publish ? e.signal : SignalType::Param)));
  st.bind(b + 5, std::string_view(valueToJson(e.value)));  // bind copies (SQLITE_TRANSIENT)
  if (e.kind == Kind::Publish) st.bindNull(b + 6);
  else st.bind(b + 6, e.revision);
  st.bind(b + 7, std::int64_t{e.kind == Kind::Publish ? 0x20 : 0x21});
  st.bind(b + 8, std::span<const std::uint8_t>(valueToBlob(e.value)));
  if (e.ttl) st.bind(b + 9, std::int64_t{e.ttl->raw()});
  else st.bindNull(b + 9);
  st.bind(b + 10, e.ttlSinceWall);
  st.bind(b + 11, std::int64_t{e.kind == Kind::Delete ? 1 : 0});
}

Result<void> Journal::writeBatch(const std::vector<router::JournalEntry>& batch) {
  std::unordered_map<std::string_view, std::int64_t> newest;
  auto ok = db_.transaction([&]() -> Result<void> {
    for (std::size_t i = 0; i < batch.size();) {
      const bool many = batch.size() - i >= kRowsPerInsert;
      Statement& st = many ? insertMany_ : insert_;
      const int rows = many ? kRowsPerInsert : 1;
      for (int r = 0; r < rows; ++r) bindEntry(st, r, batch[i + static_cast<std::size_t>(r)]);
      if (auto step = db_.run(st, "append"); !step) return step;
      i += static_cast<std::size_t>(rows);
    }
    // seq of the batch's rows: consecutive, ending at the last insert's rowid.
    std::int64_t seq = sqlite3_last_insert_rowid(db_.raw()) - static_cast<std::int64_t>(batch.size());
    for (const router::JournalEntry& e : batch) {
      ++seq;
      if (e.kind != router::JournalEntry::Kind::Publish) newest.insert_or_assign(std::string_view(e.address), seq);
    }
    for (const auto& [address, s] : newest) {
      upsertLatest_.bind(1, address);
      upsertLatest_.bind(2, s);
      if (auto step = db_.run(upsertLatest_, "append"); !step) return step;
    }
    return {};
  });
  if (!ok) return ok;
  for (const auto& [address, s] : newest) latest_.insert_or_assign(std::string(address), s);
  entries_ += static_cast<std::int64_t>(batch.size());
  return {};
}

}  // namespace clasp::storage
