// op_formpost.cpp - FormPOST: an HTML form uploads files straight into a
// container, authorized by a signature over the form's own fields, as
// Swift's formpost middleware does:
//
//   signature = HMAC-<digest>(key, "<path>\n<redirect>\n<max_file_size>\n"
//                                  "<max_file_count>\n<expires>")
//
// under the account's or the container's Temp-URL-Key(-2); path is the
// request's (decoded): /PREFIX/AUTH_<account>/<container>[/<object prefix>].
// The fields must come before the files; each file (filename="x") becomes
// the object <object prefix>x, streamed into the store as it arrives.
#include <ctime>
#include <map>
#include <optional>

#include "crypto.h"
#include "errors.h"
#include "http/error.h"
#include "http/form_data.h"
#include "http/response.h"
#include "swift/op.h"
#include "swift/swift_error.h"
#include "swift/tempurl.h"
#include "swift/versioned_writes.h"

namespace rgw::swift {

namespace {

// A refusal of the form: rendered as Swift renders it (a redirect when the
// form names one, else the status and "FormPost: <message>").
struct FormError {
  int status;
  std::string message;
};

std::string title_case(const std::string& s) {
  std::string out = s;
  bool start = true;
  for (char& c : out) {
    if (start && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    start = !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
  }
  return out;
}

class FormPost : public Op, private http::FormDataParser::Handler {
 public:
  using Op::Op;
  bool wants_body() const override { return true; }

  void begin() override {
    const std::string* ct = ctx_.req.header("content-type");
    std::string boundary;
    if (!ct || !http::FormDataParser::boundary_of(*ct, &boundary))
      throw_swift(400, "FormPost: invalid starting boundary");
    parser_.emplace(boundary, static_cast<http::FormDataParser::Handler&>(*this));
  }

  void feed(const char* data, size_t len) override {
    if (done_) return;
    guard([&] { parser_->feed(data, len); });
  }

  void finish() override {
    if (done_) return;
    guard([&] {
      parser_->finish();
      if (!verified_) verify();  // a form without files still has to be signed
    });
    if (done_) return;
    respond(201, "");
  }

 private:
  template <typename F>
  void guard(F f) {
    try {
      f();
    } catch (const FormError& e) {
      writer_.reset();  // the file in progress is not stored
      respond(e.status, e.message);
    } catch (const http::Error& e) {
      writer_.reset();
      if (e.code() != "MalformedPOSTRequest") throw;
      respond(400, "invalid form");
    }
  }

  void respond(int status, const std::string& message) {
    done_ = true;
    Response& resp = ctx_.resp;
    auto redirect = fields_.find("redirect");
    if (status != 401 && redirect != fields_.end() && !redirect->second.empty()) {
      std::string url = redirect->second;
      url += url.find('?') == std::string::npos ? "?" : "&";
      url += "status=" + std::to_string(status) +
             "&message=" + http::uri_encode(title_case(message), true);
      resp.set_header("Location", url);
      resp.set_body(
          303, "<html><body><p><a href=\"" + url + "\">Click to continue...</a></p></body></html>",
          "text/html; charset=UTF-8");
      return;
    }
    std::string body = std::to_string(status) + " " + http::status_reason(status);
    if (!message.empty()) body += "\r\nFormPost: " + title_case(message);
    resp.set_body(status, std::move(body), "text/plain; charset=UTF-8");
  }

  std::string field(const char* name) const {
    auto it = fields_.find(name);
    return it == fields_.end() ? "" : it->second;
  }

  static uint64_t number(const std::string& v, const char* what) {
    uint64_t n = 0;
    if (!http::parse_decimal(v, &n)) throw FormError{400, std::string("invalid ") + what};
    return n;
  }

  void verify() {
    verified_ = true;
    int64_t expires = static_cast<int64_t>(number(field("expires"), "expires"));
    if (expires <= static_cast<int64_t>(std::time(nullptr))) throw FormError{401, "form expired"};
    max_file_size_ = number(field("max_file_size"), "max_file_size");
    max_file_count_ = number(field("max_file_count"), "max_file_count");
    if (max_file_count_ == 0) throw FormError{400, "max file count exceeded"};
    std::string path;
    http::percent_decode(ctx_.req.raw_path, path);
    std::string body = path + "\n" + field("redirect") + "\n" + field("max_file_size") + "\n" +
                       field("max_file_count") + "\n" + field("expires");
    // The signature in temp-URL form: hex (its length names the digest) or
    // "<digest>:<base64>"; checked against every key.
    http::Request probe;
    probe.query = {{"temp_url_sig", field("signature")}, {"temp_url_expires", "1"}};
    std::optional<TempUrl> sig;
    try {
      sig = parse_temp_url(probe);
    } catch (const http::Error&) {
      throw FormError{401, "invalid signature"};
    }
    std::vector<std::string> keys;
    try {
      User user = ctx_.store.get_user(ctx_.account);
      BucketInfo container = ctx_.store.get_bucket(ctx_.container);
      keys = temp_url_keys(user, container);
    } catch (const Error& e) {
      if (e.code() != RGW_ERR_NO_SUCH_USER && e.code() != RGW_ERR_NO_SUCH_BUCKET) throw;
    }
    bool ok = false;
    for (const auto& key : keys) {
      std::string mac = sig->digest == Digest::sha1     ? hmac_sha1(key, body)
                        : sig->digest == Digest::sha256 ? hmac_sha256(key, body)
                                                        : hmac_sha512(key, body);
      ok |= constant_time_equal(mac, sig->sig);
    }
    if (!ok) throw FormError{401, "invalid signature"};
    if (!field("x_delete_at").empty()) {
      delete_at_ = static_cast<int64_t>(number(field("x_delete_at"), "x_delete_at"));
      if (delete_at_ <= static_cast<int64_t>(std::time(nullptr)))
        throw FormError{400, "x_delete_at in past"};
    } else if (!field("x_delete_after").empty()) {
      delete_at_ = static_cast<int64_t>(std::time(nullptr)) +
                   static_cast<int64_t>(number(field("x_delete_after"), "x_delete_after"));
    }
  }

  void part_begin(const http::FormDataParser::Part& part) override {
    in_file_ = part.has_filename;
    if (!in_file_) {
      name_ = part.name;
      value_.clear();
      return;
    }
    if (!verified_) verify();
    skip_file_ = part.filename.empty();  // an empty file input: nothing to store
    if (skip_file_) return;
    if (++files_ > max_file_count_) throw FormError{400, "max file count exceeded"};
    // The object's name: the URL's object prefix and the file's name.
    options_ = WriteOptions();
    options_.attrs["content-type"] =
        part.content_type.empty() ? "application/octet-stream" : part.content_type;
    options_.delete_at = delete_at_;
    written_ = 0;
    key_ = ctx_.object + part.filename;
    writer_ = ctx_.store.open_writer(ctx_.container, key_);
  }

  void part_data(const char* data, size_t len) override {
    if (!in_file_) {
      if (value_.size() + len > 8192) throw FormError{400, "form field too large"};
      value_.append(data, len);
      return;
    }
    if (skip_file_) return;
    written_ += len;
    if (written_ > max_file_size_) throw FormError{400, "max_file_size exceeded"};
    writer_->write(data, len);
  }

  void part_end() override {
    if (!in_file_) {
      if (!verified_) fields_[name_] = value_;  // fields after the first file are ignored
      return;
    }
    if (skip_file_) return;
    try {  // a container that keeps versions archives the replaced object
      archive_current(ctx_, ctx_.store.get_bucket(ctx_.container), key_);
    } catch (const http::Error& e) {
      throw FormError{e.status(), e.what()};
    }
    writer_->commit(options_);
    writer_.reset();
  }

  std::optional<http::FormDataParser> parser_;
  std::map<std::string, std::string> fields_;
  std::string name_, value_;
  bool verified_ = false, done_ = false, in_file_ = false, skip_file_ = false;
  uint64_t max_file_size_ = 0, max_file_count_ = 0, files_ = 0, written_ = 0;
  int64_t delete_at_ = 0;
  WriteOptions options_;
  std::unique_ptr<ObjectWriter> writer_;
  std::string key_;  // the object the current file is written to
};

}  // namespace

std::unique_ptr<Op> make_formpost_op(Context& ctx) { return std::make_unique<FormPost>(ctx); }

bool is_formpost(const Context& ctx) {
  const std::string* ct = ctx.req.header("content-type");
  return ctx.req.method == "POST" && ct && ct->compare(0, 19, "multipart/form-data") == 0;
}

}  // namespace rgw::swift
