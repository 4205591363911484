// inline_heads.h - the heads one process knows to hold their whole body
// (rgw.inline "1": no tails), by head oid.  A PUT of a body that fits its
// head over one of them swaps blind: without reading the old head first, in
// one op guarded by cmpxattr(rgw.inline == "1") and cmpxattr(rgw.epoch <
// its own): an old head without tails leaves nothing to reclaim, so its
// tag and manifest are not needed.  Only a hint: a head another process
// replaced or removed fails the guard, is forgotten here, and the writer
// reads the head and swaps as it would have.  Bounded: past kMaxBytes of
// oids the set starts again empty.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_set>

namespace rgw::rados {

class InlineHeads {
 public:
  static constexpr size_t kMaxBytes = 4u << 20;

  bool contains(const std::string& oid) {
    std::lock_guard<std::mutex> lk(mu_);
    return oids_.count(oid) != 0;
  }
  void add(const std::string& oid) {
    std::lock_guard<std::mutex> lk(mu_);
    if (oids_.count(oid)) return;
    if (bytes_ + oid.size() > kMaxBytes) {
      oids_.clear();
      bytes_ = 0;
    }
    oids_.insert(oid);
    bytes_ += oid.size();
  }
  void erase(const std::string& oid) {
    std::lock_guard<std::mutex> lk(mu_);
    if (oids_.erase(oid)) bytes_ -= oid.size();
  }

 private:
  std::mutex mu_;
  std::unordered_set<std::string> oids_;
  size_t bytes_ = 0;
};

}  // namespace rgw::rados
