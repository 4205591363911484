// op_post_object.cpp - POST Object: an HTML form uploads one file into a
// bucket (multipart/form-data, streamed: the file is never held in memory).
//
// The form's fields come first; the file part (the field named "file") is
// stored under the `key` field (`${filename}` replaced by the file's name)
// as it arrives, and fields after it are ignored, as S3 does.  A signed form
// carries a base64 policy document and its signature over that base64 text:
// SigV4 (x-amz-algorithm, x-amz-credential, x-amz-date, x-amz-signature) or
// V2 (AWSAccessKeyId, signature).  The policy's expiration must be ahead
// and every condition must hold ({"field": "value"}, ["eq", "$field",
// value], ["starts-with", "$field", prefix], ["content-length-range", min,
// max]; starts-with on Content-Type tests each element of a comma-separated
// list); every field but the signature's, the file and x-ignore-* must be
// named by a condition.  The fields PutObject takes as headers are taken
// with its checks: `tagging` (a Tagging document, x-amz-tagging's limits),
// x-amz-storage-class and x-amz-server-side-encryption (named values only;
// nothing changes), Content-Type and the other stored headers, x-amz-meta-*
// (2 KiB at most); x-amz-security-token is refused (no STS yet).  A form
// without a policy is anonymous.  The caller must then be allowed
// s3:PutObject on the key (ACLs, bucket policy).
#include <cctype>
#include <ctime>
#include <map>
#include <optional>

#include "crypto.h"
#include "errors.h"
#include "http/error.h"
#include "http/form_data.h"
#include "json.h"
#include "policy.h"
#include "s3/acl_request.h"
#include "s3/auth_internal.h"
#include "s3/op.h"
#include "s3/op_families.h"
#include "s3/public_access.h"
#include "s3/tagging.h"
#include "xml.h"

namespace rgw::s3 {

namespace {

constexpr size_t kMaxFieldBytes = 64 * 1024;  // all fields together

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// starts-with on Content-Type: a comma-separated value is a list, and each
// element must start with the prefix (AWS's "Creating a POST policy"; other
// fields are plain strings, commas or not).
bool each_starts_with(const std::string& list, const std::string& prefix) {
  size_t pos = 0;
  for (;;) {
    size_t comma = list.find(',', pos);
    if (comma == std::string::npos) comma = list.size();
    std::string item = list.substr(pos, comma - pos);
    const size_t b = item.find_first_not_of(" \t");
    item = b == std::string::npos ? "" : item.substr(b, item.find_last_not_of(" \t") - b + 1);
    if (item.compare(0, prefix.size(), prefix) != 0) return false;
    if (comma == list.size()) return true;
    pos = comma + 1;
  }
}

[[noreturn]] void policy_failed(const std::string& why) {
  throw_s3(403, "AccessDenied", "Invalid according to Policy: " + why);
}

class PostObject : public Op, private http::FormDataParser::Handler {
 public:
  using Op::Op;
  bool wants_body() const override { return true; }

  void begin() override {
    const std::string* ct = ctx_.req.header("content-type");
    std::string boundary;
    if (!ct || !http::FormDataParser::boundary_of(*ct, &boundary))
      throw_s3(412, "PreconditionFailed",
               "Bucket POST must be of the enclosure-type multipart/form-data");
    bucket_ = ctx_.store.get_bucket(ctx_.bucket);
    parser_.emplace(boundary, static_cast<http::FormDataParser::Handler&>(*this));
  }

  void feed(const char* data, size_t len) override {
    try {
      parser_->feed(data, len);
    } catch (const http::Error& e) {
      if (e.code() != "MalformedPOSTRequest") throw;  // the handler's own errors
      throw_s3(400, "MalformedPOSTRequest",
               "The body of your POST request is not well-formed multipart/form-data.");
    }
  }

  void finish() override {
    try {
      parser_->finish();
    } catch (const http::Error& e) {
      if (e.code() != "MalformedPOSTRequest") throw;  // the handler's own errors
      throw_s3(400, "MalformedPOSTRequest",
               "The body of your POST request is not well-formed multipart/form-data.");
    }
    if (!writer_ && !stored_)
      throw_s3(400, "InvalidArgument", "POST requires exactly one file upload per request.");
    respond();
  }

