// acl.cpp - evaluation of grant lists and S3's canned ACLs.
#include "acl.h"

#include <algorithm>

#include "errors.h"

namespace rgw {

namespace {

bool covers(const Grantee& g, const Principal& who) {
  switch (g.kind) {
    case Grantee::Kind::user: return !who.uid.empty() && g.id == who.uid;
    case Grantee::Kind::email: return !who.email.empty() && g.id == who.email;
    case Grantee::Kind::group:
      if (g.id == kGroupAllUsers) return true;
      if (g.id == kGroupAuthenticatedUsers) return !who.uid.empty();
      return false;  // log delivery: no request is ever the log deliverer
    case Grantee::Kind::referrer: return referrer_matches(g.id, who.referrer);
  }
  return false;
}

Grant user_grant(const std::string& uid, uint32_t perms) {
  return Grant{Grantee{Grantee::Kind::user, uid}, perms};
}

Grant group_grant(const char* group, uint32_t perms) {
  return Grant{Grantee{Grantee::Kind::group, group}, perms};
}

// The grants as a sorted list, for comparisons that ignore order.
std::vector<Grant> sorted(std::vector<Grant> grants) {
  std::sort(grants.begin(), grants.end(), [](const Grant& a, const Grant& b) {
    if (a.grantee.kind != b.grantee.kind) return a.grantee.kind < b.grantee.kind;
    if (a.grantee.id != b.grantee.id) return a.grantee.id < b.grantee.id;
    return a.permissions < b.permissions;
  });
  return grants;
}

constexpr const char* kCannedNames[] = {
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
    "log-delivery-write",
};

}  // namespace

uint32_t permissions_of(const Acl& acl, const Principal& who, const std::string& bucket_owner) {
  uint32_t perms = 0;
  const std::string& owner = acl.owner.empty() ? bucket_owner : acl.owner;
  if (!who.uid.empty() && who.uid == owner)
    perms |= acl.owner.empty() ? kPermAll : (kPermReadAcp | kPermWriteAcp);
  for (const auto& g : acl.grants)
    if (covers(g.grantee, who)) perms |= g.permissions;
  return perms;
}

bool referrer_matches(std::string_view pattern, std::string_view referer) {
  if (pattern == "*") return true;
  // The host of the Referer URL ("https://host:port/path" -> "host").
  std::string_view host = referer;
  size_t scheme = host.find("://");
  if (scheme != std::string_view::npos) host.remove_prefix(scheme + 3);
  host = host.substr(0, host.find_first_of("/?#"));
  size_t at = host.rfind('@');
  if (at != std::string_view::npos) host.remove_prefix(at + 1);
  if (!host.empty() && host.front() != '[') host = host.substr(0, host.find(':'));
  if (host.empty() || pattern.empty()) return false;
  if (pattern.front() == '.')
    return host.size() > pattern.size() &&
           host.compare(host.size() - pattern.size(), pattern.size(), pattern) == 0;
  return host == pattern;
}

Acl canned_acl(std::string_view name, const std::string& owner, const std::string& bucket_owner) {
  // Group grants come before the owner's, as radosgw lists them (its grant
  // map sorts group URIs first) and as conformance suites compare them.
  Acl acl;
  acl.owner = owner;
  if (name == "private") {
  } else if (name == "public-read") {
    acl.grants.push_back(group_grant(kGroupAllUsers, kPermRead));
  } else if (name == "public-read-write") {
    acl.grants.push_back(group_grant(kGroupAllUsers, kPermRead));
    acl.grants.push_back(group_grant(kGroupAllUsers, kPermWrite));
  } else if (name == "authenticated-read") {
    acl.grants.push_back(group_grant(kGroupAuthenticatedUsers, kPermRead));
  } else if (name == "log-delivery-write") {
    acl.grants.push_back(group_grant(kGroupLogDelivery, kPermWrite));
    acl.grants.push_back(group_grant(kGroupLogDelivery, kPermReadAcp));
  } else if (name != "bucket-owner-read" && name != "bucket-owner-full-control") {
    fail(RGW_ERR_INVALID_ARGUMENT, "unknown canned ACL: " + std::string(name));
  }
  acl.grants.push_back(user_grant(owner, kPermFullControl));
  if (!bucket_owner.empty() && bucket_owner != owner) {
    if (name == "bucket-owner-read") acl.grants.push_back(user_grant(bucket_owner, kPermRead));
    if (name == "bucket-owner-full-control")
      acl.grants.push_back(user_grant(bucket_owner, kPermFullControl));
  }
  return acl;
}

Acl effective_acl(const Acl& acl, const std::string& bucket_owner) {
  if (!acl.owner.empty()) return acl;
  Acl have = acl;
  have.owner = bucket_owner;
  have.grants.push_back(user_grant(bucket_owner, kPermFullControl));
  return have;
}

const char* canned_acl_name(const Acl& acl, const std::string& bucket_owner) {
  Acl have = effective_acl(acl, bucket_owner);
  std::vector<Grant> grants = sorted(have.grants);
  for (const char* name : kCannedNames) {
    Acl want = canned_acl(name, have.owner, bucket_owner);
    if (sorted(want.grants) == grants) return name;
  }
  return nullptr;
}

}  // namespace rgw
