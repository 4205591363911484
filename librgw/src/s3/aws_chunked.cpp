// aws_chunked.cpp - the Content-Encoding: aws-chunked body decoder.
//
// Wire format, fed in pieces of any size:
//   <hex size>[;chunk-signature=<sig>]\r\n <data> \r\n   ... repeated ...
//   0[;chunk-signature=<sig>]\r\n
//   [<trailer name>:<value>\r\n]* [x-amz-trailer-signature:<sig>\r\n] \r\n
// Only the size and trailer lines are buffered (at most kMaxLine bytes each);
// data goes straight to the output.
#include <algorithm>
#include <cctype>
#include <cstring>

#include "crypto.h"
#include "s3/auth.h"
#include "s3/auth_internal.h"
#include "s3/payload_internal.h"

namespace rgw::s3::detail {

namespace {

constexpr size_t kMaxLine = 4096;
constexpr int kMaxTrailerLines = 16;

[[noreturn]] void framing(const std::string& why) {
  throw_s3(400, "IncompleteBody", "The request body is not well-formed aws-chunked: " + why);
}

[[noreturn]] void bad_trailer() {
  throw_s3(400, "MalformedTrailerError",
           "The request contained trailing data that was not well-formed or did not conform "
           "to our published schema.");
}

[[noreturn]] void bad_signature() {
  throw_s3(403, "SignatureDoesNotMatch",
           "The request signature we calculated does not match the signature you provided. "
           "Check your key and signing method.");
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

class AwsChunkedDecoder : public PayloadDecoder {
 public:
  AwsChunkedDecoder(const AuthInfo& auth, const http::Request& req, const std::string& secret,
                    const std::string& payload_hash)
      : trailer_name_(declared_trailer(req)),
        checks_(req, trailer_name_),
        declared_(length_header(req, "x-amz-decoded-content-length")) {
    signed_chunks_ = payload_hash == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" ||
                     payload_hash == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    signed_trailer_ = payload_hash == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    if (!signed_chunks_ && payload_hash != "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
      throw_s3(400, "InvalidArgument",
               "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, "
               "STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or "
               "a valid sha256 value.");
    if (signed_chunks_) {
      if (auth.scheme != AuthScheme::v4_header)
        throw_s3(400, "InvalidRequest",
                 payload_hash + " requires AWS Signature Version 4 header authentication");
      amz_date_ = auth.amz_date;
      scope_ = auth.scope;
      prev_signature_ = auth.signature;
      key_ = sigv4_signing_key(secret, auth.scope.substr(0, 8), auth.region, auth.service);
    }
  }

  std::string_view feed(const char* data, size_t len, std::string& out) override {
    const size_t start = out.size();
    decode(data, len, out);
    return std::string_view(out).substr(start);
  }

  void use_body_md5(std::function<std::string()> md5) override {
    checks_.use_body_md5(std::move(md5));
  }

  // Appends the payload bytes of len wire bytes to out.
  void decode(const char* data, size_t len, std::string& out) {
    size_t i = 0;
    while (i < len) {
      switch (state_) {
        case State::size_line:
        case State::trailer_line: {
          const char* nl = static_cast<const char*>(memchr(data + i, '\n', len - i));
          size_t take = nl ? static_cast<size_t>(nl - (data + i)) + 1 : len - i;
          if (line_.size() + take > kMaxLine) framing("a chunk header or trailer line is too long");
          line_.append(data + i, take);
          i += take;
          if (!nl) break;
          if (line_.size() < 2 || line_[line_.size() - 2] != '\r')
            framing("a line does not end in CRLF");
          line_.resize(line_.size() - 2);
          if (state_ == State::size_line)
            size_line();
          else
            trailer_line();
          line_.clear();
          break;
        }
        case State::data: {
          size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, len - i));
          if (declared_ >= 0 && size_ + take > static_cast<uint64_t>(declared_))
            throw_s3(400, "IncompleteBody",
                     "The decoded body is longer than X-Amz-Decoded-Content-Length");
          if (chunk_hash_) chunk_hash_->update(data + i, take);
          checks_.update(data + i, take);
          out.append(data + i, take);
          size_ += take;
          remaining_ -= take;
          i += take;
          if (remaining_ == 0) {
            if (signed_chunks_) check_chunk_signature();
            state_ = State::data_crlf;
            crlf_seen_ = 0;
          }
          break;
        }
        case State::data_crlf: {
          char want = crlf_seen_ == 0 ? '\r' : '\n';
          if (data[i] != want) framing("chunk data is not followed by CRLF");
          ++i;
          if (++crlf_seen_ == 2) state_ = State::size_line;
          break;
        }
        case State::done: framing("data after the end of the body");
      }
    }
  }

  void finish() override {
    // A body may stop right after the last trailer line (or the final chunk)
    // without the empty line that ends the trailer section.
    if (state_ == State::trailer_line && line_.empty()) state_ = State::done;
    if (state_ != State::done)
      throw_s3(400, "IncompleteBody", "The request body terminated unexpectedly");
    if (signed_trailer_ && !trailer_signed_) bad_trailer();
    if (declared_ >= 0 && size_ != static_cast<uint64_t>(declared_))
      throw_s3(400, "IncompleteBody",
               "You did not provide the number of bytes specified by the "
               "X-Amz-Decoded-Content-Length HTTP header");
    checks_.finish(have_trailer_ ? &trailer_value_ : nullptr);
  }

  uint64_t decoded_size() const override { return size_; }
  int64_t declared_size() const override { return declared_; }

 private:
  enum class State { size_line, data, data_crlf, trailer_line, done };

  void size_line() {
    std::string_view line = line_;
    size_t semi = line.find(';');
    std::string_view size_hex = line.substr(0, semi);
    if (size_hex.empty() || size_hex.size() > 15) framing("bad chunk size");
    uint64_t n = 0;
    for (char c : size_hex) {
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) framing("bad chunk size");
      n = n * 16 + static_cast<uint64_t>(d);
    }
    std::string signature;
    bool have_signature = false;
    while (semi != std::string_view::npos) {
      size_t start = semi + 1;
      semi = line.find(';', start);
      std::string_view ext =
          line.substr(start, semi == std::string_view::npos ? semi : semi - start);
      size_t eq = ext.find('=');
      if (ext.substr(0, eq) == "chunk-signature") {
        if (have_signature || eq == std::string_view::npos) framing("bad chunk-signature");
        signature = std::string(ext.substr(eq + 1));
        have_signature = true;
      }
    }
    if (signed_chunks_) {
      if (!have_signature) bad_signature();
      chunk_signature_ = signature;
      chunk_hash_ = std::make_unique<Sha256>();
    }
    remaining_ = n;
    if (n == 0) {
      if (signed_chunks_) check_chunk_signature();
      state_ = State::trailer_line;
    } else {
      state_ = State::data;
    }
  }

