// capi_request.cpp - the C API of gateways and requests (librgw.h).
#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <string>

#include "async_reads.h"
#include "capi/config.h"
#include "capi/guard.h"
#include "capi/types.h"
#include "gateway/exchange.h"
#include "gateway/gateway.h"
#include "http/response.h"
#include "s3/auth.h"
#include "swift/tempurl.h"

struct rgw_gateway {
  rgw_store store;                     // owns the Store
  std::unique_ptr<rgw::Gateway> impl;  // borrows it
};

struct rgw_request {
  // Reads started for rgw_aio_request_try_start (async_reads.h).  Declared
  // before impl, so destroyed after it: a try suspended in a fiber is
  // unwound (~Exchange) while the reads its frames point to still exist.
  std::unique_ptr<rgw::AsyncReads> reads;
  std::unique_ptr<rgw::Exchange> impl;
  // Response headers other than Content-Length, as C strings.
  std::vector<std::pair<std::string, std::string>> headers;
  bool headers_ready = false;
  // Read-ahead (rgw_request_set_readahead): up to readahead_max body bytes
  // read on the thread that completed the request (`ahead` points into
  // `ahead_buf`), or with rgw_request_allow_memory the whole body where the
  // reader holds it in memory (`ahead` points into the reader).
  size_t readahead_max = 0;
  std::unique_ptr<char[]> ahead_buf;
  const char* ahead = nullptr;
  size_t ahead_len = 0;
  // rgw_request_allow_file: the door sends a body file itself.
  bool allow_file = false;
  bool allow_memory = false;

  // `ahead` is the reader's memory, all of the body: nothing left to read.
  bool ahead_is_body() const { return ahead && !ahead_buf; }

  // The response body as a range of one open file, if it is one.
  bool body_file(int* fd, uint64_t* offset) const {
    if (!impl->done()) return false;
    const auto& resp = impl->response();
    if (!allow_file || ahead || resp.head || !resp.reader || resp.content_length <= 0) return false;
    // A body that fits the read-ahead goes out with the headers in one
    // write: cheaper than a file for small objects.
    if (static_cast<uint64_t>(resp.content_length) <= readahead_max) return false;
    if (resp.reader->remaining() != static_cast<uint64_t>(resp.content_length)) return false;
    return resp.reader->file_range(fd, offset);
  }

  int finished(int rc) {
    if (rc != RGW_REQUEST_DONE || (readahead_max == 0 && !allow_memory) || ahead) return rc;
    int64_t length = impl->response().content_length;
    if (length <= 0 || impl->response().head) return rc;
    int fd;
    uint64_t offset;
    if (body_file(&fd, &offset)) return rc;  // the door sends the file
    const auto& reader = impl->response().reader;
    const char* data;
    size_t len;
    if (allow_memory && reader && reader->remaining() == static_cast<uint64_t>(length) &&
        reader->memory_range(&data, &len) && len == static_cast<uint64_t>(length)) {
      ahead = data;  // the whole body, as the reader holds it: no copy
      ahead_len = len;
      return rc;
    }
    if (readahead_max == 0) return rc;
    size_t want =
        static_cast<size_t>(std::min<int64_t>(length, static_cast<int64_t>(readahead_max)));
    ahead_buf.reset(new char[want]);
    ahead = ahead_buf.get();
    while (ahead_len < want) {
      size_t n = impl->read(ahead_buf.get() + ahead_len, want - ahead_len);
      if (n == 0) break;  // HEAD, or the end
      ahead_len += n;
    }
    return rc;
  }

  void collect_headers() {
    if (headers_ready) return;
    for (const auto& h : impl->response().headers)
      if (strcasecmp(h.first.c_str(), "content-length") != 0) headers.push_back(h);
    headers_ready = true;
  }
};

using rgw::capi::guarded_call;

