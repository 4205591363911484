// binding_util.h - what the files of pyrgw._librgw share: error conversion,
// owned C handles, and the Python-side value types the binding builds from
// the C API's handles.
//
// The binding uses only the public C API (<librgw/librgw.h>), as
// python-rados uses librados.h: no header of the core's internals.
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <librgw/librgw.h>

namespace pyrgw {

namespace py = pybind11;

using Attrs = std::map<std::string, std::string>;

// A failed C call: its code and rgw_last_error(), read on the thread that
// made the call (the GIL may be released), raised later as the exception
// class pyrgw.errors names for the code.
struct CallError {
  int code;
  std::string message;
};

// Throws CallError when rc < 0 (call it right after the C call, on the same
// thread); returns rc otherwise.
inline int64_t check(int64_t rc) {
  if (rc < 0) throw CallError{static_cast<int>(rc), rgw_last_error()};
  return rc;
}

// The C API takes NUL-terminated strings: a Python string holding a NUL
// cannot be passed whole, so it is refused (never cut short): as an invalid
// key, bucket name, or argument.
inline const char* c_str(const std::string& s, int code, const char* what) {
  if (s.find('\0') != std::string::npos)
    throw CallError{code, std::string(what) + " contains a NUL byte"};
  return s.c_str();
}
inline const char* c_key(const std::string& s) {
  return c_str(s, RGW_ERR_INVALID_KEY, "object key");
}
inline const char* c_bucket(const std::string& s) {
  return c_str(s, RGW_ERR_INVALID_BUCKET_NAME, "bucket name");
}
inline const char* c_arg(const std::string& s) {
  return c_str(s, RGW_ERR_INVALID_ARGUMENT, "argument");
}

// Owned handles of the C API.
template <typename T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
using AclPtr = std::unique_ptr<rgw_acl_t, Freer<rgw_acl_t, rgw_acl_free>>;
using AttrsPtr = std::unique_ptr<rgw_attrs_t, Freer<rgw_attrs_t, rgw_attrs_free>>;
using UserPtr = std::unique_ptr<rgw_user_t, Freer<rgw_user_t, rgw_user_free>>;
using BucketPtr = std::unique_ptr<rgw_bucket_t, Freer<rgw_bucket_t, rgw_bucket_free>>;
using ObjectPtr = std::unique_ptr<rgw_object_t, Freer<rgw_object_t, rgw_object_free>>;
using WriteOptsPtr =
    std::unique_ptr<rgw_write_opts_t, Freer<rgw_write_opts_t, rgw_write_opts_free>>;
using ReadOptsPtr = std::unique_ptr<rgw_read_opts_t, Freer<rgw_read_opts_t, rgw_read_opts_free>>;

// ------------------------------------------------------- Python value types

struct Grant {
  std::string kind;  // "user", "email", "group", "referrer"
  std::string id;
  unsigned permissions = 0;
};

struct Acl {
  std::string owner;  // "" = the bucket's owner
  std::vector<Grant> grants;
};

struct AccessKey {
  std::string access_key;
  std::string secret_key;
};

struct User {
  std::string uid, display_name, email;
  std::vector<AccessKey> keys;
  std::string swift_user, swift_key;
  int64_t created_ns = 0;
  bool suspended = false;
  Attrs attrs;
};

enum class Versioning {
  unversioned = RGW_VERSIONING_OFF,
  enabled = RGW_VERSIONING_ENABLED,
  suspended = RGW_VERSIONING_SUSPENDED
};

struct BucketInfo {
  std::string name, owner, id;
  int64_t created_ns = 0;
  Versioning versioning = Versioning::unversioned;
  Acl policy;
  Attrs attrs;
};

struct ObjectInfo {
  std::string key, version_id, etag;
  uint64_t size = 0;
  int64_t mtime_ns = 0, delete_at = 0;
  bool delete_marker = false, is_latest = true;
  Attrs attrs;
  Acl policy;
};

// ---------------------------------------------------- conversions from C

// The attributes of a handle, through its count and i-th accessors
// (rgw_object_attr_count/_at, rgw_bucket_..., rgw_user_..., rgw_upload_...).
template <typename Handle, typename Count, typename At>
inline Attrs attrs_of(const Handle* h, Count count, At at) {
  Attrs out;
  size_t n = count(h);
  for (size_t i = 0; i < n; ++i) {
    const char *name, *value;
    if (at(h, i, &name, &value) == 0) out.emplace(name, value);
  }
  return out;
}

Acl acl_from(const rgw_acl_t* acl);
ObjectInfo object_from(const rgw_object_t* obj);
BucketInfo bucket_from(const rgw_bucket_t* b);
User user_from(const rgw_user_t* u);
// A C policy for a Python one (the kind names checked).
AclPtr acl_to_c(const Acl& acl);
AttrsPtr attrs_to_c(const Attrs& attrs);
// The canned ACL name `acl` is exactly, or nullopt.
std::optional<std::string> canned_name(const Acl& acl, const std::string& bucket_owner);
// S3's canned ACL `name` for owner.
Acl canned(const std::string& name, const std::string& owner, const std::string& bucket_owner);

// ----------------------------------------------------------------- stores

// A store shared by the Python Store and every reader and writer it opened,
// so that closing the Store cannot free it while they are in use.
class Store {
 public:
  explicit Store(const std::string& uri);
  rgw_store_t* get() const;  // InvalidArgument once closed
  std::shared_ptr<rgw_store_t> shared() const;
  void close();

 private:
  std::shared_ptr<rgw_store_t> s_;
};

// A Python Writer for w (owned from now on), keeping the store open.
py::object wrap_writer(Store& s, rgw_writer_t* w);  // binding_objects.cpp
// The Python ObjectInfo of an object info handle (freed).
ObjectInfo take_object(rgw_object_t* raw);  // binding_objects.cpp

// Binders, one per file.
void bind_errors(py::module_& m);                               // binding.cpp
void bind_objects(py::module_& m, py::class_<Store>& store);    // binding_objects.cpp
void bind_multipart(py::module_& m, py::class_<Store>& store);  // binding_multipart.cpp
void bind_gateway(py::module_& m);                              // binding_gateway.cpp

}  // namespace pyrgw
