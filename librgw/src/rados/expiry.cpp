// expiry.cpp - the RADOS driver's expiry queue and leases (store.h,
// docs/expiry.md, docs/rados-layout.md).
//
// Queue: one object per shard in the index pool, "expiry.NN", whose omap
// keys are "<delete_at, 20 digits>/<bucket>/<key>" (values empty): sorted by
// time, so the entries due are the first ones.  A writer sets its entry
// before the head swap that gives the object its delete_at, so a crash
// leaves at worst an entry whose object never came (dropped as stale).
// Leases: RADOS exclusive object locks (cls lock) with a duration, taken on
// the shard object itself; a dead holder's lock runs out.
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

#include "errors.h"
#include "expiry.h"
#include "rados/rados_store.h"

namespace rgw::rados {
namespace {

constexpr const char* kLockName = "librgw.lease";

std::string queue_key(int64_t delete_at, const std::string& bucket, const std::string& key) {
  char t[32];
  std::snprintf(t, sizeof t, "%020" PRId64, delete_at);
  return std::string(t) + "/" + bucket + "/" + key;
}

// "<time>/<bucket>/<key>" back into an entry (bucket names hold no '/').
bool parse_queue_key(const std::string& k, ExpiryEntry* e) {
  if (k.size() < 22 || k[20] != '/') return false;
  size_t slash = k.find('/', 21);
  if (slash == std::string::npos) return false;
  e->delete_at = std::stoll(k.substr(0, 20));
  e->bucket = k.substr(21, slash - 21);
  e->key = k.substr(slash + 1);
  return true;
}

}  // namespace

void RadosStore::queue_expiry(const std::string& bucket, const std::string& key,
                              int64_t delete_at) {
  if (delete_at == 0) return;
  omap_set_or_fail(index_, expiry_lease_name(expiry_shard(bucket, key)),
                   queue_key(delete_at, bucket, key), "");
}

std::vector<ExpiryEntry> RadosStore::list_expiry(unsigned shard, int64_t due, size_t limit) {
  const std::string oid = expiry_lease_name(shard);
  std::vector<ExpiryEntry> out;
  std::string after;
  while (out.size() < limit) {
    std::vector<KV> page;
    bool more = false;
    int r = omap_page(index_, oid, after, "", limit - out.size(), page, more);
    if (r == -ENOENT) break;
    if (r < 0) rados_fail(r, "list index/" + oid);
    for (const auto& kv : page) {
      ExpiryEntry e;
      if (!parse_queue_key(kv.first, &e)) continue;
      if (e.delete_at > due) return out;
      out.push_back(std::move(e));
    }
    if (!more || page.empty()) break;
    after = page.back().first;
  }
  return out;
}

std::vector<ExpiryEntry> RadosStore::expire_objects(const std::vector<ExpiryEntry>& entries) {
  std::vector<ExpiryEntry> removed;
  for (const ExpiryEntry& e : entries) {
    RemoveOptions guard;
    guard.if_delete_at = e.delete_at;
    try {
      const ObjectRef ref{e.bucket, e.key, ""};
      validate_object_key(e.key);
      BucketInfo b = get_bucket(e.bucket);
      // In a versioned bucket the current version goes, the next newest
      // becomes current.
      const bool gone = b.versioning != Versioning::unversioned
                            ? remove_versioned(b, ref, guard, true).removed
                            : remove_head(ref, guard);
      if (gone) removed.push_back(e);
    } catch (const Error& err) {
      if (err.code() != RGW_ERR_NO_SUCH_BUCKET && err.code() != RGW_ERR_INVALID_KEY &&
          err.code() != RGW_ERR_INVALID_BUCKET_NAME)
        throw;
    }
    crash_point("rados:expire:before-dequeue");
    const std::string oid = expiry_lease_name(expiry_shard(e.bucket, e.key));
    int r = omap_rm(index_, oid, queue_key(e.delete_at, e.bucket, e.key));
    if (r < 0 && r != -ENOENT) rados_fail(r, "remove index/" + oid + " entry");
  }
  return removed;
}

bool RadosStore::take_lease(const std::string& name, const std::string& holder, int64_t seconds) {
  if (holder.empty() || seconds < 1)
    fail(RGW_ERR_INVALID_ARGUMENT, "a lease needs a holder and at least one second");
  struct timeval duration = {static_cast<time_t>(seconds), 0};
  int r = rados_lock_exclusive(index_, name.c_str(), kLockName, holder.c_str(), "librgw agent",
                               &duration, 0);
  if (r == -EEXIST)  // ours already: renew it
    r = rados_lock_exclusive(index_, name.c_str(), kLockName, holder.c_str(), "librgw agent",
                             &duration, LIBRADOS_LOCK_FLAG_RENEW);
  if (r == -EBUSY) return false;
  if (r < 0) rados_fail(r, "lock index/" + name);
  return true;
}

void RadosStore::drop_lease(const std::string& name, const std::string& holder) {
  int r = rados_unlock(index_, name.c_str(), kLockName, holder.c_str());
  if (r < 0 && r != -ENOENT) rados_fail(r, "unlock index/" + name);
}

}  // namespace rgw::rados
