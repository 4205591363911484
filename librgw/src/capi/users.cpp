// users.cpp - the C API of users, their keys and attributes.
#include "capi/guard.h"

using rgw::capi::guarded_call;
using rgw::capi::need;
using rgw::capi::str;

RGW_API int rgw_user_new(const char* uid, rgw_user_t** out) {
  return guarded_call([&] {
    need("rgw_user_new", uid, out);
    auto* u = new rgw_user;
    u->user.uid = uid;
    *out = u;
    return 0;
  });
}

RGW_API int rgw_user_set_display_name(rgw_user_t* user, const char* display_name) {
  return guarded_call([&] {
    need("rgw_user_set_display_name", user, display_name);
    user->user.display_name = display_name;
    user->changes.display_name = display_name;
    return 0;
  });
}

RGW_API int rgw_user_set_email(rgw_user_t* user, const char* email) {
  return guarded_call([&] {
    need("rgw_user_set_email", user, email);
    user->user.email = email;
    user->changes.email = email;
    return 0;
  });
}

RGW_API int rgw_user_set_suspended(rgw_user_t* user, int suspended) {
  return guarded_call([&] {
    need("rgw_user_set_suspended", user);
    user->user.suspended = suspended != 0;
    user->changes.suspended = suspended != 0;
    return 0;
  });
}

RGW_API int rgw_user_set_attr(rgw_user_t* user, const char* name, const char* value) {
  return guarded_call([&] {
    need("rgw_user_set_attr", user, name);
    if (!*name) rgw::fail(-EINVAL, "attribute name needed");
    std::string n = rgw::capi::attr_name(name);
    if (value)
      user->user.attrs[n] = value;
    else
      user->user.attrs.erase(n);
    user->changes.attrs = user->user.attrs;
    return 0;
  });
}

RGW_API int rgw_user_clear_attrs(rgw_user_t* user) {
  return guarded_call([&] {
    need("rgw_user_clear_attrs", user);
    user->user.attrs.clear();
    user->changes.attrs = rgw::Attrs{};
    return 0;
  });
}

RGW_API int rgw_user_add_key(rgw_user_t* user, const char* access_key, const char* secret_key) {
  return guarded_call([&] {
    need("rgw_user_add_key", user, access_key, secret_key);
    user->user.keys.push_back({access_key, secret_key});
    return 0;
  });
}

RGW_API int rgw_user_set_swift(rgw_user_t* user, const char* swift_user, const char* swift_key) {
  return guarded_call([&] {
    need("rgw_user_set_swift", user, swift_user, swift_key);
    user->user.swift_user = swift_user;
    user->user.swift_key = swift_key;
    return 0;
  });
}

RGW_API const char* rgw_user_uid(const rgw_user_t* u) { return u->user.uid.c_str(); }
RGW_API const char* rgw_user_display_name(const rgw_user_t* u) {
  return u->user.display_name.c_str();
}
RGW_API const char* rgw_user_email(const rgw_user_t* u) { return u->user.email.c_str(); }
RGW_API int64_t rgw_user_created_ns(const rgw_user_t* u) { return u->user.created_ns; }
RGW_API int rgw_user_suspended(const rgw_user_t* u) { return u->user.suspended ? 1 : 0; }
RGW_API const char* rgw_user_swift_user(const rgw_user_t* u) { return u->user.swift_user.c_str(); }
RGW_API const char* rgw_user_swift_key(const rgw_user_t* u) { return u->user.swift_key.c_str(); }
RGW_API size_t rgw_user_key_count(const rgw_user_t* u) { return u->user.keys.size(); }

RGW_API int rgw_user_key_at(const rgw_user_t* u, size_t i, const char** access_key,
                            const char** secret_key) {
  if (!u || i >= u->user.keys.size()) return -ERANGE;
  if (access_key) *access_key = u->user.keys[i].access_key.c_str();
  if (secret_key) *secret_key = u->user.keys[i].secret_key.c_str();
  return 0;
}

RGW_API const char* rgw_user_attr(const rgw_user_t* u, const char* name) {
  return rgw::capi::attr_get(u->user.attrs, name);
}
RGW_API size_t rgw_user_attr_count(const rgw_user_t* u) { return u->user.attrs.size(); }
RGW_API int rgw_user_attr_at(const rgw_user_t* u, size_t i, const char** name, const char** value) {
  return u ? rgw::capi::attr_at(u->user.attrs, i, name, value) : -ERANGE;
}

