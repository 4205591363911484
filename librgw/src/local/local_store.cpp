// local_store.cpp - opening the local driver's store: the schema (created, or
// upgraded from an older version), the directories, open_local_store(), and
// the path helpers the driver's files share.  The driver: local/local_store.h.
#include "local/local_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <memory>
#include <string>

#include "errors.h"
#include "local/group_commit.h"

namespace rgw::local {
namespace {

// About 60 s of 1-10 ms waits, as the busy timeout of every other statement.
constexpr int kOpenBusyRetries = 10000;

// 1: objects with one body each.  2: multipart uploads, parts and segmented
// bodies (a version 1 store is upgraded when opened; a version 1 librgw
// refuses a version 2 store, whose part files its gc would take for garbage).
// 3: the expiry queue and leases (a version 2 librgw refuses a version 3
// store: its writers would give objects a delete_at without a queue entry).
// 4: versions (index objects_versions; a version 3 librgw refuses a version 4
// store: it knows only the null version of a key, and would leave two
// versions current).
// 5: inline bodies (table inline_bodies; a version 4 librgw refuses a
// version 5 store: it would look for their bodies in files).
constexpr int kSchemaVersion = 5;

const char* const kSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_info(version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS users(uid TEXT PRIMARY KEY, record BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS access_keys(access_key TEXT PRIMARY KEY, uid TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS swift_users(swift_user TEXT PRIMARY KEY, uid TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS buckets(name TEXT PRIMARY KEY, owner TEXT NOT NULL,
                                   record BLOB NOT NULL);
-- One row per object version or delete marker (version 4: versioning).
-- Unversioned objects have version_id 'null'; 'seq' orders the versions of a
-- key (newest highest); one row of a key has is_latest (the current one).
CREATE TABLE IF NOT EXISTS objects(
  bucket_id TEXT NOT NULL, key TEXT NOT NULL, version_id TEXT NOT NULL,
  seq INTEGER NOT NULL, is_latest INTEGER NOT NULL, delete_marker INTEGER NOT NULL,
  size INTEGER NOT NULL, data_id TEXT NOT NULL, record BLOB NOT NULL,
  PRIMARY KEY(bucket_id, key, version_id));
CREATE INDEX IF NOT EXISTS objects_listing ON objects(bucket_id, is_latest, key);
CREATE INDEX IF NOT EXISTS objects_versions ON objects(bucket_id, key, seq);
-- Bodies no longer referenced, reclaimed by an explicit gc pass.
CREATE TABLE IF NOT EXISTS garbage(data_id TEXT PRIMARY KEY, since_ns INTEGER NOT NULL);
-- Bodies of at most 16 KiB (version 5), named by their objects row's data_id
-- ('=' and hex); written and dropped in the transaction of that row.
CREATE TABLE IF NOT EXISTS inline_bodies(data_id TEXT PRIMARY KEY, bytes BLOB NOT NULL);
-- Multipart uploads in progress (version 2).
CREATE TABLE IF NOT EXISTS uploads(
  bucket_id TEXT NOT NULL, upload_id TEXT NOT NULL, key TEXT NOT NULL,
  initiated_ns INTEGER NOT NULL, record BLOB NOT NULL,
  PRIMARY KEY(bucket_id, upload_id));
CREATE INDEX IF NOT EXISTS uploads_by_key ON uploads(bucket_id, key, initiated_ns);
CREATE INDEX IF NOT EXISTS uploads_by_key_id ON uploads(bucket_id, key, upload_id);
CREATE TABLE IF NOT EXISTS parts(
  bucket_id TEXT NOT NULL, upload_id TEXT NOT NULL, number INTEGER NOT NULL,
  size INTEGER NOT NULL, etag TEXT NOT NULL, mtime_ns INTEGER NOT NULL, data_id TEXT NOT NULL,
  PRIMARY KEY(bucket_id, upload_id, number));
CREATE INDEX IF NOT EXISTS parts_by_data ON parts(data_id);
-- Earlier uploads of a part that a later one (of another etag) replaced:
-- a completion naming their etag may still choose them.  Dropped with the
-- upload (no schema version of its own: a store without the table gets it).
CREATE TABLE IF NOT EXISTS replaced_parts(
  bucket_id TEXT NOT NULL, upload_id TEXT NOT NULL, number INTEGER NOT NULL,
  etag TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, data_id TEXT NOT NULL,
  PRIMARY KEY(bucket_id, upload_id, number, etag));
CREATE INDEX IF NOT EXISTS replaced_parts_by_data ON replaced_parts(data_id);
-- The body of a multipart object (its objects row has data_id ''): the
-- files of its parts, in order.
CREATE TABLE IF NOT EXISTS segments(
  bucket_id TEXT NOT NULL, key TEXT NOT NULL, version_id TEXT NOT NULL, n INTEGER NOT NULL,
  data_id TEXT NOT NULL, size INTEGER NOT NULL,
  PRIMARY KEY(bucket_id, key, version_id, n));
CREATE INDEX IF NOT EXISTS segments_by_data ON segments(data_id);
-- The expiry queue (version 3): an entry per object given a delete_at,
-- written with its row; the expirer drains it shard by shard, due first.
CREATE TABLE IF NOT EXISTS expiry(
  shard INTEGER NOT NULL, delete_at INTEGER NOT NULL, bucket TEXT NOT NULL, key TEXT NOT NULL,
  PRIMARY KEY(shard, delete_at, bucket, key)) WITHOUT ROWID;
-- The agents' leases (version 3): who works on what, until when.
CREATE TABLE IF NOT EXISTS leases(name TEXT PRIMARY KEY, holder TEXT NOT NULL,
                                  until_ns INTEGER NOT NULL);
)sql";

}  // namespace

std::string join(const std::string& a, const std::string& b) { return a + "/" + b; }

void make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0750) != 0 && errno != EEXIST) fail_errno(errno, "mkdir " + path);
}

void fsync_dir(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail_errno(errno, "open " + path);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) fail_errno(err, "fsync " + path);
}

