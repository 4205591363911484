// binding.cpp - pyrgw._librgw: the librgw C API for Python.
//
// A thin layer over <librgw/librgw.h> only: every call goes to the C API
// with the GIL released while it works; failures become the typed
// exceptions of pyrgw.errors (chosen by code there, from the one list of
// codes in the header).  This file: the module, errors, value types,
// conversions, and stores with their users, buckets and gc.
#include <cstdlib>
#include <optional>

#include "binding_util.h"

namespace pyrgw {

using nogil = py::call_guard<py::gil_scoped_release>;

// ------------------------------------------------------------ conversions

namespace {

const char* kind_name(int kind) {
  switch (kind) {
    case RGW_GRANTEE_USER: return "user";
    case RGW_GRANTEE_EMAIL: return "email";
    case RGW_GRANTEE_GROUP: return "group";
    case RGW_GRANTEE_REFERRER: return "referrer";
    default: return "unknown";
  }
}

int kind_code(const std::string& kind) {
  if (kind == "user") return RGW_GRANTEE_USER;
  if (kind == "email") return RGW_GRANTEE_EMAIL;
  if (kind == "group") return RGW_GRANTEE_GROUP;
  if (kind == "referrer") return RGW_GRANTEE_REFERRER;
  throw py::value_error("grantee kind must be user, email, group or referrer, not '" + kind + "'");
}

}  // namespace

Acl acl_from(const rgw_acl_t* acl) {
  Acl out;
  out.owner = rgw_acl_owner(acl);
  size_t n = rgw_acl_grant_count(acl);
  for (size_t i = 0; i < n; ++i) {
    int kind;
    const char* id;
    unsigned perms;
    if (rgw_acl_grant_at(acl, i, &kind, &id, &perms) == 0)
      out.grants.push_back(Grant{kind_name(kind), id, perms});
  }
  return out;
}

AclPtr acl_to_c(const Acl& acl) {
  for (const auto& g : acl.grants) kind_code(g.kind);  // raises before any call
  rgw_acl_t* raw = nullptr;
  check(rgw_acl_new(c_arg(acl.owner), &raw));
  AclPtr out(raw);
  for (const auto& g : acl.grants)
    check(rgw_acl_add_grant(out.get(), kind_code(g.kind), c_arg(g.id), g.permissions));
  return out;
}

AttrsPtr attrs_to_c(const Attrs& attrs) {
  AttrsPtr out(rgw_attrs_new());
  if (!out) throw std::bad_alloc();
  for (const auto& [name, value] : attrs)
    check(rgw_attrs_set(out.get(), c_arg(name), c_arg(value)));
  return out;
}

std::optional<std::string> canned_name(const Acl& acl, const std::string& bucket_owner) {
  AclPtr c = acl_to_c(acl);
  const char* name = rgw_acl_canned_name(c.get(), c_arg(bucket_owner));
  if (!name) return std::nullopt;
  return std::string(name);
}

Acl canned(const std::string& name, const std::string& owner, const std::string& bucket_owner) {
  rgw_acl_t* raw = nullptr;
  check(rgw_acl_new_canned(c_arg(name), c_arg(owner), c_arg(bucket_owner), &raw));
  AclPtr c(raw);
  return acl_from(c.get());
}

ObjectInfo object_from(const rgw_object_t* o) {
  ObjectInfo info;
  info.key = rgw_object_key(o);
  info.version_id = rgw_object_version_id(o);
  info.size = rgw_object_size(o);
  info.etag = rgw_object_etag(o);
  info.mtime_ns = rgw_object_mtime_ns(o);
  info.delete_at = rgw_object_delete_at(o);
  info.delete_marker = rgw_object_is_delete_marker(o) != 0;
  info.is_latest = rgw_object_is_latest(o) != 0;
  info.attrs = attrs_of(o, rgw_object_attr_count, rgw_object_attr_at);
  info.policy = acl_from(rgw_object_acl(o));
  return info;
}

BucketInfo bucket_from(const rgw_bucket_t* b) {
  BucketInfo info;
  info.name = rgw_bucket_name(b);
  info.owner = rgw_bucket_owner(b);
  info.id = rgw_bucket_id(b);
  info.created_ns = rgw_bucket_created_ns(b);
  info.versioning = static_cast<Versioning>(rgw_bucket_versioning(b));
  info.policy = acl_from(rgw_bucket_acl(b));
  info.attrs = attrs_of(b, rgw_bucket_attr_count, rgw_bucket_attr_at);
  return info;
}

User user_from(const rgw_user_t* u) {
  User user;
  user.uid = rgw_user_uid(u);
  user.display_name = rgw_user_display_name(u);
  user.email = rgw_user_email(u);
  size_t n = rgw_user_key_count(u);
  for (size_t i = 0; i < n; ++i) {
    const char *ak, *sk;
    if (rgw_user_key_at(u, i, &ak, &sk) == 0) user.keys.push_back(AccessKey{ak, sk});
  }
  user.swift_user = rgw_user_swift_user(u);
  user.swift_key = rgw_user_swift_key(u);
  user.created_ns = rgw_user_created_ns(u);
  user.suspended = rgw_user_suspended(u) != 0;
  user.attrs = attrs_of(u, rgw_user_attr_count, rgw_user_attr_at);
  return user;
}

// ----------------------------------------------------------------- stores

Store::Store(const std::string& uri) {
  rgw_store_t* raw = nullptr;
  {
    py::gil_scoped_release release;
    check(rgw_store_open(c_arg(uri), &raw));
  }
  s_ = std::shared_ptr<rgw_store_t>(raw, rgw_store_close);
}

rgw_store_t* Store::get() const {
  if (!s_) throw CallError{RGW_ERR_INVALID_ARGUMENT, "store is closed"};
  return s_.get();
}

std::shared_ptr<rgw_store_t> Store::shared() const {
  get();
  return s_;
}

void Store::close() {
  py::gil_scoped_release release;
  s_.reset();  // closes once no reader or writer holds it
}

namespace {

struct BucketStats {
  uint64_t num_objects, size_bytes;
};
struct GcReport {
  uint64_t removed_objects, removed_bytes, repaired_entries;
};
struct LifecycleReport {
  uint64_t buckets, busy_buckets, expired_objects, aborted_uploads, bad_configurations,
      noncurrent_versions, delete_markers;
};
struct ExpireReport {
  uint64_t removed_objects, stale_entries;
  uint32_t shards_done, shards_busy;
};

UserPtr user_to_c(const User& u) {
  rgw_user_t* raw = nullptr;
  check(rgw_user_new(c_arg(u.uid), &raw));
  UserPtr h(raw);
  check(rgw_user_set_display_name(h.get(), c_arg(u.display_name)));
  check(rgw_user_set_email(h.get(), c_arg(u.email)));
  check(rgw_user_set_suspended(h.get(), u.suspended));
  for (const auto& k : u.keys)
    check(rgw_user_add_key(h.get(), c_arg(k.access_key), c_arg(k.secret_key)));
  if (!u.swift_user.empty() || !u.swift_key.empty())
    check(rgw_user_set_swift(h.get(), c_arg(u.swift_user), c_arg(u.swift_key)));
  for (const auto& [name, value] : u.attrs)
    check(rgw_user_set_attr(h.get(), c_arg(name), c_arg(value)));
  return h;
}

User find_user(Store& s, int kind, const std::string& id) {
  rgw_user_t* raw = nullptr;
  check(rgw_user_find(s.get(), kind, c_arg(id), &raw));
  UserPtr u(raw);
  return user_from(u.get());
}

BucketPtr bucket_to_c(const BucketInfo& b) {
  rgw_bucket_t* raw = nullptr;
  check(rgw_bucket_new(c_bucket(b.name), c_arg(b.owner), &raw));
  BucketPtr h(raw);
  AclPtr acl = acl_to_c(b.policy);
  check(rgw_bucket_set_acl(h.get(), acl.get()));
  check(rgw_bucket_set_versioning(h.get(), static_cast<int>(b.versioning)));
  for (const auto& [name, value] : b.attrs)
    check(rgw_bucket_set_attr(h.get(), c_arg(name), c_arg(value)));
  return h;
}

std::vector<std::string> take_strings(char** arr) {
  std::vector<std::string> out;
  for (char** p = arr; p && *p; ++p) out.emplace_back(*p);
  rgw_free_strings(arr);
  return out;
}

void bind_types(py::module_& m) {
  py::class_<Grant>(m, "Grant")
      .def(py::init([](std::string kind, std::string id, unsigned permissions) {
             kind_code(kind);
             return Grant{std::move(kind), std::move(id), permissions};
           }),
           py::arg("kind"), py::arg("id"), py::arg("permissions"))
      .def_readonly("kind", &Grant::kind)
      .def_readonly("id", &Grant::id)
      .def_readonly("permissions", &Grant::permissions)
      .def("__eq__",
           [](const Grant& a, const Grant& b) {
             return a.kind == b.kind && a.id == b.id && a.permissions == b.permissions;
           })
      .def("__repr__", [](const Grant& g) {
        return "<Grant " + g.kind + ":" + g.id + " " + std::to_string(g.permissions) + ">";
      });

  py::class_<Acl>(m, "Acl")
      .def(py::init([](std::string owner, std::vector<Grant> grants) {
             return Acl{std::move(owner), std::move(grants)};
           }),
           py::arg("owner") = "", py::arg("grants") = std::vector<Grant>{})
      .def_static("canned", &canned, py::arg("name"), py::arg("owner"),
                  py::arg("bucket_owner") = "",
                  "S3's canned ACL `name` for owner (the core's definition)")
      .def("canned_name", &canned_name, py::arg("bucket_owner") = "",
           "The canned ACL this policy is exactly, or None")
      .def_readwrite("owner", &Acl::owner)
      .def_readwrite("grants", &Acl::grants);

  py::class_<AccessKey>(m, "AccessKey")
      .def(py::init<>())
      .def(py::init([](std::string a, std::string s) {
        return AccessKey{std::move(a), std::move(s)};
      }))
      .def_readwrite("access_key", &AccessKey::access_key)
      .def_readwrite("secret_key", &AccessKey::secret_key);

  py::class_<User>(m, "User")
      .def(py::init<>())
      .def_readwrite("uid", &User::uid)
      .def_readwrite("display_name", &User::display_name)
      .def_readwrite("email", &User::email)
      .def_readwrite("keys", &User::keys)
      .def_readwrite("swift_user", &User::swift_user)
      .def_readwrite("swift_key", &User::swift_key)
      .def_readwrite("created_ns", &User::created_ns)
      .def_readwrite("suspended", &User::suspended)
      .def_readwrite("attrs", &User::attrs);

  py::enum_<Versioning>(m, "Versioning")
      .value("unversioned", Versioning::unversioned)
      .value("enabled", Versioning::enabled)
      .value("suspended", Versioning::suspended);

  py::class_<BucketInfo>(m, "BucketInfo")
      .def(py::init<>())
      .def_readwrite("name", &BucketInfo::name)
      .def_readwrite("owner", &BucketInfo::owner)
      .def_readonly("id", &BucketInfo::id)
      .def_readonly("created_ns", &BucketInfo::created_ns)
      .def_readwrite("versioning", &BucketInfo::versioning)
      .def_readwrite("policy", &BucketInfo::policy)
      .def_readwrite("attrs", &BucketInfo::attrs)
      // The canned ACL the policy is ("private", "public-read", ...) or None;
      // setting a name replaces the policy with that canned ACL.
      .def_property(
          "acl", [](const BucketInfo& b) { return canned_name(b.policy, b.owner); },
          [](BucketInfo& b, const std::string& name) {
            b.policy = canned(name, b.owner, b.owner);
          });

  py::class_<ObjectInfo>(m, "ObjectInfo")
      .def_readonly("key", &ObjectInfo::key)
      .def_readonly("version_id", &ObjectInfo::version_id)
      .def_readonly("size", &ObjectInfo::size)
      .def_readonly("etag", &ObjectInfo::etag)
      .def_readonly("mtime_ns", &ObjectInfo::mtime_ns)
      .def_readonly("delete_at", &ObjectInfo::delete_at)
      .def_readonly("delete_marker", &ObjectInfo::delete_marker)
      .def_readonly("is_latest", &ObjectInfo::is_latest)
      .def_readonly("attrs", &ObjectInfo::attrs)
      .def_readonly("policy", &ObjectInfo::policy)
      .def("__repr__", [](const ObjectInfo& o) {
        return "<ObjectInfo key=" + py::repr(py::str(o.key)).cast<std::string>() +
               " size=" + std::to_string(o.size) + " etag=" + o.etag + ">";
      });

  py::class_<BucketStats>(m, "BucketStats")
      .def_readonly("num_objects", &BucketStats::num_objects)
      .def_readonly("size_bytes", &BucketStats::size_bytes);
  py::class_<GcReport>(m, "GcReport")
      .def_readonly("removed_objects", &GcReport::removed_objects)
      .def_readonly("removed_bytes", &GcReport::removed_bytes)
      .def_readonly("repaired_entries", &GcReport::repaired_entries);
  py::class_<LifecycleReport>(m, "LifecycleReport")
      .def_readonly("buckets", &LifecycleReport::buckets)
      .def_readonly("busy_buckets", &LifecycleReport::busy_buckets)
      .def_readonly("expired_objects", &LifecycleReport::expired_objects)
      .def_readonly("aborted_uploads", &LifecycleReport::aborted_uploads)
      .def_readonly("noncurrent_versions", &LifecycleReport::noncurrent_versions)
      .def_readonly("delete_markers", &LifecycleReport::delete_markers)
      .def_readonly("bad_configurations", &LifecycleReport::bad_configurations);
  py::class_<ExpireReport>(m, "ExpireReport")
      .def_readonly("removed_objects", &ExpireReport::removed_objects)
      .def_readonly("stale_entries", &ExpireReport::stale_entries)
      .def_readonly("shards_done", &ExpireReport::shards_done)
      .def_readonly("shards_busy", &ExpireReport::shards_busy);

  for (auto [name, value] : {std::pair{"PERM_READ", RGW_PERM_READ},
                             {"PERM_WRITE", RGW_PERM_WRITE},
                             {"PERM_READ_ACP", RGW_PERM_READ_ACP},
                             {"PERM_WRITE_ACP", RGW_PERM_WRITE_ACP},
                             {"PERM_FULL_CONTROL", RGW_PERM_FULL_CONTROL},
                             {"PERM_READ_OBJECTS", RGW_PERM_READ_OBJECTS}})
    m.attr(name) = value;
  m.attr("GROUP_ALL_USERS") = RGW_GROUP_ALL_USERS;
  m.attr("GROUP_AUTHENTICATED_USERS") = RGW_GROUP_AUTHENTICATED_USERS;
  m.attr("GROUP_LOG_DELIVERY") = RGW_GROUP_LOG_DELIVERY;
}

void bind_store(py::class_<Store>& cls) {
  cls.def(py::init<const std::string&>(), py::arg("uri"))
      .def("close", &Store::close)
      // users
      .def("create_user",
           [](Store& s, const User& u) {
             UserPtr h = user_to_c(u);
             py::gil_scoped_release release;
             check(rgw_user_add(s.get(), h.get()));
           })
      .def("get_user",
           [](Store& s, const std::string& uid) {
             py::gil_scoped_release release;
             rgw_user_t* raw = nullptr;
             check(rgw_user_get(s.get(), c_arg(uid), &raw));
             UserPtr u(raw);
             return user_from(u.get());
           })
      .def("get_user_by_access_key",
           [](Store& s, const std::string& ak) {
             py::gil_scoped_release release;
             return find_user(s, RGW_CREDENTIAL_S3_ACCESS_KEY, ak);
           })
      .def("get_user_by_swift_user",
           [](Store& s, const std::string& su) {
             py::gil_scoped_release release;
             return find_user(s, RGW_CREDENTIAL_SWIFT_USER, su);
           })
      .def("list_users",
           [](Store& s) {
             py::gil_scoped_release release;
             char** uids = nullptr;
             check(rgw_user_list(s.get(), &uids));
             return take_strings(uids);
           })
      .def(
          "modify_user",
          [](Store& s, const std::string& uid, std::optional<std::string> display_name,
             std::optional<std::string> email, std::optional<bool> suspended,
             std::optional<Attrs> attrs) {
            rgw_user_t* raw = nullptr;
            check(rgw_user_new(c_arg(uid), &raw));
            UserPtr h(raw);
            if (display_name) check(rgw_user_set_display_name(h.get(), display_name->c_str()));
            if (email) check(rgw_user_set_email(h.get(), email->c_str()));
            if (suspended) check(rgw_user_set_suspended(h.get(), *suspended));
            if (attrs) {
              check(rgw_user_clear_attrs(h.get()));  // the whole new set
              for (const auto& [name, value] : *attrs)
                check(rgw_user_set_attr(h.get(), c_arg(name), c_arg(value)));
            }
            py::gil_scoped_release release;
            check(rgw_user_modify(s.get(), h.get()));
          },
          py::arg("uid"), py::arg("display_name") = py::none(), py::arg("email") = py::none(),
          py::arg("suspended") = py::none(), py::arg("attrs") = py::none())
      .def("add_access_key",
           [](Store& s, const std::string& uid, const AccessKey& k) {
             py::gil_scoped_release release;
             check(rgw_user_key_add(s.get(), c_arg(uid), c_arg(k.access_key), c_arg(k.secret_key)));
           })
      .def("remove_access_key",
           [](Store& s, const std::string& uid, const std::string& ak) {
             py::gil_scoped_release release;
             check(rgw_user_key_remove(s.get(), c_arg(uid), c_arg(ak)));
           })
      .def("set_swift_credentials",
           [](Store& s, const std::string& uid, const std::string& su, const std::string& sk) {
             py::gil_scoped_release release;
             check(rgw_user_set_swift_credentials(s.get(), c_arg(uid), c_arg(su), c_key(sk)));
           })
      .def("remove_user",
           [](Store& s, const std::string& uid) {
             py::gil_scoped_release release;
             check(rgw_user_remove(s.get(), c_arg(uid)));
           })
      // buckets
      .def("create_bucket",
           [](Store& s, const BucketInfo& b) {
             BucketPtr h = bucket_to_c(b);
             py::gil_scoped_release release;
             rgw_bucket_t* raw = nullptr;
             check(rgw_bucket_add(s.get(), h.get(), &raw));
             BucketPtr created(raw);
             return bucket_from(created.get());
           })
      .def("get_bucket",
           [](Store& s, const std::string& name) {
             py::gil_scoped_release release;
             rgw_bucket_t* raw = nullptr;
             check(rgw_bucket_get(s.get(), c_bucket(name), &raw));
             BucketPtr b(raw);
             return bucket_from(b.get());
           })
      .def("update_bucket",
           [](Store& s, const BucketInfo& b) {
             BucketPtr h = bucket_to_c(b);
             py::gil_scoped_release release;
             check(rgw_bucket_update(s.get(), h.get()));
           })
      .def("list_buckets",
           [](Store& s, const std::string& owner) {
             py::gil_scoped_release release;
             rgw_bucket_listing_t* raw = nullptr;
             check(rgw_bucket_list_v2(s.get(), c_arg(owner), &raw));
             std::unique_ptr<rgw_bucket_listing_t,
                             Freer<rgw_bucket_listing_t, rgw_bucket_listing_free>>
                 list(raw);
             std::vector<BucketInfo> out;
             size_t n = rgw_bucket_listing_count(list.get());
             for (size_t i = 0; i < n; ++i)
               out.push_back(bucket_from(rgw_bucket_listing_at(list.get(), i)));
             return out;
           })
      .def("remove_bucket",
           [](Store& s, const std::string& name) {
             py::gil_scoped_release release;
             check(rgw_bucket_remove(s.get(), c_bucket(name)));
           })
      .def("bucket_stats",
           [](Store& s, const std::string& name) {
             uint64_t objects = 0, bytes = 0;
             {
               py::gil_scoped_release release;
               check(rgw_bucket_stat(s.get(), c_bucket(name), nullptr, 0, &objects, &bytes));
             }
             return BucketStats{objects, bytes};
           })
      .def(
          "gc",
          [](Store& s, int64_t grace, py::object progress) {
            uint64_t objects = 0, bytes = 0, repaired = 0;
            // progress(GcReport so far), called on this thread with the GIL;
            // an exception it raises is raised once the pass is over.
            struct Ctx {
              py::object fn;
              std::optional<py::error_already_set> error;
            } ctx{progress, std::nullopt};
            auto cb = [](uint64_t o, uint64_t b, uint64_t r, void* arg) {
              auto* c = static_cast<Ctx*>(arg);
              py::gil_scoped_acquire acquire;
              if (c->error) return;
              try {
                c->fn(GcReport{o, b, r});
              } catch (py::error_already_set& e) {
                c->error = std::move(e);
              }
            };
            int rc;
            {
              py::gil_scoped_release release;
              rc = rgw_gc_run_progress(s.get(), grace, progress.is_none() ? nullptr : +cb, &ctx,
                                       &objects, &bytes, &repaired);
            }
            if (ctx.error) throw std::move(*ctx.error);
            check(rc);
            return GcReport{objects, bytes, repaired};
          },
          py::arg("grace"), py::arg("progress") = py::none())
      .def(
          "expire",
          [](Store& s, const std::string& holder, int64_t lease_seconds, size_t batch,
             py::object progress) {
            // progress(ExpireReport so far, [(bucket, key) removed]) after
            // each batch, on this thread with the GIL; a true return ends the
            // pass after the batch; an exception ends it and is raised.
            struct Ctx {
              py::object fn;
              std::optional<py::error_already_set> error;
            } ctx{progress, std::nullopt};
            auto cb = [](const rgw_expire_report_t* r, size_t n, const char* const* buckets,
                         const char* const* keys, void* arg) -> int {
              auto* c = static_cast<Ctx*>(arg);
              py::gil_scoped_acquire acquire;
              if (c->error) return 1;
              try {
                py::list removed;
                for (size_t i = 0; i < n; ++i)
                  removed.append(py::make_tuple(py::str(buckets[i]), py::str(keys[i])));
                py::object stop = c->fn(ExpireReport{r->removed_objects, r->stale_entries,
                                                     r->shards_done, r->shards_busy},
                                        removed);
                return stop.is_none() ? 0 : static_cast<int>(py::bool_(stop));
              } catch (py::error_already_set& e) {
                c->error = std::move(e);
                return 1;
              }
            };
            rgw_expire_report_t out{};
            int rc;
            {
              py::gil_scoped_release release;
              rc = rgw_expire_run(s.get(), c_arg(holder), lease_seconds, batch,
                                  progress.is_none() ? nullptr : +cb, &ctx, &out);
            }
            if (ctx.error) throw std::move(*ctx.error);
            check(rc);
            return ExpireReport{out.removed_objects, out.stale_entries, out.shards_done,
                                out.shards_busy};
          },
          py::arg("holder"), py::arg("lease_seconds"), py::arg("batch") = 0,
          py::arg("progress") = py::none())
      .def(
          "lifecycle",
          [](Store& s, const std::string& holder, int64_t lease_seconds, py::object bucket,
             int64_t day_seconds, py::object progress) {
            // progress(LifecycleReport so far, bucket, key, what) after each
            // object expired or upload aborted, on this thread with the GIL;
            // a true return ends the pass; an exception ends it and is raised.
            struct Ctx {
              py::object fn;
              std::optional<py::error_already_set> error;
            } ctx{progress, std::nullopt};
            auto cb = [](const rgw_lifecycle_report_t* r, const char* b, const char* key,
                         const char* what, void* arg) -> int {
              auto* c = static_cast<Ctx*>(arg);
              py::gil_scoped_acquire acquire;
              if (c->error) return 1;
              try {
                py::object stop =
                    c->fn(LifecycleReport{r->buckets, r->busy_buckets, r->expired_objects,
                                          r->aborted_uploads, r->bad_configurations,
                                          r->noncurrent_versions, r->delete_markers},
                          py::str(b), py::str(key), py::str(what));
                return stop.is_none() ? 0 : static_cast<int>(py::bool_(stop));
              } catch (py::error_already_set& e) {
                c->error = std::move(e);
                return 1;
              }
            };
            std::string name = bucket.is_none() ? std::string() : bucket.cast<std::string>();
            rgw_lifecycle_report_t out{};
            int rc;
            {
              py::gil_scoped_release release;
              rc = rgw_lifecycle_run(s.get(), c_arg(holder), lease_seconds,
                                     name.empty() ? nullptr : name.c_str(), day_seconds,
                                     progress.is_none() ? nullptr : +cb, &ctx, &out);
            }
            if (ctx.error) throw std::move(*ctx.error);
            check(rc);
            return LifecycleReport{
                out.buckets,         out.busy_buckets,       out.expired_objects,
                out.aborted_uploads, out.bad_configurations, out.noncurrent_versions,
                out.delete_markers};
          },
          py::arg("holder"), py::arg("lease_seconds"), py::arg("bucket") = py::none(),
          py::arg("day_seconds") = 0, py::arg("progress") = py::none());
}

}  // namespace

// ----------------------------------------------------------------- errors

void bind_errors(py::module_& m) {
  py::list codes;
#define PYRGW_ERROR_ENTRY_(name, code, short_name, kind, meaning) \
  codes.append(py::make_tuple(short_name, code, kind, meaning));
  RGW_ERROR_LIST(PYRGW_ERROR_ENTRY_)
#undef PYRGW_ERROR_ENTRY_
  m.attr("error_codes") = codes;
  m.def("strerror", &rgw_strerror, "Short name of a librgw error code");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const CallError& e) {
      py::object exc = py::module_::import("pyrgw.errors").attr("error_for")(e.code, e.message);
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
    }
  });
}

}  // namespace pyrgw

PYBIND11_MODULE(_librgw, m) {
  using namespace pyrgw;
  m.doc() = "librgw's C API, used through the pyrgw package";
  m.attr("version") = rgw_version();
  m.attr("version_code") = rgw_version_code();
  m.attr("header_version_code") = LIBRGW_VERSION_CODE;
  bind_errors(m);
  bind_types(m);
  py::class_<Store> store(m, "Store");
  bind_store(store);
  bind_objects(m, store);
  bind_multipart(m, store);
  bind_gateway(m);
}
