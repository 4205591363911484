// users.cpp - users in the RADOS driver: the records (meta/user.<uid>), the
// aliases that find them (meta/akey.<access key>, meta/swift.<Swift user>),
// the meta/users omap, and the notifications that keep every process's user
// cache coherent (rados/user_cache.h).
#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "errors.h"
#include "rados/rados_store.h"

namespace rgw::rados {
namespace {

bool has_key(const User& u, const std::string& access_key) {
  for (const auto& k : u.keys)
    if (k.access_key == access_key) return true;
  return false;
}

}  // namespace

// Tells every user cache that `uid` changed when it goes out of scope,
// however the call ends.
struct RadosStore::UserChange {
  RadosStore& st;
  std::string uid;
  UserChange(RadosStore& s, std::string u) : st(s), uid(std::move(u)) {}
  ~UserChange() { st.users_->notify_changed(uid); }
  UserChange(const UserChange&) = delete;
  UserChange& operator=(const UserChange&) = delete;
};

void RadosStore::create_user(const User& user) {
  validate_uid(user.uid);
  User u = user;
  if (!u.created_ns) u.created_ns = now_ns();
  for (const auto& k : u.keys)
    if (k.access_key.empty() || k.secret_key.empty())
      fail(RGW_ERR_INVALID_ARGUMENT, "access key and secret key must not be empty");
  int r = create_excl(meta_, "user." + u.uid, encode_user(u));
  if (r == -EEXIST) fail(RGW_ERR_USER_EXISTS, "user '" + u.uid + "' exists");
  if (r < 0) rados_fail(r, "create meta/user." + u.uid);
  std::vector<std::string> claimed;
  try {
    for (const auto& k : u.keys) {
      claim_access_key(u.uid, k.access_key);
      claimed.push_back("akey." + k.access_key);
    }
    if (!u.swift_user.empty()) {
      claim_swift_user(u.uid, u.swift_user);
      claimed.push_back("swift." + u.swift_user);
    }
    omap_set_or_fail(meta_, "users", u.uid, "");
  } catch (...) {
    for (const auto& oid : claimed) rados_remove(meta_, oid.c_str());
    rados_remove(meta_, ("user." + u.uid).c_str());
    // Another process may have looked the half-created user up meanwhile.
    users_->notify_changed(u.uid);
    throw;
  }
  // Nobody can hold an older copy of a new user (unknown users are never
  // cached, and removing one notified): nothing to tell.
}

User RadosStore::get_user(const std::string& uid) {
  User u;
  if (users_->find(rados::UserCache::Via::uid, uid, &u)) return u;
  fail_if_no_wait("a user cache miss");
  auto t = users_->begin();
  u = read_user(uid);
  users_->put(t, rados::UserCache::Via::uid, uid, u);
  return u;
}

User RadosStore::get_user_by_credential(CredentialKind kind, const std::string& id) {
  if (kind == CredentialKind::swift_user)
    return get_user_via(rados::UserCache::Via::swift_user, "swift.", id, RGW_ERR_NO_SUCH_USER,
                        "no such Swift user '" + id + "'",
                        [&](const User& u) { return u.swift_user == id; });
  return get_user_via(rados::UserCache::Via::access_key, "akey.", id, RGW_ERR_NO_SUCH_ACCESS_KEY,
                      "no such access key '" + id + "'",
                      [&](const User& u) { return has_key(u, id); });
}

void RadosStore::update_user(const std::string& uid, const UserUpdate& update) {
  UserChange change(*this, uid);
  modify_user_record(uid, [&](User& u) {
    if (update.display_name) u.display_name = *update.display_name;
    if (update.email) u.email = *update.email;
    if (update.suspended) u.suspended = *update.suspended;
    if (update.attrs) u.attrs = *update.attrs;
  });
}

// A lookup through a name index: meta/<prefix><name> holds the uid, whose
// record must still hold the name (else it was moved or removed meanwhile).
template <typename Holds>
User RadosStore::get_user_via(rados::UserCache::Via via, const char* prefix,
                              const std::string& name, int missing,
                              const std::string& missing_message, Holds holds) {
  User u;
  if (users_->find(via, name, &u)) return u;
  fail_if_no_wait("a user cache miss");
  auto t = users_->begin();
  std::string uid;
  const std::string index = prefix + name;
  int r = read_obj(meta_, index, &uid, nullptr);
  if (r == -ENOENT) fail(missing, missing_message);
  if (r < 0) rados_fail(r, "read meta/" + index);
  // The record may be cached already (found through another name).
  if (!users_->find(rados::UserCache::Via::uid, uid, &u)) {
    std::string data;
    r = read_obj(meta_, "user." + uid, &data, nullptr);
    if (r == -ENOENT) fail(missing, missing_message);
    if (r < 0) rados_fail(r, "read meta/user." + uid);
    u = decode_user(data);
  }
  if (!holds(u)) fail(missing, missing_message);
  users_->put(t, via, name, u);
  return u;
}

std::vector<std::string> RadosStore::list_users() {
  std::vector<std::string> out;
  for_each_omap(meta_, "users", "", [&](const std::string& k, const std::string&) {
    out.push_back(k);
    return true;
  });
  return out;
}

void RadosStore::add_access_key(const std::string& uid, const AccessKey& key) {
  if (key.access_key.empty() || key.secret_key.empty())
    fail(RGW_ERR_INVALID_ARGUMENT, "access key and secret key must not be empty");
  UserChange change(*this, uid);
  // The record first, then the alias: an alias then always points at a
  // user whose record holds the key, so a concurrent claimer cannot take it
  // over as stale between the two steps.
  modify_user_record(uid, [&](User& u) {
    if (has_key(u, key.access_key))
      fail(RGW_ERR_ACCESS_KEY_EXISTS, "access key '" + key.access_key + "' is taken");
    u.keys.push_back(key);
  });
  try {
    claim_access_key(uid, key.access_key);
  } catch (...) {
    try {
      modify_user_record(uid, [&](User& u) {
        std::vector<AccessKey> kept;
        for (const auto& k : u.keys)
          if (k.access_key != key.access_key) kept.push_back(k);
        u.keys = kept;
      });
    } catch (...) {
    }
    throw;
  }
}

void RadosStore::remove_access_key(const std::string& uid, const std::string& access_key) {
  // Notifies even when the key is already gone: a retry after a call that
  // died between its write and its notify still reaches every cache.
  UserChange change(*this, uid);
  modify_user_record(uid, [&](User& u) {
    std::vector<AccessKey> kept;
    for (const auto& k : u.keys)
      if (k.access_key != access_key) kept.push_back(k);
    if (kept.size() == u.keys.size())
      fail(RGW_ERR_NO_SUCH_ACCESS_KEY, "user '" + uid + "' has no access key '" + access_key + "'");
    u.keys = kept;
  });
  release_alias("akey." + access_key, uid);
}

void RadosStore::set_swift_credentials(const std::string& uid, const std::string& swift_user,
                                       const std::string& swift_key) {
  UserChange change(*this, uid);
  User cur = read_user(uid);
  bool claimed = false;
  if (!swift_user.empty() && swift_user != cur.swift_user) {
    claim_swift_user(uid, swift_user);
    claimed = true;
  }
  std::string old;
  try {
    modify_user_record(uid, [&](User& u) {
      old = u.swift_user;
      u.swift_user = swift_user;
      u.swift_key = swift_key;
    });
  } catch (...) {
    if (claimed) release_alias("swift." + swift_user, uid);
    throw;
  }
  if (!old.empty() && old != swift_user) release_alias("swift." + old, uid);
}

void RadosStore::remove_user(const std::string& uid) {
  UserChange change(*this, uid);
  User u = read_user(uid);
  bool owns = false;
  for_each_omap(meta_, "buckets", "", [&](const std::string&, const std::string& owner) {
    if (owner == uid) owns = true;
    return !owns;
  });
  if (owns) fail(RGW_ERR_USER_HAS_BUCKETS, "user '" + uid + "' still owns buckets");
  int r = rados_remove(meta_, ("user." + uid).c_str());
  if (r < 0 && r != -ENOENT) rados_fail(r, "remove meta/user." + uid);
  omap_rm_or_fail(meta_, "users", uid);
  for (const auto& k : u.keys) release_alias("akey." + k.access_key, uid);
  if (!u.swift_user.empty()) release_alias("swift." + u.swift_user, uid);
}

// The user's record, read from RADOS (not the cache).
User RadosStore::read_user(const std::string& uid) {
  std::string data;
  int r = read_obj(meta_, "user." + uid, &data, nullptr);
  if (r == -ENOENT) fail(RGW_ERR_NO_SUCH_USER, "no such user '" + uid + "'");
  if (r < 0) rados_fail(r, "read meta/user." + uid);
  return decode_user(data);
}

template <typename Fn>
void RadosStore::modify_user_record(const std::string& uid, Fn fn) {
  const std::string oid = "user." + uid;
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    std::string old;
    int r = read_obj(meta_, oid, &old, nullptr);
    if (r == -ENOENT) fail(RGW_ERR_NO_SUCH_USER, "no such user '" + uid + "'");
    if (r < 0) rados_fail(r, "read meta/" + oid);
    User u = decode_user(old);
    fn(u);
    r = replace_guarded(meta_, oid, old, encode_user(u));
    if (r == 0) return;
    if (is_cmp_failure(r) || r == -ENOENT) continue;
    rados_fail(r, "write meta/" + oid);
  }
  fail(RGW_ERR_CONFLICT, "user '" + uid + "' kept changing during the update");
}

