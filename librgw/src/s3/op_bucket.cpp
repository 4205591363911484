// op_bucket.cpp - operations on a bucket: create, head, delete, location,
// versioning status, multi-object delete; ACLs are in op_acl.cpp, listings
// in op_list.cpp, upload listings in op_multipart.cpp.
#include <set>

#include "errors.h"
#include "s3/acl_request.h"
#include "s3/bucket_policy.h"
#include "s3/cors.h"
#include "s3/error_map.h"
#include "s3/op.h"
#include "s3/op_families.h"
#include "s3/public_access.h"
#include "s3/tagging.h"
#include "xml.h"

namespace rgw::s3 {

namespace {

// S3's rules for new bucket names (DNS-compatible, so that virtual-hosted
// addressing works): 3-63 characters of a-z 0-9 . -, starting and ending
// with a letter or digit, no "..", not shaped like an IP address.  (The
// store accepts wider names, for Swift containers.)
void check_s3_bucket_name(const std::string& name) {
  auto bad = [&](const std::string& why) {
    S3Error e(400, "InvalidBucketName", "The specified bucket is not valid: " + why);
    e.details.emplace_back("BucketName", name);
    throw e;
  };
  if (name.size() < 3 || name.size() > 63) bad("it must be 3 to 63 characters long");
  bool all_digits_dots = true;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
      bad("only lowercase letters, digits, '.' and '-' are allowed");
    if (!((c >= '0' && c <= '9') || c == '.')) all_digits_dots = false;
  }
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back()))
    bad("it must start and end with a letter or digit");
  if (name.find("..") != std::string::npos || name.find(".-") != std::string::npos ||
      name.find("-.") != std::string::npos)
    bad("adjacent periods or a period next to a hyphen");
  if (all_digits_dots) bad("it must not be formatted as an IP address");
}

class CreateBucket : public XmlBodyOp {
 public:
  explicit CreateBucket(Context& ctx) : XmlBodyOp(ctx, 64 * 1024) {}
  void begin() override {
    require_user(ctx_);
    check_s3_bucket_name(ctx_.bucket);
    acl_ = acl_from_headers(ctx_, ctx_.user->uid, "");
  }
  void finish() override {
    check_location();
    const User& user = require_user(ctx_);
    BucketInfo info;
    info.name = ctx_.bucket;
    info.owner = user.uid;
    info.acl = acl_;
    try {
      ctx_.store.create_bucket(info);
    } catch (const Error& e) {
      if (e.code() != RGW_ERR_BUCKET_EXISTS) throw;
      BucketInfo existing = ctx_.store.get_bucket(ctx_.bucket);
      if (existing.owner != user.uid) throw;
      // Outside us-east-1 AWS refuses its owner's re-create.  In us-east-1
      // (legacy) it succeeds and changes nothing, as radosgw's: unless it
      // asks for another ACL, which radosgw refuses (no ACL is reset).
      if (ctx_.gw.config().region != "us-east-1")
        throw_s3(
            409, "BucketAlreadyOwnedByYou",
            "Your previous request to create the named bucket succeeded and you already own it.");
      if (!(existing.acl == info.acl))
        throw_s3(409, "BucketAlreadyExists", "Cannot modify existing access control policy");
    }
    ctx_.resp.status = 200;
    ctx_.resp.set_header("Location", "/" + ctx_.bucket);
  }

 private:
  void check_location() {
    if (body_.find_first_not_of(" \t\r\n") == std::string::npos) return;
    std::string err;
    auto doc = parse_xml(body_, &err);
    if (!doc || doc->name != "CreateBucketConfiguration")
      throw_s3(400, "MalformedXML",
               "The XML you provided was not well-formed or did not validate against our published "
               "schema.");
    const XmlNode* loc = doc->child("LocationConstraint");
    std::string want = loc ? loc->text : "";
    const std::string& region = ctx_.gw.config().region;
    if (want.empty() || want == region || (want == "US" && region == "us-east-1")) return;
    auto e = S3Error(400, "InvalidLocationConstraint",
                     "The specified location-constraint is not valid.");
    e.details.emplace_back("LocationConstraint", want);
    throw e;
  }
  Acl acl_;
};

