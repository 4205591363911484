// index_batch.h - the bucket index writes of one process's concurrent
// writers, sent to an index object as few RADOS ops: while one op is in
// flight for an index object, the changes that arrive for it wait, and the
// next op carries all of them (one OSD transaction).  A PUT's two index
// writes (its pending record, then its entry) cost the OSD about as much
// as its head read and head swap together; grouped, N writers pay for
// them about once.
//
// A grouped op means, for each change, exactly what its own op would
// have: the op asserts that the index object exists (a removed bucket's
// index stays removed: every change gets -ENOENT), and an entry change or
// a removal asserts, as index_set and index_remove always did, that the
// key's entry and removal marker are older than what it writes.  One failed assertion fails the
// whole op; its changes are then sent again one per op, so that each gets
// its own answer (-ECANCELED for the one that lost).  Two changes of the
// same key never share an op (each would be checked against what was
// there before both).  A result other than success or a failed assertion
// (a timeout) is every change's: each may or may not have landed, as with
// an op of its own, and the callers already treat it so.
//
// A detached change (a small PUT's entry, sent after its head swap and not
// waited for: the client's answer goes first) rides in the same ops; the op
// carrying one completes through a librados callback, so that nobody has to
// wait for it to send the next op.
#pragma once

#include <rados/librados.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace rgw {
class AsyncReads;
}

namespace rgw::rados {

struct IndexChange;
struct IndexBatch;  // one op in flight (index_batch.cpp)
class IndexBatcher;

// A pending record's write in flight (RadosStore::set_pending_async); its
// destructor waits for it.
class PendingWrite {
 public:
  PendingWrite(IndexBatcher& batcher, std::shared_ptr<IndexChange> change)
      : batcher_(batcher), change_(std::move(change)) {}
  ~PendingWrite();
  PendingWrite(const PendingWrite&) = delete;
  PendingWrite& operator=(const PendingWrite&) = delete;
  // 0 or a negative errno (-ENOENT: the index object is gone).
  int wait();

 private:
  IndexBatcher& batcher_;
  std::shared_ptr<IndexChange> change_;
};

// One change of a bucket index, and (once sent and answered) its result.
struct IndexChange {
  // kPending: sets `pending` to `stamp` (a writer's record in flight).
  // kEntry: sets `key`'s entry to `entry` if older entries and removal
  // markers (`removed` is the key's marker) allow, and drops `pending`
  // (none if empty).
  // kRemove: removes `key`'s entry and sets its marker `removed` to `entry`
  // (the removal's epoch) under the same assertions, and drops `pending`.
  enum class Kind { kPending, kEntry, kRemove };
  Kind kind = Kind::kPending;
  std::string key, entry, removed, pending, stamp;

  // Under the batcher's lock: its index object, the op carrying it (null
  // while queued), and its result once done.
  std::string ioid;
  std::shared_ptr<IndexBatch> batch;
  bool done = false;
  int result = 0;
  bool alone = false;  // to be sent in an op of its own (after a failed assertion)
  // A detached change (submit_detached): nobody waits for it; `outcome`
  // gets its result once its op completed, outside the batcher's lock, on
  // the thread that saw the op complete (librados' callback thread, or a
  // writer waiting for the same op).  It must not throw.
  bool detached = false;
  std::function<void(int)> outcome;
  // A try's fiber on a door's loop (async_reads.h) waiting for it (armed
  // under the batcher's lock): woken once it is answered.
  AsyncReads* wake = nullptr;
};

// Adds to op what one change does (the whole op must also assert that the
// index object exists): what a grouped op carries for it, and what an op of
// its own with more in it (index_set's extras) starts from.
void add_index_change(rados_write_op_t op, const IndexChange& c);

class IndexBatcher {
 public:
  // Changes go to index objects of pool `io` (not owned).
  explicit IndexBatcher(rados_ioctx_t io) : io_(io) {}
  // Waits for every op in flight.
  ~IndexBatcher();
  IndexBatcher(const IndexBatcher&) = delete;
  IndexBatcher& operator=(const IndexBatcher&) = delete;

  // At most this many changes per op.
  static constexpr size_t kMaxPerOp = 64;

  // Queues a change of index object `ioid`: sent at once if no op is in
  // flight for it, else with the next one.  Never waits.
  void submit(const std::string& ioid, std::shared_ptr<IndexChange> change);
  // Waits for a submitted change's result (0 or a negative errno); the caller
  // keeps a reference to it (the op drops its own when done).  The
  // waiters wait on the op in flight itself (woken by librados' messenger,
  // not by a callback thread); the first to see it complete hands out its
  // results and sends the next op.  A try's fiber on a door's loop
  // suspends instead (the callback wakes it); from the first such change
  // on, every op of the batcher completes through the callback, so that a
  // fiber never has to block its loop on an op another writer sent.
  int wait(IndexChange& change);
  // submit() and wait().
  int run(const std::string& ioid, std::shared_ptr<IndexChange> change);
  // Queues a change that nobody will wait for (a PUT answered before its
  // entry lands): its op completes through a librados callback, which
  // hands out the results, sends the next op and runs change->outcome.
  void submit_detached(const std::string& ioid, std::shared_ptr<IndexChange> change);
  // Waits until every detached change is answered and its outcome has run
  // (the store calls it before closing; the destructor too).
  void quiesce();

  // Ops sent and the changes they carried, so far (tests, benchmarks).
  struct Counts {
    uint64_t ops = 0;
    uint64_t changes = 0;
  };
  Counts counts();

 private:
  struct Queue {
    std::shared_ptr<IndexBatch> in_flight;
    std::deque<std::shared_ptr<IndexChange>> waiting;
  };

  // Takes the next batch off `q` and sends it (the lock held); on a failed
  // submit its changes get the error at once.
  void send_next_locked(const std::string& ioid, Queue& q);
  // A completed op's results (the lock held), then the next op.
  void finish_locked(const std::shared_ptr<IndexBatch>& batch);
  // Runs the outcomes of the detached changes answered so far (the lock
  // not held).
  void run_outcomes();
  // librados' completion callback of an op carrying a detached change.
  static void detached_op_done(rados_completion_t c, void* arg);

  rados_ioctx_t io_;
  std::mutex mu_;
  std::condition_variable idle_;
  long detached_ = 0;   // detached changes whose outcome has not run yet
  long callbacks_ = 0;  // completion callbacks still to come
  std::vector<std::shared_ptr<IndexChange>> outcomes_;  // answered, outcome to run
  std::vector<AsyncReads*> wakes_;                      // fibers whose change was answered, to wake
  bool loop_writers_ = false;  // a loop's fiber submitted a change: every op calls back
  std::map<std::string, Queue> queues_;
  Counts counts_;
};

}  // namespace rgw::rados
