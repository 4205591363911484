// op_acl.cpp - GetBucketAcl/GetObjectAcl and PutBucketAcl/PutObjectAcl:
// the core's grant lists (acl.h) as S3 AccessControlPolicy documents.
//
// Setting takes a canned ACL in x-amz-acl or an AccessControlPolicy whose
// grants are exactly what a canned ACL means (the owner's FULL_CONTROL, and
// READ for AllUsers or not); the other canned ACLs and grants answer 501
// until S3 access control is complete.  An object's ACL changes in place
// (its data is not rewritten), and only on the version the request saw: a
// concurrent overwrite wins (409).
#include "errors.h"
#include "s3/op.h"
#include "s3/op_families.h"
#include "xml.h"

namespace rgw::s3 {

namespace {

constexpr const char* kXsi = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";

const char* group_uri(const std::string& group) {
  if (group == kGroupAllUsers) return "http://acs.amazonaws.com/groups/global/AllUsers";
  if (group == kGroupAuthenticatedUsers)
    return "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
  if (group == kGroupLogDelivery) return "http://acs.amazonaws.com/groups/s3/LogDelivery";
  return nullptr;
}

std::string display_name(Context& ctx, const std::string& uid) {
  try {
    return ctx.store.get_user(uid).display_name;
  } catch (const Error& e) {
    if (e.code() != RGW_ERR_NO_SUCH_USER) throw;
    return "";
  }
}

// The <Grant> elements of one grant: FULL_CONTROL for all four permissions,
// else one per permission it holds.
void grant_xml(Context& ctx, const Grant& g, std::string& doc) {
  std::string grantee;
  switch (g.grantee.kind) {
    case Grantee::Kind::user:
      grantee = std::string("<Grantee ") + kXsi + " xsi:type=\"CanonicalUser\"><ID>" +
                xml_escape(g.grantee.id) + "</ID><DisplayName>" +
                xml_escape(display_name(ctx, g.grantee.id)) + "</DisplayName></Grantee>";
      break;
    case Grantee::Kind::email:
      grantee = std::string("<Grantee ") + kXsi +
                " xsi:type=\"AmazonCustomerByEmail\"><EmailAddress>" + xml_escape(g.grantee.id) +
                "</EmailAddress></Grantee>";
      break;
    case Grantee::Kind::group: {
      const char* uri = group_uri(g.grantee.id);
      if (!uri) return;
      grantee =
          std::string("<Grantee ") + kXsi + " xsi:type=\"Group\"><URI>" + uri + "</URI></Grantee>";
      break;
    }
    case Grantee::Kind::referrer: return;  // Swift's; S3 has no form for it
  }
  auto add = [&](const char* perm) {
    doc += "<Grant>" + grantee + "<Permission>" + perm + "</Permission></Grant>";
  };
  if ((g.permissions & kPermFullControl) == kPermFullControl) {
    add("FULL_CONTROL");
    return;
  }
  if (g.permissions & kPermRead) add("READ");
  if (g.permissions & kPermWrite) add("WRITE");
  if (g.permissions & kPermReadAcp) add("READ_ACP");
  if (g.permissions & kPermWriteAcp) add("WRITE_ACP");
}

class GetAcl : public Op {
 public:
  using Op::Op;
  void finish() override {
    BucketInfo b = authorize_bucket(ctx_, ctx_.bucket, Access::owner);
    // A bucket's policy, or an object's own.
    Acl acl = b.acl;
    if (!ctx_.key.empty())
      acl =
          effective_acl(ctx_.store.stat_object(ObjectRef{ctx_.bucket, ctx_.key, ""}).acl, b.owner);
    const std::string& owner = acl.owner.empty() ? b.owner : acl.owner;
    XmlWriter x;
    x.root("AccessControlPolicy", kS3Namespace)
        .open("Owner")
        .element("ID", owner)
        .element("DisplayName", display_name(ctx_, owner))
        .close("Owner")
        .open("AccessControlList");
    std::string doc = x.take();
    for (const auto& g : acl.grants) grant_xml(ctx_, g, doc);
    doc += "</AccessControlList></AccessControlPolicy>";
    ctx_.resp.set_xml(200, doc);
  }
};

class PutAcl : public XmlBodyOp {
 public:
  explicit PutAcl(Context& ctx) : XmlBodyOp(ctx, 64 * 1024) {}
  void begin() override { authorize_bucket(ctx_, ctx_.bucket, Access::owner); }
  void finish() override {
    BucketInfo b = authorize_bucket(ctx_, ctx_.bucket, Access::owner);
    const bool canned = ctx_.req.header("x-amz-acl") != nullptr;
    if (ctx_.key.empty()) {
      b.acl = rgw::canned_acl(canned ? canned_acl_header(ctx_) : acl_from_policy(b.owner), b.owner);
      ctx_.store.update_bucket(b);
    } else {
      const ObjectRef ref{ctx_.bucket, ctx_.key, ""};
      ObjectInfo info = ctx_.store.stat_object(ref);
      const std::string owner = info.acl.owner.empty() ? b.owner : info.acl.owner;
      AttrsUpdate update;
      update.acl = rgw::canned_acl(canned ? object_canned_acl_header(ctx_) : acl_from_policy(owner),
                                   owner, b.owner);
      update.if_match = info.etag;
      ctx_.store.update_object(ref, update);
    }
    ctx_.resp.status = 200;
  }

 private:
  std::string acl_from_policy(const std::string& owner) {
    std::string err;
    auto doc = parse_xml(body_, &err);
    const XmlNode* list = doc ? doc->child("AccessControlList") : nullptr;
    if (!doc || doc->name != "AccessControlPolicy" || !list)
      throw_s3(400, "MalformedACLError",
               "The XML you provided was not well-formed or did not validate against our published "
               "schema.");
    bool public_read = false;
    for (const XmlNode* g : list->children_named("Grant")) {
      const XmlNode* grantee = g->child("Grantee");
      const XmlNode* perm = g->child("Permission");
      const XmlNode* id = grantee ? grantee->child("ID") : nullptr;
      const XmlNode* uri = grantee ? grantee->child("URI") : nullptr;
      if (perm && id && id->text == owner && perm->text == "FULL_CONTROL") continue;
      if (perm && uri && uri->text == "http://acs.amazonaws.com/groups/global/AllUsers" &&
          perm->text == "READ") {
        public_read = true;
        continue;
      }
      throw_s3(501, "NotImplemented",
               "Only the grants of the canned ACLs private and public-read are supported.");
    }
    return public_read ? "public-read" : "private";
  }
};

}  // namespace

std::string canned_acl_header(const Context& ctx) {
  const std::string* acl = ctx.req.header("x-amz-acl");
  if (!acl || acl->empty() || *acl == "private") return "private";
  if (*acl == "public-read") return "public-read";
  if (*acl == "public-read-write" || *acl == "authenticated-read" || *acl == "aws-exec-read" ||
      *acl == "bucket-owner-read" || *acl == "bucket-owner-full-control" ||
      *acl == "log-delivery-write")
    throw_s3(501, "NotImplemented", "Only the canned ACLs private and public-read are supported.");
  throw_s3(400, "InvalidArgument", "Invalid canned ACL: " + *acl);
}

std::unique_ptr<Op> make_get_acl_op(Context& ctx) { return std::make_unique<GetAcl>(ctx); }
std::unique_ptr<Op> make_put_acl_op(Context& ctx) { return std::make_unique<PutAcl>(ctx); }

}  // namespace rgw::s3
