// index.cpp - the bucket index in the RADOS driver: pending records of
// writes and deletes in flight, the epoch-ordered index updates (the index is
// a max-register, see rados/rados_store.h), the repair of entries from their
// heads, and listing.
#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "errors.h"
#include "listing.h"
#include "rados/rados_store.h"

namespace rgw::rados {

void await_pending(std::unique_ptr<PendingWrite>& op, const std::string& bucket,
                   const std::string& ioid, const char* when) {
  if (!op) return;
  int r = op->wait();
  op.reset();
  if (r == -ENOENT) fail(RGW_ERR_NO_SUCH_BUCKET, "bucket '" + bucket + "' was removed" + when);
  if (r < 0) rados_fail(r, "set pending record in index/" + ioid);
}

// Sets an omap key to an index record in flight (the pending record of a
// writer or remover, `ts` its encode_ts time); the caller waits for it
// before touching the head.  -ENOENT then: the bucket was removed (the op
// must not re-create its index).
std::unique_ptr<PendingWrite> RadosStore::set_pending_async(const std::string& ioid,
                                                            const std::string& pend,
                                                            const std::string& ts) {
  fail_if_no_wait("a RADOS write");
  auto c = std::make_shared<IndexChange>();
  c->kind = IndexChange::Kind::kPending;
  c->pending = pend;
  c->stamp = ts;
  index_batch_->submit(ioid, c);
  return std::make_unique<PendingWrite>(*index_batch_, std::move(c));
}

// Sets the entry of `key` to `entry` (<epoch> + info).
int RadosStore::index_set(const std::string& ioid, const std::string& key, const std::string& entry,
                          const std::string* pending, const IndexExtras* extras) {
  fail_if_no_wait("a RADOS write");
  auto c = std::make_shared<IndexChange>();
  c->kind = IndexChange::Kind::kEntry;
  c->key = key;
  c->entry = entry;
  c->removed = removed_key(key);
  if (pending) c->pending = *pending;
  if (!extras) return index_batch_->run(ioid, std::move(c));  // with other writers' changes
  // With extras (a multipart completion): the same change and the extras,
  // in an op of its own.
  WriteOp op;
  rados_write_op_assert_exists(op.op);  // a removed bucket's index stays removed
  add_index_change(op.op, *c);
  extras_in(op, *extras);
  return rados_write_op_operate(op.op, index_, ioid.c_str(), nullptr, 0);
}

void RadosStore::index_set_detached(const BucketInfo& b, const std::string& key,
                                    const std::string& tag, uint64_t epoch,
                                    const std::string& info_bytes, const std::string& pending) {
  // Tests: as if the process died before the op was sent.
  if (drop_point("rados:put:detached-index")) return;
  auto c = std::make_shared<IndexChange>();
  c->kind = IndexChange::Kind::kEntry;
  c->key = key;
  c->entry = encode_index_entry(epoch, info_bytes);
  c->removed = removed_key(key);
  c->pending = pending;
  c->outcome = [this, b, key, tag, epoch, info_bytes, pending](int r) {
    settle_detached_entry(b, key, tag, epoch, info_bytes, pending, r);
  };
  index_batch_->submit_detached(index_oid(b), std::move(c));
}

void RadosStore::index_remove_detached(const std::string& ioid, const std::string& key,
                                       uint64_t epoch, const std::string& pending) {
  // Tests: as if the process died before the op was sent.
  if (drop_point("rados:delete:detached-index")) return;
  auto c = std::make_shared<IndexChange>();
  c->kind = IndexChange::Kind::kRemove;
  c->key = key;
  c->entry = encode_epoch(epoch);
  c->removed = removed_key(key);
  c->pending = pending;
  c->outcome = [this, ioid, pending](int r) {
    // A newer write in the index: it stays, our pending record goes.  A
    // removed index: nothing left to do.  Anything else (a timeout): the
    // record, if still there, is for listings and gc.
    if (is_cmp_failure(r)) (void)omap_rm(index_, ioid, pending);
  };
  index_batch_->submit_detached(ioid, std::move(c));
}

void RadosStore::settle_detached_entry(const BucketInfo& b, const std::string& key,
                                       const std::string& tag, uint64_t epoch,
                                       const std::string& info_bytes, const std::string& pending,
                                       int r) noexcept {
  try {
    if (r == 0) return;
    if (r == -ENOENT) {
      // The bucket was removed after all (its remover missed our pending
      // record): nothing can reach our head now; take it back if still ours
      // (a body in the head: no tails to queue).
      (void)take_back_head(head_oid(b, key), tag);
      return;
    }
    if (is_cmp_failure(r)) (void)settle_outranked(b, key, tag, epoch, info_bytes, pending);
    // Anything else (a timeout): it may or may not have landed; the pending
    // record, if still there, leaves the key to listings and gc.
  } catch (...) {
    // As above: what is left is a dead writer's, for listings and gc.
  }
}

bool RadosStore::take_back_head(const std::string& head, const std::string& tag) {
  WriteOp op;
  rados_write_op_cmpxattr(op.op, "rgw.tag", LIBRADOS_CMPXATTR_OP_EQ, tag.data(), tag.size());
  rados_write_op_remove(op.op);
  return operate_write(op.op, data_, head) == 0;
}

bool RadosStore::settle_outranked(const BucketInfo& b, const std::string& key,
                                  const std::string& tag, uint64_t epoch,
                                  const std::string& info_bytes, const std::string& pending) {
  const std::string ioid = index_oid(b);
  const std::string head = head_oid(b, key);
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    Xattrs x;
    int r = read_obj(data_, head, nullptr, &x);
    if (r < 0 && r != -ENOENT) rados_fail(r, "stat data/" + head);
    auto t = x.find("rgw.tag");
    const bool current = r == 0 && t != x.end() && t->second == tag && head_epoch(x) == epoch;
    const std::string entry = encode_index_entry(epoch, info_bytes);
    auto got = omap_get(index_, ioid, {key, removed_key(key)});
    if (!current || (got.count(key) && got[key] == entry)) {
      omap_rm_or_fail(index_, ioid, pending);
      return true;
    }
    uint64_t top = 0;
    for (const auto& kv : got) top = std::max(top, decode_epoch(kv.second, "index/" + ioid));
    if (top >= epoch) {
      const uint64_t raised = top + 1;
      const std::string raised_bytes = encode_epoch(raised);
      WriteOp op;
      guard_head(op, x);
      rados_write_op_setxattr(op.op, "rgw.epoch", raised_bytes.data(), raised_bytes.size());
      r = rados_write_op_operate(op.op, data_, head.c_str(), nullptr, 0);
      if (r == -ENOENT || is_cmp_failure(r)) continue;  // changed meanwhile: look again
      if (r < 0) rados_fail(r, "write data/" + head);
      epoch = raised;
    }
    r = index_set(ioid, key, encode_index_entry(epoch, info_bytes), &pending);
    if (r == 0) return true;
    if (!is_cmp_failure(r)) rados_fail(r, "set index/" + ioid + " entry of '" + key + "'");
  }
  return false;
}

