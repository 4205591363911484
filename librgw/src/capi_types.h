// capi_types.h - what the opaque C handles hold (shared by capi.cpp and aio.cpp).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "librgw/librgw.h"
#include "store.h"

struct rgw_store {
  std::unique_ptr<rgw::Store> impl;
  // I/O threads of rgw_aio_queue_create(store, 0, ...): the driver's default.
  unsigned default_threads = 0;
};

struct rgw_attrs {
  rgw::Attrs attrs;
};

struct rgw_object {
  rgw::ObjectInfo info;
};

struct rgw_writer {
  std::unique_ptr<rgw::ObjectWriter> impl;
};

struct rgw_reader {
  std::unique_ptr<rgw::ObjectReader> impl;
  rgw_object object;
};

struct rgw_listing {
  std::vector<rgw_object> objects;
  std::vector<std::string> prefixes;
  bool truncated = false;
  std::string next_marker;
};

// The synchronous calls, reused by the asynchronous form (aio.cpp).
namespace rgw::capi {
int writer_open(rgw_store_t* store, const char* bucket, const char* key, rgw_writer_t** out);
int writer_write(rgw_writer_t* w, const void* data, size_t len);
int writer_commit(rgw_writer_t* w, const rgw_attrs_t* attrs, int64_t delete_at,
                  rgw_object_t** info);
int reader_open(rgw_store_t* store, const char* bucket, const char* key, uint64_t offset,
                int64_t length, rgw_reader_t** out);
int64_t reader_read(rgw_reader_t* r, void* buf, size_t len);
int object_stat(rgw_store_t* store, const char* bucket, const char* key, rgw_object_t** out);
int object_remove(rgw_store_t* store, const char* bucket, const char* key);
// Requests (capi_request.cpp).
int request_start(rgw_request_t* req);
int request_body(rgw_request_t* req, const void* data, size_t len);
int request_body_end(rgw_request_t* req);
int64_t response_read(rgw_request_t* req, void* buf, size_t len);
// The calling thread's rgw_last_error() message: read on an I/O thread,
// handed to the host thread with the completion.
std::string take_last_error();
void set_last_error(const std::string& message);
}  // namespace rgw::capi
