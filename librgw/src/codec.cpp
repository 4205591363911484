// codec.cpp - record formats of the model (see codec.h).
//
//   user    v1: u8 1, uid, display_name, email, u32 n {access, secret}...,
//               swift_user, swift_key, i64 created_ns, u8 suspended
//           v2: v1's fields, attrs
//   bucket  v1: u8 1, name, owner, id, i64 created_ns, u8 versioning,
//               str canned acl ("private" | "public-read"), attrs
//           v2: as v1 with the acl as a grant list
//   object  v1: u8 1, key, version_id, u64 size, etag, i64 mtime_ns,
//               i64 delete_at, u8 delete_marker, u8 is_latest, attrs (a
//               "rgw-acl" attribute held "public-read")
//           v2: v1's fields, acl
//   upload  v1: u8 1, upload_id, key, i64 initiated_ns, attrs
//               (a "rgw-acl" attribute held "public-read")
//           v2: v1's fields, acl, i64 delete_at
//   acl:    owner, u32 n {u8 grantee kind, id, u32 permissions}...
// Strings are u32 length + bytes; integers little-endian (util.h).
#include "codec.h"

#include <cerrno>

#include "errors.h"
#include "util.h"

namespace rgw {

namespace {

constexpr uint8_t kObjectInfoVersion = 2;
constexpr uint8_t kUserVersion = 2;
constexpr uint8_t kBucketVersion = 2;
constexpr uint8_t kUploadVersion = 2;
constexpr uint32_t kMaxGrants = 1000;

// The policy a version 1 object or upload record implies: the bucket
// owner's (empty owner), public-read if its attributes said so (the
// attribute then leaves them).
Acl legacy_object_acl(Attrs& attrs) {
  Acl acl;
  auto it = attrs.find(kLegacyObjectAclAttr);
  if (it != attrs.end()) {
    if (it->second == "public-read")
      acl.grants.push_back(Grant{Grantee{Grantee::Kind::group, kGroupAllUsers}, kPermRead});
    attrs.erase(it);
  }
  return acl;
}

uint8_t read_version(Decoder& d, uint8_t max, const char* what) {
  uint8_t got = d.u8();
  if (got == 0 || got > max)
    fail(-EIO, std::string("unsupported ") + what + " record version " + std::to_string(got));
  return got;
}

}  // namespace

void encode_acl(Encoder& e, const Acl& acl) {
  e.str(acl.owner);
  e.u32(static_cast<uint32_t>(acl.grants.size()));
  for (const auto& g : acl.grants) {
    e.u8(static_cast<uint8_t>(g.grantee.kind));
    e.str(g.grantee.id);
    e.u32(g.permissions);
  }
}

Acl decode_acl(Decoder& d) {
  Acl acl;
  acl.owner = d.str();
  uint32_t n = d.u32();
  if (n > kMaxGrants) fail(-EIO, "corrupt metadata record (too many grants)");
  for (uint32_t i = 0; i < n; ++i) {
    Grant g;
    uint8_t kind = d.u8();
    if (kind < RGW_GRANTEE_USER || kind > RGW_GRANTEE_REFERRER)
      fail(-EIO, "corrupt metadata record (grantee kind " + std::to_string(kind) + ")");
    g.grantee.kind = static_cast<Grantee::Kind>(kind);
    g.grantee.id = d.str();
    g.permissions = d.u32();
    acl.grants.push_back(std::move(g));
  }
  return acl;
}

std::string encode_object_info(const ObjectInfo& info) {
  Encoder e;
  e.u8(kObjectInfoVersion);
  e.str(info.key);
  e.str(info.version_id);
  e.u64(info.size);
  e.str(info.etag);
  e.i64(info.mtime_ns);
  e.i64(info.delete_at);
  e.u8(info.delete_marker ? 1 : 0);
  e.u8(info.is_latest ? 1 : 0);
  e.attrs(info.attrs);
  encode_acl(e, info.acl);
  return e.bytes();
}

ObjectInfo decode_object_info(const std::string& bytes) {
  Decoder d(bytes);
  uint8_t v = read_version(d, kObjectInfoVersion, "object");
  ObjectInfo info;
  info.key = d.str();
  info.version_id = d.str();
  info.size = d.u64();
  info.etag = d.str();
  info.mtime_ns = d.i64();
  info.delete_at = d.i64();
  info.delete_marker = d.u8() != 0;
  info.is_latest = d.u8() != 0;
  info.attrs = d.attrs();
  info.acl = v >= 2 ? decode_acl(d) : legacy_object_acl(info.attrs);
  return info;
}

std::string encode_user(const User& user) {
  Encoder e;
  e.u8(kUserVersion);
  e.str(user.uid);
  e.str(user.display_name);
  e.str(user.email);
  e.u32(static_cast<uint32_t>(user.keys.size()));
  for (const auto& k : user.keys) {
    e.str(k.access_key);
    e.str(k.secret_key);
  }
  e.str(user.swift_user);
  e.str(user.swift_key);
  e.i64(user.created_ns);
  e.u8(user.suspended ? 1 : 0);
  e.attrs(user.attrs);
  return e.bytes();
}

User decode_user(const std::string& bytes) {
  Decoder d(bytes);
  uint8_t v = read_version(d, kUserVersion, "user");
  User u;
  u.uid = d.str();
  u.display_name = d.str();
  u.email = d.str();
  uint32_t n = d.u32();
  for (uint32_t i = 0; i < n; ++i) {
    AccessKey k;
    k.access_key = d.str();
    k.secret_key = d.str();
    u.keys.push_back(k);
  }
  u.swift_user = d.str();
  u.swift_key = d.str();
  u.created_ns = d.i64();
  u.suspended = d.u8() != 0;
  if (v >= 2) u.attrs = d.attrs();
  return u;
}

std::string encode_bucket_info(const BucketInfo& info) {
  Encoder e;
  e.u8(kBucketVersion);
  e.str(info.name);
  e.str(info.owner);
  e.str(info.id);
  e.i64(info.created_ns);
  e.u8(static_cast<uint8_t>(info.versioning));
  encode_acl(e, info.acl);
  e.attrs(info.attrs);
  return e.bytes();
}

BucketInfo decode_bucket_info(const std::string& bytes) {
  Decoder d(bytes);
  uint8_t v = read_version(d, kBucketVersion, "bucket");
  BucketInfo b;
  b.name = d.str();
  b.owner = d.str();
  b.id = d.str();
  b.created_ns = d.i64();
  uint8_t versioning = d.u8();
  if (versioning > static_cast<uint8_t>(Versioning::suspended))
    fail(-EIO, "corrupt bucket record (versioning " + std::to_string(versioning) + ")");
  b.versioning = static_cast<Versioning>(versioning);
  if (v >= 2) {
    b.acl = decode_acl(d);
  } else {
    std::string canned = d.str();
    b.acl = canned_acl(canned == "public-read" ? "public-read" : "private", b.owner);
  }
  b.attrs = d.attrs();
  return b;
}

std::string encode_upload_info(const UploadInfo& info) {
  Encoder e;
  e.u8(kUploadVersion);
  e.str(info.upload_id);
  e.str(info.key);
  e.i64(info.initiated_ns);
  e.attrs(info.attrs);
  encode_acl(e, info.acl);
  e.i64(info.delete_at);
  return e.bytes();
}

UploadInfo decode_upload_info(const std::string& bytes) {
  Decoder d(bytes);
  uint8_t v = read_version(d, kUploadVersion, "upload");
  UploadInfo u;
  u.upload_id = d.str();
  u.key = d.str();
  u.initiated_ns = d.i64();
  u.attrs = d.attrs();
  if (v >= 2) {
    u.acl = decode_acl(d);
    u.delete_at = d.i64();
  } else {
    u.acl = legacy_object_acl(u.attrs);
  }
  return u;
}

}  // namespace rgw
