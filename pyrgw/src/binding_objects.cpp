// binding_objects.cpp - objects for Python: writers, readers, stat, remove,
// copy, in-place updates and listings, over the C API.
#include "binding_util.h"

namespace pyrgw {

namespace {

// A contiguous view of a Python buffer (bytes, bytearray, memoryview, ...),
// released on scope exit.  Strided views are refused (BufferError): their
// bytes are not one run of memory.
class ContiguousBuffer {
 public:
  ContiguousBuffer(py::handle obj, bool writable) {
    if (PyObject_GetBuffer(obj.ptr(), &view_, PyBUF_SIMPLE | (writable ? PyBUF_WRITABLE : 0)) != 0)
      throw py::error_already_set();
  }
  ~ContiguousBuffer() { PyBuffer_Release(&view_); }
  ContiguousBuffer(const ContiguousBuffer&) = delete;
  ContiguousBuffer& operator=(const ContiguousBuffer&) = delete;
  char* data() { return static_cast<char*>(view_.buf); }
  size_t size() const { return static_cast<size_t>(view_.len); }

 private:
  Py_buffer view_;
};

// Write options from Python arguments (each optional).
WriteOptsPtr write_opts(const std::optional<Attrs>& attrs, const std::optional<Acl>& policy,
                        std::optional<int64_t> delete_at, const std::string& etag,
                        const std::string& if_match, const std::string& version_id) {
  rgw_write_opts_t* raw = nullptr;
  check(rgw_write_opts_new(&raw));
  WriteOptsPtr opts(raw);
  if (attrs) {
    AttrsPtr a = attrs_to_c(*attrs);
    check(rgw_write_opts_set_attrs(opts.get(), a.get()));
  }
  if (policy) {
    AclPtr acl = acl_to_c(*policy);
    check(rgw_write_opts_set_acl(opts.get(), acl.get()));
  }
  if (delete_at) check(rgw_write_opts_set_delete_at(opts.get(), *delete_at));
  if (!etag.empty()) check(rgw_write_opts_set_etag(opts.get(), c_arg(etag)));
  if (!if_match.empty()) check(rgw_write_opts_set_if_match(opts.get(), c_arg(if_match)));
  if (!version_id.empty()) check(rgw_write_opts_set_version(opts.get(), c_arg(version_id)));
  return opts;
}

ReadOptsPtr read_opts(uint64_t offset, int64_t length, const std::string& version_id) {
  rgw_read_opts_t* raw = nullptr;
  check(rgw_read_opts_new(&raw));
  ReadOptsPtr opts(raw);
  check(rgw_read_opts_set_range(opts.get(), offset, length));
  if (!version_id.empty()) check(rgw_read_opts_set_version(opts.get(), c_arg(version_id)));
  return opts;
}

// Opens a reader (the GIL released); the common case -- the current version
// -- needs no options handle.
rgw_reader_t* open_reader(Store& s, const std::string& bucket, const std::string& key,
                          uint64_t offset, int64_t length, const std::string& version_id) {
  ReadOptsPtr opts = version_id.empty() ? ReadOptsPtr() : read_opts(offset, length, version_id);
  const char* b = c_bucket(bucket);
  const char* k = c_key(key);
  rgw_reader_t* r = nullptr;
  py::gil_scoped_release release;
  if (opts)
    check(rgw_reader_open_v2(s.get(), b, k, opts.get(), &r));
  else
    check(rgw_reader_open(s.get(), b, k, offset, length, &r));
  return r;
}

// Reads up to n bytes (all that remain when n < 0) into one bytes object,
// allocated once at its final size and filled with the GIL released.
py::bytes read_into_bytes(rgw_reader_t* r, int64_t n) {
  uint64_t want = rgw_reader_remaining(r);
  if (n >= 0 && static_cast<uint64_t>(n) < want) want = static_cast<uint64_t>(n);
  PyObject* obj = PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(want));
  if (!obj) throw py::error_already_set();
  py::bytes out = py::reinterpret_steal<py::bytes>(obj);
  char* p = PyBytes_AS_STRING(obj);
  uint64_t got = 0;
  {
    py::gil_scoped_release release;
    while (got < want) {
      int64_t k = check(rgw_reader_read(r, p + got, static_cast<size_t>(want - got)));
      if (k == 0) break;
      got += static_cast<uint64_t>(k);
    }
  }
  if (got < want) out = py::bytes(p, static_cast<size_t>(got));
  return out;
}

struct ListResult {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_marker;
  std::string next_version_marker;
};

}  // namespace

ObjectInfo take_object(rgw_object_t* raw) {
  ObjectPtr o(raw);
  return object_from(o.get());
}

