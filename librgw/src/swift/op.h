// op.h - one Swift operation, and what every operation is given.
//
// The Swift handler (swift_handler.cpp) routes a request to an Op, then
// calls begin() once the caller is authenticated, feed() with the body as it
// streams, and finish() after the whole body arrived.  An Op that throws has
// its error rendered instead; its destructor drops anything uncommitted.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "gateway/gateway.h"
#include "http/request.h"
#include "http/response.h"
#include "model.h"

namespace rgw::swift {

using http::Response;

// Swift's limits (GET /info reports them).
inline constexpr unsigned kListingLimit = 10000;
inline constexpr size_t kMaxMetaNameLength = 128;
inline constexpr size_t kMaxMetaValueLength = 256;
inline constexpr size_t kMaxMetaCount = 90;
inline constexpr size_t kMaxMetaOverallSize = 4096;
inline constexpr size_t kMaxObjectNameLength = 1024;
inline constexpr size_t kMaxContainerNameLength = 255;

enum class Target { auth, info, account, container, object };

struct Context {
  Gateway& gw;
  Store& store;
  const http::Request& req;
  Response& resp;
  std::string request_id;
  Target target = Target::account;
  std::string account;       // the uid of /AUTH_<uid>
  std::string container;     // decoded
  std::string object;        // decoded
  std::optional<User> user;  // the authenticated caller (the account's owner)
};

class Op {
 public:
  explicit Op(Context& ctx) : ctx_(ctx) {}
  virtual ~Op() = default;
  virtual bool wants_body() const { return false; }
  virtual void begin() {}
  virtual void feed(const char* data, size_t len) { (void)data, (void)len; }
  virtual void finish() = 0;

 protected:
  Context& ctx_;
};

// Factories, one family per file.
std::unique_ptr<Op> make_auth_op(Context& ctx);       // op_auth.cpp: /auth/v1.0
std::unique_ptr<Op> make_info_op(Context& ctx);       // op_info.cpp: /info
std::unique_ptr<Op> make_account_op(Context& ctx);    // op_account.cpp
std::unique_ptr<Op> make_container_op(Context& ctx);  // op_container.cpp
std::unique_ptr<Op> make_object_op(Context& ctx);     // op_object.cpp

// [[noreturn]] 405 with Allow: allowed.
[[noreturn]] void method_not_allowed(Context& ctx, const char* allowed);

// Loads the container; 404 if missing, 403 unless the caller owns it.
BucketInfo owned_container(Context& ctx);

}  // namespace rgw::swift
