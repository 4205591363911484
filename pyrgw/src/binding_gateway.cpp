// binding_gateway.cpp - gateways and requests for Python (the WSGI door).
//
// The same request driver the web-server modules use: Python hands over the
// request line, headers and body chunks as bytes and pulls the response; the
// GIL is released whenever the core works.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>

#include "errors.h"
#include "gateway/gateway.h"
#include "librgw/librgw.h"
#include "s3/auth.h"
#include "s3/response.h"
#include "s3/s3_request.h"

namespace py = pybind11;
using namespace rgw;

namespace {

class PyGateway {
 public:
  explicit PyGateway(const std::map<std::string, std::string>& options) {
    GatewayConfig cfg;
    for (const auto& o : options) cfg.set(o.first, o.second);
    py::gil_scoped_release release;
    gw_ = std::make_shared<Gateway>(std::move(cfg));
  }
  std::shared_ptr<Gateway> gw() const { return gw_; }
  std::string region() const { return gw_->config().region; }

 private:
  std::shared_ptr<Gateway> gw_;
};

class PyRequest {
 public:
  PyRequest(const PyGateway& gw, const std::string& method, const std::string& uri)
      : gw_(gw.gw()), r_(std::make_unique<s3::S3Request>(*gw_, method, uri)) {}
  void add_header(const std::string& name, const std::string& value) {
    r_->add_header(name, value);
  }
  bool start() {
    py::gil_scoped_release release;
    return r_->start();
  }
  bool body(py::buffer data) {
    py::buffer_info info = data.request();
    if (info.ndim > 1 || (info.ndim == 1 && info.strides[0] != info.itemsize))
      throw py::buffer_error("body chunks must be contiguous");
    const char* p = static_cast<const char*>(info.ptr);
    size_t n = static_cast<size_t>(info.size * info.itemsize);
    py::gil_scoped_release release;
    return r_->body(p, n);
  }
  void end_body() {
    py::gil_scoped_release release;
    r_->end_body();
  }
  bool done() const { return r_->done(); }
  int status() const { return r_->response().status; }
  std::string reason() const { return s3::status_reason(r_->response().status); }
  int64_t content_length() const { return r_->response().content_length; }
  std::string request_id() const { return r_->request_id(); }
  py::list headers() const {
    py::list out;
    for (const auto& h : r_->response().headers)
      out.append(py::make_tuple(py::bytes(h.first), py::bytes(h.second)));
    return out;
  }
  // Reads up to n body bytes (b"" at the end) straight into one bytes
  // object, sized to what remains of the body.
  py::bytes read(size_t n) {
    int64_t length = r_->response().content_length;
    if (length >= 0 && static_cast<uint64_t>(length) >= delivered_ &&
        n > static_cast<uint64_t>(length) - delivered_)
      n = static_cast<size_t>(static_cast<uint64_t>(length) - delivered_);
    PyObject* obj = PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(n));
    if (!obj) throw py::error_already_set();
    size_t got = 0;
    {
      py::gil_scoped_release release;
      while (got < n) {
        size_t k = r_->read(PyBytes_AS_STRING(obj) + got, n - got);
        if (k == 0) break;
        got += k;
      }
    }
    delivered_ += got;
    if (got < n && _PyBytes_Resize(&obj, static_cast<Py_ssize_t>(got)) != 0)
      throw py::error_already_set();
    return py::reinterpret_steal<py::bytes>(obj);
  }

 private:
  std::shared_ptr<Gateway> gw_;  // declared first: outlives the request
  std::unique_ptr<s3::S3Request> r_;
  uint64_t delivered_ = 0;       // body bytes handed to Python so far
};

// A gateway configuration through the C API only (rgw_config_*), as any
// door sees it: pyrgw.options and the doors written in Python use it to
// check and read options with the core's own parsers and messages.
class RgwConfig {
 public:
  RgwConfig() { check(rgw_config_create(&cfg_)); }
  ~RgwConfig() { rgw_config_free(cfg_); }
  RgwConfig(const RgwConfig&) = delete;
  RgwConfig& operator=(const RgwConfig&) = delete;

