// auth_internal.h - pieces shared by the SigV4, SigV2 and payload code
// (not part of the interface the request driver uses).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http/request.h"
#include "s3/auth.h"

namespace rgw::s3::detail {

// Largest X-Amz-Expires AWS accepts (one week), and the allowed clock skew.
constexpr int64_t kMaxPresignExpires = 604800;
constexpr int64_t kMaxSkewSeconds = 15 * 60;

// sha256("") in hex.
extern const char kEmptySha256[];

// "YYYYMMDDTHHMMSSZ" -> epoch seconds; false if malformed.
bool parse_amz_date(std::string_view s, int64_t& epoch);
// Epoch seconds -> "YYYYMMDDTHHMMSSZ".
std::string format_amz_date(int64_t epoch);
// RFC 1123 ("Tue, 27 Mar 2007 19:36:42 +0000" or "... GMT"), also without
// the day name; false if malformed.
bool parse_http_date(std::string_view s, int64_t& epoch);

// Header value as SigV4 and SigV2 canonicalise it: trimmed, inner runs of
// spaces and tabs collapsed to one space.
std::string normalize_header_value(std::string_view v);

bool is_lower_hex(std::string_view s, size_t len);

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
std::string sigv4_signing_key(const std::string& secret, std::string_view date8,
                              std::string_view region, std::string_view service);

// Hex signature of one aws-chunked chunk / of the trailer chunk.
std::string chunk_signature(const std::string& key, const std::string& amz_date,
                            const std::string& scope, const std::string& prev_signature,
                            std::string_view chunk_sha256_hex);
std::string trailer_signature(const std::string& key, const std::string& amz_date,
                              const std::string& scope, const std::string& prev_signature,
                              std::string_view trailer_sha256_hex);

// The scheme-specific halves of parse_auth / verify_auth.
AuthInfo parse_v4_header(const http::Request& req, const std::string& authorization);
AuthInfo parse_v4_query(const http::Request& req);
AuthInfo parse_v2_header(const http::Request& req, const std::string& authorization);
AuthInfo parse_v2_query(const http::Request& req);
void verify_v4(const AuthInfo& auth, const http::Request& req, const std::string& secret,
               int64_t now);
void verify_v2(const AuthInfo& auth, const http::Request& req, const std::string& secret,
               int64_t now, const std::string& vhost_bucket);

// Canonical request / string to sign, exposed for tests and presign_v4.
std::string v4_canonical_query(const http::Request& req, bool skip_signature);
std::string v4_canonical_headers(const http::Request& req, const std::string& signed_headers);
std::string v4_string_to_sign(const std::string& amz_date, const std::string& scope,
                              const std::string& canonical_request);
std::string v2_string_to_sign(const http::Request& req, const std::string& date_line,
                              const std::string& resource_path, const std::string& vhost_bucket);

}  // namespace rgw::s3::detail
