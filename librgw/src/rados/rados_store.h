// rados_store.h - the Ceph RADOS driver (librados C API): its internal
// declarations (RadosStore, RadosWriter), shared by the files of the driver,
// and how it lays data out and keeps it consistent.
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
//                         mtime, tag, stripes, earlier uploads it replaced}: a part
//                         "\xff" "g" <tag> -> {ns, head, tag, stripes}: stripes nothing
//                         references any more (replaced, unchosen or aborted parts)
//                         "\xff" "v" <key> "\xff" <hex16(2^63-1-epoch)> -> version entry:
//                         every version of a key in a versioned bucket, newest first
//                         "\xff" "i" <key> "\xff" <version id> -> the same bytes, by id
//                         "\xff" "x" <random> -> DeadVersion: a removed version's object
//                         (valid UTF-8 never holds 0xff, so these sort after every key)
// data pool
//   <bucket_id>_<key>     head: the body when <= 4 MiB, else empty; xattrs rgw.info,
//                         rgw.tag, rgw.epoch <epoch>, rgw.manifest {u8 1, str tag, u64 size,
//                         u64 stripe, u64 num_tails} or, multipart, {u8 2, str tag, u64 size,
//                         u64 stripe, str upload id, u32 n, n x {str tag, u64 size,
//                         u64 stripes}}, rgw.prev (the tag it replaced, or "\0" + the
//                         replaced head's manifest when that was a multipart one; empty
//                         after a blind swap), rgw.inline ("1": the body is in the head,
//                         "0": in tails or parts; a blind swap's guard, inline_heads.h)
//   <head>.<tag>.<n>      tails: 4 MiB stripes of a large body, written before the head;
//                         also the stripes of a part (<tag> = the part upload's own tag)
//   <bucket_id>~<tag>_<key>  a version object (versioned buckets): body or empty, xattrs
//                         rgw.info, rgw.tag, rgw.manifest; tails <head>.<tag>.<n>
// <epoch> is a u64 in 9 big-endian 7-bit bytes: Ceph 16 compares omap values as
// *signed* chars, and bytes below 0x80 sort the same signed or not.
//
// Commit protocol of a writer (atomic overwrite, safe against SIGKILL at any point):
// pending record in the index; tails; head swap guarded by cmpxattr(rgw.tag, rgw.epoch)
// or exclusive create, stamping epoch = max(old epoch + 1, now ns); old tails queued in
// gc; then ONE index op: assert that the entry and the removal marker are older
// (omap_cmp LT), set the entry, drop the pending record.  A remover removes the head
// (same guard), then in one op removes the entry and sets the marker to the head's
// epoch + 1 (same LT assertions), dropping its pending record.  Pending records,
// plain entry updates and removals of concurrent writers in one process travel
// grouped, each with its own assertions and answer (index_batch.h).  A plain PUT
// of a body kept in its head is answered right after its head swap: its index op
// goes out detached (index_set_detached), its pending record in place until it
// lands, so a reader or a listing sees the new object at once (a listing checks
// the heads of keys with a pending record) and a crash before it lands leaves
// what a writer killed before its index op leaves.  A removal's index op, once its
// head is removed, goes out detached the same way (index_remove_detached).
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
// entry, no writer's pending record younger than kDeadWriterAge that stays there for
// kBusySettle; a remover's never blocks), tombstones the record,
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
//   record, drop the pending record.  The replaced upload stays in the new record
//   among the earlier ones (a completion may name its etag), one per etag: one of
//   ours becomes a dead-stripes record.  A writer that dies before leaves its
//   pending record: gc reclaims its stripes like a dead writer's tails.
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
//
// Versions (versioned buckets; docs/rados-layout.md "Versions").  The key's entry
// holds the current version's *version entry* (<epoch> + {0x7e, where: marker,
// version object or plain head, tag, info}); the "\xff" "v" and "\xff" "i" records
// hold every version's.  Every change of a versioned key (commit, delete marker,
// removal of a version, metadata update) is ONE index op asserting omap_cmp EQ that
// the key's entry is what was read: a key's changes are serialized by its entry,
// the last to land is current, readers and listings see a version whole or not at
// all.  A writer: pending record (tag "v..."), tails, version object (exclusive
// create), then the index op, which asserts and drops the pending record; dead
// writers' objects and tails are reclaimed by gc from the pending record (never
// repaired from the plain head).  Removed versions' objects go to "\xff" "x" records
// in the removing op, reclaimed by gc.  GET of the current version: one index read
// (the key's entry) + one data read (the version object), however many versions.
//
// Where the code lives (rados/, one job per file):
//   rados_store.h    this overview; RadosStore and RadosWriter; protocol constants
//   records.*        the record codecs and key formats (pure, no librados calls)
//   librados_util.*  RAII owners of librados ops and completions, single-op helpers
//   rados_store.cpp  connecting and opening the pools; open_rados_store()
//   users.cpp        users, access keys and Swift users
//   buckets.cpp      bucket records: create, update, list, remove, stats
//   writer.cpp       RadosWriter: the write path, head swap, commit and publish
//   reader.cpp       RadosReader: the read path (open_reader, stat_object)
//   objects.cpp      remove_object and update_object
//   index.cpp        index updates, pending records, repair, listing
//   versions.cpp     object versions: the one-op commits, removals and updates
//   multipart.cpp    multipart uploads
//   gc.cpp           the gc queue and gc()
//   bucket_cache.*, user_cache.*  the per-process caches and their watches
#pragma once