 private:
  enum class In { field, file, ignored };

  void part_begin(const http::FormDataParser::Part& part) override {
    if (stored_ || writer_) {
      in_ = In::ignored;  // after the file
      return;
    }
    std::string name = lower(part.name);
    if (name == "file") {
      start_file(part.filename);
      in_ = In::file;
      return;
    }
    in_ = In::field;
    current_ = name;
    fields_[name].clear();
  }

  void part_data(const char* data, size_t len) override {
    if (in_ == In::ignored) return;
    if (in_ == In::field) {
      field_bytes_ += len;
      if (field_bytes_ > kMaxFieldBytes)
        throw_s3(400, "MaxPostPreDataLengthExceededError",
                 "Your POST request fields preceeding the upload file was too large.");
      fields_[current_].append(data, len);
      return;
    }
    size_ += len;
    if (size_ > max_size_ || size_ > ctx_.gw.config().max_object_size)
      throw_s3(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
    writer_->write(data, len);
  }

  void part_end() override {
    if (in_ != In::file) return;
    if (size_ < min_size_)
      throw_s3(400, "EntityTooSmall",
               "Your proposed upload is smaller than the minimum allowed size");
    info_ = writer_->commit(options_);
    writer_.reset();
    stored_ = true;
  }

  const std::string* field(const std::string& name) const {
    auto it = fields_.find(name);
    return it == fields_.end() ? nullptr : &it->second;
  }

  void start_file(const std::string& filename) {
    const std::string* key = field("key");
    if (!key || key->empty())
      throw_s3(400, "InvalidArgument", "Bucket POST must contain a field named 'key'.");
    std::string k = *key;
    for (size_t at; (at = k.find("${filename}")) != std::string::npos;) k.replace(at, 11, filename);
    ctx_.key = k;
    authenticate();
    if (const std::string* p = field("policy")) check_policy(*p);
    if (!may_access(ctx_, bucket_, Access::write, "s3:PutObject"))
      throw_s3(403, "AccessDenied", "Access Denied");

    // The fields PutObject takes as headers, with its checks and limits.
    check_storage_and_encryption(field("x-amz-storage-class"),
                                 field("x-amz-server-side-encryption"));
    size_t meta = 0;
    for (const auto& f : fields_) {
      static const char* const kStored[] = {"content-type",        "cache-control",
                                            "content-disposition", "content-encoding",
                                            "content-language",    "expires"};
      for (const char* s : kStored)
        if (f.first == s && !f.second.empty()) options_.attrs[f.first] = f.second;
      if (f.first.compare(0, 11, "x-amz-meta-") == 0) {
        options_.attrs[f.first] = f.second;
        meta += f.first.size() - 11 + f.second.size();
      }
    }
    if (meta > kMaxUserMetadata)
      throw_s3(400, "MetadataTooLarge",
               "Your metadata headers exceed the maximum allowed metadata size.");
    if (const std::string* tagging = field("tagging"))
      set_tags(options_.attrs, parse_object_tagging_document(*tagging));
    const std::string owner = ctx_.user ? ctx_.user->uid : bucket_.owner;
    const std::string* acl = field("acl");
    try {
      options_.acl = rgw::canned_acl(acl ? *acl : "private", owner, bucket_.owner);
    } catch (const Error&) {
      throw_s3(400, "InvalidArgument", "Invalid canned ACL: " + *acl);
    }
    check_acl_not_blocked(bucket_, options_.acl);
    writer_ = ctx_.store.open_writer(ctx_.bucket, ctx_.key);
  }

  // The form's signature over its policy, V4 or V2, sets the caller.
  void authenticate() {
    const std::string* policy = field("policy");
    const std::string* v4sig = field("x-amz-signature");
    const std::string* v2key = field("awsaccesskeyid");
    if (!policy) {
      if (v4sig || v2key)
        throw_s3(400, "InvalidArgument", "Bucket POST must contain a field named 'policy'.");
      return;  // anonymous
    }
    // Temporary credentials (STS) are not issued yet: no token is valid
    // (as a header-signed request's x-amz-security-token).
    if (const std::string* token = field("x-amz-security-token"); token && !token->empty())
      throw_s3(400, "InvalidToken", "The provided token is malformed or otherwise invalid.");
    std::string access_key, expected, given;
    User user;
    auto find_user = [&](const std::string& ak) {
      try {
        user = ctx_.store.get_user_by_credential(CredentialKind::s3_access_key, ak);
      } catch (const Error& e) {
        if (e.code() != RGW_ERR_NO_SUCH_ACCESS_KEY && e.code() != RGW_ERR_NO_SUCH_USER) throw;
        throw_s3(403, "InvalidAccessKeyId",
                 "The AWS Access Key Id you provided does not exist in our records.");
      }
      for (const auto& k : user.keys)
        if (k.access_key == ak) return k.secret_key;
      return std::string();
    };
    if (v4sig) {
      const std::string* algorithm = field("x-amz-algorithm");
      const std::string* credential = field("x-amz-credential");
      if (!algorithm || *algorithm != "AWS4-HMAC-SHA256" || !credential)
        throw_s3(400, "InvalidArgument", "POST requires x-amz-algorithm and x-amz-credential.");
      // AK/yyyymmdd/region/service/aws4_request
      std::vector<std::string> parts;
      size_t pos = 0;
      while (pos <= credential->size()) {
        size_t slash = credential->find('/', pos);
        if (slash == std::string::npos) slash = credential->size();
        parts.push_back(credential->substr(pos, slash - pos));
        pos = slash + 1;
      }
      if (parts.size() != 5 || parts[4] != "aws4_request" || parts[1].size() != 8)
        throw_s3(400, "InvalidArgument", "The x-amz-credential field is malformed.");
      const std::string secret = find_user(parts[0]);
      expected = post_policy_signature_v4(*policy, secret, parts[1], parts[2], parts[3]);
      given = *v4sig;
    } else if (v2key) {
      const std::string* sig = field("signature");
      if (!sig)
        throw_s3(400, "InvalidArgument", "Bucket POST must contain a field named 'signature'.");
      const std::string secret = find_user(*v2key);
      expected = base64_encode(hmac_sha1(secret, *policy));
      given = *sig;
    } else {
      throw_s3(400, "InvalidArgument", "Bucket POST with a policy must be signed.");
    }
    if (!constant_time_equal(expected, given))
      throw_s3(403, "SignatureDoesNotMatch",
               "The request signature we calculated does not match the signature you provided.");
    if (user.suspended) throw_s3(403, "AccessDenied", "The user is suspended.");
    ctx_.user = std::move(user);
  }

  std::string value_of(const std::string& name) const {
    if (name == "bucket") return ctx_.bucket;
    if (name == "key") return ctx_.key;
    const std::string* v = field(name);
    return v ? *v : "";
  }

  void check_policy(const std::string& encoded) {
    std::string text, err;
    Json doc;
    if (!base64_decode(encoded, text) || !parse_json(text, &doc, &err) ||
        doc.type != Json::Type::object)
      throw_s3(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.");
    const Json* expiration = doc.get("expiration");
    int64_t expires_ms = 0;
    if (!expiration || expiration->type != Json::Type::string ||
        !policy::parse_date(expiration->text, &expires_ms))
      throw_s3(400, "InvalidPolicyDocument", "Invalid Policy: Policy missing expiration.");
    if (expires_ms <= static_cast<int64_t>(std::time(nullptr)) * 1000)
      policy_failed("Policy expired.");
    const Json* conditions = doc.get("conditions");
    if (!conditions || conditions->type != Json::Type::array)
      throw_s3(400, "InvalidPolicyDocument", "Invalid Policy: Policy missing conditions.");
    std::map<std::string, bool> covered{{"bucket", true}};
    for (const Json& c : conditions->items) {
      if (c.type == Json::Type::object) {
        for (const auto& m : c.members) {
          std::string name = lower(m.first);
          if (m.second.type != Json::Type::string)
            throw_s3(400, "InvalidPolicyDocument", "Invalid Policy: Invalid Simple-Condition.");
          covered[name] = true;
          if (value_of(name) != m.second.text)
            policy_failed("Policy Condition failed: [\"eq\", \"$" + name + "\", \"" +
                          m.second.text + "\"]");
        }
        continue;
      }
      if (c.type != Json::Type::array || c.items.size() != 3 ||
          c.items[0].type != Json::Type::string)
        throw_s3(400, "InvalidPolicyDocument", "Invalid Policy: Invalid Condition.");
      const std::string op = lower(c.items[0].text);
      if (op == "content-length-range") {
        uint64_t lo = 0, hi = 0;
        if (!c.items[1].as_uint(&lo) || !c.items[2].as_uint(&hi))
          throw_s3(400, "InvalidPolicyDocument", "Invalid Policy: Invalid content-length-range.");
        min_size_ = lo;
        max_size_ = hi;
        continue;
      }
      if (c.items[1].type != Json::Type::string || c.items[2].type != Json::Type::string ||
          c.items[1].text.empty() || c.items[1].text[0] != '$')
        throw_s3(400, "InvalidPolicyDocument", "Invalid Policy: Invalid Condition.");
      const std::string name = lower(c.items[1].text.substr(1));
      const std::string& want = c.items[2].text;
      covered[name] = true;
      const std::string have = value_of(name);
      bool ok;
      if (op == "eq")
        ok = have == want;
      else if (op == "starts-with")
        ok = name == "content-type" ? each_starts_with(have, want)
                                    : have.compare(0, want.size(), want) == 0;
      else
        throw_s3(400, "InvalidPolicyDocument", "Invalid Policy: Invalid Condition: " + op);
      if (!ok)
        policy_failed("Policy Condition failed: [\"" + op + "\", \"$" + name + "\", \"" + want +
                      "\"]");
    }
    for (const auto& f : fields_) {
      const std::string& n = f.first;
      if (n == "policy" || n == "x-amz-signature" || n == "signature" || n == "awsaccesskeyid" ||
          n == "file" || n.compare(0, 9, "x-ignore-") == 0 || covered.count(n))
        continue;
      policy_failed("Extra input fields: " + n);
    }
  }

  void respond() {
    Response& resp = ctx_.resp;
    const std::string etag = "\"" + info_.etag + "\"";
    const std::string location = "/" + ctx_.bucket + "/" + http::uri_encode(ctx_.key, false);
    resp.set_header("ETag", etag);
    resp.set_header("Location", location);
    add_written_version_header(ctx_, info_);
    const std::string* redirect = field("success_action_redirect");
    if (!redirect) redirect = field("redirect");
    if (redirect && !redirect->empty()) {
      std::string url = *redirect;
      url += url.find('?') == std::string::npos ? "?" : "&";
      url += "bucket=" + http::uri_encode(ctx_.bucket, true) +
             "&key=" + http::uri_encode(ctx_.key, true) + "&etag=" + http::uri_encode(etag, true);
      resp.set_header("Location", url);
      resp.status = 303;
      return;
    }
    const std::string* status = field("success_action_status");
    if (status && *status == "200") {
      resp.status = 200;
    } else if (status && *status == "201") {
      XmlWriter x;
      x.root("PostResponse", kS3Namespace)
          .element("Location", location)
          .element("Bucket", ctx_.bucket)
          .element("Key", ctx_.key)
          .element("ETag", etag)
          .close("PostResponse");
      resp.set_xml(201, x.take());
    } else {
      resp.status = 204;
    }
  }

  BucketInfo bucket_;
  std::optional<http::FormDataParser> parser_;
  std::map<std::string, std::string> fields_;
  std::string current_;
  size_t field_bytes_ = 0;
  In in_ = In::field;
  std::unique_ptr<ObjectWriter> writer_;
  WriteOptions options_;
  ObjectInfo info_;
  bool stored_ = false;
  uint64_t size_ = 0, min_size_ = 0, max_size_ = UINT64_MAX;
};

}  // namespace

std::unique_ptr<Op> make_post_object_op(Context& ctx) { return std::make_unique<PostObject>(ctx); }

}  // namespace rgw::s3
