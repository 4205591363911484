// test_rados_records.cpp - unit tests of the RADOS driver's record codecs and
// key formats (src/rados/records.h), without a cluster: round trips of every
// record, the ordering properties the index relies on (epochs compare
// bytewise like the numbers, signed or unsigned, and never hold a byte >=
// 0x80), the key formats, and rejection of truncated or corrupt input, which
// must throw rgw::Error and never crash.
#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "check.hpp"
#include "crypto.h"
#include "errors.h"
#include "rados/records.h"
#include "util.h"

using namespace rgw;
using namespace rgw::rados;

namespace {

#define CHECK_ERROR(expr, code) CHECK_THROWS(expr, code)

// Runs f on corrupt input: it may decode something or throw rgw::Error,
// nothing else (and must not crash).
bool survives(const std::function<void()>& f, const std::string& input, const char* what) {
  try {
    f();
  } catch (const Error&) {
  } catch (const std::exception& e) {
    ++check::failures;
    std::fprintf(stderr, "%s of %s threw %s, not rgw::Error\n", what, hex(input).c_str(), e.what());
    return false;
  }
  return true;
}

// Every strict prefix of a valid encoding is truncated: the decoder must
// throw rgw::Error(-EIO) for each.
void check_truncations(const std::string& valid,
                       const std::function<void(const std::string&)>& decode, const char* what) {
  for (size_t n = 0; n < valid.size(); ++n) {
    const std::string cut = valid.substr(0, n);
    if (!CHECK_ERROR(decode(cut), -EIO))
      std::fprintf(stderr, "  (%s truncated to %zu of %zu bytes)\n", what, n, valid.size());
  }
}

// Random corruption (fixed seed: reproducible): flipped, replaced, inserted
// and dropped bytes, and random tails.
void check_corruptions(const std::string& valid,
                       const std::function<void(const std::string&)>& decode, const char* what) {
  std::mt19937_64 rng(0x5eed);
  int ok = 0;
  const int rounds = 2000;
  for (int i = 0; i < rounds; ++i) {
    std::string s = valid;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = s.empty() ? 0 : rng() % s.size();
      switch (rng() % 5) {
        case 0:
          if (!s.empty()) s[at] = static_cast<char>(s[at] ^ (1u << (rng() % 8)));
          break;
        case 1:
          if (!s.empty()) s[at] = static_cast<char>(rng());
          break;
        case 2:
          s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), static_cast<char>(rng()));
          break;
        case 3:
          if (!s.empty()) s.erase(at, 1);
          break;
        default:
          s.resize(at);
          for (size_t n = rng() % 16; n > 0; --n) s.push_back(static_cast<char>(rng()));
      }
    }
    if (survives([&] { decode(s); }, s, what)) ++ok;
  }
  ++check::checks;
  if (ok != rounds)
    std::fprintf(stderr, "%s: %d of %d corruptions mishandled\n", what, rounds - ok, rounds);
}

