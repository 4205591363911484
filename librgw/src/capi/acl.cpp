// acl.cpp - the C API of access policies (grant lists).
#include "acl.h"

#include "capi/guard.h"

using rgw::capi::guarded_call;
using rgw::capi::need;
using rgw::capi::str;

namespace {

const char* const kGroups[] = {RGW_GROUP_ALL_USERS, RGW_GROUP_AUTHENTICATED_USERS,
                               RGW_GROUP_LOG_DELIVERY};

}  // namespace

RGW_API int rgw_acl_new(const char* owner, rgw_acl_t** out) {
  return guarded_call([&] {
    need("rgw_acl_new", out);
    auto* acl = new rgw_acl;
    acl->acl.owner = str(owner);
    *out = acl;
    return 0;
  });
}

RGW_API int rgw_acl_new_canned(const char* name, const char* owner, const char* bucket_owner,
                               rgw_acl_t** out) {
  return guarded_call([&] {
    need("rgw_acl_new_canned", name, out);
    rgw::Acl acl = rgw::canned_acl(name, str(owner), str(bucket_owner));
    *out = new rgw_acl{std::move(acl)};
    return 0;
  });
}

RGW_API int rgw_acl_add_grant(rgw_acl_t* acl, int kind, const char* id, unsigned permissions) {
  return guarded_call([&] {
    need("rgw_acl_add_grant", acl, id);
    if (kind < RGW_GRANTEE_USER || kind > RGW_GRANTEE_REFERRER)
      rgw::fail(RGW_ERR_INVALID_ARGUMENT, "unknown grantee kind " + std::to_string(kind));
    if (!*id) rgw::fail(RGW_ERR_INVALID_ARGUMENT, "a grantee needs an id");
    if (kind == RGW_GRANTEE_GROUP) {
      bool known = false;
      for (const char* g : kGroups) known = known || std::strcmp(g, id) == 0;
      if (!known) rgw::fail(RGW_ERR_INVALID_ARGUMENT, std::string("unknown group: ") + id);
    }
    if (permissions == 0 || (permissions & ~static_cast<unsigned>(rgw::kPermAll)))
      rgw::fail(RGW_ERR_INVALID_ARGUMENT, "permissions must be RGW_PERM_* bits");
    acl->acl.grants.push_back(
        rgw::Grant{rgw::Grantee{static_cast<rgw::Grantee::Kind>(kind), id}, permissions});
    return 0;
  });
}

RGW_API const char* rgw_acl_owner(const rgw_acl_t* acl) { return acl->acl.owner.c_str(); }

RGW_API size_t rgw_acl_grant_count(const rgw_acl_t* acl) { return acl->acl.grants.size(); }

RGW_API int rgw_acl_grant_at(const rgw_acl_t* acl, size_t i, int* kind, const char** id,
                             unsigned* permissions) {
  if (!acl || i >= acl->acl.grants.size()) return -ERANGE;
  const rgw::Grant& g = acl->acl.grants[i];
  if (kind) *kind = static_cast<int>(g.grantee.kind);
  if (id) *id = g.grantee.id.c_str();
  if (permissions) *permissions = g.permissions;
  return 0;
}

RGW_API const char* rgw_acl_canned_name(const rgw_acl_t* acl, const char* bucket_owner) {
  const char* name = nullptr;
  guarded_call([&] {
    name = rgw::canned_acl_name(acl->acl, str(bucket_owner));
    return 0;
  });
  return name;
}

RGW_API unsigned rgw_acl_permissions(const rgw_acl_t* acl, const char* uid,
                                     const char* bucket_owner) {
  rgw::Principal who;
  who.uid = str(uid);
  return rgw::permissions_of(acl->acl, who, str(bucket_owner));
}

RGW_API void rgw_acl_free(rgw_acl_t* acl) { delete acl; }
