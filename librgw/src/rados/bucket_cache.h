// bucket_cache.h - bucket records cached per process, kept coherent across
// processes with RADOS watch/notify.
//
// Every request needs its bucket's record (id, owner, ACL), so caching it
// makes a small GET one RADOS read instead of two.  Each cached bucket holds
// a watch on its record object; whoever changes or removes a bucket notifies
// that object, and every watcher (in any process) drops its copy before the
// notify returns.  A broken watch (lost connection, removed object) drops the
// copy too.  Nothing runs in the background: callbacks only mark entries, and
// watches are (re-)established or torn down by the next caller.
#pragma once

#include <rados/librados.h>

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "model.h"

namespace rgw::rados {

class BucketCache {
 public:
  // Reads a bucket record: returns 0 and fills info, or a negative errno
  // (-ENOENT when the bucket does not exist).
  using Loader = std::function<int(const std::string& name, BucketInfo* info)>;

  BucketCache(rados_ioctx_t meta, Loader loader, size_t capacity = 4096);
  ~BucketCache();
  BucketCache(const BucketCache&) = delete;
  BucketCache& operator=(const BucketCache&) = delete;

  // The bucket's record, from the cache or loaded (and then watched).
  // Returns 0 or the loader's negative errno.
  int get(const std::string& name, BucketInfo* info);

  // The bucket's record if a current copy is cached (nothing is loaded).
  bool peek(const std::string& name, BucketInfo* info);

  // Tells every process's cache that the bucket changed; call after writing
  // (or before removing) its record.  Waits for the watchers' acks.
  void notify_changed(const std::string& name);

  static std::string record_oid(const std::string& name) { return "bucket." + name; }

 private:
  struct Entry;
  using Entries = std::map<std::string, std::unique_ptr<Entry>>;
  // Callbacks run on librados threads; their argument is the cache itself and
  // the watch is identified by its cookie.
  static void on_notify(void* arg, uint64_t notify_id, uint64_t cookie, uint64_t notifier_id,
                        void* data, size_t data_len);
  static void on_error(void* arg, uint64_t cookie, int err);
  void mark(uint64_t cookie, bool broken);
  void retire_locked(Entries::iterator it, std::list<uint64_t>* cookies);
  void unwatch_all(const std::list<uint64_t>& cookies);

  rados_ioctx_t meta_;
  Loader loader_;
  size_t capacity_;
  std::mutex mu_;
  Entries entries_;
  std::map<uint64_t, std::string> names_;  // watch cookie -> bucket name
};

}  // namespace rgw::rados
