// lifecycle_pass.h - the lifecycle agent's pass: applies the buckets' S3
// lifecycle configurations (lifecycle.h) to what they hold.  Run by an
// explicit agent (librgw-agent lifecycle), never by a door.
//
// For each bucket with a configuration (or the one bucket asked for), under
// a lease on that bucket ("lc.<bucket>": two agents never work on one
// bucket at once, and one that dies loses it when it runs out):
//   - Expiration (Days, Date): every object an enabled rule matches (prefix,
//     tags, size) whose expiry has passed is removed, guarded by its mtime:
//     an object rewritten since it was listed is the new object, and stays;
//     In a bucket with versioning, the removal makes a delete marker;
//   - NoncurrentVersionExpiration (versioning buckets): a noncurrent
//     version NoncurrentDays after it became noncurrent (when the version
//     after it was written) goes for good, except the NewerNoncurrentVersions
//     newest noncurrent ones;
//   - ExpiredObjectDeleteMarker: a delete marker left as its key's only
//     version goes (it would otherwise hide nothing forever);
//   - AbortIncompleteMultipartUpload: every upload due is aborted.
// The cost follows the bucket's size
// (one listing a pass), as lifecycle scans do in S3 and radosgw; passes run
// once a day by default.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "store.h"

namespace rgw::s3 {

struct LifecycleReport {
  uint64_t buckets = 0;       // buckets whose configuration was applied
  uint64_t busy_buckets = 0;  // leased by another agent: left to it
  uint64_t expired_objects = 0;
  uint64_t aborted_uploads = 0;
  uint64_t bad_configurations = 0;   // stored documents that no longer parse
  uint64_t noncurrent_versions = 0;  // removed by NoncurrentVersionExpiration
  uint64_t delete_markers = 0;       // removed by ExpiredObjectDeleteMarker
};

struct LifecycleOptions {
  std::string holder;           // this agent's lease holder name
  int64_t lease_seconds = 600;  // renewed as the work goes on
  std::string bucket;           // "" = every bucket
  // 0: days are days (Days rounded up to midnight UTC, as S3).  > 0: a
  // "day" lasts this many seconds, counted from the object's or upload's
  // time without rounding (for tests; radosgw's rgw_lc_debug_interval).
  int64_t day_seconds = 0;
  // Called after each object expired, upload aborted, noncurrent version or
  // delete marker removed (what: "expired", "aborted", "noncurrent",
  // "delete-marker"); returning false stops the pass there.
  std::function<bool(const LifecycleReport&, const std::string& bucket, const std::string& key,
                     const char* what)>
      progress;
};

// One pass.  RGW_ERR_INVALID_ARGUMENT for an empty holder, lease_seconds < 1
// or day_seconds outside 0..86400; RGW_ERR_NO_SUCH_BUCKET when the bucket asked for is
// missing.
LifecycleReport run_lifecycle(Store& store, const LifecycleOptions& options);

}  // namespace rgw::s3
