// s3_error.h - an S3 error response: HTTP status, S3 error code, message.
//
// Everything in the S3 layer that rejects a request throws S3Error (an
// http::Error whose code is an S3 error code); the S3 handler turns it into
// the XML error body <Error><Code/><Message/><Resource/><RequestId/></Error>.
#pragma once

#include <string>

#include "http/error.h"

namespace rgw::s3 {

class S3Error : public http::Error {
 public:
  using http::Error::Error;
  explicit S3Error(const http::Error& e) : http::Error(e) {}
};

[[noreturn]] inline void throw_s3(int status, const std::string& code, const std::string& message) {
  throw S3Error(status, code, message);
}

}  // namespace rgw::s3
