// types.h - what the C API's opaque handles hold, and the synchronous calls
// the asynchronous form reuses (shared by the files of capi/).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "librgw/librgw.h"
#include "store.h"

#define RGW_API extern "C" __attribute__((visibility("default")))

struct rgw_store {
  std::unique_ptr<rgw::Store> impl;
  // I/O threads of rgw_aio_queue_create(store, 0, ...): the driver's default.
  unsigned default_threads = 0;
};

struct rgw_attrs {
  rgw::Attrs attrs;
};

struct rgw_acl {
  rgw::Acl acl;
};

// Handles that carry a policy keep it apart (moved out of the info), so that
// the policy getters can hand out a rgw_acl_t pointer into the handle.
struct rgw_object {
  explicit rgw_object(rgw::ObjectInfo i) : info(std::move(i)), acl{std::move(info.acl)} {}
  rgw::ObjectInfo info;  // info.acl is empty: the policy is in acl
  rgw_acl acl;
};

struct rgw_bucket {
  explicit rgw_bucket(rgw::BucketInfo i) : info(std::move(i)), acl{std::move(info.acl)} {}
  rgw::BucketInfo info;  // info.acl is empty: the policy is in acl
  rgw_acl acl;
  // The info with its policy, as the store takes it.
  rgw::BucketInfo whole() const {
    rgw::BucketInfo b = info;
    b.acl = acl.acl;
    return b;
  }
};

struct rgw_upload {
  explicit rgw_upload(rgw::UploadInfo i) : info(std::move(i)), acl{std::move(info.acl)} {}
  rgw::UploadInfo info;  // info.acl is empty: the policy is in acl
  rgw_acl acl;
};

struct rgw_user {
  rgw::User user;
  // What a description sets, for rgw_user_modify().
  rgw::UserUpdate changes;
};

struct rgw_read_opts {
  rgw::ReadOptions options;
  std::string version_id;
};

struct rgw_write_opts {
  rgw::WriteOptions options;  // attrs, acl, delete_at, etag
  bool has_attrs = false;
  bool has_acl = false;
  bool has_delete_at = false;
  std::string if_match;
  std::string version_id;
};

struct rgw_list_opts {
  rgw::ListParams params;
};

struct rgw_writer {
  std::unique_ptr<rgw::ObjectWriter> impl;
};

struct rgw_reader {
  explicit rgw_reader(std::unique_ptr<rgw::ObjectReader> r) : impl(std::move(r)) {}
  std::unique_ptr<rgw::ObjectReader> impl;
  // The object's info as a handle, made at the first rgw_reader_object()
  // (a plain read never pays for the copy).
  mutable std::unique_ptr<rgw_object> object;
};

struct rgw_listing {
  std::vector<rgw_object> objects;
  std::vector<std::string> prefixes;
  bool truncated = false;
  std::string next_marker;
  std::string next_version_marker;
};

struct rgw_bucket_listing {
  std::vector<rgw_bucket> buckets;
};

struct rgw_upload_listing {
  std::vector<rgw_upload> uploads;
};

struct rgw_part_listing {
  std::vector<rgw::PartInfo> parts;
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
// Requests (request.cpp).
int request_start(rgw_request_t* req);
int request_try_start(rgw_request_t* req);
// rgw_aio_request_try_start's try: request_try_start with the request's
// AsyncReads (made on the first call, with `ready`), so that a store may
// start a read and answer -EINPROGRESS (async_reads.h).
int request_try_start_async(rgw_request_t* req, const std::function<void()>& ready);
// rgw_aio_request_try_start_body's try: Exchange::try_start_body with the
// request's AsyncReads (as request_try_start_async); RGW_REQUEST_DONE,
// -EINPROGRESS or -EWOULDBLOCK.
int request_try_start_body_async(rgw_request_t* req, const void* data, size_t len,
                                 const std::function<void()>& ready);
int request_body(rgw_request_t* req, const void* data, size_t len);
int request_body_end(rgw_request_t* req);
int request_body_last(rgw_request_t* req, const void* data, size_t len);
// request_start, then request_body_last with the whole body if it wants it.
int request_start_body(rgw_request_t* req, const void* data, size_t len);
int64_t response_read(rgw_request_t* req, void* buf, size_t len);
// The calling thread's rgw_last_error() message: read on an I/O thread,
// handed to the host thread with the completion.
std::string take_last_error();
void set_last_error(const std::string& message);
}  // namespace rgw::capi
