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
#include "s3/auth.h"
#include "http/response.h"
#include "gateway/exchange.h"

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
      : gw_(gw.gw()), r_(std::make_unique<Exchange>(*gw_, method, uri)) {}
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
  std::string reason() const { return http::status_reason(r_->response().status); }
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
  std::unique_ptr<Exchange> r_;
  uint64_t delivered_ = 0;       // body bytes handed to Python so far
};

}  // namespace

void bind_gateway(py::module_& m) {
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
