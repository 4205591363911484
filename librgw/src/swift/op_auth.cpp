// op_auth.cpp - auth v1 (GET /auth/v1.0): a Swift user and key for a token
// and the account's storage URL, as tempauth and radosgw answer it.
#include <ctime>

#include "crypto.h"
#include "errors.h"
#include "swift/op.h"
#include "swift/swift_error.h"
#include "swift/token.h"

namespace rgw::swift {

namespace {

class AuthOp : public Op {
 public:
  using Op::Op;

  void finish() override {
    const http::Request& req = ctx_.req;
    const std::string* user_name = req.header("x-auth-user");
    if (!user_name) user_name = req.header("x-storage-user");
    const std::string* key = req.header("x-auth-key");
    if (!key) key = req.header("x-storage-pass");
    if (!user_name || !key || user_name->empty() || key->empty()) throw_swift(401);
    User user;
    try {
      user = ctx_.store.get_user_by_credential(CredentialKind::swift_user, *user_name);
    } catch (const Error& e) {
      if (e.code() != RGW_ERR_NO_SUCH_USER && e.code() != RGW_ERR_NO_SUCH_ACCESS_KEY) throw;
      throw_swift(401);
    }
    if (user.swift_key.empty() || !constant_time_equal(*key, user.swift_key)) throw_swift(401);
    if (user.suspended) throw_swift(403);
    int64_t expiry = static_cast<int64_t>(std::time(nullptr)) + kTokenLifetime;
    std::string token = issue_token(user, expiry);
    Response& resp = ctx_.resp;
    resp.set_header("X-Auth-Token", token);
    resp.set_header("X-Storage-Token", token);
    resp.set_header("X-Storage-Url", storage_url(user.uid));
    resp.set_header("X-Auth-Token-Expires", std::to_string(kTokenLifetime));
    resp.set_body(200, "", "text/plain; charset=UTF-8");
  }

 private:
  // scheme://host/PREFIX/AUTH_<uid>, from the request's Host and scheme (a
  // proxy in front names it in X-Forwarded-Proto).
  std::string storage_url(const std::string& uid) const {
    const std::string* proto = ctx_.req.header("x-forwarded-proto");
    std::string scheme = proto && (*proto == "https" || *proto == "http") ? *proto : "http";
    const std::string* host = ctx_.req.header("host");
    std::string path = ctx_.gw.config().swift_prefix;
    return scheme + "://" + (host && !host->empty() ? *host : "localhost") +
           (path.empty() ? "" : "/" + path) + "/AUTH_" + uid;
  }
};

}  // namespace

std::unique_ptr<Op> make_auth_op(Context& ctx) {
  if (ctx.req.method != "GET" && ctx.req.method != "HEAD") method_not_allowed(ctx, "GET, HEAD");
  return std::make_unique<AuthOp>(ctx);
}

}  // namespace rgw::swift
