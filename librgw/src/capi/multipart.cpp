// multipart.cpp - the C API of multipart uploads.
#include "capi/guard.h"

using rgw::capi::guarded_call;
using rgw::capi::need;
using rgw::capi::str;

RGW_API int rgw_upload_create(rgw_store_t* store, const char* bucket, const char* key,
                              const rgw_write_opts_t* opts, rgw_upload_t** out) {
  return guarded_call([&] {
    need("rgw_upload_create", store, out);
    rgw::WriteOptions object;
    if (opts) {
      object = opts->options;
      object.etag.clear();
    }
    *out = new rgw_upload(store->impl->create_upload(str(bucket), str(key), object));
    return 0;
  });
}

RGW_API int rgw_upload_get(rgw_store_t* store, const char* bucket, const char* upload_id,
                           rgw_upload_t** out) {
  return guarded_call([&] {
    need("rgw_upload_get", store, out);
    *out = new rgw_upload(store->impl->get_upload(str(bucket), str(upload_id)));
    return 0;
  });
}

RGW_API const char* rgw_upload_id(const rgw_upload_t* u) { return u->info.upload_id.c_str(); }
RGW_API const char* rgw_upload_key(const rgw_upload_t* u) { return u->info.key.c_str(); }
RGW_API int64_t rgw_upload_initiated_ns(const rgw_upload_t* u) { return u->info.initiated_ns; }
RGW_API const rgw_acl_t* rgw_upload_acl(const rgw_upload_t* u) { return &u->acl; }
RGW_API const char* rgw_upload_attr(const rgw_upload_t* u, const char* name) {
  return rgw::capi::attr_get(u->info.attrs, name);
}
RGW_API size_t rgw_upload_attr_count(const rgw_upload_t* u) { return u->info.attrs.size(); }
RGW_API int rgw_upload_attr_at(const rgw_upload_t* u, size_t i, const char** name,
                               const char** value) {
  return u ? rgw::capi::attr_at(u->info.attrs, i, name, value) : -ERANGE;
}
RGW_API void rgw_upload_free(rgw_upload_t* u) { delete u; }

RGW_API int rgw_part_writer_open(rgw_store_t* store, const char* bucket, const char* upload_id,
                                 int part_number, rgw_writer_t** out) {
  return guarded_call([&] {
    need("rgw_part_writer_open", store, out);
    auto w = store->impl->open_part_writer(str(bucket), str(upload_id), part_number);
    *out = new rgw_writer{std::move(w)};
    return 0;
  });
}

RGW_API int rgw_upload_list_parts(rgw_store_t* store, const char* bucket, const char* upload_id,
                                  rgw_part_listing_t** out) {
  return guarded_call([&] {
    need("rgw_upload_list_parts", store, out);
    auto parts = std::make_unique<rgw_part_listing>();
    parts->parts = store->impl->list_parts(str(bucket), str(upload_id));
    *out = parts.release();
    return 0;
  });
}

RGW_API size_t rgw_part_listing_count(const rgw_part_listing_t* parts) {
  return parts->parts.size();
}

RGW_API int rgw_part_listing_at(const rgw_part_listing_t* parts, size_t i, int* number,
                                uint64_t* size, const char** etag, int64_t* mtime_ns) {
  if (!parts || i >= parts->parts.size()) return -ERANGE;
  const rgw::PartInfo& p = parts->parts[i];
  if (number) *number = p.number;
  if (size) *size = p.size;
  if (etag) *etag = p.etag.c_str();
  if (mtime_ns) *mtime_ns = p.mtime_ns;
  return 0;
}

RGW_API void rgw_part_listing_free(rgw_part_listing_t* parts) { delete parts; }

RGW_API int rgw_upload_list(rgw_store_t* store, const char* bucket, const char* prefix,
                            const char* after_key, const char* after_id, size_t limit,
                            rgw_upload_listing_t** out) {
  return guarded_call([&] {
    need("rgw_upload_list", store, out);
    if (limit < 1 || limit > 1000) rgw::fail(RGW_ERR_INVALID_ARGUMENT, "limit must be 1..1000");
    auto list = std::make_unique<rgw_upload_listing>();
    for (auto& u :
         store->impl->list_uploads(str(bucket), str(prefix), str(after_key), str(after_id), limit))
      list->uploads.emplace_back(std::move(u));
    *out = list.release();
    return 0;
  });
}

RGW_API size_t rgw_upload_listing_count(const rgw_upload_listing_t* list) {
  return list->uploads.size();
}
RGW_API const rgw_upload_t* rgw_upload_listing_at(const rgw_upload_listing_t* list, size_t i) {
  return i < list->uploads.size() ? &list->uploads[i] : nullptr;
}
RGW_API void rgw_upload_listing_free(rgw_upload_listing_t* list) { delete list; }

RGW_API int rgw_upload_complete(rgw_store_t* store, const char* bucket, const char* upload_id,
                                size_t nparts, const int* numbers, const char* const* etags,
                                const char* etag, rgw_object_t** info) {
  return guarded_call([&] {
    need("rgw_upload_complete", store);
    if (nparts && (!numbers || !etags)) rgw::fail(-EINVAL, "rgw_upload_complete: NULL parts");
    std::vector<std::pair<int, std::string>> parts;
    parts.reserve(nparts);
    for (size_t i = 0; i < nparts; ++i) parts.emplace_back(numbers[i], str(etags[i]));
    rgw::ObjectInfo oi =
        store->impl->complete_upload(str(bucket), str(upload_id), parts, str(etag));
    if (info) *info = new rgw_object(std::move(oi));
    return 0;
  });
}

RGW_API int rgw_upload_abort(rgw_store_t* store, const char* bucket, const char* upload_id) {
  return guarded_call([&] {
    need("rgw_upload_abort", store);
    store->impl->abort_upload(str(bucket), str(upload_id));
    return 0;
  });
}