RGW_API int rgw_gateway_open(const rgw_config_t* cfg, rgw_gateway_t** out) {
  return guarded_call([&] {
    if (!cfg || !out) rgw::fail(-EINVAL, "NULL argument");
    if (cfg->config.store_uri.empty())
      rgw::fail(RGW_ERR_INVALID_ARGUMENT, "no store configured (option \"store\")");
    auto gw = std::make_unique<rgw_gateway>();
    gw->store.impl = rgw::open_store(cfg->config.store_uri);
    gw->store.default_threads = rgw::default_io_threads(cfg->config.store_uri);
    std::shared_ptr<rgw::Store> borrowed(gw->store.impl.get(), [](rgw::Store*) {});
    gw->impl = std::make_unique<rgw::Gateway>(cfg->config, borrowed);
    *out = gw.release();
    return 0;
  });
}

RGW_API rgw_store_t* rgw_gateway_store(rgw_gateway_t* gw) { return gw ? &gw->store : nullptr; }

RGW_API void rgw_gateway_close(rgw_gateway_t* gw) {
  if (!gw) return;
  gw->impl.reset();
  delete gw;
}

RGW_API int rgw_request_create(rgw_gateway_t* gw, const char* method, const char* uri,
                               rgw_request_t** out) {
  return guarded_call([&] {
    if (!gw || !method || !uri || !out) rgw::fail(-EINVAL, "NULL argument");
    auto req = std::make_unique<rgw_request>();
    req->impl = std::make_unique<rgw::Exchange>(*gw->impl, method, uri);
    *out = req.release();
    return 0;
  });
}

RGW_API int rgw_request_add_header(rgw_request_t* req, const char* name, size_t name_len,
                                   const char* value, size_t value_len) {
  return guarded_call([&] {
    if (!req || !name || (!value && value_len)) rgw::fail(-EINVAL, "NULL argument");
    req->impl->add_header(std::string(name, name_len), std::string(value ? value : "", value_len));
    return 0;
  });
}

RGW_API int rgw_request_set_remote_addr(rgw_request_t* req, const char* addr) {
  return guarded_call([&] {
    if (!req || !addr) rgw::fail(-EINVAL, "NULL argument");
    if (std::strlen(addr) > 64) rgw::fail(-EINVAL, "address too long");
    req->impl->set_remote_addr(addr);
    return 0;
  });
}