void RadosStore::extras_in(WriteOp& op, const IndexExtras& x) {
  if (!x.set.empty()) omap_set_in(op, x.set);
  if (x.rm.empty()) return;
  std::vector<const char*> kp;
  std::vector<size_t> kl;
  for (const auto& k : x.rm) {
    kp.push_back(k.data());
    kl.push_back(k.size());
  }
  rados_write_op_omap_rm_keys2(op.op, kp.data(), kl.data(), kp.size());
}

// The extras of an index update whose entry lost to a newer one.
void RadosStore::apply_extras(const std::string& ioid, const IndexExtras& x) {
  if (x.set.empty() && x.rm.empty()) return;
  WriteOp op;
  rados_write_op_assert_exists(op.op);  // never re-creates a removed index
  extras_in(op, x);
  int r = rados_write_op_operate(op.op, index_, ioid.c_str(), nullptr, 0);
  if (r < 0 && r != -ENOENT) rados_fail(r, "update index/" + ioid);
}

// Repairs the entry of `key` from its head, as just read (`want`: the entry
// it implies, nullopt for no head); `cur` is the entry as read from the
// index (nullopt: none).  Removes `pending` too, whatever the outcome.
void RadosStore::repair_entry(const std::string& ioid, const std::string& key,
                              const std::optional<std::string>& want,
                              const std::optional<std::string>& cur, const std::string* pending,
                              bool create) {
  int r = 0;
  if ((cur && is_version_entry(*cur)) || (!cur && !create)) {
    // A version entry is only ever changed whole by a versioned op: the
    // plain head says nothing about it.
    if (pending) r = omap_rm(index_, ioid, *pending);
  } else if (want) {
    if (want != cur)
      r = index_set(ioid, key, *want, pending);  // newer there: fine
    else if (pending)
      r = omap_rm(index_, ioid, *pending);
  } else if (cur) {
    r = omap_rm_exact(index_, ioid, key, *cur, pending);  // changed meanwhile: newer
  } else if (pending) {
    r = omap_rm(index_, ioid, *pending);
  }
  if (is_cmp_failure(r) && pending) r = omap_rm(index_, ioid, *pending);
  if (r < 0 && !is_cmp_failure(r) && r != -ENOENT)
    rados_fail(r, "repair index/" + ioid + " entry of '" + key + "'");
}

