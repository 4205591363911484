// error.h - a request refused for a reason the protocol names: an HTTP
// status, a symbolic code ("NoSuchBucket", "RequestHeaderSectionTooLarge")
// and a message.
//
// The request driver and the protocols throw it; the protocol that owns the
// request renders it in its own form (S3: an XML <Error> document; Swift: a
// short text body).  Failures of the core itself are rgw::Error (errors.h),
// which each protocol maps to a status of its own.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace rgw::http {

class Error : public std::runtime_error {
 public:
  Error(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }
  // Extra fields for the error body (S3: "BucketName", "Key", ...).
  std::vector<std::pair<std::string, std::string>> details;
  // Extra response headers (S3: x-amz-delete-marker on a 404 or 405).
  std::vector<std::pair<std::string, std::string>> headers;

 private:
  int status_;
  std::string code_;
};

}  // namespace rgw::http