namespace rgw::capi {

int request_start(rgw_request_t* req) {
  return guarded_call([&] {
    if (!req) rgw::fail(-EINVAL, "NULL request");
    return req->finished(req->impl->start() ? RGW_REQUEST_WANTS_BODY : RGW_REQUEST_DONE);
  });
}

int request_try_start(rgw_request_t* req) {
  return guarded_call([&] {
    if (!req) rgw::fail(-EINVAL, "NULL request");
    int rc = req->impl->try_start();
    if (rc < 0) return rc;
    return req->finished(rc == 1 ? RGW_REQUEST_WANTS_BODY : RGW_REQUEST_DONE);
  });
}

// A try on the door's loop with the request's AsyncReads (made on the first
// call, with `ready`): try(reads) is Exchange::try_start or try_start_body.
template <typename Try>
int loop_try(rgw_request_t* req, const std::function<void()>& ready, Try&& try_it) {
  if (!req->reads) req->reads = std::make_unique<rgw::AsyncReads>(ready);
  int rc = try_it(req->reads.get());
  if (rc != -EINPROGRESS) req->reads->clear();  // done, or off to an I/O thread
  if (rc < 0) return rc;
  return req->finished(rc == 1 ? RGW_REQUEST_WANTS_BODY : RGW_REQUEST_DONE);
}

int request_try_start_async(rgw_request_t* req, const std::function<void()>& ready) {
  return guarded_call([&] {
    if (!req) rgw::fail(-EINVAL, "NULL request");
    return loop_try(req, ready,
                    [&](rgw::AsyncReads* reads) { return req->impl->try_start(reads); });
  });
}

int request_try_start_body_async(rgw_request_t* req, const void* data, size_t len,
                                 const std::function<void()>& ready) {
  return guarded_call([&] {
    if (!req || (!data && len)) rgw::fail(-EINVAL, "NULL argument");
    return loop_try(req, ready, [&](rgw::AsyncReads* reads) {
      return req->impl->try_start_body(reads, static_cast<const char*>(data), len);
    });
  });
}

int request_body(rgw_request_t* req, const void* data, size_t len) {
  return guarded_call([&] {
    if (!req || (!data && len)) rgw::fail(-EINVAL, "NULL argument");
    return req->finished(req->impl->body(static_cast<const char*>(data), len)
                             ? RGW_REQUEST_WANTS_BODY
                             : RGW_REQUEST_DONE);
  });
}

int request_body_end(rgw_request_t* req) {
  return guarded_call([&] {
    if (!req) rgw::fail(-EINVAL, "NULL request");
    req->impl->end_body();
    return req->finished(RGW_REQUEST_DONE);
  });
}

int request_body_last(rgw_request_t* req, const void* data, size_t len) {
  return guarded_call([&] {
    if (!req || (!data && len)) rgw::fail(-EINVAL, "NULL argument");
    if (req->impl->body(static_cast<const char*>(data), len)) req->impl->end_body();
    return req->finished(RGW_REQUEST_DONE);
  });
}

int request_start_body(rgw_request_t* req, const void* data, size_t len) {
  if (!req || (!data && len)) {
    return guarded_call([]() -> int { rgw::fail(-EINVAL, "NULL argument"); });
  }
  const int rc = request_start(req);
  return rc == RGW_REQUEST_WANTS_BODY ? request_body_last(req, data, len) : rc;
}

int64_t response_read(rgw_request_t* req, void* buf, size_t len) {
  return guarded_call([&]() -> int64_t {
    if (!req || (!buf && len)) rgw::fail(-EINVAL, "NULL argument");
    if (!req->impl->done()) rgw::fail(-EINVAL, "the response is not ready");
    if (req->ahead_is_body()) return int64_t{0};
    return static_cast<int64_t>(req->impl->read(static_cast<char*>(buf), len));
  });
}

}  // namespace rgw::capi

RGW_API int rgw_request_set_readahead(rgw_request_t* req, size_t max) {
  if (!req) return -EINVAL;
  req->readahead_max = max;
  return 0;
}

RGW_API size_t rgw_response_readahead(const rgw_request_t* req, const void** data) {
  if (!req || !req->ahead) {
    if (data) *data = nullptr;
    return 0;
  }
  if (data) *data = req->ahead;
  return req->ahead_len;
}

RGW_API int rgw_request_allow_file(rgw_request_t* req, int allow) {
  if (!req) return -EINVAL;
  req->allow_file = allow != 0;
  return 0;
}

RGW_API int rgw_request_allow_memory(rgw_request_t* req, int allow) {
  if (!req) return -EINVAL;
  req->allow_memory = allow != 0;
  return 0;
}

RGW_API int rgw_response_file(const rgw_request_t* req, int* fd, int64_t* offset) {
  if (!req || !fd || !offset) return -EINVAL;
  int f;
  uint64_t off;
  if (!req->body_file(&f, &off)) return -ENOENT;
  *fd = f;
  *offset = static_cast<int64_t>(off);
  return 0;
}

RGW_API int rgw_request_start(rgw_request_t* req) { return rgw::capi::request_start(req); }
RGW_API int rgw_request_try_start(rgw_request_t* req) { return rgw::capi::request_try_start(req); }
RGW_API int rgw_request_body(rgw_request_t* req, const void* data, size_t len) {
  return rgw::capi::request_body(req, data, len);
}
RGW_API int rgw_request_body_end(rgw_request_t* req) { return rgw::capi::request_body_end(req); }
RGW_API int rgw_request_body_last(rgw_request_t* req, const void* data, size_t len) {
  return rgw::capi::request_body_last(req, data, len);
}

RGW_API int rgw_request_start_body(rgw_request_t* req, const void* data, size_t len) {
  return rgw::capi::request_start_body(req, data, len);
}

