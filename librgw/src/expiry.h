// expiry.h - the expirer: one pass over a store's expiry queue (store.h),
// removing the objects whose delete_at has passed (Swift X-Delete-At /
// X-Delete-After).  Run by an explicit agent (librgw-agent expirer), never by
// a door: the doors only hide expired objects (is_expired()).
//
// Several expirers may run at once against one store, on one machine or
// many.  Each shard of the queue is worked on under a lease (RADOS object
// locks; a lease row in the local store's database), renewed as the work goes
// on, so two expirers do not work on one shard at once; when one dies its
// leases run out and the next pass of another takes the shards over.  The
// removal itself is guarded (RemoveOptions::if_delete_at): an object whose
// expiry changed after it was listed is never removed, and an object is
// removed once, however the leases fall.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "store.h"

namespace rgw {

struct ExpiryReport {
  uint64_t removed = 0;  // objects removed
  uint64_t stale = 0;    // entries dropped whose object had changed or gone
  unsigned shards_done = 0;
  unsigned shards_busy = 0;  // leased by another expirer: left to it
};

struct ExpiryOptions {
  std::string holder;          // this expirer's lease holder name (unique per process)
  int64_t lease_seconds = 60;  // a dead expirer's shards wait this long
  size_t batch = 1000;         // entries listed and removed at once
  // Called after each batch with the counts so far and the entries whose
  // object that batch removed; returning false stops the pass after it.
  std::function<bool(const ExpiryReport&, const std::vector<ExpiryEntry>&)> progress;
};

// One pass: every shard not leased by another expirer, drained of the
// entries due when the pass started.  RGW_ERR_INVALID_ARGUMENT for an empty
// holder or lease_seconds < 1.
ExpiryReport run_expirer(Store& store, const ExpiryOptions& options);

// The lease name of an expiry shard ("expiry.07").
std::string expiry_lease_name(unsigned shard);

}  // namespace rgw
