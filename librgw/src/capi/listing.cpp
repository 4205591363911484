// listing.cpp - the C API of object listings.
#include "capi/guard.h"

using rgw::capi::guarded_call;
using rgw::capi::need;
using rgw::capi::str;

namespace {

int list(rgw_store_t* store, const char* bucket, const rgw::ListParams& params,
         rgw_listing_t** out) {
  return guarded_call([&] {
    need("rgw_object_list", store, out);
    rgw::ListResult res = store->impl->list_objects(str(bucket), params);
    auto l = std::make_unique<rgw_listing>();
    l->objects.reserve(res.objects.size());
    for (auto& o : res.objects) l->objects.emplace_back(std::move(o));
    l->prefixes = std::move(res.common_prefixes);
    l->truncated = res.truncated;
    l->next_marker = std::move(res.next_marker);
    l->next_version_marker = std::move(res.next_version_marker);
    *out = l.release();
    return 0;
  });
}

template <typename Fn>
int set(rgw_list_opts_t* opts, Fn fn) {
  if (!opts) return -EINVAL;
  return guarded_call([&] {
    fn(opts->params);
    return 0;
  });
}

}  // namespace

RGW_API int rgw_object_list(rgw_store_t* store, const char* bucket, const char* prefix,
                            const char* delimiter, const char* marker, unsigned max_keys,
                            rgw_listing_t** out) {
  rgw::ListParams p;
  p.prefix = str(prefix);
  p.delimiter = str(delimiter);
  p.marker = str(marker);
  p.max_keys = max_keys;
  return list(store, bucket, p, out);
}

RGW_API int rgw_list_opts_new(rgw_list_opts_t** out) {
  return guarded_call([&] {
    need("rgw_list_opts_new", out);
    *out = new rgw_list_opts;
    return 0;
  });
}

RGW_API int rgw_list_opts_set_prefix(rgw_list_opts_t* opts, const char* prefix) {
  return set(opts, [&](rgw::ListParams& p) { p.prefix = str(prefix); });
}
RGW_API int rgw_list_opts_set_delimiter(rgw_list_opts_t* opts, const char* delimiter) {
  return set(opts, [&](rgw::ListParams& p) { p.delimiter = str(delimiter); });
}
RGW_API int rgw_list_opts_set_marker(rgw_list_opts_t* opts, const char* marker) {
  return set(opts, [&](rgw::ListParams& p) { p.marker = str(marker); });
}
RGW_API int rgw_list_opts_set_end_marker(rgw_list_opts_t* opts, const char* end_marker) {
  return set(opts, [&](rgw::ListParams& p) { p.end_marker = str(end_marker); });
}
RGW_API int rgw_list_opts_set_versions(rgw_list_opts_t* opts, int versions) {
  return set(opts, [&](rgw::ListParams& p) { p.versions = versions != 0; });
}
RGW_API int rgw_list_opts_set_version_marker(rgw_list_opts_t* opts, const char* version_marker) {
  return set(opts, [&](rgw::ListParams& p) { p.version_marker = str(version_marker); });
}
RGW_API int rgw_list_opts_set_max_keys(rgw_list_opts_t* opts, unsigned max_keys) {
  return set(opts, [&](rgw::ListParams& p) { p.max_keys = max_keys; });
}
RGW_API void rgw_list_opts_free(rgw_list_opts_t* opts) { delete opts; }

RGW_API int rgw_object_list_v2(rgw_store_t* store, const char* bucket, const rgw_list_opts_t* opts,
                               rgw_listing_t** out) {
  return list(store, bucket, opts ? opts->params : rgw::ListParams{}, out);
}

RGW_API size_t rgw_listing_count(const rgw_listing_t* l) { return l->objects.size(); }
RGW_API const rgw_object_t* rgw_listing_object(const rgw_listing_t* l, size_t i) {
  return i < l->objects.size() ? &l->objects[i] : nullptr;
}
RGW_API size_t rgw_listing_prefix_count(const rgw_listing_t* l) { return l->prefixes.size(); }
RGW_API const char* rgw_listing_prefix(const rgw_listing_t* l, size_t i) {
  return i < l->prefixes.size() ? l->prefixes[i].c_str() : nullptr;
}
RGW_API int rgw_listing_truncated(const rgw_listing_t* l) { return l->truncated ? 1 : 0; }
RGW_API const char* rgw_listing_next_marker(const rgw_listing_t* l) {
  return l->next_marker.c_str();
}
RGW_API const char* rgw_listing_next_version_marker(const rgw_listing_t* l) {
  return l ? l->next_version_marker.c_str() : nullptr;
}
RGW_API void rgw_listing_free(rgw_listing_t* l) { delete l; }
