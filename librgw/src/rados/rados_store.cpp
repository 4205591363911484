// rados_store.cpp - the Ceph RADOS driver (librados C API).
//
// Pools PREFIX.meta, PREFIX.index and PREFIX.data (created when missing).
//
// meta pool
//   user.<uid>            encode_user
//   akey.<access_key>     uid (created exclusively: one owner per key)
//   swift.<swift_user>    uid
//   users                 omap: uid -> ""; also watched by every process's user cache:
//                         each change of a user is notified on it (rados/user_cache.h)
//   bucket.<name>         encode_bucket_info (created exclusively); while being removed a
//                         tombstone: "\0removed" + i64 ns written
//   buckets               omap: name -> owner uid
//   gc                    omap: <20-digit ns>_<tag> -> {str head_oid, str tag, u64 num_tails}
//                         (num_tails = kUnknownTails: delete .0, .1, ... until one is missing)
// index pool
//   index.<bucket_id>     omap: object key -> <epoch> encode_object_info of the current object;
//                         "\xff" "d" <key> -> <epoch>: removal marker (entries older are dead);
//                         "\xff" "p" <key> "\0" <tag> -> i64 ns: a write/delete in flight,
//                         re-stamped by a live writer every kPendingRefresh
//                         "\xff" "u" <upload id> -> UploadRec: a multipart upload, open or
//                         ending (completion with its head tag, or abort), since ns
//                         "\xff" "m" <upload id> <%05d number> -> PartRec {size, etag,
//                         mtime, tag, stripes}: a part
//                         "\xff" "g" <tag> -> {ns, head, tag, stripes}: stripes nothing
//                         references any more (replaced, unchosen or aborted parts)
//                         (valid UTF-8 never holds 0xff, so these sort after every key)
// data pool
//   <bucket_id>_<key>     head: the body when <= 4 MiB, else empty; xattrs rgw.info,
//                         rgw.tag, rgw.epoch <epoch>, rgw.manifest {u8 1, str tag, u64 size,
//                         u64 stripe, u64 num_tails} or, multipart, {u8 2, str tag, u64 size,
//                         u64 stripe, str upload id, u32 n, n x {str tag, u64 size,
//                         u64 stripes}}, rgw.prev (the tag it replaced, or "\0" + the
//                         replaced head's manifest when that was a multipart one)
//   <head>.<tag>.<n>      tails: 4 MiB stripes of a large body, written before the head;
//                         also the stripes of a part (<tag> = the part upload's own tag)
// <epoch> is a u64 in 9 big-endian 7-bit bytes: Ceph 16 compares omap values as
// *signed* chars, and bytes below 0x80 sort the same signed or not.
//
// Commit protocol of a writer (atomic overwrite, safe against SIGKILL at any point):
// pending record in the index; tails; head swap guarded by cmpxattr(rgw.tag, rgw.epoch)
// or exclusive create, stamping epoch = max(old epoch + 1, now ns); old tails queued in
// gc; then ONE index op: assert that the entry and the removal marker are older
// (omap_cmp LT), set the entry, drop the pending record.  A remover removes the head
// (same guard), then in one op removes the entry and sets the marker to the head's
// epoch + 1 (same LT assertions), dropping its pending record.
// Ordering: the guarded swap makes a key's epochs grow along its heads, so the index
// is a max-register: it never goes backwards (a late op of an older head, or of a
// removed one, fails its LT assertion and only drops its pending record), and the
// op of the newest head or remover always lands: nothing newer can be there, unless
// it dies first, and then its pending record is left.  A pending record makes
// listings check the head (no phantom entries, repaired with the same assertions)
// and is resolved by gc(), which also drops markers older than its grace.
// A re-created key starts again at the clock: if the writer's clock is behind the
// removed head's epoch, its head is still current when its index op fails, and it
// raises its head's epoch past the index and retries.  Residual assumption: clocks
// agree to better than a delete-then-re-create while the removed head's ops are
// still in flight.
//
// gc and slow writers: gc() takes a pending record older than its grace for a dead
// writer's.  It removes it first, guarded by the value it read, and only then
// reclaims the tails.  A writer re-stamps its record (guarded by the value it last
// wrote) when it is kPendingRefresh old, in write() and before its head swap; if gc
// took it, the writer fails (Conflict) instead of committing a head over reclaimed
// tails.  So the grace passed to gc must exceed kPendingRefresh plus the op timeout
// (a few ops run between a re-stamp and the head swap); gc(0) reclaims everything in
// flight, by design.
//
// Bucket removal vs writers: a writer waits for its pending record before it checks
// its bucket (get_bucket, id).  remove_bucket checks that the bucket is empty (no
// entry, no pending record younger than kDeadWriterAge), tombstones the record,
// notifies every cache, and checks again: a writer that passed its check before the
// notify has its pending record (or, atomically instead, its entry) in the index by
// then.  If anything is there, the record is restored and the removal fails.  The
// writers' index ops assert that the index exists: a removed one is never re-created.
// A tombstone younger than kTombstoneAge is a removal in progress (create_bucket
// fails with Conflict); an older one, or a "buckets" entry without a record, was left
// by a remover that died, and gc() clears it.
//
// Caches.  Bucket records are cached per process, one watch per cached record
// (rados/bucket_cache.h); users (by uid, access key, Swift user) too, with one
// watch per process on meta/users (rados/user_cache.h).  Writers read the objects
// themselves and notify after writing: when a change returns, every process has
// dropped its copy (or, for users, cannot trust it any more).
//
// Multipart.  Every record of an upload lives in the bucket index object, so each
// step below is one atomic op on it (asserting that the index exists).
// - A part writer is a writer whose body always goes to stripes <head>.<tag>.<n>
//   (4 MiB, its own random tag) under a pending record, like any writer's.  ONE op
//   publishes it: assert the upload record is the open one read at open, the
//   pending record is still ours (gc did not judge us dead), and the part record
//   is what we read (else re-read and retry: last part upload wins); set the part
//   record, drop the pending record, and turn a replaced part into a dead-stripes
//   record.  A writer that dies before leaves its pending record: gc reclaims its
//   stripes like a dead writer's tails.
// - complete_upload: (1) ONE op asserts the upload record and each chosen part
//   record are as checked (etags), turns the upload "ending" with the new head's
//   tag T, and sets the pending record <key>\0T.  From then on no part changes and
//   the upload reads as missing.  (2) The head with a version 2 manifest (the
//   chosen parts' stripes, in order; no data copied) is swapped in exactly like a
//   writer's (same guard, epoch, rgw.prev), the old body queued in gc.  (3) ONE
//   index op sets the entry (same LT assertions), drops the pending, upload and
//   part records, and sets dead-stripes records for the unchosen parts.  A failure
//   before the swap reopens the upload (guarded); after it, or on an uncertain swap
//   result, the records stay for gc.
// - abort_upload: ONE op turns the upload ending (tag ""), then ONE op drops it with
//   its part records and sets their dead-stripes records.
// - gc, per bucket, after the pending records: an upload ending since before the
//   grace whose completer's pending record is gone is finished: if the head's tag is
//   T its manifest's parts stay, every other part becomes dead stripes (T not on the
//   head means the swap never happened, or its head was replaced since and its
//   replacer queued the parts: no head references them).  Then dead-stripes records
//   past the grace are reclaimed.  An ending upload never reopens after a crash: a
//   client retrying the completion gets NoSuchUpload.
// - Overwrites and removals of a multipart head queue every segment's stripes; a
//   writer that dies after its swap leaves the old manifest in rgw.prev for gc.
// - remove_bucket (empty, nothing young in flight) queues the stripes of every part
//   record and dead-stripes record in the gc queue before the index goes.
// - Readers: the head holds no bytes; the range is served from the segments
//   (segment by binary search, then stripe), one window of read-ahead, across part
//   boundaries.  A small non-multipart GET is still one read op.
#include <rados/librados.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "errors.h"
#include "listing.h"
#include "rados/bucket_cache.h"
#include "rados/user_cache.h"
#include "store.h"
#include "util.h"

