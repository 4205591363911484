// versions.cpp - object versions in the RADOS driver (see rados/rados_store.h,
// "Versions"): every change of a key in a versioned bucket is ONE index op
// that asserts the key's entry is what was read (and sets the current
// version, the version records and the dead-version records together), so a
// key's changes are serialized by its entry, and readers and listings see a
// version whole or not at all.
#include <algorithm>
#include <cerrno>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "errors.h"
#include "rados/rados_store.h"

namespace rgw::rados {

std::string RadosStore::next_version_id(const BucketInfo& b) {
  return b.versioning == Versioning::enabled ? new_version_id() : std::string("null");
}

std::vector<std::string> RadosStore::commit_keys(const std::string& key) {
  return {key, version_id_key(key, "null")};
}

RadosStore::Current RadosStore::parse_current(const std::map<std::string, std::string>& got,
                                              const std::string& key) {
  Current c;
  auto it = got.find(key);
  if (it == got.end()) return c;
  c.raw = it->second;
  if (is_version_entry(c.raw)) {
    c.v = decode_version_entry(c.raw);
    return c;
  }
  VersionEntry v;
  v.epoch = decode_epoch(c.raw, "index entry");
  v.where = VersionWhere::plain_head;
  v.info = decode_index_entry(c.raw);
  v.info.version_id = "null";
  v.info.delete_marker = false;
  c.v = std::move(v);
  c.legacy = true;
  return c;
}

void RadosStore::drop_body(const BucketInfo& b, const std::string& key, const VersionEntry& v,
                           std::vector<KV>& set) {
  if (v.where == VersionWhere::marker) return;
  DeadVersion d;
  d.ns = now_ns();
  d.head = head_oid(b, key);
  if (v.where == VersionWhere::object) {
    d.oid = version_oid(d.head, v.tag);
  } else {
    d.oid = d.head;
    d.epoch = encode_epoch(v.epoch);
  }
  set.emplace_back(kDeadVersionPrefix + random_hex(8), encode_dead_version(d));
}

int RadosStore::version_op(const std::string& ioid, const std::vector<KV>& cmp,
                           const std::vector<std::string>& rm, const std::vector<KV>& set,
                           const IndexExtras* extras) {
  WriteOp op;
  std::vector<int> rv(cmp.size());
  rados_write_op_assert_exists(op.op);  // a removed bucket's index stays removed
  for (size_t i = 0; i < cmp.size(); ++i)
    rados_write_op_omap_cmp2(op.op, cmp[i].first.data(), LIBRADOS_CMPXATTR_OP_EQ,
                             cmp[i].second.data(), cmp[i].first.size(), cmp[i].second.size(),
                             &rv[i]);
  if (!rm.empty()) {
    std::vector<const char*> kp;
    std::vector<size_t> kl;
    for (const auto& k : rm) {
      kp.push_back(k.data());
      kl.push_back(k.size());
    }
    rados_write_op_omap_rm_keys2(op.op, kp.data(), kl.data(), kp.size());
  }
  if (!set.empty()) omap_set_in(op, set);
  if (extras) extras_in(op, *extras);
  return rados_write_op_operate(op.op, index_, ioid.c_str(), nullptr, 0);
}

std::optional<ObjectInfo> RadosStore::commit_version(const BucketInfo& b, const std::string& key,
                                                     VersionEntry nv, VersionCommit& c) {
  const std::string ioid = index_oid(b);
  const bool null = nv.info.version_id == "null";
  const std::string ikey = version_id_key(key, nv.info.version_id);
  nv.info.is_latest = true;
  nv.info.delete_marker = nv.where == VersionWhere::marker;
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    std::map<std::string, std::string> got;
    if (attempt == 0 && c.first) {
      got = *c.first;
    } else {
      std::vector<std::string> keys = commit_keys(key);
      if (c.pending) keys.push_back(*c.pending);
      got = omap_get(index_, ioid, keys);
      if (c.pending && (!got.count(*c.pending) || got[*c.pending] != *c.stamp))
        fail(RGW_ERR_CONFLICT,
             "upload stalled longer than the gc grace period; its data was reclaimed");
    }
    Current cur = parse_current(got, key);
    if (c.check && !c.check(cur.v)) return std::nullopt;
    std::vector<KV> cmp{{key, cur.raw}};
    std::vector<std::string> rm;
    std::vector<KV> set;
    if (c.pending) {
      cmp.emplace_back(*c.pending, *c.stamp);
      rm.push_back(*c.pending);
    }
    const std::string nkey = version_id_key(key, "null");
    auto old_null = got.find(nkey);
    const std::string old_null_raw = old_null == got.end() ? std::string() : old_null->second;
    if (cur.legacy) {
      if (null)
        drop_body(b, key, *cur.v, set);  // the null version it was is replaced
      else                               // it becomes a version like the others
        for (const auto& k : {version_key(key, cur.v->epoch), nkey})
          set.emplace_back(k, encode_version_entry(*cur.v));
    }
    if (null) {
      cmp.emplace_back(nkey, old_null_raw);
      if (!old_null_raw.empty()) {
        VersionEntry old = decode_version_entry(old_null_raw);
        rm.push_back(version_key(key, old.epoch));
        drop_body(b, key, old, set);
      }
    }
    nv.epoch = next_epoch(cur.v ? cur.v->epoch : 0);
    const std::string entry = encode_version_entry(nv);
    set.emplace_back(key, entry);
    set.emplace_back(version_key(key, nv.epoch), entry);
    set.emplace_back(ikey, entry);
    if (c.crash) crash_point(c.crash);
    int r = version_op(ioid, cmp, rm, set, c.extras);
    if (r == 0) return nv.info;
    if (r == -ENOENT) {
      c.gone = true;
      fail(RGW_ERR_NO_SUCH_BUCKET, "bucket '" + b.name + "' was removed");
    }
    if (!is_cmp_failure(r)) rados_fail(r, "set index/" + ioid + " version of '" + key + "'");
  }
  c.gone = true;
  fail(RGW_ERR_CONFLICT, "object '" + key + "' kept changing");
}