// A writer keeps its store open while it lives.
class Writer {
 public:
  Writer(std::shared_ptr<rgw_store_t> store, rgw_writer_t* w) : store_(std::move(store)), w_(w) {}
  ~Writer() { rgw_writer_free(w_); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void write(py::handle data) {
    if (!w_) throw CallError{RGW_ERR_INVALID_ARGUMENT, "writer is closed"};
    ContiguousBuffer buf(data, false);
    py::gil_scoped_release release;
    check(rgw_writer_write(w_, buf.data(), buf.size()));
  }
  ObjectInfo commit(const Attrs& attrs, int64_t delete_at, const std::string& etag,
                    const std::optional<Acl>& policy) {
    if (!w_) throw CallError{RGW_ERR_INVALID_ARGUMENT, "writer is closed"};
    WriteOptsPtr opts = write_opts(attrs, policy, delete_at, etag, "", "");
    rgw_object_t* raw = nullptr;
    {
      py::gil_scoped_release release;
      int rc = rgw_writer_commit_v2(w_, opts.get(), &raw);
      if (rc < 0) {
        CallError e{rc, rgw_last_error()};
        close();
        throw e;
      }
      close();
    }
    return take_object(raw);
  }
  void abort() {
    py::gil_scoped_release release;
    close();
  }
  uint64_t bytes_written() const { return w_ ? rgw_writer_bytes(w_) : 0; }

 private:
  void close() {
    rgw_writer_free(w_);  // aborts unless committed
    w_ = nullptr;
  }
  std::shared_ptr<rgw_store_t> store_;  // declared first: outlives the writer
  rgw_writer_t* w_;
};

// A reader keeps its store open while it lives.
class Reader {
 public:
  Reader(std::shared_ptr<rgw_store_t> store, rgw_reader_t* r) : store_(std::move(store)), r_(r) {}
  ~Reader() { rgw_reader_free(r_); }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Built at first use: a plain read never pays for it.
  const ObjectInfo& info() {
    if (!info_) {
      const rgw_object_t* o = rgw_reader_object(r_);
      if (!o) throw std::bad_alloc();
      info_ = object_from(o);
    }
    return *info_;
  }
  uint64_t remaining() const { return rgw_reader_remaining(r_); }
  py::bytes read(int64_t n) { return read_into_bytes(r_, n); }
  size_t readinto(py::handle target) {
    ContiguousBuffer buf(target, true);
    py::gil_scoped_release release;
    return static_cast<size_t>(check(rgw_reader_read(r_, buf.data(), buf.size())));
  }

