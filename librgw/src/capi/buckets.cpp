// buckets.cpp - the C API of buckets.
#include "capi/guard.h"

using rgw::capi::guarded_call;
using rgw::capi::need;
using rgw::capi::str;

RGW_API int rgw_bucket_new(const char* name, const char* owner_uid, rgw_bucket_t** out) {
  return guarded_call([&] {
    need("rgw_bucket_new", name, owner_uid, out);
    rgw::BucketInfo info;
    info.name = name;
    info.owner = owner_uid;
    info.acl = rgw::canned_acl("private", owner_uid);
    *out = new rgw_bucket(std::move(info));
    return 0;
  });
}

RGW_API int rgw_bucket_set_acl(rgw_bucket_t* bucket, const rgw_acl_t* acl) {
  return guarded_call([&] {
    need("rgw_bucket_set_acl", bucket, acl);
    bucket->acl.acl = acl->acl;
    return 0;
  });
}

RGW_API int rgw_bucket_set_versioning(rgw_bucket_t* bucket, int state) {
  return guarded_call([&] {
    need("rgw_bucket_set_versioning", bucket);
    if (state < RGW_VERSIONING_OFF || state > RGW_VERSIONING_SUSPENDED)
      rgw::fail(RGW_ERR_INVALID_ARGUMENT, "unknown versioning state " + std::to_string(state));
    bucket->info.versioning = static_cast<rgw::Versioning>(state);
    return 0;
  });
}

RGW_API int rgw_bucket_set_attr(rgw_bucket_t* bucket, const char* name, const char* value) {
  return guarded_call([&] {
    need("rgw_bucket_set_attr", bucket, name);
    if (!*name) rgw::fail(-EINVAL, "attribute name needed");
    std::string n = rgw::capi::attr_name(name);
    if (value)
      bucket->info.attrs[n] = value;
    else
      bucket->info.attrs.erase(n);
    return 0;
  });
}

RGW_API const char* rgw_bucket_name(const rgw_bucket_t* b) { return b->info.name.c_str(); }
RGW_API const char* rgw_bucket_owner(const rgw_bucket_t* b) { return b->info.owner.c_str(); }
RGW_API const char* rgw_bucket_id(const rgw_bucket_t* b) { return b->info.id.c_str(); }
RGW_API int64_t rgw_bucket_created_ns(const rgw_bucket_t* b) { return b->info.created_ns; }
RGW_API int rgw_bucket_versioning(const rgw_bucket_t* b) {
  return static_cast<int>(b->info.versioning);
}
RGW_API const rgw_acl_t* rgw_bucket_acl(const rgw_bucket_t* b) { return &b->acl; }
RGW_API const char* rgw_bucket_attr(const rgw_bucket_t* b, const char* name) {
  return rgw::capi::attr_get(b->info.attrs, name);
}
RGW_API size_t rgw_bucket_attr_count(const rgw_bucket_t* b) { return b->info.attrs.size(); }
RGW_API int rgw_bucket_attr_at(const rgw_bucket_t* b, size_t i, const char** name,
                               const char** value) {
  return b ? rgw::capi::attr_at(b->info.attrs, i, name, value) : -ERANGE;
}
RGW_API void rgw_bucket_free(rgw_bucket_t* b) { delete b; }

RGW_API int rgw_bucket_add(rgw_store_t* store, const rgw_bucket_t* bucket, rgw_bucket_t** out) {
  return guarded_call([&] {
    need("rgw_bucket_add", store, bucket);
    rgw::BucketInfo created = store->impl->create_bucket(bucket->whole());
    if (out) *out = new rgw_bucket(std::move(created));
    return 0;
  });
}

RGW_API int rgw_bucket_create(rgw_store_t* store, const char* name, const char* owner_uid,
                              const char* acl) {
  return guarded_call([&] {
    need("rgw_bucket_create", store);
    std::string canned = acl ? acl : "private";
    if (canned != "private" && canned != "public-read")
      rgw::fail(RGW_ERR_INVALID_ARGUMENT, "acl must be private or public-read");
    rgw::BucketInfo b;
    b.name = str(name);
    b.owner = str(owner_uid);
    b.acl = rgw::canned_acl(canned, b.owner);
    store->impl->create_bucket(b);
    return 0;
  });
}

RGW_API int rgw_bucket_get(rgw_store_t* store, const char* name, rgw_bucket_t** out) {
  return guarded_call([&] {
    need("rgw_bucket_get", store, name, out);
    *out = new rgw_bucket(store->impl->get_bucket(name));
    return 0;
  });
}

RGW_API int rgw_bucket_update(rgw_store_t* store, const rgw_bucket_t* bucket) {
  return guarded_call([&] {
    need("rgw_bucket_update", store, bucket);
    store->impl->update_bucket(bucket->whole());
    return 0;
  });
}

RGW_API int rgw_bucket_remove(rgw_store_t* store, const char* name) {
  return guarded_call([&] {
    need("rgw_bucket_remove", store);
    store->impl->remove_bucket(str(name));
    return 0;
  });
}

RGW_API int rgw_bucket_stat(rgw_store_t* store, const char* name, char* owner_uid,
                            size_t owner_size, uint64_t* num_objects, uint64_t* size_bytes) {
  return guarded_call([&] {
    need("rgw_bucket_stat", store);
    rgw::BucketInfo b = store->impl->get_bucket(str(name));
    rgw::capi::copy_out(b.owner, owner_uid, owner_size);
    if (num_objects || size_bytes) {
      rgw::BucketStats s = store->impl->bucket_stats(b.name);
      if (num_objects) *num_objects = s.num_objects;
      if (size_bytes) *size_bytes = s.size_bytes;
    }
    return 0;
  });
}

RGW_API int rgw_bucket_list(rgw_store_t* store, const char* owner_uid, char*** names) {
  return guarded_call([&] {
    need("rgw_bucket_list", store, names);
    std::vector<std::string> list;
    for (const auto& b : store->impl->list_buckets(str(owner_uid))) list.push_back(b.name);
    *names = rgw::capi::strings_out(list);
    return static_cast<int>(list.size());
  });
}

RGW_API int rgw_bucket_list_v2(rgw_store_t* store, const char* owner_uid,
                               rgw_bucket_listing_t** out) {
  return guarded_call([&] {
    need("rgw_bucket_list_v2", store, out);
    auto list = std::make_unique<rgw_bucket_listing>();
    for (auto& b : store->impl->list_buckets(str(owner_uid)))
      list->buckets.emplace_back(std::move(b));
    *out = list.release();
    return 0;
  });
}

RGW_API size_t rgw_bucket_listing_count(const rgw_bucket_listing_t* list) {
  return list->buckets.size();
}
RGW_API const rgw_bucket_t* rgw_bucket_listing_at(const rgw_bucket_listing_t* list, size_t i) {
  return i < list->buckets.size() ? &list->buckets[i] : nullptr;
}
RGW_API void rgw_bucket_listing_free(rgw_bucket_listing_t* list) { delete list; }
