#include "local/sqlite.h"

#include <cerrno>

#include "errors.h"
#include "util.h"

namespace rgw::local {

Db::Db(const std::string& path, const std::string& write_lock_path) {
  int rc =
      sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    fail(RGW_ERR_STORE, "cannot open " + path + ": " + msg);
  }
  // Several processes (web-server workers, the admin CLI) share the file.
  // Those of this librgw queue on the write lock; the busy timeout is for
  // the others (an older librgw, the sqlite3 shell).
  set_busy_timeout(60000);
  if (!write_lock_path.empty()) {
    try {
      write_lock_ = std::make_unique<WriteLock>(write_lock_path);
    } catch (...) {
      sqlite3_close(db_);
      db_ = nullptr;
      throw;
    }
  }
}

void Db::set_busy_timeout(int ms) {
  sqlite3_busy_timeout(db_, ms);
  busy_timeout_ms_ = ms;
}

Db::~Db() {
  for (auto& c : cache_) sqlite3_finalize(c.second.stmt);
  sqlite3_close(db_);
}

sqlite3_stmt* Db::acquire(const char* sql) {
  Cached& c = cache_[sql];
  sqlite3_stmt* stmt = nullptr;
  if (c.stmt && !c.in_use) {
    c.in_use = true;
    return c.stmt;
  }
  int rc = sqlite3_prepare_v3(db_, sql, -1, c.stmt ? 0 : SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) fail_sqlite(rc, std::string("prepare ") + sql);
  if (!c.stmt) {
    c.stmt = stmt;
    c.in_use = true;
  }
  return stmt;
}

void Db::release(const char* sql, sqlite3_stmt* stmt) {
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  auto it = cache_.find(sql);
  if (it != cache_.end() && it->second.stmt == stmt)
    it->second.in_use = false;
  else
    sqlite3_finalize(stmt);
}

void Db::fail_sqlite(int rc, const std::string& what) {
  int code = RGW_ERR_STORE;
  if (rc == SQLITE_FULL)
    code = -ENOSPC;
  else if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    // On a door's event loop a lock held elsewhere is not waited for: the
    // call is run again on an I/O thread.
    fail_if_no_wait("a SQLite lock held by another connection");
    code = -EBUSY;
  } else if (rc == SQLITE_NOMEM)
    code = -ENOMEM;
  fail(code, what + ": " + sqlite3_errmsg(db_));
}

void Db::exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    if (rc == SQLITE_BUSY) fail_if_no_wait("a SQLite lock held by another connection");
    fail(rc == SQLITE_BUSY ? -EBUSY : RGW_ERR_STORE, std::string("sqlite: ") + msg);
  }
}

Stmt::Stmt(Db& db, const char* sql) : db_(db), sql_(sql), stmt_(db.acquire(sql)) {}

Stmt::~Stmt() { db_.release(sql_, stmt_); }

Stmt& Stmt::bind(int i, const std::string& v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}

Stmt& Stmt::bind_blob(int i, const std::string& v) {
  sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  if (rc == SQLITE_CONSTRAINT)
    fail(-EEXIST, std::string("constraint: ") + sqlite3_errmsg(db_.handle()));
  db_.fail_sqlite(rc, "sqlite step");
}

void Stmt::run() {
  while (step()) {
  }
}

std::string Stmt::text(int col) {
  const void* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(static_cast<const char*>(p), n) : std::string();
}

int64_t Stmt::i64(int col) { return sqlite3_column_int64(stmt_, col); }

ReadTransaction::ReadTransaction(Db& db) : db_(db) { Stmt(db_, "BEGIN").run(); }

ReadTransaction::~ReadTransaction() {
  if (sqlite3_get_autocommit(db_.handle()) != 0) return;
  try {
    Stmt(db_, "COMMIT").run();
  } catch (...) {
    sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

Transaction::Transaction(Db& db) : db_(db) {
  if (WriteLock* l = db_.write_lock()) {
    l->lock();
    locked_ = true;
  }
  try {
    db_.exec("BEGIN IMMEDIATE");
  } catch (...) {
    unlock();
    throw;
  }
  if (ChangeCounters* c = db_.changes()) ticket_ = c->begin();
}

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  end_change();
  unlock();
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
  end_change();
  unlock();  // the next writer need not wait for this one's caller
}

void Transaction::end_change() {
  if (ticket_ != 0) db_.changes()->end(ticket_);
  ticket_ = 0;
}

void Transaction::unlock() {
  if (locked_) db_.write_lock()->unlock();
  locked_ = false;
}

}  // namespace rgw::local
