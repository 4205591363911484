// capi.cpp - the C ABI (include/librgw/librgw.h) over the C++ core.
#include <cerrno>
#include <cstring>
#include <new>

#include "capi_types.h"
#include "errors.h"
#include "librgw/librgw.h"
#include "store.h"

#define RGW_API extern "C" __attribute__((visibility("default")))

namespace {

thread_local std::string last_error;

// Runs fn, turning exceptions into negative codes and recording the message.
template <typename Fn>
int guard(Fn&& fn) {
  try {
    last_error.clear();
    return fn();
  } catch (const rgw::Error& e) {
    last_error = e.what();
    return e.code();
  } catch (const std::bad_alloc&) {
    last_error = "out of memory";
    return -ENOMEM;
  } catch (const std::exception& e) {
    last_error = e.what();
    return -EIO;
  }
}

std::string str(const char* s) { return s ? std::string(s) : std::string(); }

int copy_out(const std::string& value, char* buf, size_t size) {
  if (!buf) return 0;
  if (value.size() + 1 > size) rgw::fail(-ERANGE, "buffer too small");
  std::memcpy(buf, value.c_str(), value.size() + 1);
  return 0;
}

}  // namespace

RGW_API const char* rgw_strerror(int code) {
  switch (code) {
    case RGW_OK: return "OK";
    case RGW_ERR_NO_SUCH_USER: return "NoSuchUser";
    case RGW_ERR_NO_SUCH_ACCESS_KEY: return "NoSuchAccessKey";
    case RGW_ERR_NO_SUCH_BUCKET: return "NoSuchBucket";
    case RGW_ERR_NO_SUCH_KEY: return "NoSuchKey";
    case RGW_ERR_USER_EXISTS: return "UserExists";
    case RGW_ERR_ACCESS_KEY_EXISTS: return "AccessKeyExists";
    case RGW_ERR_BUCKET_EXISTS: return "BucketExists";
    case RGW_ERR_BUCKET_NOT_EMPTY: return "BucketNotEmpty";
    case RGW_ERR_USER_HAS_BUCKETS: return "UserHasBuckets";
    case RGW_ERR_INVALID_BUCKET_NAME: return "InvalidBucketName";
    case RGW_ERR_INVALID_KEY: return "InvalidKey";
    case RGW_ERR_INVALID_RANGE: return "InvalidRange";
    case RGW_ERR_INVALID_URI: return "InvalidStoreURI";
    case RGW_ERR_INVALID_ARGUMENT: return "InvalidArgument";
    case RGW_ERR_CONFLICT: return "Conflict";
    case RGW_ERR_STORE: return "StoreError";
    case RGW_ERR_NO_SUCH_UPLOAD: return "NoSuchUpload";
    case RGW_ERR_INVALID_PART: return "InvalidPart";
    default: break;
  }
  if (code < 0 && code > -4096) {
    const char* name = strerrorname_np(-code);
    if (name) return name;
  }
  return "UnknownError";
}

RGW_API const char* rgw_last_error(void) { return last_error.c_str(); }

namespace rgw::capi {
std::string take_last_error() { return last_error; }
void set_last_error(const std::string& message) { last_error = message; }
}  // namespace rgw::capi

RGW_API const char* rgw_version(void) { return "0.1.0"; }

// ------------------------------------------------------------------- store

RGW_API int rgw_store_open(const char* uri, rgw_store_t** out) {
  return guard([&] {
    if (!uri || !out) rgw::fail(-EINVAL, "uri and out must not be NULL");
    auto store = rgw::open_store(uri);
    *out = new rgw_store{std::move(store), rgw::default_io_threads(uri)};
    return 0;
  });
}

RGW_API void rgw_store_close(rgw_store_t* store) { delete store; }

// ------------------------------------------------------------------- users

RGW_API int rgw_user_create(rgw_store_t* store, const char* uid, const char* display_name,
                            const char* access_key, const char* secret_key) {
  return guard([&] {
    rgw::User u;
    u.uid = str(uid);
    u.display_name = str(display_name);
    if (access_key || secret_key) u.keys.push_back({str(access_key), str(secret_key)});
    store->impl->create_user(u);
    return 0;
  });
}

RGW_API int rgw_user_remove(rgw_store_t* store, const char* uid) {
  return guard([&] {
    store->impl->remove_user(str(uid));
    return 0;
  });
}

RGW_API int rgw_user_key_add(rgw_store_t* store, const char* uid, const char* access_key,
                             const char* secret_key) {
  return guard([&] {
    store->impl->add_access_key(str(uid), {str(access_key), str(secret_key)});
    return 0;
  });
}

RGW_API int rgw_user_key_remove(rgw_store_t* store, const char* uid, const char* access_key) {
  return guard([&] {
    store->impl->remove_access_key(str(uid), str(access_key));
    return 0;
  });
}

