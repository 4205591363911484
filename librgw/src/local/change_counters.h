// change_counters.h - how many write transactions on a store have begun and
// how many have ended, counted by every process that opens it (two words of
// the shared file, shared_counter.h).  They tell a reader whether the rows
// it read earlier may still be used (row_cache.h), with no system call.
//
// A write transaction (Transaction, sqlite.h) takes a ticket with begin()
// once it holds SQLite's write lock and before it changes anything, and
// passes it to end() once its COMMIT or ROLLBACK is done.  SQLite lets one
// write transaction run at a time, so tickets are handed out in order and
// every one below `begun` belongs to a transaction that is over or whose
// process died; `ended` is the highest ticket known to be over.
//
// A reader calls before_read(), reads, and keeps what it read only if
// nothing was in progress then (`ended` == `begun`) and no write began
// since (`begun` unchanged after the read).  What it kept may be used as
// long as `begun` has not moved (unchanged_since()): any change of the
// database bumps it before the change can be seen.
//
// A process that dies inside a write transaction leaves `ended` behind
// `begun`: nothing is kept until the next write transaction, which finds
// the gap while it holds the write lock and closes it.
#pragma once

#include <cstdint>

namespace rgw::local {

class ChangeCounters {
 public:
  ChangeCounters(uint64_t* begun, uint64_t* ended) : begun_(begun), ended_(ended) {}

  // Writers (with SQLite's write lock held, before any change).
  uint64_t begin();
  void end(uint64_t ticket);

  // Readers.
  struct Before {
    uint64_t begun = 0;
    bool quiet = false;  // no write transaction was in progress
  };
  Before before_read() const;
  bool unchanged_since(uint64_t begun) const;

 private:
  void raise_ended_to(uint64_t value);

  uint64_t* begun_;
  uint64_t* ended_;
};

}  // namespace rgw::local
