// StateFile: the `--persist` snapshot file (relay.md §6, DECISIONS D-23) as
// SQLite, as the users' pages describe it: one row per param with its exact
// value, revision, writer, timestamps and TTL, plus deleted addresses with
// the revision their deletion took (D-11). Snapshots are incremental: each
// interval writes the params that changed since the last one, in one
// transaction, so the file always holds the whole state as of that moment.
// Writes run on the file's own thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "router/durable.hpp"
#include "storage/sqlite_db.hpp"
#include "storage/worker.hpp"

namespace clasp::storage {

class StateFile {
 public:
  // Opens or creates the file and checks it; a damaged or foreign file fails.
  static Result<std::unique_ptr<StateFile>> open(const std::string& path);
  ~StateFile();

  // Startup: everything stored (params and deletions).
  Result<std::vector<router::StoredParam>> load();

  // Queues a snapshot of these changes for the file's thread.
  void submit(std::vector<router::StoredParam> changes);
  // Finishes queued snapshots and writes these last changes (shutdown).
  Result<void> finish(const std::vector<router::StoredParam>& changes);

 private:
  StateFile(SqliteDb db, Statement upsert);
  Result<void> write(const std::vector<router::StoredParam>& latest);
  Result<void> writeRows(const std::vector<router::StoredParam>& changes);

  SqliteDb db_;
  Statement upsert_;
  // Changes of a snapshot that failed (disk full...): written with the next
  // one, so the file never silently misses them. Worker thread only.
  std::vector<router::StoredParam> failed_;
  std::unique_ptr<Worker> worker_;  // last member: stops before the rest goes
};

}  // namespace clasp::storage