#include <rados/librados.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rados/bucket_cache.h"
#include "rados/index_batch.h"
#include "rados/inline_heads.h"
#include "rados/librados_util.h"
#include "rados/records.h"
#include "rados/user_cache.h"
#include "store.h"
#include "util.h"

namespace rgw::rados {

constexpr size_t kFirstRead = kStripe;  // first read: any inline body in one op
// Bytes read from a head: malloc'ed, so that a first read's buffer shrinks
// to the body it holds without a copy (realloc).
struct FreeBytes {
  void operator()(char* p) const { std::free(p); }
};
using HeadBytes = std::unique_ptr<char, FreeBytes>;
constexpr size_t kReadWindow = 1u << 20;   // tail read-ahead window
constexpr size_t kListWindow = 32;         // list_buckets: record reads in flight
constexpr int kMaxRetries = 100;           // races lost before giving up
constexpr size_t kMaxPendingScan = 10000;  // pending records a listing looks at
constexpr int64_t kSecond = 1000000000;
// A writer re-stamps its pending record when it is older than this (in write()
// and before its head swap): gc's grace must exceed it plus the op timeout.
constexpr int64_t kPendingRefresh = 60 * kSecond;
// remove_bucket: a pending record older than this is a dead writer's (a live
// one re-stamps it every kPendingRefresh), younger ones block the removal.
constexpr int64_t kDeadWriterAge = 3600 * kSecond;
// remove_bucket: how long a young writer's pending record may take to go
// (its detached index op landing) before it blocks the removal.
constexpr int64_t kBusySettle = 640 * kSecond / 1000;
// A tombstone younger than this is a removal in progress (create_bucket waits,
// gc leaves it alone); an older one was left by a remover that died.
constexpr int64_t kTombstoneAge = 60 * kSecond;

// Omap keys to set and remove in the same op as an index update.
struct IndexExtras {
  std::vector<std::string> rm;
  std::vector<KV> set;
};

// Waits for a pending-record write (RadosStore::set_pending_async) still in
// flight, then releases it; nothing to do once it was waited for.  The op
// asserts the index exists: -ENOENT means the bucket was removed meanwhile.
void await_pending(std::unique_ptr<PendingWrite>& op, const std::string& bucket,
                   const std::string& ioid, const char* when = "");

class RadosStore : public Store {
 public:
  // Connects as client.<client_name> (default admin) with the Ceph config
  // conf_path (default: librados's search), `timeout` seconds per op when
  // > 0, and opens the pools, creating missing ones (rados_store.cpp).
  RadosStore(const std::string& prefix, const std::string& conf_path,
             const std::string& client_name, int timeout);
  ~RadosStore() override;

