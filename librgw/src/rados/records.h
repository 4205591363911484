// records.h - the formats of the RADOS driver: the record codecs and the
// omap keys and object names it builds (the layout is in rados_store.h).
// Pure functions, no librados calls (tests/test_rados_records.cpp checks them
// without a cluster).  Decoders throw rgw::Error(-EIO) on truncated or
// corrupt input; decode_ts and parse_pending report it instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model.h"

namespace rgw::rados {

constexpr uint64_t kStripe = 4ull << 20;   // head inline limit and tail size
constexpr uint64_t kUnknownTails = ~0ull;  // gc: count the tails
inline constexpr char kPendingPrefix[] =
    "\xff"
    "p";
inline constexpr char kRemovedPrefix[] =
    "\xff"
    "d";
inline constexpr char kUploadPrefix[] =
    "\xff"
    "u";  // + upload id: an upload in progress
inline constexpr char kPartPrefix[] =
    "\xff"
    "m";  // + upload id + 5-digit number: a part
inline constexpr char kDeadPrefix[] =
    "\xff"
    "g";  // + tag: unreferenced stripes for gc
constexpr size_t kUploadIdLen = 32;
constexpr size_t kEpochLen = 9;  // 9 x 7 bits: epochs below 2^63

// ------------------------------------------------------ times and pending keys

// A gc queue key's time: 20 decimal digits (negative: 0), so keys sort by time.
std::string pad20(int64_t v);

// A time in ns as an omap value or tombstone suffix (8 bytes).
std::string encode_ts(int64_t ns);
// 0 (long ago) for bytes that do not hold one.
int64_t decode_ts(const std::string& v);

// A pending record's key: kPendingPrefix + object key + "\0" + tag.
std::string pending_key(const std::string& key, const std::string& tag);
// Splits a pending record's key; false if `full` is not one.
bool parse_pending(const std::string& full, std::string* key, std::string* tag);

// A removed bucket's record until the object itself goes: a prefix that no
// record starts with, then the time it was written (encode_ts).
std::string make_tombstone();
// Recognised by the prefix alone: the time after it varies.
bool is_tombstone(const std::string& raw);
// When a tombstone was written (0, i.e. long ago, for one without a time).
int64_t tombstone_ns(const std::string& raw);

// ------------------------------------------------------------------ epochs

// An epoch as bytes that sort like the number under Ceph's signed-char omap
// comparison (and an unsigned one): big-endian groups of 7 bits.
std::string encode_epoch(uint64_t e);  // -EOVERFLOW from 2^63 on
// The epoch at the start of `s` (an index entry, a removal marker, a head's
// rgw.epoch); -EIO, naming `what`, if it is short or has a byte >= 0x80.
uint64_t decode_epoch(const std::string& s, const std::string& what);

// A head's epoch (x: its xattrs); 0 for a head that has none.
uint64_t head_epoch(const std::map<std::string, std::string>& x);
// The epoch the next head of a key gets: above the old one, and normally the
// clock, so that a key re-created after a removal starts above its old heads.
uint64_t next_epoch(uint64_t old);

// Index entry: <epoch> + encode_object_info.  The epoch first makes a newer
// entry compare greater as a whole (omap_cmp LT orders index updates).
std::string encode_index_entry(uint64_t epoch, const std::string& info_bytes);
ObjectInfo decode_index_entry(const std::string& v);

// A removal marker's key (its value: the epoch of the head removed, + 1).
std::string removed_key(const std::string& key);

// ------------------------------------------------------------ head manifests
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
  uint64_t num_tails = 0;     // version 1
  bool multipart = false;     // version 2
  std::string upload_id;      // version 2
  std::vector<Segment> segs;  // the body's stripes (empty: inline in the head)
};

std::string encode_manifest(const Manifest& m);
Manifest decode_manifest(const std::string& bytes);

// rgw.prev of a head: what the swap replaced, for gc to reclaim after a writer
// that died before queueing it.  The old tag (its tails, counted), or for a
// multipart head "\0" + its manifest.
std::string encode_prev(const std::string& old_tag, const Manifest& old);

// ------------------------------------------------------------- multipart
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

std::string encode_upload_rec(const UploadRec& r);
UploadRec decode_upload_rec(const std::string& bytes);

// Part record (kPartPrefix + upload id + %05d number): {u8 1, u64 size,
// str etag, i64 mtime, str tag, u64 stripes}; or, when the part was uploaded
// again with other bytes, {u8 2, the same fields, u32 n, n x {u64 size,
// str etag, i64 mtime, str tag, u64 stripes}}: the latest upload, then the
// earlier ones it replaced (each of another etag, newest first), which a
// completion naming their etag may still choose.
struct PartRec {
  PartInfo info;
  std::string tag;
  uint64_t stripes = 0;
  std::vector<PartRec> older;  // empty in the records older holds
};

