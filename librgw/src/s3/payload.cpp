// payload.cpp - PayloadDecoder::create, the plain-body decoder, and the
// checks every body gets (Content-MD5, x-amz-checksum-*).
#include <algorithm>
#include <cctype>

#include "crypto.h"
#include "s3/auth.h"
#include "s3/auth_internal.h"
#include "s3/payload_internal.h"
#include "util.h"

namespace rgw::s3 {

namespace detail {

namespace {

class Crc32Sum : public Checksum {
 public:
  void update(const char* d, size_t n) override { c_.update(d, n); }
  std::string digest() override { return be32(c_.value()); }

 private:
  Crc32 c_;
};

class Crc32cSum : public Checksum {
 public:
  void update(const char* d, size_t n) override { c_.update(d, n); }
  std::string digest() override { return be32(c_.value()); }

 private:
  Crc32c c_;
};

class Sha1Sum : public Checksum {
 public:
  void update(const char* d, size_t n) override { h_.update(d, n); }
  std::string digest() override { return h_.digest(); }

 private:
  Sha1 h_;
};

class Sha256Sum : public Checksum {
 public:
  void update(const char* d, size_t n) override { h_.update(d, n); }
  std::string digest() override { return h_.digest(); }

 private:
  Sha256 h_;
};

size_t digest_size(ChecksumAlg alg) {
  switch (alg) {
    case ChecksumAlg::crc32:
    case ChecksumAlg::crc32c: return 4;
    case ChecksumAlg::sha1: return 20;
    case ChecksumAlg::sha256: return 32;
  }
  return 0;
}

std::string upper_alg(std::string_view header_name) {
  std::string s(header_name.substr(sizeof("x-amz-checksum-") - 1));
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return s;
}

// The x-amz-checksum-* names that are not checksums of the body.
bool is_checksum_parameter(std::string_view name) {
  return name == "x-amz-checksum-algorithm" || name == "x-amz-checksum-type" ||
         name == "x-amz-checksum-mode";
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

bool checksum_alg_from_header(std::string_view name, ChecksumAlg& alg) {
  if (name == "x-amz-checksum-crc32")
    alg = ChecksumAlg::crc32;
  else if (name == "x-amz-checksum-crc32c")
    alg = ChecksumAlg::crc32c;
  else if (name == "x-amz-checksum-sha1")
    alg = ChecksumAlg::sha1;
  else if (name == "x-amz-checksum-sha256")
    alg = ChecksumAlg::sha256;
  else
    return false;
  return true;
}

std::unique_ptr<Checksum> Checksum::make(ChecksumAlg alg) {
  switch (alg) {
    case ChecksumAlg::crc32: return std::make_unique<Crc32Sum>();
    case ChecksumAlg::crc32c: return std::make_unique<Crc32cSum>();
    case ChecksumAlg::sha1: return std::make_unique<Sha1Sum>();
    case ChecksumAlg::sha256: return std::make_unique<Sha256Sum>();
  }
  return nullptr;
}

BodyChecks::BodyChecks(const http::Request& req, const std::string& trailer_name)
    : trailer_name_(trailer_name) {
  if (const std::string* md5 = req.header("content-md5")) {
    std::string raw;
    if (!base64_decode(*md5, raw) || raw.size() != 16)
      throw_s3(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
    md5_expected_hex_ = hex(raw);
    md5_ = std::make_unique<Md5>();
  }
  for (const auto& [name, value] : req.headers) {
    if (name.compare(0, 15, "x-amz-checksum-") != 0 || is_checksum_parameter(name)) continue;
    ChecksumAlg alg;
    if (!checksum_alg_from_header(name, alg))
      throw_s3(400, "InvalidRequest", "The checksum algorithm of " + name + " is not supported.");
    if (header_sum_)
      throw_s3(400, "InvalidRequest",
               "Expecting a single x-amz-checksum- header. Multiple checksum Types are not "
               "allowed.");
    std::string raw;
    if (!base64_decode(value, raw) || raw.size() != digest_size(alg))
      throw_s3(400, "InvalidRequest", "Value for " + name + " header is invalid.");
    header_sum_ = Checksum::make(alg);
    header_name_ = name;
    header_expected_ = raw;
  }
  if (!trailer_name_.empty()) {
    ChecksumAlg alg;
    if (!checksum_alg_from_header(trailer_name_, alg))
      throw_s3(400, "InvalidRequest", "The trailer " + trailer_name_ + " is not supported.");
    trailer_sum_ = Checksum::make(alg);
  }
}

BodyChecks::~BodyChecks() = default;

void BodyChecks::use_body_md5(std::function<std::string()> md5) {
  if (!md5_ || !md5) return;
  md5_.reset();
  body_md5_ = std::move(md5);
}

void BodyChecks::update(const char* data, size_t len) {
  if (!len) return;
  if (md5_) md5_->update(data, len);
  if (header_sum_) header_sum_->update(data, len);
  if (trailer_sum_) trailer_sum_->update(data, len);
}

void BodyChecks::finish(const std::string* trailer_value) {
  if ((md5_ || body_md5_) &&
      !constant_time_equal(md5_ ? md5_->hex_digest() : body_md5_(), md5_expected_hex_))
    throw_s3(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
  if (header_sum_ && !constant_time_equal(header_sum_->digest(), header_expected_))
    throw_s3(
        400, "BadDigest",
        "The " + upper_alg(header_name_) + " you specified did not match the calculated checksum.");
  if (trailer_sum_) {
    if (!trailer_value)
      throw_s3(400, "MalformedTrailerError",
               "The request contained trailing data that was not well-formed or did not "
               "conform to our published schema.");
    ChecksumAlg alg;
    checksum_alg_from_header(trailer_name_, alg);
    std::string raw;
    if (!base64_decode(*trailer_value, raw) || raw.size() != digest_size(alg))
      throw_s3(400, "InvalidRequest",
               "Value for " + trailer_name_ + " trailing header is invalid.");
    if (!constant_time_equal(trailer_sum_->digest(), raw))
      throw_s3(400, "BadDigest",
               "The " + upper_alg(trailer_name_) +
                   " you specified did not match the calculated checksum.");
  }
}

std::string declared_trailer(const http::Request& req) {
  std::string v = req.header_joined("x-amz-trailer");
  if (v.empty()) return v;
  std::string name;
  size_t pos = 0;
  int count = 0;
  while (pos <= v.size()) {
    size_t comma = v.find(',', pos);
    if (comma == std::string::npos) comma = v.size();
    std::string part = trim(std::string_view(v).substr(pos, comma - pos));
    pos = comma + 1;
    if (part.empty()) continue;
    std::transform(part.begin(), part.end(), part.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    name = part;
    ++count;
  }
  ChecksumAlg alg;
  if (count != 1 || !checksum_alg_from_header(name, alg))
    throw_s3(400, "InvalidRequest",
             "The value specified in the x-amz-trailer header is not supported");
  return name;
}

int64_t length_header(const http::Request& req, std::string_view name) {
  const std::string* v = req.header(name);
  if (!v) return -1;
  if (v->empty() || v->size() > 18)
    throw_s3(400, "InvalidArgument", "The " + std::string(name) + " header is invalid.");
  int64_t n = 0;
  for (char c : *v) {
    if (c < '0' || c > '9')
      throw_s3(400, "InvalidArgument", "The " + std::string(name) + " header is invalid.");
    n = n * 10 + (c - '0');
  }
  return n;
}

namespace {

// A body sent as is: optionally checked against a hex x-amz-content-sha256.
class PlainDecoder : public PayloadDecoder {
 public:
  PlainDecoder(const http::Request& req, const std::string& payload_hash)
      : checks_(req, ""), declared_(length_header(req, "content-length")) {
    if (is_lower_hex(payload_hash, 64)) {
      expected_sha256_ = payload_hash;
      sha256_ = std::make_unique<Sha256>();
    }
  }

  std::string_view feed(const char* data, size_t len, std::string&) override {
    if (declared_ >= 0 && size_ + len > static_cast<uint64_t>(declared_))
      throw_s3(400, "IncompleteBody",
               "You did not provide the number of bytes specified by the Content-Length HTTP "
               "header");
    size_ += len;
    if (sha256_) sha256_->update(data, len);
    checks_.update(data, len);
    return std::string_view(data, len);  // the body as it came
  }

  void use_body_md5(std::function<std::string()> md5) override {
    checks_.use_body_md5(std::move(md5));
  }

  void finish() override {
    if (declared_ >= 0 && size_ != static_cast<uint64_t>(declared_))
      throw_s3(400, "IncompleteBody",
               "You did not provide the number of bytes specified by the Content-Length HTTP "
               "header");
    if (sha256_ && !constant_time_equal(sha256_->hex_digest(), expected_sha256_))
      throw_s3(400, "XAmzContentSHA256Mismatch",
               "The provided 'x-amz-content-sha256' header does not match what was computed.");
    checks_.finish(nullptr);
  }

  uint64_t decoded_size() const override { return size_; }
  int64_t declared_size() const override { return declared_; }

 private:
  BodyChecks checks_;
  int64_t declared_;
  uint64_t size_ = 0;
  std::unique_ptr<Sha256> sha256_;
  std::string expected_sha256_;
};

}  // namespace

}  // namespace detail

std::unique_ptr<PayloadDecoder> PayloadDecoder::create(const AuthInfo& auth,
                                                       const http::Request& req,
                                                       const std::string& secret) {
  std::string payload_hash = auth.payload_hash;
  if (payload_hash.empty()) {
    if (const std::string* h = req.header("x-amz-content-sha256")) payload_hash = *h;
  }
  if (payload_hash.rfind("STREAMING-", 0) == 0)
    return detail::make_aws_chunked_decoder(auth, req, secret, payload_hash);
  if (!payload_hash.empty() && payload_hash != "UNSIGNED-PAYLOAD" &&
      !detail::is_lower_hex(payload_hash, 64))
    throw_s3(400, "InvalidArgument",
             "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, "
             "STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or "
             "a valid sha256 value.");
  return std::make_unique<detail::PlainDecoder>(req, payload_hash);
}

}  // namespace rgw::s3
