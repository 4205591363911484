// writer.cpp - the write path of the RADOS driver: RadosWriter streams a body
// into tails, swaps the head in (guarded), queues the old body for gc and
// publishes the index entry; it also publishes parts and completed multipart
// uploads (the commit protocol is described in rados/rados_store.h).
#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "errors.h"
#include "rados/rados_store.h"

namespace rgw::rados {

std::unique_ptr<ObjectWriter> RadosStore::open_writer(const std::string& bucket,
                                                      const std::string& key) {
  validate_object_key(key);
  BucketInfo b = get_bucket(bucket);
  return std::make_unique<RadosWriter>(*this, std::move(b), key);
}

// Makes op apply only to the head whose xattrs are `x` (tag and epoch:
// the epoch may be raised in place, see RadosWriter::outranked).
void RadosStore::guard_head(WriteOp& op, const Xattrs& x) {
  auto t = x.find("rgw.tag");
  auto e = x.find("rgw.epoch");
  const std::string tag = t == x.end() ? std::string() : t->second;
  const std::string epoch = e == x.end() ? std::string() : e->second;
  rados_write_op_cmpxattr(op.op, "rgw.tag", LIBRADOS_CMPXATTR_OP_EQ, tag.data(), tag.size());
  rados_write_op_cmpxattr(op.op, "rgw.epoch", LIBRADOS_CMPXATTR_OP_EQ, epoch.data(), epoch.size());
}

RadosWriter::RadosWriter(RadosStore& store, BucketInfo bucket, std::string key)
    : st_(store), bucket_(std::move(bucket)), key_(std::move(key)), tag_(random_hex(8)) {
  // On a door's loop (Exchange::try_start_body) a plain PUT's try can no
  // longer be given up from here: its waits suspend it (async_reads.h).  A
  // version's commit has waits that cannot: it goes to an I/O thread.
  if (bucket_.versioning != Versioning::unversioned) fail_if_no_wait("a versioned write");
  begin_side_effects("a RADOS write");
  head_ = RadosStore::head_oid(bucket_, key_);
  if (bucket_.versioning != Versioning::unversioned) {
    // A version of its own: the key's entry is read ahead instead of the
    // head (a stale look only costs a retry of the guarded index op).
    versioned_ = true;
    tag_ = "v" + tag_;
    pending_ = pending_key(key_, tag_);
    start_pending();
    start_entry_read();
    return;
  }
  pending_ = pending_key(key_, tag_);
  // Both in flight while the body streams in: the pending record (waited for
  // before the first tail and before the head swap) and a first look at the
  // head (a stale look only costs a retry of the guarded swap).  A head this
  // process wrote with its body in it is not looked at: swapped blind.
  start_pending();
  blind_ = st_.inline_heads.contains(head_);
  if (!blind_) start_head_read();
}

RadosWriter::RadosWriter(RadosStore& store, BucketInfo bucket, std::string key, PartTarget part)
    : st_(store), bucket_(std::move(bucket)), key_(std::move(key)), tag_(random_hex(8)) {
  fail_if_no_wait("a part upload");  // not on a door's loop: it reads the upload's records
  mode_ = Mode::part;
  part_ = std::move(part);
  head_ = RadosStore::head_oid(bucket_, key_);
  pending_ = pending_key(key_, tag_);
  start_pending();  // a part never touches the head
}

RadosWriter::RadosWriter(RadosStore& store, BucketInfo bucket, std::string key, CompletionTarget c)
    : st_(store), bucket_(std::move(bucket)), key_(std::move(key)), tag_(std::move(c.tag)) {
  fail_if_no_wait("a multipart completion");
  mode_ = Mode::complete;
  undo_ = std::move(c.undo);
  head_ = RadosStore::head_oid(bucket_, key_);
  pending_ = pending_key(key_, tag_);
  stamp_ = std::move(c.stamp);  // set by the op that ended the upload
  stamped_ns_ = c.stamped_ns;
  versioned_ = is_version_tag(tag_);
  if (versioned_)
    start_entry_read();
  else
    start_head_read();
}

void RadosWriter::start_entry_read() {
  auto er = std::make_unique<AsyncOmapRead>();
  er->keys = RadosStore::commit_keys(key_);
  std::vector<const char*> kp;
  std::vector<size_t> kl;
  for (const auto& k : er->keys) {
    kp.push_back(k.data());
    kl.push_back(k.size());
  }
  rados_read_op_omap_get_vals_by_keys2(er->op.op, kp.data(), kp.size(), kl.data(), &er->it.it,
                                       &er->rv);
  const std::string ioid = RadosStore::index_oid(bucket_);
  if (rados_aio_read_op_operate(er->op.op, st_.index_io(), er->c.c, ioid.c_str(), 0) == 0)
    entry_read_ = std::move(er);
  else
    er->c.submitted = false;  // the commit reads it itself
}

void RadosWriter::start_pending() {
  stamped_ns_ = now_ns();
  stamp_ = encode_ts(stamped_ns_);
  pending_op_ = st_.set_pending_async(RadosStore::index_oid(bucket_), pending_, stamp_);
}

void RadosWriter::start_head_read() {
  auto hr = std::make_unique<AsyncXattrRead>();
  rados_read_op_getxattrs(hr->op.op, &hr->xi.it, &hr->xrv);
  if (rados_aio_read_op_operate(hr->op.op, st_.data_io(), hr->c.c, head_.c_str(), 0) == 0)
    head_read_ = std::move(hr);
  else
    hr->c.submitted = false;  // the swap reads the head itself
}

// What every head swap writes: the body (or none: it is in tails or
// parts), its xattrs, and rgw.inline, which says whether the head holds the
// whole body (a blind swap's guard).
void RadosWriter::head_op(WriteOp& op, const std::string& info_bytes,
                          const std::string& epoch_bytes, const std::string& man_bytes,
                          const std::string& prev, bool inline_body) const {
  if (inline_body) {
    rados_write_op_write_full(op.op, buf_.data(), buf_.size());
  } else {
    rados_write_op_write_full(op.op, "", 0);
  }
  rados_write_op_setxattr(op.op, "rgw.info", info_bytes.data(), info_bytes.size());
  rados_write_op_setxattr(op.op, "rgw.tag", tag_.data(), tag_.size());
  rados_write_op_setxattr(op.op, "rgw.epoch", epoch_bytes.data(), epoch_bytes.size());
  rados_write_op_setxattr(op.op, "rgw.manifest", man_bytes.data(), man_bytes.size());
  rados_write_op_setxattr(op.op, "rgw.prev", prev.data(), prev.size());
  rados_write_op_setxattr(op.op, "rgw.inline", inline_body ? "1" : "0", 1);
}

int RadosWriter::swap_head(WriteOp& op) {
  try {
    return operate_write(op.op, st_.data_io(), head_);
  } catch (...) {
    state_ = State::swapped;
    throw;
  }
}

void RadosWriter::point(const char* step) const {
  crash_point(
      (std::string(mode_ == Mode::complete ? "rados:complete:" : "rados:put:") + step).c_str());
}

RadosWriter::~RadosWriter() { cleanup(); }

void RadosWriter::write(const char* data, size_t len) {
  if (state_ == State::failed) fail(RGW_ERR_INVALID_ARGUMENT, "writer failed earlier: " + failure_);
  if (state_ != State::open) fail(RGW_ERR_INVALID_ARGUMENT, "write after commit or abort");
  // Any failure poisons the writer: what it has buffered, written and summed
  // no longer agree, so it must never commit.
  try {
    refresh_pending();
    while (len > 0) {
      if (buf_.size() == kStripe) flush_tail();  // more data: the body goes to tails
      size_t n = std::min<size_t>(len, kStripe - buf_.size());
      if (buf_.capacity() < kStripe && buf_.size() + n > (64u << 10)) buf_.reserve(kStripe);
      buf_.append(data, n);
      md5_.update(data, n);
      size_ += n;
      data += n;
      len -= n;
    }
  } catch (const std::exception& e) {
    failed(e.what());
    throw;
  } catch (...) {
    failed("unknown error");
    throw;
  }
}

void RadosWriter::failed(const char* what) {
  if (state_ != State::open) return;
  state_ = State::failed;
  failure_ = what;
}

// Re-stamps the pending record once it is kPendingRefresh old, so that gc
// sees a live writer.  One op guarded by the value we last wrote: gc removes
// a record it judged dead (older than its grace), with the same guard, before
// it reclaims the tails, and then this fails.
void RadosWriter::refresh_pending() {
  const int64_t now = now_ns();
  if (now - stamped_ns_ < kPendingRefresh) return;
  wait_pending();
  const std::string ioid = RadosStore::index_oid(bucket_);
  const std::string next = encode_ts(now);
  WriteOp op;
  int cmp_rv = 0;
  rados_write_op_assert_exists(op.op);
  rados_write_op_omap_cmp2(op.op, pending_.data(), LIBRADOS_CMPXATTR_OP_EQ, stamp_.data(),
                           pending_.size(), stamp_.size(), &cmp_rv);
  omap_set_one_in(op.op, pending_, next);
  int r = rados_write_op_operate(op.op, st_.index_io(), ioid.c_str(), nullptr, 0);
  if (is_cmp_failure(r))
    fail(RGW_ERR_CONFLICT,
         "upload stalled longer than the gc grace period; its data was reclaimed");
  if (r == -ENOENT)
    fail(RGW_ERR_NO_SUCH_BUCKET, "bucket '" + bucket_.name + "' was removed during the upload");
  if (r < 0) rados_fail(r, "refresh pending record in index/" + ioid);
  stamp_ = next;
  stamped_ns_ = now;
}

void RadosWriter::wait_inflight() {
  if (!inflight_) return;
  int r = inflight_->wait();
  inflight_.reset();
  if (r < 0) rados_fail(r, "write data/" + inflight_oid_);
}

void RadosWriter::wait_pending() {
  await_pending(pending_op_, bucket_.name, RadosStore::index_oid(bucket_), " during the upload");
}

void RadosWriter::flush_tail() {
  if (tails_ == 0) wait_pending();  // no tail may exist without its pending record
  refresh_pending();                // also within one long write() call
  wait_inflight();                  // at most one tail in flight: tails are written in order
  auto c = std::make_unique<Completion>();
  std::string oid = tail_oid(head_, tag_, tails_);
  // The C API copies the buffer, so buf_ is free again on return.
  int r = rados_aio_write_full(st_.data_io(), oid.c_str(), c->c, buf_.data(), buf_.size());
  if (r < 0) {
    c->submitted = false;
    rados_fail(r, "write data/" + oid);
  }
  ++tails_;
  inflight_ = std::move(c);
  inflight_oid_ = std::move(oid);
  buf_.clear();
}

ObjectInfo RadosWriter::commit(const WriteOptions& options) {
  if (state_ == State::failed) fail(RGW_ERR_INVALID_ARGUMENT, "writer failed earlier: " + failure_);
  if (state_ != State::open) fail(RGW_ERR_INVALID_ARGUMENT, "commit after commit or abort");
  if (mode_ == Mode::complete) fail(RGW_ERR_INVALID_ARGUMENT, "a completion has no body");
  try {
    if (mode_ == Mode::part) return commit_part();
    conditions_.if_match = options.if_match;
    conditions_.if_none_match = options.if_none_match;
    if (tails_ > 0 && !buf_.empty()) flush_tail();
    wait_inflight();
    ObjectInfo info = committed_object_info(key_, size_, md5_.hex_digest(), options);
    Manifest m;
    m.tag = tag_;
    m.size = size_;
    m.stripe = kStripe;
    m.num_tails = tails_;
    if (tails_ > 0) m.segs.push_back(Segment{tag_, size_, tails_});
    return publish(info, m, nullptr);
  } catch (...) {
    if (state_ == State::open) cleanup();
    state_ = State::done;
    throw;
  }
}

ObjectInfo RadosWriter::complete(const ObjectInfo& info, const Manifest& m,
                                 const IndexExtras& extras, const WriteOptions& conditions) {
  conditions_.if_match = conditions.if_match;
  conditions_.if_none_match = conditions.if_none_match;
  try {
    return publish(info, m, &extras);
  } catch (...) {
    if (state_ == State::open) cleanup();  // not swapped: the upload reopens
    state_ = State::done;
    throw;
  }
}

// The bucket check, the head swap, the old body to gc, and the index update
// (with `extras` in the same op).  The caller cleans up while state_ is open.
ObjectInfo RadosWriter::publish(const ObjectInfo& info, const Manifest& m,
                                const IndexExtras* extras) {
  if (versioned_) return publish_version(info, m, extras);
  const bool inline_body = m.segs.empty() && !m.multipart;
  const std::string info_bytes = encode_object_info(info);
  const std::string man_bytes = encode_manifest(m);

  // The bucket may have been removed (or re-created) during the upload.
  // The pending record is in the index (and young) before the check: a
  // remover that tombstones the record after the check finds it there when
  // it looks again, and backs off.
  wait_pending();
  refresh_pending();
  BucketInfo cur = st_.get_bucket(bucket_.name);
  if (cur.id != bucket_.id)
    fail(RGW_ERR_NO_SUCH_BUCKET, "bucket '" + bucket_.name + "' was removed during the upload");

  // The expiry is queued before any head carries it (docs/expiry.md).
  if (info.delete_at) st_.queue_expiry(bucket_.name, key_, info.delete_at);
  point("before-head-swap");

  // Head swap: last writer wins; the old head is replaced only if unchanged.
  bool swapped = false;
  std::string old_tag;
  Manifest old_man;
  bool had_old = false;
  uint64_t epoch = 0;
  // Blind: over a head that holds its body (no tails: nothing to queue for
  // gc, so its tag and manifest are not needed) and is older than ours.
  bool blind =
      blind_ && inline_body && conditions_.if_match.empty() && conditions_.if_none_match.empty();
  for (int attempt = 0; attempt < kMaxRetries && !swapped; ++attempt) {
    refresh_pending();  // no head over reclaimed tails, however long this takes
    if (blind) {
      blind = false;  // once: a failed guard reads the head
      epoch = next_epoch(0);
      const std::string epoch_bytes = encode_epoch(epoch);
      WriteOp op;
      rados_write_op_cmpxattr(op.op, "rgw.inline", LIBRADOS_CMPXATTR_OP_EQ, "1", 1);
      rados_write_op_cmpxattr(op.op, "rgw.epoch", LIBRADOS_CMPXATTR_OP_GT, epoch_bytes.data(),
                              epoch_bytes.size());  // passes if ours is greater
      head_op(op, info_bytes, epoch_bytes, man_bytes, std::string(), inline_body);
      int r = swap_head(op);
      if (r == 0) {
        swapped = true;
        had_old = true;  // with nothing to reclaim: old_man stays empty
        break;
      }
      if (!(is_cmp_failure(r) || r == -ENOENT)) {
        state_ = State::swapped;  // maybe applied (a timeout): as below
        rados_fail(r, "write data/" + head_);
      }
      st_.inline_heads.erase(head_);  // replaced or removed by someone else
    }
    Xattrs x;
    int r;
    if (head_read_) {
      r = head_read_->c.wait();
      if (r == 0 && head_read_->xrv < 0) r = head_read_->xrv;
      if (r == 0) head_read_->xi.drain(x);
      head_read_.reset();
    } else {
      r = read_head(x);
    }
    if (r < 0 && r != -ENOENT) rados_fail(r, "stat data/" + head_);
    had_old = r == 0;
    old_tag = had_old && x.count("rgw.tag") ? x["rgw.tag"] : std::string();
    old_man = Manifest();
    if (had_old && x.count("rgw.manifest")) old_man = decode_manifest(x["rgw.manifest"]);
    if (!conditions_.if_match.empty() || !conditions_.if_none_match.empty()) {
      // The head checked is the head the guarded swap replaces.
      ObjectInfo old_info;
      const bool parsed = had_old && x.count("rgw.info");
      if (parsed) old_info = decode_object_info(x["rgw.info"]);
      check_write_conditions(conditions_, parsed ? &old_info : nullptr);
    }
    epoch = next_epoch(had_old ? head_epoch(x) : 0);
    const std::string epoch_bytes = encode_epoch(epoch);
    const std::string prev = encode_prev(old_tag, old_man);
    WriteOp op;
    if (had_old) {
      RadosStore::guard_head(op, x);
    } else {
      rados_write_op_create(op.op, LIBRADOS_CREATE_EXCLUSIVE, nullptr);
    }
    head_op(op, info_bytes, epoch_bytes, man_bytes, prev, inline_body);
    r = swap_head(op);
    if (r == 0) {
      swapped = true;
    } else if (!(is_cmp_failure(r) || r == -EEXIST || r == -ENOENT)) {
      // The op may have been applied (a timeout): leave the pending record
      // for gc, which knows from the head.
      state_ = State::swapped;
      rados_fail(r, "write data/" + head_);
    }
  }
  if (!swapped) fail(RGW_ERR_CONFLICT, "object '" + key_ + "' kept changing during the upload");
  state_ = State::swapped;
  buf_.clear();
  buf_.shrink_to_fit();
  if (inline_body)
    st_.inline_heads.add(head_);
  else
    st_.inline_heads.erase(head_);

  // From here on a failure leaves the pending record for gc() to resolve.
  point("after-head-swap");
  if (had_old) st_.enqueue_gc_segments(head_, old_man.segs);
  point("before-index");
  if (!extras && inline_body) {
    // A plain PUT of a body in its head is answered now: its entry goes
    // out detached, with the pending record kept until it lands.
    st_.index_set_detached(bucket_, key_, tag_, epoch, info_bytes, pending_);
    state_ = State::done;
    return info;
  }
  // One op: the entry, unless something newer is there, and the pending record.
  const std::string ioid = RadosStore::index_oid(bucket_);
  int r = st_.index_set(ioid, key_, encode_index_entry(epoch, info_bytes), &pending_, extras);
  if (is_cmp_failure(r)) {
    if (!st_.settle_outranked(bucket_, key_, tag_, epoch, info_bytes, pending_))
      fail(RGW_ERR_CONFLICT, "index entry of '" + key_ + "' kept changing");
    if (extras) st_.apply_extras(ioid, *extras);
  } else if (r == -ENOENT) {
    // The bucket was removed after all (its remover missed our pending
    // record): nothing can reach our head now; take it back if still ours.
    if (st_.take_back_head(head_, tag_)) st_.enqueue_gc_segments(head_, m.segs);
    fail(RGW_ERR_NO_SUCH_BUCKET, "bucket '" + bucket_.name + "' was removed during the upload");
  } else if (r < 0) {
    rados_fail(r, "set index/" + ioid + " entry of '" + key_ + "'");
  }
  state_ = State::done;
  return info;
}

// A versioned bucket: the body (inline, or the manifest of its tails or
// parts) goes to a new object, version_oid(head_, tag_), created
// exclusively; then ONE index op (RadosStore::commit_version) publishes it
// as the current version, asserting the key's entry and our pending record
// and dropping the latter.  Until that op lands nothing references the
// object: a writer that dies leaves its pending record, and gc removes the
// object and its tails.
ObjectInfo RadosWriter::publish_version(ObjectInfo info, const Manifest& m,
                                        const IndexExtras* extras) {
  const bool inline_body = m.segs.empty() && !m.multipart;
  wait_pending();
  refresh_pending();
  BucketInfo cur = st_.get_bucket(bucket_.name);
  if (cur.id != bucket_.id)
    fail(RGW_ERR_NO_SUCH_BUCKET, "bucket '" + bucket_.name + "' was removed during the upload");
  // The state when the write is carried out decides the version id.
  info.version_id = RadosStore::next_version_id(cur);
  if (info.delete_at) st_.queue_expiry(bucket_.name, key_, info.delete_at);
  point("version-before-object");
  const std::string oid = version_oid(head_, tag_);
  const std::string info_bytes = encode_object_info(info);
  const std::string man_bytes = encode_manifest(m);
  const std::string epoch_bytes = encode_epoch(0);
  {
    WriteOp op;
    rados_write_op_create(op.op, LIBRADOS_CREATE_EXCLUSIVE, nullptr);
    if (inline_body)
      rados_write_op_write_full(op.op, buf_.data(), buf_.size());
    else
      rados_write_op_write_full(op.op, "", 0);
    rados_write_op_setxattr(op.op, "rgw.info", info_bytes.data(), info_bytes.size());
    rados_write_op_setxattr(op.op, "rgw.tag", tag_.data(), tag_.size());
    rados_write_op_setxattr(op.op, "rgw.manifest", man_bytes.data(), man_bytes.size());
    int r = rados_write_op_operate(op.op, st_.data_io(), oid.c_str(), nullptr, 0);
    vobj_ = true;  // (maybe) written: cleanup removes it
    if (r < 0) rados_fail(r, "write data/" + oid);
  }
  buf_.clear();
  buf_.shrink_to_fit();
  point("version-before-index");
  std::map<std::string, std::string> first;
  const std::map<std::string, std::string>* firstp = nullptr;
  if (entry_read_) {
    int r = entry_read_->c.wait();
    if (r == 0) r = entry_read_->rv;
    if (r == 0) {
      std::vector<KV> kvs;
      entry_read_->it.drain(kvs);
      first.insert(kvs.begin(), kvs.end());
      firstp = &first;
    }
    entry_read_.reset();
  }
  VersionEntry v;
  v.where = VersionWhere::object;
  v.tag = tag_;
  v.info = info;
  RadosStore::VersionCommit c;
  c.pending = &pending_;
  c.stamp = &stamp_;
  c.extras = extras;
  c.first = firstp;
  if (!conditions_.if_match.empty() || !conditions_.if_none_match.empty())
    c.check = [this, &c](const std::optional<VersionEntry>& current) {
      try {  // the version checked is the one the op asserts
        check_write_conditions(conditions_, current ? &current->info : nullptr);
      } catch (...) {
        c.gone = true;  // nothing landed: the caller cleans up
        throw;
      }
      return true;
    };
  try {
    auto done = st_.commit_version(bucket_, key_, v, c);
    state_ = State::done;
    return *done;
  } catch (...) {
    // Not landed for sure: take it all back (a completion reopens its
    // upload).  Otherwise the pending record stays for gc.
    if (!c.gone) state_ = State::swapped;
    throw;
  }
}

// A part: its stripes are written; one index op publishes its record (if the
// upload is still open and our pending record still ours), drops the pending
// record, and hands a part it replaces to gc (a dead-stripes record).
ObjectInfo RadosWriter::commit_part() {
  if (!buf_.empty()) flush_tail();  // a part's bytes all go to stripes
  wait_inflight();
  wait_pending();
  refresh_pending();
  BucketInfo cur = st_.get_bucket(bucket_.name);
  if (cur.id != bucket_.id)
    fail(RGW_ERR_NO_SUCH_BUCKET, "bucket '" + bucket_.name + "' was removed during the upload");
  crash_point("rados:part:before-publish");
  const std::string ioid = RadosStore::index_oid(bucket_);
  const std::string ukey = upload_key(part_.upload_id);
  const std::string pkey = part_key(part_.upload_id, part_.number);
  PartRec rec;
  rec.info.number = part_.number;
  rec.info.size = size_;
  rec.info.etag = md5_.hex_digest();
  rec.info.mtime_ns = now_ns();
  rec.tag = tag_;
  rec.stripes = tails_;
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    auto got = st_.omap_get(st_.index_io(), ioid, {ukey, pkey, pending_});
    if (!got.count(pending_))
      fail(RGW_ERR_CONFLICT,
           "upload stalled longer than the gc grace period; its data was reclaimed");
    if (!got.count(ukey) || got[ukey] != part_.upload_raw)
      fail(RGW_ERR_NO_SUCH_UPLOAD, "upload '" + part_.upload_id + "' ended during the part upload");
    const std::string old = got.count(pkey) ? got[pkey] : std::string();
    WriteOp op;
    int cmp_rv[3] = {0, 0, 0};
    rados_write_op_assert_exists(op.op);
    rados_write_op_omap_cmp2(op.op, ukey.data(), LIBRADOS_CMPXATTR_OP_EQ, part_.upload_raw.data(),
                             ukey.size(), part_.upload_raw.size(), &cmp_rv[0]);
    rados_write_op_omap_cmp2(op.op, pending_.data(), LIBRADOS_CMPXATTR_OP_EQ, stamp_.data(),
                             pending_.size(), stamp_.size(), &cmp_rv[1]);
    rados_write_op_omap_cmp2(op.op, pkey.data(), LIBRADOS_CMPXATTR_OP_EQ, old.data(), pkey.size(),
                             old.size(), &cmp_rv[2]);
    // The uploads this one replaces stay in its record (a completion may
    // name their etag), but one per etag: one of ours is dead stripes.
    std::vector<KV> set;
    rec.older.clear();
    if (!old.empty()) {
      PartRec was = decode_part_rec(part_.number, old);
      std::vector<PartRec> earlier{was};
      earlier[0].older.clear();
      earlier.insert(earlier.end(), was.older.begin(), was.older.end());
      for (const PartRec& e : earlier) {
        if (e.info.etag != rec.info.etag) {
          rec.older.push_back(e);
        } else {
          set.emplace_back(dead_key(e.tag),
                           encode_dead(now_ns(), head_, Segment{e.tag, e.info.size, e.stripes}));
        }
      }
    }
    set.emplace_back(pkey, encode_part_rec(rec));
    omap_set_in(op, set);
    omap_rm_in(op, pending_);
    int r = rados_write_op_operate(op.op, st_.index_io(), ioid.c_str(), nullptr, 0);
    if (r == 0) {
      state_ = State::done;
      ObjectInfo info = committed_object_info(key_, size_, rec.info.etag, WriteOptions{});
      info.mtime_ns = rec.info.mtime_ns;
      return info;
    }
    if (r == -ENOENT)
      fail(RGW_ERR_NO_SUCH_BUCKET, "bucket '" + bucket_.name + "' was removed during the upload");
    if (!is_cmp_failure(r)) rados_fail(r, "set index/" + ioid + " part record");
    // Another upload of this part number landed first, or the upload ended: look again.
  }
  fail(RGW_ERR_CONFLICT, "part " + std::to_string(part_.number) + " kept changing");
}

