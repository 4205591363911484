// records.cpp - the RADOS driver's record codecs and key formats (records.h).
#include "rados/records.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "errors.h"
#include "util.h"

namespace rgw::rados {
namespace {

// What a removed bucket's record holds until the object itself is removed:
// this prefix, then the time it was written (8 bytes).  Records start with a
// non-zero version byte, so this never decodes as one.
const std::string kBucketTombstone("\0removed", 8);

}  // namespace

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

bool is_tombstone(const std::string& raw) {
  return raw.compare(0, kBucketTombstone.size(), kBucketTombstone) == 0;
}

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

uint64_t head_epoch(const std::map<std::string, std::string>& x) {
  auto i = x.find("rgw.epoch");
  return i == x.end() ? 0 : decode_epoch(i->second, "head epoch");
}

uint64_t next_epoch(uint64_t old) {
  return std::max<uint64_t>(old + 1, static_cast<uint64_t>(now_ns()));
}

std::string encode_index_entry(uint64_t epoch, const std::string& info_bytes) {
  return encode_epoch(epoch) + info_bytes;
}

ObjectInfo decode_index_entry(const std::string& v) {
  if (is_version_entry(v)) return decode_version_entry(v).info;
  decode_epoch(v, "index entry");  // checks it
  return decode_object_info(v.substr(kEpochLen));
}

std::string removed_key(const std::string& key) { return kRemovedPrefix + key; }

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

std::string encode_prev(const std::string& old_tag, const Manifest& old) {
  if (!old.multipart) return old_tag;
  return std::string(1, '\0') + encode_manifest(old);
}

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

std::string encode_part_rec(const PartRec& p) {
  Encoder e;
  e.u8(p.older.empty() ? 1 : 2);
  auto fields = [&e](const PartRec& r) {
    e.u64(r.info.size);
    e.str(r.info.etag);
    e.i64(r.info.mtime_ns);
    e.str(r.tag);
    e.u64(r.stripes);
  };
  fields(p);
  if (!p.older.empty()) {
    e.u32(static_cast<uint32_t>(p.older.size()));
    for (const PartRec& o : p.older) fields(o);
  }
  return e.bytes();
}

PartRec decode_part_rec(int number, const std::string& bytes) {
  Decoder d(bytes);
  uint8_t v = d.u8();
  if (v != 1 && v != 2) fail(-EIO, "unsupported part record version " + std::to_string(v));
  auto fields = [&d, number]() {
    PartRec p;
    p.info.number = number;
    p.info.size = d.u64();
    p.info.etag = d.str();
    p.info.mtime_ns = d.i64();
    p.tag = d.str();
    p.stripes = d.u64();
    return p;
  };
  PartRec p = fields();
  if (v == 2)
    for (uint32_t n = d.u32(); n > 0; --n) p.older.push_back(fields());
  return p;
}

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

std::string encode_version_entry(const VersionEntry& v) {
  Encoder e;
  e.u8(kVersionEntryMark);
  e.u8(static_cast<uint8_t>(v.where));
  e.str(v.tag);
  e.str(encode_object_info(v.info));
  return encode_epoch(v.epoch) + e.bytes();
}

bool is_version_entry(const std::string& v) {
  return v.size() > kEpochLen && static_cast<unsigned char>(v[kEpochLen]) == kVersionEntryMark;
}

VersionEntry decode_version_entry(const std::string& v) {
  VersionEntry out;
  out.epoch = decode_epoch(v, "version entry");
  const std::string rest = v.substr(kEpochLen);
  Decoder d(rest);
  if (d.u8() != kVersionEntryMark) fail(-EIO, "corrupt version entry");
  uint8_t where = d.u8();
  if (where > 2) fail(-EIO, "corrupt version entry (where)");
  out.where = static_cast<VersionWhere>(where);
  out.tag = d.str();
  out.info = decode_object_info(d.str());
  return out;
}

std::string versions_prefix(const std::string& key) { return kVersionPrefix + key + "\xff"; }

std::string version_key(const std::string& key, uint64_t epoch) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>((~0ull >> 1) - (epoch & (~0ull >> 1))));
  return versions_prefix(key) + buf;
}

std::string version_id_key(const std::string& key, const std::string& version_id) {
  return kVersionIdPrefix + key + "\xff" + version_id;
}

bool is_version_tag(const std::string& tag) { return !tag.empty() && tag[0] == 'v'; }

bool is_removal_tag(const std::string& tag) {
  return tag.compare(0, std::strlen(kRemovalTagPrefix), kRemovalTagPrefix) == 0;
}

std::string version_oid(const std::string& head, const std::string& tag) {
  // head is <bucket id>_<key>, and bucket ids are hex: the id ends at the
  // first '_'.  No head or tail starts with <bucket id>~.
  const size_t us = head.find('_');
  return head.substr(0, us) + "~" + tag + "_" + head.substr(us + 1);
}

std::string encode_dead_version(const DeadVersion& x) {
  Encoder e;
  e.u8(1);
  e.i64(x.ns);
  e.str(x.head);
  e.str(x.oid);
  e.str(x.epoch);
  return e.bytes();
}

DeadVersion decode_dead_version(const std::string& bytes) {
  Decoder d(bytes);
  if (d.u8() != 1) fail(-EIO, "unsupported dead version record");
  DeadVersion x;
  x.ns = d.i64();
  x.head = d.str();
  x.oid = d.str();
  x.epoch = d.str();
  return x;
}

bool valid_upload_id(const std::string& id) {
  if (id.size() != kUploadIdLen) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string tail_oid(const std::string& head, const std::string& tag, uint64_t n) {
  return head + "." + tag + "." + std::to_string(n);
}

}  // namespace rgw::rados
