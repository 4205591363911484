// crypto.h - the hashes, MACs and encodings the S3 authentication needs:
// SHA-256 and SHA-1 (incremental), HMAC-SHA256/SHA1/SHA512, strict base64,
// constant-time comparison, and the CRC32 (IEEE) and CRC32C (Castagnoli)
// checksums that S3 clients send as x-amz-checksum-*.
//
// Digests and MACs are returned as raw bytes in a std::string; hex() turns
// them into lower-case hex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rgw {

// Lower-case hex of raw bytes.
std::string hex(std::string_view raw);
// Raw bytes of hex text (either case); false if it is not hex.
bool unhex(std::string_view text, std::string& out);

// Incremental SHA-256 (OpenSSL EVP).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  std::string digest();      // 32 raw bytes; finishes the hash, call once
  std::string hex_digest();  // lower-case hex; finishes the hash, call once

 private:
  void* ctx_;
};

// Incremental SHA-1 (OpenSSL EVP).
class Sha1 {
 public:
  Sha1();
  ~Sha1();
  Sha1(const Sha1&) = delete;
  Sha1& operator=(const Sha1&) = delete;
  void update(const void* data, size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  std::string digest();  // 20 raw bytes; call once

 private:
  void* ctx_;
};

std::string sha256(std::string_view data);      // raw
std::string sha256_hex(std::string_view data);  // lower-case hex

std::string hmac_sha256(std::string_view key, std::string_view data);  // 32 raw bytes
std::string hmac_sha1(std::string_view key, std::string_view data);    // 20 raw bytes
std::string hmac_sha512(std::string_view key, std::string_view data);  // 64 raw bytes

// Standard base64 (RFC 4648 alphabet, '=' padding).
std::string base64_encode(std::string_view raw);
// Strict decoding: length a multiple of 4, only alphabet characters, padding
// only at the end, unused bits zero.  False on anything else.
bool base64_decode(std::string_view in, std::string& out);

// Equality that takes the same time wherever the inputs differ (the length
// is not secret).
bool constant_time_equal(std::string_view a, std::string_view b);

// CRC-32 as zlib computes it (reflected polynomial 0xEDB88320).
class Crc32 {
 public:
  void update(const void* data, size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  uint32_t value() const { return ~state_; }

 private:
  uint32_t state_ = 0xFFFFFFFFu;
};

// CRC-32C, Castagnoli (reflected polynomial 0x82F63B78), as iSCSI and S3 use.
class Crc32c {
 public:
  void update(const void* data, size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  uint32_t value() const { return ~state_; }

 private:
  uint32_t state_ = 0xFFFFFFFFu;
};

// The 4 big-endian bytes of v (how S3 encodes a CRC before base64).
std::string be32(uint32_t v);

}  // namespace rgw
