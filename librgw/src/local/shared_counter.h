// shared_counter.h - counters every process that opens a store sees: the
// words of one small file (bucket-epoch in the store's directory) mapped
// shared, so that reading one is a memory load, not a system call.
//
// The file's words:
//   0  the bucket epoch (SharedCounter): the local driver keeps bucket
//      records in a per-process cache; any change of a bucket (in any
//      process) bumps it after its commit, and a cache whose value is stale
//      is dropped before use.
//   1  write transactions begun, 2  write transactions ended
//      (change_counters.h): what lets a process keep object rows it read.
// A store made before words 1 and 2 were used has them zero, as a new one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace rgw::local {

// The mapped file.
class SharedWords {
 public:
  explicit SharedWords(const std::string& path);  // created if missing
  ~SharedWords();
  SharedWords(const SharedWords&) = delete;
  SharedWords& operator=(const SharedWords&) = delete;

  static constexpr size_t kBucketEpoch = 0, kChangesBegun = 1, kChangesEnded = 2;
  uint64_t* word(size_t index) const { return words_ + index; }

 private:
  uint64_t* words_ = nullptr;
};

// One word used as a counter.
class SharedCounter {
 public:
  explicit SharedCounter(uint64_t* word) : word_(word) {}

  uint64_t load() const { return __atomic_load_n(word_, __ATOMIC_ACQUIRE); }
  void bump() { __atomic_add_fetch(word_, 1, __ATOMIC_ACQ_REL); }

 private:
  uint64_t* word_;
};

}  // namespace rgw::local
