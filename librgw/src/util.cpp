#include "util.h"

#include <cstdio>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cerrno>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include <unistd.h>

#include "errors.h"

namespace rgw {

void fail_errno(int errno_value, const std::string& what) {
  throw Error(-errno_value, what + ": " + std::strerror(errno_value));
}

int64_t gc_cutoff_ns(const GcOptions& options) {
  constexpr int64_t kMaxGrace = 100LL * 365 * 24 * 3600;
  int64_t grace = std::min(std::max<int64_t>(options.grace_seconds, 0), kMaxGrace);
  return now_ns() - grace * 1000000000LL;
}

void crash_point(const char* name) {
  static const char* const wanted = std::getenv("LIBRGW_CRASH_AT");
  if (wanted && std::strcmp(wanted, name) == 0) ::_exit(77);
}

ObjectInfo committed_object_info(const std::string& key, uint64_t size, std::string etag,
                                 int64_t delete_at, const Attrs& attrs) {
  ObjectInfo info;
  info.key = key;
  info.size = size;
  info.etag = std::move(etag);
  info.mtime_ns = now_ns();
  info.delete_at = delete_at;
  info.attrs = attrs;
  return info;
}

bool is_expired(const ObjectInfo& info) {
  return info.delete_at != 0 && info.delete_at <= now_ns() / 1000000000LL;
}

std::string to_hex(const unsigned char* data, size_t len) {
  static const char digits[] = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (size_t i = 0; i < len; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 0xf];
  }
  return out;
}

std::string multipart_etag(const std::vector<std::string>& part_etags) {
  Md5 md5;
  for (const auto& e : part_etags) {
    std::string bin;
    for (size_t i = 0; i + 1 < e.size(); i += 2)
      bin.push_back(static_cast<char>(std::stoi(e.substr(i, 2), nullptr, 16)));
    md5.update(bin.data(), bin.size());
  }
  return md5.hex_digest() + "-" + std::to_string(part_etags.size());
}

std::string random_hex(size_t nbytes) {
  unsigned char buf[64];
  if (nbytes > sizeof(buf)) nbytes = sizeof(buf);
  if (RAND_bytes(buf, static_cast<int>(nbytes)) != 1) fail(-EIO, "random number generator failed");
  return to_hex(buf, nbytes);
}

std::string new_upload_id(int64_t initiated_ns) {
  char stamp[17];
  std::snprintf(stamp, sizeof stamp, "%016llx", static_cast<unsigned long long>(initiated_ns));
  return stamp + random_hex(8);
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Md5::Md5() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_md5(), nullptr) != 1)
    fail(-ENOMEM, "cannot initialise MD5");
}

Md5::~Md5() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Md5::update(const void* data, size_t len) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, len);
}

std::string Md5::hex_digest() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &n);
  return to_hex(md, n);
}

void Encoder::u32(uint32_t v) {
  for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void Encoder::u64(uint64_t v) {
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void Encoder::str(const std::string& s) {
  u32(static_cast<uint32_t>(s.size()));
  out_.append(s);
}

void Encoder::attrs(const Attrs& a) {
  u32(static_cast<uint32_t>(a.size()));
  for (const auto& [k, v] : a) {
    str(k);
    str(v);
  }
}

void Decoder::need(size_t n) {
  if (in_.size() - pos_ < n) fail(-EIO, "corrupt metadata record (truncated)");
}

uint8_t Decoder::u8() {
  need(1);
  return static_cast<uint8_t>(in_[pos_++]);
}

uint32_t Decoder::u32() {
  need(4);
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(in_[pos_++])) << (8 * i);
  return v;
}

uint64_t Decoder::u64() {
  need(8);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_++])) << (8 * i);
  return v;
}

std::string Decoder::str() {
  uint32_t n = u32();
  need(n);
  std::string s = in_.substr(pos_, n);
  pos_ += n;
  return s;
}

Attrs Decoder::attrs() {
  Attrs a;
  uint32_t n = u32();
  for (uint32_t i = 0; i < n; ++i) {
    std::string k = str();
    a[k] = str();
  }
  return a;
}

namespace {
constexpr uint8_t kObjectInfoVersion = 1;
constexpr uint8_t kUserVersion = 1;
constexpr uint8_t kBucketVersion = 1;
constexpr uint8_t kUploadVersion = 1;

void check_version(uint8_t got, uint8_t max, const char* what) {
  if (got == 0 || got > max)
    fail(-EIO, std::string("unsupported ") + what + " record version " + std::to_string(got));
}
}  // namespace

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
  return e.bytes();
}

ObjectInfo decode_object_info(const std::string& bytes) {
  Decoder d(bytes);
  check_version(d.u8(), kObjectInfoVersion, "object");
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
  return e.bytes();
}

User decode_user(const std::string& bytes) {
  Decoder d(bytes);
  check_version(d.u8(), kUserVersion, "user");
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
  e.str(info.acl);
  e.attrs(info.attrs);
  return e.bytes();
}

BucketInfo decode_bucket_info(const std::string& bytes) {
  Decoder d(bytes);
  check_version(d.u8(), kBucketVersion, "bucket");
  BucketInfo b;
  b.name = d.str();
  b.owner = d.str();
  b.id = d.str();
  b.created_ns = d.i64();
  b.versioning = static_cast<Versioning>(d.u8());
  b.acl = d.str();
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
  return e.bytes();
}

UploadInfo decode_upload_info(const std::string& bytes) {
  Decoder d(bytes);
  check_version(d.u8(), kUploadVersion, "upload");
  UploadInfo u;
  u.upload_id = d.str();
  u.key = d.str();
  u.initiated_ns = d.i64();
  u.attrs = d.attrs();
  return u;
}

}  // namespace rgw
