// objects.cpp - the C API of objects: info, options, writers, readers,
// stat, remove, copy and in-place updates.
#include "capi/guard.h"

using rgw::capi::guarded_call;
using rgw::capi::need;
using rgw::capi::str;

// -------------------------------------------------------------- object info

RGW_API const char* rgw_object_key(const rgw_object_t* o) { return o->info.key.c_str(); }
RGW_API const char* rgw_object_version_id(const rgw_object_t* o) {
  return o->info.version_id.c_str();
}
RGW_API uint64_t rgw_object_size(const rgw_object_t* o) { return o->info.size; }
RGW_API const char* rgw_object_etag(const rgw_object_t* o) { return o->info.etag.c_str(); }
RGW_API int64_t rgw_object_mtime_ns(const rgw_object_t* o) { return o->info.mtime_ns; }
RGW_API int64_t rgw_object_delete_at(const rgw_object_t* o) { return o->info.delete_at; }
RGW_API int rgw_object_is_latest(const rgw_object_t* o) { return o->info.is_latest ? 1 : 0; }
RGW_API int rgw_object_is_delete_marker(const rgw_object_t* o) {
  return o->info.delete_marker ? 1 : 0;
}
RGW_API const rgw_acl_t* rgw_object_acl(const rgw_object_t* o) { return &o->acl; }
RGW_API const char* rgw_object_attr(const rgw_object_t* o, const char* name) {
  return rgw::capi::attr_get(o->info.attrs, name);
}
RGW_API size_t rgw_object_attr_count(const rgw_object_t* o) { return o->info.attrs.size(); }
RGW_API int rgw_object_attr_at(const rgw_object_t* o, size_t i, const char** name,
                               const char** value) {
  return o ? rgw::capi::attr_at(o->info.attrs, i, name, value) : -ERANGE;
}
RGW_API void rgw_object_free(rgw_object_t* o) { delete o; }

// ------------------------------------------------------------------ options

RGW_API int rgw_read_opts_new(rgw_read_opts_t** out) {
  return guarded_call([&] {
    need("rgw_read_opts_new", out);
    *out = new rgw_read_opts;
    return 0;
  });
}

RGW_API int rgw_read_opts_set_version(rgw_read_opts_t* opts, const char* version_id) {
  if (!opts) return -EINVAL;
  return guarded_call([&] {
    opts->version_id = str(version_id);
    return 0;
  });
}

RGW_API int rgw_read_opts_set_range(rgw_read_opts_t* opts, uint64_t offset, int64_t length) {
  if (!opts) return -EINVAL;
  opts->options.offset = offset;
  opts->options.length = length < 0 ? -1 : length;
  return 0;
}

RGW_API void rgw_read_opts_free(rgw_read_opts_t* opts) { delete opts; }

RGW_API int rgw_write_opts_new(rgw_write_opts_t** out) {
  return guarded_call([&] {
    need("rgw_write_opts_new", out);
    *out = new rgw_write_opts;
    return 0;
  });
}

RGW_API int rgw_write_opts_set_attrs(rgw_write_opts_t* opts, const rgw_attrs_t* attrs) {
  return guarded_call([&] {
    need("rgw_write_opts_set_attrs", opts, attrs);
    opts->options.attrs = attrs->attrs;
    opts->has_attrs = true;
    return 0;
  });
}

RGW_API int rgw_write_opts_set_acl(rgw_write_opts_t* opts, const rgw_acl_t* acl) {
  return guarded_call([&] {
    need("rgw_write_opts_set_acl", opts, acl);
    opts->options.acl = acl->acl;
    opts->has_acl = true;
    return 0;
  });
}

RGW_API int rgw_write_opts_set_delete_at(rgw_write_opts_t* opts, int64_t delete_at) {
  if (!opts || delete_at < 0) return -EINVAL;
  opts->options.delete_at = delete_at;
  opts->has_delete_at = true;
  return 0;
}

RGW_API int rgw_write_opts_set_etag(rgw_write_opts_t* opts, const char* etag) {
  if (!opts) return -EINVAL;
  return guarded_call([&] {
    opts->options.etag = str(etag);
    return 0;
  });
}

RGW_API int rgw_write_opts_set_if_match(rgw_write_opts_t* opts, const char* etag) {
  if (!opts) return -EINVAL;
  return guarded_call([&] {
    opts->if_match = str(etag);
    return 0;
  });
}

RGW_API int rgw_write_opts_set_version(rgw_write_opts_t* opts, const char* version_id) {
  if (!opts) return -EINVAL;
  return guarded_call([&] {
    opts->version_id = str(version_id);
    return 0;
  });
}