 private:
  std::shared_ptr<rgw_store_t> store_;  // declared first: outlives the reader
  rgw_reader_t* r_;
  std::optional<ObjectInfo> info_;
};

py::object wrap_writer(Store& s, rgw_writer_t* w) {
  return py::cast(std::make_unique<Writer>(s.shared(), w));
}

void bind_objects(py::module_& m, py::class_<Store>& store) {
  py::class_<ListResult>(m, "ListResult")
      .def_readonly("objects", &ListResult::objects)
      .def_readonly("common_prefixes", &ListResult::common_prefixes)
      .def_readonly("truncated", &ListResult::truncated)
      .def_readonly("next_marker", &ListResult::next_marker)
      .def_readonly("next_version_marker", &ListResult::next_version_marker);

  py::class_<Writer>(m, "Writer")
      .def("write", &Writer::write, py::arg("data"))
      .def("commit", &Writer::commit, py::arg("attrs") = Attrs{}, py::arg("delete_at") = 0,
           py::arg("etag") = "", py::arg("policy") = py::none())
      .def("abort", &Writer::abort)
      .def_property_readonly("bytes_written", &Writer::bytes_written);

  py::class_<Reader>(m, "Reader")
      .def_property_readonly("info", &Reader::info)
      .def("read", &Reader::read, py::arg("n") = -1)
      .def_property_readonly("remaining", &Reader::remaining)
      .def("readinto", &Reader::readinto, py::arg("buffer"));

  store
      .def(
          "open_writer",
          [](Store& s, const std::string& bucket, const std::string& key) {
            rgw_writer_t* w = nullptr;
            {
              py::gil_scoped_release release;
              check(rgw_writer_open(s.get(), c_bucket(bucket), c_key(key), &w));
            }
            return wrap_writer(s, w);
          },
          py::arg("bucket"), py::arg("key"))
      .def(
          "open_reader",
          [](Store& s, const std::string& bucket, const std::string& key, uint64_t offset,
             int64_t length, const std::string& version_id) {
            return std::make_unique<Reader>(
                s.shared(), open_reader(s, bucket, key, offset, length, version_id));
          },
          py::arg("bucket"), py::arg("key"), py::arg("offset") = 0, py::arg("length") = -1,
          py::arg("version_id") = "")
      .def(
          "read_object",
          [](Store& s, const std::string& bucket, const std::string& key, uint64_t offset,
             int64_t length, const std::string& version_id) {
            rgw_reader_t* r = open_reader(s, bucket, key, offset, length, version_id);
            std::unique_ptr<rgw_reader_t, Freer<rgw_reader_t, rgw_reader_free>> owned(r);
            return read_into_bytes(r, -1);
          },
          "The bytes of an object or of a range of it, in one call", py::arg("bucket"),
          py::arg("key"), py::arg("offset") = 0, py::arg("length") = -1, py::arg("version_id") = "")
      .def(
          "stat_object",
          [](Store& s, const std::string& bucket, const std::string& key,
             const std::string& version_id) {
            ReadOptsPtr opts = read_opts(0, -1, version_id);
            py::gil_scoped_release release;
            rgw_object_t* raw = nullptr;
            check(rgw_object_stat_v2(s.get(), c_bucket(bucket), c_key(key), opts.get(), &raw));
            return take_object(raw);
          },
          py::arg("bucket"), py::arg("key"), py::arg("version_id") = "")
      .def(
          "remove_object",
          [](Store& s, const std::string& bucket, const std::string& key,
             const std::string& version_id, const std::string& if_match) {
            WriteOptsPtr opts = write_opts({}, {}, {}, "", if_match, version_id);
            rgw_object_t* raw = nullptr;
            {
              py::gil_scoped_release release;
              check(rgw_object_remove_v3(s.get(), c_bucket(bucket), c_key(key), opts.get(), &raw));
            }
            std::optional<ObjectInfo> removed;
            if (raw) {
              removed = object_from(raw);
              rgw_object_free(raw);
            }
            return removed;
          },
          py::arg("bucket"), py::arg("key"), py::arg("version_id") = "", py::arg("if_match") = "")
      .def(
          "list_objects",
          [](Store& s, const std::string& bucket, const std::string& prefix,
             const std::string& delimiter, const std::string& marker, unsigned max_keys,
             const std::string& end_marker, const std::string& version_marker, bool versions) {
            rgw_list_opts_t* raw = nullptr;
            check(rgw_list_opts_new(&raw));
            std::unique_ptr<rgw_list_opts_t, Freer<rgw_list_opts_t, rgw_list_opts_free>> opts(raw);
            check(rgw_list_opts_set_prefix(opts.get(), c_arg(prefix)));
            check(rgw_list_opts_set_delimiter(opts.get(), c_arg(delimiter)));
            check(rgw_list_opts_set_marker(opts.get(), c_arg(marker)));
            check(rgw_list_opts_set_end_marker(opts.get(), c_arg(end_marker)));
            check(rgw_list_opts_set_version_marker(opts.get(), c_arg(version_marker)));
            check(rgw_list_opts_set_versions(opts.get(), versions ? 1 : 0));
            check(rgw_list_opts_set_max_keys(opts.get(), max_keys));
            py::gil_scoped_release release;
            rgw_listing_t* l = nullptr;
            check(rgw_object_list_v2(s.get(), c_bucket(bucket), opts.get(), &l));
            std::unique_ptr<rgw_listing_t, Freer<rgw_listing_t, rgw_listing_free>> listing(l);
            ListResult res;
            size_t n = rgw_listing_count(l);
            res.objects.reserve(n);
            for (size_t i = 0; i < n; ++i)
              res.objects.push_back(object_from(rgw_listing_object(l, i)));
            size_t np = rgw_listing_prefix_count(l);
            for (size_t i = 0; i < np; ++i)
              res.common_prefixes.emplace_back(rgw_listing_prefix(l, i));
            res.truncated = rgw_listing_truncated(l) != 0;
            res.next_marker = rgw_listing_next_marker(l);
            res.next_version_marker = rgw_listing_next_version_marker(l);
            return res;
          },
          py::arg("bucket"), py::arg("prefix") = "", py::arg("delimiter") = "",
          py::arg("marker") = "", py::arg("max_keys") = 1000, py::arg("end_marker") = "",
          py::arg("version_marker") = "", py::arg("versions") = false)
      .def("copy_object",
           [](Store& s, const std::string& sb, const std::string& sk, const std::string& db,
              const std::string& dk, const std::optional<Attrs>& attrs) {
             AttrsPtr a = attrs ? attrs_to_c(*attrs) : AttrsPtr();
             py::gil_scoped_release release;
             rgw_object_t* raw = nullptr;
             check(rgw_object_copy(s.get(), c_bucket(sb), c_key(sk), c_bucket(db), c_key(dk),
                                   a.get(), &raw));
             return take_object(raw);
           })
      .def(
          "update_object",
          [](Store& s, const std::string& bucket, const std::string& key,
             const std::optional<Attrs>& attrs, const std::optional<Acl>& policy,
             std::optional<int64_t> delete_at, const std::string& if_match,
             const std::string& version_id) {
            WriteOptsPtr opts = write_opts(attrs, policy, delete_at, "", if_match, version_id);
            py::gil_scoped_release release;
            rgw_object_t* raw = nullptr;
            check(rgw_object_update(s.get(), c_bucket(bucket), c_key(key), opts.get(), &raw));
            return take_object(raw);
          },
          py::arg("bucket"), py::arg("key"), py::arg("attrs") = py::none(),
          py::arg("policy") = py::none(), py::arg("delete_at") = py::none(),
          py::arg("if_match") = "", py::arg("version_id") = "");
}

}  // namespace pyrgw
