#include "rados/user_cache.h"

#include <algorithm>
#include <cerrno>
#include <thread>

namespace rgw::rados {

namespace {
constexpr uint32_t kWatchTimeoutS = 30;  // the OSD drops a watcher silent this long
constexpr uint64_t kNotifyTimeoutMs = 5000;
constexpr std::chrono::seconds kRetryWatch{1};  // after failing to establish the watch

bool holds(const User& u, UserCache::Via via, const std::string& key) {
  switch (via) {
    case UserCache::Via::uid: return u.uid == key;
    case UserCache::Via::access_key:
      for (const auto& k : u.keys)
        if (k.access_key == key) return true;
      return false;
    case UserCache::Via::swift_user: return !key.empty() && u.swift_user == key;
  }
  return false;
}
}  // namespace

UserCache::UserCache(rados_ioctx_t meta, size_t capacity) : meta_(meta), capacity_(capacity) {}

UserCache::~UserCache() {
  uint64_t cookie = 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    cookie = cookie_;
    cookie_ = 0;
  }
  if (cookie) rados_unwatch2(meta_, cookie);
  // Callbacks may still be queued: wait for them before the cache goes away.
  rados_watch_flush(rados_ioctx_get_cluster(meta_));
}

void UserCache::on_notify(void* arg, uint64_t notify_id, uint64_t cookie, uint64_t, void* data,
                          size_t data_len) {
  auto* cache = static_cast<UserCache*>(arg);
  {
    std::lock_guard<std::mutex> l(cache->mu_);
    if (data_len == 0)
      cache->clear_locked();
    else
      cache->drop_locked(std::string(static_cast<const char*>(data), data_len));
    cache->gen_++;
  }
  // Only now: the notifier's call returns once every watcher acked.
  rados_notify_ack(cache->meta_, kChannelOid, notify_id, cookie, nullptr, 0);
}

void UserCache::on_error(void* arg, uint64_t cookie, int) {
  auto* cache = static_cast<UserCache*>(arg);
  std::lock_guard<std::mutex> l(cache->mu_);
  if (cookie != cache->cookie_) return;
  cache->broken_ = true;
  cache->clear_locked();
  cache->gen_++;
}

// The watch is up and librados confirmed it (and delivered every notify it
// received) within kWatchFresh.  Marks it broken when librados reports an
// error.  Called under mu_, so cookie_ cannot be unwatched meanwhile.
bool UserCache::watch_ok_locked(Clock::time_point) {
  if (!cookie_ || broken_) return false;
  int r = rados_watch_check(meta_, cookie_);
  if (r < 0) {
    broken_ = true;
    clear_locked();
    gen_++;
    return false;
  }
  return r < kWatchFresh.count();
}

bool UserCache::find(Via via, const std::string& key, User* user) {
  std::lock_guard<std::mutex> l(mu_);
  if (users_.empty()) return false;
  const auto now = Clock::now();
  if (!watch_ok_locked(now)) return false;
  std::string uid = key;
  if (via != Via::uid) {
    auto& aliases = via == Via::access_key ? akeys_ : swifts_;
    auto a = aliases.find(key);
    if (a == aliases.end()) return false;
    if (now - a->second.loaded >= kMaxAge) {
      drop_locked(a->second.uid);
      return false;
    }
    uid = a->second.uid;
  }
  auto it = users_.find(uid);
  if (it == users_.end()) return false;
  if (now - it->second.loaded >= kMaxAge) {
    drop_locked(uid);
    return false;
  }
  if (!holds(it->second.user, via, key)) return false;
  *user = it->second.user;
  return true;
}