std::string encode_part_rec(const PartRec& p);
// `number`: the part number, which the key holds, not the record.
PartRec decode_part_rec(int number, const std::string& bytes);

// Dead-stripes record (kDeadPrefix + tag): {u8 1, i64 ns, str head, str tag,
// u64 stripes}: stripes no part or head references any more, set in the same
// op that dropped their last reference; gc removes them after its grace.
std::string encode_dead(int64_t ns, const std::string& head, const Segment& sg);

// Index keys of the records above.
std::string upload_key(const std::string& upload_id);
std::string parts_prefix(const std::string& upload_id);  // all parts of an upload
std::string part_key(const std::string& upload_id, int number);
std::string dead_key(const std::string& tag);

// An upload id as new_upload_id makes them (kUploadIdLen lower-case hex
// digits); anything else names no upload (nor an index key of one).
bool valid_upload_id(const std::string& id);

// ---------------------------------------------------------------- versions
// In a bucket whose versioning was ever enabled, a key's versions are index
// records, all of the same form (a "version entry"): <epoch> + {u8 0x7e,
// u8 where, str tag, str encode_object_info (version id, delete marker)}.
//   where 0: a delete marker (no body); 1: a version object
//   version_oid(head, tag) (its tails <head>.<tag>.<n>); 2: the plain head
//   (a null version written before versioning, whose head has this epoch).
// The key's entry (the omap key = object key) holds the current version's
// entry; kVersionPrefix + key + 0xff + hex16(2^63 - 1 - epoch) one per
// version (newest first); kVersionIdPrefix + key + 0xff + version id the
// same bytes, found by id.  0xff never occurs in UTF-8, so the bytes after a
// key are unambiguous, and these keys hold no NUL (the C API's start_after
// and filter prefix are C strings).
inline constexpr char kVersionPrefix[] =
    "\xff"
    "v";
inline constexpr char kVersionIdPrefix[] =
    "\xff"
    "i";
inline constexpr char kDeadVersionPrefix[] =
    "\xff"
    "x";  // + random: a removed version's object for gc
constexpr unsigned char kVersionEntryMark = 0x7e;

enum class VersionWhere : uint8_t { marker = 0, object = 1, plain_head = 2 };

struct VersionEntry {
  uint64_t epoch = 0;
  VersionWhere where = VersionWhere::marker;
  std::string tag;  // where object: the version object's tag
  ObjectInfo info;  // version_id and delete_marker set
};

std::string encode_version_entry(const VersionEntry& v);
// Whether an index value is a version entry (else: a plain entry, epoch + info).
bool is_version_entry(const std::string& v);
VersionEntry decode_version_entry(const std::string& v);

std::string version_key(const std::string& key, uint64_t epoch);
std::string versions_prefix(const std::string& key);  // every version record of a key
std::string version_id_key(const std::string& key, const std::string& version_id);

// Tags of versioned writes start with 'v' (plain writers' are hex, removers'
// "rm-", updaters' "at-"): their pending records are never repaired from the
// plain head, and gc reclaims their version object and tails.
bool is_version_tag(const std::string& tag);
// A remover's pending-record tags start with this (remove_head).
inline constexpr char kRemovalTagPrefix[] = "rm-";
// Whether a pending record's tag is a remover's.
bool is_removal_tag(const std::string& tag);
// A version's object: <bucket id>~<tag>_<key> (head = <bucket id>_<key>):
// no head or tail starts with <bucket id>~, and its name stays UTF-8.
std::string version_oid(const std::string& head, const std::string& tag);

// Dead-version record (kDeadVersionPrefix + random): {u8 1, i64 ns, str head,
// str oid, str epoch}: an object (oid; its tails <head>.<tag>.<n> as its
// manifest says) no version references any more, set in the op that removed
// its last reference; `epoch` non-empty: only if its rgw.epoch still is that
// (a plain head).
struct DeadVersion {
  int64_t ns = 0;
  std::string head;
  std::string oid;
  std::string epoch;
};
std::string encode_dead_version(const DeadVersion& d);
DeadVersion decode_dead_version(const std::string& bytes);

// ------------------------------------------------------------------ data pool

// Stripe n of the run `tag` of a head: <head>.<tag>.<n>.
std::string tail_oid(const std::string& head, const std::string& tag, uint64_t n);

}  // namespace rgw::rados
