// sqlite.h - a thin RAII layer over SQLite for the local driver.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>

namespace rgw::local {

class Db;

// One prepared statement; reset on destruction so it can be reused.
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
  sqlite3_stmt* stmt_ = nullptr;
};

class Db {
 public:
  explicit Db(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const char* sql);
  sqlite3* handle() { return db_; }
  [[noreturn]] void fail_sqlite(int rc, const std::string& what);

 private:
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if not committed.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

}  // namespace rgw::local
