// op_policy.cpp - PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy and
// GetBucketPolicyStatus.
//
// Put/Get/DeleteBucketPolicy stay the bucket owner's whatever the policy says
// (AWS lets the account that owns the bucket always use them, and no other
// account), so that no policy locks its owner out.  GetBucketPolicyStatus is
// like the other bucket settings: the policy's s3:GetBucketPolicyStatus
// decides first.  A document is checked in full when put (policy.h), and
// MalformedPolicy names the reason.
#include "errors.h"
#include "s3/bucket_policy.h"
#include "s3/op.h"
#include "s3/op_families.h"
#include "s3/public_access.h"
#include "xml.h"

namespace rgw::s3 {

namespace {

[[noreturn]] void no_policy(const Context& ctx) {
  S3Error e(404, "NoSuchBucketPolicy", "The bucket policy does not exist");
  e.details.emplace_back("BucketName", ctx.bucket);
  throw e;
}

const std::string& stored_policy(const Context& ctx, const BucketInfo& b) {
  auto it = b.attrs.find(kPolicyAttr);
  if (it == b.attrs.end() || it->second.empty()) no_policy(ctx);
  return it->second;
}

class PutBucketPolicy : public XmlBodyOp {
 public:
  explicit PutBucketPolicy(Context& ctx) : XmlBodyOp(ctx, policy::kMaxPolicySize) {}
  void begin() override { authorize_bucket(ctx_, ctx_.bucket, Access::owner); }
  void finish() override {
    BucketInfo b = authorize_bucket(ctx_, ctx_.bucket, Access::owner);
    policy::Policy parsed;
    std::string reason;
    if (!policy::parse(body_, b.name, &parsed, &reason))
      throw_s3(400, "MalformedPolicy", reason.empty() ? "Policies must be valid JSON" : reason);
    if (public_access_block(b).block_public_policy && policy::is_public(parsed))
      throw_s3(403, "AccessDenied", "Access Denied");
    b.attrs[kPolicyAttr] = body_;
    ctx_.store.update_bucket(b);
    ctx_.resp.status = 204;
  }
};

class GetBucketPolicy : public Op {
 public:
  using Op::Op;
  void finish() override {
    BucketInfo b = authorize_bucket(ctx_, ctx_.bucket, Access::owner);
    ctx_.resp.set_body(200, stored_policy(ctx_, b), "application/json");
  }
};

class DeleteBucketPolicy : public Op {
 public:
  using Op::Op;
  void finish() override {
    BucketInfo b = authorize_bucket(ctx_, ctx_.bucket, Access::owner);
    if (b.attrs.erase(kPolicyAttr)) ctx_.store.update_bucket(b);
    ctx_.resp.status = 204;
  }
};

class GetBucketPolicyStatus : public Op {
 public:
  using Op::Op;
  void finish() override {
    BucketInfo b = authorize_bucket(ctx_, ctx_.bucket, Access::owner, "s3:GetBucketPolicyStatus");
    policy::Policy parsed;
    std::string reason;
    const bool is_public = policy::parse(stored_policy(ctx_, b), b.name, &parsed, &reason) &&
                           policy::is_public(parsed);
    XmlWriter x;
    x.root("PolicyStatus", kS3Namespace).element("IsPublic", is_public).close("PolicyStatus");
    ctx_.resp.set_xml(200, x.take());
  }
};

}  // namespace

std::unique_ptr<Op> make_policy_op(Context& ctx) {
  const http::Request& r = ctx.req;
  const std::string& m = r.method;
  if (r.has_query("policyStatus")) {
    if (m == "GET") return std::make_unique<GetBucketPolicyStatus>(ctx);
  } else if (r.has_query("policy")) {
    if (m == "GET") return std::make_unique<GetBucketPolicy>(ctx);
    if (m == "PUT") return std::make_unique<PutBucketPolicy>(ctx);
    if (m == "DELETE") return std::make_unique<DeleteBucketPolicy>(ctx);
  } else {
    return nullptr;
  }
  throw_s3(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
}

}  // namespace rgw::s3
