// acl_request.h - S3's three ways of naming an ACL (a canned ACL in
// x-amz-acl, x-amz-grant-* headers, an AccessControlPolicy document) turned
// into the core's grant lists (acl.h), and a grant list written back as an
// AccessControlPolicy document.
//
// Grantees are checked when set, as S3 does: a CanonicalUser id must be a
// user of the store (else 400 InvalidArgument), an e-mail address must be a
// user's (else 400 UnresolvableGrantByEmailAddress) and is stored as that
// user's grant, a group URI must be AllUsers, AuthenticatedUsers or
// LogDelivery (else 400 InvalidArgument).
#pragma once

#include <string>

#include "acl.h"
#include "s3/op.h"

namespace rgw::s3 {

// An ACL has at most this many grants (S3's limit).
inline constexpr size_t kMaxGrants = 100;

// Whether the request names an ACL in its headers (x-amz-acl or any
// x-amz-grant-*).
bool request_names_acl(const Context& ctx);

// The ACL the request's headers name for a new resource owned by `owner`
// (bucket_owner: the bucket's owner, for objects; "" for buckets).  With no
// ACL header: "private".  Both a canned ACL and grant headers: 400
// InvalidRequest.  An unknown canned ACL: 400 InvalidArgument.  Grant
// headers give exactly the grants they list (the owner keeps READ_ACP and
// WRITE_ACP, as every owner does).
Acl acl_from_headers(Context& ctx, const std::string& owner, const std::string& bucket_owner);

// The ACL an AccessControlPolicy document gives a resource owned by `owner`:
// its grants, exactly.  400 MalformedACLError for a document that is not
// one; 403 AccessDenied when it names another owner.
Acl acl_from_document(Context& ctx, const std::string& body, const std::string& owner);

// The AccessControlPolicy document of an ACL, owner and grantees with their
// display names.  An empty owner is taken as bucket_owner.
std::string acl_document(Context& ctx, const Acl& acl, const std::string& bucket_owner);

}  // namespace rgw::s3
