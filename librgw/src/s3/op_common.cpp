// op_common.cpp - permission checks and routing to operation families.
#include "s3/op.h"

#include "errors.h"
#include "http/date.h"
#include "s3/bucket_policy.h"
#include "s3/cors.h"
#include "s3/public_access.h"

namespace rgw::s3 {

void XmlBodyOp::feed(const char* data, size_t len) {
  if (body_.size() + len > limit_)
    throw_s3(400, "MaxMessageLengthExceeded", "Your request was too big.");
  body_.append(data, len);
}

const User& require_user(Context& ctx) {
  if (!ctx.user) throw_s3(403, "AccessDenied", "Access Denied");
  return *ctx.user;
}

Principal principal(const Context& ctx) {
  Principal p;
  if (ctx.user) {
    p.uid = ctx.user->uid;
    p.email = ctx.user->email;
  }
  if (const std::string* referer = ctx.req.header("referer")) p.referrer = *referer;
  return p;
}

namespace {

// may_access, the policy seeing `key` ("" = the bucket itself).
bool may_access_as(const Context& ctx, const BucketInfo& info, Access access, const char* action,
                   const std::string& key) {
  if (action) {
    policy::Decision d = policy_decision(ctx, info, action, key);
    if (d == policy::Decision::deny) return false;
    if (d == policy::Decision::allow) return true;
  }
  if (ctx.user && ctx.user->uid == info.owner) return true;
  uint32_t wanted = 0;
  switch (access) {
    case Access::read: wanted = kPermRead; break;
    case Access::write: wanted = kPermWrite; break;
    case Access::read_acp: wanted = kPermReadAcp; break;
    case Access::write_acp: wanted = kPermWriteAcp; break;
    case Access::owner: return false;
  }
  return allows(effective_public_acl(info, info.acl), principal(ctx), info.owner, wanted);
}

}  // namespace

bool may_access(const Context& ctx, const BucketInfo& info, Access access, const char* action) {
  return may_access_as(ctx, info, access, action, ctx.key);
}

bool may_list(const Context& ctx, const BucketInfo& bucket) {
  return may_access_as(ctx, bucket, Access::read, "s3:ListBucket", "");
}

uint32_t object_permissions(const Context& ctx, const BucketInfo& bucket,
                            const ObjectInfo& object) {
  const Principal who = principal(ctx);
  uint32_t perms = permissions_of(effective_public_acl(bucket, object.acl), who, bucket.owner);
  if (permissions_of(effective_public_acl(bucket, bucket.acl), who, bucket.owner) &
      kPermReadObjects)
    perms |= kPermRead;
  return perms;
}

bool may_access_object(const Context& ctx, const BucketInfo& bucket, const ObjectInfo& object,
                       const std::string& key, uint32_t permissions, const char* action) {
  policy::Decision d = policy_decision(ctx, bucket, action, key, &object.attrs);
  if (d == policy::Decision::deny) return false;
  if (d == policy::Decision::allow) return true;
  return (object_permissions(ctx, bucket, object) & permissions) == permissions;
}

ObjectInfo authorize_object(Context& ctx, const BucketInfo& bucket, uint32_t permissions,
                            const char* action) {
  ObjectInfo info;
  try {
    info = ctx.store.stat_object(ObjectRef{ctx.bucket, ctx.key, ctx.version_id});
  } catch (const Error& e) {
    if (e.code() == RGW_ERR_NO_SUCH_KEY && !may_list(ctx, bucket))
      throw_s3(403, "AccessDenied", "Access Denied");
    if (e.code() == RGW_ERR_NO_SUCH_KEY) explain_missing(ctx, bucket);
    throw;
  }
  if (!may_access_object(ctx, bucket, info, ctx.key, permissions, action))
    throw_s3(403, "AccessDenied", "Access Denied");
  return info;
}

std::string unquoted(const std::string& v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
  return v;
}

void write_conditions(Context& ctx, WriteOptions& options) {
  const std::string* m = ctx.req.header("if-match");
  const std::string* nm = ctx.req.header("if-none-match");
  if (!m && !nm) return;
  options.if_match = m ? unquoted(*m) : "";
  options.if_none_match = nm ? unquoted(*nm) : "";
  if ((m && options.if_match.empty()) || (nm && options.if_none_match.empty()))
    throw_s3(400, "InvalidArgument", "An If-Match or If-None-Match header is empty");
  std::optional<ObjectInfo> cur;
  try {
    cur = ctx.store.stat_object(ObjectRef{ctx.bucket, ctx.key, ""});
  } catch (const Error& e) {
    if (e.code() != RGW_ERR_NO_SUCH_KEY) throw;
  }
  check_write_conditions(options, cur ? &*cur : nullptr);
}

std::string version_param(const Context& ctx) {
  const std::string* v = ctx.req.query_param("versionId");
  if (!v) return "";
  if (v->empty()) throw_s3(400, "InvalidArgument", "Version id cannot be the empty string");
  if (!valid_version_id(*v)) throw_s3(400, "InvalidArgument", "Invalid version id specified");
  return *v;
}

void add_version_header(Context& ctx, const BucketInfo& bucket, const ObjectInfo& info) {
  if (bucket.versioning != Versioning::unversioned || !ctx.version_id.empty())
    ctx.resp.set_header("x-amz-version-id", info.version_id);
}

void throw_delete_marker(const Context& ctx, const ObjectInfo& marker) {
  S3Error e = ctx.version_id.empty()
                  ? S3Error(404, "NoSuchKey", "The specified key does not exist.")
                  : S3Error(405, "MethodNotAllowed",
                            "The specified method is not allowed against this resource.");
  if (ctx.version_id.empty()) {
    e.details.emplace_back("Key", ctx.key);
  } else {
    e.details.emplace_back("Method", ctx.req.method);
    e.details.emplace_back("ResourceType", "DeleteMarker");
    e.headers.emplace_back("Last-Modified", http::http_date(marker.mtime_ns / 1000000000));
  }
  e.headers.emplace_back("x-amz-delete-marker", "true");
  e.headers.emplace_back("x-amz-version-id", marker.version_id);
  throw e;
}

void explain_missing(Context& ctx, const BucketInfo& bucket) {
  if (bucket.versioning == Versioning::unversioned && ctx.version_id.empty()) return;
  ObjectInfo v;
  try {
    v = ctx.store.stat_version(ObjectRef{ctx.bucket, ctx.key, ctx.version_id});
  } catch (const Error&) {
    return;
  }
  if (v.delete_marker) throw_delete_marker(ctx, v);
}

BucketInfo authorize_bucket(Context& ctx, const std::string& bucket, Access access,
                            const char* action) {
  BucketInfo info = ctx.store.get_bucket(bucket);
  if (!may_access(ctx, info, access, action)) throw_s3(403, "AccessDenied", "Access Denied");
  return info;
}

std::unique_ptr<Op> make_op(Context& ctx) {
  if (ctx.req.method == "OPTIONS" && !ctx.bucket.empty()) return make_preflight_op(ctx);
  if (ctx.bucket.empty()) return make_service_op(ctx);
  if (ctx.key.empty()) return make_bucket_op(ctx);
  return make_object_op(ctx);
}

}  // namespace rgw::s3
