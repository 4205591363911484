// buckets.cpp - buckets in the RADOS driver: their records (meta/bucket.<name>,
// tombstoned while being removed), the meta/buckets omap, and the bucket
// removal protocol against writers in flight (see rados/rados_store.h).
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "errors.h"
#include "rados/rados_store.h"

namespace rgw::rados {

BucketInfo RadosStore::create_bucket(const BucketInfo& info) {
  validate_bucket_name(info.name);
  read_user(info.owner);
  BucketInfo b = info;
  b.id = random_hex(8);
  b.created_ns = now_ns();
  const std::string oid = "bucket." + b.name;
  int r = create_excl(meta_, oid, encode_bucket_info(b));
  for (int attempt = 0; r == -EEXIST && attempt < kMaxRetries; ++attempt) {
    std::string raw;
    int rr = read_obj(meta_, oid, &raw, nullptr);
    if (rr < 0 && rr != -ENOENT) rados_fail(rr, "read meta/" + oid);
    if (rr == 0 && !is_tombstone(raw)) break;  // a live bucket
    // A young tombstone is a removal in progress, which may still restore
    // the record (the bucket was not empty after all).
    if (rr == 0 && now_ns() - tombstone_ns(raw) <= kTombstoneAge)
      fail(RGW_ERR_CONFLICT, "bucket '" + b.name + "' is being removed; try again");
    if (rr == 0) clear_tombstone(b.name, raw);  // left by a remover that died
    r = create_excl(meta_, oid, encode_bucket_info(b));
  }
  if (r == -EEXIST) fail(RGW_ERR_BUCKET_EXISTS, "bucket '" + b.name + "' exists");
  if (r < 0) rados_fail(r, "create meta/bucket." + b.name);
  try {
    WriteOp op;
    rados_write_op_create(op.op, LIBRADOS_CREATE_IDEMPOTENT, nullptr);
    r = rados_write_op_operate(op.op, index_, index_oid(b).c_str(), nullptr, 0);
    if (r < 0) rados_fail(r, "create index/" + index_oid(b));
    omap_set_or_fail(meta_, "buckets", b.name, b.owner);
  } catch (...) {
    rados_remove(meta_, ("bucket." + b.name).c_str());
    throw;
  }
  return b;
}

BucketInfo RadosStore::get_bucket(const std::string& name) {
  validate_bucket_name(name);  // a NUL would cut the record's oid short
  BucketInfo b;
  int r = buckets_->get(name, &b);
  if (r == -ENOENT) fail(RGW_ERR_NO_SUCH_BUCKET, "no such bucket '" + name + "'");
  if (r < 0) rados_fail(r, "read meta/bucket." + name);
  return b;
}

void RadosStore::update_bucket(const BucketInfo& info) {
  validate_bucket_name(info.name);
  const std::string oid = "bucket." + info.name;
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    std::string old;
    int r = read_obj(meta_, oid, &old, nullptr);
    if (r == -ENOENT) fail(RGW_ERR_NO_SUCH_BUCKET, "no such bucket '" + info.name + "'");
    if (r < 0) rados_fail(r, "read meta/" + oid);
    if (is_tombstone(old)) fail(RGW_ERR_NO_SUCH_BUCKET, "no such bucket '" + info.name + "'");
    BucketInfo cur = decode_bucket_info(old);
    cur.acl = info.acl;
    cur.attrs = info.attrs;
    // Versioning never goes back to unversioned: that leaves it as it is.
    if (info.versioning != Versioning::unversioned) cur.versioning = info.versioning;
    std::string next = encode_bucket_info(cur);
    r = replace_guarded(meta_, oid, old, next);
    if (r == 0) {
      buckets_->notify_changed(info.name);
      return;
    }
    if (is_cmp_failure(r) || r == -ENOENT) continue;
    rados_fail(r, "write meta/" + oid);
  }
  fail(RGW_ERR_CONFLICT, "bucket '" + info.name + "' kept changing during the update");
}