UserCache::Token UserCache::begin() {
  Token t;
  uint64_t stale = 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    const auto now = Clock::now();
    if (cookie_ && !broken_) {
      // Up: cacheable if confirmed recently; a slow confirmation (no error)
      // only makes this load uncached, the watch stays.
      t.gen = gen_;
      t.start = now;
      t.cacheable = watch_ok_locked(now);
      if (!broken_) return t;
    }
    if (cookie_) {  // broken: tear it down, start again
      stale = cookie_;
      cookie_ = 0;
      broken_ = false;
      clear_locked();
      gen_++;
    }
    if (last_try_ != Clock::time_point{} && now - last_try_ < kRetryWatch) {
      t.cacheable = false;
    } else {
      last_try_ = now;
      t.cacheable = true;  // to try
    }
  }
  if (stale) rados_unwatch2(meta_, stale);  // never under the lock: it waits for callbacks
  if (!t.cacheable) return t;

  // Watch first, then read: a change made after the read is never missed.
  // (No meta/users yet means no user yet: nothing to cache.)
  uint64_t cookie = 0;
  int r = rados_watch3(meta_, kChannelOid, &cookie, &UserCache::on_notify, &UserCache::on_error,
                       kWatchTimeoutS, this);
  if (r < 0) {
    t.cacheable = false;
    return t;
  }
  uint64_t extra = 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (cookie_)
      extra = cookie;  // another thread got there first: use its watch
    else
      cookie_ = cookie;
    t.gen = gen_;
    t.start = Clock::now();
    t.cacheable = watch_ok_locked(t.start);
  }
  if (extra) rados_unwatch2(meta_, extra);
  return t;
}

void UserCache::put(const Token& t, Via via, const std::string& key, const User& user) {
  if (!t.cacheable) return;
  std::lock_guard<std::mutex> l(mu_);
  if (gen_ != t.gen || !cookie_ || broken_) return;  // a change came in meanwhile
  if (!holds(user, via, key)) return;
  auto [it, fresh] = users_.try_emplace(user.uid);
  Entry& e = it->second;
  e.user = user;
  // The record may have come from this cache (another key of the user): it
  // keeps the age of its first read.
  e.loaded = fresh ? t.start : std::min(e.loaded, t.start);
  if (via != Via::uid) {
    auto& aliases = via == Via::access_key ? akeys_ : swifts_;
    auto a = aliases.find(key);
    if (a != aliases.end() && a->second.uid != user.uid) {
      auto other = users_.find(a->second.uid);
      if (other != users_.end())
        (via == Via::access_key ? other->second.akeys : other->second.swifts).erase(key);
    }
    aliases[key] = Alias{user.uid, t.start};
    (via == Via::access_key ? e.akeys : e.swifts).insert(key);
  }
  evict_locked();
}

void UserCache::drop_locked(const std::string& uid) {
  auto it = users_.find(uid);
  if (it == users_.end()) return;
  for (const auto& k : it->second.akeys) {
    auto a = akeys_.find(k);
    if (a != akeys_.end() && a->second.uid == uid) akeys_.erase(a);
  }
  for (const auto& k : it->second.swifts) {
    auto a = swifts_.find(k);
    if (a != swifts_.end() && a->second.uid == uid) swifts_.erase(a);
  }
  users_.erase(it);
}

void UserCache::clear_locked() {
  users_.clear();
  akeys_.clear();
  swifts_.clear();
}

void UserCache::evict_locked() {
  while (users_.size() > capacity_) drop_locked(users_.begin()->first);
}

void UserCache::notify_changed(const std::string& uid) {
  char* reply = nullptr;
  size_t reply_len = 0;
  int r = rados_notify2(meta_, kChannelOid, uid.data(), uid.size(), kNotifyTimeoutMs, &reply,
                        &reply_len);
  if (reply) rados_buffer_free(reply);
  {
    // Our own process, even without a watch.
    std::lock_guard<std::mutex> l(mu_);
    drop_locked(uid);
    gen_++;
  }
  // -ENOENT: no meta/users, so nobody watches it.  Otherwise a watcher may
  // have missed the notify (did not ack: a dead, partitioned or stalled
  // process; or the notify failed): outwait the window in which it may still
  // trust its copy (see the header).
  if (r < 0 && r != -ENOENT) std::this_thread::sleep_for(kWatchFresh + std::chrono::seconds(1));
}

}  // namespace rgw::rados