// Brings the index entries of keys with a write or delete in flight (or
// left by a dead writer) in line with their heads, as a listing does.
void RadosStore::repair_pending_entries(const BucketInfo& b) {
  const std::string ioid = index_oid(b);
  std::set<std::string> pend;
  scan_pending(ioid, true, [&](const std::string& full, const std::string&) {
    std::string key, tag;
    if (parse_pending(full, &key, &tag) && !is_version_tag(tag)) pend.insert(key);
    return true;
  });
  if (pend.empty()) return;
  auto cur = omap_get(index_, ioid, std::vector<std::string>(pend.begin(), pend.end()));
  for (const auto& key : pend) {
    const std::string head = head_oid(b, key);
    Xattrs x;
    int r = read_obj(data_, head, nullptr, &x);
    if (r < 0 && r != -ENOENT) rados_fail(r, "stat data/" + head);
    auto it = cur.find(key);
    repair_entry(ioid, key, entry_of_head(r, x),
                 it == cur.end() ? std::nullopt : std::optional<std::string>(it->second), nullptr,
                 b.versioning == Versioning::unversioned);
  }
}

// The entry a head implies (nullopt: no head, or not an object).
std::optional<std::string> RadosStore::entry_of_head(int read_rv, const Xattrs& x) {
  if (read_rv != 0) return std::nullopt;
  auto i = x.find("rgw.info");
  if (i == x.end()) return std::nullopt;
  return encode_index_entry(head_epoch(x), i->second);
}

ListResult RadosStore::list_objects(const std::string& bucket, const ListParams& params) {
  validate_list_params(params);  // a NUL would cut the omap bounds short
  // (Listing versions checks the version marker against the key's versions.)
  if (!params.versions && !params.version_marker.empty())
    check_version(ObjectRef{bucket, params.marker, params.version_marker});
  return list_index(get_bucket(bucket), params);
}