class HeadBucket : public Op {
 public:
  using Op::Op;
  void finish() override {
    authorize_bucket(ctx_, ctx_.bucket, Access::read, "s3:ListBucket");
    ctx_.resp.status = 200;
    ctx_.resp.set_header("x-amz-bucket-region", ctx_.gw.config().region);
  }
};

class DeleteBucket : public Op {
 public:
  using Op::Op;
  void finish() override {
    authorize_bucket(ctx_, ctx_.bucket, Access::owner);
    ctx_.store.remove_bucket(ctx_.bucket);
    ctx_.resp.status = 204;
  }
};

class GetBucketLocation : public Op {
 public:
  using Op::Op;
  void finish() override {
    authorize_bucket(ctx_, ctx_.bucket, Access::owner, "s3:GetBucketLocation");
    const std::string& region = ctx_.gw.config().region;
    XmlWriter x;
    // AWS answers an empty constraint for us-east-1.
    x.root("LocationConstraint", kS3Namespace);
    std::string doc = x.take();
    if (region != "us-east-1") doc += xml_escape_text(region);
    doc += "</LocationConstraint>";
    ctx_.resp.set_xml(200, doc);
  }
};

class GetBucketVersioning : public Op {
 public:
  using Op::Op;
  void finish() override {
    BucketInfo b = authorize_bucket(ctx_, ctx_.bucket, Access::owner, "s3:GetBucketVersioning");
    XmlWriter x;
    x.root("VersioningConfiguration", kS3Namespace);
    if (b.versioning == Versioning::enabled) x.element("Status", "Enabled");
    if (b.versioning == Versioning::suspended) x.element("Status", "Suspended");
    x.close("VersioningConfiguration");
    ctx_.resp.set_xml(200, x.take());
  }
};

// <VersioningConfiguration><Status>Enabled|Suspended</Status>
// [<MfaDelete>Disabled</MfaDelete>]</VersioningConfiguration>.  Without a
// Status nothing changes; a bucket never goes back to unversioned.
class PutBucketVersioning : public XmlBodyOp {
 public:
  explicit PutBucketVersioning(Context& ctx) : XmlBodyOp(ctx, 64 * 1024) {}
  void begin() override {
    authorize_bucket(ctx_, ctx_.bucket, Access::owner, "s3:PutBucketVersioning");
  }
  void finish() override {
    std::string err;
    auto doc = parse_xml(body_, &err);
    if (!doc || doc->name != "VersioningConfiguration") malformed();
    for (const auto& c : doc->children)
      if (c->name != "Status" && c->name != "MfaDelete") malformed();
    const XmlNode* status = doc->child("Status");
    const XmlNode* mfa = doc->child("MfaDelete");
    if (status && status->text != "Enabled" && status->text != "Suspended") malformed();
    if (mfa && mfa->text != "Enabled" && mfa->text != "Disabled") malformed();
    if (mfa && mfa->text == "Enabled")
      throw_s3(400, "InvalidRequest",
               "MFA Delete is not supported: this gateway has no MFA devices.");
    if (status) {
      // Read afresh (not from a cache) so that nothing else is undone.
      BucketInfo b = ctx_.store.get_bucket(ctx_.bucket);
      b.versioning = status->text == "Enabled" ? Versioning::enabled : Versioning::suspended;
      ctx_.store.update_bucket(b);
    }
    ctx_.resp.status = 200;
  }

 private:
  [[noreturn]] static void malformed() {
    throw_s3(400, "MalformedXML",
             "The XML you provided was not well-formed or did not validate against our published "
             "schema.");
  }
};

