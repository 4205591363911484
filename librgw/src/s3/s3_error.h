// s3_error.h - an S3 error response: HTTP status, S3 error code, message.
//
// Everything in the S3 layer that rejects a request throws S3Error; the
// request driver turns it into the XML error body
// <Error><Code/><Message/><Resource/><RequestId/></Error>.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace rgw::s3 {

class S3Error : public std::runtime_error {
 public:
  S3Error(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }
  // Extra elements for the error body (e.g. "BucketName", "Key").
  std::vector<std::pair<std::string, std::string>> details;

 private:
  int status_;
  std::string code_;
};

[[noreturn]] inline void throw_s3(int status, const std::string& code, const std::string& message) {
  throw S3Error(status, code, message);
}

}  // namespace rgw::s3