RGW_API void rgw_write_opts_free(rgw_write_opts_t* opts) { delete opts; }

// ------------------------------------------------------------------ writers

namespace rgw::capi {

int writer_open(rgw_store_t* store, const char* bucket, const char* key, rgw_writer_t** out) {
  return guarded_call([&] {
    need("rgw_writer_open", store, out);
    auto w = store->impl->open_writer(str(bucket), str(key));
    *out = new rgw_writer{std::move(w)};
    return 0;
  });
}

int writer_write(rgw_writer_t* w, const void* data, size_t len) {
  return guarded_call([&] {
    if (!w || (!data && len)) fail(-EINVAL, "rgw_writer_write: NULL argument");
    w->impl->write(static_cast<const char*>(data), len);
    return 0;
  });
}

int writer_commit(rgw_writer_t* w, const rgw_attrs_t* attrs, int64_t delete_at,
                  rgw_object_t** info) {
  return guarded_call([&] {
    need("rgw_writer_commit", w);
    WriteOptions options;
    if (attrs) options.attrs = attrs->attrs;
    options.delete_at = delete_at;
    ObjectInfo oi = w->impl->commit(options);
    if (info) *info = new rgw_object(std::move(oi));
    return 0;
  });
}

}  // namespace rgw::capi

RGW_API int rgw_writer_open(rgw_store_t* store, const char* bucket, const char* key,
                            rgw_writer_t** out) {
  return rgw::capi::writer_open(store, bucket, key, out);
}

RGW_API int rgw_writer_write(rgw_writer_t* w, const void* data, size_t len) {
  return rgw::capi::writer_write(w, data, len);
}

RGW_API int rgw_writer_commit(rgw_writer_t* w, const rgw_attrs_t* attrs, int64_t delete_at,
                              rgw_object_t** info) {
  return rgw::capi::writer_commit(w, attrs, delete_at, info);
}

RGW_API int rgw_writer_commit_v2(rgw_writer_t* w, const rgw_write_opts_t* opts,
                                 rgw_object_t** info) {
  return guarded_call([&] {
    need("rgw_writer_commit_v2", w);
    rgw::ObjectInfo oi = w->impl->commit(opts ? opts->options : rgw::WriteOptions{});
    if (info) *info = new rgw_object(std::move(oi));
    return 0;
  });
}

RGW_API uint64_t rgw_writer_bytes(const rgw_writer_t* w) {
  return w ? w->impl->bytes_written() : 0;
}

RGW_API void rgw_writer_free(rgw_writer_t* w) { delete w; }

// ------------------------------------------------------------------ readers

namespace {

int open_reader(rgw_store_t* store, const char* bucket, const char* key,
                const rgw::ReadOptions& options, const std::string& version, rgw_reader_t** out) {
  return guarded_call([&] {
    need("rgw_reader_open", store, out);
    auto r = store->impl->open_reader(rgw::ObjectRef{str(bucket), str(key), version}, options);
    *out = new rgw_reader(std::move(r));
    return 0;
  });
}

}  // namespace

namespace rgw::capi {

int reader_open(rgw_store_t* store, const char* bucket, const char* key, uint64_t offset,
                int64_t length, rgw_reader_t** out) {
  return open_reader(store, bucket, key, ReadOptions{offset, length}, "", out);
}

int64_t reader_read(rgw_reader_t* r, void* buf, size_t len) {
  int64_t n = 0;
  int rc = guarded_call([&] {
    if (!r || (!buf && len)) fail(-EINVAL, "rgw_reader_read: NULL argument");
    n = static_cast<int64_t>(r->impl->read(static_cast<char*>(buf), len));
    return 0;
  });
  return rc < 0 ? rc : n;
}

int object_stat(rgw_store_t* store, const char* bucket, const char* key, rgw_object_t** out) {
  return rgw_object_stat_v2(store, bucket, key, nullptr, out);
}

int object_remove(rgw_store_t* store, const char* bucket, const char* key) {
  return rgw_object_remove_v2(store, bucket, key, nullptr);
}

}  // namespace rgw::capi

RGW_API int rgw_reader_open(rgw_store_t* store, const char* bucket, const char* key,
                            uint64_t offset, int64_t length, rgw_reader_t** out) {
  return rgw::capi::reader_open(store, bucket, key, offset, length, out);
}

RGW_API int rgw_reader_open_v2(rgw_store_t* store, const char* bucket, const char* key,
                               const rgw_read_opts_t* opts, rgw_reader_t** out) {
  return open_reader(store, bucket, key, opts ? opts->options : rgw::ReadOptions{},
                     opts ? opts->version_id : std::string(), out);
}

