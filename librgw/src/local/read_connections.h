// read_connections.h - the local driver's read connections: SQLite
// connections on meta.db used only to read, one per thread at a time, so
// that reads never wait for the store handle's write lock (a writer's
// commit and its fsyncs) nor for one another.  In WAL mode a reader sees
// the last committed state and takes no lock a writer waits for.
//
// A connection taken in no-wait mode (util.h) does not wait for SQLite's
// locks either: SQLITE_BUSY (a checkpoint or a recovery in another process,
// a connection in exclusive locking mode) fails the call with -EWOULDBLOCK.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "local/sqlite.h"

namespace rgw::local {

class ReadConnections {
 public:
  explicit ReadConnections(std::string path) : path_(std::move(path)) {}

  // A connection for the caller's use until the Lease is destroyed.
  class Lease {
   public:
    Lease(ReadConnections& pool, std::unique_ptr<Db> db) : pool_(pool), db_(std::move(db)) {}
    ~Lease() { pool_.give_back(std::move(db_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Db& db() { return *db_; }

   private:
    ReadConnections& pool_;
    std::unique_ptr<Db> db_;
  };

  Lease take();

 private:
  void give_back(std::unique_ptr<Db> db);

  // Idle connections kept: as many as threads read at once in a process (a
  // door's I/O threads and its event loop), so a few.
  static constexpr size_t kMaxIdle = 16;

  std::string path_;
  std::mutex mu_;  // held only to push or pop
  std::vector<std::unique_ptr<Db>> idle_;
};

}  // namespace rgw::local