namespace rgw {
namespace {

constexpr uint64_t kStripe = 4ull << 20;          // head inline limit and tail size
constexpr size_t kFirstRead = kStripe;            // first read: any inline body in one op
constexpr size_t kMetaRead = 64u << 10;           // first read of a metadata object
constexpr size_t kReadWindow = 1u << 20;          // tail read-ahead window
constexpr size_t kListWindow = 32;                // list_buckets: record reads in flight
constexpr int kMaxRetries = 100;                  // races lost before giving up
constexpr uint64_t kUnknownTails = ~0ull;         // gc: count the tails
constexpr uint64_t kOmapPage = 1000;
constexpr size_t kMaxPendingScan = 10000;         // pending records a listing looks at
constexpr int64_t kSecond = 1000000000;
// A writer re-stamps its pending record when it is older than this (in write()
// and before its head swap): gc's grace must exceed it plus the op timeout.
constexpr int64_t kPendingRefresh = 60 * kSecond;
// remove_bucket: a pending record older than this is a dead writer's (a live
// one re-stamps it every kPendingRefresh), younger ones block the removal.
constexpr int64_t kDeadWriterAge = 3600 * kSecond;
// A tombstone younger than this is a removal in progress (create_bucket waits,
// gc leaves it alone); an older one was left by a remover that died.
constexpr int64_t kTombstoneAge = 60 * kSecond;
// What a removed bucket's record holds until the object itself is removed:
// this prefix, then the time it was written (8 bytes).  Records start with a
// non-zero version byte, so this never decodes as one.
const std::string kBucketTombstone("\0removed", 8);
const char kPendingPrefix[] = "\xff" "p";
const char kRemovedPrefix[] = "\xff" "d";
const char kUploadPrefix[] = "\xff" "u";         // + upload id: an upload in progress
const char kPartPrefix[] = "\xff" "m";           // + upload id + 5-digit number: a part
const char kDeadPrefix[] = "\xff" "g";           // + tag: unreferenced stripes for gc
constexpr size_t kUploadIdLen = 32;
constexpr size_t kEpochLen = 9;                   // 9 x 7 bits: epochs below 2^63

using Xattrs = std::map<std::string, std::string>;
using KV = std::pair<std::string, std::string>;

// ------------------------------------------------------------ small helpers

[[noreturn]] void rados_fail(int r, const std::string& what) { fail_errno(-r, what); }

bool is_cmp_failure(int r) {
  // cmpxattr/omap_cmp mismatch: -ECANCELED; cmpext mismatch: -MAX_ERRNO - offset.
  return r == -ECANCELED || r <= -4095;
}

struct WriteOp {
  rados_write_op_t op;
  WriteOp() : op(rados_create_write_op()) {
    if (!op) fail(-ENOMEM, "rados_create_write_op");
  }
  ~WriteOp() { rados_release_write_op(op); }
  WriteOp(const WriteOp&) = delete;
  WriteOp& operator=(const WriteOp&) = delete;
};

struct ReadOp {
  rados_read_op_t op;
  ReadOp() : op(rados_create_read_op()) {
    if (!op) fail(-ENOMEM, "rados_create_read_op");
  }
  ~ReadOp() { rados_release_read_op(op); }
  ReadOp(const ReadOp&) = delete;
  ReadOp& operator=(const ReadOp&) = delete;
};

struct OmapIter {
  rados_omap_iter_t it = nullptr;
  OmapIter() = default;
  ~OmapIter() {
    if (it) rados_omap_get_end(it);
  }
  OmapIter(const OmapIter&) = delete;
  OmapIter& operator=(const OmapIter&) = delete;
  void drain(std::vector<KV>& out) {
    for (;;) {
      char* k = nullptr;
      char* v = nullptr;
      size_t kl = 0, vl = 0;
      if (rados_omap_get_next2(it, &k, &v, &kl, &vl) < 0 || !k) break;
      out.emplace_back(std::string(k, kl), v ? std::string(v, vl) : std::string());
    }
  }
};

struct XattrIter {
  rados_xattrs_iter_t it = nullptr;
  XattrIter() = default;
  ~XattrIter() {
    if (it) rados_getxattrs_end(it);
  }
  XattrIter(const XattrIter&) = delete;
  XattrIter& operator=(const XattrIter&) = delete;
  void drain(Xattrs& out) {
    for (;;) {
      const char* name = nullptr;
      const char* val = nullptr;
      size_t len = 0;
      if (rados_getxattrs_next(it, &name, &val, &len) < 0 || !name) break;
      out[name] = val ? std::string(val, len) : std::string();
    }
  }
};

struct Completion {
  rados_completion_t c = nullptr;
  // False when the submit call failed: librados never completes it, so the
  // destructor must not wait for it.
  bool submitted = true;
  Completion() {
    int r = rados_aio_create_completion2(nullptr, nullptr, &c);
    if (r < 0) rados_fail(r, "rados_aio_create_completion2");
  }
  ~Completion() {
    if (c) {
      if (submitted) rados_aio_wait_for_complete(c);
      rados_aio_release(c);
    }
  }
  Completion(const Completion&) = delete;
  Completion& operator=(const Completion&) = delete;
  int wait() {
    rados_aio_wait_for_complete(c);
    return rados_aio_get_return_value(c);
  }
};

// An operation in flight; the completion is destroyed (waited for) first.
struct AsyncWrite {
  WriteOp op;
  Completion c;
};

// Waits for a pending-record write (RadosStore::set_pending_async) still in
// flight, then releases it; nothing to do once it was waited for.  The op
// asserts the index exists: -ENOENT means the bucket was removed meanwhile.
void await_pending(std::unique_ptr<AsyncWrite>& op, const std::string& bucket,
                   const std::string& ioid, const char* when = "") {
  if (!op) return;
  int r = op->c.wait();
  op.reset();
  if (r == -ENOENT) fail(RGW_ERR_NO_SUCH_BUCKET, "bucket '" + bucket + "' was removed" + when);
  if (r < 0) rados_fail(r, "set pending record in index/" + ioid);
}

struct AsyncXattrRead {
  ReadOp op;
  XattrIter xi;
  int xrv = 0;
  Completion c;
};

std::string pad20(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(v < 0 ? 0 : v));
  return buf;
}

std::string encode_ts(int64_t ns) {
  Encoder e;
  e.i64(ns);
  return e.bytes();
}

int64_t decode_ts(const std::string& v) {
  try {
    Decoder d(v);
    return d.i64();
  } catch (const Error&) {
    return 0;  // unreadable: treat as old
  }
}

std::string pending_key(const std::string& key, const std::string& tag) {
  std::string s(kPendingPrefix);
  s += key;
  s.push_back('\0');
  s += tag;
  return s;
}

std::string make_tombstone() { return kBucketTombstone + encode_ts(now_ns()); }

// Recognised by the prefix alone: the time after it varies.
bool is_tombstone(const std::string& raw) {
  return raw.compare(0, kBucketTombstone.size(), kBucketTombstone) == 0;
}

// When a tombstone was written (0, i.e. long ago, for one without a time).
int64_t tombstone_ns(const std::string& raw) {
  return decode_ts(raw.substr(kBucketTombstone.size()));
}

bool parse_pending(const std::string& full, std::string* key, std::string* tag) {
  if (full.compare(0, 2, kPendingPrefix) != 0) return false;
  size_t nul = full.find('\0', 2);
  if (nul == std::string::npos) return false;
  *key = full.substr(2, nul - 2);
  *tag = full.substr(nul + 1);
  return true;
}

// ------------------------------------------------------------------ epochs

// An epoch as bytes that sort like the number under Ceph's signed-char omap
// comparison (and an unsigned one): big-endian groups of 7 bits.
std::string encode_epoch(uint64_t e) {
  if (e >> 63) fail(-EOVERFLOW, "object epoch out of range");
  std::string s(kEpochLen, '\0');
  for (size_t i = kEpochLen; i-- > 0; e >>= 7) s[i] = static_cast<char>(e & 0x7f);
  return s;
}

uint64_t decode_epoch(const std::string& s, const std::string& what) {
  if (s.size() < kEpochLen) fail(-EIO, "corrupt " + what + " (epoch too short)");
  uint64_t e = 0;
  for (size_t i = 0; i < kEpochLen; ++i) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b & 0x80) fail(-EIO, "corrupt " + what + " (epoch byte)");
    e = (e << 7) | b;
  }
  return e;
}

// A head's epoch; 0 for a head that has none.
uint64_t head_epoch(const Xattrs& x) {
  auto i = x.find("rgw.epoch");
  return i == x.end() ? 0 : decode_epoch(i->second, "head epoch");
}

// The epoch the next head of a key gets: above the old one, and normally the
// clock, so that a key re-created after a removal starts above its old heads.
uint64_t next_epoch(uint64_t old) {
  return std::max<uint64_t>(old + 1, static_cast<uint64_t>(now_ns()));
}

// Index entry: <epoch> + encode_object_info.  The epoch first makes a newer
// entry compare greater as a whole (omap_cmp LT orders index updates).
std::string encode_index_entry(uint64_t epoch, const std::string& info_bytes) {
  return encode_epoch(epoch) + info_bytes;
}

ObjectInfo decode_index_entry(const std::string& v) {
  decode_epoch(v, "index entry");  // checks it
  return decode_object_info(v.substr(kEpochLen));
}

std::string removed_key(const std::string& key) { return kRemovedPrefix + key; }

// A run of stripes <head>.<tag>.0 .. .<stripes - 1>, `size` bytes in all:
// the tails of a large body, or one part of a multipart object.
struct Segment {
  std::string tag;
  uint64_t size = 0;
  uint64_t stripes = 0;
};

// Version 1 (written by object writers): {tag, size, stripe, num_tails}, the
// body in tails of the writer's tag (none: inline).  Version 2 (multipart):
// {tag, size, stripe, upload id, u32 n, n x {tag, size, stripes}}: the body is
// the parts' stripes in order, no byte of it in the head.
struct Manifest {
  std::string tag;
  uint64_t size = 0;
  uint64_t stripe = kStripe;
  uint64_t num_tails = 0;       // version 1
  bool multipart = false;       // version 2
  std::string upload_id;        // version 2
  std::vector<Segment> segs;    // the body's stripes (empty: inline in the head)
};

std::string encode_manifest(const Manifest& m) {
  Encoder e;
  if (!m.multipart) {
    e.u8(1);
    e.str(m.tag);
    e.u64(m.size);
    e.u64(m.stripe);
    e.u64(m.num_tails);
    return e.bytes();
  }
  e.u8(2);
  e.str(m.tag);
  e.u64(m.size);
  e.u64(m.stripe);
  e.str(m.upload_id);
  e.u32(static_cast<uint32_t>(m.segs.size()));
  for (const auto& sg : m.segs) {
    e.str(sg.tag);
    e.u64(sg.size);
    e.u64(sg.stripes);
  }
  return e.bytes();
}

Manifest decode_manifest(const std::string& bytes) {
  Decoder d(bytes);
  uint8_t v = d.u8();
  if (v != 1 && v != 2) fail(-EIO, "unsupported object manifest version " + std::to_string(v));
  Manifest m;
  m.tag = d.str();
  m.size = d.u64();
  m.stripe = d.u64();
  if (m.stripe == 0) fail(-EIO, "corrupt object manifest (stripe 0)");
  if (v == 1) {
    m.num_tails = d.u64();
    if (m.num_tails > 0) m.segs.push_back(Segment{m.tag, m.size, m.num_tails});
    return m;
  }
  m.multipart = true;
  m.upload_id = d.str();
  uint32_t n = d.u32();
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; ++i) {
    Segment sg;
    sg.tag = d.str();
    sg.size = d.u64();
    sg.stripes = d.u64();
    total += sg.size;
    m.segs.push_back(std::move(sg));
  }
  if (total != m.size) fail(-EIO, "corrupt object manifest (part sizes)");
  return m;
}

// rgw.prev of a head: what the swap replaced, for gc to reclaim after a writer
// that died before queueing it.  The old tag (its tails, counted), or for a
// multipart head "\0" + its manifest.
std::string encode_prev(const std::string& old_tag, const Manifest& old) {
  if (!old.multipart) return old_tag;
  return std::string(1, '\0') + encode_manifest(old);
}

// Upload record (index key kUploadPrefix + id): {u8 1, u8 state, str tag,
// i64 ns, str encode_upload_info}.  state 0: open.  state 1: ending (a
// completion with head tag `tag`, or an abort with tag ""), since ns: parts
// can no longer change, and whoever finishes it (the ender, or gc once the
// ender is judged dead) drops it with the part records.
struct UploadRec {
  bool ending = false;
  std::string tag;
  int64_t since_ns = 0;
  UploadInfo info;
};

std::string encode_upload_rec(const UploadRec& r) {
  Encoder e;
  e.u8(1);
  e.u8(r.ending ? 1 : 0);
  e.str(r.tag);
  e.i64(r.since_ns);
  e.str(encode_upload_info(r.info));
  return e.bytes();
}

UploadRec decode_upload_rec(const std::string& bytes) {
  Decoder d(bytes);
  uint8_t v = d.u8();
  if (v != 1) fail(-EIO, "unsupported upload record version " + std::to_string(v));
  UploadRec r;
  r.ending = d.u8() != 0;
  r.tag = d.str();
  r.since_ns = d.i64();
  r.info = decode_upload_info(d.str());
  return r;
}

// Part record (kPartPrefix + upload id + %05d number): {u8 1, u64 size,
// str etag, i64 mtime, str tag, u64 stripes}.
struct PartRec {
  PartInfo info;
  std::string tag;
  uint64_t stripes = 0;
};

std::string encode_part_rec(const PartRec& p) {
  Encoder e;
  e.u8(1);
  e.u64(p.info.size);
  e.str(p.info.etag);
  e.i64(p.info.mtime_ns);
  e.str(p.tag);
  e.u64(p.stripes);
  return e.bytes();
}

PartRec decode_part_rec(int number, const std::string& bytes) {
  Decoder d(bytes);
  uint8_t v = d.u8();
  if (v != 1) fail(-EIO, "unsupported part record version " + std::to_string(v));
  PartRec p;
  p.info.number = number;
  p.info.size = d.u64();
  p.info.etag = d.str();
  p.info.mtime_ns = d.i64();
  p.tag = d.str();
  p.stripes = d.u64();
  return p;
}

// Dead-stripes record (kDeadPrefix + tag): {u8 1, i64 ns, str head, str tag,
// u64 stripes}: stripes no part or head references any more, set in the same
// op that dropped their last reference; gc removes them after its grace.
std::string encode_dead(int64_t ns, const std::string& head, const Segment& sg) {
  Encoder e;
  e.u8(1);
  e.i64(ns);
  e.str(head);
  e.str(sg.tag);
  e.u64(sg.stripes);
  return e.bytes();
}

std::string upload_key(const std::string& upload_id) { return kUploadPrefix + upload_id; }
std::string parts_prefix(const std::string& upload_id) { return kPartPrefix + upload_id; }
std::string part_key(const std::string& upload_id, int number) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%05d", number);
  return parts_prefix(upload_id) + buf;
}
std::string dead_key(const std::string& tag) { return kDeadPrefix + tag; }