RGW_API const rgw_object_t* rgw_reader_object(const rgw_reader_t* r) {
  if (!r->object) {
    try {
      r->object = std::make_unique<rgw_object>(r->impl->info());
    } catch (const std::bad_alloc&) {
      return nullptr;
    }
  }
  return r->object.get();
}

RGW_API int64_t rgw_reader_read(rgw_reader_t* r, void* buf, size_t len) {
  return rgw::capi::reader_read(r, buf, len);
}

RGW_API uint64_t rgw_reader_remaining(const rgw_reader_t* r) {
  return r ? r->impl->remaining() : 0;
}

RGW_API void rgw_reader_free(rgw_reader_t* r) { delete r; }

// ------------------------------------------------- stat, remove, copy, update

RGW_API int rgw_object_stat(rgw_store_t* store, const char* bucket, const char* key,
                            rgw_object_t** out) {
  return rgw::capi::object_stat(store, bucket, key, out);
}

RGW_API int rgw_object_stat_v2(rgw_store_t* store, const char* bucket, const char* key,
                               const rgw_read_opts_t* opts, rgw_object_t** out) {
  return guarded_call([&] {
    need("rgw_object_stat", store, out);
    rgw::ObjectRef ref{str(bucket), str(key), opts ? opts->version_id : std::string()};
    *out = new rgw_object(store->impl->stat_object(ref));
    return 0;
  });
}

RGW_API int rgw_object_remove(rgw_store_t* store, const char* bucket, const char* key) {
  return rgw::capi::object_remove(store, bucket, key);
}

RGW_API int rgw_object_remove_v2(rgw_store_t* store, const char* bucket, const char* key,
                                 const rgw_write_opts_t* opts) {
  return guarded_call([&] {
    need("rgw_object_remove", store);
    rgw::ObjectRef ref{str(bucket), str(key), opts ? opts->version_id : std::string()};
    rgw::RemoveOptions options;
    if (opts) options.if_match = opts->if_match;
    store->impl->remove_object(ref, options);
    return 0;
  });
}

RGW_API int rgw_object_remove_v3(rgw_store_t* store, const char* bucket, const char* key,
                                 const rgw_write_opts_t* opts, rgw_object_t** out) {
  return guarded_call([&] {
    need("rgw_object_remove_v3", store);
    if (out) *out = nullptr;
    rgw::ObjectRef ref{str(bucket), str(key), opts ? opts->version_id : std::string()};
    rgw::RemoveOptions options;
    if (opts) options.if_match = opts->if_match;
    rgw::RemoveResult r = store->impl->remove_object(ref, options);
    if (out && r.removed) {
      rgw::ObjectInfo info;
      info.key = ref.key;
      info.version_id = r.version_id;
      info.delete_marker = r.delete_marker;
      info.is_latest = false;
      *out = new rgw_object(std::move(info));
    }
    return 0;
  });
}

RGW_API int rgw_object_stat_version(rgw_store_t* store, const char* bucket, const char* key,
                                    const rgw_read_opts_t* opts, rgw_object_t** out) {
  return guarded_call([&] {
    need("rgw_object_stat_version", store, out);
    rgw::ObjectRef ref{str(bucket), str(key), opts ? opts->version_id : std::string()};
    *out = new rgw_object(store->impl->stat_version(ref));
    return 0;
  });
}

RGW_API int rgw_object_copy(rgw_store_t* store, const char* src_bucket, const char* src_key,
                            const char* dst_bucket, const char* dst_key, const rgw_attrs_t* attrs,
                            rgw_object_t** info) {
  return guarded_call([&] {
    need("rgw_object_copy", store);
    rgw::CopyOptions options;
    if (attrs) options.attrs = attrs->attrs;
    rgw::ObjectInfo oi = store->impl->copy_object(rgw::ObjectRef{str(src_bucket), str(src_key), ""},
                                                  str(dst_bucket), str(dst_key), options);
    if (info) *info = new rgw_object(std::move(oi));
    return 0;
  });
}

RGW_API int rgw_object_update(rgw_store_t* store, const char* bucket, const char* key,
                              const rgw_write_opts_t* opts, rgw_object_t** info) {
  return guarded_call([&] {
    need("rgw_object_update", store, opts);
    rgw::AttrsUpdate update;
    if (opts->has_attrs) update.attrs = opts->options.attrs;
    if (opts->has_acl) update.acl = opts->options.acl;
    if (opts->has_delete_at) update.delete_at = opts->options.delete_at;
    update.if_match = opts->if_match;
    rgw::ObjectInfo oi =
        store->impl->update_object(rgw::ObjectRef{str(bucket), str(key), opts->version_id}, update);
    if (info) *info = new rgw_object(std::move(oi));
    return 0;
  });
}