  void check_chunk_signature() {
    std::string expected =
        chunk_signature(key_, amz_date_, scope_, prev_signature_, chunk_hash_->hex_digest());
    chunk_hash_.reset();
    if (!constant_time_equal(expected, chunk_signature_)) bad_signature();
    prev_signature_ = expected;
  }

  void trailer_line() {
    if (line_.empty()) {
      state_ = State::done;
      return;
    }
    if (trailer_signed_ || ++trailer_lines_ > kMaxTrailerLines) bad_trailer();
    size_t colon = line_.find(':');
    if (colon == std::string::npos) bad_trailer();
    std::string name = trim(std::string_view(line_).substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string value = trim(std::string_view(line_).substr(colon + 1));
    if (name == "x-amz-trailer-signature") {
      if (!signed_trailer_) bad_trailer();
      std::string expected = trailer_signature(key_, amz_date_, scope_, prev_signature_,
                                               sha256_hex(canonical_trailers_));
      if (!constant_time_equal(expected, value)) bad_signature();
      trailer_signed_ = true;
      return;
    }
    if (name != trailer_name_ || have_trailer_) bad_trailer();
    have_trailer_ = true;
    trailer_value_ = value;
    canonical_trailers_ += name + ":" + value + "\n";
  }

  std::string trailer_name_;
  BodyChecks checks_;
  int64_t declared_;
  bool signed_chunks_ = false, signed_trailer_ = false;
  std::string key_, amz_date_, scope_, prev_signature_;

  State state_ = State::size_line;
  std::string line_;
  uint64_t remaining_ = 0;
  uint64_t size_ = 0;
  int crlf_seen_ = 0;
  std::unique_ptr<Sha256> chunk_hash_;
  std::string chunk_signature_;

  int trailer_lines_ = 0;
  bool have_trailer_ = false, trailer_signed_ = false;
  std::string trailer_value_, canonical_trailers_;
};

}  // namespace

std::unique_ptr<PayloadDecoder> make_aws_chunked_decoder(const AuthInfo& auth,
                                                         const http::Request& req,
                                                         const std::string& secret,
                                                         const std::string& payload_hash) {
  return std::make_unique<AwsChunkedDecoder>(auth, req, secret, payload_hash);
}

}  // namespace rgw::s3::detail
