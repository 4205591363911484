// bucket_policy.h - a bucket's S3 policy (policy.h) applied to requests:
// where it is kept, the request as the policy language sees it, and the
// decision for one action.
//
// The policy's JSON text is kept as the bucket's attribute kPolicyAttr,
// exactly as PutBucketPolicy received it.  Parsed documents are cached per
// thread by their text, so a request pays a parse only the first time a
// thread meets a policy.
#pragma once

#include <string>

#include "policy.h"
#include "s3/op.h"

namespace rgw::s3 {

// The bucket attribute that holds the policy document.
inline constexpr const char* kPolicyAttr = "rgw-s3-policy";

// What the bucket's policy decides for the caller doing `action` (an IAM
// action name, "s3:GetObject") on `key` of the bucket ("" = the bucket
// itself).  Decision::none when the bucket has no policy or no statement
// applies.  The condition keys given are those policy.h lists that the
// request has: aws:SourceIp (the door's remote address), aws:SecureTransport
// (X-Forwarded-Proto: https, set by a TLS-terminating proxy), aws:CurrentTime,
// aws:EpochTime, aws:UserAgent, aws:Referer, aws:username, aws:userid,
// aws:PrincipalType, s3:prefix, s3:delimiter, s3:max-keys, s3:x-amz-acl,
// s3:x-amz-content-sha256, s3:signatureversion, s3:authType, s3:VersionId.
// With object_attrs (the object's, when the request acts on an existing
// object), s3:ExistingObjectTag/<key> gives its tags; s3:RequestObjectTag/<key>
// and s3:RequestObjectTagKeys come from the request's x-amz-tagging header.
policy::Decision policy_decision(const Context& ctx, const BucketInfo& bucket, const char* action,
                                 const std::string& key, const Attrs* object_attrs = nullptr);

}  // namespace rgw::s3