RGW_API void rgw_user_free(rgw_user_t* user) { delete user; }

RGW_API int rgw_user_add(rgw_store_t* store, const rgw_user_t* user) {
  return guarded_call([&] {
    need("rgw_user_add", store, user);
    store->impl->create_user(user->user);
    return 0;
  });
}

RGW_API int rgw_user_create(rgw_store_t* store, const char* uid, const char* display_name,
                            const char* access_key, const char* secret_key) {
  return guarded_call([&] {
    need("rgw_user_create", store);
    rgw::User u;
    u.uid = str(uid);
    u.display_name = str(display_name);
    if (access_key || secret_key) u.keys.push_back({str(access_key), str(secret_key)});
    store->impl->create_user(u);
    return 0;
  });
}

RGW_API int rgw_user_get(rgw_store_t* store, const char* uid, rgw_user_t** out) {
  return guarded_call([&] {
    need("rgw_user_get", store, uid, out);
    auto* u = new rgw_user;
    try {
      u->user = store->impl->get_user(uid);
    } catch (...) {
      delete u;
      throw;
    }
    *out = u;
    return 0;
  });
}

RGW_API int rgw_user_find(rgw_store_t* store, int kind, const char* id, rgw_user_t** out) {
  return guarded_call([&] {
    need("rgw_user_find", store, id, out);
    if (kind != RGW_CREDENTIAL_S3_ACCESS_KEY && kind != RGW_CREDENTIAL_SWIFT_USER)
      rgw::fail(RGW_ERR_INVALID_ARGUMENT, "unknown credential kind " + std::to_string(kind));
    rgw::User found =
        store->impl->get_user_by_credential(static_cast<rgw::CredentialKind>(kind), id);
    *out = new rgw_user{std::move(found), {}};
    return 0;
  });
}

RGW_API int rgw_user_modify(rgw_store_t* store, const rgw_user_t* changes) {
  return guarded_call([&] {
    need("rgw_user_modify", store, changes);
    store->impl->update_user(changes->user.uid, changes->changes);
    return 0;
  });
}

RGW_API int rgw_user_list(rgw_store_t* store, char*** uids) {
  return guarded_call([&] {
    need("rgw_user_list", store, uids);
    auto list = store->impl->list_users();
    *uids = rgw::capi::strings_out(list);
    return static_cast<int>(list.size());
  });
}

RGW_API int rgw_user_remove(rgw_store_t* store, const char* uid) {
  return guarded_call([&] {
    need("rgw_user_remove", store);
    store->impl->remove_user(str(uid));
    return 0;
  });
}

RGW_API int rgw_user_key_add(rgw_store_t* store, const char* uid, const char* access_key,
                             const char* secret_key) {
  return guarded_call([&] {
    need("rgw_user_key_add", store);
    store->impl->add_access_key(str(uid), {str(access_key), str(secret_key)});
    return 0;
  });
}

RGW_API int rgw_user_key_remove(rgw_store_t* store, const char* uid, const char* access_key) {
  return guarded_call([&] {
    need("rgw_user_key_remove", store);
    store->impl->remove_access_key(str(uid), str(access_key));
    return 0;
  });
}

RGW_API int rgw_user_set_swift_credentials(rgw_store_t* store, const char* uid,
                                           const char* swift_user, const char* swift_key) {
  return guarded_call([&] {
    need("rgw_user_set_swift_credentials", store, uid);
    store->impl->set_swift_credentials(uid, str(swift_user), str(swift_key));
    return 0;
  });
}

RGW_API int rgw_user_lookup_key(rgw_store_t* store, const char* access_key, char* uid,
                                size_t uid_size, char* secret, size_t secret_size) {
  return guarded_call([&] {
    need("rgw_user_lookup_key", store);
    rgw::User u =
        store->impl->get_user_by_credential(rgw::CredentialKind::s3_access_key, str(access_key));
    for (const auto& k : u.keys) {
      if (k.access_key == str(access_key)) {
        rgw::capi::copy_out(u.uid, uid, uid_size);
        rgw::capi::copy_out(k.secret_key, secret, secret_size);
        return 0;
      }
    }
    rgw::fail(RGW_ERR_NO_SUCH_ACCESS_KEY, "no such access key");
  });
}