  // ------------------------------------------------ users (users.cpp)
  // Every change of a user (its record, or an alias pointing at it) ends with
  // users_->notify_changed(uid), also when the call fails after a write
  // (UserChange), so that no process's cache serves the old state after the
  // call (user_cache.h).  Lookups go through the cache; the writers read the
  // objects themselves.
  void create_user(const User& user) override;
  User get_user(const std::string& uid) override;
  User get_user_by_credential(CredentialKind kind, const std::string& id) override;
  void update_user(const std::string& uid, const UserUpdate& update) override;
  // A lookup through a name index: meta/<prefix><name> holds the uid, whose
  // record must still hold the name (else it was moved or removed meanwhile).
  template <typename Holds>
  User get_user_via(rados::UserCache::Via via, const char* prefix, const std::string& name,
                    int missing, const std::string& missing_message, Holds holds);
  std::vector<std::string> list_users() override;
  void add_access_key(const std::string& uid, const AccessKey& key) override;
  void remove_access_key(const std::string& uid, const std::string& access_key) override;
  void set_swift_credentials(const std::string& uid, const std::string& swift_user,
                             const std::string& swift_key) override;
  void remove_user(const std::string& uid) override;

  // -------------------------------------------- buckets (buckets.cpp)
  // Records are read through the per-process cache buckets_; update_bucket
  // and remove_bucket notify every process's cache before they return.
  BucketInfo create_bucket(const BucketInfo& info) override;
  BucketInfo get_bucket(const std::string& name) override;
  // GET and HEAD on the event loop: with the bucket and the user cached, the
  // head's read is their only wait, and it runs asynchronously (reader.cpp).
  bool can_read_async() const override { return true; }
  bool can_write_async() const override { return true; }
  void update_bucket(const BucketInfo& info) override;
  std::vector<BucketInfo> list_buckets(const std::string& owner) override;
  void remove_bucket(const std::string& name) override;
  BucketStats bucket_stats(const std::string& name) override;

  // ---------------------------------------------------------- objects
  // open_writer: writer.cpp; open_reader, stat_object: reader.cpp;
  // remove_object, update_object: objects.cpp; list_objects: index.cpp.
  std::unique_ptr<ObjectWriter> open_writer(const std::string& bucket,
                                            const std::string& key) override;
  std::unique_ptr<ObjectReader> open_reader(const ObjectRef& ref,
                                            const ReadOptions& options) override;
  ObjectInfo stat_object(const ObjectRef& ref) override;
  ObjectInfo stat_version(const ObjectRef& ref) override;
  RemoveResult remove_object(const ObjectRef& ref, const RemoveOptions& options) override;
  ObjectInfo update_object(const ObjectRef& ref, const AttrsUpdate& update) override;
  ListResult list_objects(const std::string& bucket, const ListParams& params) override;

  // ---------------------------------------- multipart (multipart.cpp)
  //
  // Records in the bucket index (after every object key, never listed):
  // kUploadPrefix + id (UploadRec), kPartPrefix + id + number (PartRec),
  // kDeadPrefix + tag (stripes to reclaim).  Part stripes are tails of the
  // object's head oid under the part's own tag.  See the header comment.
  UploadInfo create_upload(const std::string& bucket, const std::string& key,
                           const WriteOptions& object) override;
  UploadInfo get_upload(const std::string& bucket, const std::string& upload_id) override;
  std::unique_ptr<ObjectWriter> open_part_writer(const std::string& bucket,
                                                 const std::string& upload_id,
                                                 int part_number) override;
  std::vector<PartInfo> list_parts(const std::string& bucket,
                                   const std::string& upload_id) override;
  std::vector<PartInfo> list_part_uploads(const std::string& bucket,
                                          const std::string& upload_id) override;
  std::vector<UploadInfo> list_uploads(const std::string& bucket, const std::string& prefix,
                                       const std::string& after_key, const std::string& after_id,
                                       size_t limit) override;
  ObjectInfo complete_upload(const std::string& bucket, const std::string& upload_id,
                             const std::vector<std::pair<int, std::string>>& parts,
                             const std::string& etag, const WriteOptions& conditions) override;
  void abort_upload(const std::string& bucket, const std::string& upload_id) override;

