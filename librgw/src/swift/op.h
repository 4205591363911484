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
  std::string account;    // the uid of /AUTH_<uid>
  std::string container;  // decoded
  std::string object;     // decoded
  // The authenticated caller: the account's owner, another Swift user that a
  // container ACL may name, or nobody (an anonymous request, which only a
  // container's read ACL lets through).
  std::optional<User> user;
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
std::unique_ptr<Op> make_formpost_op(Context& ctx);   // op_formpost.cpp: HTML form uploads
// Whether the request is a FormPOST (a POST of multipart/form-data to a
// container or an object prefix).
bool is_formpost(const Context& ctx);

// [[noreturn]] 405 with Allow: allowed.
[[noreturn]] void method_not_allowed(Context& ctx, const char* allowed);

// What an operation needs of a container.
enum class Need { owner, read, list, write };

// Loads the container and checks that the caller may do `need` on it: its
// owner may do anything, others what its ACLs (acl.h) grant.  404 if it is
// missing; when refused, 401 for an anonymous caller and 403 for others.
BucketInfo authorize_container(Context& ctx, const std::string& container, Need need);

}  // namespace rgw::swift
