// group_commit.cpp - the batches of the local driver's publishes: the queue,
// the leader's transaction, the followers' wake-up (group_commit.h).
#include "local/group_commit.h"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <new>
#include <set>
#include <stdexcept>
#include <utility>

#include "errors.h"
#include "local/local_store.h"
#include "local/sqlite.h"
#include "util.h"

namespace rgw::local {

struct GroupCommit::Pending {
  const Apply* apply = nullptr;
  std::string renamed;  // the body's path under data/ once renamed
  ObjectInfo result;
  std::exception_ptr error;
  bool done = false;  // under queue_mutex_
};

namespace {

// The writers of a failed batch rethrow its error on their own threads at
// once: each gets a copy of its own rather than sharing one object.
std::exception_ptr copy_error(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const Error& x) {
    return std::make_exception_ptr(Error(x.code(), x.what()));
  } catch (const std::bad_alloc&) {
    return std::make_exception_ptr(std::bad_alloc());
  } catch (const std::exception& x) {
    return std::make_exception_ptr(std::runtime_error(x.what()));
  } catch (...) {
    return e;
  }
}

std::string parent_dir(const std::string& path) { return path.substr(0, path.rfind('/')); }

}  // namespace

ObjectInfo GroupCommit::publish(const Apply& apply) {
  // A follower waits for its leader, and a leader for the store's lock.
  fail_if_no_wait("the local store's group commit");
  Pending me;
  me.apply = &apply;
  std::unique_lock<std::mutex> lk(queue_mutex_);
  queue_.push_back(&me);
  while (!me.done) {
    if (leading_) {
      batch_done_.wait(lk);
      continue;
    }
    leading_ = true;
    lk.unlock();
    Pending* batch[kMaxBatch];
    const size_t n = lead_batch(batch);
    lk.lock();
    for (size_t i = 0; i < n; ++i) batch[i]->done = true;
    leading_ = false;
    // The batch's writers return; of those still queued, one leads next.
    batch_done_.notify_all();
  }
  if (me.error) std::rethrow_exception(me.error);
  return std::move(me.result);
}

size_t GroupCommit::take_batch(Pending** batch) {
  // The oldest writers: the leader among them, unless more than a batch
  // waited before it (it then leads, or joins, a later one).  The queue
  // holds the leader until a batch takes it, so it is never empty here.
  std::lock_guard<std::mutex> q(queue_mutex_);
  const size_t n = std::min(queue_.size(), kMaxBatch);
  std::copy_n(queue_.begin(), n, batch);
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
  return n;
}

size_t GroupCommit::lead_batch(Pending** batch) {
  size_t n = 0;
  bool taken = false;
  try {
    std::lock_guard<StoreMutex> l(store_mutex_);
    // The batch is taken once the write transaction holds the store's lock:
    // the writers that queue while another process commits (or while this
    // one waits for it) join this batch instead of waiting for the next.
    Transaction t(db_);
    n = take_batch(batch);
    taken = true;
    for (size_t i = 0; i < n; ++i) apply_in_savepoint(*batch[i]);
    // Each rename durable before the COMMIT that makes its row durable:
    // one fsync per directory however many bodies went into it.
    std::set<std::string> dirs;
    for (size_t i = 0; i < n; ++i)
      if (!batch[i]->renamed.empty()) dirs.insert(parent_dir(batch[i]->renamed));
    for (const auto& dir : dirs) fsync_dir(dir);
    crash_point("local:publish:before-commit");
    t.commit();
    crash_point("local:publish:after-commit");
  } catch (...) {
    // Nothing of the batch is committed: every writer not failed already
    // gets this error, and its body, if renamed, goes (as a lone publish
    // did; gc would take it otherwise).
    const std::exception_ptr e = std::current_exception();
    if (!taken) n = take_batch(batch);
    for (size_t i = 0; i < n; ++i) {
      Pending& p = *batch[i];
      if (!p.renamed.empty()) ::unlink(p.renamed.c_str());
      if (p.error) continue;
      try {
        p.error = copy_error(e);
      } catch (...) {  // no memory for a copy: the leader must not throw
        p.error = e;
      }
    }
  }
  return n;
}

void GroupCommit::apply_in_savepoint(Pending& p) {
  db_.exec("SAVEPOINT publish");
  try {
    p.result = (*p.apply)(p.renamed);
  } catch (...) {
    p.error = std::current_exception();
    if (!p.renamed.empty()) ::unlink(p.renamed.c_str());
    p.renamed.clear();
    // Some errors (SQLITE_FULL, SQLITE_IOERR) make SQLite roll back the
    // whole transaction itself: the publishes applied before this one are
    // gone too, so the whole batch fails with this error.
    if (sqlite3_get_autocommit(db_.handle())) std::rethrow_exception(copy_error(p.error));
    db_.exec("ROLLBACK TO publish");
  }
  db_.exec("RELEASE publish");
}

}  // namespace rgw::local
