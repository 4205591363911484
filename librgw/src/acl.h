// acl.h - access policies as grant lists the core evaluates.
//
// A bucket's and an object's policy is an Acl: an owner and a list of grants,
// each giving a set of permissions to one grantee -- a user (by uid), an
// e-mail address (a user's), a group (everybody, anonymous included;
// authenticated users; log delivery) or a referrer pattern.  Each protocol
// translates its own forms into it: S3's canned ACLs, x-amz-grant-* headers
// and AccessControlPolicy documents; Swift's container ACLs (".r:*" is a
// referrer grant of read-objects, ".rlistings" one of read, "account:user" a
// user grant).  The store keeps the list as it is given (records: codec.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "librgw/librgw.h"

namespace rgw {

// Permissions are bit sets (the values of RGW_PERM_* in librgw.h).
enum Permission : uint32_t {
  kPermRead = RGW_PERM_READ,                 // bucket: list it; object: read data and metadata
  kPermWrite = RGW_PERM_WRITE,               // bucket: create, overwrite, delete its objects
  kPermReadAcp = RGW_PERM_READ_ACP,          // read the ACL
  kPermWriteAcp = RGW_PERM_WRITE_ACP,        // replace the ACL
  kPermFullControl = RGW_PERM_FULL_CONTROL,  // the four above
  kPermReadObjects = RGW_PERM_READ_OBJECTS,  // bucket: read any of its objects (Swift)
};
inline constexpr uint32_t kPermAll = kPermFullControl | kPermReadObjects;

// The groups a grant can name (ids of Grantee::Kind::group).
inline constexpr const char* kGroupAllUsers = RGW_GROUP_ALL_USERS;
inline constexpr const char* kGroupAuthenticatedUsers = RGW_GROUP_AUTHENTICATED_USERS;
inline constexpr const char* kGroupLogDelivery = RGW_GROUP_LOG_DELIVERY;

struct Grantee {
  enum class Kind : uint8_t {
    user = RGW_GRANTEE_USER,          // id: a uid
    email = RGW_GRANTEE_EMAIL,        // id: a user's e-mail address
    group = RGW_GRANTEE_GROUP,        // id: one of the kGroup* names
    referrer = RGW_GRANTEE_REFERRER,  // id: "*", a host, or ".domain" (any host under it)
  };
  Kind kind = Kind::user;
  std::string id;

  bool operator==(const Grantee& o) const { return kind == o.kind && id == o.id; }
};

struct Grant {
  Grantee grantee;
  uint32_t permissions = 0;

  bool operator==(const Grant& o) const {
    return grantee == o.grantee && permissions == o.permissions;
  }
};

// The owner always has kPermReadAcp and kPermWriteAcp (as in S3); anything
// else comes from the grants.  An empty owner means "the bucket's owner, with
// full control": the policy of objects written without one (and of objects
// stored before policies were grant lists).
struct Acl {
  std::string owner;
  std::vector<Grant> grants;

  bool operator==(const Acl& o) const { return owner == o.owner && grants == o.grants; }
  bool operator!=(const Acl& o) const { return !(*this == o); }
};

// Who asks, as far as a policy cares.
struct Principal {
  std::string uid;       // "" = anonymous
  std::string email;     // the user's e-mail address, if any
  std::string referrer;  // the request's Referer header, if any
};

// The permissions `who` has under acl, bucket_owner standing in for an
// empty owner.
uint32_t permissions_of(const Acl& acl, const Principal& who, const std::string& bucket_owner);
inline bool allows(const Acl& acl, const Principal& who, const std::string& bucket_owner,
                   uint32_t wanted) {
  return (permissions_of(acl, who, bucket_owner) & wanted) == wanted;
}

// S3's canned ACLs: "private", "public-read", "public-read-write",
// "authenticated-read", "bucket-owner-read", "bucket-owner-full-control",
// "log-delivery-write".  Each grants the owner full control plus what its
// name says (bucket-owner-* name the bucket's owner, for objects).  Throws
// rgw::Error(RGW_ERR_INVALID_ARGUMENT) for any other name.
Acl canned_acl(std::string_view name, const std::string& owner,
               const std::string& bucket_owner = "");

// The name of the canned ACL that acl is exactly (a static string), or
// nullptr if it is none of them.  An empty owner is taken as bucket_owner.
const char* canned_acl_name(const Acl& acl, const std::string& bucket_owner = "");

// The policy spelled out: an empty owner becomes bucket_owner, with the
// full-control grant it implies.  Other policies are returned as they are.
Acl effective_acl(const Acl& acl, const std::string& bucket_owner);

// Whether a referrer grant's pattern covers the Referer header given.
bool referrer_matches(std::string_view pattern, std::string_view referer);

}  // namespace rgw