bool signed_less(const std::string& a, const std::string& b) {
  // Ceph 16 compares omap values as signed chars.
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const auto x = static_cast<signed char>(a[i]);
    const auto y = static_cast<signed char>(b[i]);
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

bool unsigned_less(const std::string& a, const std::string& b) {
  const size_t n = std::min(a.size(), b.size());
  const int c = std::memcmp(a.data(), b.data(), n);
  return c != 0 ? c < 0 : a.size() < b.size();
}

ObjectInfo sample_info() {
  ObjectInfo info;
  info.key = "photos/2024/\xc3\xa9t\xc3\xa9 (1).jpg";
  info.size = 5u << 20;
  info.etag = "9b2cf535f27731c974343645a3985328";
  info.mtime_ns = 1717171717123456789;
  info.delete_at = 1800000000;
  info.attrs = {{"content-type", "image/jpeg"}, {"x-amz-meta-empty", ""}};
  return info;
}

void check_same_info(const ObjectInfo& got, const ObjectInfo& want) {
  CHECK_EQ(got.key, want.key);
  CHECK_EQ(got.version_id, want.version_id);
  CHECK_EQ(got.size, want.size);
  CHECK_EQ(got.etag, want.etag);
  CHECK_EQ(got.mtime_ns, want.mtime_ns);
  CHECK_EQ(got.delete_at, want.delete_at);
  CHECK_EQ(got.delete_marker, want.delete_marker);
  CHECK_EQ(got.is_latest, want.is_latest);
  CHECK(got.attrs == want.attrs);
}

// ------------------------------------------------------------------ epochs

void test_epochs() {
  std::vector<uint64_t> values = {0,
                                  1,
                                  2,
                                  126,
                                  127,
                                  128,
                                  129,
                                  255,
                                  256,
                                  16383,
                                  16384,
                                  (1ull << 21) - 1,
                                  1ull << 21,
                                  1ull << 56,
                                  (1ull << 56) - 1,
                                  1700000000000000000ull,
                                  static_cast<uint64_t>(now_ns()),
                                  (1ull << 62),
                                  (1ull << 63) - 2,
                                  (1ull << 63) - 1};
  for (int i = 0; i < 7; ++i) values.push_back((1ull << (9 * i)) + 3);
  std::mt19937_64 rng(42);
  for (int i = 0; i < 2000; ++i) {
    const uint64_t v = rng() >> (1 + rng() % 63);  // all magnitudes, below 2^63
    values.push_back(v);
  }
  CHECK_EQ(encode_epoch(0), std::string(kEpochLen, '\0'));
  CHECK_EQ(encode_epoch(1), std::string(kEpochLen - 1, '\0') + "\x01");
  CHECK_EQ(encode_epoch(128), std::string(kEpochLen - 2, '\0') + "\x01" + std::string(1, '\0'));
  CHECK_EQ(encode_epoch((1ull << 63) - 1), std::string(kEpochLen, '\x7f'));
  int bad_round_trip = 0, bad_len = 0, bad_byte = 0;
  for (uint64_t v : values) {
    const std::string e = encode_epoch(v);
    if (e.size() != kEpochLen) ++bad_len;
    for (unsigned char c : e)
      if (c >= 0x80) ++bad_byte;
    if (decode_epoch(e, "test") != v) ++bad_round_trip;
    // What follows the epoch (an index entry's object info) is not read.
    if (decode_epoch(e + "\xff\x80 trailing", "test") != v) ++bad_round_trip;
  }
  CHECK_EQ(bad_len, 0);
  CHECK_EQ(bad_byte, 0);
  CHECK_EQ(bad_round_trip, 0);

  // Encoded epochs order like the numbers, compared bytewise as unsigned
  // chars (std::string) and as signed chars (Ceph 16's omap_cmp).
  int bad_order = 0;
  for (size_t i = 0; i + 1 < values.size(); ++i) {
    for (size_t j : {i + 1, (i * 7919) % values.size()}) {
      const uint64_t a = values[i], b = values[j];
      const std::string ea = encode_epoch(a), eb = encode_epoch(b);
      if ((a < b) != unsigned_less(ea, eb)) ++bad_order;
      if ((a < b) != signed_less(ea, eb)) ++bad_order;
      if ((a < b) != (ea < eb)) ++bad_order;
      if ((a == b) != (ea == eb)) ++bad_order;
    }
  }
  CHECK_EQ(bad_order, 0);

  CHECK_ERROR(encode_epoch(1ull << 63), -EOVERFLOW);
  CHECK_ERROR(encode_epoch(~0ull), -EOVERFLOW);

  // Too short, or a byte with the top bit set (in any position).
  CHECK_ERROR(decode_epoch("", "test"), -EIO);
  check_truncations(
      encode_epoch(1234567), [](const std::string& s) { decode_epoch(s, "t"); }, "epoch");
  for (size_t i = 0; i < kEpochLen; ++i) {
    std::string e = encode_epoch(0x0123456789abcdefull >> 1);
    e[i] = static_cast<char>(e[i] | 0x80);
    CHECK_ERROR(decode_epoch(e, "test"), -EIO);
  }
  check_corruptions(
      encode_epoch(987654321987654321ull), [](const std::string& s) { decode_epoch(s, "t"); },
      "epoch");

  // A head's epoch: 0 without one.
  std::map<std::string, std::string> x;
  CHECK_EQ(head_epoch(x), uint64_t{0});
  x["rgw.tag"] = "abc";
  CHECK_EQ(head_epoch(x), uint64_t{0});
  x["rgw.epoch"] = encode_epoch(77);
  CHECK_EQ(head_epoch(x), uint64_t{77});
  x["rgw.epoch"] = "\x80";
  CHECK_ERROR(head_epoch(x), -EIO);

  // The next epoch: above the old one, and at least the clock.
  const uint64_t before = static_cast<uint64_t>(now_ns());
  CHECK(next_epoch(0) >= before);
  CHECK(next_epoch(before) > before);
  const uint64_t ahead = before + 3600ull * 1000000000ull;
  CHECK_EQ(next_epoch(ahead), ahead + 1);
}

// ---------------------------------------------------------- index entries

void test_index_entries() {
  const ObjectInfo info = sample_info();
  const std::string info_bytes = encode_object_info(info);
  const uint64_t epoch = 1717171717000000001ull;
  const std::string entry = encode_index_entry(epoch, info_bytes);
  CHECK_EQ(entry.size(), kEpochLen + info_bytes.size());
  CHECK_EQ(entry.substr(0, kEpochLen), encode_epoch(epoch));
  CHECK_EQ(decode_epoch(entry, "index entry"), epoch);
  check_same_info(decode_index_entry(entry), info);

  // A newer epoch makes the whole entry compare greater (omap_cmp LT), whatever
  // the object info; so does a removal marker (a bare epoch) of a newer one.
  ObjectInfo big = info;
  big.key = std::string(300, '\x7f');
  big.attrs["zzz"] = std::string(1000, 'z');
  const std::string newer = encode_index_entry(epoch + 1, encode_object_info(ObjectInfo{}));
  CHECK(unsigned_less(encode_index_entry(epoch, encode_object_info(big)), newer));
  CHECK(signed_less(encode_index_entry(epoch, encode_object_info(big)), newer));
  CHECK(signed_less(entry, encode_epoch(epoch + 1)));
  CHECK(unsigned_less(entry, encode_epoch(epoch + 1)));

  CHECK_ERROR(decode_index_entry(""), -EIO);
  CHECK_ERROR(decode_index_entry(encode_epoch(epoch)), -EIO);  // no object info
  check_truncations(
      entry, [](const std::string& s) { decode_index_entry(s); }, "index entry");
  std::string high = entry;
  high[0] = '\x80';
  CHECK_ERROR(decode_index_entry(high), -EIO);
  std::string bad_version = entry;
  bad_version[kEpochLen] = '\x09';  // object info version 9
  CHECK_ERROR(decode_index_entry(bad_version), -EIO);
  check_corruptions(
      entry, [](const std::string& s) { decode_index_entry(s); }, "index entry");
}

// ------------------------------------------------ times, keys, tombstones

void test_times() {
  for (int64_t ns : {int64_t{0}, int64_t{1}, int64_t{-1}, now_ns(), INT64_MAX, INT64_MIN}) {
    const std::string e = encode_ts(ns);
    CHECK_EQ(e.size(), size_t{8});
    CHECK_EQ(decode_ts(e), ns);
  }
  // Unreadable: long ago (never throws).
  CHECK_EQ(decode_ts(""), int64_t{0});
  CHECK_EQ(decode_ts("1234567"), int64_t{0});

  CHECK_EQ(pad20(0), std::string(20, '0'));
  CHECK_EQ(pad20(-5), std::string(20, '0'));
  CHECK_EQ(pad20(1717171717123456789), "01717171717123456789");
  CHECK_EQ(pad20(INT64_MAX), "09223372036854775807");
  CHECK(pad20(999) < pad20(1000));
  CHECK(pad20(now_ns()) < pad20(now_ns() + 1000000000));
}

void test_pending_keys() {
  const std::vector<std::string> keys = {"a",
                                         "photos/\xc3\xa9t\xc3\xa9.jpg",
                                         "with space",
                                         std::string("\x01\x7f", 2),
                                         "\xf4\x8f\xbf\xbf",
                                         std::string(1024, 'k')};
  for (const auto& key : keys) {
    for (const std::string tag : {"0123456789abcdef", "rm-deadbeefdeadbeef", "at-00", ""}) {
      const std::string p = pending_key(key, tag);
      CHECK_EQ(p.compare(0, 2, kPendingPrefix), 0);
      CHECK_EQ(p, std::string(kPendingPrefix) + key + std::string(1, '\0') + tag);
      std::string k, t;
      CHECK(parse_pending(p, &k, &t));
      CHECK_EQ(k, key);
      CHECK_EQ(t, tag);
      // After every object key (valid UTF-8 holds no 0xff).
      CHECK(key < p);
      CHECK(unsigned_less(key + "\xef\xbf\xbf", p));
    }
  }
  std::string k = "unchanged", t = "unchanged";
  CHECK(!parse_pending("", &k, &t));
  CHECK(!parse_pending("plain-key", &k, &t));
  CHECK(!parse_pending("\xff", &k, &t));
  CHECK(!parse_pending(std::string(kPendingPrefix) + "no-separator", &k, &t));
  CHECK(!parse_pending(removed_key("a") + std::string(1, '\0') + "t", &k, &t));
  CHECK(!parse_pending(upload_key(std::string(32, 'a')), &k, &t));
  CHECK_EQ(k, "unchanged");
  CHECK_EQ(t, "unchanged");
}

void test_tombstones() {
  const int64_t before = now_ns();
  const std::string tomb = make_tombstone();
  const int64_t after = now_ns();
  CHECK(is_tombstone(tomb));
  CHECK_EQ(tomb.size(), size_t{16});
  CHECK_EQ(tomb.substr(0, 8), std::string("\0removed", 8));
  CHECK(tombstone_ns(tomb) >= before && tombstone_ns(tomb) <= after);
  // One without (a readable) time is old.
  CHECK(is_tombstone(std::string("\0removed", 8)));
  CHECK_EQ(tombstone_ns(std::string("\0removed", 8)), int64_t{0});
  CHECK_EQ(tombstone_ns(std::string("\0removed"
                                    "123",
                                    11)),
           int64_t{0});
  // Records are never taken for tombstones, nor tombstones for records.
  BucketInfo b;
  b.name = "removed";
  b.owner = "u";
  b.id = "0123456789abcdef";
  const std::string rec = encode_bucket_info(b);
  CHECK(!is_tombstone(rec));
  CHECK(!is_tombstone(""));
  CHECK(!is_tombstone(std::string("\0remove", 7)));
  CHECK(!is_tombstone(std::string("\0Removed", 8) + encode_ts(1)));
  CHECK_ERROR(decode_bucket_info(tomb), -EIO);
}

void test_keys() {
  const std::string id = new_upload_id(now_ns());
  CHECK(valid_upload_id(id));
  CHECK_EQ(id.size(), kUploadIdLen);
  CHECK(valid_upload_id(std::string(32, '0')));
  CHECK(valid_upload_id("0123456789abcdef0123456789abcdef"));
  CHECK(!valid_upload_id(""));
  CHECK(!valid_upload_id(id.substr(1)));
  CHECK(!valid_upload_id(id + "0"));
  CHECK(!valid_upload_id("0123456789ABCDEF0123456789abcdef"));
  CHECK(!valid_upload_id("0123456789abcdeg0123456789abcdef"));
  CHECK(!valid_upload_id(std::string(31, 'a') + std::string(1, '\0')));
  CHECK(!valid_upload_id(std::string(31, 'a') + "/"));

  CHECK_EQ(upload_key(id),
           "\xff"
           "u" +
               id);
  CHECK_EQ(parts_prefix(id),
           "\xff"
           "m" +
               id);
  CHECK_EQ(part_key(id, 1), parts_prefix(id) + "00001");
  CHECK_EQ(part_key(id, 10000), parts_prefix(id) + "10000");
  CHECK_EQ(dead_key("0123456789abcdef"),
           "\xff"
           "g"
           "0123456789abcdef");
  CHECK_EQ(removed_key("a/b"),
           "\xff"
           "d"
           "a/b");
  CHECK_EQ(tail_oid("0123456789abcdef_a/b", "deadbeefdeadbeef", 12),
           "0123456789abcdef_a/b.deadbeefdeadbeef.12");
  // The parts of an upload list in number order, under their prefix (the
  // number is read back from the key after the id).
  for (int n = 1; n < 10000; n += 37) {
    CHECK(part_key(id, n) < part_key(id, n + 1));
    CHECK_EQ(part_key(id, n).compare(0, parts_prefix(id).size(), parts_prefix(id)), 0);
    CHECK_EQ(std::atoi(part_key(id, n).c_str() + parts_prefix(id).size()), n);
  }
  // Every kind of index record has its own prefix, after every object key.
  const std::vector<std::string> prefixes = {kPendingPrefix, kRemovedPrefix, kUploadPrefix,
                                             kPartPrefix, kDeadPrefix};
  for (size_t i = 0; i < prefixes.size(); ++i) {
    CHECK_EQ(prefixes[i].size(), size_t{2});
    CHECK_EQ(prefixes[i][0], '\xff');
    for (size_t j = i + 1; j < prefixes.size(); ++j) CHECK(prefixes[i] != prefixes[j]);
  }
}

// --------------------------------------------------------------- manifests

void check_same_manifest(const Manifest& got, const Manifest& want) {
  CHECK_EQ(got.tag, want.tag);
  CHECK_EQ(got.size, want.size);
  CHECK_EQ(got.stripe, want.stripe);
  CHECK_EQ(got.num_tails, want.num_tails);
  CHECK_EQ(got.multipart, want.multipart);
  CHECK_EQ(got.upload_id, want.upload_id);
  CHECK_EQ(got.segs.size(), want.segs.size());
  for (size_t i = 0; i < got.segs.size() && i < want.segs.size(); ++i) {
    CHECK_EQ(got.segs[i].tag, want.segs[i].tag);
    CHECK_EQ(got.segs[i].size, want.segs[i].size);
    CHECK_EQ(got.segs[i].stripes, want.segs[i].stripes);
  }
}

void test_manifests() {
  // Version 1, inline: no segments.
  Manifest inl;
  inl.tag = "0123456789abcdef";
  inl.size = 11;
  const std::string inl_bytes = encode_manifest(inl);
  CHECK_EQ(static_cast<int>(inl_bytes[0]), 1);
  CHECK_EQ(inl.stripe, kStripe);
  check_same_manifest(decode_manifest(inl_bytes), inl);

  // Version 1 with tails: one segment of the writer's own tag, from num_tails.
  Manifest tails;
  tails.tag = "fedcba9876543210";
  tails.size = 3 * kStripe + 5;
  tails.num_tails = 4;
  const std::string tails_bytes = encode_manifest(tails);
  tails.segs.push_back(Segment{tails.tag, tails.size, 4});
  check_same_manifest(decode_manifest(tails_bytes), tails);
  CHECK_EQ(encode_manifest(tails), tails_bytes);  // segments are not written in version 1

  // Version 2 (multipart): the parts' segments, in order; an empty part too.
  Manifest mp;
  mp.tag = "00112233445566778";
  mp.multipart = true;
  mp.upload_id = new_upload_id(now_ns());
  mp.segs = {Segment{"aaaaaaaaaaaaaaaa", 5u << 20, 2}, Segment{"bbbbbbbbbbbbbbbb", 0, 0},
             Segment{"cccccccccccccccc", 1, 1}, Segment{"aaaaaaaaaaaaaaaa", 12u << 20, 3}};
  for (const auto& sg : mp.segs) mp.size += sg.size;
  const std::string mp_bytes = encode_manifest(mp);
  CHECK_EQ(static_cast<int>(mp_bytes[0]), 2);
  check_same_manifest(decode_manifest(mp_bytes), mp);
  Manifest none = mp;  // a completion of no bytes
  none.segs.clear();
  none.size = 0;
  check_same_manifest(decode_manifest(encode_manifest(none)), none);

  // rgw.prev: the old tag, or "\0" + a multipart manifest.
  CHECK_EQ(encode_prev("oldtag", tails), "oldtag");
  CHECK_EQ(encode_prev("", Manifest{}), "");
  const std::string prev = encode_prev("ignored", mp);
  CHECK_EQ(prev[0], '\0');
  check_same_manifest(decode_manifest(prev.substr(1)), mp);

  auto dec = [](const std::string& s) { decode_manifest(s); };
  check_truncations(inl_bytes, dec, "manifest v1");
  check_truncations(tails_bytes, dec, "manifest v1 with tails");
  check_truncations(mp_bytes, dec, "manifest v2");
  std::string v0 = inl_bytes, v3 = mp_bytes;
  v0[0] = 0;
  v3[0] = 3;
  CHECK_ERROR(decode_manifest(v0), -EIO);
  CHECK_ERROR(decode_manifest(v3), -EIO);
  Manifest zero = tails;
  zero.stripe = 0;
  CHECK_ERROR(decode_manifest(encode_manifest(zero)), -EIO);
  Manifest wrong = mp;
  wrong.size += 1;  // the parts do not add up
  CHECK_ERROR(decode_manifest(encode_manifest(wrong)), -EIO);
  {
    // A huge part count with nothing behind it.
    Encoder e;
    e.u8(2);
    e.str("t");
    e.u64(0);
    e.u64(kStripe);
    e.str("id");
    e.u32(0xffffffffu);
    CHECK_ERROR(decode_manifest(e.bytes()), -EIO);
  }
  {
    // A string length far past the end.
    Encoder e;
    e.u8(1);
    e.u32(0xfffffff0u);
    CHECK_ERROR(decode_manifest(e.bytes()), -EIO);
  }
  check_corruptions(tails_bytes, dec, "manifest v1");
  check_corruptions(mp_bytes, dec, "manifest v2");
}

// ---------------------------------------------------- multipart records

void test_upload_records() {
  UploadRec open;
  open.info.upload_id = new_upload_id(1717171717000000000);
  open.info.key = "big/\xc3\xa9.bin";
  open.info.initiated_ns = 1717171717000000000;
  open.info.attrs = {{"content-type", "application/octet-stream"}, {"x-amz-meta-a", "b"}};
  UploadRec ending = open;
  ending.ending = true;
  ending.tag = "0123456789abcdef";
  ending.since_ns = 1717171718000000000;
  UploadRec aborted = open;
  aborted.ending = true;
  aborted.since_ns = -1;
  for (const UploadRec* r : {&open, &ending, &aborted}) {
    const std::string bytes = encode_upload_rec(*r);
    CHECK_EQ(static_cast<int>(bytes[0]), 1);
    const UploadRec got = decode_upload_rec(bytes);
    CHECK_EQ(got.ending, r->ending);
    CHECK_EQ(got.tag, r->tag);
    CHECK_EQ(got.since_ns, r->since_ns);
    CHECK_EQ(got.info.upload_id, r->info.upload_id);
    CHECK_EQ(got.info.key, r->info.key);
    CHECK_EQ(got.info.initiated_ns, r->info.initiated_ns);
    CHECK(got.info.attrs == r->info.attrs);
  }
  // The open and the ending record differ (completion asserts the open one).
  CHECK(encode_upload_rec(open) != encode_upload_rec(ending));
  CHECK(encode_upload_rec(ending) != encode_upload_rec(aborted));

  const std::string bytes = encode_upload_rec(ending);
  auto dec = [](const std::string& s) { decode_upload_rec(s); };
  check_truncations(bytes, dec, "upload record");
  std::string v2 = bytes;
  v2[0] = 2;
  CHECK_ERROR(decode_upload_rec(v2), -EIO);
  {
    // An intact outer record around a corrupt upload info.
    Encoder e;
    e.u8(1);
    e.u8(0);
    e.str("");
    e.i64(0);
    e.str(std::string("\x01\x05\x00\x00", 4));
    CHECK_ERROR(decode_upload_rec(e.bytes()), -EIO);
  }
  check_corruptions(bytes, dec, "upload record");
}

void test_part_records() {
  PartRec p;
  p.info.size = 5u << 20;
  p.info.etag = "5d41402abc4b2a76b9719d911017c592";
  p.info.mtime_ns = 1717171717000000123;
  p.tag = "0123456789abcdef";
  p.stripes = 2;
  const std::string bytes = encode_part_rec(p);
  CHECK_EQ(static_cast<int>(bytes[0]), 1);
  const PartRec got = decode_part_rec(42, bytes);
  CHECK_EQ(got.info.number, 42);  // from the key, not the record
  CHECK_EQ(got.info.size, p.info.size);
  CHECK_EQ(got.info.etag, p.info.etag);
  CHECK_EQ(got.info.mtime_ns, p.info.mtime_ns);
  CHECK_EQ(got.tag, p.tag);
  CHECK_EQ(got.stripes, p.stripes);
  PartRec empty;
  const PartRec got_empty = decode_part_rec(1, encode_part_rec(empty));
  CHECK_EQ(got_empty.info.size, uint64_t{0});
  CHECK_EQ(got_empty.stripes, uint64_t{0});
  CHECK_EQ(got_empty.tag, "");

  auto dec = [](const std::string& s) { decode_part_rec(1, s); };
  check_truncations(bytes, dec, "part record");
  std::string v0 = bytes;
  v0[0] = 0;
  CHECK_ERROR(decode_part_rec(1, v0), -EIO);
  check_corruptions(bytes, dec, "part record");
}

// Dead-stripes records have no decoder of their own: gc and bucket removal
// read them field by field, as the format says.
void test_dead_records() {
  const Segment sg{"0123456789abcdef", 7u << 20, 2};
  const std::string head = "0123456789abcdef_big/\xc3\xa9.bin";
  const int64_t ns = 1717171717000000456;
  const std::string bytes = encode_dead(ns, head, sg);
  Decoder d(bytes);
  CHECK_EQ(static_cast<int>(d.u8()), 1);
  CHECK_EQ(d.i64(), ns);
  CHECK_EQ(d.str(), head);
  CHECK_EQ(d.str(), sg.tag);
  CHECK_EQ(d.u64(), sg.stripes);
  CHECK(d.done());  // the size is not recorded
  // Ordered by the time after the version byte (gc's grace check).
  const std::string older_bytes =
      encode_dead(ns - 1, head, sg);  // a Decoder only refers to its input
  Decoder older(older_bytes);
  older.u8();
  CHECK(older.i64() < ns);
  // Truncated: the field-by-field reads throw rgw::Error.
  check_truncations(
      bytes,
      [](const std::string& s) {
        Decoder t(s);
        t.u8();
        t.i64();
        t.str();
        t.str();
        t.u64();
      },
      "dead-stripes record");
}

// Runs one test; an exception it does not expect is a failure, and the
// other tests still run.
void run(void (*test)(), const char* name) {
  try {
    test();
  } catch (const std::exception& e) {
    ++check::failures;
    std::fprintf(stderr, "%s threw: %s\n", name, e.what());
  }
}

}  // namespace

int main() {
  run(test_epochs, "test_epochs");
  run(test_index_entries, "test_index_entries");
  run(test_times, "test_times");
  run(test_pending_keys, "test_pending_keys");
  run(test_tombstones, "test_tombstones");
  run(test_keys, "test_keys");
  run(test_manifests, "test_manifests");
  run(test_upload_records, "test_upload_records");
  run(test_part_records, "test_part_records");
  run(test_dead_records, "test_dead_records");
  return check::report();
}
