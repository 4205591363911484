// binding.cpp - pyrgw._librgw: the librgw core for Python.
//
// A thin layer: every call goes straight to the C++ core with the GIL
// released while it works.  Core errors become the typed exceptions of
// pyrgw.errors (chosen by code there, so the mapping lives in one place).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>

#include "errors.h"
#include "librgw/librgw.h"
#include "store.h"

namespace py = pybind11;
using namespace rgw;

void bind_gateway(py::module_& m);  // binding_gateway.cpp

namespace {

using nogil = py::call_guard<py::gil_scoped_release>;

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

// Writers and readers share ownership of their store, so that closing (or
// dropping) the Store object cannot free it while they are in use.
class PyWriter {
 public:
  PyWriter(std::shared_ptr<Store> store, std::unique_ptr<ObjectWriter> w)
      : store_(std::move(store)), w_(std::move(w)) {}
  void write(py::handle data) {
    if (!w_) fail(RGW_ERR_INVALID_ARGUMENT, "writer is closed");
    ContiguousBuffer buf(data, false);
    py::gil_scoped_release release;
    w_->write(buf.data(), buf.size());
  }
  ObjectInfo commit(const Attrs& attrs, int64_t delete_at, const std::string& etag) {
    if (!w_) fail(RGW_ERR_INVALID_ARGUMENT, "writer is closed");
    py::gil_scoped_release release;
    ObjectInfo info = w_->commit(attrs, delete_at, etag);
    w_.reset();
    return info;
  }
  void abort() {
    if (!w_) return;
    py::gil_scoped_release release;
    w_->abort();
    w_.reset();
  }
  uint64_t bytes_written() const { return w_ ? w_->bytes_written() : 0; }

 private:
  std::shared_ptr<Store> store_;  // declared first: destroyed after the writer
  std::unique_ptr<ObjectWriter> w_;
};

class PyReader {
 public:
  PyReader(std::shared_ptr<Store> store, std::unique_ptr<ObjectReader> r)
      : store_(std::move(store)), r_(std::move(r)) {}
  const ObjectInfo& info() const { return r_->info(); }
  // Reads up to n bytes (all that remain when n < 0) into one bytes object,
  // allocated once at its final size and filled with the GIL released.
  py::bytes read(int64_t n) {
    uint64_t want = r_->remaining();
    if (n >= 0 && static_cast<uint64_t>(n) < want) want = static_cast<uint64_t>(n);
    PyObject* obj = PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(want));
    if (!obj) throw py::error_already_set();
    py::bytes out = py::reinterpret_steal<py::bytes>(obj);
    char* p = PyBytes_AS_STRING(obj);
    uint64_t got = 0;
    {
      py::gil_scoped_release release;
      while (got < want) {
        size_t k = r_->read(p + got, static_cast<size_t>(want - got));
        if (k == 0) break;
        got += k;
      }
    }
    if (got < want) out = py::bytes(p, static_cast<size_t>(got));
    return out;
  }
  uint64_t remaining() const { return r_->remaining(); }
  size_t readinto(py::handle target) {
    ContiguousBuffer buf(target, true);
    py::gil_scoped_release release;
    return r_->read(buf.data(), buf.size());
  }

 private:
  std::shared_ptr<Store> store_;  // declared first: destroyed after the reader
  std::unique_ptr<ObjectReader> r_;
};

class PyStore {
 public:
  explicit PyStore(const std::string& uri) {
    py::gil_scoped_release release;
    s_ = std::shared_ptr<Store>(open_store(uri));
  }
  Store& s() {
    if (!s_) fail(RGW_ERR_INVALID_ARGUMENT, "store is closed");
    return *s_;
  }
  // Lets go of the store; it closes once no writer or reader uses it.
  void close() {
    py::gil_scoped_release release;
    s_.reset();
  }
  PyWriter open_writer(const std::string& bucket, const std::string& key) {
    s();
    std::unique_ptr<ObjectWriter> w;
    {
      py::gil_scoped_release release;
      w = s_->open_writer(bucket, key);
    }
    return PyWriter(s_, std::move(w));
  }
  PyWriter open_part_writer(const std::string& bucket, const std::string& upload_id, int number) {
    s();
    std::unique_ptr<ObjectWriter> w;
    {
      py::gil_scoped_release release;
      w = s_->open_part_writer(bucket, upload_id, number);
    }
    return PyWriter(s_, std::move(w));
  }
  PyReader open_reader(const std::string& bucket, const std::string& key, uint64_t offset,
                       int64_t length) {
    s();
    std::unique_ptr<ObjectReader> r;
    {
      py::gil_scoped_release release;
      r = s_->open_reader(bucket, key, offset, length);
    }
    return PyReader(s_, std::move(r));
  }