  void set(const std::string& name, const std::string& value) {
    no_nul(name, name);
    no_nul(name, value);
    check(rgw_config_set(cfg_, name.c_str(), value.c_str()));
  }
  std::string get(const std::string& name) const {
    const char* v = name.find('\0') == std::string::npos ? rgw_config_get(cfg_, name.c_str())
                                                          : nullptr;
    if (!v) fail(RGW_ERR_INVALID_ARGUMENT, "unknown gateway option: " + name);
    return v;
  }
  uint64_t get_uint(const std::string& name) const {
    no_nul(name, name);
    uint64_t v = 0;
    check(rgw_config_get_uint(cfg_, name.c_str(), &v));
    return v;
  }
  bool same_gateway(const RgwConfig& other) const {
    int rc = rgw_config_same_gateway(cfg_, other.cfg_);
    check(rc);
    return rc == 1;
  }

 private:
  static void check(int rc) {
    if (rc < 0) fail(rc, rgw_last_error());
  }
  static void no_nul(const std::string& name, const std::string& s) {
    if (s.find('\0') != std::string::npos)
      fail(RGW_ERR_INVALID_ARGUMENT, name + ": a NUL is not allowed");
  }
  rgw_config_t* cfg_ = nullptr;
};

// The option table: (name, type, default, flags, doc) per option, in order.
py::list config_options() {
  py::list out;
  const char *name, *type, *def, *doc;
  unsigned flags;
  for (size_t i = 0; rgw_config_option(i, &name, &type, &def, &flags, &doc) == 0; ++i)
    out.append(py::make_tuple(name, type, def, flags, doc));
  return out;
}

}  // namespace

void bind_gateway(py::module_& m) {
  m.attr("OPT_GATEWAY") = RGW_OPT_GATEWAY;
  m.attr("OPT_DOOR") = RGW_OPT_DOOR;
  m.attr("OPT_AIO") = RGW_OPT_AIO;
  m.attr("OPT_REQUIRED") = RGW_OPT_REQUIRED;
  m.def("config_options", &config_options,
        "The core's gateway options: a list of (name, type, default, flags, doc)");

  py::class_<RgwConfig>(m, "Config", "A gateway configuration (rgw_config_t): every option "
                                    "at its default until set")
      .def(py::init<>())
      .def("set", &RgwConfig::set, py::arg("name"), py::arg("value"),
           "Sets an option from text (InvalidArgument naming it if refused)")
      .def("get", &RgwConfig::get, py::arg("name"), "The option's value as text")
      .def("get_uint", &RgwConfig::get_uint, py::arg("name"),
           "A size or count option's value as a number")
      .def("same_gateway", &RgwConfig::same_gateway, py::arg("other"),
           "Whether the two configurations may share one gateway");

  m.def("presign_v4", &s3::presign_v4, py::arg("method"), py::arg("host"), py::arg("raw_path"),
        py::arg("access_key"), py::arg("secret_key"), py::arg("region"), py::arg("now"),
        py::arg("expires"), "SigV4 presigned query string (the core's signer)");

  py::class_<PyGateway>(m, "Gateway")
      .def(py::init<const std::map<std::string, std::string>&>(), py::arg("options"))
      .def_property_readonly("region", &PyGateway::region);

  py::class_<PyRequest>(m, "Request")
      .def(py::init<const PyGateway&, const std::string&, const std::string&>(),
           py::arg("gateway"), py::arg("method"), py::arg("uri"))
      .def("add_header", &PyRequest::add_header)
      .def("start", &PyRequest::start)
      .def("body", &PyRequest::body)
      .def("end_body", &PyRequest::end_body)
      .def_property_readonly("done", &PyRequest::done)
      .def_property_readonly("status", &PyRequest::status)
      .def_property_readonly("reason", &PyRequest::reason)
      .def_property_readonly("content_length", &PyRequest::content_length)
      .def_property_readonly("request_id", &PyRequest::request_id)
      .def_property_readonly("headers", &PyRequest::headers)
      .def("read", &PyRequest::read);
}
