// StateFile: schema, load, and the snapshot transaction.
#include "storage/state_file.hpp"

#include <spdlog/spdlog.h>

#include "adapters/value_json.hpp"
#include "storage/schema.hpp"
#include "storage/value_blob.hpp"

namespace clasp::storage {

namespace {

constexpr int kSchemaVersion = 1;

// value_json is for people and other tools; `value` is the exact form.
constexpr const char* kCreate = R"sql(
CREATE TABLE IF NOT EXISTS params (
  address TEXT PRIMARY KEY, value BLOB NOT NULL, value_json TEXT NOT NULL,
  revision INTEGER NOT NULL, writer TEXT NOT NULL, timestamp INTEGER NOT NULL,
  ttl INTEGER, ttl_since INTEGER NOT NULL, last_access INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
)sql";

}  // namespace

StateFile::StateFile(SqliteDb db, Statement upsert)
    : db_(std::move(db)), upsert_(std::move(upsert)), worker_(std::make_unique<Worker>()) {}

StateFile::~StateFile() { worker_->stop(); }

Result<std::unique_ptr<StateFile>> StateFile::open(const std::string& path) {
  auto db = SqliteDb::open(path);
  if (!db) return std::unexpected(db.error());
  // A snapshot is written rarely and must be whole: sync it fully.
  if (auto ok = prepareFile(*db, /*fsync=*/true); !ok) return std::unexpected(ok.error());
  SchemaSteps steps;
  steps.table = "params";
  steps.create = kCreate;
  if (auto ok = ensureSchema(*db, "state file", kSchemaVersion, steps); !ok) return std::unexpected(ok.error());
  auto upsert = db->prepare(
      "INSERT OR REPLACE INTO params (address, value, value_json, revision, writer, timestamp, ttl, ttl_since,"
      " last_access, deleted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!upsert) return std::unexpected(upsert.error());
  return std::unique_ptr<StateFile>(new StateFile(std::move(*db), std::move(*upsert)));
}

Result<std::vector<router::StoredParam>> StateFile::load() {
  auto st = db_.prepare(
      "SELECT address, value, revision, writer, timestamp, ttl, ttl_since, last_access, deleted FROM params");
  if (!st) return std::unexpected(st.error());
  std::vector<router::StoredParam> out;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    router::StoredParam p;
    p.address = std::string(st->text(0));
    p.deleted = st->i64(8) != 0;
    if (!p.deleted) {
      auto v = valueFromBlob(st->blob(1));
      if (!v) return fail(Errc::InternalError, db_.name() + ": damaged value for " + p.address);
      p.value = std::move(*v);
    }
    p.revision = st->u64(2);
    p.writer = std::string(st->text(3));
    p.timestamp = st->u64(4);
    if (!st->isNull(5)) p.ttl = Ttl::fromRaw(static_cast<std::uint32_t>(st->i64(5)));
    p.ttlSince = st->u64(6);
    p.lastAccess = st->u64(7);
    out.push_back(std::move(p));
  }
  if (rc != SQLITE_DONE) return std::unexpected(db_.error("load"));
  return out;
}

void StateFile::submit(std::vector<router::StoredParam> changes) {
  if (changes.empty()) return;
  worker_->post([this, changes = std::move(changes)] {
    if (auto ok = write(changes); !ok) spdlog::error("persist: snapshot failed, kept for the next one: {}", ok.error().message);
  });
}

Result<void> StateFile::finish(const std::vector<router::StoredParam>& changes) {
  worker_->stop();
  return write(changes);
}

Result<void> StateFile::write(const std::vector<router::StoredParam>& latest) {
  std::vector<router::StoredParam> merged;
  if (!failed_.empty()) {
    // Older failed changes first: a later change of the same address wins.
    merged = std::move(failed_);
    failed_.clear();
    merged.insert(merged.end(), latest.begin(), latest.end());
  }
  const std::vector<router::StoredParam>& changes = merged.empty() ? latest : merged;
  auto ok = writeRows(changes);
  if (!ok) failed_ = changes;
  return ok;
}

Result<void> StateFile::writeRows(const std::vector<router::StoredParam>& changes) {
  if (changes.empty()) return {};
  return db_.transaction([&]() -> Result<void> {
    for (const router::StoredParam& p : changes) {
      upsert_.bind(1, std::string_view(p.address));
      upsert_.bind(2, std::span<const std::uint8_t>(valueToBlob(p.value)));
      upsert_.bind(3, std::string_view(valueToJson(p.value)));
      upsert_.bind(4, p.revision);
      upsert_.bind(5, std::string_view(p.writer));
      upsert_.bind(6, p.timestamp);
      if (p.ttl) upsert_.bind(7, std::int64_t{p.ttl->raw()});
      else upsert_.bindNull(7);
      upsert_.bind(8, p.ttlSince);
      upsert_.bind(9, p.lastAccess);
      upsert_.bind(10, std::int64_t{p.deleted ? 1 : 0});
      if (auto ok = db_.run(upsert_, "snapshot"); !ok) return ok;
    }
    return {};
  });
}

}  // namespace clasp::storage
