// local_store.cpp - the embedded local driver, for one machine.
//
// Layout of the store directory:
//   meta.db        SQLite (WAL): users, keys, buckets, the object index, garbage,
//                  multipart uploads and their parts
//   data/xx/ID     object and part bodies, immutable, named by random ids (never by key)
//   tmp/ID         bodies being written; published by fsync + rename
//
// Multipart: a part is written like an object body (tmp, fsync, rename) and
// recorded in `parts`.  Completion is one transaction: it checks the chosen
// parts and commits ONE object row whose body is the ordered list of the
// parts' files (`segments`; objects.data_id is then ''), with no copy.  A file
// is garbage only once no object, segment or part row names it.
//
// Object keys are only ever column values, never path components, so no key
// can name a file outside the store.  Several processes may open the same
// directory at once: SQLite serialises the metadata; bodies are immutable.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <algorithm>
#include <map>
#include <mutex>
#include <unordered_map>

#include "errors.h"
#include "listing.h"
#include "local/shared_counter.h"
#include "local/sqlite.h"
#include "store.h"
#include "util.h"

namespace rgw {
namespace {

using local::SharedCounter;
using local::Db;
using local::Stmt;
using local::Transaction;

// 1: objects with one body each.  2: multipart uploads, parts and segmented
// bodies (a version 1 store is upgraded when opened; a version 1 librgw
// refuses a version 2 store, whose part files its gc would take for garbage).
constexpr int kSchemaVersion = 2;
// A reader opens the files of this many segments at once (later ones as it
// reaches them), so that a 10000-part object does not need 10000 descriptors.
constexpr size_t kEagerSegments = 64;

const char* const kSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_info(version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS users(uid TEXT PRIMARY KEY, record BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS access_keys(access_key TEXT PRIMARY KEY, uid TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS swift_users(swift_user TEXT PRIMARY KEY, uid TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS buckets(name TEXT PRIMARY KEY, owner TEXT NOT NULL,
                                   record BLOB NOT NULL);
-- One row per object version.  Unversioned objects have version_id 'null';
-- 'seq' orders the versions of a key (newest highest) for versioning later.
CREATE TABLE IF NOT EXISTS objects(
  bucket_id TEXT NOT NULL, key TEXT NOT NULL, version_id TEXT NOT NULL,
  seq INTEGER NOT NULL, is_latest INTEGER NOT NULL, delete_marker INTEGER NOT NULL,
  size INTEGER NOT NULL, data_id TEXT NOT NULL, record BLOB NOT NULL,
  PRIMARY KEY(bucket_id, key, version_id));
CREATE INDEX IF NOT EXISTS objects_listing ON objects(bucket_id, is_latest, key);
-- Bodies no longer referenced, reclaimed by an explicit gc pass.
CREATE TABLE IF NOT EXISTS garbage(data_id TEXT PRIMARY KEY, since_ns INTEGER NOT NULL);
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
-- The body of a multipart object (its objects row has data_id ''): the
-- files of its parts, in order.
CREATE TABLE IF NOT EXISTS segments(
  bucket_id TEXT NOT NULL, key TEXT NOT NULL, version_id TEXT NOT NULL, n INTEGER NOT NULL,
  data_id TEXT NOT NULL, size INTEGER NOT NULL,
  PRIMARY KEY(bucket_id, key, version_id, n));
CREATE INDEX IF NOT EXISTS segments_by_data ON segments(data_id);
)sql";

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

bool is_hex_id(const std::string& name) {
  if (name.size() != 32) return false;
  for (char c : name)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

struct ListCursor {
  std::string lower;  // first key to consider
  bool inclusive;     // whether 'lower' itself may be listed
};

// Where a listing starts: at the prefix, or after the marker.  A marker that
// falls under a common prefix (the NextMarker of a previous page) resumes
// after every key of that prefix, which the previous page rolled up.
ListCursor list_start(const ListParams& p) {
  if (p.marker < p.prefix) return ListCursor{p.prefix, true};
  std::string cp = common_prefix(p.marker, p);
  if (!cp.empty()) return ListCursor{prefix_end(cp), true};
  return ListCursor{p.marker, false};
}

class LocalStore;

class LocalWriter : public ObjectWriter {
 public:
  LocalWriter(LocalStore& store, BucketInfo bucket, std::string key);
  // A part writer: commit() publishes part `part_number` of the upload.
  LocalWriter(LocalStore& store, BucketInfo bucket, std::string key, std::string upload_id,
              int part_number);
  ~LocalWriter() override;
  void write(const char* data, size_t len) override;
  uint64_t bytes_written() const override { return size_; }
  ObjectInfo commit(const Attrs& attrs, int64_t delete_at, const std::string& etag_override) override;
  void abort() override;

 private:
  LocalStore& store_;
  BucketInfo bucket_;
  std::string key_;
  std::string id_;
  std::string tmp_path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  Md5 md5_;
  bool finished_ = false;
  std::string failed_;  // why a write failed: the writer then refuses to commit
  std::string upload_id_;
  int part_number_ = 0;  // 0: an object writer
};

// One file of an object's body: a whole body, or one part of a multipart one.
struct Segment {
  std::string data_id;
  uint64_t size = 0;
};

// Reads a range across the segments of a body.  The files covering the
// range are opened up front (up to kEagerSegments of them): an open file
// outlives gc's unlink, so the object read stays the one that was opened.
class LocalReader : public ObjectReader {
 public:
  struct Seg {
    std::string path;
    uint64_t start = 0, size = 0;
    int fd = -1;
  };
  LocalReader(std::vector<Seg> segs, ObjectInfo info, uint64_t offset, uint64_t length)
      : segs_(std::move(segs)), info_(std::move(info)), pos_(offset), end_(offset + length) {}
  ~LocalReader() override {
    for (auto& s : segs_)
      if (s.fd >= 0) ::close(s.fd);
  }
  const ObjectInfo& info() const override { return info_; }
  uint64_t remaining() const override { return end_ - pos_; }
  size_t read(char* buf, size_t len) override {
    if (pos_ >= end_) return 0;
    if (len > end_ - pos_) len = end_ - pos_;
    while (idx_ < segs_.size() && pos_ >= segs_[idx_].start + segs_[idx_].size) {
      if (segs_[idx_].fd >= 0) ::close(segs_[idx_].fd);
      segs_[idx_].fd = -1;
      ++idx_;
    }
    if (idx_ == segs_.size()) fail(-EIO, "object body is shorter than its recorded size");
    Seg& s = segs_[idx_];
    if (s.fd < 0) {
      s.fd = ::open(s.path.c_str(), O_RDONLY | O_CLOEXEC);
      if (s.fd < 0 && errno == ENOENT)
        fail(RGW_ERR_CONFLICT,
             "object '" + info_.key + "' was overwritten and reclaimed while read");
      if (s.fd < 0) fail_errno(errno, "open body of '" + info_.key + "'");
    }
    len = static_cast<size_t>(std::min<uint64_t>(len, s.start + s.size - pos_));
    for (;;) {
      ssize_t n = ::pread(s.fd, buf, len, static_cast<off_t>(pos_ - s.start));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail_errno(errno, "read object body");
      if (n == 0) fail(-EIO, "object body is shorter than its recorded size");
      pos_ += static_cast<uint64_t>(n);
      return static_cast<size_t>(n);
    }
  }

 private:
  std::vector<Seg> segs_;
  size_t idx_ = 0;
  ObjectInfo info_;
  uint64_t pos_, end_;
};

class LocalStore : public Store {
 public:
  explicit LocalStore(const std::string& dir) : dir_(dir) {
    make_dir(dir_);
    make_dir(join(dir_, "data"));
    make_dir(join(dir_, "tmp"));
    db_ = std::make_unique<Db>(join(dir_, "meta.db"));
    bucket_epoch_ = std::make_unique<SharedCounter>(join(dir_, "bucket-epoch"));
    db_->exec("PRAGMA journal_mode=WAL");
    db_->exec("PRAGMA synchronous=FULL");
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
      // The new tables exist now (CREATE ... IF NOT EXISTS above).
      Stmt(*db_, "UPDATE schema_info SET version=?").bind(1, int64_t{kSchemaVersion}).run();
    }
    t.commit();
  }

  const std::string& dir() const { return dir_; }

  std::string data_path(const std::string& id) const {
    return dir_ + "/data/" + id.substr(0, 2) + "/" + id;
  }

  // ------------------------------------------------------------ users
  void create_user(const User& user) override {
    validate_uid(user.uid);
    std::lock_guard<std::mutex> l(mu_);
    Transaction t(*db_);
    if (Stmt(*db_, "SELECT 1 FROM users WHERE uid=?").bind(1, user.uid).step())
      fail(RGW_ERR_USER_EXISTS, "user '" + user.uid + "' exists");
    User u = user;
    if (!u.created_ns) u.created_ns = now_ns();
    for (const auto& k : u.keys) insert_key_locked(u.uid, k);
    if (!u.swift_user.empty()) insert_swift_locked(u.uid, u.swift_user);
    Stmt(*db_, "INSERT INTO users(uid, record) VALUES(?, ?)").bind(1, u.uid).bind_blob(2, encode_user(u)).run();
    t.commit();
  }

  User get_user(const std::string& uid) override {
    std::lock_guard<std::mutex> l(mu_);
    return get_user_locked(uid);
  }

  User get_user_by_access_key(const std::string& access_key) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt q(*db_, "SELECT uid FROM access_keys WHERE access_key=?");
    if (!q.bind(1, access_key).step())
      fail(RGW_ERR_NO_SUCH_ACCESS_KEY, "no such access key '" + access_key + "'");
    return get_user_locked(q.text(0));
  }

  User get_user_by_swift_user(const std::string& swift_user) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt q(*db_, "SELECT uid FROM swift_users WHERE swift_user=?");
    if (!q.bind(1, swift_user).step())
      fail(RGW_ERR_NO_SUCH_USER, "no such Swift user '" + swift_user + "'");
    return get_user_locked(q.text(0));
  }

  std::vector<std::string> list_users() override {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<std::string> out;
    Stmt q(*db_, "SELECT uid FROM users ORDER BY uid");
    while (q.step()) out.push_back(q.text(0));
    return out;
  }

  void add_access_key(const std::string& uid, const AccessKey& key) override {
    std::lock_guard<std::mutex> l(mu_);
    Transaction t(*db_);
    User u = get_user_locked(uid);
    insert_key_locked(uid, key);
    u.keys.push_back(key);
    put_user_locked(u);
    t.commit();
  }

  void remove_access_key(const std::string& uid, const std::string& access_key) override {
    std::lock_guard<std::mutex> l(mu_);
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

  void set_swift_credentials(const std::string& uid, const std::string& swift_user,
                             const std::string& swift_key) override {
    std::lock_guard<std::mutex> l(mu_);
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

  void remove_user(const std::string& uid) override {
    std::lock_guard<std::mutex> l(mu_);
    Transaction t(*db_);
    get_user_locked(uid);
    if (Stmt(*db_, "SELECT 1 FROM buckets WHERE owner=? LIMIT 1").bind(1, uid).step())
      fail(RGW_ERR_USER_HAS_BUCKETS, "user '" + uid + "' still owns buckets");
    Stmt(*db_, "DELETE FROM access_keys WHERE uid=?").bind(1, uid).run();
    Stmt(*db_, "DELETE FROM swift_users WHERE uid=?").bind(1, uid).run();
    Stmt(*db_, "DELETE FROM users WHERE uid=?").bind(1, uid).run();
    t.commit();
  }

  // ---------------------------------------------------------- buckets
  BucketInfo create_bucket(const BucketInfo& info) override {
    validate_bucket_name(info.name);
    std::lock_guard<std::mutex> l(mu_);
    Transaction t(*db_);
    get_user_locked(info.owner);
    if (Stmt(*db_, "SELECT 1 FROM buckets WHERE name=?").bind(1, info.name).step())
      fail(RGW_ERR_BUCKET_EXISTS, "bucket '" + info.name + "' exists");
    BucketInfo b = info;
    b.id = random_hex(16);
    b.created_ns = now_ns();
    Stmt(*db_, "INSERT INTO buckets(name, owner, record) VALUES(?, ?, ?)")
        .bind(1, b.name).bind(2, b.owner).bind_blob(3, encode_bucket_info(b)).run();
    t.commit();
    bucket_epoch_->bump();
    return b;
  }

  BucketInfo get_bucket(const std::string& name) override {
    std::lock_guard<std::mutex> l(mu_);
    return get_bucket_cached_locked(name);
  }

  void update_bucket(const BucketInfo& info) override {
    std::lock_guard<std::mutex> l(mu_);
    Transaction t(*db_);
    BucketInfo cur = get_bucket_locked(info.name);
    cur.acl = info.acl;
    cur.versioning = info.versioning;
    cur.attrs = info.attrs;
    Stmt(*db_, "UPDATE buckets SET record=? WHERE name=?")
        .bind_blob(1, encode_bucket_info(cur)).bind(2, cur.name).run();
    t.commit();
    bucket_epoch_->bump();
  }

  std::vector<BucketInfo> list_buckets(const std::string& owner) override {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<BucketInfo> out;
    Stmt q(*db_, owner.empty() ? "SELECT record FROM buckets ORDER BY name"
                               : "SELECT record FROM buckets WHERE owner=? ORDER BY name");
    if (!owner.empty()) q.bind(1, owner);
    while (q.step()) out.push_back(decode_bucket_info(q.text(0)));
    return out;
  }

  void remove_bucket(const std::string& name) override {
    std::lock_guard<std::mutex> l(mu_);
    Transaction t(*db_);
    BucketInfo b = get_bucket_locked(name);
    if (Stmt(*db_, "SELECT 1 FROM objects WHERE bucket_id=? LIMIT 1").bind(1, b.id).step())
      fail(RGW_ERR_BUCKET_NOT_EMPTY, "bucket '" + name + "' is not empty");
    // Uploads in progress are aborted: their parts become garbage.
    {
      Stmt q(*db_, "SELECT data_id FROM parts WHERE bucket_id=?");
      q.bind(1, b.id);
      while (q.step()) garbage_locked(q.text(0));
    }
    Stmt(*db_, "DELETE FROM parts WHERE bucket_id=?").bind(1, b.id).run();
    Stmt(*db_, "DELETE FROM uploads WHERE bucket_id=?").bind(1, b.id).run();
    Stmt(*db_, "DELETE FROM buckets WHERE name=?").bind(1, name).run();
    t.commit();
    bucket_epoch_->bump();
  }

  BucketStats bucket_stats(const std::string& name) override {
    std::lock_guard<std::mutex> l(mu_);
    BucketInfo b = get_bucket_locked(name);
    Stmt q(*db_,
           "SELECT count(*), coalesce(sum(size), 0) FROM objects "
           "WHERE bucket_id=? AND is_latest=1 AND delete_marker=0");
    q.bind(1, b.id).step();
    return BucketStats{static_cast<uint64_t>(q.i64(0)), static_cast<uint64_t>(q.i64(1))};
  }

  // ---------------------------------------------------------- objects
  std::unique_ptr<ObjectWriter> open_writer(const std::string& bucket,
                                            const std::string& key) override {
    validate_object_key(key);
    BucketInfo b = get_bucket(bucket);
    return std::make_unique<LocalWriter>(*this, b, key);
  }

  // Called by LocalWriter::commit once the body is durable under data/.
  // Called by LocalWriter::commit with the body durable in tmp/: moves it
  // under data/ and commits its index row.  Both happen under the store's
  // write lock, which gc takes too, so gc never sees a published body that
  // has no row yet.
  ObjectInfo publish(const BucketInfo& bucket, ObjectInfo info, const std::string& data_id,
                     const std::string& tmp_path) {
    std::lock_guard<std::mutex> l(mu_);
    Transaction t(*db_);
    // The bucket may have been removed (or removed and re-created) meanwhile.
    BucketInfo cur = get_bucket_locked(bucket.name);
    if (cur.id != bucket.id)
      fail(RGW_ERR_NO_SUCH_BUCKET, "bucket '" + bucket.name + "' was removed during the upload");
    const std::string subdir = dir_ + "/data/" + data_id.substr(0, 2);
    const std::string final_path = data_path(data_id);
    make_dir(subdir);
    if (::rename(tmp_path.c_str(), final_path.c_str()) != 0)
      fail_errno(errno, "publish object body");
    crash_point("local:put:after-rename");
    try {
      fsync_dir(subdir);
      const int64_t seq = release_body_locked(bucket.id, info.key) + 1;
      Stmt(*db_,
           "INSERT OR REPLACE INTO objects(bucket_id, key, version_id, seq, is_latest, "
           "delete_marker, size, data_id, record) VALUES(?, ?, 'null', ?, 1, 0, ?, ?, ?)")
          .bind(1, bucket.id).bind(2, info.key).bind(3, seq)
          .bind(4, static_cast<int64_t>(info.size)).bind(5, data_id)
          .bind_blob(6, encode_object_info(info)).run();
      t.commit();
    } catch (...) {
      ::unlink(final_path.c_str());
      throw;
    }
    return info;
  }

  std::unique_ptr<ObjectReader> open_reader(const std::string& bucket, const std::string& key,
                                            uint64_t offset, int64_t length) override {
    // A gc pass may unlink a body between the lookup and the open: look again.
    for (int attempt = 0;; ++attempt) {
      std::vector<Segment> body;
      ObjectInfo info = lookup(bucket, key, &body);
      if (offset > info.size)
        fail(RGW_ERR_INVALID_RANGE, "range starts at " + std::to_string(offset) +
                                        " past the end of a " + std::to_string(info.size) +
                                        "-byte object");
      uint64_t avail = info.size - offset;
      uint64_t len = length < 0 ? avail : std::min<uint64_t>(avail, static_cast<uint64_t>(length));
      const uint64_t end = offset + len;
      std::vector<LocalReader::Seg> segs;
      uint64_t start = 0;
      for (const auto& b : body) {  // the segments the range touches
        const uint64_t seg_end = start + b.size;
        if (seg_end > offset && start < end)
          segs.push_back(LocalReader::Seg{data_path(b.data_id), start, b.size, -1});
        start = seg_end;
      }
      bool retry = false;
      for (size_t i = 0; i < segs.size() && i < kEagerSegments; ++i) {
        segs[i].fd = ::open(segs[i].path.c_str(), O_RDONLY | O_CLOEXEC);
        if (segs[i].fd >= 0) continue;
        int err = errno;
        for (size_t j = 0; j < i; ++j) ::close(segs[j].fd);
        if (err == ENOENT && attempt < 5) {
          retry = true;
          break;
        }
        fail_errno(err, "open body of '" + key + "'");
      }
      if (retry) continue;
      return std::make_unique<LocalReader>(std::move(segs), std::move(info), offset, len);
    }
  }

  ObjectInfo stat_object(const std::string& bucket, const std::string& key) override {
    return lookup(bucket, key, nullptr);
  }

  void remove_object(const std::string& bucket, const std::string& key) override {
    validate_object_key(key);
    std::lock_guard<std::mutex> l(mu_);
    Transaction t(*db_);
    BucketInfo b = get_bucket_locked(bucket);
    if (release_body_locked(b.id, key) > 0)
      Stmt(*db_, "DELETE FROM objects WHERE bucket_id=? AND key=? AND version_id='null'")
          .bind(1, b.id).bind(2, key).run();
    t.commit();
  }

  // One transaction under the write lock: the row read is the row updated;
  // the body (data_id, segments) is not touched.
  ObjectInfo update_object_attrs(const std::string& bucket, const std::string& key,
                                 const Attrs& attrs, const std::string& expected_etag) override {
    validate_object_key(key);
    std::lock_guard<std::mutex> l(mu_);
    Transaction t(*db_);
    BucketInfo b = get_bucket_locked(bucket);
    Stmt q(*db_,
           "SELECT record FROM objects WHERE bucket_id=? AND key=? AND version_id='null' AND "
           "is_latest=1 AND delete_marker=0");
    if (!q.bind(1, b.id).bind(2, key).step())
      fail(RGW_ERR_NO_SUCH_KEY, "no such key '" + key + "' in bucket '" + bucket + "'");
    ObjectInfo info = decode_object_info(q.text(0));
    if (is_expired(info)) fail(RGW_ERR_NO_SUCH_KEY, "key '" + key + "' has expired");
    if (!expected_etag.empty() && info.etag != expected_etag)
      fail(RGW_ERR_CONFLICT, "object '" + key + "' changed: etag " + info.etag + ", expected " +
                                 expected_etag);
    info.attrs = attrs;
    Stmt(*db_, "UPDATE objects SET record=? WHERE bucket_id=? AND key=? AND version_id='null'")
        .bind_blob(1, encode_object_info(info)).bind(2, b.id).bind(3, key).run();
    t.commit();
    return info;
  }

  ListResult list_objects(const std::string& bucket, const ListParams& p) override {
    validate_list_params(p);
    std::lock_guard<std::mutex> l(mu_);
    BucketInfo b = get_bucket_locked(bucket);
    ListResult out;
    const unsigned max = std::min(p.max_keys, 1000u);
    if (max == 0) return out;
    ListCursor cur = list_start(p);
    const std::string upper = prefix_end(p.prefix);
    unsigned count = 0;
    for (;;) {
      Stmt q(*db_, cur.inclusive
                       ? "SELECT key, record FROM objects WHERE bucket_id=? AND is_latest=1 AND "
                         "delete_marker=0 AND key>=? AND key<? ORDER BY key LIMIT ?"
                       : "SELECT key, record FROM objects WHERE bucket_id=? AND is_latest=1 AND "
                         "delete_marker=0 AND key>? AND key<? ORDER BY key LIMIT ?");
      q.bind(1, b.id).bind(2, cur.lower).bind(3, upper).bind(4, int64_t{max - count + 1});
      bool jumped = false;
      while (q.step()) {
        if (count == max) {
          out.truncated = true;
          return out;
        }
        std::string key = q.text(0);
        std::string cp = common_prefix(key, p);
        ++count;
        if (!cp.empty()) {
          out.common_prefixes.push_back(cp);
          out.next_marker = cp;
          cur = ListCursor{prefix_end(cp), true};  // skip every key under cp
          jumped = true;
          break;
        }
        out.objects.push_back(decode_object_info(q.text(1)));
        out.next_marker = key;
        cur = ListCursor{key, false};
      }
      if (!jumped) return out;  // the range is exhausted
    }
  }

  // -------------------------------------------------------- multipart
  UploadInfo create_upload(const std::string& bucket, const std::string& key,
                           const Attrs& attrs) override {
    validate_object_key(key);
    std::lock_guard<std::mutex> l(mu_);
    Transaction t(*db_);
    BucketInfo b = get_bucket_locked(bucket);
    UploadInfo u;
    u.initiated_ns = now_ns();
    u.upload_id = new_upload_id(u.initiated_ns);
    u.key = key;
    u.attrs = attrs;
    Stmt(*db_,
         "INSERT INTO uploads(bucket_id, upload_id, key, initiated_ns, record) VALUES(?, ?, ?, ?, ?)")
        .bind(1, b.id).bind(2, u.upload_id).bind(3, u.key).bind(4, u.initiated_ns)
        .bind_blob(5, encode_upload_info(u)).run();
    t.commit();
    return u;
  }

  UploadInfo get_upload(const std::string& bucket, const std::string& upload_id) override {
    std::lock_guard<std::mutex> l(mu_);
    BucketInfo b = get_bucket_locked(bucket);
    return get_upload_locked(b, upload_id);
  }

  std::unique_ptr<ObjectWriter> open_part_writer(const std::string& bucket,
                                                 const std::string& upload_id,
                                                 int part_number) override {
    validate_part_number(part_number);
    BucketInfo b;
    UploadInfo u;
    {
      std::lock_guard<std::mutex> l(mu_);
      b = get_bucket_locked(bucket);
      u = get_upload_locked(b, upload_id);
    }
    return std::make_unique<LocalWriter>(*this, b, u.key, upload_id, part_number);
  }

  // Called by a part writer's commit with the body durable in tmp/: like
  // publish(), for a part (which replaces an earlier part of that number).
  ObjectInfo publish_part(const BucketInfo& bucket, const std::string& upload_id, int number,
                          ObjectInfo info, const std::string& data_id,
                          const std::string& tmp_path) {
    std::lock_guard<std::mutex> l(mu_);
    Transaction t(*db_);
    BucketInfo cur = get_bucket_locked(bucket.name);
    if (cur.id != bucket.id)
      fail(RGW_ERR_NO_SUCH_BUCKET, "bucket '" + bucket.name + "' was removed during the upload");
    get_upload_locked(cur, upload_id);  // completed or aborted meanwhile: NoSuchUpload
    const std::string subdir = dir_ + "/data/" + data_id.substr(0, 2);
    const std::string final_path = data_path(data_id);
    make_dir(subdir);
    if (::rename(tmp_path.c_str(), final_path.c_str()) != 0) fail_errno(errno, "publish part body");
    crash_point("local:part:after-rename");
    try {
      fsync_dir(subdir);
      Stmt old(*db_, "SELECT data_id FROM parts WHERE bucket_id=? AND upload_id=? AND number=?");
      if (old.bind(1, bucket.id).bind(2, upload_id).bind(3, int64_t{number}).step())
        garbage_locked(old.text(0));
      Stmt(*db_,
           "INSERT OR REPLACE INTO parts(bucket_id, upload_id, number, size, etag, mtime_ns, "
           "data_id) VALUES(?, ?, ?, ?, ?, ?, ?)")
          .bind(1, bucket.id).bind(2, upload_id).bind(3, int64_t{number})
          .bind(4, static_cast<int64_t>(info.size)).bind(5, info.etag).bind(6, info.mtime_ns)
          .bind(7, data_id).run();
      t.commit();
    } catch (...) {
      ::unlink(final_path.c_str());
      throw;
    }
    return info;
  }

  std::vector<PartInfo> list_parts(const std::string& bucket,
                                   const std::string& upload_id) override {
    std::lock_guard<std::mutex> l(mu_);
    BucketInfo b = get_bucket_locked(bucket);
    get_upload_locked(b, upload_id);
    std::vector<PartInfo> out;
    Stmt q(*db_,
           "SELECT number, size, etag, mtime_ns FROM parts WHERE bucket_id=? AND upload_id=? "
           "ORDER BY number");
    q.bind(1, b.id).bind(2, upload_id);
    while (q.step())
      out.push_back(PartInfo{static_cast<int>(q.i64(0)), static_cast<uint64_t>(q.i64(1)),
                             q.text(2), q.i64(3)});
    return out;
  }

  std::vector<UploadInfo> list_uploads(const std::string& bucket, const std::string& prefix,
                                       const std::string& after_key, const std::string& after_id,
                                       size_t limit) override {
    ListParams lp;
    lp.prefix = prefix;
    validate_list_params(lp);  // after_key is only compared with: any bytes do
    std::lock_guard<std::mutex> l(mu_);
    BucketInfo b = get_bucket_locked(bucket);
    std::vector<UploadInfo> out;
    Stmt q(*db_,
           "SELECT record FROM uploads WHERE bucket_id=? AND key>=? AND key<? "
           "AND (key>? OR (key=? AND upload_id>?)) ORDER BY key, upload_id LIMIT ?");
    q.bind(1, b.id).bind(2, prefix).bind(3, prefix_end(prefix));
    q.bind(4, after_key).bind(5, after_key).bind(6, after_key.empty() ? std::string() : after_id);
    q.bind(7, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
    while (q.step()) out.push_back(decode_upload_info(q.text(0)));
    return out;
  }

  // One transaction: the chosen parts are checked, the object row (with the
  // parts' files as its segments) replaces the old one, whose body goes to gc
  // like the unchosen parts' files, and the upload ends.
  ObjectInfo complete_upload(const std::string& bucket, const std::string& upload_id,
                             const std::vector<std::pair<int, std::string>>& parts,
                             const std::string& etag) override {
    const auto want = checked_completion_parts(parts);
    std::lock_guard<std::mutex> l(mu_);
    Transaction t(*db_);
    BucketInfo b = get_bucket_locked(bucket);
    UploadInfo u = get_upload_locked(b, upload_id);
    struct Part {
      std::string data_id, etag;
      uint64_t size;
    };
    std::map<int, Part> have;
    {
      Stmt q(*db_, "SELECT number, data_id, etag, size FROM parts WHERE bucket_id=? AND upload_id=?");
      q.bind(1, b.id).bind(2, upload_id);
      while (q.step())
        have[static_cast<int>(q.i64(0))] = Part{q.text(1), q.text(2), static_cast<uint64_t>(q.i64(3))};
    }
    uint64_t size = 0;
    std::vector<std::string> etags;
    for (const auto& [n, e] : want) {
      auto it = have.find(n);
      if (it == have.end())
        fail(RGW_ERR_INVALID_PART, "part " + std::to_string(n) + " was not uploaded");
      if (it->second.etag != e)
        fail(RGW_ERR_INVALID_PART, "part " + std::to_string(n) + " has ETag " + it->second.etag +
                                       ", not " + e);
      size += it->second.size;
      etags.push_back(e);
    }
    ObjectInfo info = committed_object_info(
        u.key, size, etag.empty() ? multipart_etag(etags) : etag, 0, u.attrs);
    const int64_t seq = release_body_locked(b.id, u.key) + 1;
    Stmt(*db_,
         "INSERT OR REPLACE INTO objects(bucket_id, key, version_id, seq, is_latest, "
         "delete_marker, size, data_id, record) VALUES(?, ?, 'null', ?, 1, 0, ?, '', ?)")
        .bind(1, b.id).bind(2, u.key).bind(3, seq).bind(4, static_cast<int64_t>(size))
        .bind_blob(5, encode_object_info(info)).run();
    int64_t i = 0;
    for (const auto& [n, e] : want) {
      const Part& p = have[n];
      Stmt(*db_,
           "INSERT INTO segments(bucket_id, key, version_id, n, data_id, size) "
           "VALUES(?, ?, 'null', ?, ?, ?)")
          .bind(1, b.id).bind(2, u.key).bind(3, i++).bind(4, p.data_id)
          .bind(5, static_cast<int64_t>(p.size)).run();
      have.erase(n);
    }
    for (const auto& kv : have) garbage_locked(kv.second.data_id);  // the unchosen parts
    end_upload_locked(b.id, upload_id, false);
    crash_point("local:complete:before-commit");
    t.commit();
    return info;
  }

  void abort_upload(const std::string& bucket, const std::string& upload_id) override {
    std::lock_guard<std::mutex> l(mu_);
    Transaction t(*db_);
    BucketInfo b = get_bucket_locked(bucket);
    get_upload_locked(b, upload_id);
    end_upload_locked(b.id, upload_id, true);
    t.commit();
  }

  GcReport gc(const GcOptions& options) override {
    GcReport report;
    const int64_t cutoff_ns = gc_cutoff_ns(options);
    // 1. Bodies of overwritten and deleted objects.
    std::vector<std::string> ids;
    {
      std::lock_guard<std::mutex> l(mu_);
      Stmt q(*db_, "SELECT data_id FROM garbage WHERE since_ns<=?");
      q.bind(1, cutoff_ns);
      while (q.step()) ids.push_back(q.text(0));
    }
    for (const auto& id : ids) {
      remove_file(data_path(id), report);
      std::lock_guard<std::mutex> l(mu_);
      Stmt(*db_, "DELETE FROM garbage WHERE data_id=?").bind(1, id).run();
    }
    // 2. Leftovers of writers that died: tmp files, and bodies that were
    // published under data/ but never committed to the index.
    const time_t cutoff_s = static_cast<time_t>(cutoff_ns / 1000000000LL);
    for (const auto& name : list_dir(join(dir_, "tmp"))) {
      std::string path = join(join(dir_, "tmp"), name);
      struct stat st;
      if (::stat(path.c_str(), &st) == 0 && st.st_mtime <= cutoff_s) remove_file(path, report);
    }
    for (const auto& sub : list_dir(join(dir_, "data"))) {
      std::string subdir = join(join(dir_, "data"), sub);
      for (const auto& name : list_dir(subdir)) {
        if (!is_hex_id(name)) continue;
        std::string path = join(subdir, name);
        struct stat st;
        if (::stat(path.c_str(), &st) != 0 || st.st_mtime > cutoff_s) continue;
        std::lock_guard<std::mutex> l(mu_);
        Transaction t(*db_);  // the lock publish() holds from rename to commit
        bool referenced =
            Stmt(*db_, "SELECT 1 FROM objects WHERE data_id=? LIMIT 1").bind(1, name).step() ||
            Stmt(*db_, "SELECT 1 FROM segments WHERE data_id=? LIMIT 1").bind(1, name).step() ||
            Stmt(*db_, "SELECT 1 FROM parts WHERE data_id=? LIMIT 1").bind(1, name).step() ||
            Stmt(*db_, "SELECT 1 FROM garbage WHERE data_id=?").bind(1, name).step();
        if (!referenced) remove_file(path, report);
        t.commit();
      }
    }
    return report;
  }

 private:
  void insert_key_locked(const std::string& uid, const AccessKey& k) {
    if (k.access_key.empty() || k.secret_key.empty())
      fail(RGW_ERR_INVALID_ARGUMENT, "access key and secret key must not be empty");
    if (Stmt(*db_, "SELECT 1 FROM access_keys WHERE access_key=?").bind(1, k.access_key).step())
      fail(RGW_ERR_ACCESS_KEY_EXISTS, "access key '" + k.access_key + "' is taken");
    Stmt(*db_, "INSERT INTO access_keys(access_key, uid) VALUES(?, ?)").bind(1, k.access_key).bind(2, uid).run();
  }

  void insert_swift_locked(const std::string& uid, const std::string& swift_user) {
    if (Stmt(*db_, "SELECT 1 FROM swift_users WHERE swift_user=?").bind(1, swift_user).step())
      fail(RGW_ERR_USER_EXISTS, "Swift user '" + swift_user + "' is taken");
    Stmt(*db_, "INSERT INTO swift_users(swift_user, uid) VALUES(?, ?)").bind(1, swift_user).bind(2, uid).run();
  }

  User get_user_locked(const std::string& uid) {
    Stmt q(*db_, "SELECT record FROM users WHERE uid=?");
    if (!q.bind(1, uid).step()) fail(RGW_ERR_NO_SUCH_USER, "no such user '" + uid + "'");
    return decode_user(q.text(0));
  }

  void put_user_locked(const User& u) {
    Stmt(*db_, "UPDATE users SET record=? WHERE uid=?").bind_blob(1, encode_user(u)).bind(2, u.uid).run();
  }

  BucketInfo get_bucket_locked(const std::string& name) {
    validate_bucket_name(name);
    Stmt q(*db_, "SELECT record FROM buckets WHERE name=?");
    if (!q.bind(1, name).step()) fail(RGW_ERR_NO_SUCH_BUCKET, "no such bucket '" + name + "'");
    return decode_bucket_info(q.text(0));
  }

  // Bucket records for reads, from a per-process cache.  Every change of a
  // bucket, in any process, bumps the store's shared bucket epoch after its
  // commit; a cache filled under an older epoch is dropped before use.  The
  // epoch is read before the database, so a change racing with a fill is
  // seen at the next lookup.  Writers read buckets inside their transaction
  // (get_bucket_locked), never from here.
  BucketInfo get_bucket_cached_locked(const std::string& name) {
    const uint64_t epoch = bucket_epoch_->load();
    if (epoch != bucket_cache_epoch_) {
      bucket_cache_.clear();
      bucket_cache_epoch_ = epoch;
    }
    auto it = bucket_cache_.find(name);
    if (it != bucket_cache_.end()) return it->second;
    BucketInfo b = get_bucket_locked(name);
    if (bucket_cache_.size() >= kBucketCacheMax) bucket_cache_.clear();
    bucket_cache_.emplace(name, b);
    return b;
  }

  UploadInfo get_upload_locked(const BucketInfo& b, const std::string& upload_id) {
    Stmt q(*db_, "SELECT record FROM uploads WHERE bucket_id=? AND upload_id=?");
    if (!q.bind(1, b.id).bind(2, upload_id).step())
      fail(RGW_ERR_NO_SUCH_UPLOAD,
           "no such upload '" + upload_id + "' in bucket '" + b.name + "'");
    return decode_upload_info(q.text(0));
  }

  // Drops an upload and its part rows; `garbage`: their files go to gc.
  void end_upload_locked(const std::string& bucket_id, const std::string& upload_id, bool garbage) {
    if (garbage) {
      Stmt q(*db_, "SELECT data_id FROM parts WHERE bucket_id=? AND upload_id=?");
      q.bind(1, bucket_id).bind(2, upload_id);
      while (q.step()) garbage_locked(q.text(0));
    }
    Stmt(*db_, "DELETE FROM parts WHERE bucket_id=? AND upload_id=?")
        .bind(1, bucket_id).bind(2, upload_id).run();
    Stmt(*db_, "DELETE FROM uploads WHERE bucket_id=? AND upload_id=?")
        .bind(1, bucket_id).bind(2, upload_id).run();
  }

  void garbage_locked(const std::string& data_id) {
    Stmt(*db_, "INSERT OR REPLACE INTO garbage(data_id, since_ns) VALUES(?, ?)")
        .bind(1, data_id).bind(2, now_ns()).run();
  }

  // The current object of a key; `body`, if given, gets the files of its body.
  ObjectInfo lookup(const std::string& bucket, const std::string& key, std::vector<Segment>* body) {
    validate_object_key(key);
    std::lock_guard<std::mutex> l(mu_);
    BucketInfo b = get_bucket_cached_locked(bucket);
    Stmt q(*db_,
           "SELECT data_id, record FROM objects WHERE bucket_id=? AND key=? AND is_latest=1 AND "
           "delete_marker=0");
    if (!q.bind(1, b.id).bind(2, key).step())
      fail(RGW_ERR_NO_SUCH_KEY, "no such key '" + key + "' in bucket '" + bucket + "'");
    ObjectInfo info = decode_object_info(q.text(1));
    if (is_expired(info))
      fail(RGW_ERR_NO_SUCH_KEY, "key '" + key + "' has expired");
    if (body) {
      body->clear();
      std::string data_id = q.text(0);
      if (!data_id.empty()) {
        body->push_back(Segment{data_id, info.size});
      } else {
        Stmt s(*db_,
               "SELECT data_id, size FROM segments WHERE bucket_id=? AND key=? AND "
               "version_id='null' ORDER BY n");
        s.bind(1, b.id).bind(2, key);
        while (s.step()) body->push_back(Segment{s.text(0), static_cast<uint64_t>(s.i64(1))});
      }
    }
    return info;
  }

  // Hands the body of a key's current ('null') object to gc, segments and
  // all, and drops its segment rows; returns its seq (0: no object).
  int64_t release_body_locked(const std::string& bucket_id, const std::string& key) {
    Stmt old(*db_,
             "SELECT data_id, seq FROM objects WHERE bucket_id=? AND key=? AND version_id='null'");
    if (!old.bind(1, bucket_id).bind(2, key).step()) return 0;
    const std::string data_id = old.text(0);
    const int64_t seq = old.i64(1);
    if (!data_id.empty()) {
      garbage_locked(data_id);
      return seq;
    }
    {
      Stmt s(*db_, "SELECT data_id FROM segments WHERE bucket_id=? AND key=? AND version_id='null'");
      s.bind(1, bucket_id).bind(2, key);
      while (s.step()) garbage_locked(s.text(0));
    }
    Stmt(*db_, "DELETE FROM segments WHERE bucket_id=? AND key=? AND version_id='null'")
        .bind(1, bucket_id).bind(2, key).run();
    return seq;
  }

  static std::vector<std::string> list_dir(const std::string& path) {
    std::vector<std::string> out;
    DIR* d = ::opendir(path.c_str());
    if (!d) return out;
    while (struct dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") out.push_back(n);
    }
    ::closedir(d);
    return out;
  }

  static void remove_file(const std::string& path, GcReport& report) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return;
    if (::unlink(path.c_str()) == 0) {
      report.removed_objects++;
      report.removed_bytes += static_cast<uint64_t>(st.st_size);
    }
  }

  static constexpr size_t kBucketCacheMax = 4096;

  std::string dir_;
  std::mutex mu_;  // one SQLite connection per store handle
  std::unique_ptr<Db> db_;
  std::unique_ptr<SharedCounter> bucket_epoch_;
  std::unordered_map<std::string, BucketInfo> bucket_cache_;  // under mu_
  uint64_t bucket_cache_epoch_ = 0;
};

LocalWriter::LocalWriter(LocalStore& store, BucketInfo bucket, std::string key)
    : store_(store), bucket_(std::move(bucket)), key_(std::move(key)), id_(random_hex(16)) {
  tmp_path_ = store_.dir() + "/tmp/" + id_;
  fd_ = ::open(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd_ < 0) fail_errno(errno, "create " + tmp_path_);
}

LocalWriter::LocalWriter(LocalStore& store, BucketInfo bucket, std::string key,
                         std::string upload_id, int part_number)
    : LocalWriter(store, std::move(bucket), std::move(key)) {
  upload_id_ = std::move(upload_id);
  part_number_ = part_number;
}

LocalWriter::~LocalWriter() {
  if (!finished_) abort();
}

void LocalWriter::write(const char* data, size_t len) {
  if (finished_) fail(RGW_ERR_INVALID_ARGUMENT, "write after commit or abort");
  if (!failed_.empty()) fail(RGW_ERR_INVALID_ARGUMENT, "writer failed earlier: " + failed_);
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::write(fd_, data + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      // Part of the chunk may be in the file: the body is no longer what
      // the caller sent, so this writer can only be aborted now.
      int err = errno;
      failed_ = std::string("write object body: ") + std::strerror(err);
      fail_errno(err, "write object body");
    }
    done += static_cast<size_t>(n);
  }
  md5_.update(data, len);
  size_ += len;
}

ObjectInfo LocalWriter::commit(const Attrs& attrs, int64_t delete_at,
                               const std::string& etag_override) {
  if (finished_) fail(RGW_ERR_INVALID_ARGUMENT, "commit after commit or abort");
  if (!failed_.empty()) fail(RGW_ERR_INVALID_ARGUMENT, "writer failed earlier: " + failed_);
  crash_point(part_number_ ? "local:part:before-publish" : "local:put:before-publish");
  if (::fsync(fd_) != 0) fail_errno(errno, "fsync object body");
  ::close(fd_);
  fd_ = -1;
  // A part keeps its MD5 and no attributes (the upload has them).
  ObjectInfo info =
      part_number_ ? committed_object_info(key_, size_, md5_.hex_digest(), 0, Attrs{})
                   : committed_object_info(key_, size_,
                                           etag_override.empty() ? md5_.hex_digest() : etag_override,
                                           delete_at, attrs);
  try {
    if (part_number_)
      info = store_.publish_part(bucket_, upload_id_, part_number_, std::move(info), id_, tmp_path_);
    else
      info = store_.publish(bucket_, std::move(info), id_, tmp_path_);
  } catch (...) {
    abort();  // the body, if still in tmp/, goes
    throw;
  }
  finished_ = true;
  return info;
}

void LocalWriter::abort() {
  if (finished_) return;
  finished_ = true;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(tmp_path_.c_str());
}

}  // namespace

std::unique_ptr<Store> open_local_store(const std::string& dir) {
  return std::make_unique<LocalStore>(dir);
}

}  // namespace rgw
