// user_cache.h - user records cached per process, kept coherent across
// processes with RADOS watch/notify.
//
// Every signed request looks its user up by access key: two RADOS reads
// (meta/akey.<key>, then meta/user.<uid>) without a cache.  This cache holds
// user records by uid, and the access keys and Swift users that led to them.
//
// One watch per cache, on meta/users (the object listing the users): every
// change of a user (its record, or an alias object akey.* / swift.* pointing
// at it) is followed by a notify on that object carrying the uid, and every
// watcher drops what it holds of that user before it acks.  So when the
// changing call returns, no other process still serves the old state:
//  - each watcher acked (it dropped its copies), or
//  - the notify did not complete (a watcher did not ack in time, or the
//    notify itself failed): the changer then waits kWatchFresh past its
//    notify.  A watcher trusts its copies only while librados confirms its
//    watch within kWatchFresh (rados_watch_check, which also counts a notify
//    received but not yet delivered to our callback as unconfirmed), so by
//    then a watcher that missed the notify distrusts everything it holds.
// A broken watch (error callback, or rados_watch_check failing) empties the
// cache; the next caller re-establishes the watch.  Loads watch first, then
// read, and keep their result only if no notify or watch error came in
// between (a generation counter).  Unknown keys and users are never cached.
// Copies also expire after kMaxAge: a changer that dies between its write
// and its notify leaves stale copies at most that long.  Nothing runs in the
// background: callbacks only drop entries.
#pragma once

#include <rados/librados.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "model.h"

namespace rgw::rados {

class UserCache {
 public:
  using Clock = std::chrono::steady_clock;
  // How a user was found.
  enum class Via { uid, access_key, swift_user };

  // A load in progress: from begin() (before the reads) to put().
  struct Token {
    uint64_t gen = 0;
    Clock::time_point start;
    bool cacheable = false;
  };

  explicit UserCache(rados_ioctx_t meta, size_t capacity = 4096);
  ~UserCache();
  UserCache(const UserCache&) = delete;
  UserCache& operator=(const UserCache&) = delete;

  // A current copy of the user found by `key` (a uid, access key or Swift
  // user), if cached.
  bool find(Via via, const std::string& key, User* user);

  // Call before reading what put() will store: makes sure the watch is up.
  Token begin();
  // Caches `user`, found by `key`, as read after `t` began, unless a change
  // was announced since (or the watch is not up).
  void put(const Token& t, Via via, const std::string& key, const User& user);

  // Tells every process's cache that user `uid` changed; call after writing.
  // Returns once every cache dropped its copies (or cannot trust them).
  void notify_changed(const std::string& uid);

  static constexpr const char* kChannelOid = "users";
  static constexpr std::chrono::milliseconds kWatchFresh{10000};
  static constexpr std::chrono::seconds kMaxAge{60};

 private:
  struct Entry {
    User user;
    Clock::time_point loaded;             // when the load that read it began
    std::set<std::string> akeys, swifts;  // aliases cached as leading here
  };
  struct Alias {
    std::string uid;
    Clock::time_point loaded;
  };
  static void on_notify(void* arg, uint64_t notify_id, uint64_t cookie, uint64_t notifier_id,
                        void* data, size_t data_len);
  static void on_error(void* arg, uint64_t cookie, int err);
  bool watch_ok_locked(Clock::time_point now);
  void drop_locked(const std::string& uid);
  void clear_locked();
  void evict_locked();

  rados_ioctx_t meta_;
  size_t capacity_;
  std::mutex mu_;
  uint64_t cookie_ = 0;           // of our watch on kChannelOid; 0: none
  bool broken_ = false;           // the watch failed: re-establish before trusting anything
  uint64_t gen_ = 0;              // bumped by every notify and watch error
  Clock::time_point last_try_{};  // of establishing the watch
  std::map<std::string, Entry> users_;
  std::map<std::string, Alias> akeys_, swifts_;
};

}  // namespace rgw::rados
