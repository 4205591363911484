// public_access.h - S3 Block Public Access on a bucket: the
// PublicAccessBlockConfiguration's four flags, kept as the bucket's attribute
// kPublicAccessAttr, and what they change.
//
//   BlockPublicAcls        a request setting a public ACL (a grant to
//                          AllUsers or AuthenticatedUsers) on the bucket or
//                          an object is refused (403 AccessDenied);
//   IgnorePublicAcls       public grants of the bucket's and its objects'
//                          ACLs give nothing;
//   BlockPublicPolicy      PutBucketPolicy of a public policy is refused;
//   RestrictPublicBuckets  while the bucket's policy is public, its Allow
//                          statements admit only the bucket's owner.
#pragma once

#include <memory>

#include "acl.h"
#include "s3/op.h"

namespace rgw::s3 {

inline constexpr const char* kPublicAccessAttr = "rgw-s3-public-access-block";

struct PublicAccessBlock {
  bool block_public_acls = false;
  bool ignore_public_acls = false;
  bool block_public_policy = false;
  bool restrict_public_buckets = false;
};

// The bucket's configuration (all false when it has none).
PublicAccessBlock public_access_block(const BucketInfo& bucket);

// Whether an ACL grants anything to AllUsers or AuthenticatedUsers.
bool is_public_acl(const Acl& acl);

// The ACL the bucket's configuration lets count: without its public grants
// under IgnorePublicAcls, else as it is.
Acl effective_public_acl(const BucketInfo& bucket, const Acl& acl);

// Throws 403 AccessDenied when the bucket blocks public ACLs and acl is one.
void check_acl_not_blocked(const BucketInfo& bucket, const Acl& acl);

// ?publicAccessBlock on a bucket: GET, PUT, DELETE (nullptr if the request
// names no such sub-resource).
std::unique_ptr<Op> make_public_access_block_op(Context& ctx);

}  // namespace rgw::s3
