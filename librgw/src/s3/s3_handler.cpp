// s3_handler.cpp - the S3 protocol's request handler: addressing,
// authentication, the operation's life cycle, and error responses.
#include "s3/s3_handler.h"

#include <ctime>

#include "errors.h"
#include "s3/cors.h"
#include "s3/error_map.h"
#include "xml.h"

namespace rgw::s3 {

namespace {

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return s;
}

class S3Protocol : public Protocol {
 public:
  const char* name() const override { return "s3"; }
  std::unique_ptr<Handler> make_handler(const HandlerArgs& args) override {
    return std::make_unique<S3Handler>(args);
  }
};

}  // namespace

std::unique_ptr<Protocol> make_protocol() { return std::make_unique<S3Protocol>(); }

std::string Context::resource() const {
  std::string r = "/";
  if (!bucket.empty()) r += bucket;
  if (!key.empty()) r += "/" + key;
  return r;
}

S3Handler::S3Handler(const HandlerArgs& args)
    : ctx_{args.gateway,
           args.gateway.store(),
           args.request,
           args.response,
           args.request_id,
           "",
           "",
           false,
           {},
           {},
           -1,
           ""} {
  ctx_.resp.set_header("x-amz-request-id", ctx_.request_id);
}

S3Handler::~S3Handler() = default;

void S3Handler::error(const std::exception_ptr& what) noexcept {
  S3Error e = to_s3_error(what);
  op_.reset();  // aborts anything uncommitted
  decoder_.reset();
  Response& resp = ctx_.resp;
  bool head = resp.head;
  resp = Response();
  resp.head = head;
  resp.set_header("x-amz-request-id", ctx_.request_id);
  for (const auto& h : e.headers) resp.set_header(h.first, h.second);
  XmlWriter x;
  x.open("Error").element("Code", e.code()).element("Message", e.what());
  for (const auto& d : e.details) x.element(d.first, d.second);
  x.element("Resource", ctx_.resource()).element("RequestId", ctx_.request_id).close("Error");
  resp.set_xml(e.status(), x.take());
  // An error answers a page with the bucket's CORS headers too, so that the
  // page sees the error (a 403, a 404) rather than a refused response.
  add_cors_headers(ctx_);
}

void S3Handler::route() {
  const http::Request& req = ctx_.req;
  std::string path;
  http::percent_decode(req.raw_path, path);

  // Virtual-hosted style: Host "<bucket>.<domain>[:port]".
  if (const std::string* host = req.header("host")) {
    std::string h = lower(*host);
    size_t colon = h.rfind(':');
    if (colon != std::string::npos && h.find(']') == std::string::npos) h.resize(colon);
    for (const auto& d : ctx_.gw.config().domains) {
      if (h.size() > d.size() + 1 && h.compare(h.size() - d.size(), d.size(), d) == 0 &&
          h[h.size() - d.size() - 1] == '.') {
        ctx_.bucket = h.substr(0, h.size() - d.size() - 1);
        ctx_.vhost = true;
        break;
      }
    }
  }
  if (ctx_.vhost) {
    ctx_.key = path.size() > 1 ? path.substr(1) : "";
  } else {
    size_t slash = path.find('/', 1);
    ctx_.bucket = path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
    if (slash != std::string::npos) ctx_.key = path.substr(slash + 1);
  }
  if (ctx_.bucket.empty() && !ctx_.key.empty())
    throw_s3(400, "InvalidURI", "Couldn't parse the specified URI.");
}

void S3Handler::authenticate() {
  // A CORS preflight is never authenticated: the browser sends it on its own,
  // without credentials, to the URL of the request it asks about -- a
  // presigned URL's query signature included, which signs another method.
  if (ctx_.req.method == "OPTIONS" && !ctx_.bucket.empty()) return;
  ctx_.auth = parse_auth(ctx_.req);
  if (ctx_.auth.scheme == AuthScheme::anonymous) return;
  // Temporary credentials (STS) are not issued yet: no token is valid.
  if (!ctx_.auth.security_token.empty())
    throw_s3(400, "InvalidToken", "The provided token is malformed or otherwise invalid.");
  User user;
  try {
    user = ctx_.store.get_user_by_credential(CredentialKind::s3_access_key, ctx_.auth.access_key);
  } catch (const Error& e) {
    if (e.code() != RGW_ERR_NO_SUCH_ACCESS_KEY && e.code() != RGW_ERR_NO_SUCH_USER) throw;
    throw_s3(403, "InvalidAccessKeyId",
             "The AWS Access Key Id you provided does not exist in our records.");
  }
  for (const auto& k : user.keys)
    if (k.access_key == ctx_.auth.access_key) secret_ = k.secret_key;
  verify_auth(ctx_.auth, ctx_.req, secret_, static_cast<int64_t>(std::time(nullptr)),
              ctx_.vhost ? ctx_.bucket : std::string());
  if (user.suspended) throw_s3(403, "AccessDenied", "The user is suspended.");
  ctx_.user = std::move(user);
}

bool S3Handler::start() {
  route();
  authenticate();

  const http::Request& req = ctx_.req;
  const std::string* te = req.header("transfer-encoding");
  const std::string* cl = req.header("content-length");
  uint64_t length = 0;
  if (cl && !http::parse_decimal(*cl, &length))
    throw_s3(400, "InvalidArgument", "Content-Length is not a number.");
  op_ = make_op(ctx_);
  if (!op_->wants_body()) {
    op_->finish();
    add_cors_headers(ctx_);
    op_.reset();
    return false;
  }
  decoder_ = PayloadDecoder::create(ctx_.auth, req, secret_);
  if (std::function<std::string()> md5 = op_->body_md5()) decoder_->use_body_md5(std::move(md5));
  ctx_.declared_size = decoder_->declared_size();
  if (!cl && !te && ctx_.declared_size < 0)
    throw_s3(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
  if (ctx_.declared_size < 0 && cl && !te) ctx_.declared_size = static_cast<int64_t>(length);
  if (ctx_.declared_size > 0 &&
      static_cast<uint64_t>(ctx_.declared_size) > ctx_.gw.config().max_object_size)
    throw_s3(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.");
  op_->begin();
  return true;
}

void S3Handler::body(const char* data, size_t len) {
  decoded_.clear();
  const std::string_view bytes = decoder_->feed(data, len, decoded_);
  fed_ += bytes.size();
  if (fed_ > ctx_.gw.config().max_object_size)
    throw_s3(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.");
  if (!bytes.empty()) op_->feed(bytes.data(), bytes.size());
}

void S3Handler::end_body() {
  decoder_->finish();
  if (ctx_.declared_size >= 0 && fed_ != static_cast<uint64_t>(ctx_.declared_size))
    throw_s3(
        400, "IncompleteBody",
        "You did not provide the number of bytes specified by the Content-Length HTTP header.");
  op_->finish();
  add_cors_headers(ctx_);
  op_.reset();
  decoder_.reset();
}

}  // namespace rgw::s3
