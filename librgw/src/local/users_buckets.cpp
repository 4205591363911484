// users_buckets.cpp - users (with their access keys and Swift users) and
// buckets in the local driver's database, and the per-process cache of
// bucket records, kept coherent across processes by the shared bucket epoch.
#include <mutex>
#include <string>
#include <vector>

#include "errors.h"
#include "local/local_store.h"

namespace rgw::local {

void LocalStore::create_user(const User& user) {
  validate_uid(user.uid);
  std::lock_guard<StoreMutex> l(mu_);
  Transaction t(*db_);
  if (Stmt(*db_, "SELECT 1 FROM users WHERE uid=?").bind(1, user.uid).step())
    fail(RGW_ERR_USER_EXISTS, "user '" + user.uid + "' exists");
  User u = user;
  if (!u.created_ns) u.created_ns = now_ns();
  for (const auto& k : u.keys) insert_key_locked(u.uid, k);
  if (!u.swift_user.empty()) insert_swift_locked(u.uid, u.swift_user);
  Stmt(*db_, "INSERT INTO users(uid, record) VALUES(?, ?)")
      .bind(1, u.uid)
      .bind_blob(2, encode_user(u))
      .run();
  t.commit();
}

User LocalStore::get_user(const std::string& uid) {
  auto conn = readers_->take();
  return read_user(conn.db(), uid);
}

// One statement: the credential and its user seen at once.
User LocalStore::get_user_by_credential(CredentialKind kind, const std::string& id) {
  auto conn = readers_->take();
  if (kind == CredentialKind::swift_user) {
    Stmt q(conn.db(),
           "SELECT u.record FROM swift_users s JOIN users u ON u.uid=s.uid "
           "WHERE s.swift_user=?");
    if (!q.bind(1, id).step()) fail(RGW_ERR_NO_SUCH_USER, "no such Swift user '" + id + "'");
    return decode_user(q.text(0));
  }
  Stmt q(conn.db(),
         "SELECT u.record FROM access_keys k JOIN users u ON u.uid=k.uid WHERE k.access_key=?");
  if (!q.bind(1, id).step()) fail(RGW_ERR_NO_SUCH_ACCESS_KEY, "no such access key '" + id + "'");
  return decode_user(q.text(0));
}

void LocalStore::update_user(const std::string& uid, const UserUpdate& update) {
  std::lock_guard<StoreMutex> l(mu_);
  Transaction t(*db_);
  User u = get_user_locked(uid);
  if (update.display_name) u.display_name = *update.display_name;
  if (update.email) u.email = *update.email;
  if (update.suspended) u.suspended = *update.suspended;
  if (update.attrs) u.attrs = *update.attrs;
  put_user_locked(u);
  t.commit();
}

std::vector<std::string> LocalStore::list_users() {
  std::lock_guard<StoreMutex> l(mu_);
  std::vector<std::string> out;
  Stmt q(*db_, "SELECT uid FROM users ORDER BY uid");
  while (q.step()) out.push_back(q.text(0));
  return out;
}

void LocalStore::add_access_key(const std::string& uid, const AccessKey& key) {
  std::lock_guard<StoreMutex> l(mu_);
  Transaction t(*db_);
  User u = get_user_locked(uid);
  insert_key_locked(uid, key);
  u.keys.push_back(key);
  put_user_locked(u);
  t.commit();
}

void LocalStore::remove_access_key(const std::string& uid, const std::string& access_key) {
  std::lock_guard<StoreMutex> l(mu_);
  Transaction t(*db_);
  User u = get_user_locked(uid);
  size_t before = u.keys.size();
  std::vector<AccessKey> kept;
  for (const auto& k : u.keys)
    if (k.access_key != access_key) kept.push_back(k);
  if (kept.size() == before)
    fail(RGW_ERR_NO_SUCH_ACCESS_KEY, "user '" + uid + "' has no access key '" + access_key + "'");
  u.keys = kept;
  Stmt(*db_, "DELETE FROM access_keys WHERE access_key=?").bind(1, access_key).run();
  put_user_locked(u);
  t.commit();
}

void LocalStore::set_swift_credentials(const std::string& uid, const std::string& swift_user,
                                       const std::string& swift_key) {
  std::lock_guard<StoreMutex> l(mu_);
  Transaction t(*db_);
  User u = get_user_locked(uid);
  if (!u.swift_user.empty())
    Stmt(*db_, "DELETE FROM swift_users WHERE swift_user=?").bind(1, u.swift_user).run();
  if (!swift_user.empty()) insert_swift_locked(uid, swift_user);
  u.swift_user = swift_user;
  u.swift_key = swift_key;
  put_user_locked(u);
  t.commit();
}

void LocalStore::remove_user(const std::string& uid) {
  std::lock_guard<StoreMutex> l(mu_);
  Transaction t(*db_);
  get_user_locked(uid);
  if (Stmt(*db_, "SELECT 1 FROM buckets WHERE owner=? LIMIT 1").bind(1, uid).step())
    fail(RGW_ERR_USER_HAS_BUCKETS, "user '" + uid + "' still owns buckets");
  Stmt(*db_, "DELETE FROM access_keys WHERE uid=?").bind(1, uid).run();
  Stmt(*db_, "DELETE FROM swift_users WHERE uid=?").bind(1, uid).run();
  Stmt(*db_, "DELETE FROM users WHERE uid=?").bind(1, uid).run();
  t.commit();
}

BucketInfo LocalStore::create_bucket(const BucketInfo& info) {
  validate_bucket_name(info.name);
  std::lock_guard<StoreMutex> l(mu_);
  Transaction t(*db_);
  get_user_locked(info.owner);
  if (Stmt(*db_, "SELECT 1 FROM buckets WHERE name=?").bind(1, info.name).step())
    fail(RGW_ERR_BUCKET_EXISTS, "bucket '" + info.name + "' exists");
  BucketInfo b = info;
  b.id = random_hex(16);
  b.created_ns = now_ns();
  Stmt(*db_, "INSERT INTO buckets(name, owner, record) VALUES(?, ?, ?)")
      .bind(1, b.name)
      .bind(2, b.owner)
      .bind_blob(3, encode_bucket_info(b))
      .run();
  t.commit();
  bucket_epoch_->bump();
  return b;
}

BucketInfo LocalStore::get_bucket(const std::string& name) { return get_bucket_cached(name); }

void LocalStore::update_bucket(const BucketInfo& info) {
  std::lock_guard<StoreMutex> l(mu_);
  Transaction t(*db_);
  BucketInfo cur = get_bucket_locked(info.name);
  cur.acl = info.acl;
  if (info.versioning != Versioning::unversioned) cur.versioning = info.versioning;
  cur.attrs = info.attrs;
  Stmt(*db_, "UPDATE buckets SET record=? WHERE name=?")
      .bind_blob(1, encode_bucket_info(cur))
      .bind(2, cur.name)
      .run();
  t.commit();
  bucket_epoch_->bump();
}

std::vector<BucketInfo> LocalStore::list_buckets(const std::string& owner) {
  std::lock_guard<StoreMutex> l(mu_);
  std::vector<BucketInfo> out;
  Stmt q(*db_, owner.empty() ? "SELECT record FROM buckets ORDER BY name"
                             : "SELECT record FROM buckets WHERE owner=? ORDER BY name");
  if (!owner.empty()) q.bind(1, owner);
  while (q.step()) out.push_back(decode_bucket_info(q.text(0)));
  return out;
}

void LocalStore::remove_bucket(const std::string& name) {
  std::lock_guard<StoreMutex> l(mu_);
  Transaction t(*db_);
  BucketInfo b = get_bucket_locked(name);
  if (Stmt(*db_, "SELECT 1 FROM objects WHERE bucket_id=? LIMIT 1").bind(1, b.id).step())
    fail(RGW_ERR_BUCKET_NOT_EMPTY, "bucket '" + name + "' is not empty");
  // Uploads in progress are aborted: their parts become garbage.
  {
    Stmt q(*db_,
           "SELECT data_id FROM parts WHERE bucket_id=? "
           "UNION ALL SELECT data_id FROM replaced_parts WHERE bucket_id=?");
    q.bind(1, b.id).bind(2, b.id);
    while (q.step()) garbage_locked(q.text(0));
  }
  Stmt(*db_, "DELETE FROM parts WHERE bucket_id=?").bind(1, b.id).run();
  Stmt(*db_, "DELETE FROM replaced_parts WHERE bucket_id=?").bind(1, b.id).run();
  Stmt(*db_, "DELETE FROM uploads WHERE bucket_id=?").bind(1, b.id).run();
  Stmt(*db_, "DELETE FROM buckets WHERE name=?").bind(1, name).run();
  t.commit();
  bucket_epoch_->bump();
}

BucketStats LocalStore::bucket_stats(const std::string& name) {
  std::lock_guard<StoreMutex> l(mu_);
  BucketInfo b = get_bucket_locked(name);
  Stmt q(*db_,
         "SELECT count(*), coalesce(sum(size), 0) FROM objects "
         "WHERE bucket_id=? AND is_latest=1 AND delete_marker=0");
  q.bind(1, b.id).step();
  return BucketStats{static_cast<uint64_t>(q.i64(0)), static_cast<uint64_t>(q.i64(1))};
}

void LocalStore::insert_key_locked(const std::string& uid, const AccessKey& k) {
  if (k.access_key.empty() || k.secret_key.empty())
    fail(RGW_ERR_INVALID_ARGUMENT, "access key and secret key must not be empty");
  if (Stmt(*db_, "SELECT 1 FROM access_keys WHERE access_key=?").bind(1, k.access_key).step())
    fail(RGW_ERR_ACCESS_KEY_EXISTS, "access key '" + k.access_key + "' is taken");
  Stmt(*db_, "INSERT INTO access_keys(access_key, uid) VALUES(?, ?)")
      .bind(1, k.access_key)
      .bind(2, uid)
      .run();
}

void LocalStore::insert_swift_locked(const std::string& uid, const std::string& swift_user) {
  if (Stmt(*db_, "SELECT 1 FROM swift_users WHERE swift_user=?").bind(1, swift_user).step())
    fail(RGW_ERR_USER_EXISTS, "Swift user '" + swift_user + "' is taken");
  Stmt(*db_, "INSERT INTO swift_users(swift_user, uid) VALUES(?, ?)")
      .bind(1, swift_user)
      .bind(2, uid)
      .run();
}

User LocalStore::read_user(Db& db, const std::string& uid) {
  Stmt q(db, "SELECT record FROM users WHERE uid=?");
  if (!q.bind(1, uid).step()) fail(RGW_ERR_NO_SUCH_USER, "no such user '" + uid + "'");
  return decode_user(q.text(0));
}

void LocalStore::put_user_locked(const User& u) {
  Stmt(*db_, "UPDATE users SET record=? WHERE uid=?")
      .bind_blob(1, encode_user(u))
      .bind(2, u.uid)
      .run();
}

BucketInfo LocalStore::read_bucket(Db& db, const std::string& name) {
  validate_bucket_name(name);
  Stmt q(db, "SELECT record FROM buckets WHERE name=?");
  if (!q.bind(1, name).step()) fail(RGW_ERR_NO_SUCH_BUCKET, "no such bucket '" + name + "'");
  return decode_bucket_info(q.text(0));
}

// Bucket records for reads, from a per-process cache.  Every change of a
// bucket, in any process, bumps the store's shared bucket epoch after its
// commit; a cache filled under an older epoch is dropped before use.  The
// epoch is read before the database, so a change racing with a fill is
// seen at the next lookup: a record read under an epoch that moved while
// it was read is returned but not kept.  Writers read buckets inside their
// transaction (get_bucket_locked), never from here.  The cache's mutex is
// held only for the map, never across a query.
BucketInfo LocalStore::get_bucket_cached(const std::string& name) {
  const uint64_t epoch = bucket_epoch_->load();
  {
    std::lock_guard<std::mutex> l(cache_mu_);
    if (epoch != bucket_cache_epoch_) {
      bucket_cache_.clear();
      bucket_cache_epoch_ = epoch;
    }
    auto it = bucket_cache_.find(name);
    if (it != bucket_cache_.end()) return it->second;
  }
  BucketInfo b;
  {
    auto conn = readers_->take();
    b = read_bucket(conn.db(), name);
  }
  std::lock_guard<std::mutex> l(cache_mu_);
  if (bucket_cache_epoch_ == epoch) {
    if (bucket_cache_.size() >= kBucketCacheMax) bucket_cache_.clear();
    bucket_cache_.emplace(name, b);
  }
  return b;
}

}  // namespace rgw::local
