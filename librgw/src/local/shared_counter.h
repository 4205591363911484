// shared_counter.h - a 64-bit counter every process that opens a store sees.
//
// The local driver keeps bucket records in a per-process cache; any change
// of a bucket (in any process) bumps this counter after its commit, and a
// cache whose counter value is stale is dropped before use.  The counter is
// a word in a small file mapped shared, so reading it is a memory load, not
// a system call.
#pragma once

#include <cstdint>
#include <string>

namespace rgw::local {

class SharedCounter {
 public:
  explicit SharedCounter(const std::string& path);  // created if missing
  ~SharedCounter();
  SharedCounter(const SharedCounter&) = delete;
  SharedCounter& operator=(const SharedCounter&) = delete;

  uint64_t load() const { return __atomic_load_n(word_, __ATOMIC_ACQUIRE); }
  void bump() { __atomic_add_fetch(word_, 1, __ATOMIC_ACQ_REL); }

 private:
  uint64_t* word_ = nullptr;
};

}  // namespace rgw::local