RGW_API int rgw_user_lookup_key(rgw_store_t* store, const char* access_key, char* uid,
                                size_t uid_size, char* secret, size_t secret_size) {
  return guard([&] {
    rgw::User u = store->impl->get_user_by_access_key(str(access_key));
    for (const auto& k : u.keys) {
      if (k.access_key == str(access_key)) {
        copy_out(u.uid, uid, uid_size);
        copy_out(k.secret_key, secret, secret_size);
        return 0;
      }
    }
    rgw::fail(RGW_ERR_NO_SUCH_ACCESS_KEY, "no such access key");
  });
}

// ----------------------------------------------------------------- buckets

RGW_API int rgw_bucket_create(rgw_store_t* store, const char* name, const char* owner_uid,
                              const char* acl) {
  return guard([&] {
    rgw::BucketInfo b;
    b.name = str(name);
    b.owner = str(owner_uid);
    b.acl = acl ? acl : "private";
    if (b.acl != "private" && b.acl != "public-read")
      rgw::fail(RGW_ERR_INVALID_ARGUMENT, "acl must be private or public-read");
    store->impl->create_bucket(b);
    return 0;
  });
}

RGW_API int rgw_bucket_remove(rgw_store_t* store, const char* name) {
  return guard([&] {
    store->impl->remove_bucket(str(name));
    return 0;
  });
}

RGW_API int rgw_bucket_stat(rgw_store_t* store, const char* name, char* owner_uid,
                            size_t owner_size, uint64_t* num_objects, uint64_t* size_bytes) {
  return guard([&] {
    rgw::BucketInfo b = store->impl->get_bucket(str(name));
    copy_out(b.owner, owner_uid, owner_size);
    if (num_objects || size_bytes) {
      rgw::BucketStats s = store->impl->bucket_stats(b.name);
      if (num_objects) *num_objects = s.num_objects;
      if (size_bytes) *size_bytes = s.size_bytes;
    }
    return 0;
  });
}

RGW_API void rgw_free_strings(char** strings) {
  if (!strings) return;
  for (char** p = strings; *p; ++p) free(*p);
  free(strings);
}

RGW_API int rgw_bucket_list(rgw_store_t* store, const char* owner_uid, char*** names) {
  return guard([&] {
    auto buckets = store->impl->list_buckets(str(owner_uid));
    char** arr = static_cast<char**>(calloc(buckets.size() + 1, sizeof(char*)));
    if (!arr) throw std::bad_alloc();
    for (size_t i = 0; i < buckets.size(); ++i) {
      arr[i] = strdup(buckets[i].name.c_str());
      if (!arr[i]) {
        rgw_free_strings(arr);
        throw std::bad_alloc();
      }
    }
    *names = arr;
    return static_cast<int>(buckets.size());
  });
}

// ------------------------------------------------------------------- attrs

RGW_API rgw_attrs_t* rgw_attrs_new(void) { return new (std::nothrow) rgw_attrs{}; }

RGW_API int rgw_attrs_set(rgw_attrs_t* attrs, const char* name, const char* value) {
  return guard([&] {
    if (!attrs || !name || !*name || !value) rgw::fail(-EINVAL, "attribute name and value needed");
    std::string n = name;
    for (auto& c : n) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    attrs->attrs[n] = value;
    return 0;
  });
}

RGW_API void rgw_attrs_free(rgw_attrs_t* attrs) { delete attrs; }

// ------------------------------------------------------------- object info

RGW_API const char* rgw_object_key(const rgw_object_t* o) { return o->info.key.c_str(); }
RGW_API const char* rgw_object_version_id(const rgw_object_t* o) { return o->info.version_id.c_str(); }
RGW_API uint64_t rgw_object_size(const rgw_object_t* o) { return o->info.size; }
RGW_API const char* rgw_object_etag(const rgw_object_t* o) { return o->info.etag.c_str(); }
RGW_API int64_t rgw_object_mtime_ns(const rgw_object_t* o) { return o->info.mtime_ns; }
RGW_API int64_t rgw_object_delete_at(const rgw_object_t* o) { return o->info.delete_at; }

RGW_API const char* rgw_object_attr(const rgw_object_t* o, const char* name) {
  auto it = o->info.attrs.find(str(name));
  return it == o->info.attrs.end() ? nullptr : it->second.c_str();
}

RGW_API size_t rgw_object_attr_count(const rgw_object_t* o) { return o->info.attrs.size(); }

RGW_API int rgw_object_attr_at(const rgw_object_t* o, size_t i, const char** name,
                               const char** value) {
  if (i >= o->info.attrs.size()) return -ERANGE;
  auto it = o->info.attrs.begin();
  std::advance(it, static_cast<long>(i));
  *name = it->first.c_str();
  *value = it->second.c_str();
  return 0;
}

RGW_API void rgw_object_free(rgw_object_t* o) { delete o; }

// ----------------------------------------------------------------- objects

