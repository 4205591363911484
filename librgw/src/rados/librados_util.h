// librados_util.h - the RADOS driver's layer over the librados C API: owners
// of ops, iterators and completions, error helpers, and single-op helpers
// (pool opening, whole-object reads, exclusive creates, guarded replaces, omap
// pages and key updates).  Nothing here knows the driver's records.
#pragma once

#include <rados/librados.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "async_reads.h"
#include "errors.h"
#include "util.h"

namespace rgw::rados {

constexpr size_t kMetaRead = 64u << 10;  // first read of a metadata object
constexpr uint64_t kOmapPage = 1000;     // omap entries per page read, per gc queue op

using Xattrs = std::map<std::string, std::string>;
using KV = std::pair<std::string, std::string>;

[[noreturn]] inline void rados_fail(int r, const std::string& what) { fail_errno(-r, what); }

inline bool is_cmp_failure(int r) {
  // cmpxattr/omap_cmp mismatch: -ECANCELED; cmpext mismatch: -MAX_ERRNO - offset.
  return r == -ECANCELED || r <= -4095;
}

// Every operation below waits for the cluster, so none may start in no-wait
// mode (util.h): their constructors fail then, before anything was sent.
// The read an AsyncReads (async_reads.h) waits for is created with
// kAsyncRead: it is submitted, never waited for, on the event loop.
struct AsyncReadTag {};
constexpr AsyncReadTag kAsyncRead{};

struct WriteOp {
  rados_write_op_t op;
  WriteOp() : op(nullptr) {
    fail_if_no_wait("a RADOS write");
    op = rados_create_write_op();
    if (!op) fail(-ENOMEM, "rados_create_write_op");
  }
  ~WriteOp() { rados_release_write_op(op); }
  WriteOp(const WriteOp&) = delete;
  WriteOp& operator=(const WriteOp&) = delete;
};

struct ReadOp {
  rados_read_op_t op;
  ReadOp() : op(nullptr) {
    fail_if_no_wait("a RADOS read");
    op = rados_create_read_op();
    if (!op) fail(-ENOMEM, "rados_create_read_op");
  }
  explicit ReadOp(AsyncReadTag) : op(rados_create_read_op()) {
    if (!op) fail(-ENOMEM, "rados_create_read_op");
  }
  ~ReadOp() { rados_release_read_op(op); }
  ReadOp(const ReadOp&) = delete;
  ReadOp& operator=(const ReadOp&) = delete;
};

struct OmapIter {
  rados_omap_iter_t it = nullptr;
  OmapIter() = default;
  ~OmapIter() {
    if (it) rados_omap_get_end(it);
  }
  OmapIter(const OmapIter&) = delete;
  OmapIter& operator=(const OmapIter&) = delete;
  void drain(std::vector<KV>& out) {
    for (;;) {
      char* k = nullptr;
      char* v = nullptr;
      size_t kl = 0, vl = 0;
      if (rados_omap_get_next2(it, &k, &v, &kl, &vl) < 0 || !k) break;
      out.emplace_back(std::string(k, kl), v ? std::string(v, vl) : std::string());
    }
  }
};

struct XattrIter {
  rados_xattrs_iter_t it = nullptr;
  XattrIter() = default;
  ~XattrIter() {
    if (it) rados_getxattrs_end(it);
  }
  XattrIter(const XattrIter&) = delete;
  XattrIter& operator=(const XattrIter&) = delete;
  void drain(Xattrs& out) {
    for (;;) {
      const char* name = nullptr;
      const char* val = nullptr;
      size_t len = 0;
      if (rados_getxattrs_next(it, &name, &val, &len) < 0 || !name) break;
      out[name] = val ? std::string(val, len) : std::string();
    }
  }
};

struct Completion {
  rados_completion_t c = nullptr;
  // False when the submit call failed: librados never completes it, so the
  // destructor must not wait for it.
  bool submitted = true;
  // Made in a try's fiber on a door's loop (async_reads.h): wait() suspends
  // the fiber, and librados' callback wakes it.
  std::unique_ptr<FiberWake> wake;
  Completion() {
    fail_if_no_wait("a RADOS operation");
    if (can_suspend()) wake = std::make_unique<FiberWake>();
    int r = wake ? rados_aio_create_completion2(wake.get(), &Completion::done, &c)
                 : rados_aio_create_completion2(nullptr, nullptr, &c);
    if (r < 0) rados_fail(r, "rados_aio_create_completion2");
  }
  ~Completion() {
    if (c) {
      if (submitted && wake) rados_aio_wait_for_complete_and_cb(c);
      if (submitted && !wake) rados_aio_wait_for_complete(c);
      rados_aio_release(c);
    }
  }
  Completion(const Completion&) = delete;
  Completion& operator=(const Completion&) = delete;
  int wait() {
    if (wake && can_suspend() && wake->arm(async_reads())) suspend_for_store("a RADOS operation");
    rados_aio_wait_for_complete(c);
    return rados_aio_get_return_value(c);
  }
  static void done(rados_completion_t, void* arg) { static_cast<FiberWake*>(arg)->fire(); }
};

struct AsyncXattrRead {
  ReadOp op;
  XattrIter xi;
  int xrv = 0;
  Completion c;
};

// Reads omap values by key, in flight (the keys are kept here).
struct AsyncOmapRead {
  std::vector<std::string> keys;
  ReadOp op;
  OmapIter it;
  int rv = 0;
  Completion c;
};

// Opens a pool of the cluster, creating it if missing.
rados_ioctx_t open_pool(rados_t cluster, const std::string& pool);

// Runs a write op on `oid`: asynchronously where a try's fiber can suspend
// for it (async_reads.h), else synchronously.  Returns 0 or a negative errno.
int operate_write(rados_write_op_t op, rados_ioctx_t io, const std::string& oid);

// Reads a small object whole (data and/or xattrs) in one op when it fits.
// Returns 0 or a negative errno.
int read_obj(rados_ioctx_t io, const std::string& oid, std::string* data, Xattrs* xattrs);

// Creates an object holding `data`; -EEXIST if it exists.
int create_excl(rados_ioctx_t io, const std::string& oid, const std::string& data);

// Replaces an object's bytes if they still are `old` (records are
// self-delimiting, so comparing the old length suffices).
int replace_guarded(rados_ioctx_t io, const std::string& oid, const std::string& old,
                    const std::string& next);

// One page of an object's omap: at most `max` entries after `start_after`
// with `prefix`, into `out`; `more` if there are others.  Returns 0 or a
// negative errno (-ENOENT: no such object).
int omap_page(rados_ioctx_t io, const std::string& oid, const std::string& start_after,
              const std::string& prefix, uint64_t max, std::vector<KV>& out, bool& more);

// Adds to op: the removal of an omap key; the setting of omap keys; the
// setting of one.
void omap_rm_in(rados_write_op_t op, const std::string& k);
inline void omap_rm_in(WriteOp& op, const std::string& k) { omap_rm_in(op.op, k); }
void omap_set_in(WriteOp& op, const std::vector<KV>& kvs);
void omap_set_one_in(rados_write_op_t op, const std::string& k, const std::string& v);

// Removes an omap key in one op (operate_write: a try's fiber suspends for
// it); returns 0 or a negative errno.
int omap_rm(rados_ioctx_t io, const std::string& oid, const std::string& k);

// Removes an omap key if it still holds exactly `value` (a repair whose head
// is gone: it must not remove a newer entry written meanwhile).
// `pending`, if given, goes in the same op.
int omap_rm_exact(rados_ioctx_t io, const std::string& oid, const std::string& key,
                  const std::string& value, const std::string* pending);

}  // namespace rgw::rados
