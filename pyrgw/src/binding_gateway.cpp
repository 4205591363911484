// binding_gateway.cpp - gateways and requests for Python (the WSGI door),
// and URL signing, over the C API.
//
// The same request API the web-server modules use: Python hands over the
// request line, headers and body chunks as bytes and pulls the response;
// the GIL is released whenever the core works.
#include "binding_util.h"

namespace pyrgw {

namespace {

using ConfigPtr = std::unique_ptr<rgw_config_t, Freer<rgw_config_t, rgw_config_free>>;

struct GatewayCloser {
  void operator()(rgw_gateway_t* gw) const { rgw_gateway_close(gw); }
};

class Gateway {
 public:
  explicit Gateway(const std::map<std::string, std::string>& options) {
    rgw_config_t* raw = nullptr;
    check(rgw_config_create(&raw));
    ConfigPtr cfg(raw);
    for (const auto& [name, value] : options)
      check(rgw_config_set(cfg.get(), c_arg(name), c_arg(value)));
    rgw_gateway_t* gw = nullptr;
    {
      py::gil_scoped_release release;
      check(rgw_gateway_open(cfg.get(), &gw));
    }
    gw_ = std::shared_ptr<rgw_gateway_t>(gw, GatewayCloser());
  }
  std::shared_ptr<rgw_gateway_t> gw() const { return gw_; }

 private:
  std::shared_ptr<rgw_gateway_t> gw_;
};

class Request {
 public:
  Request(const Gateway& gw, const std::string& method, const std::string& uri) : gw_(gw.gw()) {
    check(rgw_request_create(gw_.get(), c_arg(method), c_arg(uri), &r_));
  }
  ~Request() { rgw_request_free(r_); }
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;

  void add_header(const std::string& name, const std::string& value) {
    check(rgw_request_add_header(r_, name.data(), name.size(), value.data(), value.size()));
  }
  void set_remote_addr(const std::string& addr) {
    check(rgw_request_set_remote_addr(r_, c_arg(addr)));
  }
  bool start() {
    py::gil_scoped_release release;
    return check(rgw_request_start(r_)) == RGW_REQUEST_WANTS_BODY;
  }
  bool body(py::buffer data) {
    py::buffer_info info = data.request();
    if (info.ndim > 1 || (info.ndim == 1 && info.strides[0] != info.itemsize))
      throw py::buffer_error("body chunks must be contiguous");
    const char* p = static_cast<const char*>(info.ptr);
    size_t n = static_cast<size_t>(info.size * info.itemsize);
    py::gil_scoped_release release;
    return check(rgw_request_body(r_, p, n)) == RGW_REQUEST_WANTS_BODY;
  }
  void end_body() {
    py::gil_scoped_release release;
    check(rgw_request_body_end(r_));
  }
  int status() const { return rgw_response_status(r_); }
  std::string reason() const { return rgw_response_reason(r_); }
  int64_t content_length() const { return rgw_response_length(r_); }
  std::string request_id() const { return rgw_request_id(r_); }
  py::list headers() const {
    py::list out;
    const char *name, *value;
    for (size_t i = 0; rgw_response_header(r_, i, &name, &value) == 0; ++i)
      out.append(py::make_tuple(py::bytes(name), py::bytes(value)));
    return out;
  }
  // Reads up to n body bytes (b"" at the end) straight into one bytes
  // object, sized to what remains of the body.
  py::bytes read(size_t n) {
    int64_t length = rgw_response_length(r_);
    if (length >= 0 && static_cast<uint64_t>(length) >= delivered_ &&
        n > static_cast<uint64_t>(length) - delivered_)
      n = static_cast<size_t>(static_cast<uint64_t>(length) - delivered_);
    PyObject* obj = PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(n));
    if (!obj) throw py::error_already_set();
    py::bytes out = py::reinterpret_steal<py::bytes>(obj);
    size_t got = 0;
    {
      py::gil_scoped_release release;
      while (got < n) {
        int64_t k = check(rgw_response_read(r_, PyBytes_AS_STRING(obj) + got, n - got));
        if (k == 0) break;
        got += static_cast<size_t>(k);
      }
    }
    delivered_ += got;
    if (got < n) out = py::bytes(PyBytes_AS_STRING(obj), got);
    return out;
  }