namespace rgw::capi {

int writer_open(rgw_store_t* store, const char* bucket, const char* key, rgw_writer_t** out) {
  return guard([&] {
    auto w = store->impl->open_writer(str(bucket), str(key));
    *out = new rgw_writer{std::move(w)};
    return 0;
  });
}

int writer_write(rgw_writer_t* w, const void* data, size_t len) {
  return guard([&] {
    w->impl->write(static_cast<const char*>(data), len);
    return 0;
  });
}

int writer_commit(rgw_writer_t* w, const rgw_attrs_t* attrs, int64_t delete_at,
                  rgw_object_t** info) {
  return guard([&] {
    rgw::ObjectInfo oi = w->impl->commit(attrs ? attrs->attrs : rgw::Attrs{}, delete_at);
    if (info) *info = new rgw_object{std::move(oi)};
    return 0;
  });
}

int reader_open(rgw_store_t* store, const char* bucket, const char* key, uint64_t offset,
                int64_t length, rgw_reader_t** out) {
  return guard([&] {
    auto r = store->impl->open_reader(str(bucket), str(key), offset, length);
    rgw_object obj{r->info()};
    *out = new rgw_reader{std::move(r), std::move(obj)};
    return 0;
  });
}

int64_t reader_read(rgw_reader_t* r, void* buf, size_t len) {
  int64_t n = 0;
  int rc = guard([&] {
    n = static_cast<int64_t>(r->impl->read(static_cast<char*>(buf), len));
    return 0;
  });
  return rc < 0 ? rc : n;
}

int object_stat(rgw_store_t* store, const char* bucket, const char* key, rgw_object_t** out) {
  return guard([&] {
    *out = new rgw_object{store->impl->stat_object(str(bucket), str(key))};
    return 0;
  });
}

int object_remove(rgw_store_t* store, const char* bucket, const char* key) {
  return guard([&] {
    store->impl->remove_object(str(bucket), str(key));
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

RGW_API void rgw_writer_free(rgw_writer_t* w) { delete w; }

RGW_API int rgw_reader_open(rgw_store_t* store, const char* bucket, const char* key,
                            uint64_t offset, int64_t length, rgw_reader_t** out) {
  return rgw::capi::reader_open(store, bucket, key, offset, length, out);
}

RGW_API const rgw_object_t* rgw_reader_object(const rgw_reader_t* r) { return &r->object; }

RGW_API int64_t rgw_reader_read(rgw_reader_t* r, void* buf, size_t len) {
  return rgw::capi::reader_read(r, buf, len);
}

RGW_API void rgw_reader_free(rgw_reader_t* r) { delete r; }

RGW_API int rgw_object_stat(rgw_store_t* store, const char* bucket, const char* key,
                            rgw_object_t** out) {
  return rgw::capi::object_stat(store, bucket, key, out);
}

RGW_API int rgw_object_remove(rgw_store_t* store, const char* bucket, const char* key) {
  return rgw::capi::object_remove(store, bucket, key);
}

RGW_API int rgw_object_copy(rgw_store_t* store, const char* src_bucket, const char* src_key,
                            const char* dst_bucket, const char* dst_key, const rgw_attrs_t* attrs,
                            rgw_object_t** info) {
  return guard([&] {
    rgw::ObjectInfo oi = store->impl->copy_object(str(src_bucket), str(src_key), str(dst_bucket),
                                                  str(dst_key), attrs ? &attrs->attrs : nullptr);
    if (info) *info = new rgw_object{std::move(oi)};
    return 0;
  });
}

// ----------------------------------------------------------------- listing

RGW_API int rgw_object_list(rgw_store_t* store, const char* bucket, const char* prefix,
                            const char* delimiter, const char* marker, unsigned max_keys,
                            rgw_listing_t** out) {
  return guard([&] {
    rgw::ListParams p;
    p.prefix = str(prefix);
    p.delimiter = str(delimiter);
    p.marker = str(marker);
    p.max_keys = max_keys;
    rgw::ListResult res = store->impl->list_objects(str(bucket), p);
    auto* l = new rgw_listing;
    for (auto& o : res.objects) l->objects.push_back(rgw_object{std::move(o)});
    l->prefixes = std::move(res.common_prefixes);
    l->truncated = res.truncated;
    l->next_marker = std::move(res.next_marker);
    *out = l;
    return 0;
  });
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
RGW_API const char* rgw_listing_next_marker(const rgw_listing_t* l) { return l->next_marker.c_str(); }
RGW_API void rgw_listing_free(rgw_listing_t* l) { delete l; }

// ---------------------------------------------------------------------- gc

RGW_API int rgw_gc_run(rgw_store_t* store, int64_t grace_seconds, uint64_t* removed_objects,
                       uint64_t* removed_bytes) {
  return guard([&] {
    if (grace_seconds < 0) rgw::fail(-EINVAL, "grace_seconds must not be negative");
    rgw::GcOptions opts;  // the drivers clamp very large graces
    opts.grace_seconds = grace_seconds;
    rgw::GcReport r = store->impl->gc(opts);
    if (removed_objects) *removed_objects = r.removed_objects;
    if (removed_bytes) *removed_bytes = r.removed_bytes;
    return 0;
  });
}
