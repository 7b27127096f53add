// What the journal and the state file share when they open a file: the
// checks that turn a damaged or foreign file into a clear startup error, and
// the schema version table (`clasp_schema`) with its migrations.
#pragma once

#include <functional>
#include <string>

#include "core/result.hpp"
#include "storage/sqlite_db.hpp"

namespace clasp::storage {

// WAL mode, the sync level, and an integrity check of the whole file (a
// garbage or truncated file fails here rather than as missing state later).
Result<void> prepareFile(SqliteDb& db, bool fsync);

struct SchemaSteps {
  std::string table;   // the main table: its presence without clasp_schema means an older layout
  std::string create;  // creates every table and index of the current version
  // Brings a file that has `table` but no version table to the current layout.
  std::function<Result<void>(SqliteDb&)> migrateUnversioned;
};

// Creates the schema in an empty file, migrates an older one, and refuses a
// newer one or a database that is something else. `kind` names the file in
// messages ("journal", "state file").
Result<void> ensureSchema(SqliteDb& db, const std::string& kind, int version, const SchemaSteps& steps);

}  // namespace clasp::storage