  // ----------------------------------------------------- gc (gc.cpp)
  GcReport gc(const GcOptions& options) override;

  // ------------------------------- expiry queue, leases (expiry.cpp)
  std::vector<ExpiryEntry> list_expiry(unsigned shard, int64_t due, size_t limit) override;
  std::vector<ExpiryEntry> expire_objects(const std::vector<ExpiryEntry>& entries) override;
  bool take_lease(const std::string& name, const std::string& holder, int64_t seconds) override;
  void drop_lease(const std::string& name, const std::string& holder) override;
  // The queue entry of an object given delete_at (0: none), set before the
  // head that carries it.
  void queue_expiry(const std::string& bucket, const std::string& key, int64_t delete_at);

  // ------------------------------------------------ used by writer/reader
  rados_ioctx_t data_io() const { return data_; }
  rados_ioctx_t index_io() const { return index_; }

  static std::string head_oid(const BucketInfo& b, const std::string& key) {
    return b.id + "_" + key;
  }
  static std::string index_oid(const BucketInfo& b) { return "index." + b.id; }

  // Omap updates and reads that name the pool in their errors (rados_store.cpp);
  // the updates go through operate_write (a try's fiber suspends for them).
  void omap_set_or_fail(rados_ioctx_t io, const std::string& oid, const std::string& k,
                        const std::string& v);
  void omap_rm_or_fail(rados_ioctx_t io, const std::string& oid, const std::string& k);
  std::map<std::string, std::string> omap_get(rados_ioctx_t io, const std::string& oid,
                                              const std::vector<std::string>& keys);
  std::string pool_name(rados_ioctx_t io) const;

  // writer.cpp
  // Makes op apply only to the head whose xattrs are `x` (tag and epoch:
  // the epoch may be raised in place, see settle_outranked).
  static void guard_head(WriteOp& op, const Xattrs& x);

  // gc.cpp: queue stripes for gc.
  void enqueue_gc(const std::string& head, const std::string& tag, uint64_t num_tails);
  void enqueue_gc_segments(const std::string& head, const std::vector<Segment>& segs);

  // index.cpp
  // Sets an omap key to an index record in flight (the pending record of a
  // writer or remover, `ts` its encode_ts time); the caller waits for it
  // before touching the head.  -ENOENT then: the bucket was removed (the op
  // must not re-create its index).  Sent with other writers' index changes
  // (index_batch.h).
  std::unique_ptr<PendingWrite> set_pending_async(const std::string& ioid, const std::string& pend,
                                                  const std::string& ts);

