// expiry.cpp - the local driver's expiry queue and leases (store.h,
// docs/expiry.md): the `expiry` table, kept in the same transaction as the
// object row that gives an object its delete_at, and the `leases` table.
#include <mutex>
#include <string>
#include <vector>

#include "errors.h"
#include "local/local_store.h"
#include "util.h"

namespace rgw::local {

void LocalStore::queue_expiry_locked(const std::string& bucket, const std::string& key,
                                     int64_t delete_at) {
  if (delete_at == 0) return;
  Stmt(*db_, "INSERT OR IGNORE INTO expiry(shard, delete_at, bucket, key) VALUES(?, ?, ?, ?)")
      .bind(1, int64_t{expiry_shard(bucket, key)})
      .bind(2, delete_at)
      .bind(3, bucket)
      .bind(4, key)
      .run();
}

std::vector<ExpiryEntry> LocalStore::list_expiry(unsigned shard, int64_t due, size_t limit) {
  std::lock_guard<StoreMutex> l(mu_);
  Stmt q(*db_,
         "SELECT delete_at, bucket, key FROM expiry WHERE shard=? AND delete_at<=? "
         "ORDER BY delete_at, bucket, key LIMIT ?");
  q.bind(1, int64_t{shard}).bind(2, due).bind(3, static_cast<int64_t>(limit));
  std::vector<ExpiryEntry> out;
  while (q.step()) out.push_back(ExpiryEntry{q.i64(0), q.text(1), q.text(2)});
  return out;
}

// One transaction for the whole batch: the rows go, their bodies become
// garbage (gc reclaims the files), the entries go.
std::vector<ExpiryEntry> LocalStore::expire_objects(const std::vector<ExpiryEntry>& entries) {
  std::vector<ExpiryEntry> removed;
  std::lock_guard<StoreMutex> l(mu_);
  Transaction t(*db_);
  for (const ExpiryEntry& e : entries) {
    BucketInfo b;
    bool have_bucket = true;
    try {
      b = get_bucket_locked(e.bucket);
    } catch (const Error& err) {
      if (err.code() != RGW_ERR_NO_SUCH_BUCKET) throw;
      have_bucket = false;
    }
    if (have_bucket) {
      // The current version, if it is still the one the entry names (in a
      // versioned bucket the next newest then becomes current, as Swift's
      // versioned containers restore the previous version).
      VersionRow row;
      if (find_version_locked(b.id, e.key, "", &row) && !row.info.delete_marker &&
          row.info.delete_at == e.delete_at && is_expired(row.info)) {
        drop_version_locked(b.id, e.key, row.info.version_id);
        removed.push_back(e);
      }
    }
    Stmt(*db_, "DELETE FROM expiry WHERE shard=? AND delete_at=? AND bucket=? AND key=?")
        .bind(1, int64_t{expiry_shard(e.bucket, e.key)})
        .bind(2, e.delete_at)
        .bind(3, e.bucket)
        .bind(4, e.key)
        .run();
  }
  crash_point("local:expire:before-commit");
  t.commit();
  return removed;
}

bool LocalStore::take_lease(const std::string& name, const std::string& holder, int64_t seconds) {
  if (holder.empty() || seconds < 1)
    fail(RGW_ERR_INVALID_ARGUMENT, "a lease needs a holder and at least one second");
  std::lock_guard<StoreMutex> l(mu_);
  Transaction t(*db_);
  const int64_t now = now_ns();
  Stmt q(*db_, "SELECT holder, until_ns FROM leases WHERE name=?");
  if (q.bind(1, name).step() && q.text(0) != holder && q.i64(1) > now) return false;
  Stmt(*db_, "INSERT OR REPLACE INTO leases(name, holder, until_ns) VALUES(?, ?, ?)")
      .bind(1, name)
      .bind(2, holder)
      .bind(3, now + seconds * 1000000000LL)
      .run();
  t.commit();
  return true;
}

void LocalStore::drop_lease(const std::string& name, const std::string& holder) {
  std::lock_guard<StoreMutex> l(mu_);
  Transaction t(*db_);
  Stmt(*db_, "DELETE FROM leases WHERE name=? AND holder=?").bind(1, name).bind(2, holder).run();
  t.commit();
}

}  // namespace rgw::local