std::optional<VersionEntry> RadosStore::find_version(const BucketInfo& b, const ObjectRef& ref,
                                                     bool* latest, bool* legacy) {
  const std::string& vid = ref.version_id;
  std::vector<std::string> keys{ref.key};
  const std::string ikey = version_id_key(ref.key, vid);
  if (!vid.empty()) keys.push_back(ikey);
  auto got = omap_get(index_, index_oid(b), keys);
  Current cur = parse_current(got, ref.key);
  *legacy = false;
  *latest = false;
  if (vid.empty()) {
    if (!cur.v) return std::nullopt;
    *latest = true;
    *legacy = cur.legacy;
    return cur.v;
  }
  auto it = got.find(ikey);
  if (it != got.end()) {
    *latest = it->second == cur.raw;
    VersionEntry v = decode_version_entry(it->second);
    v.info.is_latest = *latest;
    return v;
  }
  if (vid == "null" && cur.legacy) {
    *latest = true;
    *legacy = true;
    return cur.v;
  }
  fail(RGW_ERR_NO_SUCH_VERSION,
       "no version '" + vid + "' of '" + ref.key + "' in '" + ref.bucket + "'");
}

// A named version (or, for the expirer, the current one) goes for good in
// ONE op, its body to a dead-version record; if it was current, the newest
// remaining one becomes current (asserted unchanged).  The current version
// named "" gets a delete marker on top instead (commit_version).
RemoveResult RadosStore::remove_versioned(const BucketInfo& b, const ObjectRef& ref,
                                          const RemoveOptions& options, bool expire) {
  const std::string& key = ref.key;
  const std::string ioid = index_oid(b);
  // The guards apply to the version named, or to the current one.
  bool refused = false;
  auto guards = [&](const std::optional<VersionEntry>& g) {
    if (options.if_delete_at || options.if_mtime_ns) {
      if (!g || g->info.delete_marker) return false;
      if (options.if_delete_at &&
          !(g->info.delete_at == options.if_delete_at && is_expired(g->info)))
        return false;
      if (options.if_mtime_ns && g->info.mtime_ns != options.if_mtime_ns) return false;
    }
    if (!options.if_match.empty() && g && !g->info.delete_marker && !is_expired(g->info) &&
        g->info.etag != options.if_match) {
      refused = true;
      fail_etag_changed(key, g->info.etag, options.if_match);
    }
    return true;
  };
  if (ref.version_id.empty() && !expire) {
    VersionEntry marker;
    marker.where = VersionWhere::marker;
    marker.info.key = key;
    marker.info.mtime_ns = now_ns();
    marker.info.size = 0;
    marker.info.version_id = next_version_id(b);
    VersionCommit c;
    c.check = guards;
    c.crash = "rados:delete:version-before-index";
    auto info = commit_version(b, key, marker, c);
    if (!info) return RemoveResult{};
    return RemoveResult{true, info->version_id, true};
  }
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    std::vector<std::string> keys{key};
    const std::string ikey = version_id_key(key, ref.version_id);
    if (!expire) keys.push_back(ikey);
    auto got = omap_get(index_, ioid, keys);
    Current cur = parse_current(got, key);
    std::optional<VersionEntry> t;
    std::string traw;  // its version records' bytes ("": a legacy entry, none)
    bool current = false;
    if (expire) {
      t = cur.v;
      current = true;
      if (!cur.legacy) traw = cur.raw;
    } else if (got.count(ikey)) {
      traw = got[ikey];
      t = decode_version_entry(traw);
      current = traw == cur.raw;
    } else if (ref.version_id == "null" && cur.legacy) {
      t = cur.v;
      current = true;
    }
    if (!t) return RemoveResult{};  // no such version: nothing to do
    if (!guards(t)) return RemoveResult{};
    std::vector<KV> cmp{{key, cur.raw}};
    std::vector<std::string> rm;
    std::vector<KV> set;
    if (!traw.empty()) {
      const std::string tikey = version_id_key(key, t->info.version_id);
      cmp.emplace_back(tikey, traw);
      rm.push_back(version_key(key, t->epoch));
      rm.push_back(tikey);
    }
    drop_body(b, key, *t, set);
    if (current) {
      std::optional<KV> next;
      if (!cur.legacy) {
        std::vector<KV> page;
        bool more = false;
        int r = omap_page(index_, ioid, version_key(key, t->epoch), versions_prefix(key), 1, page,
                          more);
        if (r < 0 && r != -ENOENT) rados_fail(r, "list index/" + ioid);
        if (!page.empty()) next = page.front();
      }
      if (next) {
        cmp.push_back(*next);  // it must still be there
        set.emplace_back(key, next->second);
      } else {
        rm.push_back(key);
      }
    }
    crash_point("rados:delete:version-before-index");
    int r = version_op(ioid, cmp, rm, set, nullptr);
    if (r == 0) return RemoveResult{true, t->info.version_id, t->info.delete_marker};
    if (r == -ENOENT) fail(RGW_ERR_NO_SUCH_BUCKET, "bucket '" + b.name + "' was removed");
    if (!is_cmp_failure(r)) rados_fail(r, "remove index/" + ioid + " version of '" + key + "'");
  }
  (void)refused;
  fail(RGW_ERR_CONFLICT, "object '" + key + "' kept changing during its removal");
}