// POST /bucket?delete: up to 1000 keys; Content-MD5 is checked when sent
// (by the payload decoder) but never required.
class DeleteObjects : public XmlBodyOp {
 public:
  explicit DeleteObjects(Context& ctx) : XmlBodyOp(ctx, 2 * 1024 * 1024) {}
  // The bucket's WRITE (its ACL) covers every key; a bucket policy decides
  // key by key (s3:DeleteObject on each object), so a caller it may admit
  // is let through to the per-key checks.
  void begin() override {
    bucket_ = ctx_.store.get_bucket(ctx_.bucket);
    acl_allows_ = may_access(ctx_, bucket_, Access::write);
    if (!acl_allows_ && !bucket_.attrs.count(kPolicyAttr))
      throw_s3(403, "AccessDenied", "Access Denied");
  }
  void finish() override {
    std::string err;
    auto doc = parse_xml(body_, &err);
    auto objects = doc ? doc->children_named("Object") : std::vector<const XmlNode*>();
    if (!doc || doc->name != "Delete" || objects.empty() || objects.size() > 1000)
      throw_s3(400, "MalformedXML",
               "The XML you provided was not well-formed or did not validate against our published "
               "schema.");
    const XmlNode* quiet_node = doc->child("Quiet");
    bool quiet = quiet_node && (quiet_node->text == "true" || quiet_node->text == "True");
    XmlWriter x;
    x.root("DeleteResult", kS3Namespace);
    for (const XmlNode* o : objects) {
      const XmlNode* k = o->child("Key");
      std::string key = k ? k->text : "";
      const XmlNode* v = o->child("VersionId");
      std::string code, message;
      RemoveResult removed;
      try {
        if (v && !valid_version_id(v->text))
          throw_s3(400, "NoSuchVersion", "The specified version does not exist.");
        policy::Decision d =
            policy_decision(ctx_, bucket_, v ? "s3:DeleteObjectVersion" : "s3:DeleteObject", key);
        if (d == policy::Decision::deny || (d == policy::Decision::none && !acl_allows_))
          throw_s3(403, "AccessDenied", "Access Denied");
        removed = ctx_.store.remove_object(ObjectRef{ctx_.bucket, key, v ? v->text : ""},
                                           RemoveOptions{});
      } catch (const S3Error& e) {
        code = e.code();
        message = e.what();
      } catch (const Error& e) {
        if (e.code() == RGW_ERR_INVALID_KEY) {
          code = "InvalidArgument";
          message = e.what();
        } else {  // NoSuchVersion, a lost race, a store failure
          S3Error mapped = to_s3_error(std::current_exception());
          code = mapped.code();
          message = mapped.what();
        }
      }
      if (code.empty()) {
        if (quiet) continue;
        x.open("Deleted").element("Key", key);
        if (v) x.element("VersionId", v->text);
        // A delete marker made, or one removed by its id.
        if (removed.removed && removed.delete_marker) {
          x.element("DeleteMarker", true);
          if (!v) x.element("DeleteMarkerVersionId", removed.version_id);
        }
        x.close("Deleted");
      } else {
        x.open("Error").element("Key", key);
        if (v) x.element("VersionId", v->text);
        x.element("Code", code).element("Message", message).close("Error");
      }
    }
    x.close("DeleteResult");
    ctx_.resp.set_xml(200, x.take());
  }

 private:
  BucketInfo bucket_;
  bool acl_allows_ = false;
};

// GET of a bucket configuration this gateway does not support setting: the
// answer S3 gives for a bucket that has none, so that clients which read
// them (s3cmd info, SDK helpers) see "not configured" rather than an error.
struct Unconfigured {
  const char* subresource;
  int status;  // 404: the error below; 200: the empty document
  const char* code_or_root;
  const char* message;  // for errors; for 200 the document's content
};

