// store.cpp - the C API of stores, attribute sets and garbage collection.
#include "capi/guard.h"

#include <vector>

#include "expiry.h"
#include "s3/lifecycle_pass.h"

using rgw::capi::guarded_call;
using rgw::capi::need;

RGW_API int rgw_store_open(const char* uri, rgw_store_t** out) {
  return guarded_call([&] {
    need("rgw_store_open", uri, out);
    auto store = rgw::open_store(uri);
    *out = new rgw_store{std::move(store), rgw::default_io_threads(uri)};
    return 0;
  });
}

RGW_API void rgw_store_close(rgw_store_t* store) { delete store; }

RGW_API int rgw_store_uri_canonical(const char* uri, char* out, size_t out_size) {
  return guarded_call([&] {
    need("rgw_store_uri_canonical", uri, out);
    rgw::capi::copy_out(rgw::canonical_store_uri(uri), out, out_size);
    return 0;
  });
}

RGW_API rgw_attrs_t* rgw_attrs_new(void) { return new (std::nothrow) rgw_attrs{}; }

RGW_API int rgw_attrs_set(rgw_attrs_t* attrs, const char* name, const char* value) {
  return guarded_call([&] {
    if (!attrs || !name || !*name || !value) rgw::fail(-EINVAL, "attribute name and value needed");
    attrs->attrs[rgw::capi::attr_name(name)] = value;
    return 0;
  });
}

RGW_API void rgw_attrs_free(rgw_attrs_t* attrs) { delete attrs; }

RGW_API int rgw_gc_run_progress(rgw_store_t* store, int64_t grace_seconds,
                                rgw_gc_progress_cb progress, void* arg, uint64_t* removed_objects,
                                uint64_t* removed_bytes, uint64_t* repaired_entries) {
  return guarded_call([&] {
    need("rgw_gc_run", store);
    if (grace_seconds < 0) rgw::fail(-EINVAL, "grace_seconds must not be negative");
    rgw::GcOptions opts;  // the drivers clamp very large graces
    opts.grace_seconds = grace_seconds;
    if (progress)
      opts.progress = [progress, arg](const rgw::GcReport& r) {
        progress(r.removed_objects, r.removed_bytes, r.repaired_entries, arg);
      };
    rgw::GcReport r = store->impl->gc(opts);
    if (removed_objects) *removed_objects = r.removed_objects;
    if (removed_bytes) *removed_bytes = r.removed_bytes;
    if (repaired_entries) *repaired_entries = r.repaired_entries;
    return 0;
  });
}

RGW_API int rgw_gc_run_v2(rgw_store_t* store, int64_t grace_seconds, uint64_t* removed_objects,
                          uint64_t* removed_bytes, uint64_t* repaired_entries) {
  return rgw_gc_run_progress(store, grace_seconds, nullptr, nullptr, removed_objects, removed_bytes,
                             repaired_entries);
}

RGW_API int rgw_gc_run(rgw_store_t* store, int64_t grace_seconds, uint64_t* removed_objects,
                       uint64_t* removed_bytes) {
  return rgw_gc_run_v2(store, grace_seconds, removed_objects, removed_bytes, nullptr);
}

RGW_API int rgw_expire_run(rgw_store_t* store, const char* holder, int64_t lease_seconds,
                           size_t batch, rgw_expire_progress_cb progress, void* arg,
                           rgw_expire_report_t* report) {
  return guarded_call([&] {
    need("rgw_expire_run", store, holder);
    rgw::ExpiryOptions opts;
    opts.holder = holder;
    opts.lease_seconds = lease_seconds;
    opts.batch = batch;
    auto c_report = [](const rgw::ExpiryReport& r) {
      rgw_expire_report_t out{};
      out.removed_objects = r.removed;
      out.stale_entries = r.stale;
      out.shards_done = r.shards_done;
      out.shards_busy = r.shards_busy;
      return out;
    };
    if (progress)
      opts.progress = [&](const rgw::ExpiryReport& r,
                          const std::vector<rgw::ExpiryEntry>& removed) {
        std::vector<const char*> buckets, keys;
        for (const auto& e : removed) {
          buckets.push_back(e.bucket.c_str());
          keys.push_back(e.key.c_str());
        }
        const rgw_expire_report_t so_far = c_report(r);
        return progress(&so_far, removed.size(), buckets.data(), keys.data(), arg) == 0;
      };
    rgw::ExpiryReport r = rgw::run_expirer(*store->impl, opts);
    if (report) *report = c_report(r);
    return 0;
  });
}

RGW_API int rgw_lifecycle_run(rgw_store_t* store, const char* holder, int64_t lease_seconds,
                              const char* bucket, int64_t day_seconds,
                              rgw_lifecycle_progress_cb progress, void* arg,
                              rgw_lifecycle_report_t* report) {
  return guarded_call([&] {
    need("rgw_lifecycle_run", store, holder);
    rgw::s3::LifecycleOptions opts;
    opts.holder = holder;
    opts.lease_seconds = lease_seconds;
    opts.bucket = bucket ? bucket : "";
    opts.day_seconds = day_seconds;
    auto c_report = [](const rgw::s3::LifecycleReport& r) {
      rgw_lifecycle_report_t out{};
      out.buckets = r.buckets;
      out.busy_buckets = r.busy_buckets;
      out.expired_objects = r.expired_objects;
      out.aborted_uploads = r.aborted_uploads;
      out.bad_configurations = r.bad_configurations;
      out.noncurrent_versions = r.noncurrent_versions;
      out.delete_markers = r.delete_markers;
      return out;
    };
    if (progress)
      opts.progress = [&](const rgw::s3::LifecycleReport& r, const std::string& b,
                          const std::string& key, const char* what) {
        const rgw_lifecycle_report_t so_far = c_report(r);
        return progress(&so_far, b.c_str(), key.c_str(), what, arg) == 0;
      };
    rgw::s3::LifecycleReport r = rgw::s3::run_lifecycle(*store->impl, opts);
    if (report) *report = c_report(r);
    return 0;
  });
}