// The version's records (and the key's entry, if current) get the new
// metadata in ONE op asserting both unchanged; no object is touched.  A
// legacy entry becomes a version like the others on the way.
ObjectInfo RadosStore::update_version(const BucketInfo& b, const ObjectRef& ref,
                                      const AttrsUpdate& update) {
  const std::string& key = ref.key;
  const std::string ioid = index_oid(b);
  if (update.delete_at) queue_expiry(b.name, key, *update.delete_at);
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    bool latest = false, legacy = false;
    std::optional<VersionEntry> t = find_version(b, ref, &latest, &legacy);
    if (!t) no_such_key(b.name, key);
    ObjectInfo& info = t->info;
    if (info.delete_marker)
      fail(RGW_ERR_NO_SUCH_KEY, "key '" + key + "' is a delete marker in bucket '" + b.name + "'");
    if (is_expired(info)) no_such_key(b.name, key);
    if (!update.if_match.empty() && info.etag != update.if_match)
      fail_etag_changed(key, info.etag, update.if_match);
    auto got = omap_get(index_, ioid, {key, version_id_key(key, info.version_id)});
    Current cur = parse_current(got, key);
    const std::string ikey = version_id_key(key, info.version_id);
    const std::string traw = got.count(ikey) ? got[ikey] : std::string();
    // What was found must still be so (else look again).
    if (legacy ? !cur.legacy || cur.v->epoch != t->epoch
               : traw.empty() || decode_version_entry(traw).epoch != t->epoch)
      continue;
    if (update.attrs) info.attrs = *update.attrs;
    if (update.acl) info.acl = *update.acl;
    if (update.delete_at) info.delete_at = *update.delete_at;
    info.is_latest = true;
    const std::string entry = encode_version_entry(*t);
    std::vector<KV> cmp{{key, cur.raw}, {ikey, traw}};
    std::vector<KV> set{{version_key(key, t->epoch), entry}, {ikey, entry}};
    if (legacy || traw == cur.raw) set.emplace_back(key, entry);
    crash_point("rados:attrs:version-before-index");
    int r = version_op(ioid, cmp, {}, set, nullptr);
    if (r == 0) {
      info.is_latest = legacy || traw == cur.raw;
      return info;
    }
    if (r == -ENOENT) fail(RGW_ERR_NO_SUCH_BUCKET, "bucket '" + b.name + "' was removed");
    if (!is_cmp_failure(r)) rados_fail(r, "update index/" + ioid + " version of '" + key + "'");
  }
  fail(RGW_ERR_CONFLICT, "object '" + key + "' kept changing during its attrs update");
}