std::vector<BucketInfo> RadosStore::list_buckets(const std::string& owner) {
  std::vector<std::string> names;
  for_each_omap(meta_, "buckets", "", [&](const std::string& name, const std::string& o) {
    if (owner.empty() || o == owner) names.push_back(name);
    return true;
  });
  // A record the bucket cache holds is current (as get_bucket's): no read.
  // The others are read kListWindow at a time, in parallel.
  std::vector<std::optional<BucketInfo>> got(names.size());
  std::vector<size_t> todo;
  for (size_t i = 0; i < names.size(); ++i) {
    BucketInfo b;
    if (buckets_->peek(names[i], &b))
      got[i] = std::move(b);
    else
      todo.push_back(i);
  }
  struct Read {
    size_t i = 0;
    ReadOp op;
    uint64_t size = 0;
    time_t mtime = 0;
    int stat_rv = 0, read_rv = 0;
    size_t n = 0;
    std::string buf;
    Completion c;  // last: destroyed (waited for) first
  };
  for (size_t start = 0; start < todo.size(); start += kListWindow) {
    std::vector<std::unique_ptr<Read>> batch;
    for (size_t j = start; j < todo.size() && j < start + kListWindow; ++j) {
      auto rd = std::make_unique<Read>();
      rd->i = todo[j];
      rd->buf.resize(kMetaRead);
      rados_read_op_stat(rd->op.op, &rd->size, &rd->mtime, &rd->stat_rv);
      rados_read_op_read(rd->op.op, 0, kMetaRead, &rd->buf[0], &rd->n, &rd->read_rv);
      const std::string oid = "bucket." + names[rd->i];
      int r = rados_aio_read_op_operate(rd->op.op, meta_, rd->c.c, oid.c_str(), 0);
      if (r < 0) {
        rd->c.submitted = false;
        rados_fail(r, "read meta/" + oid);
      }
      batch.push_back(std::move(rd));
    }
    for (auto& rd : batch) {
      const std::string& n = names[rd->i];
      int r = rd->c.wait();
      if (r == 0) r = rd->stat_rv < 0 ? rd->stat_rv : rd->read_rv;
      if (r == -ENOENT) continue;  // removed meanwhile
      if (r < 0) rados_fail(r, "read meta/bucket." + n);
      BucketInfo b;
      if (rd->size > rd->n) {  // a record larger than the first read
        r = load_bucket(n, &b);
        if (r == -ENOENT) continue;
        if (r < 0) rados_fail(r, "read meta/bucket." + n);
      } else {
        rd->buf.resize(rd->n);
        if (is_tombstone(rd->buf)) continue;  // being removed
        b = decode_bucket_info(rd->buf);
      }
      got[rd->i] = std::move(b);
    }
  }
  std::vector<BucketInfo> out;
  for (auto& b : got)
    if (b && (owner.empty() || b->owner == owner)) out.push_back(std::move(*b));
  return out;
}

void RadosStore::remove_bucket(const std::string& name) {
  validate_bucket_name(name);
  const std::string oid = "bucket." + name;
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    std::string raw;
    int r = read_obj(meta_, oid, &raw, nullptr);
    if (r == -ENOENT) fail(RGW_ERR_NO_SUCH_BUCKET, "no such bucket '" + name + "'");
    if (r < 0) rados_fail(r, "read meta/" + oid);
    if (is_tombstone(raw)) fail(RGW_ERR_NO_SUCH_BUCKET, "no such bucket '" + name + "'");
    BucketInfo b = decode_bucket_info(raw);
    std::vector<std::string> dead;
    std::string busy = bucket_busy(b, &dead);
    if (!busy.empty()) fail(RGW_ERR_BUCKET_NOT_EMPTY, "bucket '" + name + "' " + busy);
    // Tombstone the record, tell every cache, then remove it: a cache that
    // reloads in between reads the tombstone as "no such bucket".
    const std::string tomb = make_tombstone();
    r = replace_guarded(meta_, oid, raw, tomb);
    if (is_cmp_failure(r) || r == -ENOENT) continue;  // updated or re-created meanwhile
    if (r < 0) rados_fail(r, "remove meta/" + oid);
    buckets_->notify_changed(name);
    // Look again: a writer that passed its bucket check before the caches
    // dropped the record had its pending record in the index by then (it
    // waits for it before the check), and that record only goes in the op
    // that sets its entry.  Such a writer wins: the record comes back.
    dead.clear();
    busy = bucket_busy(b, &dead);
    if (!busy.empty()) {
      r = replace_guarded(meta_, oid, tomb, raw);
      if (r < 0 && !is_cmp_failure(r) && r != -ENOENT) rados_fail(r, "restore meta/" + oid);
      buckets_->notify_changed(name);
      fail(RGW_ERR_BUCKET_NOT_EMPTY, "bucket '" + name + "' " + busy);
    }
    // Uploads in progress are aborted: their parts' stripes go to gc.
    queue_index_leftovers(b);
    // Writers that died before their head swap may have left tails: queue them.
    for (const auto& full : dead) {
      std::string key, tag;
      if (!parse_pending(full, &key, &tag)) continue;
      enqueue_gc(head_oid(b, key), tag, kUnknownTails);
      // A versioned writer's object (its stripes went to the queue above).
      if (is_version_tag(tag)) rados_remove(data_, version_oid(head_oid(b, key), tag).c_str());
    }
    omap_rm_or_fail(meta_, "buckets", name);
    clear_tombstone(name, tomb);
    r = rados_remove(index_, index_oid(b).c_str());
    if (r < 0 && r != -ENOENT) rados_fail(r, "remove index/" + index_oid(b));
    return;
  }
  fail(RGW_ERR_CONFLICT, "bucket '" + name + "' kept changing during its removal");
}

BucketStats RadosStore::bucket_stats(const std::string& name) {
  validate_bucket_name(name);
  BucketInfo b = get_bucket(name);
  repair_pending_entries(b);  // count what a listing would show
  BucketStats s;
  for_each_omap(index_, index_oid(b), "", [&](const std::string& k, const std::string& v) {
    if (!k.empty() && k[0] == '\xff') return false;
    const ObjectInfo info = decode_index_entry(v);
    if (info.delete_marker) return true;
    s.num_objects++;
    s.size_bytes += info.size;
    return true;
  });
  return s;
}

