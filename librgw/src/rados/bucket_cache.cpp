#include "rados/bucket_cache.h"

#include <cerrno>
#include <vector>

#include "util.h"

namespace rgw::rados {

namespace {
constexpr uint32_t kWatchTimeoutS = 30;  // the OSD drops a watcher silent this long
constexpr uint64_t kNotifyTimeoutMs = 5000;
}  // namespace

struct BucketCache::Entry {
  uint64_t cookie = 0;  // of the watch on the record; every entry has one
  uint64_t gen = 0;     // bumped by every notify and watch error
  bool valid = false;   // info is current
  bool broken = false;  // the watch failed: re-establish before trusting anything
  BucketInfo info;
};

BucketCache::BucketCache(rados_ioctx_t meta, Loader loader, size_t capacity)
    : meta_(meta), loader_(std::move(loader)), capacity_(capacity) {}

BucketCache::~BucketCache() {
  std::list<uint64_t> cookies;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto& [name, e] : entries_) cookies.push_back(e->cookie);
  }
  unwatch_all(cookies);
  // Callbacks may still be queued: wait for them before the cache goes away.
  rados_watch_flush(rados_ioctx_get_cluster(meta_));
}

void BucketCache::on_notify(void* arg, uint64_t notify_id, uint64_t cookie, uint64_t, void* data,
                            size_t data_len) {
  auto* cache = static_cast<BucketCache*>(arg);
  cache->mark(cookie, false);
  // The notifier sends the bucket name, which names the object to ack on.
  std::string name(static_cast<const char*>(data), data_len);
  rados_notify_ack(cache->meta_, record_oid(name).c_str(), notify_id, cookie, nullptr, 0);
}

void BucketCache::on_error(void* arg, uint64_t cookie, int) {
  static_cast<BucketCache*>(arg)->mark(cookie, true);
}

void BucketCache::mark(uint64_t cookie, bool broken) {
  std::lock_guard<std::mutex> l(mu_);
  auto n = names_.find(cookie);
  if (n == names_.end()) return;
  auto it = entries_.find(n->second);
  if (it == entries_.end() || it->second->cookie != cookie) return;
  it->second->gen++;
  it->second->valid = false;
  if (broken) it->second->broken = true;
}

void BucketCache::unwatch_all(const std::list<uint64_t>& cookies) {
  for (uint64_t c : cookies) rados_unwatch2(meta_, c);
}

int BucketCache::get(const std::string& name, BucketInfo* info) {
  std::list<uint64_t> to_unwatch;
  uint64_t gen = 0;
  bool need_watch = false;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = entries_.find(name);
    if (it != entries_.end() && it->second->valid) {
      *info = it->second->info;
      return 0;
    }
    fail_if_no_wait("a bucket cache miss");  // before anything changes
    if (it != entries_.end() && it->second->broken) {
      retire_locked(it, &to_unwatch);
      it = entries_.end();
    }
    if (it == entries_.end())
      need_watch = true;
    else
      gen = it->second->gen;
  }
  unwatch_all(to_unwatch);
  to_unwatch.clear();

  if (need_watch) {
    // Watch first, then read: a change made after the read is never missed.
    uint64_t cookie = 0;
    int r = rados_watch3(meta_, record_oid(name).c_str(), &cookie, &BucketCache::on_notify,
                         &BucketCache::on_error, kWatchTimeoutS, this);
    if (r == -ENOENT) return r;
    if (r < 0) return loader_(name, info);  // cannot watch: serve uncached
    std::lock_guard<std::mutex> l(mu_);
    auto it = entries_.find(name);
    if (it != entries_.end()) {
      // Another thread got there first: use its watch.
      to_unwatch.push_back(cookie);
    } else {
      auto e = std::make_unique<Entry>();
      e->cookie = cookie;
      names_[cookie] = name;
      it = entries_.emplace(name, std::move(e)).first;
    }
    gen = it->second->gen;
  }

  BucketInfo loaded;
  int r = loader_(name, &loaded);
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = entries_.find(name);
    if (r < 0) {
      if (it != entries_.end()) retire_locked(it, &to_unwatch);
    } else if (it != entries_.end() && it->second->gen == gen && !it->second->broken) {
      // No change was announced while we read: the copy is current.
      it->second->info = loaded;
      it->second->valid = true;
    }
    while (entries_.size() > capacity_) retire_locked(entries_.begin(), &to_unwatch);
  }
  unwatch_all(to_unwatch);  // never under the lock: it waits for callbacks
  if (r == 0) *info = std::move(loaded);
  return r;
}

bool BucketCache::peek(const std::string& name, BucketInfo* info) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end() || !it->second->valid) return false;
  *info = it->second->info;
  return true;
}

void BucketCache::retire_locked(Entries::iterator it, std::list<uint64_t>* cookies) {
  cookies->push_back(it->second->cookie);
  names_.erase(it->second->cookie);
  entries_.erase(it);
}

void BucketCache::notify_changed(const std::string& name) {
  char* reply = nullptr;
  size_t reply_len = 0;
  // -ENOENT: nobody can be watching a removed record; -ETIMEDOUT: a watcher
  // did not ack (a dead process: the OSD drops its watch on its own).
  rados_notify2(meta_, record_oid(name).c_str(), name.data(), name.size(), kNotifyTimeoutMs, &reply,
                &reply_len);
  if (reply) rados_buffer_free(reply);
  // Our own process is a watcher too; make sure even without a watch.
  std::lock_guard<std::mutex> l(mu_);
  auto it = entries_.find(name);
  if (it != entries_.end()) {
    it->second->gen++;
    it->second->valid = false;
  }
}

}  // namespace rgw::rados