bool valid_upload_id(const std::string& id) {
  if (id.size() != kUploadIdLen) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// Omap keys to set and remove in the same op as an index update.
struct IndexExtras {
  std::vector<std::string> rm;
  std::vector<KV> set;
};

std::string tail_oid(const std::string& head, const std::string& tag, uint64_t n) {
  return head + "." + tag + "." + std::to_string(n);
}


bool has_key(const User& u, const std::string& access_key) {
  for (const auto& k : u.keys)
    if (k.access_key == access_key) return true;
  return false;
}

class RadosStore;

// ------------------------------------------------------------------ writer

// Streams an object body, or a part of a multipart upload (into stripes under
// its own tag, published by its part record), or publishes a completed
// upload's head (no body of its own).
class RadosWriter : public ObjectWriter {
 public:
  // Part `number` of an upload whose record was `upload_raw` (open).
  struct PartTarget {
    std::string upload_id;
    int number = 0;
    std::string upload_raw;
  };
  // A completion: the head tag and the pending record that the op ending the
  // upload set; `undo` reopens the upload while the head is not swapped.
  struct CompletionTarget {
    std::string tag;
    std::string stamp;
    int64_t stamped_ns = 0;
    std::function<void()> undo;
  };
  RadosWriter(RadosStore& store, BucketInfo bucket, std::string key);
  RadosWriter(RadosStore& store, BucketInfo bucket, std::string key, PartTarget part);
  RadosWriter(RadosStore& store, BucketInfo bucket, std::string key, CompletionTarget c);
  ~RadosWriter() override;
  // Completion: swaps in the head of `m` and updates the index with `extras`.
  ObjectInfo complete(const ObjectInfo& info, const Manifest& m, const IndexExtras& extras);
  void write(const char* data, size_t len) override;
  uint64_t bytes_written() const override { return size_; }
  ObjectInfo commit(const Attrs& attrs, int64_t delete_at,
                    const std::string& etag_override) override;
  void abort() override;

 private:
  // failed: write() threw; commit() refuses, abort/destructor clean up.
  enum class State { open, failed, swapped, done };
  enum class Mode { object, part, complete };
  void start_pending();
  void start_head_read();
  ObjectInfo publish(const ObjectInfo& info, const Manifest& m, const IndexExtras* extras);
  ObjectInfo commit_part();
  void point(const char* step) const;
  void flush_tail();
  void wait_inflight();
  void wait_pending();
  void refresh_pending();
  void failed(const char* what);
  int read_head(Xattrs& x);
  void outranked(uint64_t epoch, const std::string& info_bytes);
  void cleanup() noexcept;

  Mode mode_ = Mode::object;
  PartTarget part_;
  std::function<void()> undo_;

  RadosStore& st_;
  BucketInfo bucket_;
  std::string key_;
  std::string tag_;
  std::string head_;
  std::string pending_;
  std::string stamp_;       // the value last written to the pending record
  int64_t stamped_ns_ = 0;  // when
  std::string failure_;     // why write() failed
  Md5 md5_;
  uint64_t size_ = 0;
  std::string buf_;
  uint64_t tails_ = 0;  // tails issued
  std::unique_ptr<Completion> inflight_;
  std::string inflight_oid_;
  std::unique_ptr<AsyncWrite> pending_op_;      // the pending record, set at open
  std::unique_ptr<AsyncXattrRead> head_read_;   // the head's xattrs, read at open
  State state_ = State::open;
};

// ------------------------------------------------------------------ reader

class RadosReader : public ObjectReader {
 public:
  RadosReader(RadosStore& store, ObjectInfo info, std::string head, Manifest m,
              uint64_t offset, uint64_t end, std::unique_ptr<char[]> inline_data,
              size_t inline_len);
  ~RadosReader() override = default;
  const ObjectInfo& info() const override { return info_; }
  uint64_t remaining() const override { return end_ - pos_; }
  size_t read(char* buf, size_t len) override;

 private:
  struct Window {
    uint64_t off = 0;
    size_t len = 0;
    std::unique_ptr<char[]> data;
    std::unique_ptr<Completion> c;
    size_t got = 0;
    std::string oid;
  };
  void issue(Window& w, uint64_t off);
  void finish(Window& w);

  RadosStore& st_;
  ObjectInfo info_;
  std::string head_;
  Manifest man_;
  std::vector<uint64_t> starts_;  // where each segment of the body starts
  uint64_t pos_, end_;
  bool inline_;
  std::unique_ptr<char[]> idata_;  // inline: bytes [start_, start_ + ilen_)
  size_t ilen_;
  uint64_t start_;
  Window cur_;   // received
  Window next_;  // in flight
  bool have_cur_ = false;
  bool have_next_ = false;
};

// ------------------------------------------------------------------- store

class RadosStore : public Store {
 public:
  RadosStore(const std::string& prefix, const std::string& conf_path,
             const std::string& client_name, int timeout)
      : prefix_(prefix) {
    std::string name = client_name.empty() ? "admin" : client_name;
    if (name.compare(0, 7, "client.") != 0) name = "client." + name;
    int r = rados_create2(&cluster_, "ceph", name.c_str(), 0);
    if (r < 0) rados_fail(r, "rados_create2 " + name);
    try {
      r = rados_conf_read_file(cluster_, conf_path.empty() ? nullptr : conf_path.c_str());
      if (r < 0) rados_fail(r, "read Ceph config " + (conf_path.empty() ? "(default)" : conf_path));
      if (timeout > 0) {
        std::string t = std::to_string(timeout);
        for (const char* opt : {"rados_osd_op_timeout", "rados_mon_op_timeout", "client_mount_timeout"}) {
          r = rados_conf_set(cluster_, opt, t.c_str());
          if (r < 0) rados_fail(r, std::string("rados_conf_set ") + opt);
        }
      }
      r = rados_connect(cluster_);
      if (r < 0) rados_fail(r, "connect to the Ceph cluster as " + name);
      meta_ = open_pool(prefix_ + ".meta");
      index_ = open_pool(prefix_ + ".index");
      data_ = open_pool(prefix_ + ".data");
      buckets_ = std::make_unique<rados::BucketCache>(
          meta_, [this](const std::string& n, BucketInfo* b) { return load_bucket(n, b); });
      users_ = std::make_unique<rados::UserCache>(meta_);
    } catch (...) {
      close();
      throw;
    }
  }

  ~RadosStore() override { close(); }

  // ------------------------------------------------------------ users
  // Every change of a user (its record, or an alias pointing at it) ends with
  // users_->notify_changed(uid), also when the call fails after a write
  // (UserChange), so that no process's cache serves the old state after the
  // call (user_cache.h).  Lookups go through the cache; the writers read the
  // objects themselves.
  void create_user(const User& user) override {
    validate_uid(user.uid);
    User u = user;
    if (!u.created_ns) u.created_ns = now_ns();
    for (const auto& k : u.keys)
      if (k.access_key.empty() || k.secret_key.empty())
        fail(RGW_ERR_INVALID_ARGUMENT, "access key and secret key must not be empty");
    int r = create_excl(meta_, "user." + u.uid, encode_user(u));
    if (r == -EEXIST) fail(RGW_ERR_USER_EXISTS, "user '" + u.uid + "' exists");
    if (r < 0) rados_fail(r, "create meta/user." + u.uid);
    std::vector<std::string> claimed;
    try {
      for (const auto& k : u.keys) {
        claim_access_key(u.uid, k.access_key);
        claimed.push_back("akey." + k.access_key);
      }
      if (!u.swift_user.empty()) {
        claim_swift_user(u.uid, u.swift_user);
        claimed.push_back("swift." + u.swift_user);
      }
      omap_set_or_fail(meta_, "users", u.uid, "");
    } catch (...) {
      for (const auto& oid : claimed) rados_remove(meta_, oid.c_str());
      rados_remove(meta_, ("user." + u.uid).c_str());
      // Another process may have looked the half-created user up meanwhile.
      users_->notify_changed(u.uid);
      throw;
    }
    // Nobody can hold an older copy of a new user (unknown users are never
    // cached, and removing one notified): nothing to tell.
  }

  User get_user(const std::string& uid) override {
    User u;
    if (users_->find(rados::UserCache::Via::uid, uid, &u)) return u;
    auto t = users_->begin();
    u = read_user(uid);
    users_->put(t, rados::UserCache::Via::uid, uid, u);
    return u;
  }

  User get_user_by_access_key(const std::string& access_key) override {
    return get_user_via(rados::UserCache::Via::access_key, "akey.", access_key,
                        RGW_ERR_NO_SUCH_ACCESS_KEY, "no such access key '" + access_key + "'",
                        [&](const User& u) { return has_key(u, access_key); });
  }

  User get_user_by_swift_user(const std::string& swift_user) override {
    return get_user_via(rados::UserCache::Via::swift_user, "swift.", swift_user,
                        RGW_ERR_NO_SUCH_USER, "no such Swift user '" + swift_user + "'",
                        [&](const User& u) { return u.swift_user == swift_user; });
  }

  // A lookup through a name index: meta/<prefix><name> holds the uid, whose
  // record must still hold the name (else it was moved or removed meanwhile).
  template <typename Holds>
  User get_user_via(rados::UserCache::Via via, const char* prefix, const std::string& name,
                    int missing, const std::string& missing_message, Holds holds) {
    User u;
    if (users_->find(via, name, &u)) return u;
    auto t = users_->begin();
    std::string uid;
    const std::string index = prefix + name;
    int r = read_obj(meta_, index, &uid, nullptr);
    if (r == -ENOENT) fail(missing, missing_message);
    if (r < 0) rados_fail(r, "read meta/" + index);
    // The record may be cached already (found through another name).
    if (!users_->find(rados::UserCache::Via::uid, uid, &u)) {
      std::string data;
      r = read_obj(meta_, "user." + uid, &data, nullptr);
      if (r == -ENOENT) fail(missing, missing_message);
      if (r < 0) rados_fail(r, "read meta/user." + uid);
      u = decode_user(data);
    }
    if (!holds(u)) fail(missing, missing_message);
    users_->put(t, via, name, u);
    return u;
  }

  std::vector<std::string> list_users() override {
    std::vector<std::string> out;
    for_each_omap(meta_, "users", "", [&](const std::string& k, const std::string&) {
      out.push_back(k);
      return true;
    });
    return out;
  }

  void add_access_key(const std::string& uid, const AccessKey& key) override {
    if (key.access_key.empty() || key.secret_key.empty())
      fail(RGW_ERR_INVALID_ARGUMENT, "access key and secret key must not be empty");
    UserChange change(*this, uid);
    // The record first, then the alias: an alias then always points at a
    // user whose record holds the key, so a concurrent claimer cannot take it
    // over as stale between the two steps.
    update_user(uid, [&](User& u) {
      if (has_key(u, key.access_key))
        fail(RGW_ERR_ACCESS_KEY_EXISTS, "access key '" + key.access_key + "' is taken");
      u.keys.push_back(key);
    });
    try {
      claim_access_key(uid, key.access_key);
    } catch (...) {
      try {
        update_user(uid, [&](User& u) {
          std::vector<AccessKey> kept;
          for (const auto& k : u.keys)
            if (k.access_key != key.access_key) kept.push_back(k);
          u.keys = kept;
        });
      } catch (...) {
      }
      throw;
    }
  }

  void remove_access_key(const std::string& uid, const std::string& access_key) override {
    // Notifies even when the key is already gone: a retry after a call that
    // died between its write and its notify still reaches every cache.
    UserChange change(*this, uid);
    update_user(uid, [&](User& u) {
      std::vector<AccessKey> kept;
      for (const auto& k : u.keys)
        if (k.access_key != access_key) kept.push_back(k);
      if (kept.size() == u.keys.size())
        fail(RGW_ERR_NO_SUCH_ACCESS_KEY,
             "user '" + uid + "' has no access key '" + access_key + "'");
      u.keys = kept;
    });
    release_alias("akey." + access_key, uid);
  }

  void set_swift_credentials(const std::string& uid, const std::string& swift_user,
                             const std::string& swift_key) override {
    UserChange change(*this, uid);
    User cur = read_user(uid);
    bool claimed = false;
    if (!swift_user.empty() && swift_user != cur.swift_user) {
      claim_swift_user(uid, swift_user);
      claimed = true;
    }
    std::string old;
    try {
      update_user(uid, [&](User& u) {
        old = u.swift_user;
        u.swift_user = swift_user;
        u.swift_key = swift_key;
      });
    } catch (...) {
      if (claimed) release_alias("swift." + swift_user, uid);
      throw;
    }
    if (!old.empty() && old != swift_user) release_alias("swift." + old, uid);
  }

  void remove_user(const std::string& uid) override {
    UserChange change(*this, uid);
    User u = read_user(uid);
    bool owns = false;
    for_each_omap(meta_, "buckets", "", [&](const std::string&, const std::string& owner) {
      if (owner == uid) owns = true;
      return !owns;
    });
    if (owns) fail(RGW_ERR_USER_HAS_BUCKETS, "user '" + uid + "' still owns buckets");
    int r = rados_remove(meta_, ("user." + uid).c_str());
    if (r < 0 && r != -ENOENT) rados_fail(r, "remove meta/user." + uid);
    omap_rm_or_fail(meta_, "users", uid);
    for (const auto& k : u.keys) release_alias("akey." + k.access_key, uid);
    if (!u.swift_user.empty()) release_alias("swift." + u.swift_user, uid);
  }

  // ---------------------------------------------------------- buckets
  BucketInfo create_bucket(const BucketInfo& info) override {
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

  BucketInfo get_bucket(const std::string& name) override {
    validate_bucket_name(name);  // a NUL would cut the record's oid short
    BucketInfo b;
    int r = buckets_->get(name, &b);
    if (r == -ENOENT) fail(RGW_ERR_NO_SUCH_BUCKET, "no such bucket '" + name + "'");
    if (r < 0) rados_fail(r, "read meta/bucket." + name);
    return b;
  }

  void update_bucket(const BucketInfo& info) override {
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
      cur.versioning = info.versioning;
      cur.attrs = info.attrs;
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

  std::vector<BucketInfo> list_buckets(const std::string& owner) override {
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
      if (buckets_->peek(names[i], &b)) got[i] = std::move(b);
      else todo.push_back(i);
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

  void remove_bucket(const std::string& name) override {
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
        if (parse_pending(full, &key, &tag)) enqueue_gc(head_oid(b, key), tag, kUnknownTails);
      }
      omap_rm_or_fail(meta_, "buckets", name);
      clear_tombstone(name, tomb);
      r = rados_remove(index_, index_oid(b).c_str());
      if (r < 0 && r != -ENOENT) rados_fail(r, "remove index/" + index_oid(b));
      return;
    }
    fail(RGW_ERR_CONFLICT, "bucket '" + name + "' kept changing during its removal");
  }

  BucketStats bucket_stats(const std::string& name) override {
    validate_bucket_name(name);
    BucketInfo b = get_bucket(name);
    repair_pending_entries(b);  // count what a listing would show
    BucketStats s;
    for_each_omap(index_, index_oid(b), "", [&](const std::string& k, const std::string& v) {
      if (!k.empty() && k[0] == '\xff') return false;
      s.num_objects++;
      s.size_bytes += decode_index_entry(v).size;
      return true;
    });
    return s;
  }

  // ---------------------------------------------------------- objects
  std::unique_ptr<ObjectWriter> open_writer(const std::string& bucket,
                                            const std::string& key) override {
    validate_object_key(key);
    BucketInfo b = get_bucket(bucket);
    return std::make_unique<RadosWriter>(*this, std::move(b), key);
  }

  std::unique_ptr<ObjectReader> open_reader(const std::string& bucket, const std::string& key,
                                            uint64_t offset, int64_t length) override {
    validate_object_key(key);  // a NUL would cut the head's oid short: another key's head
    BucketInfo b = get_bucket(bucket);
    const std::string head = head_oid(b, key);
    // One read op: head xattrs plus the range's bytes, which for an inline
    // body (at most kStripe) are all of them.
    size_t want = length < 0 ? kFirstRead
                             : static_cast<size_t>(std::min<uint64_t>(
                                   static_cast<uint64_t>(length), kStripe));
    std::unique_ptr<char[]> buf(want ? new char[want] : nullptr);
    size_t got = 0;
    int read_rv = 0, xrv = 0;
    XattrIter xi;
    int r;
    {
      ReadOp op;
      rados_read_op_getxattrs(op.op, &xi.it, &xrv);
      if (want && offset < kStripe)
        rados_read_op_read(op.op, offset, want, buf.get(), &got, &read_rv);
      r = rados_read_op_operate(op.op, data_, head.c_str(), 0);
    }
    if (r == -ENOENT) no_such_key(bucket, key);
    if (r < 0) rados_fail(r, "read data/" + head);
    if (xrv < 0) rados_fail(xrv, "getxattrs data/" + head);
    if (read_rv < 0) rados_fail(read_rv, "read data/" + head);
    Xattrs x;
    xi.drain(x);
    ObjectInfo info;
    Manifest m;
    if (!parse_head(x, &info, &m)) no_such_key(bucket, key);
    if (is_expired(info)) no_such_key(bucket, key);
    if (offset > info.size)
      fail(RGW_ERR_INVALID_RANGE, "range starts at " + std::to_string(offset) +
                                      " past the end of a " + std::to_string(info.size) +
                                      "-byte object");
    uint64_t avail = info.size - offset;
    uint64_t len = length < 0 ? avail : std::min<uint64_t>(avail, static_cast<uint64_t>(length));
    uint64_t end = offset + len;
    if (!m.segs.empty())
      return std::make_unique<RadosReader>(*this, std::move(info), head, std::move(m), offset,
                                           end, nullptr, 0);
    if (got < len) fail(-EIO, "object body of '" + key + "' is shorter than its size");
    if (want - got > (64u << 10)) {
      // Do not hold the first-read buffer for a small body.
      std::unique_ptr<char[]> small(new char[got ? got : 1]);
      if (got) std::memcpy(small.get(), buf.get(), got);
      buf = std::move(small);
    }
    return std::make_unique<RadosReader>(*this, std::move(info), head, std::move(m), offset, end,
                                         std::move(buf), static_cast<size_t>(len));
  }

  ObjectInfo stat_object(const std::string& bucket, const std::string& key) override {
    validate_object_key(key);
    BucketInfo b = get_bucket(bucket);
    const std::string head = head_oid(b, key);
    Xattrs x;
    int r = read_obj(data_, head, nullptr, &x);
    if (r == -ENOENT) no_such_key(bucket, key);
    if (r < 0) rados_fail(r, "stat data/" + head);
    ObjectInfo info;
    Manifest m;
    if (!parse_head(x, &info, &m) || is_expired(info)) no_such_key(bucket, key);
    return info;
  }

  void remove_object(const std::string& bucket, const std::string& key) override {
    validate_object_key(key);
    BucketInfo b = get_bucket(bucket);
    const std::string head = head_oid(b, key);
    const std::string ioid = index_oid(b);
    const std::string pend = pending_key(key, "rm-" + random_hex(8));
    // The pending record is in flight during the first look at the head; it
    // must be there before the head goes.
    std::unique_ptr<AsyncWrite> pending_op = set_pending_async(ioid, pend, encode_ts(now_ns()));
    auto wait_pending = [&] { await_pending(pending_op, bucket, ioid); };
    std::optional<uint64_t> removed;  // epoch of the head removed
    int attempt = 0;
    for (; attempt < kMaxRetries && !removed; ++attempt) {
      Xattrs x;
      int r = read_obj(data_, head, nullptr, &x);
      if (r == -ENOENT) break;
      if (r < 0) rados_fail(r, "stat data/" + head);
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
      if (r < 0) rados_fail(r, "remove data/" + head);
      enqueue_gc_segments(head, m.segs);
      removed = epoch;
    }
    wait_pending();
    if (!removed && attempt == kMaxRetries)
      fail(RGW_ERR_CONFLICT, "object '" + key + "' kept changing during its removal");
    crash_point("rados:delete:before-index");
    // No head: nothing of ours to undo in the index.  A newer write in the
    // index (-ECANCELED): it stays.  Either way the pending record goes.
    int r = removed ? index_remove(ioid, key, *removed + 1, &pend) : -ECANCELED;
    if (is_cmp_failure(r)) r = omap_rm(index_, ioid, pend);
    if (r < 0 && r != -ENOENT) rados_fail(r, "remove index/" + ioid + " entry of '" + key + "'");
  }

  // Attribute update (no data rewritten): the head's rgw.info is replaced and
  // its epoch raised in ONE op guarded like a swap (cmpxattr rgw.tag,
  // rgw.epoch), under a pending record of our own (tag "at-..."); then ONE
  // index op sets the entry (same LT assertions) and drops the record.  The
  // head keeps its tag, body, manifest and rgw.prev: gc of our record (a dead
  // updater) finds no tails under our tag and only repairs the entry from the
  // head.  The guard makes it apply to the version read or to nothing, and
  // the raised epoch makes every racing op ordered against it: a writer or
  // remover that read the head before fails its guard and looks again, one
  // that swapped before makes ours fail; the index stays a max-register.
  ObjectInfo update_object_attrs(const std::string& bucket, const std::string& key,
                                 const Attrs& attrs, const std::string& expected_etag) override {
    validate_object_key(key);
    BucketInfo b = get_bucket(bucket);
    const std::string head = head_oid(b, key);
    const std::string ioid = index_oid(b);
    const std::string pend = pending_key(key, "at-" + random_hex(8));
    std::unique_ptr<AsyncWrite> pending_op = set_pending_async(ioid, pend, encode_ts(now_ns()));
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
          fail(RGW_ERR_CONFLICT, "object '" + key + "' changed: etag " + info.etag +
                                     ", expected " + expected_etag);
        info.attrs = attrs;
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
    // One op: the entry unless something newer is there, and our record.
    // Outranked: normally a newer head or a removal (its own op covers the
    // key) or a listing's repair already copied our head; only if our head is
    // still current and the index holds an epoch of a removed incarnation
    // stamped ahead of ours is the epoch raised past it (as a writer does).
    for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
      const std::string entry = encode_index_entry(epoch, info_bytes);
      int r = index_set(ioid, key, entry, &pend);
      if (r == 0) return info;
      if (r == -ENOENT) fail(RGW_ERR_NO_SUCH_BUCKET, "bucket '" + bucket + "' was removed");
      if (!is_cmp_failure(r)) rados_fail(r, "set index/" + ioid + " entry of '" + key + "'");
      Xattrs x;
      r = read_obj(data_, head, nullptr, &x);
      if (r < 0 && r != -ENOENT) rados_fail(r, "stat data/" + head);
      auto t = x.find("rgw.tag");
      const bool current = r == 0 && t != x.end() && t->second == tag && head_epoch(x) == epoch;
      auto got = omap_get(index_, ioid, {key, removed_key(key)});
      if (!current || (got.count(key) && got[key] == entry)) {
        omap_rm_or_fail(index_, ioid, pend);
        return info;
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
    }
    fail(RGW_ERR_CONFLICT, "index entry of '" + key + "' kept changing");
  }

  ListResult list_objects(const std::string& bucket, const ListParams& params) override {
    validate_list_params(params);  // a NUL would cut the omap bounds short
    return list_index(get_bucket(bucket), params);
  }

  // -------------------------------------------------------- multipart
  //
  // Records in the bucket index (after every object key, never listed):
  // kUploadPrefix + id (UploadRec), kPartPrefix + id + number (PartRec),
  // kDeadPrefix + tag (stripes to reclaim).  Part stripes are tails of the
  // object's head oid under the part's own tag.  See the header comment.
  UploadInfo create_upload(const std::string& bucket, const std::string& key,
                           const Attrs& attrs) override {
    validate_object_key(key);
    BucketInfo b = get_bucket(bucket);
    UploadRec rec;
    rec.info.initiated_ns = now_ns();
    rec.info.upload_id = new_upload_id(rec.info.initiated_ns);
    rec.info.key = key;
    rec.info.attrs = attrs;
    WriteOp op;
    rados_write_op_assert_exists(op.op);  // a removed bucket's index stays removed
    omap_set_in(op, {{upload_key(rec.info.upload_id), encode_upload_rec(rec)}});
    int r = rados_write_op_operate(op.op, index_, index_oid(b).c_str(), nullptr, 0);
    if (r == -ENOENT) fail(RGW_ERR_NO_SUCH_BUCKET, "no such bucket '" + bucket + "'");
    if (r < 0) rados_fail(r, "set upload record in index/" + index_oid(b));
    return rec.info;
  }

  UploadInfo get_upload(const std::string& bucket, const std::string& upload_id) override {
    return open_upload(get_bucket(bucket), upload_id, nullptr).info;
  }

  std::unique_ptr<ObjectWriter> open_part_writer(const std::string& bucket,
                                                 const std::string& upload_id,
                                                 int part_number) override {
    validate_part_number(part_number);
    BucketInfo b = get_bucket(bucket);
    std::string raw;
    UploadRec rec = open_upload(b, upload_id, &raw);
    const std::string key = rec.info.key;
    return std::make_unique<RadosWriter>(*this, std::move(b), key,
                                         RadosWriter::PartTarget{upload_id, part_number, raw});
  }

  std::vector<PartInfo> list_parts(const std::string& bucket,
                                   const std::string& upload_id) override {
    BucketInfo b = get_bucket(bucket);
    open_upload(b, upload_id, nullptr);
    std::vector<PartInfo> out;
    for (const auto& kv : read_parts(index_oid(b), upload_id)) out.push_back(kv.second.second.info);
    return out;
  }

  // Upload records are keyed by id, not by object key: the listing scans
  // them all, keeping only the first `limit` past the marker (a bounded
  // max-heap), so memory stays bounded however many uploads there are.
  std::vector<UploadInfo> list_uploads(const std::string& bucket, const std::string& prefix,
                                       const std::string& after_key, const std::string& after_id,
                                       size_t limit) override {
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
  ObjectInfo complete_upload(const std::string& bucket, const std::string& upload_id,
                             const std::vector<std::pair<int, std::string>>& parts,
                             const std::string& etag) override {
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
        if (it->second.second.info.etag != e)
          fail(RGW_ERR_INVALID_PART, "part " + std::to_string(n) + " has ETag " +
                                         it->second.second.info.etag + ", not " + e);
      }
      tag = random_hex(8);
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
      if (r == 0) ended = true;
      else if (r == -ENOENT) fail(RGW_ERR_NO_SUCH_BUCKET, "no such bucket '" + bucket + "'");
      else if (!is_cmp_failure(r)) rados_fail(r, "end upload in index/" + ioid);
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
    for (const auto& [n, e] : want) {
      const PartRec& p = have.at(n).second;
      m.segs.push_back(Segment{p.tag, p.info.size, p.stripes});
      m.size += p.info.size;
      etags.push_back(e);
    }
    for (const auto& [n, pr] : have) {
      extras.rm.push_back(part_key(upload_id, n));
      bool chosen = std::any_of(want.begin(), want.end(), [&](const auto& w) { return w.first == n; });
      if (!chosen)
        extras.set.emplace_back(dead_key(pr.second.tag),
                                encode_dead(ts, head, Segment{pr.second.tag, pr.second.info.size,
                                                              pr.second.stripes}));
    }
    ObjectInfo info = committed_object_info(
        rec.info.key, m.size, etag.empty() ? multipart_etag(etags) : etag, 0, rec.info.attrs);
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
    return w.complete(info, m, extras);
  }

  // Ends the upload in one op (so no part can land after the parts are
  // read), then drops it with its parts, whose stripes become dead records.
  void abort_upload(const std::string& bucket, const std::string& upload_id) override {
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

  GcReport gc(const GcOptions& options) override {
    GcReport report;
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
        repair_entry(ioid, key, want, cur, nullptr);
        report.repaired_entries++;
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
          const std::string head = head_oid(b, u.info.key);
          Xattrs x;
          r = read_obj(data_, head, nullptr, &x);
          if (r < 0 && r != -ENOENT) rados_fail(r, "stat data/" + head);
          if (r == 0 && x.count("rgw.tag") && x["rgw.tag"] == u.tag && x.count("rgw.manifest"))
            for (const auto& sg : decode_manifest(x["rgw.manifest"]).segs) keep.insert(sg.tag);
        }
        if (end_upload(b, upload_id, v, keep, u.since_ns)) report.repaired_entries++;
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
        if (epoch <= static_cast<uint64_t>(std::max<int64_t>(cutoff, 0)))
          markers.emplace_back(k, v);
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

  // ------------------------------------------------ used by writer/reader
  rados_ioctx_t data_io() const { return data_; }
  rados_ioctx_t index_io() const { return index_; }

  static std::string head_oid(const BucketInfo& b, const std::string& key) {
    return b.id + "_" + key;
  }
  static std::string index_oid(const BucketInfo& b) { return "index." + b.id; }

  void omap_set_or_fail(rados_ioctx_t io, const std::string& oid, const std::string& k,
                        const std::string& v) {
    WriteOp op;
    const char* keys[] = {k.data()};
    const char* vals[] = {v.data()};
    size_t klens[] = {k.size()};
    size_t vlens[] = {v.size()};
    rados_write_op_omap_set2(op.op, keys, vals, klens, vlens, 1);
    int r = rados_write_op_operate(op.op, io, oid.c_str(), nullptr, 0);
    if (r < 0) rados_fail(r, "omap set " + pool_name(io) + "/" + oid);
  }

  void omap_rm_or_fail(rados_ioctx_t io, const std::string& oid, const std::string& k) {
    int r = omap_rm(io, oid, k);
    if (r < 0 && r != -ENOENT) rados_fail(r, "omap rm " + pool_name(io) + "/" + oid);
  }

  int omap_rm(rados_ioctx_t io, const std::string& oid, const std::string& k) {
    WriteOp op;
    omap_rm_in(op, k);
    return rados_write_op_operate(op.op, io, oid.c_str(), nullptr, 0);
  }

  static void omap_rm_in(WriteOp& op, const std::string& k) {
    const char* keys[] = {k.data()};
    size_t klens[] = {k.size()};
    rados_write_op_omap_rm_keys2(op.op, keys, klens, 1);
  }

  // Makes op apply only to the head whose xattrs are `x` (tag and epoch:
  // the epoch may be raised in place, see RadosWriter::outranked).
  static void guard_head(WriteOp& op, const Xattrs& x) {
    auto t = x.find("rgw.tag");
    auto e = x.find("rgw.epoch");
    const std::string tag = t == x.end() ? std::string() : t->second;
    const std::string epoch = e == x.end() ? std::string() : e->second;
    rados_write_op_cmpxattr(op.op, "rgw.tag", LIBRADOS_CMPXATTR_OP_EQ, tag.data(), tag.size());
    rados_write_op_cmpxattr(op.op, "rgw.epoch", LIBRADOS_CMPXATTR_OP_EQ, epoch.data(),
                            epoch.size());
  }

  void enqueue_gc(const std::string& head, const std::string& tag, uint64_t num_tails) {
    enqueue_gc_segments(head, {Segment{tag, 0, num_tails}});
  }

  // Queues the stripes of a body (or of parts) for gc: one op per 1000.
  void enqueue_gc_segments(const std::string& head, const std::vector<Segment>& segs) {
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
      int r = rados_write_op_operate(op.op, meta_, "gc", nullptr, 0);
      if (r < 0) rados_fail(r, "omap set " + pool_name(meta_) + "/gc");
    }
  }

  // Sets an omap key to an index record in flight (the pending record of a
  // writer or remover, `ts` its encode_ts time); the caller waits for it
  // before touching the head.  -ENOENT then: the bucket was removed (the op
  // must not re-create its index).
  std::unique_ptr<AsyncWrite> set_pending_async(const std::string& ioid, const std::string& pend,
                                                const std::string& ts) {
    auto w = std::make_unique<AsyncWrite>();
    const char* keys[] = {pend.data()};
    const char* vals[] = {ts.data()};
    size_t klens[] = {pend.size()};
    size_t vlens[] = {ts.size()};
    rados_write_op_assert_exists(w->op.op);
    rados_write_op_omap_set2(w->op.op, keys, vals, klens, vlens, 1);
    int r = rados_aio_write_op_operate(w->op.op, index_, w->c.c, ioid.c_str(), nullptr, 0);
    if (r < 0) {
      w->c.submitted = false;
      rados_fail(r, "omap set index/" + ioid);
    }
    return w;
  }

  // Index updates are ordered by epoch: each asserts (omap_cmp LT, bytewise)
  // that the key's entry and removal marker are older than what it writes, so
  // a late update never undoes a newer one.  `pending`, if given, goes in the
  // same op.  -ECANCELED: the index already holds something as new; -ENOENT:
  // the bucket was removed (its index is never re-created).

  // Sets the entry of `key` to `entry` (<epoch> + info).
  int index_set(const std::string& ioid, const std::string& key, const std::string& entry,
                const std::string* pending, const IndexExtras* extras = nullptr) {
    const std::string rk = removed_key(key);
    WriteOp op;
    int cmp_rv[2] = {0, 0};
    rados_write_op_assert_exists(op.op);  // a removed bucket's index stays removed
    rados_write_op_omap_cmp2(op.op, key.data(), LIBRADOS_CMPXATTR_OP_LT, entry.data(),
                             key.size(), entry.size(), &cmp_rv[0]);
    rados_write_op_omap_cmp2(op.op, rk.data(), LIBRADOS_CMPXATTR_OP_LT, entry.data(), rk.size(),
                             entry.size(), &cmp_rv[1]);
    const char* keys[] = {key.data()};
    const char* vals[] = {entry.data()};
    size_t klens[] = {key.size()};
    size_t vlens[] = {entry.size()};
    rados_write_op_omap_set2(op.op, keys, vals, klens, vlens, 1);
    if (pending) omap_rm_in(op, *pending);
    if (extras) extras_in(op, *extras);
    return rados_write_op_operate(op.op, index_, ioid.c_str(), nullptr, 0);
  }

  static void extras_in(WriteOp& op, const IndexExtras& x) {
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
  void apply_extras(const std::string& ioid, const IndexExtras& x) {
    if (x.set.empty() && x.rm.empty()) return;
    WriteOp op;
    rados_write_op_assert_exists(op.op);  // never re-creates a removed index
    extras_in(op, x);
    int r = rados_write_op_operate(op.op, index_, ioid.c_str(), nullptr, 0);
    if (r < 0 && r != -ENOENT) rados_fail(r, "update index/" + ioid);
  }

  static void omap_set_in(WriteOp& op, const std::vector<KV>& kvs) {
    std::vector<const char*> kp, vp;
    std::vector<size_t> kl, vl;
    for (const auto& [k, v] : kvs) {
      kp.push_back(k.data());
      kl.push_back(k.size());
      vp.push_back(v.data());
      vl.push_back(v.size());
    }
    rados_write_op_omap_set2(op.op, kp.data(), vp.data(), kl.data(), vl.data(), kp.size());
  }

  // Removes the entry of `key` (a head of epoch < `epoch` was removed) and
  // leaves the marker `epoch`, so that the removed head's own late update fails.
  int index_remove(const std::string& ioid, const std::string& key, uint64_t epoch,
                   const std::string* pending) {
    const std::string rk = removed_key(key);
    const std::string marker = encode_epoch(epoch);
    WriteOp op;
    int cmp_rv[2] = {0, 0};
    rados_write_op_assert_exists(op.op);
    rados_write_op_omap_cmp2(op.op, key.data(), LIBRADOS_CMPXATTR_OP_LT, marker.data(),
                             key.size(), marker.size(), &cmp_rv[0]);
    rados_write_op_omap_cmp2(op.op, rk.data(), LIBRADOS_CMPXATTR_OP_LT, marker.data(),
                             rk.size(), marker.size(), &cmp_rv[1]);
    omap_rm_in(op, key);
    const char* keys[] = {rk.data()};
    const char* vals[] = {marker.data()};
    size_t klens[] = {rk.size()};
    size_t vlens[] = {marker.size()};
    rados_write_op_omap_set2(op.op, keys, vals, klens, vlens, 1);
    if (pending) omap_rm_in(op, *pending);
    return rados_write_op_operate(op.op, index_, ioid.c_str(), nullptr, 0);
  }

  // Removes an omap key if it still holds exactly `value` (a repair whose head
  // is gone: it must not remove a newer entry written meanwhile).
  int omap_rm_exact(rados_ioctx_t io, const std::string& oid, const std::string& key,
                    const std::string& value, const std::string* pending) {
    WriteOp op;
    int cmp_rv = 0;
    rados_write_op_omap_cmp2(op.op, key.data(), LIBRADOS_CMPXATTR_OP_EQ, value.data(),
                             key.size(), value.size(), &cmp_rv);
    omap_rm_in(op, key);
    if (pending) omap_rm_in(op, *pending);
    return rados_write_op_operate(op.op, io, oid.c_str(), nullptr, 0);
  }

  // The values of some omap keys (missing keys are absent from the result).
  std::map<std::string, std::string> omap_get(rados_ioctx_t io, const std::string& oid,
                                              const std::vector<std::string>& keys) {
    std::vector<const char*> kp;
    std::vector<size_t> kl;
    for (const auto& k : keys) {
      kp.push_back(k.data());
      kl.push_back(k.size());
    }
    ReadOp op;
    OmapIter it;
    int rv = 0;
    rados_read_op_omap_get_vals_by_keys2(op.op, kp.data(), kp.size(), kl.data(), &it.it, &rv);
    int r = rados_read_op_operate(op.op, io, oid.c_str(), 0);
    if (r == 0) r = rv;
    if (r < 0) rados_fail(r, "omap get " + pool_name(io) + "/" + oid);
    std::vector<KV> kvs;
    it.drain(kvs);
    return std::map<std::string, std::string>(kvs.begin(), kvs.end());
  }

  // Repairs the entry of `key` from its head, as just read (`want`: the entry
  // it implies, nullopt for no head); `cur` is the entry as read from the
  // index (nullopt: none).  Removes `pending` too, whatever the outcome.
  void repair_entry(const std::string& ioid, const std::string& key,
                    const std::optional<std::string>& want, const std::optional<std::string>& cur,
                    const std::string* pending) {
    int r = 0;
    if (want) {
      if (want != cur) r = index_set(ioid, key, *want, pending);  // newer there: fine
      else if (pending) r = omap_rm(index_, ioid, *pending);
    } else if (cur) {
      r = omap_rm_exact(index_, ioid, key, *cur, pending);  // changed meanwhile: newer
    } else if (pending) {
      r = omap_rm(index_, ioid, *pending);
    }
    if (is_cmp_failure(r) && pending) r = omap_rm(index_, ioid, *pending);
    if (r < 0 && !is_cmp_failure(r) && r != -ENOENT)
      rados_fail(r, "repair index/" + ioid + " entry of '" + key + "'");
  }

  // The entry a head implies (nullopt: no head, or not an object).
  // Brings the index entries of keys with a write or delete in flight (or
  // left by a dead writer) in line with their heads, as a listing does.
  void repair_pending_entries(const BucketInfo& b) {
    const std::string ioid = index_oid(b);
    std::set<std::string> pend;
    scan_pending(ioid, true, [&](const std::string& full, const std::string&) {
      std::string key, tag;
      if (parse_pending(full, &key, &tag)) pend.insert(key);
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
                   it == cur.end() ? std::nullopt : std::optional<std::string>(it->second),
                   nullptr);
    }
  }

  static std::optional<std::string> entry_of_head(int read_rv, const Xattrs& x) {
    if (read_rv != 0) return std::nullopt;
    auto i = x.find("rgw.info");
    if (i == x.end()) return std::nullopt;
    return encode_index_entry(head_epoch(x), i->second);
  }

  std::string pool_name(rados_ioctx_t io) const {
    if (io == meta_) return prefix_ + ".meta";
    if (io == index_) return prefix_ + ".index";
    return prefix_ + ".data";
  }

 private:
  [[noreturn]] static void no_such_key(const std::string& bucket, const std::string& key) {
    fail(RGW_ERR_NO_SUCH_KEY, "no such key '" + key + "' in bucket '" + bucket + "'");
  }

  static bool parse_head(Xattrs& x, ObjectInfo* info, Manifest* m) {
    auto i = x.find("rgw.info");
    if (i == x.end()) return false;
    *info = decode_object_info(i->second);
    auto mi = x.find("rgw.manifest");
    if (mi != x.end()) {
      *m = decode_manifest(mi->second);
    } else {
      m->size = info->size;
      m->num_tails = 0;
      m->segs.clear();
    }
    if (m->tag.empty() && x.count("rgw.tag")) m->tag = x["rgw.tag"];
    return true;
  }

  rados_ioctx_t open_pool(const std::string& pool) {
    int64_t id = rados_pool_lookup(cluster_, pool.c_str());
    if (id == -ENOENT) {
      int r = rados_pool_create(cluster_, pool.c_str());
      if (r < 0 && r != -EEXIST) rados_fail(r, "create pool " + pool);
    } else if (id < 0) {
      rados_fail(static_cast<int>(id), "look up pool " + pool);
    }
    rados_ioctx_t io = nullptr;
    int r = rados_ioctx_create(cluster_, pool.c_str(), &io);
    if (r < 0) rados_fail(r, "open pool " + pool);
    // Tag the pool (silences a health warning), once: enabling is a mon
    // command (~1 s), listing reads the local osdmap.  Best effort.
    char apps[256];
    size_t apps_len = sizeof apps;
    if (rados_application_list(io, apps, &apps_len) == 0 && apps_len == 0)
      rados_application_enable(io, "librgw", 0);
    return io;
  }

  void close() noexcept {
    buckets_.reset();  // unwatches: needs the connection
    users_.reset();
    if (data_) rados_ioctx_destroy(data_);
    if (index_) rados_ioctx_destroy(index_);
    if (meta_) rados_ioctx_destroy(meta_);
    data_ = index_ = meta_ = nullptr;
    if (cluster_) rados_shutdown(cluster_);
    cluster_ = nullptr;
  }

  // Reads a small object whole (data and/or xattrs) in one op when it fits.
  int read_obj(rados_ioctx_t io, const std::string& oid, std::string* data, Xattrs* xattrs) {
    size_t hint = kMetaRead;
    for (int attempt = 0; attempt < 4; ++attempt) {
      ReadOp op;
      XattrIter xi;
      uint64_t size = 0;
      time_t mtime = 0;
      int stat_rv = 0, read_rv = 0, xrv = 0;
      size_t n = 0;
      std::string buf;
      if (data) {
        buf.resize(hint);
        rados_read_op_stat(op.op, &size, &mtime, &stat_rv);
        rados_read_op_read(op.op, 0, hint, &buf[0], &n, &read_rv);
      }
      if (xattrs) rados_read_op_getxattrs(op.op, &xi.it, &xrv);
      int r = rados_read_op_operate(op.op, io, oid.c_str(), 0);
      if (r < 0) return r;
      if (stat_rv < 0) return stat_rv;
      if (read_rv < 0) return read_rv;
      if (xrv < 0) return xrv;
      if (data) {
        if (size > n && n == hint) {
          hint = static_cast<size_t>(size);
          continue;
        }
        buf.resize(n);
        *data = std::move(buf);
      }
      if (xattrs) {
        xattrs->clear();
        xi.drain(*xattrs);
      }
      return 0;
    }
    return -EAGAIN;
  }

  // Reads a bucket record; -ENOENT for a missing or removed bucket.  `raw`,
  // if given, gets the bytes read (a tombstone for a removed one).
  int load_bucket(const std::string& name, BucketInfo* info, std::string* raw = nullptr) {
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
  bool clear_tombstone(const std::string& name, const std::string& tomb) {
    WriteOp op;
    int cmp_rv = 0;
    rados_write_op_cmpext(op.op, tomb.data(), tomb.size(), 0, &cmp_rv);
    rados_write_op_remove(op.op);
    int r = rados_write_op_operate(op.op, meta_, ("bucket." + name).c_str(), nullptr, 0);
    return r == 0 || r == -ENOENT;
  }

  // The open upload `upload_id` of a bucket (else NoSuchUpload: unknown,
  // completed, aborted, or being completed); `raw` gets its record's bytes.
  UploadRec open_upload(const BucketInfo& b, const std::string& upload_id, std::string* raw) {
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
  std::map<int, std::pair<std::string, PartRec>> read_parts(const std::string& ioid,
                                                            const std::string& upload_id) {
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
  bool end_upload(const BucketInfo& b, const std::string& upload_id, const std::string& raw,
                  const std::set<std::string>& keep, int64_t dead_ns) {
    const std::string ioid = index_oid(b);
    const std::string ukey = upload_key(upload_id);
    const std::string head = head_oid(b, decode_upload_rec(raw).info.key);
    IndexExtras x;
    x.rm.push_back(ukey);
    for (const auto& [n, pr] : read_parts(ioid, upload_id)) {
      x.rm.push_back(part_key(upload_id, n));
      const PartRec& p = pr.second;
      if (!keep.count(p.tag))
        x.set.emplace_back(dead_key(p.tag),
                           encode_dead(dead_ns, head, Segment{p.tag, p.info.size, p.stripes}));
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

  // Bucket removal: the stripes of every part left in the index (of uploads
  // in progress, which the removal aborts) and of its dead-stripes records go
  // to the gc queue, which outlives the index.
  void queue_index_leftovers(const BucketInfo& b) {
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
      by_head[head_oid(b, it->second)].push_back(Segment{p.tag, p.info.size, p.stripes});
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
  }

  // Why a bucket cannot be removed ("" if it can): an object, or a write or
  // delete in flight.  Pending records older than kDeadWriterAge are dead
  // writers' (a live one re-stamps its record every kPendingRefresh): they go
  // to *dead.  The pending records are read before the entries: a writer's
  // index op turns its record into its entry in one op, so one read sees it.
  std::string bucket_busy(const BucketInfo& b, std::vector<std::string>* dead) {
    const int64_t cutoff = now_ns() - kDeadWriterAge;
    bool young = false;
    scan_pending(index_oid(b), false, [&](const std::string& full, const std::string& v) {
      if (decode_ts(v) > cutoff) young = true;
      else dead->push_back(full);
      return !young;
    });
    if (young) return "has an upload in progress";
    ListParams lp;
    lp.max_keys = 1;
    if (!list_index(b, lp).objects.empty()) return "is not empty";
    return "";
  }

  int create_excl(rados_ioctx_t io, const std::string& oid, const std::string& data) {
    WriteOp op;
    rados_write_op_create(op.op, LIBRADOS_CREATE_EXCLUSIVE, nullptr);
    rados_write_op_write_full(op.op, data.data(), data.size());
    return rados_write_op_operate(op.op, io, oid.c_str(), nullptr, 0);
  }

  // Replaces an object's bytes if they still are `old` (records are
  // self-delimiting, so comparing the old length suffices).
  int replace_guarded(rados_ioctx_t io, const std::string& oid, const std::string& old,
                      const std::string& next) {
    WriteOp op;
    int cmp_rv = 0;
    rados_write_op_assert_exists(op.op);
    rados_write_op_cmpext(op.op, old.data(), old.size(), 0, &cmp_rv);
    rados_write_op_write_full(op.op, next.data(), next.size());
    return rados_write_op_operate(op.op, io, oid.c_str(), nullptr, 0);
  }

  // The user's record, read from RADOS (not the cache).
  User read_user(const std::string& uid) {
    std::string data;
    int r = read_obj(meta_, "user." + uid, &data, nullptr);
    if (r == -ENOENT) fail(RGW_ERR_NO_SUCH_USER, "no such user '" + uid + "'");
    if (r < 0) rados_fail(r, "read meta/user." + uid);
    return decode_user(data);
  }

  // Tells every user cache that `uid` changed when it goes out of scope,
  // however the call ends.
  struct UserChange {
    RadosStore& st;
    std::string uid;
    UserChange(RadosStore& s, std::string u) : st(s), uid(std::move(u)) {}
    ~UserChange() { st.users_->notify_changed(uid); }
    UserChange(const UserChange&) = delete;
    UserChange& operator=(const UserChange&) = delete;
  };

  template <typename Fn>
  void update_user(const std::string& uid, Fn fn) {
    const std::string oid = "user." + uid;
    for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
      std::string old;
      int r = read_obj(meta_, oid, &old, nullptr);
      if (r == -ENOENT) fail(RGW_ERR_NO_SUCH_USER, "no such user '" + uid + "'");
      if (r < 0) rados_fail(r, "read meta/" + oid);
      User u = decode_user(old);
      fn(u);
      r = replace_guarded(meta_, oid, old, encode_user(u));
      if (r == 0) return;
      if (is_cmp_failure(r) || r == -ENOENT) continue;
      rados_fail(r, "write meta/" + oid);
    }
    fail(RGW_ERR_CONFLICT, "user '" + uid + "' kept changing during the update");
  }

  // Points meta/<prefix><name> at uid; a mapping left behind by a user that no
  // longer holds the name is taken over.  `holds` says whether a user holds it.
  template <typename Holds>
  void claim_alias(const std::string& oid, const std::string& uid, int taken_code,
                   const std::string& what, Holds holds) {
    for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
      int r = create_excl(meta_, oid, uid);
      if (r == 0) return;
      if (r != -EEXIST) rados_fail(r, "create meta/" + oid);
      std::string owner;
      r = read_obj(meta_, oid, &owner, nullptr);
      if (r == -ENOENT) continue;
      if (r < 0) rados_fail(r, "read meta/" + oid);
      if (owner == uid) return;  // ours already (the record is written first)
      std::string data;
      r = read_obj(meta_, "user." + owner, &data, nullptr);
      if (r < 0 && r != -ENOENT) rados_fail(r, "read meta/user." + owner);
      if (r == 0 && holds(decode_user(data))) fail(taken_code, what + " is taken");
      // Stale: take it over if it is still the stale mapping.
      WriteOp op;
      int cmp_rv = 0;
      rados_write_op_assert_exists(op.op);
      rados_write_op_cmpext(op.op, owner.data(), owner.size(), 0, &cmp_rv);
      rados_write_op_write_full(op.op, uid.data(), uid.size());
      r = rados_write_op_operate(op.op, meta_, oid.c_str(), nullptr, 0);
      if (r == 0) {
        users_->notify_changed(owner);  // a cache may still lead `owner`'s way
        return;
      }
      if (is_cmp_failure(r) || r == -ENOENT) continue;
      rados_fail(r, "write meta/" + oid);
    }
    fail(RGW_ERR_CONFLICT, what + " kept changing");
  }

  void claim_access_key(const std::string& uid, const std::string& ak) {
    claim_alias("akey." + ak, uid, RGW_ERR_ACCESS_KEY_EXISTS, "access key '" + ak + "'",
                [&](const User& u) { return has_key(u, ak); });
  }

  void claim_swift_user(const std::string& uid, const std::string& su) {
    claim_alias("swift." + su, uid, RGW_ERR_USER_EXISTS, "Swift user '" + su + "'",
                [&](const User& u) { return u.swift_user == su; });
  }

  // Removes meta/<oid> if it maps to uid.
  void release_alias(const std::string& oid, const std::string& uid) {
    std::string owner;
    int r = read_obj(meta_, oid, &owner, nullptr);
    if (r == -ENOENT || (r == 0 && owner != uid)) return;
    if (r < 0) rados_fail(r, "read meta/" + oid);
    r = rados_remove(meta_, oid.c_str());
    if (r < 0 && r != -ENOENT) rados_fail(r, "remove meta/" + oid);
  }

  int omap_page(rados_ioctx_t io, const std::string& oid, const std::string& start_after,
                const std::string& prefix, uint64_t max, std::vector<KV>& out, bool& more) {
    ReadOp op;
    OmapIter it;
    unsigned char pmore = 0;
    int rv = 0;
    rados_read_op_omap_get_vals2(op.op, start_after.c_str(), prefix.c_str(), max, &it.it, &pmore,
                                 &rv);
    int r = rados_read_op_operate(op.op, io, oid.c_str(), 0);
    if (r < 0) return r;
    if (rv < 0) return rv;
    out.clear();
    it.drain(out);
    more = pmore != 0;
    return 0;
  }

  // Calls fn(key, value) for every omap entry with the prefix, in order, until
  // fn returns false.  A missing object has no entries.  Keys must hold no NUL.
  template <typename Fn>
  void for_each_omap(rados_ioctx_t io, const std::string& oid, const std::string& prefix, Fn fn) {
    std::string after;
    for (;;) {
      std::vector<KV> page;
      bool more = false;
      int r = omap_page(io, oid, after, prefix, kOmapPage, page, more);
      if (r == -ENOENT) return;
      if (r < 0) rados_fail(r, "list " + pool_name(io) + "/" + oid);
      for (const auto& kv : page)
        if (!fn(kv.first, kv.second)) return;
      if (!more || page.empty()) return;
      after = page.back().first;
    }
  }

  // Calls fn(full_key, value) for the pending records of an index.  Their keys
  // hold a NUL, which the C API's start_after cannot express, so paging resumes
  // at the last object key and skips records already seen.
  template <typename Fn>
  void scan_pending(const std::string& ioid, bool bounded, Fn fn) {
    std::string after = kPendingPrefix;
    std::set<std::string> seen;
    size_t total = 0;
    for (;;) {
      std::vector<KV> page;
      bool more = false;
      int r = omap_page(index_, ioid, after, kPendingPrefix, kOmapPage, page, more);
      if (r == -ENOENT) return;
      if (r < 0) rados_fail(r, "list pending records of index/" + ioid);
      size_t fresh = 0;
      for (const auto& kv : page) {
        if (!seen.insert(kv.first).second) continue;
        ++fresh;
        if (!fn(kv.first, kv.second)) return;
        if (bounded && ++total >= kMaxPendingScan) return;
      }
      if (!more || page.empty()) return;
      std::string key, tag;
      std::string last = page.back().first;
      std::string next = parse_pending(last, &key, &tag) ? std::string(kPendingPrefix) + key : last;
      if (fresh == 0 || next == after) next += '\x01';  // skip the rest of one key's records
      after = next;
    }
  }

  void remove_tails(const std::string& head, const std::string& tag, uint64_t n,
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
      }
    }
  }

  // The listing: index entries in order; keys with a pending record are
  // checked against their head first (repaired, never served as phantoms).
  ListResult list_index(const BucketInfo& b, const ListParams& p) {
    ListResult out;
    const unsigned max = std::min(p.max_keys, 1000u);
    if (max == 0) return out;
    const std::string ioid = index_oid(b);

    // Object keys that have a write or delete in flight (or left by a crash).
    std::set<std::string> pend;
    scan_pending(ioid, true, [&](const std::string& full, const std::string&) {
      std::string key, tag;
      if (parse_pending(full, &key, &tag)) pend.insert(key);
      return true;
    });

    std::string after;  // exclusive; "" with a prefix starts at the prefix
    if (p.marker >= p.prefix) {
      std::string cp = common_prefix(p.marker, p);
      after = cp.empty() ? p.marker : prefix_end(cp);
    }
    std::string skip_to;  // keys below it roll up into the last common prefix
    unsigned count = 0;
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
        std::optional<std::string> v = value;
        if (pend.count(key)) {
          // Serve what the head says, and bring the index in line with it
          // (ordered like any index update: a newer one is left alone).
          const std::string head = head_oid(b, key);
          Xattrs x;
          r = read_obj(data_, head, nullptr, &x);
          if (r < 0 && r != -ENOENT) rados_fail(r, "stat data/" + head);
          v = entry_of_head(r, x);
          repair_entry(ioid, key, v, value, nullptr);
        }
        if (!v) continue;
        if (count == max) {
          out.truncated = true;
          return out;
        }
        ++count;
        std::string cp = common_prefix(key, p);
        if (!cp.empty()) {
          out.common_prefixes.push_back(cp);
          out.next_marker = cp;
          skip_to = prefix_end(cp);
        } else {
          out.objects.push_back(decode_index_entry(*v));
          out.next_marker = key;
        }
      }
      if (!more) return out;
      after = std::max(page_last, skip_to);
    }
  }

  std::string prefix_;
  rados_t cluster_ = nullptr;
  rados_ioctx_t meta_ = nullptr;
  rados_ioctx_t index_ = nullptr;
  rados_ioctx_t data_ = nullptr;
  std::unique_ptr<rados::BucketCache> buckets_;
  std::unique_ptr<rados::UserCache> users_;
};

// ------------------------------------------------------- writer, continued

RadosWriter::RadosWriter(RadosStore& store, BucketInfo bucket, std::string key)
    : st_(store), bucket_(std::move(bucket)), key_(std::move(key)), tag_(random_hex(8)) {
  head_ = RadosStore::head_oid(bucket_, key_);
  pending_ = pending_key(key_, tag_);
  // Both in flight while the body streams in: the pending record (waited for
  // before the first tail and before the head swap) and a first look at the
  // head (a stale look only costs a retry of the guarded swap).
  start_pending();
  start_head_read();
}

RadosWriter::RadosWriter(RadosStore& store, BucketInfo bucket, std::string key, PartTarget part)
    : st_(store), bucket_(std::move(bucket)), key_(std::move(key)), tag_(random_hex(8)) {
  mode_ = Mode::part;
  part_ = std::move(part);
  head_ = RadosStore::head_oid(bucket_, key_);
  pending_ = pending_key(key_, tag_);
  start_pending();  // a part never touches the head
}

RadosWriter::RadosWriter(RadosStore& store, BucketInfo bucket, std::string key,
                         CompletionTarget c)
    : st_(store), bucket_(std::move(bucket)), key_(std::move(key)), tag_(std::move(c.tag)) {
  mode_ = Mode::complete;
  undo_ = std::move(c.undo);
  head_ = RadosStore::head_oid(bucket_, key_);
  pending_ = pending_key(key_, tag_);
  stamp_ = std::move(c.stamp);  // set by the op that ended the upload
  stamped_ns_ = c.stamped_ns;
  start_head_read();
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

void RadosWriter::point(const char* step) const {
  crash_point((std::string(mode_ == Mode::complete ? "rados:complete:" : "rados:put:") + step).c_str());
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
  const char* keys[] = {pending_.data()};
  const char* vals[] = {next.data()};
  size_t klens[] = {pending_.size()};
  size_t vlens[] = {next.size()};
  rados_write_op_omap_set2(op.op, keys, vals, klens, vlens, 1);
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
  refresh_pending();  // also within one long write() call
  wait_inflight();  // at most one tail in flight: tails are written in order
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

ObjectInfo RadosWriter::commit(const Attrs& attrs, int64_t delete_at,
                               const std::string& etag_override) {
  if (state_ == State::failed) fail(RGW_ERR_INVALID_ARGUMENT, "writer failed earlier: " + failure_);
  if (state_ != State::open) fail(RGW_ERR_INVALID_ARGUMENT, "commit after commit or abort");
  if (mode_ == Mode::complete) fail(RGW_ERR_INVALID_ARGUMENT, "a completion has no body");
  try {
    if (mode_ == Mode::part) return commit_part();
    if (tails_ > 0 && !buf_.empty()) flush_tail();
    wait_inflight();
    ObjectInfo info = committed_object_info(
        key_, size_, etag_override.empty() ? md5_.hex_digest() : etag_override, delete_at, attrs);
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
                                 const IndexExtras& extras) {
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

  point("before-head-swap");

  // Head swap: last writer wins; the old head is replaced only if unchanged.
  rados_ioctx_t io = st_.data_io();
  bool swapped = false;
  std::string old_tag;
  Manifest old_man;
  bool had_old = false;
  uint64_t epoch = 0;
  for (int attempt = 0; attempt < kMaxRetries && !swapped; ++attempt) {
    refresh_pending();  // no head over reclaimed tails, however long this takes
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
    epoch = next_epoch(had_old ? head_epoch(x) : 0);
    const std::string epoch_bytes = encode_epoch(epoch);
    const std::string prev = encode_prev(old_tag, old_man);
    WriteOp op;
    if (had_old) {
      RadosStore::guard_head(op, x);
    } else {
      rados_write_op_create(op.op, LIBRADOS_CREATE_EXCLUSIVE, nullptr);
    }
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
    r = rados_write_op_operate(op.op, io, head_.c_str(), nullptr, 0);
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

  // From here on a failure leaves the pending record for gc() to resolve.
  point("after-head-swap");
  if (had_old) st_.enqueue_gc_segments(head_, old_man.segs);
  point("before-index");
  // One op: the entry, unless something newer is there, and the pending record.
  const std::string ioid = RadosStore::index_oid(bucket_);
  int r = st_.index_set(ioid, key_, encode_index_entry(epoch, info_bytes), &pending_, extras);
  if (is_cmp_failure(r)) {
    outranked(epoch, info_bytes);
    if (extras) st_.apply_extras(ioid, *extras);
  } else if (r == -ENOENT) {
    // The bucket was removed after all (its remover missed our pending
    // record): nothing can reach our head now; take it back if still ours.
    WriteOp op;
    rados_write_op_cmpxattr(op.op, "rgw.tag", LIBRADOS_CMPXATTR_OP_EQ, tag_.data(), tag_.size());
    rados_write_op_remove(op.op);
    if (rados_write_op_operate(op.op, io, head_.c_str(), nullptr, 0) == 0)
      st_.enqueue_gc_segments(head_, m.segs);
    fail(RGW_ERR_NO_SUCH_BUCKET, "bucket '" + bucket_.name + "' was removed during the upload");
  } else if (r < 0) {
    rados_fail(r, "set index/" + ioid + " entry of '" + key_ + "'");
  }
  state_ = State::done;
  return info;
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
  const std::string value = encode_part_rec(rec);
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    auto got = st_.omap_get(st_.index_io(), ioid, {ukey, pkey, pending_});
    if (!got.count(pending_))
      fail(RGW_ERR_CONFLICT, "upload stalled longer than the gc grace period; its data was reclaimed");
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
    std::vector<KV> set{{pkey, value}};
    if (!old.empty()) {
      PartRec was = decode_part_rec(part_.number, old);
      set.emplace_back(dead_key(was.tag),
                       encode_dead(now_ns(), head_, Segment{was.tag, was.info.size, was.stripes}));
    }
    RadosStore::omap_set_in(op, set);
    RadosStore::omap_rm_in(op, pending_);
    int r = rados_write_op_operate(op.op, st_.index_io(), ioid.c_str(), nullptr, 0);
    if (r == 0) {
      state_ = State::done;
      ObjectInfo info = committed_object_info(key_, size_, rec.info.etag, 0, Attrs{});
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

// Our index op failed: the index holds an epoch >= ours.  Normally our head was
// overwritten or removed since, and its successor's update covers the key, or
// a listing's repair already copied our head to the index: only the pending
// record goes.  If our head is still current and the index holds something
// else, that is an epoch of a removed incarnation of the key stamped by a clock
// ahead of ours: raise our head's epoch past it (guarded like a swap) and
// update again.
void RadosWriter::outranked(uint64_t epoch, const std::string& info_bytes) {
  const std::string ioid = RadosStore::index_oid(bucket_);
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    Xattrs x;
    int r = read_head(x);
    if (r < 0 && r != -ENOENT) rados_fail(r, "stat data/" + head_);
    auto t = x.find("rgw.tag");
    const bool current = r == 0 && t != x.end() && t->second == tag_ && head_epoch(x) == epoch;
    const std::string entry = encode_index_entry(epoch, info_bytes);
    auto got = st_.omap_get(st_.index_io(), ioid, {key_, removed_key(key_)});
    if (!current || (got.count(key_) && got[key_] == entry)) {
      st_.omap_rm_or_fail(st_.index_io(), ioid, pending_);
      return;
    }
    uint64_t top = 0;
    for (const auto& kv : got) top = std::max(top, decode_epoch(kv.second, "index/" + ioid));
    if (top >= epoch) {
      const uint64_t raised = top + 1;
      const std::string raised_bytes = encode_epoch(raised);
      WriteOp op;
      RadosStore::guard_head(op, x);
      rados_write_op_setxattr(op.op, "rgw.epoch", raised_bytes.data(), raised_bytes.size());
      r = rados_write_op_operate(op.op, st_.data_io(), head_.c_str(), nullptr, 0);
      if (r == -ENOENT || is_cmp_failure(r)) continue;  // changed meanwhile: look again
      if (r < 0) rados_fail(r, "write data/" + head_);
      epoch = raised;
    }
    r = st_.index_set(ioid, key_, encode_index_entry(epoch, info_bytes), &pending_);
    if (r == 0) return;
    if (!is_cmp_failure(r)) rados_fail(r, "set index/" + ioid + " entry of '" + key_ + "'");
  }
  fail(RGW_ERR_CONFLICT, "index entry of '" + key_ + "' kept changing");
}

void RadosWriter::abort() { cleanup(); }

// Aborts an open or failed writer: its tails and pending record go.  Never throws.
void RadosWriter::cleanup() noexcept {
  if (state_ != State::open && state_ != State::failed) return;
  state_ = State::done;
  inflight_.reset();  // waits
  head_read_.reset();
  pending_op_.reset();  // waits: the removal below must come after it
  rados_ioctx_t io = st_.data_io();
  for (uint64_t i = tails_; i-- > 0;) rados_remove(io, tail_oid(head_, tag_, i).c_str());
  try {
    if (undo_)
      undo_();  // a completion: reopens the upload, drops the pending record
    else
      st_.omap_rm(st_.index_io(), RadosStore::index_oid(bucket_), pending_);
  } catch (...) {
  }
  buf_.clear();
  buf_.shrink_to_fit();
}

// ------------------------------------------------------- reader, continued

RadosReader::RadosReader(RadosStore& store, ObjectInfo info, std::string head, Manifest m,
                         uint64_t offset, uint64_t end, std::unique_ptr<char[]> inline_data,
                         size_t inline_len)
    : st_(store),
      info_(std::move(info)),
      head_(std::move(head)),
      man_(std::move(m)),
      pos_(offset),
      end_(end),
      inline_(man_.segs.empty()),
      idata_(std::move(inline_data)),
      ilen_(inline_len),
      start_(offset) {
  uint64_t at = 0;
  for (const auto& sg : man_.segs) {
    starts_.push_back(at);
    at += sg.size;
  }
  if (!inline_ && pos_ < end_) {
    issue(next_, pos_);  // start fetching before the first read()
    have_next_ = true;
  }
}

// Reads ahead from `off` to the end of its stripe (at most one window): the
// segment holding `off` (the last one starting at or before it; empty parts
// start where the next one does), then the stripe within it.
void RadosReader::issue(Window& w, uint64_t off) {
  size_t s = static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), off) -
                                 starts_.begin()) - 1;
  const Segment& sg = man_.segs[s];
  const uint64_t in_seg = off - starts_[s];
  if (in_seg >= sg.size) fail(-EIO, "corrupt manifest of '" + info_.key + "'");
  uint64_t n = in_seg / man_.stripe;
  uint64_t in = in_seg % man_.stripe;
  uint64_t len = std::min<uint64_t>({kReadWindow, man_.stripe - in, sg.size - in_seg, end_ - off});
  w.off = off;
  w.len = static_cast<size_t>(len);
  w.got = 0;
  if (!w.data) w.data.reset(new char[kReadWindow]);
  w.c = std::make_unique<Completion>();
  w.oid = tail_oid(head_, sg.tag, n);
  int r = rados_aio_read(st_.data_io(), w.oid.c_str(), w.c->c, w.data.get(), w.len, in);
  if (r < 0) {
    w.c->submitted = false;
    w.c.reset();
    rados_fail(r, "read data/" + w.oid);
  }
}

void RadosReader::finish(Window& w) {
  int r = w.c->wait();
  w.c.reset();
  if (r == -ENOENT)
    fail(RGW_ERR_CONFLICT, "object '" + info_.key + "' was overwritten and reclaimed while read");
  if (r < 0) rados_fail(r, "read data/" + w.oid);
  w.got = static_cast<size_t>(r);
  if (w.got < w.len) fail(-EIO, "object body of '" + info_.key + "' is shorter than its size");
}

size_t RadosReader::read(char* buf, size_t len) {
  if (pos_ >= end_ || len == 0) return 0;
  len = static_cast<size_t>(std::min<uint64_t>(len, end_ - pos_));
  if (inline_) {
    std::memcpy(buf, idata_.get() + (pos_ - start_), len);
    pos_ += len;
    return len;
  }
  size_t done = 0;
  while (done < len && pos_ < end_) {
    if (!have_cur_ || pos_ < cur_.off || pos_ >= cur_.off + cur_.got) {
      if (have_next_ && next_.off == pos_) {
        std::swap(cur_, next_);
        have_next_ = false;
        have_cur_ = false;
        finish(cur_);
        have_cur_ = true;
      } else {
        if (have_next_) {
          next_.c.reset();  // waits
          have_next_ = false;
        }
        have_cur_ = false;
        issue(cur_, pos_);
        finish(cur_);
        have_cur_ = true;
      }
      uint64_t after = cur_.off + cur_.got;
      if (after < end_ && !have_next_) {
        issue(next_, after);  // read ahead while the caller consumes this window
        have_next_ = true;
      }
    }
    size_t n = static_cast<size_t>(
        std::min<uint64_t>(len - done, cur_.off + cur_.got - pos_));
    std::memcpy(buf + done, cur_.data.get() + (pos_ - cur_.off), n);
    done += n;
    pos_ += n;
  }
  return done;
}

}  // namespace

std::unique_ptr<Store> open_rados_store(const std::string& pool_prefix, const std::string& conf_path,
                                        const std::string& client_name, int op_timeout_seconds) {
  if (pool_prefix.empty()) fail(RGW_ERR_INVALID_URI, "rados store needs a pool prefix");
  return std::make_unique<RadosStore>(pool_prefix, conf_path, client_name, op_timeout_seconds);
}

}  // namespace rgw
