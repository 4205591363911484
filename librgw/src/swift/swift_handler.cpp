// swift_handler.cpp - the Swift protocol's request handler: routing, tokens,
// the operation's life cycle, and error responses.
#include "swift/swift_handler.h"

#include <ctime>

#include "errors.h"
#include "swift/swift_error.h"
#include "swift/token.h"

namespace rgw::swift {

namespace {

bool is_auth_path(std::string_view p) {
  return p == "/auth/v1.0" || p == "/auth/v1.0/" || p == "/auth/1.0" || p == "/auth/1.0/";
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

class SwiftProtocol : public Protocol {
 public:
  explicit SwiftProtocol(std::string prefix) : prefix_(std::move(prefix)) {}
  const char* name() const override { return "swift"; }
  std::unique_ptr<Handler> make_handler(const HandlerArgs& args) override {
    return std::make_unique<SwiftHandler>(args);
  }

 private:
  std::string prefix_;
};

void common_headers(Response& resp, const std::string& request_id) {
  resp.set_header("X-Trans-Id", request_id);
  resp.set_header("X-Openstack-Request-Id", request_id);
}

// Where clients look for /info under the prefix: python-swiftclient turns
// a storage URL ".../v1/AUTH_x" into ".../info", so with prefix "swift/v1"
// the capabilities are at /swift/info too (as radosgw serves them).
bool is_info_path(std::string_view p, const std::string& prefix) {
  if (p == "/info") return true;
  size_t slash = prefix.rfind('/');
  std::string last = prefix.substr(slash == std::string::npos ? 0 : slash + 1);
  if (last.size() < 2 || last[0] != 'v' ||
      last.find_first_not_of("0123456789.", 1) != std::string::npos)
    return false;
  std::string info = slash == std::string::npos ? "/info" : "/" + prefix.substr(0, slash) + "/info";
  return p == info;
}

}  // namespace

bool claims(std::string_view raw_path, const std::string& prefix) {
  if (is_auth_path(raw_path) || is_info_path(raw_path, prefix)) return true;
  if (prefix.empty()) return starts_with(raw_path, "/AUTH_");
  std::string root = "/" + prefix;
  return raw_path == root || starts_with(raw_path, root + "/");
}

std::unique_ptr<Protocol> make_protocol(const std::string& prefix) {
  return std::make_unique<SwiftProtocol>(prefix);
}

SwiftHandler::SwiftHandler(const HandlerArgs& args)
    : ctx_{args.gateway,
           args.gateway.store(),
           args.request,
           args.response,
           args.request_id,
           Target::account,
           "",
           "",
           "",
           std::nullopt} {
  common_headers(ctx_.resp, ctx_.request_id);
}

SwiftHandler::~SwiftHandler() = default;

void SwiftHandler::error(const std::exception_ptr& what) noexcept {
  Failure f = to_failure(what);
  op_.reset();  // aborts anything uncommitted
  Response& resp = ctx_.resp;
  bool head = resp.head;
  std::string allow;
  for (const auto& h : resp.headers)
    if (h.first == "Allow") allow = h.second;
  resp = Response();
  resp.head = head;
  common_headers(resp, ctx_.request_id);
  if (f.status == 405 && !allow.empty()) resp.set_header("Allow", allow);
  resp.set_body(f.status, std::move(f.body), "text/html; charset=UTF-8");
}

void SwiftHandler::route() {
  const std::string& raw = ctx_.req.raw_path;
  if (is_auth_path(raw)) {
    ctx_.target = Target::auth;
    return;
  }
  if (is_info_path(raw, ctx_.gw.config().swift_prefix)) {
    ctx_.target = Target::info;
    return;
  }
  const std::string& prefix = ctx_.gw.config().swift_prefix;
  std::string rest = raw.substr(prefix.empty() ? 0 : prefix.size() + 1);  // "/AUTH_a/c/o"
  std::string path;
  if (!http::percent_decode(rest, path)) throw_swift(400, "Invalid UTF8 or contains NULL");
  for (char c : path)
    if (c == '\0') throw_swift(400, "Invalid UTF8 or contains NULL");
  // Segments: account (AUTH_<uid>; radosgw's storage URLs may leave it out:
  // then the token's user is the account), container, object (the rest).
  size_t pos = path.empty() ? 0 : 1;
  auto next = [&](std::string& out, bool rest_of_path) {
    if (pos >= path.size()) return false;
    size_t end = rest_of_path ? path.size() : path.find('/', pos);
    if (end == std::string::npos) end = path.size();
    out = path.substr(pos, end - pos);
    pos = end + 1;
    return true;
  };
  std::string first;
  if (next(first, false) && starts_with(first, "AUTH_")) {
    ctx_.account = first.substr(5);
    if (ctx_.account.empty()) throw_swift(400, "Invalid account");
    next(ctx_.container, false);
  } else {
    ctx_.container = first;
  }
  next(ctx_.object, true);
  ctx_.target = !ctx_.object.empty()      ? Target::object
                : !ctx_.container.empty() ? Target::container
                                          : Target::account;
  if (ctx_.container.size() > kMaxContainerNameLength)
    throw_swift(400, "Container name length of " + std::to_string(ctx_.container.size()) +
                         " longer than " + std::to_string(kMaxContainerNameLength));
  if (ctx_.object.size() > kMaxObjectNameLength)
    throw_swift(400, "Object name length of " + std::to_string(ctx_.object.size()) +
                         " longer than " + std::to_string(kMaxObjectNameLength));
}

void SwiftHandler::authenticate(bool optional) {
  const std::string* token = ctx_.req.header("x-auth-token");
  if (!token) token = ctx_.req.header("x-storage-token");
  if (!token || token->empty()) {
    if (!optional || ctx_.account.empty()) throw_swift(401);
    return;
  }
  auto claims = parse_token(*token);
  if (!claims) throw_swift(401);
  User user;
  try {
    user = ctx_.store.get_user_by_credential(CredentialKind::swift_user, claims->swift_user);
  } catch (const Error& e) {
    if (e.code() != RGW_ERR_NO_SUCH_USER && e.code() != RGW_ERR_NO_SUCH_ACCESS_KEY) throw;
    throw_swift(401);
  }
  if (!token_valid(*claims, user, static_cast<int64_t>(std::time(nullptr)))) throw_swift(401);
  if (user.suspended) throw_swift(403);
  if (ctx_.account.empty()) ctx_.account = user.uid;
  // Another account: only its containers' ACLs may let this user in.
  if (ctx_.account != user.uid && ctx_.target == Target::account) throw_swift(403);
  ctx_.user = std::move(user);
}

void SwiftHandler::authenticate_temp_url(const TempUrl& t) {
  const std::string& m = ctx_.req.method;
  if (m != "GET" && m != "HEAD" && m != "PUT" && m != "POST" && m != "DELETE")
    throw_swift(401, "Temp URL invalid");
  if (ctx_.account.empty()) throw_swift(401, "Temp URL invalid");
  // Large-object manifests would reach other objects than the one signed.
  if (ctx_.req.header("x-object-manifest"))
    throw_swift(400, "X-Object-Manifest is not allowed with a temporary URL");
  User user;
  BucketInfo container;
  try {
    user = ctx_.store.get_user(ctx_.account);
    container = ctx_.store.get_bucket(ctx_.container);
  } catch (const Error& e) {
    if (e.code() != RGW_ERR_NO_SUCH_USER && e.code() != RGW_ERR_NO_SUCH_BUCKET) throw;
    throw_swift(401, "Temp URL invalid");
  }
  std::vector<std::string> keys = temp_url_keys(user, container);
  std::string path;
  http::percent_decode(ctx_.req.raw_path, path);
  if (keys.empty() ||
      !temp_url_valid(t, ctx_.req.method, path, ctx_.object, keys,
                      static_cast<int64_t>(std::time(nullptr)), ctx_.req.remote_addr))
    throw_swift(401, "Temp URL invalid");
  ctx_.user = std::move(user);
}

// Content-Disposition of a GET by temporary URL, as the tempurl middleware
// sets it: inline, or an attachment named by ?filename= or the object.
void SwiftHandler::temp_url_disposition(const TempUrl& t) {
  Response& resp = ctx_.resp;
  if (resp.status < 200 || resp.status >= 300) return;
  std::string name = t.filename ? *t.filename : ctx_.object.substr(ctx_.object.rfind('/') + 1);
  std::string safe;
  for (char c : name)
    if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) safe += c;
  std::string value = t.inline_disposition ? "inline" : "attachment";
  if (!t.inline_disposition || t.filename)
    value += "; filename=\"" + safe + "\"; filename*=UTF-8''" + http::uri_encode(name, true);
  resp.set_header("Content-Disposition", value);
}

bool SwiftHandler::start() {
  route();
  switch (ctx_.target) {
    case Target::auth: op_ = make_auth_op(ctx_); break;
    case Target::info: op_ = make_info_op(ctx_); break;
    case Target::account:
      authenticate(false);
      op_ = make_account_op(ctx_);
      break;
    case Target::container:
      authenticate(true);
      op_ = make_container_op(ctx_);
      break;
    case Target::object: {
      auto temp_url = ctx_.req.header("x-auth-token") || ctx_.req.header("x-storage-token")
                          ? std::nullopt
                          : parse_temp_url(ctx_.req);
      if (temp_url)
        authenticate_temp_url(*temp_url);
      else
        authenticate(true);
      op_ = make_object_op(ctx_);
      if (!op_->wants_body()) {
        op_->finish();
        op_.reset();
        if (temp_url && ctx_.req.method == "GET") temp_url_disposition(*temp_url);
        return false;
      }
      break;
    }
  }
  if (!op_->wants_body()) {
    op_->finish();
    op_.reset();
    return false;
  }
  const std::string* cl = ctx_.req.header("content-length");
  const std::string* te = ctx_.req.header("transfer-encoding");
  uint64_t length = 0;
  if (cl && !http::parse_decimal(*cl, &length)) throw_swift(400, "Invalid Content-Length");
  if (!cl && !te) throw_swift(411);
  if (te && te->find("chunked") == std::string::npos)
    throw_swift(501, "Transfer-Encoding must be chunked");
  if (cl && !te) declared_size_ = static_cast<int64_t>(length);
  if (declared_size_ > 0 && length > ctx_.gw.config().max_object_size) throw_swift(413);
  op_->begin();
  return true;
}

void SwiftHandler::body(const char* data, size_t len) {
  fed_ += len;
  if (fed_ > ctx_.gw.config().max_object_size) throw_swift(413);
  op_->feed(data, len);
}

void SwiftHandler::end_body() {
  if (declared_size_ >= 0 && fed_ != static_cast<uint64_t>(declared_size_)) throw_swift(499);
  op_->finish();
  op_.reset();
}

}  // namespace rgw::swift
