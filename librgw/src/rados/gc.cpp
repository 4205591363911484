// gc.cpp - garbage collection in the RADOS driver: the gc queue (meta/gc) of
// stripes that overwrites and removals left, and gc(), which reclaims them
// and resolves what dead writers, removers, completers and bucket removers
// left behind (see rados/rados_store.h).
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "errors.h"
#include "rados/rados_store.h"

namespace rgw::rados {

GcReport RadosStore::gc(const GcOptions& options) {
  GcReport report;
  report.options = &options;
  const int64_t now = now_ns();
  // Never before the epoch: a grace longer than that reclaims nothing.
  const int64_t cutoff = std::max<int64_t>(gc_cutoff_ns(options), 0);
  // (a) tails of overwritten and removed objects.
  const std::string cutoff_key = pad20(cutoff);
  for (;;) {
    std::vector<KV> entries;
    bool more = false;
    int r = omap_page(meta_, "gc", "", "", kOmapPage, entries, more);
    if (r == -ENOENT) break;
    if (r < 0) rados_fail(r, "list meta/gc");
    bool stop = false;
    size_t processed = 0;
    for (const auto& kv : entries) {
      if (kv.first.substr(0, 20) > cutoff_key) {
        stop = true;
        break;
      }
      std::string head, tag;
      uint64_t n = 0;
      bool ok = true;
      try {
        Decoder d(kv.second);
        head = d.str();
        tag = d.str();
        n = d.u64();
      } catch (const Error&) {
        ok = false;  // a corrupt record is dropped
      }
      if (ok) remove_tails(head, tag, n, &report);
      omap_rm_or_fail(meta_, "gc", kv.first);
      ++processed;
    }
    if (stop || !more || processed == 0) break;
  }
  // (b) bucket removals, writers and removers that died.
  std::vector<KV> names;
  for_each_omap(meta_, "buckets", "", [&](const std::string& name, const std::string& owner) {
    names.emplace_back(name, owner);
    return true;
  });
  const int64_t tomb_cutoff = std::min(cutoff, now - kTombstoneAge);
  for (const auto& [name, owner] : names) {
    BucketInfo b;
    std::string raw;
    int r = load_bucket(name, &b, &raw);
    if (r == -ENOENT) {
      // No record, or a tombstone left by a remover that died (a younger
      // one is a removal in progress): the name goes from "buckets" (unless
      // it changed meanwhile), which also lets its owner be removed.
      const bool tomb = is_tombstone(raw);
      if (tomb && tombstone_ns(raw) > tomb_cutoff) continue;
      r = omap_rm_exact(meta_, "buckets", name, owner, nullptr);
      if (r < 0 && !is_cmp_failure(r) && r != -ENOENT) rados_fail(r, "omap rm meta/buckets");
      if (tomb) clear_tombstone(name, raw);
      // A bucket of that name created meanwhile (its record is written
      // before its entry) must stay listed.
      BucketInfo again;
      if (r == 0 && load_bucket(name, &again) == 0)
        omap_set_or_fail(meta_, "buckets", name, again.owner);
      continue;
    }
    if (r < 0) rados_fail(r, "read meta/bucket." + name);
    const std::string ioid = index_oid(b);
    std::vector<KV> old;
    scan_pending(ioid, false, [&](const std::string& full, const std::string& v) {
      if (decode_ts(v) <= cutoff) old.emplace_back(full, v);
      return true;
    });
    for (const auto& kv : old) {
      // The record goes first, guarded by the value read: a writer that
      // re-stamped it meanwhile is alive, and all stays.  Once it is gone, a
      // writer that was merely stalled fails its next re-stamp instead of
      // committing a head over the tails reclaimed here.
      r = omap_rm_exact(index_, ioid, kv.first, kv.second, nullptr);
      if (is_cmp_failure(r) || r == -ENOENT) continue;
      if (r < 0) rados_fail(r, "remove pending record from index/" + ioid);
      std::string key, tag;
      if (!parse_pending(kv.first, &key, &tag)) continue;
      const std::string head = head_oid(b, key);
      if (is_version_tag(tag)) {
        // A versioned writer whose index op never landed (it drops the
        // record): its object and tails are nobody's.
        remove_tails(head, tag, kUnknownTails, &report);
        reclaim_dead_version(DeadVersion{0, head, version_oid(head, tag), ""}, &report);
        report.repaired_entries++;
        report.counted();
        continue;
      }
      Xattrs x;
      r = read_obj(data_, head, nullptr, &x);
      if (r < 0 && r != -ENOENT) rados_fail(r, "stat data/" + head);
      std::string head_tag = (r == 0 && x.count("rgw.tag")) ? x["rgw.tag"] : std::string();
      if (r == 0 && head_tag == tag) {
        // The head swap happened; the writer may not have queued the old
        // tails.  They are past the grace like the record: reclaim them now.
        std::string prev = x.count("rgw.prev") ? x["rgw.prev"] : std::string();
        if (!prev.empty() && prev[0] == '\0') {
          for (const auto& sg : decode_manifest(prev.substr(1)).segs)
            remove_tails(head, sg.tag, sg.stripes, &report);
        } else if (!prev.empty()) {
          remove_tails(head, prev, kUnknownTails, &report);
        }
      } else {
        remove_tails(head, tag, kUnknownTails, &report);
      }
      std::optional<std::string> want = entry_of_head(r, x);
      std::optional<std::string> cur;
      auto got = omap_get(index_, ioid, {key});
      if (got.count(key)) cur = got[key];
      repair_entry(ioid, key, want, cur, nullptr, b.versioning == Versioning::unversioned);
      report.repaired_entries++;
      report.counted();
    }
    // Uploads whose completer or aborter died after ending them: the
    // parts the current head lists (a completion that swapped its head)
    // stay, the others become dead stripes.  A completer whose pending
    // record is still there (young, or re-stamped) is alive.
    std::vector<KV> ending;
    for_each_omap(index_, ioid, kUploadPrefix, [&](const std::string& k, const std::string& v) {
      try {
        UploadRec u = decode_upload_rec(v);
        if (u.ending && u.since_ns <= cutoff) ending.emplace_back(k, v);
      } catch (const Error&) {
      }
      return true;
    });
    for (const auto& [k, v] : ending) {
      UploadRec u = decode_upload_rec(v);
      const std::string upload_id = k.substr(std::strlen(kUploadPrefix));
      std::set<std::string> keep;
      if (!u.tag.empty()) {
        if (!omap_get(index_, ioid, {pending_key(u.info.key, u.tag)}).empty()) continue;
        // A versioned completion drops the upload in its index op: the
        // upload still ending means that op never landed, no part stays.
        const std::string head = head_oid(b, u.info.key);
        Xattrs x;
        r = read_obj(data_, head, nullptr, &x);
        if (r < 0 && r != -ENOENT) rados_fail(r, "stat data/" + head);
        if (!is_version_tag(u.tag) && r == 0 && x.count("rgw.tag") && x["rgw.tag"] == u.tag &&
            x.count("rgw.manifest"))
          for (const auto& sg : decode_manifest(x["rgw.manifest"]).segs) keep.insert(sg.tag);
      }
      if (end_upload(b, upload_id, v, keep, u.since_ns)) {
        report.repaired_entries++;
        report.counted();
      }
    }
    // Stripes no part or head references any more.
    std::vector<KV> dead;
    for_each_omap(index_, ioid, kDeadPrefix, [&](const std::string& k, const std::string& v) {
      int64_t ns = 0;
      try {
        Decoder d(v);
        d.u8();
        ns = d.i64();
      } catch (const Error&) {
      }
      if (ns <= cutoff) dead.emplace_back(k, v);
      return true;
    });
    for (const auto& [k, v] : dead) {
      try {
        Decoder d(v);
        d.u8();
        d.i64();
        std::string head = d.str();
        std::string tag = d.str();
        remove_tails(head, tag, d.u64(), &report);
      } catch (const Error& e) {
        if (e.code() != -EIO) throw;  // a corrupt record is dropped
      }
      r = omap_rm_exact(index_, ioid, k, v, nullptr);
      if (r < 0 && !is_cmp_failure(r) && r != -ENOENT)
        rados_fail(r, "remove dead stripes record from index/" + ioid);
    }
    // Objects of removed versions (their records went in the op that
    // removed the version).
    std::vector<KV> dead_versions;
    for_each_omap(index_, ioid, kDeadVersionPrefix,
                  [&](const std::string& k, const std::string& v) {
                    int64_t ns = 0;
                    try {
                      ns = decode_dead_version(v).ns;
                    } catch (const Error&) {
                    }
                    if (ns <= cutoff) dead_versions.emplace_back(k, v);
                    return true;
                  });
    for (const auto& [k, v] : dead_versions) {
      try {
        reclaim_dead_version(decode_dead_version(v), &report);
      } catch (const Error& e) {
        if (e.code() != -EIO) throw;  // a corrupt record is dropped
      }
      r = omap_rm_exact(index_, ioid, k, v, nullptr);
      if (r < 0 && !is_cmp_failure(r) && r != -ENOENT)
        rados_fail(r, "remove dead version record from index/" + ioid);
    }
    // Removal markers only have to outlive the updates of the heads they
    // removed, which gc assumes are over after its grace.
    std::vector<KV> markers;
    for_each_omap(index_, ioid, kRemovedPrefix, [&](const std::string& k, const std::string& v) {
      uint64_t epoch = 0;
      try {
        epoch = decode_epoch(v, "removal marker");
      } catch (const Error&) {
        epoch = 0;  // corrupt: drop it
      }
      if (epoch <= static_cast<uint64_t>(std::max<int64_t>(cutoff, 0))) markers.emplace_back(k, v);
      return true;
    });
    for (const auto& kv : markers) {
      r = omap_rm_exact(index_, ioid, kv.first, kv.second, nullptr);
      if (r < 0 && !is_cmp_failure(r) && r != -ENOENT)
        rados_fail(r, "remove removal marker from index/" + ioid);
    }
  }
  return report;
}

void RadosStore::enqueue_gc(const std::string& head, const std::string& tag, uint64_t num_tails) {
  enqueue_gc_segments(head, {Segment{tag, 0, num_tails}});
}

// Queues the stripes of a body (or of parts) for gc: one op per 1000.
void RadosStore::enqueue_gc_segments(const std::string& head, const std::vector<Segment>& segs) {
  const std::string ts = pad20(now_ns());
  for (size_t i = 0; i < segs.size(); i += kOmapPage) {
    std::vector<KV> kvs;
    for (size_t j = i; j < segs.size() && j < i + kOmapPage; ++j) {
      Encoder e;
      e.str(head);
      e.str(segs[j].tag);
      e.u64(segs[j].stripes);
      kvs.emplace_back(ts + "_" + segs[j].tag, e.bytes());
    }
    WriteOp op;
    omap_set_in(op, kvs);
    int r = operate_write(op.op, meta_, "gc");
    if (r < 0) rados_fail(r, "omap set " + pool_name(meta_) + "/gc");
  }
}

void RadosStore::remove_tails(const std::string& head, const std::string& tag, uint64_t n,
                              GcReport* report) {
  std::vector<uint64_t> sizes;
  if (n == kUnknownTails) {
    for (uint64_t i = 0;; ++i) {
      uint64_t size = 0;
      time_t mtime = 0;
      int r = rados_stat(data_, tail_oid(head, tag, i).c_str(), &size, &mtime);
      if (r == -ENOENT) break;
      if (r < 0) rados_fail(r, "stat data/" + tail_oid(head, tag, i));
      sizes.push_back(size);
    }
    n = sizes.size();
  }
  // Last first, so that an interrupted pass leaves a prefix that the next
  // pass still finds by counting.
  for (uint64_t i = n; i-- > 0;) {
    const std::string oid = tail_oid(head, tag, i);
    uint64_t size = 0;
    if (i < sizes.size()) {
      size = sizes[i];
    } else {
      time_t mtime = 0;
      int r = rados_stat(data_, oid.c_str(), &size, &mtime);
      if (r == -ENOENT) continue;
      if (r < 0) rados_fail(r, "stat data/" + oid);
    }
    int r = rados_remove(data_, oid.c_str());
    if (r == -ENOENT) continue;
    if (r < 0) rados_fail(r, "remove data/" + oid);
    if (report) {
      report->removed_objects++;
      report->removed_bytes += size;
      report->counted();
    }
  }
}

}  // namespace rgw::rados
