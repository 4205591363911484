// s3_request.cpp - the request driver: addressing, authentication, the
// operation's life cycle, and error responses.
#include "s3/s3_request.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "errors.h"
#include "s3/error_map.h"
#include "s3/xml.h"

namespace rgw::s3 {

namespace {

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return s;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::string Context::resource() const {
  std::string r = "/";
  if (!bucket.empty()) r += bucket;
  if (!key.empty()) r += "/" + key;
  return r;
}

S3Request::S3Request(Gateway& gw, std::string method, std::string uri)
    : gw_(gw),
      method_(std::move(method)),
      uri_(std::move(uri)),
      ctx_{gw, gw.store(), req_, resp_, gw.next_request_id(), "", "", false, {}, {}, -1} {
  resp_.set_header("x-amz-request-id", ctx_.request_id);
}

S3Request::~S3Request() = default;

void S3Request::add_header(std::string name, std::string value) {
  header_bytes_ += name.size() + value.size();
  if (req_.headers.size() >= kMaxHeaders || header_bytes_ > kMaxHeaderBytes) {
    headers_overflow_ = true;  // refused by start(), memory stays bounded
    return;
  }
  req_.headers.emplace_back(lower(std::move(name)), trim(value));
}

void S3Request::fail_with(const std::exception_ptr& error) {
  S3Error e = to_s3_error(error);
  op_.reset();  // aborts anything uncommitted
  decoder_.reset();
  std::string id = ctx_.request_id;
  bool head = resp_.head;
  resp_ = Response();
  resp_.head = head;
  resp_.set_header("x-amz-request-id", id);
  XmlWriter x;
  x.open("Error").element("Code", e.code()).element("Message", e.what());
  for (const auto& d : e.details) x.element(d.first, d.second);
  x.element("Resource", ctx_.resource()).element("RequestId", id).close("Error");
  resp_.set_xml(e.status(), x.take());
  resp_.content_length = static_cast<int64_t>(resp_.body.size());
  state_ = State::done;
}

template <typename F>
bool S3Request::guarded(F&& step) {
  try {
    step();
  } catch (...) {
    fail_with(std::current_exception());
  }
  return state_ != State::done;
}

void S3Request::route() {
  if (!req_.parse_uri(uri_)) throw_s3(400, "InvalidURI", "Couldn't parse the specified URI.");
  std::string path;
  http::percent_decode(req_.raw_path, path);

  // Virtual-hosted style: Host "<bucket>.<domain>[:port]".
  if (const std::string* host = req_.header("host")) {
    std::string h = lower(*host);
    size_t colon = h.rfind(':');
    if (colon != std::string::npos && h.find(']') == std::string::npos) h.resize(colon);
    for (const auto& d : gw_.config().domains) {
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

void S3Request::authenticate() {
  ctx_.auth = parse_auth(req_);
  if (ctx_.auth.scheme == AuthScheme::anonymous) return;
  // Temporary credentials (STS) are not issued yet: no token is valid.
  if (!ctx_.auth.security_token.empty())
    throw_s3(400, "InvalidToken", "The provided token is malformed or otherwise invalid.");
  User user;
  try {
    user = ctx_.store.get_user_by_access_key(ctx_.auth.access_key);
  } catch (const Error& e) {
    if (e.code() != RGW_ERR_NO_SUCH_ACCESS_KEY && e.code() != RGW_ERR_NO_SUCH_USER) throw;
    throw_s3(403, "InvalidAccessKeyId",
             "The AWS Access Key Id you provided does not exist in our records.");
  }
  for (const auto& k : user.keys)
    if (k.access_key == ctx_.auth.access_key) secret_ = k.secret_key;
  verify_auth(ctx_.auth, req_, secret_, static_cast<int64_t>(std::time(nullptr)),
              ctx_.vhost ? ctx_.bucket : std::string());
  if (user.suspended) throw_s3(403, "AccessDenied", "The user is suspended.");
  ctx_.user = std::move(user);
}

bool S3Request::start() {
  if (state_ != State::headers) fail(RGW_ERR_INVALID_ARGUMENT, "request already started");
  req_.method = method_;
  resp_.head = method_ == "HEAD";
  return guarded([&] {
    if (headers_overflow_)
      throw_s3(400, "RequestHeaderSectionTooLarge",
               "Your request header section exceeds the maximum allowed size.");
    route();
    authenticate();

    const std::string* te = req_.header("transfer-encoding");
    const std::string* cl = req_.header("content-length");
    uint64_t length = 0;
    if (cl && !http::parse_decimal(*cl, &length))
      throw_s3(400, "InvalidArgument", "Content-Length is not a number.");
    op_ = make_op(ctx_);
    if (!op_->wants_body()) {
      op_->finish();
      op_.reset();
      seal();
      return;
    }
    decoder_ = PayloadDecoder::create(ctx_.auth, req_, secret_);
    ctx_.declared_size = decoder_->declared_size();
    if (!cl && !te && ctx_.declared_size < 0)
      throw_s3(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
    if (ctx_.declared_size < 0 && cl && !te) ctx_.declared_size = static_cast<int64_t>(length);
    if (ctx_.declared_size > 0 && static_cast<uint64_t>(ctx_.declared_size) > gw_.config().max_object_size)
      throw_s3(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.");
    op_->begin();
    state_ = State::body;
  });
}

bool S3Request::body(const char* data, size_t len) {
  if (state_ == State::done) return false;
  if (state_ != State::body) fail(RGW_ERR_INVALID_ARGUMENT, "body fed before start()");
  return guarded([&] {
    decoded_.clear();
    decoder_->feed(data, len, decoded_);
    fed_ += decoded_.size();
    if (fed_ > gw_.config().max_object_size)
      throw_s3(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.");
    if (!decoded_.empty()) op_->feed(decoded_.data(), decoded_.size());
  });
}

void S3Request::end_body() {
  if (state_ == State::done) return;
  if (state_ != State::body) fail(RGW_ERR_INVALID_ARGUMENT, "end_body() before start()");
  guarded([&] {
    decoder_->finish();
    if (ctx_.declared_size >= 0 && fed_ != static_cast<uint64_t>(ctx_.declared_size))
      throw_s3(400, "IncompleteBody",
               "You did not provide the number of bytes specified by the Content-Length HTTP header.");
    op_->finish();
    op_.reset();
    decoder_.reset();
    seal();
  });
}

void S3Request::seal() {
  if (resp_.status == 204 || resp_.status == 304) {
    // No content, and no Content-Length (RFC 9110 8.6).
    resp_.body.clear();
    resp_.reader.reset();
    resp_.content_length = -1;
  } else if (resp_.content_length < 0) {
    resp_.content_length = static_cast<int64_t>(resp_.body.size());
  }
  state_ = State::done;
}

size_t S3Request::read(char* buf, size_t cap) {
  if (state_ != State::done || resp_.head || resp_.content_length < 0 || cap == 0) return 0;
  if (resp_.reader) return resp_.reader->read(buf, cap);
  size_t n = std::min(cap, resp_.body.size() - body_pos_);
  std::memcpy(buf, resp_.body.data() + body_pos_, n);
  body_pos_ += n;
  return n;
}

}  // namespace rgw::s3