 private:
  std::shared_ptr<Store> s_;
};

}  // namespace

PYBIND11_MODULE(_librgw, m) {
  m.doc() = "librgw core (C++), used through the pyrgw package";
  m.attr("version") = rgw_version();

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      py::object exc = py::module_::import("pyrgw.errors").attr("error_for")(e.code(), e.what());
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
    }
  });
  m.def("strerror", &rgw_strerror, "Short name of a librgw error code");
  bind_gateway(m);

  py::enum_<Versioning>(m, "Versioning")
      .value("unversioned", Versioning::unversioned)
      .value("enabled", Versioning::enabled)
      .value("suspended", Versioning::suspended);

  py::class_<AccessKey>(m, "AccessKey")
      .def(py::init<>())
      .def(py::init([](std::string a, std::string s) { return AccessKey{std::move(a), std::move(s)}; }))
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
      .def_readwrite("suspended", &User::suspended);

  py::class_<BucketInfo>(m, "BucketInfo")
      .def(py::init<>())
      .def_readwrite("name", &BucketInfo::name)
      .def_readwrite("owner", &BucketInfo::owner)
      .def_readonly("id", &BucketInfo::id)
      .def_readonly("created_ns", &BucketInfo::created_ns)
      .def_readwrite("versioning", &BucketInfo::versioning)
      .def_readwrite("acl", &BucketInfo::acl)
      .def_readwrite("attrs", &BucketInfo::attrs);

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
      .def("__repr__", [](const ObjectInfo& o) {
        return "<ObjectInfo key=" + py::repr(py::str(o.key)).cast<std::string>() +
               " size=" + std::to_string(o.size) + " etag=" + o.etag + ">";
      });

  py::class_<ListResult>(m, "ListResult")
      .def_readonly("objects", &ListResult::objects)
      .def_readonly("common_prefixes", &ListResult::common_prefixes)
      .def_readonly("truncated", &ListResult::truncated)
      .def_readonly("next_marker", &ListResult::next_marker);

  py::class_<UploadInfo>(m, "UploadInfo")
      .def_readonly("upload_id", &UploadInfo::upload_id)
      .def_readonly("key", &UploadInfo::key)
      .def_readonly("initiated_ns", &UploadInfo::initiated_ns)
      .def_readonly("attrs", &UploadInfo::attrs)
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

  py::class_<BucketStats>(m, "BucketStats")
      .def_readonly("num_objects", &BucketStats::num_objects)
      .def_readonly("size_bytes", &BucketStats::size_bytes);

  py::class_<GcReport>(m, "GcReport")
      .def_readonly("removed_objects", &GcReport::removed_objects)
      .def_readonly("removed_bytes", &GcReport::removed_bytes)
      .def_readonly("repaired_entries", &GcReport::repaired_entries);

  py::class_<PyWriter>(m, "Writer")
      .def("write", &PyWriter::write, py::arg("data"))
      .def("commit", &PyWriter::commit, py::arg("attrs") = Attrs{}, py::arg("delete_at") = 0,
           py::arg("etag") = "")
      .def("abort", &PyWriter::abort)
      .def_property_readonly("bytes_written", &PyWriter::bytes_written);

  py::class_<PyReader>(m, "Reader")
      .def_property_readonly("info", &PyReader::info)
      .def("read", &PyReader::read, py::arg("n") = -1)
      .def_property_readonly("remaining", &PyReader::remaining)
      .def("readinto", &PyReader::readinto, py::arg("buffer"));

  py::class_<PyStore>(m, "Store")
      .def(py::init<const std::string&>(), py::arg("uri"))
      .def("close", &PyStore::close)
      .def("create_user", [](PyStore& s, const User& u) { s.s().create_user(u); }, nogil())
      .def("get_user", [](PyStore& s, const std::string& uid) { return s.s().get_user(uid); }, nogil())
      .def("get_user_by_access_key",
           [](PyStore& s, const std::string& ak) { return s.s().get_user_by_access_key(ak); }, nogil())
      .def("get_user_by_swift_user",
           [](PyStore& s, const std::string& su) { return s.s().get_user_by_swift_user(su); }, nogil())
      .def("list_users", [](PyStore& s) { return s.s().list_users(); }, nogil())
      .def("add_access_key",
           [](PyStore& s, const std::string& uid, const AccessKey& k) { s.s().add_access_key(uid, k); },
           nogil())
      .def("remove_access_key",
           [](PyStore& s, const std::string& uid, const std::string& ak) { s.s().remove_access_key(uid, ak); },
           nogil())
      .def("set_swift_credentials",
           [](PyStore& s, const std::string& uid, const std::string& su, const std::string& sk) {
             s.s().set_swift_credentials(uid, su, sk);
           },
           nogil())
      .def("remove_user", [](PyStore& s, const std::string& uid) { s.s().remove_user(uid); }, nogil())
      .def("create_bucket", [](PyStore& s, const BucketInfo& b) { return s.s().create_bucket(b); }, nogil())
      .def("get_bucket", [](PyStore& s, const std::string& n) { return s.s().get_bucket(n); }, nogil())
      .def("update_bucket", [](PyStore& s, const BucketInfo& b) { s.s().update_bucket(b); }, nogil())
      .def("list_buckets", [](PyStore& s, const std::string& owner) { return s.s().list_buckets(owner); },
           nogil())
      .def("remove_bucket", [](PyStore& s, const std::string& n) { s.s().remove_bucket(n); }, nogil())
      .def("bucket_stats", [](PyStore& s, const std::string& n) { return s.s().bucket_stats(n); }, nogil())
      .def("open_writer", &PyStore::open_writer, py::arg("bucket"), py::arg("key"))
      .def("open_reader", &PyStore::open_reader, py::arg("bucket"), py::arg("key"),
           py::arg("offset") = 0, py::arg("length") = -1)
      .def("stat_object",
           [](PyStore& s, const std::string& b, const std::string& k) { return s.s().stat_object(b, k); },
           nogil())
      .def("remove_object",
           [](PyStore& s, const std::string& b, const std::string& k) { s.s().remove_object(b, k); },
           nogil())
      .def("list_objects",
           [](PyStore& s, const std::string& b, const std::string& prefix, const std::string& delimiter,
              const std::string& marker, unsigned max_keys) {
             ListParams p;
             p.prefix = prefix;
             p.delimiter = delimiter;
             p.marker = marker;
             p.max_keys = max_keys;
             return s.s().list_objects(b, p);
           },
           nogil())
      .def("copy_object",
           [](PyStore& s, const std::string& sb, const std::string& sk, const std::string& db,
              const std::string& dk, std::optional<Attrs> attrs) {
             return s.s().copy_object(sb, sk, db, dk, attrs ? &*attrs : nullptr);
           },
           nogil())
      .def("update_object_attrs",
           [](PyStore& s, const std::string& b, const std::string& k, const Attrs& attrs,
              const std::string& expected_etag) {
             return s.s().update_object_attrs(b, k, attrs, expected_etag);
           },
           nogil())
      .def("create_upload",
           [](PyStore& s, const std::string& b, const std::string& k, const Attrs& attrs) {
             return s.s().create_upload(b, k, attrs);
           },
           nogil())
      .def("get_upload",
           [](PyStore& s, const std::string& b, const std::string& id) { return s.s().get_upload(b, id); },
           nogil())
      .def("open_part_writer", &PyStore::open_part_writer, py::arg("bucket"), py::arg("upload_id"),
           py::arg("part_number"))
      .def("list_parts",
           [](PyStore& s, const std::string& b, const std::string& id) { return s.s().list_parts(b, id); },
           nogil())
      .def("list_uploads",
           [](PyStore& s, const std::string& b, const std::string& prefix,
              const std::string& after_key, const std::string& after_id, size_t limit) {
             return s.s().list_uploads(b, prefix, after_key, after_id, limit);
           },
           nogil())
      .def("complete_upload",
           [](PyStore& s, const std::string& b, const std::string& id,
              const std::vector<std::pair<int, std::string>>& parts, const std::string& etag) {
             return s.s().complete_upload(b, id, parts, etag);
           },
           nogil())
      .def("abort_upload",
           [](PyStore& s, const std::string& b, const std::string& id) { s.s().abort_upload(b, id); },
           nogil())
      .def("gc",
           [](PyStore& s, int64_t grace) {
             GcOptions o;
             o.grace_seconds = grace;
             return s.s().gc(o);
           },
           nogil());
}
