// multipart.cpp - multipart uploads in the RADOS driver: the upload, part and
// dead-stripes records in the bucket index, completion (parts stitched into a
// version 2 manifest, no data copied) and abort (see rados/rados_store.h).
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "errors.h"
#include "rados/rados_store.h"

namespace rgw::rados {

namespace {

// The upload of a part a completion naming `etag` chooses: the latest, or an
// earlier one it replaced (nullptr: none has that etag).
const PartRec* upload_with_etag(const PartRec& p, const std::string& etag) {
  if (p.info.etag == etag) return &p;
  for (const PartRec& o : p.older)
    if (o.info.etag == etag) return &o;
  return nullptr;
}

// A part's uploads: the latest, then those it replaced.
std::vector<const PartRec*> uploads_of(const PartRec& p) {
  std::vector<const PartRec*> out{&p};
  for (const PartRec& o : p.older) out.push_back(&o);
  return out;
}

}  // namespace

UploadInfo RadosStore::create_upload(const std::string& bucket, const std::string& key,
                                     const WriteOptions& object) {
  validate_object_key(key);
  BucketInfo b = get_bucket(bucket);
  UploadRec rec;
  rec.info.initiated_ns = now_ns();
  rec.info.upload_id = new_upload_id(rec.info.initiated_ns);
  rec.info.key = key;
  rec.info.attrs = object.attrs;
  rec.info.acl = object.acl;
  rec.info.delete_at = object.delete_at;
  WriteOp op;
  rados_write_op_assert_exists(op.op);  // a removed bucket's index stays removed
  omap_set_in(op, {{upload_key(rec.info.upload_id), encode_upload_rec(rec)}});
  int r = rados_write_op_operate(op.op, index_, index_oid(b).c_str(), nullptr, 0);
  if (r == -ENOENT) fail(RGW_ERR_NO_SUCH_BUCKET, "no such bucket '" + bucket + "'");
  if (r < 0) rados_fail(r, "set upload record in index/" + index_oid(b));
  return rec.info;
}

UploadInfo RadosStore::get_upload(const std::string& bucket, const std::string& upload_id) {
  return open_upload(get_bucket(bucket), upload_id, nullptr).info;
}

std::unique_ptr<ObjectWriter> RadosStore::open_part_writer(const std::string& bucket,
                                                           const std::string& upload_id,
                                                           int part_number) {
  validate_part_number(part_number);
  BucketInfo b = get_bucket(bucket);
  std::string raw;
  UploadRec rec = open_upload(b, upload_id, &raw);
  const std::string key = rec.info.key;
  return std::make_unique<RadosWriter>(*this, std::move(b), key,
                                       RadosWriter::PartTarget{upload_id, part_number, raw});
}

std::vector<PartInfo> RadosStore::list_parts(const std::string& bucket,
                                             const std::string& upload_id) {
  BucketInfo b = get_bucket(bucket);
  open_upload(b, upload_id, nullptr);
  std::vector<PartInfo> out;
  for (const auto& kv : read_parts(index_oid(b), upload_id)) out.push_back(kv.second.second.info);
  return out;
}

std::vector<PartInfo> RadosStore::list_part_uploads(const std::string& bucket,
                                                    const std::string& upload_id) {
  BucketInfo b = get_bucket(bucket);
  open_upload(b, upload_id, nullptr);
  std::vector<PartInfo> out;
  for (const auto& kv : read_parts(index_oid(b), upload_id))
    for (const PartRec* p : uploads_of(kv.second.second)) out.push_back(p->info);
  return out;
}

// Upload records are keyed by id, not by object key: the listing scans
// them all, keeping only the first `limit` past the marker (a bounded
// max-heap), so memory stays bounded however many uploads there are.
std::vector<UploadInfo> RadosStore::list_uploads(const std::string& bucket,
                                                 const std::string& prefix,
                                                 const std::string& after_key,
                                                 const std::string& after_id, size_t limit) {
  ListParams lp;
  lp.prefix = prefix;
  validate_list_params(lp);  // after_key is only compared with: any bytes do
  BucketInfo b = get_bucket(bucket);
  auto before = [](const UploadInfo& x, const UploadInfo& y) {
    return std::tie(x.key, x.upload_id) < std::tie(y.key, y.upload_id);
  };
  std::vector<UploadInfo> heap;  // the smallest `limit` seen, largest on top
  if (limit == 0) return heap;
  for_each_omap(index_, index_oid(b), kUploadPrefix, [&](const std::string&, const std::string& v) {
    UploadRec rec = decode_upload_rec(v);
    const UploadInfo& u = rec.info;
    if (rec.ending || u.key.compare(0, prefix.size(), prefix) != 0) return true;
    if (!after_key.empty() && std::tie(u.key, u.upload_id) <= std::tie(after_key, after_id))
      return true;
    if (heap.size() == limit) {
      if (!before(u, heap.front())) return true;
      std::pop_heap(heap.begin(), heap.end(), before);
      heap.pop_back();
    }
    heap.push_back(std::move(rec.info));
    std::push_heap(heap.begin(), heap.end(), before);
    return true;
  });
  std::sort_heap(heap.begin(), heap.end(), before);
  return heap;
}

// 1. One op ends the upload (its record turns "ending" with the new head's
//    tag, asserting that it and the chosen parts are as checked) and sets
//    the completer's pending record.  Parts can no longer change.
// 2. The head of a version 2 manifest (the chosen parts' stripes) is
//    swapped in like any writer's; the old body goes to gc.
// 3. One index op sets the entry, drops the pending record, the upload and
//    part records, and records the unchosen parts' stripes as dead.
// Before the swap a failure reopens the upload; a completer that dies is
// finished by gc, which keeps the parts if the head is ours (else none).
ObjectInfo RadosStore::complete_upload(const std::string& bucket, const std::string& upload_id,
                                       const std::vector<std::pair<int, std::string>>& parts,
                                       const std::string& etag, const WriteOptions& conditions) {
  const auto want = checked_completion_parts(parts);
  BucketInfo b = get_bucket(bucket);
  const std::string ioid = index_oid(b);
  const std::string ukey = upload_key(upload_id);
  std::string raw, ending_raw, tag, stamp;
  int64_t ts = 0;
  UploadRec rec;
  bool ended = false;
  for (int attempt = 0; attempt < kMaxRetries && !ended; ++attempt) {
    rec = open_upload(b, upload_id, &raw);
    auto have = read_parts(ioid, upload_id);
    for (const auto& [n, e] : want) {
      auto it = have.find(n);
      if (it == have.end())
        fail(RGW_ERR_INVALID_PART, "part " + std::to_string(n) + " was not uploaded");
      if (!upload_with_etag(it->second.second, e))
        fail(RGW_ERR_INVALID_PART, "part " + std::to_string(n) + " has ETag " +
                                       it->second.second.info.etag + ", not " + e);
    }
    // A versioned bucket's completion writes a version object of its own.
    tag = (b.versioning != Versioning::unversioned ? "v" : "") + random_hex(8);
    ts = now_ns();
    stamp = encode_ts(ts);
    UploadRec end = rec;
    end.ending = true;
    end.tag = tag;
    end.since_ns = ts;
    ending_raw = encode_upload_rec(end);
    std::vector<std::string> pkeys;
    for (const auto& kv : want) pkeys.push_back(part_key(upload_id, kv.first));
    std::vector<int> cmp_rv(want.size() + 1);
    WriteOp op;
    rados_write_op_assert_exists(op.op);
    rados_write_op_omap_cmp2(op.op, ukey.data(), LIBRADOS_CMPXATTR_OP_EQ, raw.data(), ukey.size(),
                             raw.size(), &cmp_rv[0]);
    for (size_t i = 0; i < want.size(); ++i) {
      const std::string& v = have[want[i].first].first;
      rados_write_op_omap_cmp2(op.op, pkeys[i].data(), LIBRADOS_CMPXATTR_OP_EQ, v.data(),
                               pkeys[i].size(), v.size(), &cmp_rv[i + 1]);
    }
    omap_set_in(op, {{ukey, ending_raw}, {pending_key(rec.info.key, tag), stamp}});
    int r = rados_write_op_operate(op.op, index_, ioid.c_str(), nullptr, 0);
    if (r == 0)
      ended = true;
    else if (r == -ENOENT)
      fail(RGW_ERR_NO_SUCH_BUCKET, "no such bucket '" + bucket + "'");
    else if (!is_cmp_failure(r))
      rados_fail(r, "end upload in index/" + ioid);
  }
  if (!ended) fail(RGW_ERR_CONFLICT, "upload '" + upload_id + "' kept changing");

  auto have = read_parts(ioid, upload_id);  // final: no part changes now
  Manifest m;
  m.tag = tag;
  m.stripe = kStripe;
  m.multipart = true;
  m.upload_id = upload_id;
  std::vector<std::string> etags;
  IndexExtras extras;
  extras.rm.push_back(ukey);
  const std::string head = head_oid(b, rec.info.key);
  std::set<std::string> chosen;  // tags of the chosen part uploads
  for (const auto& [n, e] : want) {
    const PartRec& p = *upload_with_etag(have.at(n).second, e);  // as asserted
    m.segs.push_back(Segment{p.tag, p.info.size, p.stripes});
    m.size += p.info.size;
    etags.push_back(e);
    chosen.insert(p.tag);
  }
  for (const auto& [n, pr] : have) {
    extras.rm.push_back(part_key(upload_id, n));
    for (const PartRec* p : uploads_of(pr.second))
      if (!chosen.count(p->tag))
        extras.set.emplace_back(dead_key(p->tag),
                                encode_dead(ts, head, Segment{p->tag, p->info.size, p->stripes}));
  }
  WriteOptions object;
  object.attrs = rec.info.attrs;
  object.acl = rec.info.acl;
  object.delete_at = rec.info.delete_at;
  object.etag = etag.empty() ? multipart_etag(etags) : etag;
  ObjectInfo info = committed_object_info(rec.info.key, m.size, "", object);
  const std::string pend = pending_key(rec.info.key, tag);
  auto undo = [this, ioid, ukey, ending_raw, raw, pend] {
    WriteOp op;
    int cmp_rv = 0;
    rados_write_op_assert_exists(op.op);
    rados_write_op_omap_cmp2(op.op, ukey.data(), LIBRADOS_CMPXATTR_OP_EQ, ending_raw.data(),
                             ukey.size(), ending_raw.size(), &cmp_rv);
    omap_set_in(op, {{ukey, raw}});
    omap_rm_in(op, pend);
    rados_write_op_operate(op.op, index_, ioid.c_str(), nullptr, 0);
  };
  RadosWriter w(*this, b, rec.info.key, RadosWriter::CompletionTarget{tag, stamp, ts, undo});
  return w.complete(info, m, extras, conditions);
}

// Ends the upload in one op (so no part can land after the parts are
// read), then drops it with its parts, whose stripes become dead records.
void RadosStore::abort_upload(const std::string& bucket, const std::string& upload_id) {
  BucketInfo b = get_bucket(bucket);
  const std::string ioid = index_oid(b);
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    std::string raw;
    UploadRec rec = open_upload(b, upload_id, &raw);
    rec.ending = true;
    rec.tag.clear();
    rec.since_ns = now_ns();
    const std::string ending_raw = encode_upload_rec(rec);
    const std::string ukey = upload_key(upload_id);
    WriteOp op;
    int cmp_rv = 0;
    rados_write_op_assert_exists(op.op);
    rados_write_op_omap_cmp2(op.op, ukey.data(), LIBRADOS_CMPXATTR_OP_EQ, raw.data(), ukey.size(),
                             raw.size(), &cmp_rv);
    omap_set_in(op, {{ukey, ending_raw}});
    int r = rados_write_op_operate(op.op, index_, ioid.c_str(), nullptr, 0);
    if (r == -ENOENT) fail(RGW_ERR_NO_SUCH_BUCKET, "no such bucket '" + bucket + "'");
    if (is_cmp_failure(r)) continue;
    if (r < 0) rados_fail(r, "end upload in index/" + ioid);
    crash_point("rados:abort:after-end");
    end_upload(b, upload_id, ending_raw, {}, rec.since_ns);
    return;
  }
  fail(RGW_ERR_CONFLICT, "upload '" + upload_id + "' kept changing");
}

