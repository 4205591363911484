// group_commit.h - group commit of the local driver's publishes.
//
// A writer whose body is durable in tmp/, or small enough to go inline (in
// memory until it is inserted with its rows), queues its publish (the rename
// under data/ or the inline body's row, and its rows).  One of the queued
// writers, the leader, takes the store's lock and ONE write transaction,
// then the writers queued by then (those that queued while it waited for
// the lock included) as a batch: it applies
// each writer's publish in a savepoint of its own (a publish that fails is
// rolled back to its savepoint, and only its writer gets the error), fsyncs
// each data/xx directory the batch renamed into once, so the renames are
// durable before the rows naming them, and commits once.  Then every writer
// of the batch returns, with its result or its error (all of them get the
// COMMIT's failure, their renamed bodies unlinked).  So concurrent writers
// share the fsyncs of one COMMIT instead of queueing for one each.
//
// No thread of its own: the leader is one of the writers, and followers
// wait on a condition variable.  A batch holds at most kMaxBatch writers.
//
// Crash points, in order: the publish's own (local:put:after-rename,
// local:part:after-rename, right after its rename; none for an inline
// body), then local:publish:before-commit (the batch's renames fsynced, not
// committed) and local:publish:after-commit (committed, the writers not yet
// told).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

#include "store.h"

namespace rgw::local {

class Db;
class StoreMutex;

class GroupCommit {
 public:
  static constexpr size_t kMaxBatch = 64;

  // One writer's publish, run by the leader with the store's lock held,
  // inside the batch's transaction and a savepoint of its own: it checks
  // what it must, renames the body under data/ (then sets `renamed` to its
  // new path at once: it is unlinked if the publish or the batch fails) or
  // inserts an inline body, and writes its rows.  Returns the writer's result.
  using Apply = std::function<ObjectInfo(std::string& renamed)>;

  GroupCommit(StoreMutex& store_mutex, Db& db) : store_mutex_(store_mutex), db_(db) {}
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Returns apply's result once the transaction holding it is committed
  // durably, or throws apply's error or the batch's.
  ObjectInfo publish(const Apply& apply);

 private:
  struct Pending;

  // The leader's work: takes the store's locks, then a batch of the queued
  // writers into `batch`, and commits it; returns the batch's size.  Every
  // error lands in the batch's Pending entries.
  size_t lead_batch(Pending** batch);
  size_t take_batch(Pending** batch);  // takes queue_mutex_ for the moment
  void apply_in_savepoint(Pending& p);

  StoreMutex& store_mutex_;  // the store handle's lock, which the leader takes
  Db& db_;

  std::mutex queue_mutex_;  // guards queue_, leading_ and each Pending's done
  std::condition_variable batch_done_;
  std::deque<Pending*> queue_;  // writers not yet taken into a batch, oldest first
  bool leading_ = false;        // some writer is committing a batch
};

}  // namespace rgw::local
