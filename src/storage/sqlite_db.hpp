// SqliteDb and Statement: a thin RAII layer over the SQLite C API for the
// journal and the state file. Errors come back as Result with SQLite's own
// text, prefixed by the file name, so startup messages name what is wrong.
// Not thread-safe: each database belongs to one thread after opening.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace clasp::storage {

class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* s) : stmt_(s) {}
  Statement(Statement&& o) noexcept : stmt_(std::exchange(o.stmt_, nullptr)) {}
  Statement& operator=(Statement&& o) noexcept {
    std::swap(stmt_, o.stmt_);
    return *this;
  }
  ~Statement() { sqlite3_finalize(stmt_); }

  // Binds by 1-based index.
  void bind(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind(int i, std::uint64_t v) { sqlite3_bind_int64(stmt_, i, static_cast<std::int64_t>(v)); }
  void bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void bind(int i, std::span<const std::uint8_t> v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void bindNull(int i) { sqlite3_bind_null(stmt_, i); }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_); }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  bool isNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::int64_t i64(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::uint64_t u64(int col) const { return static_cast<std::uint64_t>(sqlite3_column_int64(stmt_, col)); }
  std::string_view text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string_view();
  }
  std::span<const std::uint8_t> blob(int col) const {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, col));
    return p ? std::span<const std::uint8_t>(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::span<const std::uint8_t>();
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteDb {
 public:
  SqliteDb() = default;
  SqliteDb(SqliteDb&& o) noexcept : db_(std::exchange(o.db_, nullptr)), name_(std::move(o.name_)) {}
  SqliteDb& operator=(SqliteDb&& o) noexcept {
    std::swap(db_, o.db_);
    std::swap(name_, o.name_);
    return *this;
  }
  ~SqliteDb() { sqlite3_close_v2(db_); }

  // Opens (creating when missing) a database file, or a private in-memory
  // one for ":memory:". A new file is created with mode 0600: it holds state.
  static Result<SqliteDb> open(const std::string& path);

  // Runs one or more statements without results.
  Result<void> exec(std::string_view sql);
  // BEGIN, body, COMMIT; ROLLBACK when the body or the commit fails.
  template <class Body>
  Result<void> transaction(Body&& body) {
    if (auto ok = exec("BEGIN"); !ok) return ok;
    Result<void> ok = body();
    if (ok) ok = exec("COMMIT");
    if (!ok) (void)exec("ROLLBACK");
    return ok;
  }
  // Steps a statement that returns no rows, then resets it.
  Result<void> run(Statement& st, std::string_view what);
  Result<Statement> prepare(std::string_view sql);
  // A failure of the last call, as "<file>: <sqlite message>".
  Error error(std::string_view what) const;
  // The single integer a query returns (e.g. PRAGMA user_version); fails
  // when the query does.
  Result<std::int64_t> scalar(std::string_view sql);
  bool hasTable(std::string_view name);
  bool hasColumn(std::string_view table, std::string_view column);

  const std::string& name() const { return name_; }
  sqlite3* raw() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::string name_;
};

}  // namespace clasp::storage
