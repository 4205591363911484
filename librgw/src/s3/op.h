// op.h - one S3 operation, and what every operation is given.
//
// The S3 handler (s3_handler.cpp) routes a request to an Op, then calls
// begin() once the caller is authenticated, feed() with verified payload
// bytes as they stream, and finish() after the whole body verified.  An Op
// that throws (S3Error or rgw::Error) has its error rendered instead; its
// destructor releases anything uncommitted (a writer that is destroyed before
// commit stores nothing).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "gateway/gateway.h"
#include "http/request.h"
#include "http/response.h"
#include "model.h"
#include "s3/auth.h"

namespace rgw::s3 {

using http::Response;

// The XML namespace of S3's documents.
inline constexpr const char* kS3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

struct Context {
  Gateway& gw;
  Store& store;
  const http::Request& req;
  Response& resp;
  std::string request_id;
  std::string bucket;        // decoded bucket name, "" for service operations
  std::string key;           // decoded object key, "" for bucket operations
  bool vhost = false;        // bucket came from the Host header
  std::optional<User> user;  // the authenticated caller; empty: anonymous
  AuthInfo auth;
  int64_t declared_size = -1;  // payload size the request announced
  // The object version the request names (?versionId=, checked): "" the
  // current one, "null", or a version id.
  std::string version_id;

  // The S3 resource of the request, for error bodies ("/bucket/key").
  std::string resource() const;
};

class Op {
 public:
  explicit Op(Context& ctx) : ctx_(ctx) {}
  virtual ~Op() = default;
  // Whether the request body is the operation's input (PUT object, XML bodies).
  virtual bool wants_body() const { return false; }
  // Permission checks and set-up, before any body byte is read, so that a
  // client sending Expect: 100-continue is refused before it uploads.
  virtual void begin() {}
  virtual void feed(const char* data, size_t len) { (void)data, (void)len; }
  virtual void finish() = 0;
  // For an operation that hashes every body byte fed to it with MD5 (its
  // writer does, for the ETag): the hex MD5 of the bytes fed so far, which
  // the payload's Content-MD5 check then uses instead of hashing again.
  // Empty for the others.
  virtual std::function<std::string()> body_md5() { return {}; }

 protected:
  Context& ctx_;
};

// An operation whose input is a small XML document, buffered up to a limit.
class XmlBodyOp : public Op {
 public:
  XmlBodyOp(Context& ctx, size_t limit) : Op(ctx), limit_(limit) {}
  bool wants_body() const override { return true; }
  void feed(const char* data, size_t len) override;

 protected:
  std::string body_;

 private:
  size_t limit_;
};

// What an operation needs of a bucket: its ACL's READ (list it), WRITE
// (create, overwrite and delete its objects), READ_ACP, WRITE_ACP, or to be
// its owner (every other bucket setting; with the setting's IAM action, the
// bucket policy may Allow it to others, or Deny it to the owner too).
enum class Access { read, write, read_acp, write_acp, owner };

// Loads the bucket and checks the caller may do `access` on it: the owner
// may do anything; others what the bucket's grants give them.  With an
// action (an IAM action name, "s3:PutObject"), the bucket's policy decides
// first: an explicit Deny refuses (the owner too), an Allow admits, and
// otherwise the ACL decides.  The policy sees the resource the request
// names (ctx.key's object, or the bucket).  Throws NoSuchBucket /
// AccessDenied.
BucketInfo authorize_bucket(Context& ctx, const std::string& bucket, Access access,
                            const char* action = nullptr);
// The same check on a bucket already loaded, without throwing.
bool may_access(const Context& ctx, const BucketInfo& bucket, Access access,
                const char* action = nullptr);

// Whether the caller may list `bucket`: s3:ListBucket on the bucket itself
// in its policy, then its READ.  Who may list learns that a key is missing
// (NoSuchKey); others get AccessDenied.
bool may_list(const Context& ctx, const BucketInfo& bucket);

// The permissions (acl.h) the caller holds on an object of `bucket`: what
// the object's ACL grants (its owner always holds READ_ACP and WRITE_ACP; an
// object without an owner is the bucket owner's), and READ where the bucket
// grants Swift's read-objects.  The bucket's owner holds nothing more by
// owning the bucket: S3's objects belong to their writers.
uint32_t object_permissions(const Context& ctx, const BucketInfo& bucket, const ObjectInfo& object);

// Whether the caller may do `action` on object `key` of `bucket`: the
// bucket's policy first (Deny refuses, Allow admits), then the object's ACL
// must grant `permissions`.
bool may_access_object(const Context& ctx, const BucketInfo& bucket, const ObjectInfo& object,
                       const std::string& key, uint32_t permissions, const char* action);

// The versionId query parameter, checked: "" when absent; 400
// InvalidArgument when empty or not an id this gateway makes.
std::string version_param(const Context& ctx);

// An ETag as a header carries it, without its surrounding quotes.
std::string unquoted(const std::string& etag);

// If-Match / If-None-Match of a write (PUT, CompleteMultipartUpload), quotes
// dropped, into the options' if_match / if_none_match (checked by the store
// atomically with the commit); and an early check against the current object
// (before any body byte is read), so that a refused write uploads nothing.
void write_conditions(Context& ctx, WriteOptions& options);

// The x-amz-version-id header of an answer about `info` in `bucket`: sent
// once the bucket's versioning was ever set, or when the request named a
// version.
void add_version_header(Context& ctx, const BucketInfo& bucket, const ObjectInfo& info);

// An error about a delete marker: the version named (405 MethodNotAllowed)
// or the current one (404 NoSuchKey), with x-amz-delete-marker, the
// marker's x-amz-version-id, and Last-Modified (405).
[[noreturn]] void throw_delete_marker(const Context& ctx, const ObjectInfo& marker);
// After RGW_ERR_NO_SUCH_KEY on the object ctx names in a bucket with
// versioning: throws the delete-marker error when a marker is why; returns
// otherwise (the caller rethrows).
void explain_missing(Context& ctx, const BucketInfo& bucket);

// Loads the object the request names (ctx.key, ctx.version_id) and checks the caller may do
// `action` on it with the object's `permissions` (may_access_object).  A
// missing object is NoSuchKey only to those who may list the bucket, and
// AccessDenied to others.
ObjectInfo authorize_object(Context& ctx, const BucketInfo& bucket, uint32_t permissions,
                            const char* action);

// The caller, as access policies see it.
Principal principal(const Context& ctx);

// Throws AccessDenied unless the caller is authenticated.
const User& require_user(Context& ctx);

// Creates the operation for a routed request (throws S3Error when the
// method/sub-resource is not supported).
std::unique_ptr<Op> make_op(Context& ctx);

// Factories, one family per file.
std::unique_ptr<Op> make_service_op(Context& ctx);
std::unique_ptr<Op> make_bucket_op(Context& ctx);
std::unique_ptr<Op> make_object_op(Context& ctx);

}  // namespace rgw::s3