RGW_API int rgw_response_status(const rgw_request_t* req) {
  return req && req->impl->done() ? req->impl->response().status : -EINVAL;
}

RGW_API const char* rgw_response_reason(const rgw_request_t* req) {
  return rgw::http::status_reason(rgw_response_status(req));
}

RGW_API size_t rgw_response_header_count(const rgw_request_t* req) {
  if (!req || !req->impl->done()) return 0;
  const_cast<rgw_request_t*>(req)->collect_headers();
  return req->headers.size();
}

RGW_API int rgw_response_header(const rgw_request_t* req, size_t i, const char** name,
                                const char** value) {
  if (!req || !req->impl->done()) return -EINVAL;
  const_cast<rgw_request_t*>(req)->collect_headers();
  if (i >= req->headers.size()) return -ERANGE;
  if (name) *name = req->headers[i].first.c_str();
  if (value) *value = req->headers[i].second.c_str();
  return 0;
}

RGW_API int64_t rgw_response_length(const rgw_request_t* req) {
  return req && req->impl->done() ? req->impl->response().content_length : -EINVAL;
}

RGW_API const char* rgw_request_id(const rgw_request_t* req) {
  return req ? req->impl->request_id().c_str() : "";
}

RGW_API int64_t rgw_response_read(rgw_request_t* req, void* buf, size_t len) {
  return rgw::capi::response_read(req, buf, len);
}

RGW_API void rgw_request_free(rgw_request_t* req) { delete req; }

RGW_API int rgw_s3_presign(const char* method, const char* host, const char* path,
                           const char* access_key, const char* secret_key, const char* region,
                           int64_t now, int64_t expires, char* out, size_t out_size) {
  return guarded_call([&] {
    if (!method || !host || !path || !access_key || !secret_key || !out)
      rgw::fail(-EINVAL, "NULL argument");
    if (expires < 1 || expires > 604800) rgw::fail(-EINVAL, "expires must be 1..604800 seconds");
    std::string q = rgw::s3::presign_v4(method, host, path, access_key, secret_key,
                                        region ? region : "us-east-1", now, expires);
    if (q.size() + 1 > out_size) rgw::fail(-ERANGE, "buffer too small");
    std::memcpy(out, q.c_str(), q.size() + 1);
    return 0;
  });
}

RGW_API int rgw_s3_post_policy_sign(const char* policy_b64, const char* secret_key,
                                    const char* date8, const char* region, char* out,
                                    size_t out_size) {
  return guarded_call([&] {
    if (!policy_b64 || !secret_key || !date8 || !out) rgw::fail(-EINVAL, "NULL argument");
    const std::string date(date8);
    if (date.size() != 8 || date.find_first_not_of("0123456789") != std::string::npos)
      rgw::fail(-EINVAL, "date8 must be YYYYMMDD");
    std::string sig = rgw::s3::post_policy_signature_v4(policy_b64, secret_key, date,
                                                        region ? region : "us-east-1");
    if (sig.size() + 1 > out_size) rgw::fail(-ERANGE, "buffer too small");
    std::memcpy(out, sig.c_str(), sig.size() + 1);
    return 0;
  });
}

RGW_API int rgw_swift_temp_url_sign(const char* digest, const char* method, const char* path,
                                    int64_t expires, const char* ip_range, const char* key,
                                    char* out, size_t out_size) {
  return guarded_call([&] {
    if (!digest || !method || !path || !key || !out) rgw::fail(-EINVAL, "NULL argument");
    rgw::swift::Digest d;
    if (!rgw::swift::parse_digest(digest, &d))
      rgw::fail(-EINVAL, std::string("unknown digest (sha1, sha256, sha512): ") + digest);
    std::string sig =
        rgw::swift::temp_url_sign(d, method, expires, path, ip_range ? ip_range : "", key);
    if (sig.size() + 1 > out_size) rgw::fail(-ERANGE, "buffer too small");
    std::memcpy(out, sig.c_str(), sig.size() + 1);
    return 0;
  });
}
