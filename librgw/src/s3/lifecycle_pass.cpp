// lifecycle_pass.cpp - the lifecycle agent's pass (lifecycle_pass.h).
#include "s3/lifecycle_pass.h"

#include <chrono>
#include <ctime>
#include <vector>

#include "errors.h"
#include "s3/lifecycle.h"
#include "s3/s3_error.h"
#include "s3/tagging.h"

namespace rgw::s3 {
namespace {

using Clock = std::chrono::steady_clock;

class BucketPass {
 public:
  BucketPass(Store& store, const LifecycleOptions& o, LifecycleReport& report,
             const BucketInfo& bucket, const LifecycleConfiguration& config)
      : store_(store),
        o_(o),
        report_(report),
        bucket_(bucket.name),
        versioned_(bucket.versioning != Versioning::unversioned),
        config_(config) {}

  // False when the caller asked to stop.
  bool run() {
    if (has_expiration() && !expire_objects()) return false;
    if (has_version_rules() && !expire_versions()) return false;
    if (has_abort() && !abort_uploads()) return false;
    return true;
  }

 private:
  bool has_expiration() const {
    for (const auto& r : config_.rules)
      if (r.enabled && (r.expiration_days || r.expiration_date)) return true;
    return false;
  }
  bool has_version_rules() const {
    for (const auto& r : config_.rules)
      if (r.enabled && (r.noncurrent_days || r.expired_object_delete_marker.value_or(false) ||
                        (versioned_ && r.expiration_days)))  // lone markers old enough go
        return true;
    return false;
  }
  bool has_abort() const {
    for (const auto& r : config_.rules)
      if (r.enabled && r.abort_days) return true;
    return false;
  }

  // Renews the lease now and then; false once it is lost to another agent.
  bool keep_lease() {
    if (Clock::now() - renewed_ < std::chrono::seconds(o_.lease_seconds) / 3) return true;
    if (!store_.take_lease("lc." + bucket_, o_.holder, o_.lease_seconds)) return false;
    renewed_ = Clock::now();
    return true;
  }

  bool note(const std::string& key, const char* what) {
    return !o_.progress || o_.progress(report_, bucket_, key, what);
  }

  bool expire_objects() {
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    ListParams p;
    p.max_keys = 1000;
    for (;;) {
      ListResult page = store_.list_objects(bucket_, p);
      for (const ObjectInfo& o : page.objects) {
        auto due =
            object_expiry(config_, o.key, o.size, tags_of(o.attrs), o.mtime_ns, o_.day_seconds);
        if (!due || due->at > now) continue;
        RemoveOptions guard;
        guard.if_mtime_ns = o.mtime_ns;  // a rewritten object is another one
        // The guard keeps an object rewritten since: nothing is removed.
        if (!store_.remove_object(ObjectRef{bucket_, o.key, ""}, guard).removed) continue;
        report_.expired_objects++;
        if (!note(o.key, "expired")) return false;
      }
      if (!page.truncated || !keep_lease()) return true;
      p.marker = page.next_marker;
    }
  }

  // One listing of every version, key by key (newest first): noncurrent
  // versions due go, then a delete marker left alone goes.
  bool expire_versions() {
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    ListParams p;
    p.versions = true;
    p.max_keys = 1000;
    Key k;  // the key being walked; its versions may span pages
    for (;;) {
      ListResult page = store_.list_objects(bucket_, p);
      for (const ObjectInfo& v : page.objects) {
        if (v.key != k.name) {
          if (!finish_key(k)) return false;
          k = Key();
          k.name = v.key;
        }
        if (v.is_latest) {
          k.latest_marker = v.delete_marker ? v.version_id : "";
          k.marker_ns = v.mtime_ns;
        } else if (!v.delete_marker &&
                   noncurrent_due(config_, v.key, v.size, tags_of(v.attrs), k.newer_mtime_ns,
                                  k.noncurrent, now, o_.day_seconds)) {
          store_.remove_object(ObjectRef{bucket_, v.key, v.version_id}, RemoveOptions{});
          report_.noncurrent_versions++;
          ++k.removed;
          if (!note(v.key, "noncurrent")) return false;
        }
        if (!v.is_latest) ++k.noncurrent;
        k.newer_mtime_ns = v.mtime_ns;
        ++k.versions;
      }
      if (!page.truncated) return finish_key(k);
      if (!keep_lease()) return true;
      p.marker = page.next_marker;
      p.version_marker = page.next_version_marker;
    }
  }

