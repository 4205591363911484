// swift_handler.h - the OpenStack Swift v1 protocol: one Swift request from
// the request line to the last response byte (gateway/protocol.h).
//
//   start()     routing (/auth/v1.0, /info, /PREFIX/AUTH_<account>/...),
//               the token (X-Auth-Token / X-Storage-Token, swift/token.h)
//               or a temporary URL's signature (swift/tempurl.h),
//               the operation; false: the response is ready.
//   body(...)   the body as it streams, fed to the operation (413 past
//               max_object_size).
//   end_body()  the operation commits.
//   error()     Swift's status and short text body for whatever was thrown.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "gateway/protocol.h"
#include "swift/op.h"
#include "swift/tempurl.h"

namespace rgw::swift {

class SwiftHandler : public Handler {
 public:
  explicit SwiftHandler(const HandlerArgs& args);
  ~SwiftHandler() override;

  bool start() override;
  void body(const char* data, size_t len) override;
  void end_body() override;
  void error(const std::exception_ptr& what) noexcept override;

 private:
  void route();
  // The token's user; with optional, no token is an anonymous caller (whom
  // only a container's read ACL lets through).
  void authenticate(bool optional);
  // A temporary URL instead of a token (objects only): the account's owner
  // acts, for the method the URL was signed for.
  void authenticate_temp_url(const TempUrl& t);
  void temp_url_disposition(const TempUrl& t);

  Context ctx_;
  std::unique_ptr<Op> op_;
  int64_t declared_size_ = -1;
  uint64_t fed_ = 0;
};

// Whether a raw request path is Swift's under the given prefix ("swift/v1",
// or "" for none): /auth/v1.0 (/auth/1.0, with or without a trailing '/'),
// /info (and /swift/info for a prefix swift/v1: where swiftclient looks), and
// /PREFIX/... (with no prefix: /AUTH_...).
bool claims(std::string_view raw_path, const std::string& prefix);

// The Swift protocol, for the gateway's router.
std::unique_ptr<Protocol> make_protocol(const std::string& prefix);

}  // namespace rgw::swift
