// payload_internal.h - the body checks shared by the plain and the
// aws-chunked payload decoders (Content-MD5, x-amz-checksum-* header or
// trailer), and the aws-chunked decoder's factory.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/request.h"
#include "s3/auth.h"

namespace rgw {
class Md5;
}

namespace rgw::s3::detail {

enum class ChecksumAlg { crc32, crc32c, sha1, sha256 };

// "x-amz-checksum-crc32" -> crc32 ...; false for names that are not a
// supported checksum.
bool checksum_alg_from_header(std::string_view name, ChecksumAlg& alg);

// A running x-amz-checksum-* digest; digest() is the raw big-endian bytes.
class Checksum {
 public:
  virtual ~Checksum() = default;
  virtual void update(const char* data, size_t len) = 0;
  virtual std::string digest() = 0;  // call once
  static std::unique_ptr<Checksum> make(ChecksumAlg alg);
};

class BodyChecks {
 public:
  // Reads Content-MD5 and any x-amz-checksum-<alg> request header (400
  // InvalidDigest / InvalidRequest when malformed).  trailer_name is the
  // checksum trailer announced by X-Amz-Trailer ("" if none).
  BodyChecks(const http::Request& req, const std::string& trailer_name);
  ~BodyChecks();
  // PayloadDecoder::use_body_md5.
  void use_body_md5(std::function<std::string()> md5);
  void update(const char* data, size_t len);
  // Compares every digest; trailer_value is the trailer's value as received
  // (nullptr if no trailer).  Throws 400 BadDigest and friends.
  void finish(const std::string* trailer_value);

 private:
  std::unique_ptr<Md5> md5_;
  std::function<std::string()> body_md5_;  // the caller's, instead of md5_
  std::string md5_expected_hex_;
  std::unique_ptr<Checksum> header_sum_;
  std::string header_name_, header_expected_;
  std::unique_ptr<Checksum> trailer_sum_;
  std::string trailer_name_;
};

// Parses X-Amz-Trailer: "" when absent, else the single checksum trailer
// it names (400 InvalidRequest otherwise).
std::string declared_trailer(const http::Request& req);

// Parses a non-negative decimal header value; -1 when absent, 400
// InvalidArgument (code given) when malformed.
int64_t length_header(const http::Request& req, std::string_view name);

std::unique_ptr<PayloadDecoder> make_aws_chunked_decoder(const AuthInfo& auth,
                                                         const http::Request& req,
                                                         const std::string& secret,
                                                         const std::string& payload_hash);

}  // namespace rgw::s3::detail
