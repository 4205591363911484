// index_batch.cpp - grouped bucket index writes (index_batch.h).
#include "rados/index_batch.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "async_reads.h"
#include "rados/librados_util.h"

namespace rgw::rados {

struct IndexBatch {
  std::string ioid;
  std::vector<std::shared_ptr<IndexChange>> changes;
  rados_write_op_t op = nullptr;
  rados_completion_t c = nullptr;
  bool finished = false;  // its results handed out (under the batcher's lock)
  bool callback = false;  // completes through detached_op_done
  ~IndexBatch() {
    if (c) rados_aio_release(c);  // after it completed: finish_locked waited
    if (op) rados_release_write_op(op);
  }
};

PendingWrite::~PendingWrite() { (void)wait(); }

int PendingWrite::wait() { return batcher_.wait(*change_); }

void add_index_change(rados_write_op_t op, const IndexChange& c) {
  if (c.kind == IndexChange::Kind::kPending) {
    omap_set_one_in(op, c.pending, c.stamp);
    return;
  }
  // The prvals are not read: a failed assertion fails the op (and a grouped
  // op's changes are then sent one per op).
  rados_write_op_omap_cmp2(op, c.key.data(), LIBRADOS_CMPXATTR_OP_LT, c.entry.data(), c.key.size(),
                           c.entry.size(), nullptr);
  rados_write_op_omap_cmp2(op, c.removed.data(), LIBRADOS_CMPXATTR_OP_LT, c.entry.data(),
                           c.removed.size(), c.entry.size(), nullptr);
  if (c.kind == IndexChange::Kind::kEntry) {
    omap_set_one_in(op, c.key, c.entry);
  } else {  // the entry goes, the removal's marker stays
    omap_rm_in(op, c.key);
    omap_set_one_in(op, c.removed, c.entry);
  }
  if (!c.pending.empty()) omap_rm_in(op, c.pending);
}

IndexBatcher::~IndexBatcher() {
  quiesce();
  std::unique_lock<std::mutex> lk(mu_);
  while (!queues_.empty()) {  // a queue in the map has an op in flight
    std::shared_ptr<IndexBatch> b = queues_.begin()->second.in_flight;
    lk.unlock();
    rados_aio_wait_for_complete(b->c);
    lk.lock();
    if (!b->finished) finish_locked(b);
  }
}

void IndexBatcher::submit(const std::string& ioid, std::shared_ptr<IndexChange> change) {
  bool answered;  // detached changes answered meanwhile, whose outcome is to run
  {
    std::lock_guard<std::mutex> lk(mu_);
    change->ioid = ioid;
    if (change->detached) ++detached_;
    if (!change->detached && can_suspend()) loop_writers_ = true;
    Queue& q = queues_[ioid];
    q.waiting.push_back(std::move(change));
    if (!q.in_flight) {
      send_next_locked(ioid, q);
      if (!q.in_flight) queues_.erase(ioid);  // not sent: answered already
    } else if (rados_aio_is_complete(q.in_flight->c)) {
      finish_locked(std::shared_ptr<IndexBatch>(q.in_flight));  // then sends ours
    }  // else the op in flight sends the next
    answered = !outcomes_.empty() || !wakes_.empty();
  }
  if (answered) run_outcomes();
}

void IndexBatcher::submit_detached(const std::string& ioid, std::shared_ptr<IndexChange> change) {
  change->detached = true;
  submit(ioid, std::move(change));
}

int IndexBatcher::wait(IndexChange& change) {
  int result;
  bool answered;  // as in submit()
  {
    std::unique_lock<std::mutex> lk(mu_);
    while (!change.done) {
      // The op carrying the change, or (queued) the op before it: a queue
      // with changes waiting always has one in flight.
      std::shared_ptr<IndexBatch> b = change.batch;
      if (!b) b = queues_.at(change.ioid).in_flight;
      if (b->callback && can_suspend()) {
        // The op in flight completes through the callback, which sends the
        // next (ours, if queued: a loop writer's submit made every op call
        // back) and wakes us once ours is answered.
        change.wake = async_reads();
        lk.unlock();
        suspend_for_store("a bucket index write");
        lk.lock();
        change.wake = nullptr;
        continue;
      }
      lk.unlock();
      rados_aio_wait_for_complete(b->c);
      lk.lock();
      if (!b->finished) finish_locked(b);
    }
    result = change.result;
    answered = !outcomes_.empty() || !wakes_.empty();
  }
  if (answered) run_outcomes();
  return result;
}

void IndexBatcher::quiesce() {
  std::unique_lock<std::mutex> lk(mu_);
  idle_.wait(lk, [this] { return detached_ == 0 && callbacks_ == 0; });
}

void IndexBatcher::run_outcomes() {
  std::vector<std::shared_ptr<IndexChange>> ready;
  std::vector<AsyncReads*> wakes;
  {
    std::lock_guard<std::mutex> lk(mu_);
    wakes.swap(wakes_);
    ready.swap(outcomes_);
  }
  for (AsyncReads* w : wakes) w->completed();
  if (ready.empty()) return;
  for (const auto& c : ready) {
    if (c->outcome) c->outcome(c->result);
    c->outcome = nullptr;
  }
  std::lock_guard<std::mutex> lk(mu_);
  detached_ -= static_cast<long>(ready.size());
  idle_.notify_all();
}

namespace {
// What an op carrying a detached change hands its completion callback.
struct DetachedOp {
  IndexBatcher* batcher;
  std::shared_ptr<IndexBatch> batch;
};
}  // namespace

void IndexBatcher::detached_op_done(rados_completion_t, void* arg) {
  auto* d = static_cast<DetachedOp*>(arg);
  IndexBatcher* self = d->batcher;
  {
    std::lock_guard<std::mutex> lk(self->mu_);
    if (!d->batch->finished) self->finish_locked(d->batch);
  }
  self->run_outcomes();
  delete d;  // may release this completion: librados allows it in its callback
  std::lock_guard<std::mutex> lk(self->mu_);
  --self->callbacks_;
  self->idle_.notify_all();
}

int IndexBatcher::run(const std::string& ioid, std::shared_ptr<IndexChange> change) {
  submit(ioid, change);  // the batch drops its reference when done: keep ours
  return wait(*change);
}

IndexBatcher::Counts IndexBatcher::counts() {
  std::lock_guard<std::mutex> lk(mu_);
  return counts_;
}

void IndexBatcher::send_next_locked(const std::string& ioid, Queue& q) {
  while (!q.waiting.empty()) {
    auto b = std::make_shared<IndexBatch>();
    b->ioid = ioid;
    if (q.waiting.front()->alone) {
      b->changes.push_back(std::move(q.waiting.front()));
      q.waiting.pop_front();
    } else {
      std::set<std::string> keys;  // one change per object key per op
      for (auto it = q.waiting.begin(); it != q.waiting.end() && b->changes.size() < kMaxPerOp;) {
        const IndexChange& c = **it;
        if (c.alone || (c.kind != IndexChange::Kind::kPending && !keys.insert(c.key).second)) {
          ++it;
          continue;
        }
        b->changes.push_back(std::move(*it));
        it = q.waiting.erase(it);
      }
    }
    int r = -ENOMEM;
    b->op = rados_create_write_op();
    if (b->op) {
      rados_write_op_assert_exists(b->op);  // a removed bucket's index stays removed
      for (const auto& c : b->changes) add_index_change(b->op, *c);
      // An op carrying a detached change completes through a callback
      // (which holds the batch until then), and so does every op once a
      // loop's fiber has waited here (it must not block its loop on an op
      // it can only wait for); the others are finished by whoever waits
      // for them.
      const bool callback = loop_writers_ || std::any_of(b->changes.begin(), b->changes.end(),
                                                         [](const auto& c) { return c->detached; });
      DetachedOp* d = callback ? new DetachedOp{this, b} : nullptr;
      r = rados_aio_create_completion2(d, d ? &IndexBatcher::detached_op_done : nullptr, &b->c);
      if (r == 0) r = rados_aio_write_op_operate(b->op, io_, b->c, ioid.c_str(), nullptr, 0);
      if (r == 0 && d) {
        ++callbacks_;
        b->callback = true;
      } else {
        delete d;  // never called back
      }
      if (r < 0 && b->c) {
        rados_aio_release(b->c);  // never submitted: never completes
        b->c = nullptr;
      }
    }
    if (r == 0) {
      ++counts_.ops;
      counts_.changes += b->changes.size();
      for (const auto& c : b->changes) c->batch = b;
      q.in_flight = std::move(b);
      return;
    }
    // Never sent: nothing landed; the error is each change's answer.
    for (const auto& c : b->changes) {
      c->result = r;
      c->done = true;
      if (c->detached) outcomes_.push_back(c);
      if (c->wake) wakes_.push_back(std::exchange(c->wake, nullptr));
    }
  }
}

void IndexBatcher::finish_locked(const std::shared_ptr<IndexBatch>& batch) {
  batch->finished = true;
  const int r = rados_aio_get_return_value(batch->c);
  auto qi = queues_.find(batch->ioid);
  Queue& q = qi->second;
  if (is_cmp_failure(r) && batch->changes.size() > 1) {
    // Which change failed its assertion is not known: each goes again in
    // an op of its own, first, in their order.
    for (auto it = batch->changes.rbegin(); it != batch->changes.rend(); ++it) {
      (*it)->alone = true;
      (*it)->batch.reset();
      q.waiting.push_front(*it);
    }
  } else {
    for (const auto& c : batch->changes) {
      c->result = r;
      c->done = true;
      c->batch.reset();
      if (c->detached) outcomes_.push_back(c);
      if (c->wake) wakes_.push_back(std::exchange(c->wake, nullptr));
    }
  }
  q.in_flight.reset();
  send_next_locked(batch->ioid, q);
  if (!q.in_flight) queues_.erase(qi);
}

}  // namespace rgw::rados