int RadosWriter::read_head(Xattrs& x) {
  ReadOp op;
  XattrIter xi;
  int xrv = 0;
  rados_read_op_getxattrs(op.op, &xi.it, &xrv);
  int r = rados_read_op_operate(op.op, st_.data_io(), head_.c_str(), 0);
  if (r == 0 && xrv < 0) r = xrv;
  if (r == 0) xi.drain(x);
  return r;
}

void RadosWriter::abort() { cleanup(); }

// Aborts an open or failed writer: its tails and pending record go.  Never throws.
void RadosWriter::cleanup() noexcept {
  if (state_ != State::open && state_ != State::failed) return;
  state_ = State::done;
  inflight_.reset();  // waits
  head_read_.reset();
  entry_read_.reset();
  pending_op_.reset();  // waits: the removal below must come after it
  rados_ioctx_t io = st_.data_io();
  if (vobj_) rados_remove(io, version_oid(head_, tag_).c_str());
  for (uint64_t i = tails_; i-- > 0;) rados_remove(io, tail_oid(head_, tag_, i).c_str());
  try {
    if (undo_)
      undo_();  // a completion: reopens the upload, drops the pending record
    else
      omap_rm(st_.index_io(), RadosStore::index_oid(bucket_), pending_);
  } catch (...) {
  }
  buf_.clear();
  buf_.shrink_to_fit();
}

}  // namespace rgw::rados
