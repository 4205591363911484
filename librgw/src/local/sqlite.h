// sqlite.h - a thin RAII layer over SQLite for the local driver.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "local/change_counters.h"
#include "local/write_lock.h"

namespace rgw::local {

class Db;

// One use of a prepared statement.  The SQL must be a string literal: the
// Db prepares each text once and keeps it (keyed by its address); the Stmt
// borrows it and resets it on destruction.
class Stmt {
 public:
  Stmt(Db& db, const char* sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, const std::string& v);
  Stmt& bind(int i, int64_t v);
  Stmt& bind_blob(int i, const std::string& v);
  bool step();  // true while a row is available
  void run();   // step a statement that returns no rows

  std::string text(int col);
  int64_t i64(int col);

 private:
  Db& db_;
  const char* sql_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Db {
 public:
  // write_lock_path: the file whose flock every Transaction on this
  // connection holds (write_lock.h); "" for none.
  explicit Db(const std::string& path, const std::string& write_lock_path = "");
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const char* sql);
  sqlite3* handle() { return db_; }
  // How long a statement waits for a lock another connection holds (the
  // default: 60 s).  0: SQLITE_BUSY at once, which in no-wait mode (util.h)
  // fails with -EWOULDBLOCK.
  void set_busy_timeout(int ms);
  int busy_timeout() const { return busy_timeout_ms_; }

  // The cached statement for sql (prepared on first use), or a fresh one
  // when the cached one is in use (a nested query with the same text).
  sqlite3_stmt* acquire(const char* sql);
  void release(const char* sql, sqlite3_stmt* stmt);
  [[noreturn]] void fail_sqlite(int rc, const std::string& what);
  WriteLock* write_lock() { return write_lock_.get(); }
  // The counters every Transaction on this connection takes a ticket from
  // (change_counters.h); not owned, nullptr for none.
  void count_changes(ChangeCounters* counters) { changes_ = counters; }
  ChangeCounters* changes() { return changes_; }

 private:
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  sqlite3* db_ = nullptr;
  int busy_timeout_ms_ = 0;
  std::unordered_map<const char*, Cached> cache_;
  std::unique_ptr<WriteLock> write_lock_;
  ChangeCounters* changes_ = nullptr;
};

// BEGIN ... COMMIT: a read transaction, so that several statements on a
// read connection see one snapshot of the database (WAL: no lock is taken,
// writers go on meanwhile).
class ReadTransaction {
 public:
  explicit ReadTransaction(Db& db);
  ~ReadTransaction();
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  Db& db_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if not committed; with the Db's
// write lock, if it has one, held from before BEGIN to after the end, and a
// ticket of its change counters, if it has them, taken after BEGIN and
// ended after COMMIT or ROLLBACK.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  void unlock();
  void end_change();

  Db& db_;
  bool done_ = false;
  bool locked_ = false;  // holds db_'s write lock
  uint64_t ticket_ = 0;  // of db_'s change counters; 0: none
};

}  // namespace rgw::local