 private:
  std::shared_ptr<rgw_gateway_t> gw_;  // declared first: outlives the request
  rgw_request_t* r_ = nullptr;
  uint64_t delivered_ = 0;  // body bytes handed to Python so far
};

std::string presign_v4(const std::string& method, const std::string& host,
                       const std::string& raw_path, const std::string& access_key,
                       const std::string& secret_key, const std::string& region, int64_t now,
                       int64_t expires) {
  std::vector<char> out(4096 + raw_path.size() * 3 + access_key.size() * 3);
  check(rgw_s3_presign(c_arg(method), c_arg(host), c_arg(raw_path), c_arg(access_key),
                       c_arg(secret_key), c_arg(region), now, expires, out.data(), out.size()));
  return std::string(out.data());
}

std::string post_policy_sign(const std::string& policy_b64, const std::string& secret_key,
                             const std::string& date8, const std::string& region) {
  char out[65];
  check(rgw_s3_post_policy_sign(c_arg(policy_b64), c_arg(secret_key), c_arg(date8), c_arg(region),
                                out, sizeof out));
  return std::string(out);
}

std::string swift_temp_url_sign(const std::string& digest, const std::string& method,
                                const std::string& path, int64_t expires,
                                const std::string& ip_range, const std::string& key) {
  char out[129];
  check(rgw_swift_temp_url_sign(c_arg(digest), c_arg(method), c_arg(path), expires, c_arg(ip_range),
                                c_arg(key), out, sizeof out));
  return std::string(out);
}

// A gateway configuration through the C API (rgw_config_*), as any door
// sees it: pyrgw.options and the doors written in Python use it to check
// and read options with the core's own parsers and messages.
class Config {
 public:
  Config() {
    rgw_config_t* raw = nullptr;
    check(rgw_config_create(&raw));
    cfg_.reset(raw);
  }
  void set(const std::string& name, const std::string& value) {
    check(rgw_config_set(cfg_.get(), c_arg(name), c_arg(value)));
  }
  std::string get(const std::string& name) const {
    const char* v = rgw_config_get(cfg_.get(), c_arg(name));
    if (!v) throw CallError{RGW_ERR_INVALID_ARGUMENT, "unknown gateway option: " + name};
    return v;
  }
  uint64_t get_uint(const std::string& name) const {
    uint64_t v = 0;
    check(rgw_config_get_uint(cfg_.get(), c_arg(name), &v));
    return v;
  }
  bool same_gateway(const Config& other) const {
    return check(rgw_config_same_gateway(cfg_.get(), other.cfg_.get())) == 1;
  }

 private:
  ConfigPtr cfg_;
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

std::string canonical_store_uri(const std::string& uri) {
  char out[8192];
  check(rgw_store_uri_canonical(c_arg(uri), out, sizeof out));
  return out;
}

}  // namespace

void bind_gateway(py::module_& m) {
  m.def("canonical_store_uri", &canonical_store_uri, py::arg("uri"),
        "The canonical name of the store a URI names (the core's; nothing is opened)");
  m.def("config_options", &config_options,
        "The core's gateway options: (name, type, default, flags, doc) tuples, in order");
  for (auto [name, value] : {std::pair{"OPT_GATEWAY", RGW_OPT_GATEWAY},
                             {"OPT_DOOR", RGW_OPT_DOOR},
                             {"OPT_AIO", RGW_OPT_AIO},
                             {"OPT_REQUIRED", RGW_OPT_REQUIRED}})
    m.attr(name) = value;
  py::class_<Config>(m, "Config",
                     "A gateway configuration (rgw_config_t): every option checked by the core")
      .def(py::init<>())
      .def("set", &Config::set, py::arg("name"), py::arg("value"),
           "Sets an option from text (InvalidArgument naming it if the core refuses)")
      .def("get", &Config::get, py::arg("name"), "The option's value as text")
      .def("get_uint", &Config::get_uint, py::arg("name"),
           "A size or count option's value as a number")
      .def("same_gateway", &Config::same_gateway, py::arg("other"),
           "Whether both configurations can share one gateway");

  m.def("swift_temp_url_sign", &swift_temp_url_sign, py::arg("digest"), py::arg("method"),
        py::arg("path"), py::arg("expires"), py::arg("ip_range"), py::arg("key"),
        "Swift temp_url_sig as python-swiftclient writes it (the core's signer)");
  m.def("post_policy_sign", &post_policy_sign, py::arg("policy_b64"), py::arg("secret_key"),
        py::arg("date8"), py::arg("region"),
        "SigV4 x-amz-signature of a POST form's base64 policy (the core's signer)");
  m.def("presign_v4", &presign_v4, py::arg("method"), py::arg("host"), py::arg("raw_path"),
        py::arg("access_key"), py::arg("secret_key"), py::arg("region"), py::arg("now"),
        py::arg("expires"), "SigV4 presigned query string (the core's signer)");

  py::class_<Gateway>(m, "Gateway")
      .def(py::init<const std::map<std::string, std::string>&>(), py::arg("options"));

  py::class_<Request>(m, "Request")
      .def(py::init<const Gateway&, const std::string&, const std::string&>(), py::arg("gateway"),
           py::arg("method"), py::arg("uri"))
      .def("add_header", &Request::add_header)
      .def("set_remote_addr", &Request::set_remote_addr)
      .def("start", &Request::start)
      .def("body", &Request::body)
      .def("end_body", &Request::end_body)
      .def_property_readonly("status", &Request::status)
      .def_property_readonly("reason", &Request::reason)
      .def_property_readonly("content_length", &Request::content_length)
      .def_property_readonly("request_id", &Request::request_id)
      .def_property_readonly("headers", &Request::headers)
      .def("read", &Request::read);
}

}  // namespace pyrgw
