// s3_handler.h - the S3 protocol: one S3 request from the request line to
// the last response byte, as the gateway's request driver runs it
// (gateway/protocol.h).
//
//   start()     addressing (path or virtual-hosted style), authentication
//               from the headers (SigV4/SigV2), the operation and its
//               permission checks; false: the response is ready (an error,
//               or an operation without input).
//   body(...)   the wire body, decoded and verified as it streams
//               (aws-chunked, payload hashes, checksums), fed to the
//               operation; over max_object_size it stops with EntityTooLarge.
//   end_body()  the last checks, then the operation commits.
//   error()     the S3 XML error document for whatever was thrown.
// Memory is bounded whatever the object size.
#pragma once

#include <memory>
#include <string>

#include "gateway/protocol.h"
#include "s3/op.h"

namespace rgw::s3 {

class S3Handler : public Handler {
 public:
  explicit S3Handler(const HandlerArgs& args);
  ~S3Handler() override;

  bool start() override;
  void body(const char* data, size_t len) override;
  void end_body() override;
  void error(const std::exception_ptr& what) noexcept override;

 private:
  void route();
  void authenticate();

  Context ctx_;
  std::unique_ptr<Op> op_;
  std::unique_ptr<PayloadDecoder> decoder_;
  std::string secret_;
  std::string decoded_;
  uint64_t fed_ = 0;
};

// The S3 protocol, for the gateway's router: it serves every path that no
// other protocol claims.
std::unique_ptr<Protocol> make_protocol();

}  // namespace rgw::s3