  // Index updates are ordered by epoch: each asserts (omap_cmp LT, bytewise)
  // that the key's entry and removal marker are older than what it writes, so
  // a late update never undoes a newer one.  `pending`, if given, goes in the
  // same op.  -ECANCELED: the index already holds something as new; -ENOENT:
  // the bucket was removed (its index is never re-created).
  int index_set(const std::string& ioid, const std::string& key, const std::string& entry,
                const std::string* pending, const IndexExtras* extras = nullptr);
  // A plain PUT's entry once its head (tag, epoch) is swapped in, sent
  // without waiting (the answer goes first; index_batch.h): the pending
  // record stays until it lands, so listings meanwhile check the head, and
  // a process that dies first leaves what a writer killed before its index
  // op leaves.  Its outcome is settled on the thread that sees it
  // (settle_detached_entry).
  void index_set_detached(const BucketInfo& b, const std::string& key, const std::string& tag,
                          uint64_t epoch, const std::string& info_bytes,
                          const std::string& pending);
  // A removal's index op once its head (of epoch < `epoch`) is removed:
  // removes the entry of `key` and leaves the marker `epoch`, so that the
  // removed head's own late update fails; drops `pending`.  Sent without
  // waiting, like index_set_detached: a failed assertion (a newer write is
  // there) only drops the pending record.
  void index_remove_detached(const std::string& ioid, const std::string& key, uint64_t epoch,
                             const std::string& pending);
  // What a writer does when its index op fails (result r < 0), for a
  // detached entry: -ENOENT (the bucket was removed after all) takes the
  // head back if still ours; a failed assertion, settle_outranked; anything
  // else (a timeout) leaves the pending record to listings and gc.  Never throws.
  void settle_detached_entry(const BucketInfo& b, const std::string& key, const std::string& tag,
                             uint64_t epoch, const std::string& info_bytes,
                             const std::string& pending, int r) noexcept;
  // Removes `head` if its tag is still `tag` (a head nothing can reach any
  // more: its bucket's index was removed); true if it did.
  bool take_back_head(const std::string& head, const std::string& tag);
  // An index update of the head (tag, epoch) failed its assertion: the index
  // holds an epoch >= ours.  Normally our head was overwritten or removed
  // since, and its successor's update covers the key, or a listing's repair
  // already copied our head to the index: only the pending record goes.  If
  // our head is still current and the index holds something else, that is an
  // epoch of a removed incarnation of the key stamped by a clock ahead of
  // ours: raise our head's epoch past it (guarded like a swap) and update
  // again.  false: it kept changing (the pending record stays).
  bool settle_outranked(const BucketInfo& b, const std::string& key, const std::string& tag,
                        uint64_t epoch, const std::string& info_bytes, const std::string& pending);
  static void extras_in(WriteOp& op, const IndexExtras& x);
  void apply_extras(const std::string& ioid, const IndexExtras& x);
  // create false: an entry missing from the index is not made from its head
  // (a versioned bucket, where the index is the truth).
  void repair_entry(const std::string& ioid, const std::string& key,
                    const std::optional<std::string>& want, const std::optional<std::string>& cur,
                    const std::string* pending, bool create = true);
  void repair_pending_entries(const BucketInfo& b);
  static std::optional<std::string> entry_of_head(int read_rv, const Xattrs& x);

  // versions.cpp: the versions of keys in a bucket whose versioning was
  // ever enabled (see the header comment).
  // The version id a commit or removal gets now in bucket b.
  static std::string next_version_id(const BucketInfo& b);
  // A key's entry as a versioned op sees it: its bytes ("" none) and the
  // current version (a plain, pre-versioning entry read as the null version
  // in the plain head: `legacy`, which has no version records yet).
  struct Current {
    std::string raw;
    std::optional<VersionEntry> v;
    bool legacy = false;
  };
  static Current parse_current(const std::map<std::string, std::string>& got,
                               const std::string& key);
  // What commit_version gets besides the new version.
  struct VersionCommit {
    const std::string* pending = nullptr;  // the writer's pending record and its stamp,
    const std::string* stamp = nullptr;    // asserted and dropped in the op
    const IndexExtras* extras = nullptr;   // in the same op
    const std::map<std::string, std::string>* first = nullptr;  // the key read ahead
    // Called with the current version each attempt: false = do nothing.
    std::function<bool(const std::optional<VersionEntry>&)> check;
    const char* crash = nullptr;  // crash point before the op
    bool gone = false;            // out, on a throw: the op did not land, the caller cleans up
  };
  // Publishes nv (its where, tag, info with its version id) as the current
  // version of key in ONE index op; nullopt if check refused.
  std::optional<ObjectInfo> commit_version(const BucketInfo& b, const std::string& key,
                                           VersionEntry nv, VersionCommit& c);
  // The version a ref names (nullopt: the key has no version at all; throws
  // NoSuchVersion for a missing named one); *latest: whether it is current.
  std::optional<VersionEntry> find_version(const BucketInfo& b, const ObjectRef& ref, bool* latest,
                                           bool* legacy);
  // Reclaims the object of a removed version (dead-version record).
  void reclaim_dead_version(const DeadVersion& d, GcReport* report);
  // The keys to read ahead for a versioned commit of key (omap_get).
  static std::vector<std::string> commit_keys(const std::string& key);

