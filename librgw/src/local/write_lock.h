// write_lock.h - the local store's cross-process write lock: flock(LOCK_EX)
// on the file write.lock in the store's directory, taken around every write
// transaction (Transaction, sqlite.h).
//
// Each web-server worker has its own connection to the store's database.
// Without this lock, a writer that finds another process's transaction open
// is left to SQLite's busy handler, which polls with sleeps growing to
// 100 ms: most waits end long after the lock was free, hence PUT latencies
// of a second under load.  A process waiting on flock sleeps in the kernel
// and is woken when the holder releases it.  SQLite's own locking still
// decides; this lock only queues the writers of this librgw, and a process
// of an older one (which does not take it) meets them through the busy
// timeout as before.  The wait has no limit: a process that hangs inside a
// write transaction stalls the others' writers until it goes on or dies
// (the kernel drops a dead process's lock), where the busy timeout failed
// them after 60 s.
#pragma once

#include <string>

namespace rgw::local {

class WriteLock {
 public:
  explicit WriteLock(const std::string& path);  // created if missing
  ~WriteLock();
  WriteLock(const WriteLock&) = delete;
  WriteLock& operator=(const WriteLock&) = delete;

  void lock();
  void unlock();

 private:
  // Its own open file description: flock excludes other handles of the
  // store in this process too, as it does other processes.
  int fd_ = -1;
};

}  // namespace rgw::local