LocalStore::LocalStore(const std::string& dir) : dir_(dir) {
  make_dir(dir_);
  make_dir(join(dir_, "data"));
  make_dir(join(dir_, "tmp"));
  shared_ = std::make_unique<SharedWords>(join(dir_, "bucket-epoch"));
  changes_ = std::make_unique<ChangeCounters>(shared_->word(SharedWords::kChangesBegun),
                                              shared_->word(SharedWords::kChangesEnded));
  bucket_epoch_ = std::make_unique<SharedCounter>(shared_->word(SharedWords::kBucketEpoch));
  rows_ = std::make_unique<RowCache>(*changes_);
  db_ = std::make_unique<Db>(join(dir_, "meta.db"), join(dir_, "write.lock"));
  db_->count_changes(changes_.get());
  // Switching a new database to WAL takes an exclusive lock for which
  // SQLite does not call the busy handler: processes opening a new store at
  // once (a web server's workers) retry here instead of failing.
  for (int attempt = 0;; ++attempt) {
    try {
      db_->exec("PRAGMA journal_mode=WAL");
      break;
    } catch (const Error& e) {
      if (e.code() != -EBUSY || attempt >= kOpenBusyRetries) throw;
      ::usleep(1000 * (1 + attempt % 10));
    }
  }
  db_->exec("PRAGMA synchronous=FULL");
  readers_ = std::make_unique<ReadConnections>(join(dir_, "meta.db"));
  db_->exec("PRAGMA foreign_keys=ON");
  Transaction t(*db_);
  db_->exec(kSchema);
  Stmt q(*db_, "SELECT version FROM schema_info");
  if (!q.step()) {
    Stmt(*db_, "INSERT INTO schema_info(version) VALUES(?)").bind(1, int64_t{kSchemaVersion}).run();
  } else if (q.i64(0) > kSchemaVersion) {
    fail(RGW_ERR_STORE, "store " + dir_ + " has schema version " + std::to_string(q.i64(0)) +
                            ", newer than this librgw understands");
  } else if (q.i64(0) < kSchemaVersion) {
    // The new tables exist now (CREATE ... IF NOT EXISTS above).  Objects
    // given a delete_at before version 3 get their queue entries.
    if (q.i64(0) < 3) queue_existing_expiries_locked();
    Stmt(*db_, "UPDATE schema_info SET version=?").bind(1, int64_t{kSchemaVersion}).run();
  }
  t.commit();
  group_commit_ = std::make_unique<GroupCommit>(mu_, *db_);
}

LocalStore::~LocalStore() = default;

// Upgrade to version 3: a queue entry for every object that has a delete_at.
void LocalStore::queue_existing_expiries_locked() {
  std::map<std::string, std::string> names;  // bucket id -> name
  {
    Stmt b(*db_, "SELECT record FROM buckets");
    while (b.step()) {
      BucketInfo info = decode_bucket_info(b.text(0));
      names[info.id] = info.name;
    }
  }
  Stmt o(*db_, "SELECT bucket_id, record FROM objects WHERE is_latest=1 AND delete_marker=0");
  while (o.step()) {
    auto it = names.find(o.text(0));
    if (it == names.end()) continue;
    ObjectInfo info = decode_object_info(o.text(1));
    queue_expiry_locked(it->second, info.key, info.delete_at);
  }
}

}  // namespace rgw::local

namespace rgw {

std::unique_ptr<Store> open_local_store(const std::string& dir) {
  return std::make_unique<local::LocalStore>(dir);
}

}  // namespace rgw
