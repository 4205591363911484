// change_counters.cpp - write transactions begun and ended, in every
// process (change_counters.h).
#include "local/change_counters.h"

#include <atomic>

namespace rgw::local {

uint64_t ChangeCounters::begin() {
  // Whoever held the write lock before has committed, rolled back or died:
  // its ticket is over even if its end() has not run yet.
  raise_ended_to(__atomic_load_n(begun_, __ATOMIC_ACQUIRE));
  // Seen by any process before the change this transaction makes is
  // (SQLite publishes a commit through its shared-memory index, behind a
  // memory barrier).
  return __atomic_add_fetch(begun_, 1, __ATOMIC_SEQ_CST);
}

void ChangeCounters::end(uint64_t ticket) { raise_ended_to(ticket); }

void ChangeCounters::raise_ended_to(uint64_t value) {
  uint64_t seen = __atomic_load_n(ended_, __ATOMIC_ACQUIRE);
  while (seen < value && !__atomic_compare_exchange_n(ended_, &seen, value, false, __ATOMIC_SEQ_CST,
                                                      __ATOMIC_ACQUIRE)) {
  }
}

ChangeCounters::Before ChangeCounters::before_read() const {
  // `ended` first: if it then equals `begun`, every ticket handed out by the
  // time `begun` was read was over before it.
  const uint64_t ended = __atomic_load_n(ended_, __ATOMIC_SEQ_CST);
  Before b;
  b.begun = __atomic_load_n(begun_, __ATOMIC_SEQ_CST);
  b.quiet = ended == b.begun;
  return b;
}

bool ChangeCounters::unchanged_since(uint64_t begun) const {
  // The reads before this load are done before it (SQLite's reads end with
  // system calls; the fence keeps the compiler and the CPU from moving
  // this load above them).
  std::atomic_thread_fence(std::memory_order_seq_cst);
  return __atomic_load_n(begun_, __ATOMIC_SEQ_CST) == begun;
}

}  // namespace rgw::local
