// auth.h - S3 request authentication: SigV4 (header and presigned), SigV2
// (header and query), and the verified decoding of request bodies
// (payload hash, aws-chunked with or without chunk signatures, trailing and
// header checksums, Content-MD5).
//
// The request driver uses it in three steps:
//   1. parse_auth(req)                     -> who claims to sign (no secret yet)
//   2. verify_auth(auth, req, secret, ...) -> the request line and headers
//   3. PayloadDecoder::create(...)         -> the body, verified while it streams;
//      finish() is the last check before anything is committed.
// Every rejection throws rgw::s3::S3Error with the status and code AWS uses.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/request.h"
#include "s3/s3_error.h"

namespace rgw::s3 {

enum class AuthScheme { anonymous, v4_header, v4_query, v2_header, v2_query };

// What the request says about its signature, parsed without any secret.
struct AuthInfo {
  AuthScheme scheme = AuthScheme::anonymous;
  std::string access_key;      // empty when anonymous
  std::string security_token;  // X-Amz-Security-Token (header or query), if any

  // SigV4 fields.
  std::string amz_date;        // YYYYMMDDTHHMMSSZ
  std::string scope;           // yyyymmdd/region/service/aws4_request
  std::string region;          // may be empty
  std::string service;         // "s3", "sts", ...
  std::string signed_headers;  // "host;x-amz-date"
  std::string signature;       // hex (v4) or base64 (v2)
  std::string payload_hash;    // x-amz-content-sha256 value, "UNSIGNED-PAYLOAD" for presigned
                               // (v4 header auth without the header: empty, and
                               // verify_auth rejects it unless the caller fills in
                               // the body's hex sha256 first, as STS must)
  int64_t expires = 0;         // presigned: X-Amz-Expires seconds; v2 query: epoch seconds
};

// Step 1.  Recognises the scheme from the Authorization header or the query
// (X-Amz-Algorithm / AWSAccessKeyId).  Malformed input throws S3Error:
// 400 AuthorizationHeaderMalformed, 400 AuthorizationQueryParametersError,
// 400 InvalidArgument (unsupported algorithm), 400 InvalidRequest.
AuthInfo parse_auth(const http::Request& req);

// Step 2.  Verifies the signature over the request line and headers with the
// user's secret.  now is epoch seconds.  vhost_bucket is the bucket taken
// from the Host header under virtual-hosted addressing ("" for path style):
// SigV2 signs "/bucket" + path.  The canonical URI is tried as sent and as
// re-encoded from its decoded form (clients differ; both name the same
// resource).  Signatures are compared in constant time.  Throws S3Error:
// 403 SignatureDoesNotMatch, 403 RequestTimeTooSkewed (more than 15 minutes
// away, header forms), 403 AccessDenied "Request has expired" (presigned or
// v2 query past expiry), 400 AuthorizationQueryParametersError (expiry zero,
// negative or over 604800 s), 400 InvalidRequest/XAmzContentSHA256Mismatch
// for a bad x-amz-content-sha256 value.
void verify_auth(const AuthInfo& auth, const http::Request& req, const std::string& secret,
                 int64_t now, const std::string& vhost_bucket);

// Step 3.  Turns the body bytes as they arrive on the wire into the payload,
// verifying as it goes.  Memory is bounded: only chunk header and trailer
// lines are buffered (at most a few KiB); data passes straight through.
class PayloadDecoder {
 public:
  virtual ~PayloadDecoder() = default;

  // The decoder for this request (after verify_auth succeeded; secret is
  // needed for chunk signatures, "" for anonymous).  Handles:
  //   - plain bodies, checked against a hex x-amz-content-sha256
  //     (400 XAmzContentSHA256Mismatch) or UNSIGNED-PAYLOAD / none;
  //   - Content-Encoding aws-chunked with STREAMING-AWS4-HMAC-SHA256-PAYLOAD
  //     (chunk signatures chained from the seed signature: 403
  //     SignatureDoesNotMatch), STREAMING-UNSIGNED-PAYLOAD-TRAILER and
  //     STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER (trailer signature), with
  //     the x-amz-checksum-{crc32,crc32c,sha1,sha256} trailer named by
  //     X-Amz-Trailer verified (400 BadDigest), and X-Amz-Decoded-Content-Length
  //     checked (400 IncompleteBody);
  //   - x-amz-checksum-* request headers (400 BadDigest; malformed 400
  //     InvalidRequest) and Content-MD5 (400 BadDigest; malformed 400
  //     InvalidDigest) on any body.
  // Malformed chunk framing: 400 IncompleteBody.
  static std::unique_ptr<PayloadDecoder> create(const AuthInfo& auth, const http::Request& req,
                                                const std::string& secret);

  // Feeds len wire bytes; returns the payload bytes they decode to: a view
  // of data itself when they are those bytes unchanged (a plain body: no
  // copy), else of what the decoder appended to scratch (valid until scratch
  // changes).  Throws S3Error as soon as something is known to be wrong.
  virtual std::string_view feed(const char* data, size_t len, std::string& scratch) = 0;
  // Before the first feed(): the caller hashes every payload byte with MD5
  // itself (its writer does, for the ETag); md5() gives the hex digest of
  // the bytes so far.  Content-MD5 is then checked against it instead of
  // the decoder hashing the body a second time.
  virtual void use_body_md5(std::function<std::string()> md5) = 0;
  // End of the wire body: completes every check (framing complete, hashes,
  // checksums, lengths).  Throws S3Error.  Call once.
  virtual void finish() = 0;
  // Payload bytes produced so far.
  virtual uint64_t decoded_size() const = 0;
  // The payload length announced by the request (Content-Length, or
  // X-Amz-Decoded-Content-Length for aws-chunked), -1 if unknown.
  virtual int64_t declared_size() const = 0;
};

// Signing, for doors and tools that produce URLs (the Python API signs
// through these; nothing re-implements them).
// A SigV4 presigned URL query for method + raw path (already URI-encoded) +
// host, valid from now for expires seconds; returns the query string to
// append (without '?'), X-Amz-Signature last.
std::string presign_v4(const std::string& method, const std::string& host,
                       const std::string& raw_path, const std::string& access_key,
                       const std::string& secret, const std::string& region, int64_t now,
                       int64_t expires);

// The SigV4 signature of an S3 POST form's policy: the hex HMAC-SHA256 of
// the base64 policy text (the form's "policy" field) under the signing key of
// secret for date8 ("YYYYMMDD", the x-amz-credential's date), region and
// service.  POST Object verifies with it; rgw_s3_post_policy_sign signs.
std::string post_policy_signature_v4(const std::string& policy_b64, const std::string& secret,
                                     const std::string& date8, const std::string& region,
                                     const std::string& service = "s3");

}  // namespace rgw::s3
