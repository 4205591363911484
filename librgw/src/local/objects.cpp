// objects.cpp - the local driver's object rows: removal, metadata updates,
// listing, and handing a replaced or removed body to gc (release_body_locked).
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

void LocalStore::remove_object(const ObjectRef& ref, const RemoveOptions& options) {
  const std::string& key = ref.key;
  validate_object_key(key);
  check_version(ref);
  std::lock_guard<std::mutex> l(mu_);
  Transaction t(*db_);
  BucketInfo b = get_bucket_locked(ref.bucket);
  if (!options.if_match.empty() || options.if_delete_at || options.if_mtime_ns) {
    Stmt q(*db_,
           "SELECT record FROM objects WHERE bucket_id=? AND key=? AND version_id='null' AND "
           "is_latest=1 AND delete_marker=0");
    if (q.bind(1, b.id).bind(2, key).step()) {
      ObjectInfo info = decode_object_info(q.text(0));
      if (options.if_delete_at && !(info.delete_at == options.if_delete_at && is_expired(info)))
        return;  // its expiry changed: it stays
      if (options.if_mtime_ns && info.mtime_ns != options.if_mtime_ns) return;  // rewritten
      if (!options.if_match.empty() && !is_expired(info) && info.etag != options.if_match)
        fail_etag_changed(key, info.etag, options.if_match);
    }
  }
  if (release_body_locked(b.id, key) > 0)
    Stmt(*db_, "DELETE FROM objects WHERE bucket_id=? AND key=? AND version_id='null'")
        .bind(1, b.id)
        .bind(2, key)
        .run();
  t.commit();
}

// One transaction under the write lock: the row read is the row updated;
// the body (data_id, segments) is not touched.
ObjectInfo LocalStore::update_object(const ObjectRef& ref, const AttrsUpdate& update) {
  const std::string& bucket = ref.bucket;
  const std::string& key = ref.key;
  const std::string& expected_etag = update.if_match;
  validate_object_key(key);
  check_version(ref);
  std::lock_guard<std::mutex> l(mu_);
  Transaction t(*db_);
  BucketInfo b = get_bucket_locked(bucket);
  Stmt q(*db_,
         "SELECT record FROM objects WHERE bucket_id=? AND key=? AND version_id='null' AND "
         "is_latest=1 AND delete_marker=0");
  if (!q.bind(1, b.id).bind(2, key).step())
    fail(RGW_ERR_NO_SUCH_KEY, "no such key '" + key + "' in bucket '" + bucket + "'");
  ObjectInfo info = decode_object_info(q.text(0));
  if (is_expired(info)) fail(RGW_ERR_NO_SUCH_KEY, "key '" + key + "' has expired");
  if (!expected_etag.empty() && info.etag != expected_etag)
    fail_etag_changed(key, info.etag, expected_etag);
  if (update.attrs) info.attrs = *update.attrs;
  if (update.acl) info.acl = *update.acl;
  if (update.delete_at) info.delete_at = *update.delete_at;
  Stmt(*db_, "UPDATE objects SET record=? WHERE bucket_id=? AND key=? AND version_id='null'")
      .bind_blob(1, encode_object_info(info))
      .bind(2, b.id)
      .bind(3, key)
      .run();
  if (update.delete_at) queue_expiry_locked(bucket, key, info.delete_at);
  t.commit();
  return info;
}

ListResult LocalStore::list_objects(const std::string& bucket, const ListParams& p) {
  validate_list_params(p);
  if (!p.version_marker.empty()) check_version(ObjectRef{bucket, p.marker, p.version_marker});
  std::lock_guard<std::mutex> l(mu_);
  BucketInfo b = get_bucket_locked(bucket);
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

// Hands the body of a key's current ('null') object to gc, segments and
// all, and drops its segment rows; returns its seq (0: no object).
int64_t LocalStore::release_body_locked(const std::string& bucket_id, const std::string& key) {
  Stmt old(*db_,
           "SELECT data_id, seq FROM objects WHERE bucket_id=? AND key=? AND version_id='null'");
  if (!old.bind(1, bucket_id).bind(2, key).step()) return 0;
  const std::string data_id = old.text(0);
  const int64_t seq = old.i64(1);
  if (!data_id.empty()) {
    garbage_locked(data_id);
    return seq;
  }
  {
    Stmt s(*db_, "SELECT data_id FROM segments WHERE bucket_id=? AND key=? AND version_id='null'");
    s.bind(1, bucket_id).bind(2, key);
    while (s.step()) garbage_locked(s.text(0));
  }
  Stmt(*db_, "DELETE FROM segments WHERE bucket_id=? AND key=? AND version_id='null'")
      .bind(1, bucket_id)
      .bind(2, key)
      .run();
  return seq;
}

}  // namespace rgw::local
