// objects.cpp - the local driver's object rows: removal (delete markers in
// versioned buckets), metadata updates, listing (current versions, or all).
#include <algorithm>
#include <mutex>
#include <string>

#include "errors.h"
#include "listing.h"
#include "local/local_store.h"

namespace rgw::local {
namespace {

struct ListCursor {
  std::string lower;  // first key to consider
  bool inclusive;     // whether 'lower' itself may be listed
};

// Where a listing starts: at the prefix, or after the marker.  A marker that
// falls under a common prefix (the NextMarker of a previous page) resumes
// after every key of that prefix, which the previous page rolled up.
ListCursor list_start(const ListParams& p) {
  if (p.marker < p.prefix) return ListCursor{p.prefix, true};
  std::string cp = common_prefix(p.marker, p);
  if (!cp.empty()) return ListCursor{prefix_end(cp), true};
  return ListCursor{p.marker, false};
}

}  // namespace

RemoveResult LocalStore::remove_object(const ObjectRef& ref, const RemoveOptions& options) {
  const std::string& key = ref.key;
  validate_object_key(key);
  std::lock_guard<StoreMutex> l(mu_);
  Transaction t(*db_);
  BucketInfo b = get_bucket_locked(ref.bucket);
  RemoveResult result;
  VersionRow row;
  const bool found = find_version_locked(b.id, key, ref.version_id, &row);
  if (options.if_delete_at || options.if_mtime_ns) {
    // The agents' guards: only the very version they listed goes.
    if (!found || row.info.delete_marker) return result;
    if (options.if_delete_at &&
        !(row.info.delete_at == options.if_delete_at && is_expired(row.info)))
      return result;  // its expiry changed: it stays
    if (options.if_mtime_ns && row.info.mtime_ns != options.if_mtime_ns) return result;
  }
  if (!options.if_match.empty() && found && !row.info.delete_marker && !is_expired(row.info) &&
      row.info.etag != options.if_match)
    fail_etag_changed(key, row.info.etag, options.if_match);
  if (!ref.version_id.empty() || b.versioning == Versioning::unversioned) {
    // A version named (or the only one an unversioned key has) goes for good.
    if (!found) return result;
    drop_version_locked(b.id, key, row.info.version_id);
    result = RemoveResult{true, row.info.version_id, row.info.delete_marker};
  } else {
    // Versioning on or suspended: a delete marker becomes the current
    // version, whether or not the key had one.
    ObjectInfo marker;
    marker.key = key;
    marker.mtime_ns = now_ns();
    marker.delete_marker = true;
    marker = put_version_locked(b, std::move(marker), "");
    result = RemoveResult{true, marker.version_id, true};
  }
  crash_point("local:delete:before-commit");
  t.commit();
  return result;
}

// One transaction under the write lock: the row read is the row updated;
// the body (data_id, segments) is not touched.
ObjectInfo LocalStore::update_object(const ObjectRef& ref, const AttrsUpdate& update) {
  const std::string& bucket = ref.bucket;
  const std::string& key = ref.key;
  const std::string& expected_etag = update.if_match;
  validate_object_key(key);
  std::lock_guard<StoreMutex> l(mu_);
  Transaction t(*db_);
  BucketInfo b = get_bucket_locked(bucket);
  VersionRow row;
  if (!find_version_locked(b.id, key, ref.version_id, &row)) {
    if (!ref.version_id.empty())
      fail(RGW_ERR_NO_SUCH_VERSION,
           "no version '" + ref.version_id + "' of '" + key + "' in '" + bucket + "'");
    fail(RGW_ERR_NO_SUCH_KEY, "no such key '" + key + "' in bucket '" + bucket + "'");
  }
  ObjectInfo& info = row.info;
  if (info.delete_marker)
    fail(RGW_ERR_NO_SUCH_KEY, "key '" + key + "' is a delete marker in bucket '" + bucket + "'");
  if (is_expired(info)) fail(RGW_ERR_NO_SUCH_KEY, "key '" + key + "' has expired");
  if (!expected_etag.empty() && info.etag != expected_etag)
    fail_etag_changed(key, info.etag, expected_etag);
  if (update.attrs) info.attrs = *update.attrs;
  if (update.acl) info.acl = *update.acl;
  if (update.delete_at) info.delete_at = *update.delete_at;
  Stmt(*db_, "UPDATE objects SET record=? WHERE bucket_id=? AND key=? AND version_id=?")
      .bind_blob(1, encode_object_info(info))
      .bind(2, b.id)
      .bind(3, key)
      .bind(4, info.version_id)
      .run();
  if (update.delete_at) queue_expiry_locked(bucket, key, info.delete_at);
  t.commit();
  return info;
}

ListResult LocalStore::list_objects(const std::string& bucket, const ListParams& p) {
  validate_list_params(p);
  std::lock_guard<StoreMutex> l(mu_);
  BucketInfo b = get_bucket_locked(bucket);
  if (p.versions) return list_versions_locked(b, p);
  ListResult out;
  const unsigned max = std::min(p.max_keys, 1000u);
  if (max == 0) return out;
  ListCursor cur = list_start(p);
  std::string upper = prefix_end(p.prefix);
  if (!p.end_marker.empty() && p.end_marker < upper) upper = p.end_marker;
  unsigned count = 0;
  for (;;) {
    Stmt q(*db_, cur.inclusive
                     ? "SELECT key, record FROM objects WHERE bucket_id=? AND is_latest=1 AND "
                       "delete_marker=0 AND key>=? AND key<? ORDER BY key LIMIT ?"
                     : "SELECT key, record FROM objects WHERE bucket_id=? AND is_latest=1 AND "
                       "delete_marker=0 AND key>? AND key<? ORDER BY key LIMIT ?");
    q.bind(1, b.id).bind(2, cur.lower).bind(3, upper).bind(4, int64_t{max - count + 1});
    bool jumped = false;
    while (q.step()) {
      if (count == max) {
        out.truncated = true;
        return out;
      }
      std::string key = q.text(0);
      std::string cp = common_prefix(key, p);
      ++count;
      if (!cp.empty()) {
        out.common_prefixes.push_back(cp);
        out.next_marker = cp;
        cur = ListCursor{prefix_end(cp), true};  // skip every key under cp
        jumped = true;
        break;
      }
      out.objects.push_back(decode_object_info(q.text(1)));
      out.next_marker = key;
      cur = ListCursor{key, false};
    }
    if (!jumped) return out;  // the range is exhausted
  }
}

// Every version, by key then newest first.  The position is (key, seq):
// after a version marker, the older versions of its key come first.
ListResult LocalStore::list_versions_locked(const BucketInfo& b, const ListParams& p) {
  ListResult out;
  const unsigned max = std::min(p.max_keys, 1000u);
  if (max == 0) return out;
  ListCursor cur = list_start(p);
  std::string upper = prefix_end(p.prefix);
  if (!p.end_marker.empty() && p.end_marker < upper) upper = p.end_marker;
  unsigned count = 0;
  auto row_info = [](Stmt& q) {
    ObjectInfo info = decode_object_info(q.text(4));
    info.key = q.text(0);
    info.version_id = q.text(1);
    info.is_latest = q.i64(2) != 0;
    info.delete_marker = q.i64(3) != 0;
    return info;
  };
  // Returns false once the page is full (truncated set when more follow).
  auto take = [&](const ObjectInfo& info) {
    if (count == max) {
      out.truncated = true;
      return false;
    }
    ++count;
    out.objects.push_back(info);
    out.next_marker = info.key;
    out.next_version_marker = info.version_id;
    return true;
  };
  // 1. The rest of the marker key's versions, after the version marker.
  if (!cur.inclusive && !p.version_marker.empty() && cur.lower == p.marker) {
    VersionRow mrow;
    if (!find_version_locked(b.id, p.marker, p.version_marker, &mrow))
      fail(RGW_ERR_NO_SUCH_VERSION,
           "no version '" + p.version_marker + "' of '" + p.marker + "' in '" + b.name + "'");
    Stmt q(*db_,
           "SELECT key, version_id, is_latest, delete_marker, record FROM objects "
           "WHERE bucket_id=? AND key=? AND seq<? ORDER BY seq DESC LIMIT ?");
    q.bind(1, b.id).bind(2, p.marker).bind(3, mrow.seq).bind(4, int64_t{max + 1});
    while (q.step())
      if (!take(row_info(q))) return out;
  }
  // 2. The keys after it, each with all its versions.
  for (;;) {
    Stmt q(*db_, cur.inclusive
                     ? "SELECT key, version_id, is_latest, delete_marker, record FROM objects "
                       "WHERE bucket_id=? AND key>=? AND key<? ORDER BY key, seq DESC LIMIT ?"
                     : "SELECT key, version_id, is_latest, delete_marker, record FROM objects "
                       "WHERE bucket_id=? AND key>? AND key<? ORDER BY key, seq DESC LIMIT ?");
    q.bind(1, b.id).bind(2, cur.lower).bind(3, upper).bind(4, int64_t{max - count + 1});
    bool jumped = false;
    while (q.step()) {
      std::string key = q.text(0);
      std::string cp = common_prefix(key, p);
      if (!cp.empty()) {
        if (count == max) {
          out.truncated = true;
          return out;
        }
        ++count;
        out.common_prefixes.push_back(cp);
        out.next_marker = cp;
        out.next_version_marker.clear();
        cur = ListCursor{prefix_end(cp), true};  // skip every key under cp
        jumped = true;
        break;
      }
      if (!take(row_info(q))) return out;
    }
    if (!jumped) return out;  // the range is exhausted
  }
}

}  // namespace rgw::local
