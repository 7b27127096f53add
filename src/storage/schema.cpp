// File checks and schema versions for the SQLite files.
#include "storage/schema.hpp"

namespace clasp::storage {

Result<void> prepareFile(SqliteDb& db, bool fsync) {
  // The first statement reads the header: "file is not a database" shows here.
  auto mode = db.prepare("PRAGMA journal_mode = WAL");
  if (!mode) return std::unexpected(mode.error());
  if (int rc = mode->step(); rc != SQLITE_ROW && rc != SQLITE_DONE) return std::unexpected(db.error(""));
  if (auto ok = db.exec(fsync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL"); !ok) return ok;
  // Index pages of a growing journal are hot: keep them in memory (64 MiB
  // cache) and map the file, so appends do not pay a read() per page.
  if (auto ok = db.exec("PRAGMA cache_size = -65536; PRAGMA mmap_size = 268435456"); !ok) return ok;
  auto check = db.prepare("PRAGMA quick_check");
  if (!check) return std::unexpected(check.error());
  int rc = check->step();
  if (rc != SQLITE_ROW) return std::unexpected(db.error("integrity check"));
  if (check->text(0) != "ok")
    return fail(Errc::InternalError, db.name() + ": damaged: " + std::string(check->text(0)));
  return {};
}

Result<void> ensureSchema(SqliteDb& db, const std::string& kind, int version, const SchemaSteps& steps) {
  if (db.hasTable("clasp_schema")) {
    auto found = db.scalar("SELECT MAX(version) FROM clasp_schema");
    if (!found) return std::unexpected(found.error());
    if (*found > version)
      return fail(Errc::InternalError, db.name() + ": " + kind + " schema version " + std::to_string(*found) +
                                           " was written by a newer version (this build reads up to " +
                                           std::to_string(version) + ")");
    if (*found == version) return {};
    // Older versioned layouts would migrate here, one version at a time.
    return fail(Errc::InternalError, db.name() + ": unknown " + kind + " schema version " + std::to_string(*found));
  }
  return db.transaction([&]() -> Result<void> {
    if (db.hasTable(steps.table)) {
      if (!steps.migrateUnversioned) return fail(Errc::InternalError, db.name() + ": unversioned " + kind);
      if (auto ok = steps.migrateUnversioned(db); !ok) return ok;
    } else {
      auto others = db.scalar("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'");
      if (!others) return std::unexpected(others.error());
      if (*others > 0) return fail(Errc::InternalError, db.name() + ": not a CLASP " + kind + " (it holds other tables)");
      if (auto ok = db.exec(steps.create); !ok) return ok;
    }
    return db.exec("CREATE TABLE clasp_schema (version INTEGER NOT NULL); INSERT INTO clasp_schema VALUES (" +
                   std::to_string(version) + ")");
  });
}

}  // namespace clasp::storage
