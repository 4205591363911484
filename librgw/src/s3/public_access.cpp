// public_access.cpp - Put/Get/DeletePublicAccessBlock and the checks the
// four flags make.
#include "s3/public_access.h"

#include "errors.h"
#include "xml.h"

namespace rgw::s3 {

namespace {

bool is_public_grantee(const Grantee& g) {
  return g.kind == Grantee::Kind::group &&
         (g.id == kGroupAllUsers || g.id == kGroupAuthenticatedUsers);
}

// The attribute's form: four '0'/'1' in the order of the struct.
std::string encode(const PublicAccessBlock& p) {
  std::string s;
  for (bool b : {p.block_public_acls, p.ignore_public_acls, p.block_public_policy,
                 p.restrict_public_buckets})
    s.push_back(b ? '1' : '0');
  return s;
}

[[noreturn]] void malformed() {
  throw_s3(400, "MalformedXML",
           "The XML you provided was not well-formed or did not validate against our published "
           "schema.");
}

class PutPublicAccessBlock : public XmlBodyOp {
 public:
  explicit PutPublicAccessBlock(Context& ctx) : XmlBodyOp(ctx, 64 * 1024) {}
  void begin() override {
    authorize_bucket(ctx_, ctx_.bucket, Access::owner, "s3:PutBucketPublicAccessBlock");
  }
  void finish() override {
    BucketInfo b =
        authorize_bucket(ctx_, ctx_.bucket, Access::owner, "s3:PutBucketPublicAccessBlock");
    std::string err;
    auto doc = parse_xml(body_, &err);
    if (!doc || doc->name != "PublicAccessBlockConfiguration") malformed();
    PublicAccessBlock p;
    const struct {
      const char* name;
      bool* flag;
    } fields[] = {{"BlockPublicAcls", &p.block_public_acls},
                  {"IgnorePublicAcls", &p.ignore_public_acls},
                  {"BlockPublicPolicy", &p.block_public_policy},
                  {"RestrictPublicBuckets", &p.restrict_public_buckets}};
    for (const auto& child : doc->children) {
      bool known = false;
      for (const auto& f : fields) {
        if (child->name != f.name) continue;
        known = true;
        if (child->text == "true" || child->text == "TRUE" || child->text == "True")
          *f.flag = true;
        else if (child->text != "false" && child->text != "FALSE" && child->text != "False")
          malformed();
      }
      if (!known) malformed();
    }
    b.attrs[kPublicAccessAttr] = encode(p);
    ctx_.store.update_bucket(b);
    ctx_.resp.status = 200;
  }
};

class GetPublicAccessBlock : public Op {
 public:
  using Op::Op;
  void finish() override {
    BucketInfo b =
        authorize_bucket(ctx_, ctx_.bucket, Access::owner, "s3:GetBucketPublicAccessBlock");
    if (!b.attrs.count(kPublicAccessAttr)) {
      S3Error e(404, "NoSuchPublicAccessBlockConfiguration",
                "The public access block configuration was not found");
      e.details.emplace_back("BucketName", ctx_.bucket);
      throw e;
    }
    PublicAccessBlock p = public_access_block(b);
    XmlWriter x;
    x.root("PublicAccessBlockConfiguration", kS3Namespace)
        .element("BlockPublicAcls", p.block_public_acls)
        .element("IgnorePublicAcls", p.ignore_public_acls)
        .element("BlockPublicPolicy", p.block_public_policy)
        .element("RestrictPublicBuckets", p.restrict_public_buckets)
        .close("PublicAccessBlockConfiguration");
    ctx_.resp.set_xml(200, x.take());
  }
};

class DeletePublicAccessBlock : public Op {
 public:
  using Op::Op;
  void finish() override {
    // IAM's action for DeletePublicAccessBlock is s3:PutBucketPublicAccessBlock.
    BucketInfo b =
        authorize_bucket(ctx_, ctx_.bucket, Access::owner, "s3:PutBucketPublicAccessBlock");
    if (b.attrs.erase(kPublicAccessAttr)) ctx_.store.update_bucket(b);
    ctx_.resp.status = 204;
  }
};

}  // namespace

PublicAccessBlock public_access_block(const BucketInfo& bucket) {
  PublicAccessBlock p;
  auto it = bucket.attrs.find(kPublicAccessAttr);
  if (it == bucket.attrs.end() || it->second.size() != 4) return p;
  const std::string& s = it->second;
  p.block_public_acls = s[0] == '1';
  p.ignore_public_acls = s[1] == '1';
  p.block_public_policy = s[2] == '1';
  p.restrict_public_buckets = s[3] == '1';
  return p;
}

bool is_public_acl(const Acl& acl) {
  for (const auto& g : acl.grants)
    if (is_public_grantee(g.grantee) && g.permissions) return true;
  return false;
}

Acl effective_public_acl(const BucketInfo& bucket, const Acl& acl) {
  if (!public_access_block(bucket).ignore_public_acls || !is_public_acl(acl)) return acl;
  Acl kept = acl;
  kept.grants.clear();
  for (const auto& g : acl.grants)
    if (!is_public_grantee(g.grantee)) kept.grants.push_back(g);
  return kept;
}

void check_acl_not_blocked(const BucketInfo& bucket, const Acl& acl) {
  if (public_access_block(bucket).block_public_acls && is_public_acl(acl))
    throw_s3(403, "AccessDenied", "Access Denied");
}

std::unique_ptr<Op> make_public_access_block_op(Context& ctx) {
  if (!ctx.req.has_query("publicAccessBlock")) return nullptr;
  const std::string& m = ctx.req.method;
  if (m == "GET") return std::make_unique<GetPublicAccessBlock>(ctx);
  if (m == "PUT") return std::make_unique<PutPublicAccessBlock>(ctx);
  if (m == "DELETE") return std::make_unique<DeletePublicAccessBlock>(ctx);
  throw_s3(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
}

}  // namespace rgw::s3
