// objects.cpp - the changes of an object's head in the RADOS driver that
// write no body: remove_object and update_object (guarded like a
// writer's head swap, then ordered in the index like any update).
#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>
#include <string>

#include "errors.h"
#include "rados/rados_store.h"

namespace rgw::rados {

RemoveResult RadosStore::remove_object(const ObjectRef& ref, const RemoveOptions& options) {
  validate_object_key(ref.key);
  BucketInfo b = get_bucket(ref.bucket);
  if (b.versioning != Versioning::unversioned) return remove_versioned(b, ref, options, false);
  RemoveResult result;
  // A version this key cannot have: nothing to remove (S3 semantics).
  if (!ref.version_id.empty() && ref.version_id != "null") return result;
  result.removed = remove_head(ref, options);
  if (result.removed) result.version_id = "null";
  return result;
}

bool RadosStore::remove_head(const ObjectRef& ref, const RemoveOptions& options) {
  const std::string& bucket = ref.bucket;
  const std::string& key = ref.key;
  validate_object_key(key);
  check_version(ref);
  BucketInfo b = get_bucket(bucket);
  const std::string head = head_oid(b, key);
  const std::string ioid = index_oid(b);
  const std::string pend = pending_key(key, kRemovalTagPrefix + random_hex(8));
  // The pending record is in flight during the first look at the head; it
  // must be there before the head goes.
  std::unique_ptr<PendingWrite> pending_op = set_pending_async(ioid, pend, encode_ts(now_ns()));
  auto wait_pending = [&] { await_pending(pending_op, bucket, ioid); };
  std::optional<uint64_t> removed;  // epoch of the head removed
  std::string refused;              // the etag that did not match options.if_match
  bool kept = false;                // options.if_delete_at did not match
  // Once a remove op may have reached the head, the pending record stays
  // for gc and listings to repair from; before that, a failure takes it back.
  bool head_touched = false;
  auto drop_pending = [&] {
    wait_pending();
    omap_rm(index_, ioid, pend);
  };
  int attempt = 0;
  try {
    for (; attempt < kMaxRetries && !removed; ++attempt) {
      Xattrs x;
      int r = read_obj(data_, head, nullptr, &x);
      if (r == -ENOENT) break;
      if (r < 0) rados_fail(r, "stat data/" + head);
      if (!options.if_match.empty() || options.if_delete_at || options.if_mtime_ns) {
        // The guard below makes the head removed the head compared here.
        ObjectInfo info;
        Manifest ignored;
        const bool parsed = parse_head(x, &info, &ignored);
        if ((options.if_delete_at &&
             !(parsed && info.delete_at == options.if_delete_at && is_expired(info))) ||
            (options.if_mtime_ns && !(parsed && info.mtime_ns == options.if_mtime_ns))) {
          kept = true;
          break;
        }
        if (!options.if_match.empty() && parsed && !is_expired(info) &&
            info.etag != options.if_match) {
          refused = info.etag;
          break;
        }
      }
      const std::string tag = x.count("rgw.tag") ? x["rgw.tag"] : std::string();
      const uint64_t epoch = head_epoch(x);
      Manifest m;
      if (x.count("rgw.manifest")) m = decode_manifest(x["rgw.manifest"]);
      wait_pending();
      WriteOp op;
      guard_head(op, x);
      rados_write_op_remove(op.op);
      r = rados_write_op_operate(op.op, data_, head.c_str(), nullptr, 0);
      if (r == -ENOENT || is_cmp_failure(r)) continue;
      head_touched = true;  // removed, or maybe (a timeout)
      inline_heads.erase(head);
      if (r < 0) rados_fail(r, "remove data/" + head);
      enqueue_gc_segments(head, m.segs);
      removed = epoch;
    }
  } catch (...) {
    if (!head_touched) {
      try {
        drop_pending();
      } catch (...) {
      }
    }
    throw;
  }
  wait_pending();
  if (kept) {
    drop_pending();
    return false;
  }
  if (!refused.empty()) {
    drop_pending();
    fail_etag_changed(key, refused, options.if_match);
  }
  if (!removed && attempt == kMaxRetries) {
    drop_pending();
    fail(RGW_ERR_CONFLICT, "object '" + key + "' kept changing during its removal");
  }
  crash_point("rados:delete:before-index");
  if (removed) {
    // The head is gone: the answer goes now, the index op detached.
    index_remove_detached(ioid, key, *removed + 1, pend);
    return true;
  }
  // No head: nothing of ours to undo in the index; the pending record goes.
  int r = omap_rm(index_, ioid, pend);
  if (r < 0 && r != -ENOENT) rados_fail(r, "remove index/" + ioid + " entry of '" + key + "'");
  return false;
}

// Metadata update (attrs, acl, delete_at; no data rewritten): the head's rgw.info is replaced and
// its epoch raised in ONE op guarded like a swap (cmpxattr rgw.tag,
// rgw.epoch), under a pending record of our own (tag "at-..."); then ONE
// index op sets the entry (same LT assertions) and drops the record.  The
// head keeps its tag, body, manifest and rgw.prev: gc of our record (a dead
// updater) finds no tails under our tag and only repairs the entry from the
// head.  The guard makes it apply to the version read or to nothing, and
// the raised epoch makes every racing op ordered against it: a writer or
// remover that read the head before fails its guard and looks again, one
// that swapped before makes ours fail; the index stays a max-register.
ObjectInfo RadosStore::update_object(const ObjectRef& ref, const AttrsUpdate& update) {
  validate_object_key(ref.key);
  BucketInfo b = get_bucket(ref.bucket);
  if (b.versioning != Versioning::unversioned) return update_version(b, ref, update);
  return update_head(ref, update);
}

ObjectInfo RadosStore::update_head(const ObjectRef& ref, const AttrsUpdate& update) {
  const std::string& bucket = ref.bucket;
  const std::string& key = ref.key;
  const std::string& expected_etag = update.if_match;
  validate_object_key(key);
  check_version(ref);
  BucketInfo b = get_bucket(bucket);
  const std::string head = head_oid(b, key);
  const std::string ioid = index_oid(b);
  const std::string pend = pending_key(key, "at-" + random_hex(8));
  // A new expiry is queued before any head carries it (docs/expiry.md).
  if (update.delete_at) queue_expiry(bucket, key, *update.delete_at);
  std::unique_ptr<PendingWrite> pending_op = set_pending_async(ioid, pend, encode_ts(now_ns()));
  auto wait_pending = [&] { await_pending(pending_op, bucket, ioid); };
  ObjectInfo info;
  std::string info_bytes, tag;
  uint64_t epoch = 0;
  bool updated = false;
  try {
    for (int attempt = 0; attempt < kMaxRetries && !updated; ++attempt) {
      Xattrs x;
      int r = read_obj(data_, head, nullptr, &x);
      if (r == -ENOENT) no_such_key(bucket, key);
      if (r < 0) rados_fail(r, "stat data/" + head);
      Manifest m;
      if (!parse_head(x, &info, &m) || is_expired(info)) no_such_key(bucket, key);
      if (!expected_etag.empty() && info.etag != expected_etag)
        fail_etag_changed(key, info.etag, expected_etag);
      if (update.attrs) info.attrs = *update.attrs;
      if (update.acl) info.acl = *update.acl;
      if (update.delete_at) info.delete_at = *update.delete_at;
      info_bytes = encode_object_info(info);
      tag = x.count("rgw.tag") ? x["rgw.tag"] : std::string();
      epoch = next_epoch(head_epoch(x));
      const std::string epoch_bytes = encode_epoch(epoch);
      wait_pending();
      WriteOp op;
      guard_head(op, x);
      rados_write_op_setxattr(op.op, "rgw.info", info_bytes.data(), info_bytes.size());
      rados_write_op_setxattr(op.op, "rgw.epoch", epoch_bytes.data(), epoch_bytes.size());
      r = rados_write_op_operate(op.op, data_, head.c_str(), nullptr, 0);
      if (r == -ENOENT || is_cmp_failure(r)) continue;  // replaced or removed: look again
      // Any other failure may have been applied (a timeout): the pending
      // record stays for gc and listings, which know from the head.
      if (r < 0) {
        updated = true;
        rados_fail(r, "update attrs of data/" + head);
      }
      updated = true;
    }
  } catch (...) {
    if (!updated) {
      try {
        wait_pending();
        omap_rm(index_, ioid, pend);
      } catch (...) {
      }
    }
    throw;
  }
  if (!updated) {
    omap_rm(index_, ioid, pend);
    fail(RGW_ERR_CONFLICT, "object '" + key + "' kept changing during its attrs update");
  }
  crash_point("rados:attrs:before-index");
  // One op: the entry unless something newer is there, and our record;
  // outranked, settled as a writer's (settle_outranked).
  int r = index_set(ioid, key, encode_index_entry(epoch, info_bytes), &pend);
  if (r == -ENOENT) fail(RGW_ERR_NO_SUCH_BUCKET, "bucket '" + bucket + "' was removed");
  if (is_cmp_failure(r)) {
    if (!settle_outranked(b, key, tag, epoch, info_bytes, pend))
      fail(RGW_ERR_CONFLICT, "index entry of '" + key + "' kept changing");
  } else if (r < 0) {
    rados_fail(r, "set index/" + ioid + " entry of '" + key + "'");
  }
  return info;
}

}  // namespace rgw::rados
