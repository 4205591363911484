#include "util.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>

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
  if (!wanted || std::strcmp(wanted, name) != 0) return;
  static const long passes = [] {
    const char* after = std::getenv("LIBRGW_CRASH_AFTER");
    return after ? std::strtol(after, nullptr, 10) : 0L;
  }();
  static std::atomic<long> passed{0};
  if (passed.fetch_add(1) >= passes) ::_exit(77);
}

bool drop_point(const char* name) {
  static const char* const wanted = std::getenv("LIBRGW_DROP_AT");
  return wanted && std::strcmp(wanted, name) == 0;
}

namespace {
thread_local bool t_no_wait = false;
thread_local bool t_would_have_waited = false;
}  // namespace

bool no_wait() { return t_no_wait; }

NoWaitState exchange_no_wait_state(NoWaitState state) {
  NoWaitState old{t_no_wait, t_would_have_waited};
  t_no_wait = state.no_wait;
  t_would_have_waited = state.would_have_waited;
  return old;
}

void fail_if_no_wait(const char* what) {
  if (!t_no_wait) return;
  t_would_have_waited = true;
  fail(-EWOULDBLOCK, std::string(what) + " would wait (no-wait mode)");
}

void begin_side_effects(const char* what) {
  if (!t_no_wait) return;
  if (t_would_have_waited)
    fail(-EWOULDBLOCK, std::string(what) + " after a wait was refused (no-wait mode)");
  t_no_wait = false;
}

NoWaitScope::NoWaitScope() : outer_(t_no_wait), outer_waited_(t_would_have_waited) {
  t_no_wait = true;
  t_would_have_waited = false;
}

NoWaitScope::~NoWaitScope() {
  t_no_wait = outer_;
  t_would_have_waited = outer_waited_ || t_would_have_waited;
}

bool NoWaitScope::would_have_waited() const { return t_would_have_waited; }

ObjectInfo committed_object_info(const std::string& key, uint64_t size, std::string etag,
                                 const WriteOptions& options) {
  ObjectInfo info;
  info.key = key;
  info.size = size;
  info.etag = options.etag.empty() ? std::move(etag) : options.etag;
  info.mtime_ns = now_ns();
  info.delete_at = options.delete_at;
  info.attrs = options.attrs;
  info.acl = options.acl;
  return info;
}

namespace {
constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr size_t kVersionIdLen = 32;
constexpr size_t kVersionTimeLen = 11;  // 62^11 > 2^63
}  // namespace

std::string new_version_id() {
  // Ids made later sort first: the time, inverted, in fixed-width base 62
  // (whose digits are in ASCII order), then random digits.
  uint64_t t = static_cast<uint64_t>(INT64_MAX - now_ns());
  std::string id(kVersionIdLen, '0');
  for (size_t i = kVersionTimeLen; i-- > 0; t /= 62) id[i] = kBase62[t % 62];
  unsigned char buf[kVersionIdLen - kVersionTimeLen];
  if (RAND_bytes(buf, sizeof(buf)) != 1) fail(-EIO, "random number generator failed");
  for (size_t i = 0; i < sizeof(buf); ++i) id[kVersionTimeLen + i] = kBase62[buf[i] % 62];
  return id;
}

bool valid_version_id(const std::string& id) {
  if (id == "null") return true;
  if (id.size() != kVersionIdLen) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  });
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

namespace {
std::string final_hex(EVP_MD_CTX* ctx) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx, md, &n);
  return to_hex(md, n);
}
}  // namespace

std::string Md5::hex_digest() { return final_hex(static_cast<EVP_MD_CTX*>(ctx_)); }

std::string Md5::hex_digest_so_far() const {
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> copy(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!copy || EVP_MD_CTX_copy_ex(copy.get(), static_cast<const EVP_MD_CTX*>(ctx_)) != 1)
    fail(-ENOMEM, "cannot copy an MD5 state");
  return final_hex(copy.get());
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
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<uint8_t>(in_[pos_++])) << (8 * i);
  return v;
}

uint64_t Decoder::u64() {
  need(8);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_++])) << (8 * i);
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

}  // namespace rgw
