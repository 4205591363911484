// tempurl.h - Swift temporary URLs, as Swift's tempurl middleware signs and
// checks them:
//
//   temp_url_sig = HMAC-<digest>(key, "<METHOD>\n<expires>\n<path>")
//
// path is the object's path as requested, decoded
// ("/swift/v1/AUTH_acct/container/object"), or for a prefix-based URL
// (temp_url_prefix=P) "prefix:/swift/v1/AUTH_acct/container/P".  The
// signature is hex (its length names the digest: 40 SHA-1, 64 SHA-256, 128
// SHA-512) or "<digest>:<base64>".  expires is epoch seconds or ISO 8601
// ("2026-12-31T23:59:59Z").  The keys are the account's and the container's
// Temp-URL-Key and Temp-URL-Key-2 metadata.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "http/request.h"
#include "model.h"

namespace rgw::swift {

enum class Digest { sha1, sha256, sha512 };

// "sha1", "sha256", "sha512".
bool parse_digest(const std::string& name, Digest* out);

// The signature of method, expires and path (and ip_range, "" for none)
// under key, written as python-swiftclient writes it: hex for SHA-1 and
// SHA-256, "sha512:" and unpadded URL-safe base64 for SHA-512.
std::string temp_url_sign(Digest digest, const std::string& method, int64_t expires,
                          const std::string& path, const std::string& ip_range,
                          const std::string& key);

// Whether addr (an IPv4 or IPv6 address) is in range (an address, or a
// CIDR network "192.0.2.0/24", "2001:db8::/32").
bool ip_in_range(const std::string& addr, const std::string& range);

struct TempUrl {
  Digest digest = Digest::sha1;
  std::string sig;  // raw MAC bytes
  int64_t expires = 0;
  std::optional<std::string> prefix;    // temp_url_prefix
  std::optional<std::string> ip_range;  // temp_url_ip_range
  std::optional<std::string> filename;
  bool inline_disposition = false;
};

// The request's temp_url_sig and temp_url_expires (with temp_url_prefix,
// filename, inline); nullopt when it has neither; 401 when malformed.
std::optional<TempUrl> parse_temp_url(const http::Request& req);

// Whether one of keys signs t for method on the object at object_path
// (decoded) whose object name is object, at now, from remote_addr.  A HEAD
// may use a URL signed for GET, HEAD, PUT or POST, as Swift allows.
bool temp_url_valid(const TempUrl& t, const std::string& method, const std::string& object_path,
                    const std::string& object, const std::vector<std::string>& keys, int64_t now,
                    const std::string& remote_addr);

// The metadata attribute names of the two keys.
inline constexpr const char* kTempUrlKeyAttrs[] = {"x-amz-meta-temp-url-key",
                                                   "x-amz-meta-temp-url-key-2"};

// The keys that sign temp URLs and forms for the account's container: the
// account's Key and Key-2, and the container's when the account owns it;
// none for a suspended account.
std::vector<std::string> temp_url_keys(const User& account, const BucketInfo& container);

}  // namespace rgw::swift