 private:
  // objects.cpp: remove_object's work; true if it removed a head.
  bool remove_head(const ObjectRef& ref, const RemoveOptions& options);
  ObjectInfo update_head(const ObjectRef& ref, const AttrsUpdate& update);

  // versions.cpp
  RemoveResult remove_versioned(const BucketInfo& b, const ObjectRef& ref,
                                const RemoveOptions& options, bool expire);
  ObjectInfo update_version(const BucketInfo& b, const ObjectRef& ref, const AttrsUpdate& update);
  // Adds to `set` a dead-version record for v's body (none for a marker).
  static void drop_body(const BucketInfo& b, const std::string& key, const VersionEntry& v,
                        std::vector<KV>& set);
  // ONE index op: EQ assertions (value "" = absent), removals, then sets.
  int version_op(const std::string& ioid, const std::vector<KV>& cmp,
                 const std::vector<std::string>& rm, const std::vector<KV>& set,
                 const IndexExtras* extras);

  // reader.cpp
  [[noreturn]] static void no_such_key(const std::string& bucket, const std::string& key);
  struct HeadResult {
    int r = 0, xrv = 0, read_rv = 0;  // the op's, getxattrs', read's
    Xattrs x;
    HeadBytes buf;  // the bytes read (none if none were asked for)
    size_t got = 0;
  };
  static HeadBytes alloc_head_bytes(size_t n);
  HeadResult read_head(const std::string& oid, uint64_t offset, size_t want);
  // Opens a reader on object oid (stripes under `base`); `info`, if given,
  // is what the index says of it (a version), else its rgw.info.
  std::unique_ptr<ObjectReader> open_object(const std::string& bucket, const std::string& key,
                                            const std::string& oid, const std::string& base,
                                            const std::optional<ObjectInfo>& info,
                                            const ReadOptions& options);
  static bool parse_head(Xattrs& x, ObjectInfo* info, Manifest* m);

  // rados_store.cpp
  void close() noexcept;

  // buckets.cpp
  int load_bucket(const std::string& name, BucketInfo* info, std::string* raw = nullptr);
  bool clear_tombstone(const std::string& name, const std::string& tomb);
  void queue_index_leftovers(const BucketInfo& b);
  std::string bucket_busy(const BucketInfo& b, std::vector<std::string>* dead);

  // multipart.cpp
  UploadRec open_upload(const BucketInfo& b, const std::string& upload_id, std::string* raw);
  std::map<int, std::pair<std::string, PartRec>> read_parts(const std::string& ioid,
                                                            const std::string& upload_id);
  bool end_upload(const BucketInfo& b, const std::string& upload_id, const std::string& raw,
                  const std::set<std::string>& keep, int64_t dead_ns);

  // users.cpp
  struct UserChange;
  User read_user(const std::string& uid);
  template <typename Fn>
  void modify_user_record(const std::string& uid, Fn fn);
  template <typename Holds>
  void claim_alias(const std::string& oid, const std::string& uid, int taken_code,
                   const std::string& what, Holds holds);
  void claim_access_key(const std::string& uid, const std::string& ak);
  void claim_swift_user(const std::string& uid, const std::string& su);
  void release_alias(const std::string& oid, const std::string& uid);

  // Calls fn(key, value) for every omap entry with the prefix, in order, until
  // fn returns false.  A missing object has no entries.  Keys must hold no NUL.
  template <typename Fn>
  void for_each_omap(rados_ioctx_t io, const std::string& oid, const std::string& prefix, Fn fn);

  // Calls fn(full_key, value) for the pending records of an index.  Their keys
  // hold a NUL, which the C API's start_after cannot express, so paging resumes
  // at the last object key and skips records already seen.
  template <typename Fn>
  void scan_pending(const std::string& ioid, bool bounded, Fn fn);

  // gc.cpp
  void remove_tails(const std::string& head, const std::string& tag, uint64_t n, GcReport* report);