// A dead-version record: the object and its stripes go, unless (a plain
// head) it was rewritten since.  Interrupted, it is done again: every step
// tolerates what is already gone.
void RadosStore::reclaim_dead_version(const DeadVersion& d, GcReport* report) {
  Xattrs x;
  uint64_t size = 0;
  time_t mtime = 0;
  int r = read_obj(data_, d.oid, nullptr, &x);
  if (r == -ENOENT) return;
  if (r < 0) rados_fail(r, "stat data/" + d.oid);
  if (!d.epoch.empty() && (!x.count("rgw.epoch") || x["rgw.epoch"] != d.epoch)) return;
  if (x.count("rgw.manifest"))
    for (const auto& sg : decode_manifest(x["rgw.manifest"]).segs)
      remove_tails(d.head, sg.tag, sg.stripes, report);
  rados_stat(data_, d.oid.c_str(), &size, &mtime);
  WriteOp op;
  if (!d.epoch.empty())
    rados_write_op_cmpxattr(op.op, "rgw.epoch", LIBRADOS_CMPXATTR_OP_EQ, d.epoch.data(),
                            d.epoch.size());
  rados_write_op_remove(op.op);
  r = rados_write_op_operate(op.op, data_, d.oid.c_str(), nullptr, 0);
  if (r == -ENOENT || is_cmp_failure(r)) return;
  if (r < 0) rados_fail(r, "remove data/" + d.oid);
  if (report) {
    report->removed_objects++;
    report->removed_bytes += size;
    report->counted();
  }
}

}  // namespace rgw::rados
