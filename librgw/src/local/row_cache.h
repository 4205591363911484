// row_cache.h - the local driver's per-process cache of what reads look up:
// an object version's row and the files of its body, by bucket id, key and
// version id ("" the current one), found or not.
//
// A GET or HEAD whose row is here makes no SQLite call at all (no read
// transaction, no fcntl lock).  What is kept stays right because of the
// store's change counters (change_counters.h): a row is kept only if no
// write transaction, in any process, was in progress when it was read nor
// began while it was; and the whole cache is dropped as soon as any write
// transaction begins, before its change can be seen.  Under writes the
// cache therefore holds nothing for long, and reads go to SQLite as before.
//
// Bounded: at most kMaxRows rows and about kMaxBytes of them; a row that
// would pass either empties the cache first.  The mutex is held only to look
// up, keep or drop, never across a query.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "local/change_counters.h"
#include "local/rows.h"

namespace rgw::local {

class RowCache {
 public:
  struct Row {
    bool found = false;
    VersionRow row;
    bool with_body = false;  // body holds the files (not read for a stat;
                             // true when there is none: no row, a marker)
    std::vector<Segment> body;
  };

  explicit RowCache(const ChangeCounters& changes) : changes_(changes) {}

  // The key of a bucket's (id) object version; version_id "" the current one.
  static std::string key(const std::string& bucket_id, const std::string& version_id,
                         const std::string& object_key);

  // The row kept under key, if the store has not changed since it was read
  // (and, with_body, it was kept with its body files).
  std::shared_ptr<const Row> find(const std::string& key, bool with_body);

  // Call before reading a row from the database, then keep() it.
  ChangeCounters::Before before_read() const { return changes_.before_read(); }
  void keep(const std::string& key, std::shared_ptr<const Row> row,
            const ChangeCounters::Before& before);

  // Lookups answered from the cache, since it was made (for tests).
  uint64_t hits() const;

  static constexpr size_t kMaxRows = 4096;
  static constexpr size_t kMaxBytes = 8 << 20;

 private:
  static size_t approximate_size(const std::string& key, const Row& row);
  void drop_locked(uint64_t begun);

  const ChangeCounters& changes_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Row>> rows_;  // under mu_
  uint64_t begun_ = 0;  // the counter's value the rows were read at (under mu_)
  size_t bytes_ = 0;    // under mu_
  uint64_t hits_ = 0;   // under mu_
};

}  // namespace rgw::local