const Unconfigured kUnconfigured[] = {
    {"website", 404, "NoSuchWebsiteConfiguration",
     "The specified bucket does not have a website configuration"},
    {"encryption", 404, "ServerSideEncryptionConfigurationNotFoundError",
     "The server side encryption configuration was not found"},
    {"object-lock", 404, "ObjectLockConfigurationNotFoundError",
     "Object Lock configuration does not exist for this bucket"},
    {"replication", 404, "ReplicationConfigurationNotFoundError",
     "The replication configuration was not found"},
    {"ownershipControls", 404, "OwnershipControlsNotFoundError",
     "The bucket ownership controls were not found"},
    {"logging", 200, "BucketLoggingStatus", ""},
    {"notification", 200, "NotificationConfiguration", ""},
    {"requestPayment", 200, "RequestPaymentConfiguration", "<Payer>BucketOwner</Payer>"},
    {"accelerate", 200, "AccelerateConfiguration", ""},
};

class GetUnconfigured : public Op {
 public:
  GetUnconfigured(Context& ctx, const Unconfigured& what) : Op(ctx), what_(what) {}
  void finish() override {
    authorize_bucket(ctx_, ctx_.bucket, Access::owner);
    if (what_.status != 200) {
      S3Error e(what_.status, what_.code_or_root, what_.message);
      e.details.emplace_back("BucketName", ctx_.bucket);
      throw e;
    }
    XmlWriter x;
    x.root(what_.code_or_root, kS3Namespace);
    std::string doc = x.take() + what_.message + "</" + what_.code_or_root + ">";
    ctx_.resp.set_xml(200, doc);
  }

 private:
  const Unconfigured& what_;
};

// Sub-resources S3 defines that this gateway does not implement (yet): a
// request naming one is refused rather than mistaken for a plain one.
// (lifecycle is a bucket's, routed before these are refused; on an object
// it is refused.)
const std::set<std::string>& unsupported_bucket_subresources() {
  static const std::set<std::string> names = {
      "accelerate",     "analytics",   "encryption",        "intelligent-tiering",
      "inventory",      "lifecycle",   "logging",           "metrics",
      "notification",   "object-lock", "ownershipControls", "replication",
      "requestPayment", "website",     "torrent",           "restore",
      "select",         "retention",   "legal-hold",        "attributes"};
  return names;
}

}  // namespace

void refuse_unsupported_subresources(Context& ctx) {
  for (const auto& q : ctx.req.query)
    if (unsupported_bucket_subresources().count(q.first))
      throw_s3(501, "NotImplemented", "The " + q.first + " sub-resource is not implemented.");
}

std::unique_ptr<Op> make_bucket_op(Context& ctx) {
  const std::string& m = ctx.req.method;
  const http::Request& r = ctx.req;
  if (auto op = make_policy_op(ctx)) return op;
  if (auto op = make_public_access_block_op(ctx)) return op;
  if (auto op = make_bucket_tagging_op(ctx)) return op;
  if (auto op = make_cors_op(ctx)) return op;
  if (auto op = make_lifecycle_op(ctx)) return op;
  if (m == "GET")
    for (const auto& u : kUnconfigured)
      if (r.has_query(u.subresource)) return std::make_unique<GetUnconfigured>(ctx, u);
  refuse_unsupported_subresources(ctx);
  if (m == "GET") {
    if (r.has_query("location")) return std::make_unique<GetBucketLocation>(ctx);
    if (r.has_query("acl")) return make_get_acl_op(ctx);
    if (r.has_query("versioning")) return std::make_unique<GetBucketVersioning>(ctx);
    if (r.has_query("uploads")) return make_list_uploads_op(ctx);
    return make_list_op(ctx);
  }
  if (m == "HEAD") return std::make_unique<HeadBucket>(ctx);
  if (m == "PUT") {
    if (r.has_query("acl")) return make_put_acl_op(ctx);
    if (r.has_query("versioning")) return std::make_unique<PutBucketVersioning>(ctx);
    return std::make_unique<CreateBucket>(ctx);
  }
  if (m == "DELETE") return std::make_unique<DeleteBucket>(ctx);
  if (m == "POST" && r.has_query("delete")) return std::make_unique<DeleteObjects>(ctx);
  if (m == "POST" && r.query.empty()) return make_post_object_op(ctx);
  throw_s3(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
}

}  // namespace rgw::s3