// Points meta/<prefix><name> at uid; a mapping left behind by a user that no
// longer holds the name is taken over.  `holds` says whether a user holds it.
template <typename Holds>
void RadosStore::claim_alias(const std::string& oid, const std::string& uid, int taken_code,
                             const std::string& what, Holds holds) {
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    int r = create_excl(meta_, oid, uid);
    if (r == 0) return;
    if (r != -EEXIST) rados_fail(r, "create meta/" + oid);
    std::string owner;
    r = read_obj(meta_, oid, &owner, nullptr);
    if (r == -ENOENT) continue;
    if (r < 0) rados_fail(r, "read meta/" + oid);
    if (owner == uid) return;  // ours already (the record is written first)
    std::string data;
    r = read_obj(meta_, "user." + owner, &data, nullptr);
    if (r < 0 && r != -ENOENT) rados_fail(r, "read meta/user." + owner);
    if (r == 0 && holds(decode_user(data))) fail(taken_code, what + " is taken");
    // Stale: take it over if it is still the stale mapping.
    WriteOp op;
    int cmp_rv = 0;
    rados_write_op_assert_exists(op.op);
    rados_write_op_cmpext(op.op, owner.data(), owner.size(), 0, &cmp_rv);
    rados_write_op_write_full(op.op, uid.data(), uid.size());
    r = rados_write_op_operate(op.op, meta_, oid.c_str(), nullptr, 0);
    if (r == 0) {
      users_->notify_changed(owner);  // a cache may still lead `owner`'s way
      return;
    }
    if (is_cmp_failure(r) || r == -ENOENT) continue;
    rados_fail(r, "write meta/" + oid);
  }
  fail(RGW_ERR_CONFLICT, what + " kept changing");
}

void RadosStore::claim_access_key(const std::string& uid, const std::string& ak) {
  claim_alias("akey." + ak, uid, RGW_ERR_ACCESS_KEY_EXISTS, "access key '" + ak + "'",
              [&](const User& u) { return has_key(u, ak); });
}

void RadosStore::claim_swift_user(const std::string& uid, const std::string& su) {
  claim_alias("swift." + su, uid, RGW_ERR_USER_EXISTS, "Swift user '" + su + "'",
              [&](const User& u) { return u.swift_user == su; });
}

// Removes meta/<oid> if it maps to uid.
void RadosStore::release_alias(const std::string& oid, const std::string& uid) {
  std::string owner;
  int r = read_obj(meta_, oid, &owner, nullptr);
  if (r == -ENOENT || (r == 0 && owner != uid)) return;
  if (r < 0) rados_fail(r, "read meta/" + oid);
  r = rados_remove(meta_, oid.c_str());
  if (r < 0 && r != -ENOENT) rados_fail(r, "remove meta/" + oid);
}

}  // namespace rgw::rados