// The open upload `upload_id` of a bucket (else NoSuchUpload: unknown,
// completed, aborted, or being completed); `raw` gets its record's bytes.
UploadRec RadosStore::open_upload(const BucketInfo& b, const std::string& upload_id,
                                  std::string* raw) {
  auto none = [&](const char* why) {
    fail(RGW_ERR_NO_SUCH_UPLOAD,
         "no such upload '" + upload_id + "' in bucket '" + b.name + "'" + why);
  };
  if (!valid_upload_id(upload_id)) none("");
  const std::string ukey = upload_key(upload_id);
  auto got = omap_get(index_, index_oid(b), {ukey});
  if (!got.count(ukey)) none("");
  UploadRec rec = decode_upload_rec(got[ukey]);
  if (rec.ending) none(" (it is being completed or aborted)");
  if (raw) *raw = got[ukey];
  return rec;
}

// An upload's part records by number: (bytes, decoded).
std::map<int, std::pair<std::string, PartRec>> RadosStore::read_parts(
    const std::string& ioid, const std::string& upload_id) {
  std::map<int, std::pair<std::string, PartRec>> out;
  const std::string prefix = parts_prefix(upload_id);
  for_each_omap(index_, ioid, prefix, [&](const std::string& k, const std::string& v) {
    int n = std::atoi(k.c_str() + prefix.size());
    out[n] = {v, decode_part_rec(n, v)};
    return true;
  });
  return out;
}