  struct Key {
    std::string name;
    std::string latest_marker;   // the current version's id if it is a delete marker
    int64_t marker_ns = 0;       // when that marker was written
    int64_t newer_mtime_ns = 0;  // the version listed before (newer than) the next
    uint64_t noncurrent = 0;     // noncurrent versions seen so far
    uint64_t versions = 0;
    uint64_t removed = 0;
  };

  // An expired object delete marker: the current version is a marker and
  // nothing else is left of the key.
  bool finish_key(const Key& k) {
    if (k.name.empty() || k.latest_marker.empty() || k.versions - k.removed != 1) return true;
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    if (!removes_expired_marker(config_, k.name, k.marker_ns, now, o_.day_seconds)) return true;
    store_.remove_object(ObjectRef{bucket_, k.name, k.latest_marker}, RemoveOptions{});
    report_.delete_markers++;
    return note(k.name, "delete-marker");
  }

  bool abort_uploads() {
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    std::string after_key, after_id;
    for (;;) {
      std::vector<UploadInfo> page = store_.list_uploads(bucket_, "", after_key, after_id, 1000);
      for (const UploadInfo& u : page) {
        auto due = upload_abort(config_, u.key, u.initiated_ns, o_.day_seconds);
        if (!due || due->at > now) continue;
        try {
          store_.abort_upload(bucket_, u.upload_id);
        } catch (const Error& e) {
          if (e.code() != RGW_ERR_NO_SUCH_UPLOAD) throw;
          continue;  // completed or aborted meanwhile
        }
        report_.aborted_uploads++;
        if (!note(u.key, "aborted")) return false;
      }
      if (page.size() < 1000 || !keep_lease()) return true;
      after_key = page.back().key;
      after_id = page.back().upload_id;
    }
  }

  Store& store_;
  const LifecycleOptions& o_;
  LifecycleReport& report_;
  const std::string& bucket_;
  const bool versioned_;  // the bucket's versioning was ever set
  const LifecycleConfiguration& config_;
  Clock::time_point renewed_ = Clock::now();
};

}  // namespace

LifecycleReport run_lifecycle(Store& store, const LifecycleOptions& o) {
  if (o.holder.empty()) fail(RGW_ERR_INVALID_ARGUMENT, "the lifecycle agent needs a holder name");
  if (o.lease_seconds < 1) fail(RGW_ERR_INVALID_ARGUMENT, "lease_seconds must be at least 1");
  if (o.day_seconds < 0 || o.day_seconds > 86400)
    fail(RGW_ERR_INVALID_ARGUMENT, "day_seconds must be between 0 and 86400");
  std::vector<BucketInfo> buckets;
  if (o.bucket.empty())
    buckets = store.list_buckets("");
  else
    buckets.push_back(store.get_bucket(o.bucket));
  LifecycleReport report;
  for (const BucketInfo& b : buckets) {
    auto attr = b.attrs.find(kLifecycleAttr);
    if (attr == b.attrs.end()) continue;
    LifecycleConfiguration config;
    try {
      config = parse_lifecycle(attr->second);
    } catch (const S3Error&) {
      report.bad_configurations++;
      continue;
    }
    const std::string lease = "lc." + b.name;
    if (!store.take_lease(lease, o.holder, o.lease_seconds)) {
      report.busy_buckets++;
      continue;
    }
    bool go_on = true;
    try {
      go_on = BucketPass(store, o, report, b, config).run();
    } catch (const Error& e) {
      store.drop_lease(lease, o.holder);
      if (e.code() == RGW_ERR_NO_SUCH_BUCKET) continue;  // removed meanwhile
      throw;
    } catch (...) {
      try {
        store.drop_lease(lease, o.holder);
      } catch (...) {
      }
      throw;
    }
    store.drop_lease(lease, o.holder);
    report.buckets++;
    if (!go_on) break;
  }
  return report;
}

}  // namespace rgw::s3
