// op_acl.cpp - GetBucketAcl/GetObjectAcl and PutBucketAcl/PutObjectAcl.
//
// Reading an ACL takes READ_ACP on the bucket or object, replacing it
// WRITE_ACP (a resource's owner always holds both).  The new ACL is any of
// S3's three forms (acl_request.h).  An object's ACL changes in place (its
// data is not rewritten), and only on the version the request saw: a
// concurrent overwrite wins (409).
#include "errors.h"
#include "s3/acl_request.h"
#include "s3/op.h"
#include "s3/op_families.h"
#include "s3/public_access.h"

namespace rgw::s3 {

namespace {

class GetAcl : public Op {
 public:
  using Op::Op;
  void finish() override {
    if (ctx_.key.empty()) {
      BucketInfo b = authorize_bucket(ctx_, ctx_.bucket, Access::read_acp, "s3:GetBucketAcl");
      ctx_.resp.set_xml(200, acl_document(ctx_, b.acl, b.owner));
      return;
    }
    BucketInfo b = ctx_.store.get_bucket(ctx_.bucket);
    ObjectInfo info =
        authorize_object(ctx_, b, kPermReadAcp,
                         ctx_.version_id.empty() ? "s3:GetObjectAcl" : "s3:GetObjectVersionAcl");
    ctx_.resp.set_xml(200, acl_document(ctx_, info.acl, b.owner));
    add_version_header(ctx_, b, info);
  }
};

// The new ACL comes from the headers (x-amz-acl or x-amz-grant-*) or from
// an AccessControlPolicy body, never both.
class PutAcl : public XmlBodyOp {
 public:
  explicit PutAcl(Context& ctx) : XmlBodyOp(ctx, 64 * 1024) {}
  void begin() override {
    if (ctx_.key.empty()) authorize_bucket(ctx_, ctx_.bucket, Access::write_acp, "s3:PutBucketAcl");
  }
  void finish() override {
    const bool in_headers = request_names_acl(ctx_);
    const bool has_body = body_.find_first_not_of(" \t\r\n") != std::string::npos;
    if (in_headers && has_body)
      throw_s3(400, "UnexpectedContent", "This request does not support content");
    if (!in_headers && !has_body)
      throw_s3(400, "MalformedACLError",
               "The XML you provided was not well-formed or did not validate against our "
               "published schema.");
    if (ctx_.key.empty()) {
      BucketInfo b = authorize_bucket(ctx_, ctx_.bucket, Access::write_acp, "s3:PutBucketAcl");
      b.acl = in_headers ? acl_from_headers(ctx_, b.owner, "")
                         : acl_from_document(ctx_, body_, b.owner);
      check_acl_not_blocked(b, b.acl);
      ctx_.store.update_bucket(b);
    } else {
      BucketInfo b = ctx_.store.get_bucket(ctx_.bucket);
      ObjectInfo info =
          authorize_object(ctx_, b, kPermWriteAcp,
                           ctx_.version_id.empty() ? "s3:PutObjectAcl" : "s3:PutObjectVersionAcl");
      const std::string owner = info.acl.owner.empty() ? b.owner : info.acl.owner;
      AttrsUpdate update;
      update.acl = in_headers ? acl_from_headers(ctx_, owner, b.owner)
                              : acl_from_document(ctx_, body_, owner);
      check_acl_not_blocked(b, *update.acl);
      update.if_match = info.etag;
      ctx_.store.update_object(ObjectRef{ctx_.bucket, ctx_.key, ctx_.version_id}, update);
      add_version_header(ctx_, b, info);
    }
    ctx_.resp.status = 200;
  }
};

}  // namespace

std::unique_ptr<Op> make_get_acl_op(Context& ctx) { return std::make_unique<GetAcl>(ctx); }
std::unique_ptr<Op> make_put_acl_op(Context& ctx) { return std::make_unique<PutAcl>(ctx); }

}  // namespace rgw::s3
