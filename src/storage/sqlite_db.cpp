// SqliteDb: opening with file checks that give a clear reason (a directory, a
// missing folder, not a database), and small query helpers.
#include "storage/sqlite_db.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace clasp::storage {

Result<SqliteDb> SqliteDb::open(const std::string& path) {
  // Each connection is used by one thread at a time, so SQLite's own
  // mutexes and its allocation statistics (a global mutex per malloc) are
  // pure cost: together 12 % of a journal append in a profile.
  static std::once_flag configured;
  std::call_once(configured, [] {
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  });
  SqliteDb db;
  db.name_ = path;
  if (path != ":memory:") {
    struct stat st{};
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      return fail(Errc::InternalError, path + ": is a directory");
    // Create it ourselves first: SQLite would use the umask (often 0644).
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return fail(Errc::InternalError, path + ": " + std::strerror(errno));
    ::close(fd);
  }
  int rc = sqlite3_open_v2(path.c_str(), &db.db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db.db_ ? sqlite3_errmsg(db.db_) : sqlite3_errstr(rc);
    return fail(Errc::InternalError, path + ": " + msg);
  }
  sqlite3_extended_result_codes(db.db_, 1);
  // Another process holding a write lock: wait a little rather than fail at once.
  sqlite3_busy_timeout(db.db_, 2000);
  return db;
}

Error SqliteDb::error(std::string_view what) const {
  std::string msg = name_;
  msg += ": ";
  if (!what.empty()) {
    msg += what;
    msg += ": ";
  }
  msg += db_ ? sqlite3_errmsg(db_) : "not open";
  return Error{Errc::InternalError, std::move(msg)};
}

Result<void> SqliteDb::exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = name_ + ": " + (err ? err : "error");
    sqlite3_free(err);
    return fail(Errc::InternalError, std::move(msg));
  }
  return {};
}

Result<void> SqliteDb::run(Statement& st, std::string_view what) {
  const int rc = st.step();
  Result<void> ok;
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) ok = std::unexpected(error(what));
  st.reset();
  return ok;
}

Result<Statement> SqliteDb::prepare(std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &s, nullptr) != SQLITE_OK)
    return std::unexpected(error("prepare"));
  return Statement(s);
}

Result<std::int64_t> SqliteDb::scalar(std::string_view sql) {
  auto st = prepare(sql);
  if (!st) return std::unexpected(st.error());
  int rc = st->step();
  if (rc == SQLITE_ROW) return st->i64(0);
  if (rc == SQLITE_DONE) return 0;
  return std::unexpected(error(""));
}

bool SqliteDb::hasTable(std::string_view name) {
  auto st = prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?1");
  if (!st) return false;
  st->bind(1, name);
  return st->step() == SQLITE_ROW;
}

bool SqliteDb::hasColumn(std::string_view table, std::string_view column) {
  auto st = prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name=?2");
  if (!st) return false;
  st->bind(1, table);
  st->bind(2, column);
  return st->step() == SQLITE_ROW;
}

}  // namespace clasp::storage
