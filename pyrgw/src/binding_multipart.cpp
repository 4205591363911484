// binding_multipart.cpp - multipart uploads for Python, over the C API.
#include "binding_util.h"

namespace pyrgw {

namespace {

struct UploadInfo {
  std::string upload_id, key;
  int64_t initiated_ns = 0;
  Attrs attrs;
  Acl policy;
};

struct PartInfo {
  int number = 0;
  uint64_t size = 0;
  std::string etag;
  int64_t mtime_ns = 0;
};

using UploadPtr = std::unique_ptr<rgw_upload_t, Freer<rgw_upload_t, rgw_upload_free>>;

UploadInfo upload_from(const rgw_upload_t* u) {
  UploadInfo info;
  info.upload_id = rgw_upload_id(u);
  info.key = rgw_upload_key(u);
  info.initiated_ns = rgw_upload_initiated_ns(u);
  info.attrs = attrs_of(u, rgw_upload_attr_count, rgw_upload_attr_at);
  info.policy = acl_from(rgw_upload_acl(u));
  return info;
}

}  // namespace

void bind_multipart(py::module_& m, py::class_<Store>& store) {
  py::class_<UploadInfo>(m, "UploadInfo")
      .def_readonly("upload_id", &UploadInfo::upload_id)
      .def_readonly("key", &UploadInfo::key)
      .def_readonly("initiated_ns", &UploadInfo::initiated_ns)
      .def_readonly("attrs", &UploadInfo::attrs)
      .def_readonly("policy", &UploadInfo::policy)
      .def("__repr__", [](const UploadInfo& u) {
        return "<UploadInfo key=" + py::repr(py::str(u.key)).cast<std::string>() +
               " upload_id=" + u.upload_id + ">";
      });

  py::class_<PartInfo>(m, "PartInfo")
      .def(py::init([](int number, uint64_t size, std::string etag, int64_t mtime_ns) {
             return PartInfo{number, size, std::move(etag), mtime_ns};
           }),
           py::arg("number"), py::arg("size"), py::arg("etag"), py::arg("mtime_ns") = 0)
      .def_readonly("number", &PartInfo::number)
      .def_readonly("size", &PartInfo::size)
      .def_readonly("etag", &PartInfo::etag)
      .def_readonly("mtime_ns", &PartInfo::mtime_ns)
      .def("__repr__", [](const PartInfo& p) {
        return "<PartInfo number=" + std::to_string(p.number) + " size=" + std::to_string(p.size) +
               " etag=" + p.etag + ">";
      });

  store
      .def(
          "create_upload",
          [](Store& s, const std::string& bucket, const std::string& key, const Attrs& attrs,
             const std::optional<Acl>& policy, int64_t delete_at) {
            rgw_write_opts_t* raw = nullptr;
            check(rgw_write_opts_new(&raw));
            WriteOptsPtr opts(raw);
            AttrsPtr a = attrs_to_c(attrs);
            check(rgw_write_opts_set_attrs(opts.get(), a.get()));
            if (policy) {
              AclPtr acl = acl_to_c(*policy);
              check(rgw_write_opts_set_acl(opts.get(), acl.get()));
            }
            if (delete_at) check(rgw_write_opts_set_delete_at(opts.get(), delete_at));
            py::gil_scoped_release release;
            rgw_upload_t* u = nullptr;
            check(rgw_upload_create(s.get(), c_bucket(bucket), c_key(key), opts.get(), &u));
            UploadPtr up(u);
            return upload_from(up.get());
          },
          py::arg("bucket"), py::arg("key"), py::arg("attrs") = Attrs{},
          py::arg("policy") = py::none(), py::arg("delete_at") = 0)
      .def("get_upload",
           [](Store& s, const std::string& bucket, const std::string& id) {
             py::gil_scoped_release release;
             rgw_upload_t* u = nullptr;
             check(rgw_upload_get(s.get(), c_bucket(bucket), c_arg(id), &u));
             UploadPtr up(u);
             return upload_from(up.get());
           })
      .def(
          "open_part_writer",
          [](Store& s, const std::string& bucket, const std::string& upload_id, int number) {
            rgw_writer_t* w = nullptr;
            {
              py::gil_scoped_release release;
              check(rgw_part_writer_open(s.get(), c_bucket(bucket), c_arg(upload_id), number, &w));
            }
            return wrap_writer(s, w);
          },
          py::arg("bucket"), py::arg("upload_id"), py::arg("part_number"))
      .def("list_parts",
           [](Store& s, const std::string& bucket, const std::string& id) {
             py::gil_scoped_release release;
             rgw_part_listing_t* raw = nullptr;
             check(rgw_upload_list_parts(s.get(), c_bucket(bucket), c_arg(id), &raw));
             std::unique_ptr<rgw_part_listing_t, Freer<rgw_part_listing_t, rgw_part_listing_free>>
                 parts(raw);
             std::vector<PartInfo> out;
             size_t n = rgw_part_listing_count(raw);
             for (size_t i = 0; i < n; ++i) {
               PartInfo p;
               const char* etag = "";
               if (rgw_part_listing_at(raw, i, &p.number, &p.size, &etag, &p.mtime_ns) == 0) {
                 p.etag = etag;
                 out.push_back(std::move(p));
               }
             }
             return out;
           })
      .def("list_uploads",
           [](Store& s, const std::string& bucket, const std::string& prefix,
              const std::string& after_key, const std::string& after_id, size_t limit) {
             py::gil_scoped_release release;
             rgw_upload_listing_t* raw = nullptr;
             check(rgw_upload_list(s.get(), c_bucket(bucket), c_arg(prefix), c_arg(after_key),
                                   c_arg(after_id), limit, &raw));
             std::unique_ptr<rgw_upload_listing_t,
                             Freer<rgw_upload_listing_t, rgw_upload_listing_free>>
                 list(raw);
             std::vector<UploadInfo> out;
             size_t n = rgw_upload_listing_count(raw);
             for (size_t i = 0; i < n; ++i)
               out.push_back(upload_from(rgw_upload_listing_at(raw, i)));
             return out;
           })
      .def("complete_upload",
           [](Store& s, const std::string& bucket, const std::string& id,
              const std::vector<std::pair<int, std::string>>& parts, const std::string& etag) {
             std::vector<int> numbers;
             std::vector<const char*> etags;
             for (const auto& [n, e] : parts) {
               numbers.push_back(n);
               etags.push_back(c_arg(e));
             }
             py::gil_scoped_release release;
             rgw_object_t* raw = nullptr;
             check(rgw_upload_complete(s.get(), c_bucket(bucket), c_arg(id), parts.size(),
                                       numbers.data(), etags.data(), c_arg(etag), &raw));
             return take_object(raw);
           })
      .def("abort_upload", [](Store& s, const std::string& bucket, const std::string& id) {
        py::gil_scoped_release release;
        check(rgw_upload_abort(s.get(), c_bucket(bucket), c_arg(id)));
      });
}

}  // namespace pyrgw