// Reads a bucket record; -ENOENT for a missing or removed bucket.  `raw`,
// if given, gets the bytes read (a tombstone for a removed one).
int RadosStore::load_bucket(const std::string& name, BucketInfo* info, std::string* raw) {
  std::string data;
  int r = read_obj(meta_, "bucket." + name, &data, nullptr);
  if (r < 0) return r;
  if (raw) *raw = data;
  if (is_tombstone(data)) return -ENOENT;
  *info = decode_bucket_info(data);
  return 0;
}

// Removes the tombstone `tomb` of a removed bucket (compared whole: a
// newer removal's tombstone stays); true if the name is free now.
bool RadosStore::clear_tombstone(const std::string& name, const std::string& tomb) {
  WriteOp op;
  int cmp_rv = 0;
  rados_write_op_cmpext(op.op, tomb.data(), tomb.size(), 0, &cmp_rv);
  rados_write_op_remove(op.op);
  int r = rados_write_op_operate(op.op, meta_, ("bucket." + name).c_str(), nullptr, 0);
  return r == 0 || r == -ENOENT;
}

// Bucket removal: the stripes of every part left in the index (of uploads
// in progress, which the removal aborts) and of its dead-stripes records go
// to the gc queue, which outlives the index.
void RadosStore::queue_index_leftovers(const BucketInfo& b) {
  const std::string ioid = index_oid(b);
  std::map<std::string, std::string> keys;  // upload id -> object key
  for_each_omap(index_, ioid, kUploadPrefix, [&](const std::string& k, const std::string& v) {
    keys[k.substr(std::strlen(kUploadPrefix))] = decode_upload_rec(v).info.key;
    return true;
  });
  std::map<std::string, std::vector<Segment>> by_head;
  for_each_omap(index_, ioid, kPartPrefix, [&](const std::string& k, const std::string& v) {
    const std::string id = k.substr(std::strlen(kPartPrefix), kUploadIdLen);
    auto it = keys.find(id);
    if (it == keys.end()) return true;  // no upload: nothing to find its head by
    PartRec p = decode_part_rec(0, v);
    auto& segs = by_head[head_oid(b, it->second)];
    segs.push_back(Segment{p.tag, p.info.size, p.stripes});
    for (const PartRec& o : p.older) segs.push_back(Segment{o.tag, o.info.size, o.stripes});
    return true;
  });
  for_each_omap(index_, ioid, kDeadPrefix, [&](const std::string&, const std::string& v) {
    Decoder d(v);
    d.u8();
    d.i64();
    std::string head = d.str();
    std::string tag = d.str();
    by_head[head].push_back(Segment{tag, 0, d.u64()});
    return true;
  });
  for (const auto& [head, segs] : by_head) enqueue_gc_segments(head, segs);
  // Objects of removed versions not reclaimed yet: now (the queue only
  // knows stripes).
  std::vector<std::string> dead_versions;
  for_each_omap(index_, ioid, kDeadVersionPrefix, [&](const std::string&, const std::string& v) {
    dead_versions.push_back(v);
    return true;
  });
  for (const auto& v : dead_versions) {
    try {
      reclaim_dead_version(decode_dead_version(v), nullptr);
    } catch (const Error& e) {
      if (e.code() != -EIO) throw;  // a corrupt record is dropped
    }
  }
}

// Why a bucket cannot be removed ("" if it can): an object, or a write in
// flight.  Pending records older than kDeadWriterAge are dead writers' (a
// live one re-stamps its record every kPendingRefresh): they go to *dead.
// A young remover's record ("rm-") never blocks: its key's head is either
// still there, and the listing below shows the key, or gone, and the
// removal is done but for its detached index op.  A young writer's record
// blocks only if it stays: a PUT answered a moment ago keeps its record
// until its detached index op lands (milliseconds, from any process), so the
// scan is repeated for a bounded while (kBusySettle) before it counts.  The
// pending records are read before the entries: a writer's index op turns
// its record into its entry in one op, so one read sees it.
std::string RadosStore::bucket_busy(const BucketInfo& b, std::vector<std::string>* dead) {
  int64_t pause_ns = kBusySettle / 64;
  for (int64_t waited = 0;; waited += pause_ns, pause_ns *= 2) {
    dead->clear();
    const int64_t cutoff = now_ns() - kDeadWriterAge;
    bool young = false;
    scan_pending(index_oid(b), false, [&](const std::string& full, const std::string& v) {
      if (decode_ts(v) <= cutoff) {
        dead->push_back(full);
        return true;
      }
      std::string key, tag;
      if (parse_pending(full, &key, &tag) && is_removal_tag(tag)) return true;
      young = true;
      return false;
    });
    if (!young) break;
    if (waited + pause_ns > kBusySettle) return "has an upload in progress";
    std::this_thread::sleep_for(std::chrono::nanoseconds(pause_ns));
  }
  ListParams lp;
  lp.max_keys = 1;
  lp.versions = true;  // a delete marker is a version too
  if (!list_index(b, lp).objects.empty()) return "is not empty";
  return "";
}

}  // namespace rgw::rados