// The listing: index entries in order; keys with a pending record are
// checked against their head first (repaired, never served as phantoms).
ListResult RadosStore::list_index(const BucketInfo& b, const ListParams& p) {
  ListResult out;
  const unsigned max = std::min(p.max_keys, 1000u);
  if (max == 0) return out;
  const std::string ioid = index_oid(b);

  // Object keys that have a write or delete in flight (or left by a crash).
  std::set<std::string> pend;
  // (A versioned op is one index op: nothing of it to check.)
  scan_pending(ioid, true, [&](const std::string& full, const std::string&) {
    std::string key, tag;
    if (parse_pending(full, &key, &tag) && !is_version_tag(tag)) pend.insert(key);
    return true;
  });
  const bool create = b.versioning == Versioning::unversioned;

  unsigned count = 0;
  // Listing versions: a key's version records, newest first, after
  // `start_after` (a version record key, or the key's prefix for all of
  // them); each is latest when it is the key's entry `cur`.  False once the
  // page is full.
  auto take_versions = [&](const std::string& key, const std::string& cur,
                           std::string start_after) {
    const std::string vp = versions_prefix(key);
    for (;;) {
      std::vector<KV> page;
      bool more = false;
      int rr = omap_page(index_, ioid, start_after, vp,
                         std::min<uint64_t>(kOmapPage, max - count + 1), page, more);
      if (rr == -ENOENT) return true;
      if (rr < 0) rados_fail(rr, "list index/" + ioid);
      for (const auto& kv : page) {
        if (count == max) {
          out.truncated = true;
          return false;
        }
        ++count;
        VersionEntry v = decode_version_entry(kv.second);
        v.info.is_latest = kv.second == cur;
        out.next_marker = key;
        out.next_version_marker = v.info.version_id;
        out.objects.push_back(std::move(v.info));
      }
      if (!more || page.empty()) return true;
      start_after = page.back().first;
    }
  };
  // Resuming after a version of the marker key: its older versions first.
  if (p.versions && !p.version_marker.empty() && !p.marker.empty()) {
    auto got = omap_get(index_, ioid, {p.marker, version_id_key(p.marker, p.version_marker)});
    const std::string ik = version_id_key(p.marker, p.version_marker);
    auto it = got.find(p.marker);
    const bool legacy_null =
        it != got.end() && !is_version_entry(it->second) && p.version_marker == "null";
    if (!got.count(ik) && !legacy_null)
      fail(RGW_ERR_NO_SUCH_VERSION,
           "no version '" + p.version_marker + "' of '" + p.marker + "' in '" + b.name + "'");
    if (got.count(ik) && p.marker >= p.prefix &&
        p.marker.compare(0, p.prefix.size(), p.prefix) == 0 && common_prefix(p.marker, p).empty() &&
        !take_versions(p.marker, it == got.end() ? std::string() : it->second,
                       version_key(p.marker, decode_version_entry(got[ik]).epoch)))
      return out;
  }

  std::string after;  // exclusive; "" with a prefix starts at the prefix
  if (p.marker >= p.prefix) {
    std::string cp = common_prefix(p.marker, p);
    after = cp.empty() ? p.marker : prefix_end(cp);
  }
  std::string skip_to;  // keys below it roll up into the last common prefix
  for (;;) {
    std::vector<KV> page;
    bool more = false;
    uint64_t n = p.delimiter.empty() ? std::min<uint64_t>(kOmapPage, max - count + 1 + pend.size())
                                     : kOmapPage;
    int r = omap_page(index_, ioid, after, p.prefix, n, page, more);
    if (r == -ENOENT) return out;
    if (r < 0) rados_fail(r, "list index/" + ioid);
    // Pending records sort last: the listing ends there.
    auto first_pending = std::find_if(page.begin(), page.end(), [](const KV& kv) {
      return !kv.first.empty() && kv.first[0] == '\xff';
    });
    if (first_pending != page.end()) {
      page.erase(first_pending, page.end());
      more = false;
    }
    // Candidates: this page's entries plus pending keys in the same range.
    std::map<std::string, std::optional<std::string>> cand;
    for (auto& kv : page) cand.emplace(kv.first, std::move(kv.second));
    const std::string page_last = more && !page.empty() ? page.back().first : std::string();
    for (auto it = pend.upper_bound(after); it != pend.end(); ++it) {
      if (more && *it > page_last) break;
      if (it->compare(0, p.prefix.size(), p.prefix) != 0) continue;
      cand.emplace(*it, std::nullopt);
    }
    for (auto& [key, value] : cand) {
      if (!skip_to.empty() && key < skip_to) continue;
      if (!p.end_marker.empty() && key >= p.end_marker) return out;  // keys sort: none follow
      std::optional<std::string> v = value;
      if (pend.count(key) && !(value && is_version_entry(*value)) && (value || create)) {
        // Serve what the head says, and bring the index in line with it
        // (ordered like any index update: a newer one is left alone).
        const std::string head = head_oid(b, key);
        Xattrs x;
        r = read_obj(data_, head, nullptr, &x);
        if (r < 0 && r != -ENOENT) rados_fail(r, "stat data/" + head);
        v = entry_of_head(r, x);
        repair_entry(ioid, key, v, value, nullptr, create);
      }
      if (!v) continue;
      const bool versioned = is_version_entry(*v);
      if (!p.versions && versioned && decode_index_entry(*v).delete_marker) continue;
      if (count == max) {
        out.truncated = true;
        return out;
      }
      ++count;
      std::string cp = common_prefix(key, p);
      if (!cp.empty()) {
        out.common_prefixes.push_back(cp);
        out.next_marker = cp;
        out.next_version_marker.clear();
        skip_to = prefix_end(cp);
      } else if (p.versions && versioned) {
        --count;  // counted by version
        if (!take_versions(key, *v, versions_prefix(key))) return out;
      } else {
        ObjectInfo info = decode_index_entry(*v);
        info.is_latest = true;
        out.objects.push_back(std::move(info));
        out.next_marker = key;
        if (p.versions) out.next_version_marker = "null";
      }
    }
    if (!more) return out;
    after = std::max(page_last, skip_to);
  }
}

}  // namespace rgw::rados
