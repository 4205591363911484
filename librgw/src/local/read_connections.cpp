// read_connections.cpp - the pool of read connections (read_connections.h).
#include "local/read_connections.h"

#include <utility>

#include "util.h"

namespace rgw::local {

namespace {
constexpr int kWaitMs = 60000;  // as the write connection's busy timeout
}  // namespace

ReadConnections::Lease ReadConnections::take() {
  std::unique_ptr<Db> db;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!idle_.empty()) {
      db = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!db) {
    // Opening is a file open (the schema is read by the first statement,
    // which in no-wait mode fails rather than waits): an event loop may open
    // its own rather than hand its request to I/O threads that may all be
    // busy.
    db = std::make_unique<Db>(path_);
    db->exec("PRAGMA query_only=1");
  }
  const int wait = no_wait() ? 0 : kWaitMs;
  if (db->busy_timeout() != wait) db->set_busy_timeout(wait);
  return Lease(*this, std::move(db));
}

void ReadConnections::give_back(std::unique_ptr<Db> db) {
  std::lock_guard<std::mutex> l(mu_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(db));
}

}  // namespace rgw::local