// Drops an ending upload (record `raw`) with its part records in one op;
// parts whose tags are not in `keep` become dead-stripes records (time
// `dead_ns`).  False if the record changed meanwhile (already dropped).
bool RadosStore::end_upload(const BucketInfo& b, const std::string& upload_id,
                            const std::string& raw, const std::set<std::string>& keep,
                            int64_t dead_ns) {
  const std::string ioid = index_oid(b);
  const std::string ukey = upload_key(upload_id);
  const std::string head = head_oid(b, decode_upload_rec(raw).info.key);
  IndexExtras x;
  x.rm.push_back(ukey);
  for (const auto& [n, pr] : read_parts(ioid, upload_id)) {
    x.rm.push_back(part_key(upload_id, n));
    for (const PartRec* p : uploads_of(pr.second))
      if (!keep.count(p->tag))
        x.set.emplace_back(dead_key(p->tag),
                           encode_dead(dead_ns, head, Segment{p->tag, p->info.size, p->stripes}));
  }
  WriteOp op;
  int cmp_rv = 0;
  rados_write_op_assert_exists(op.op);
  rados_write_op_omap_cmp2(op.op, ukey.data(), LIBRADOS_CMPXATTR_OP_EQ, raw.data(), ukey.size(),
                           raw.size(), &cmp_rv);
  extras_in(op, x);
  int r = rados_write_op_operate(op.op, index_, ioid.c_str(), nullptr, 0);
  if (r == 0) return true;
  if (is_cmp_failure(r) || r == -ENOENT) return false;
  rados_fail(r, "drop upload from index/" + ioid);
}

}  // namespace rgw::rados
