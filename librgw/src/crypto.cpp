// crypto.cpp - SHA/HMAC through OpenSSL 3 EVP, base64 and CRCs by hand.
#include "crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>

namespace rgw {

bool unhex(std::string_view text, std::string& out) {
  if (text.size() % 2) return false;
  out.clear();
  for (size_t i = 0; i < text.size(); i += 2) {
    int v = 0;
    for (size_t j = i; j < i + 2; ++j) {
      char c = text[j];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return false;
      v = v * 16 + d;
    }
    out.push_back(static_cast<char>(v));
  }
  return true;
}

std::string hex(std::string_view raw) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

namespace {

EVP_MD_CTX* new_md_ctx(const EVP_MD* md) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx || EVP_DigestInit_ex(ctx, md, nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    throw std::runtime_error("EVP digest init failed");
  }
  return ctx;
}

std::string md_final(void* ctx) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx), md, &n) != 1)
    throw std::runtime_error("EVP digest final failed");
  return std::string(reinterpret_cast<const char*>(md), n);
}

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!HMAC(md, key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &n))
    throw std::runtime_error("HMAC failed");
  return std::string(reinterpret_cast<const char*>(out), n);
}

}  // namespace

Sha256::Sha256() : ctx_(new_md_ctx(EVP_sha256())) {}
Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }
void Sha256::update(const void* data, size_t len) {
  if (len) EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, len);
}
std::string Sha256::digest() { return md_final(ctx_); }
std::string Sha256::hex_digest() { return hex(digest()); }

Sha1::Sha1() : ctx_(new_md_ctx(EVP_sha1())) {}
Sha1::~Sha1() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }
void Sha1::update(const void* data, size_t len) {
  if (len) EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, len);
}
std::string Sha1::digest() { return md_final(ctx_); }

std::string sha256(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.digest();
}

std::string sha256_hex(std::string_view data) { return hex(sha256(data)); }

std::string hmac_sha256(std::string_view key, std::string_view data) {
  return hmac(EVP_sha256(), key, data);
}

std::string hmac_sha1(std::string_view key, std::string_view data) {
  return hmac(EVP_sha1(), key, data);
}

std::string hmac_sha512(std::string_view key, std::string_view data) {
  return hmac(EVP_sha512(), key, data);
}

namespace {

const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string base64_encode(std::string_view raw) {
  std::string out;
  out.reserve((raw.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(raw[k])); };
  for (; i + 3 <= raw.size(); i += 3) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out.push_back(kB64[v >> 18 & 63]);
    out.push_back(kB64[v >> 12 & 63]);
    out.push_back(kB64[v >> 6 & 63]);
    out.push_back(kB64[v & 63]);
  }
  size_t rest = raw.size() - i;
  if (rest == 1) {
    uint32_t v = byte(i) << 16;
    out.push_back(kB64[v >> 18 & 63]);
    out.push_back(kB64[v >> 12 & 63]);
    out += "==";
  } else if (rest == 2) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8;
    out.push_back(kB64[v >> 18 & 63]);
    out.push_back(kB64[v >> 12 & 63]);
    out.push_back(kB64[v >> 6 & 63]);
    out.push_back('=');
  }
  return out;
}

bool base64_decode(std::string_view in, std::string& out) {
  out.clear();
  if (in.size() % 4 != 0) return false;
  out.reserve(in.size() / 4 * 3);
  for (size_t i = 0; i < in.size(); i += 4) {
    bool last = i + 4 == in.size();
    size_t pad = 0;
    if (last) {
      if (in[i + 3] == '=') ++pad;
      if (pad && in[i + 2] == '=') ++pad;
    }
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      int d = 0;
      if (k < 4 - pad) {
        d = b64_value(in[i + k]);
        if (d < 0) return false;
      }
      v = v << 6 | static_cast<uint32_t>(d);
    }
    out.push_back(static_cast<char>(v >> 16 & 0xFF));
    if (pad == 2) {
      if (v & 0xFFFF) return false;  // unused bits must be zero
    } else {
      out.push_back(static_cast<char>(v >> 8 & 0xFF));
      if (pad == 1) {
        if (v & 0xFF) return false;
      } else {
        out.push_back(static_cast<char>(v & 0xFF));
      }
    }
  }
  return true;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {

// Slicing-by-8 tables for a reflected CRC-32 polynomial.
using CrcTables = std::array<std::array<uint32_t, 256>, 8>;

constexpr CrcTables make_tables(uint32_t poly) {
  CrcTables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ poly : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i)
    for (size_t s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  return t;
}

constexpr CrcTables kCrc32Tables = make_tables(0xEDB88320u);
constexpr CrcTables kCrc32cTables = make_tables(0x82F63B78u);

uint32_t crc_update(const CrcTables& t, uint32_t c, const void* data, size_t len) {
  const auto* p = static_cast<const unsigned char*>(data);
  while (len >= 8) {
    uint32_t lo = c ^ (static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
                       static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24);
    c = t[7][lo & 0xFF] ^ t[6][lo >> 8 & 0xFF] ^ t[5][lo >> 16 & 0xFF] ^ t[4][lo >> 24] ^
        t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
    p += 8;
    len -= 8;
  }
  while (len--) c = (c >> 8) ^ t[0][(c ^ *p++) & 0xFF];
  return c;
}

}  // namespace

void Crc32::update(const void* data, size_t len) {
  state_ = crc_update(kCrc32Tables, state_, data, len);
}

void Crc32c::update(const void* data, size_t len) {
  state_ = crc_update(kCrc32cTables, state_, data, len);
}

std::string be32(uint32_t v) {
  std::string out(4, '\0');
  out[0] = static_cast<char>(v >> 24);
  out[1] = static_cast<char>(v >> 16 & 0xFF);
  out[2] = static_cast<char>(v >> 8 & 0xFF);
  out[3] = static_cast<char>(v & 0xFF);
  return out;
}

}  // namespace rgw