  // index.cpp
  ListResult list_index(const BucketInfo& b, const ListParams& p);

  std::string prefix_;  // pools <prefix_>.meta, .index and .data
  // Connected and opened by the constructor, released by close() (after the
  // caches, which unwatch through the connection).
  rados_t cluster_ = nullptr;
  rados_ioctx_t meta_ = nullptr;
  rados_ioctx_t index_ = nullptr;
  rados_ioctx_t data_ = nullptr;
  // Bucket records, one watch per cached record (bucket_cache.h); loaded by
  // load_bucket, so a tombstoned record reads as no bucket.
  std::unique_ptr<rados::BucketCache> buckets_;
  // Users by uid, access key and Swift user, one watch on meta/users
  // (user_cache.h); every change of a user ends with notify_changed(uid).
  std::unique_ptr<rados::UserCache> users_;
  // The index changes of this process's writers, grouped per index object
  // (index_batch.h).
  std::unique_ptr<rados::IndexBatcher> index_batch_;

 public:
  // Heads this process wrote with their body in them (blind swaps, inline_heads.h).
  rados::InlineHeads inline_heads;
};

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
  // conditions: WriteOptions::if_match / if_none_match (as commit's).
  ObjectInfo complete(const ObjectInfo& info, const Manifest& m, const IndexExtras& extras,
                      const WriteOptions& conditions);
  void write(const char* data, size_t len) override;
  uint64_t bytes_written() const override { return size_; }
  std::string md5_hex_so_far() const override { return md5_.hex_digest_so_far(); }
  ObjectInfo commit(const WriteOptions& options) override;
  void abort() override;

 private:
  // failed: write() threw; commit() refuses, abort/destructor clean up.
  enum class State { open, failed, swapped, done };
  enum class Mode { object, part, complete };
  void start_pending();
  void start_head_read();
  ObjectInfo publish(const ObjectInfo& info, const Manifest& m, const IndexExtras* extras);
  ObjectInfo publish_version(ObjectInfo info, const Manifest& m, const IndexExtras* extras);
  void start_entry_read();
  ObjectInfo commit_part();
  void point(const char* step) const;
  void flush_tail();
  void wait_inflight();
  void wait_pending();
  void refresh_pending();
  void failed(const char* what);
  int read_head(Xattrs& x);
  // Runs a head swap (operate_write); if its result cannot be known (the
  // request ended while it was in flight on the loop) it may have landed:
  // the writer is then past the swap, and gc settles its pending record.
  int swap_head(WriteOp& op);
  void head_op(WriteOp& op, const std::string& info_bytes, const std::string& epoch_bytes,
               const std::string& man_bytes, const std::string& prev, bool inline_body) const;
  void cleanup() noexcept;

  Mode mode_ = Mode::object;
  PartTarget part_;
  std::function<void()> undo_;

  RadosStore& st_;
  BucketInfo bucket_;
  std::string key_;
  std::string tag_;
  // if_match / if_none_match of the commit, checked against the head read
  // for the swap (or the current version, in the versioned index op).
  WriteOptions conditions_;
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
  std::unique_ptr<PendingWrite> pending_op_;   // the pending record, set at open
  std::unique_ptr<AsyncXattrRead> head_read_;  // the head's xattrs, read at open
  // The head is one this process wrote with its body in it
  // (InlineHeads): not read first, swapped blind if the body fits.
  bool blind_ = false;
  // Versioned bucket: the body goes to a version object of its own
  // (version_oid(head_, tag_), tag_ "v..."), the key's entry is read ahead.
  bool versioned_ = false;
  bool vobj_ = false;  // the version object was written
  std::unique_ptr<AsyncOmapRead> entry_read_;
  State state_ = State::open;
};

// ------------------------------------------ RadosStore templates used across files

template <typename Fn>
void RadosStore::for_each_omap(rados_ioctx_t io, const std::string& oid, const std::string& prefix,
                               Fn fn) {
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

template <typename Fn>
void RadosStore::scan_pending(const std::string& ioid, bool bounded, Fn fn) {
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

}  // namespace rgw::rados
