// local_store.h - the embedded local driver, for one machine: the internal
// declarations (LocalStore, LocalWriter) shared by the files of the driver.
//
// Layout of the store directory:
//   meta.db        SQLite (WAL): users, keys, buckets, the object index, bodies
//                  of at most 16 KiB (inline_bodies), garbage, multipart uploads
//                  and their parts, the expiry queue, leases
//   data/xx/ID     larger object bodies and part bodies, immutable, named by
//                  random ids (never by key)
//   tmp/ID         such bodies being written; published by fsync + rename
//   write.lock     flocked around every write transaction (write_lock.h)
//   bucket-epoch   counters all processes share, mapped (shared_counter.h)
//
// A PUT of more than 16 KiB fsyncs its body in tmp/ on its own thread; a
// smaller body stays in memory.  Then the PUT queues its publish (rename
// under data/ or the inline body's row, and its rows): one writer leads a
// batch of them in one transaction, fsyncs the directories renamed into,
// commits once, and wakes the others (group_commit.h).  A writer returns
// once its rows (and an inline body with them) are durable.
//
// Multipart: a part is written like an object body (tmp, fsync, rename) and
// recorded in `parts`.  Completion is one transaction: it checks the chosen
// parts and commits ONE object row whose body is the ordered list of the
// parts' files (`segments`; objects.data_id is then ''), with no copy.  A file
// is garbage only once no object, segment or part row names it.
//
// Object keys are only ever column values, never path components, so no key
// can name a file outside the store.  Several processes may open the same
// directory at once: SQLite serialises the metadata (their writers queue on
// write.lock rather than poll); bodies are immutable.
//
// Writes go through the handle's one write connection under mu_; reads
// (users, buckets, an object's row) go through read connections
// (read_connections.h), so they never wait for a writer's commit, and in
// no-wait mode (util.h) they run on a door's event loop.  Object rows read
// while no write transaction ran in any process are kept per process until
// the next one begins (row_cache.h): a repeated GET then reads no database.
//
// Where the code lives (local/, one job per file):
//   local_store.h      this overview; LocalStore and LocalWriter
//   local_store.cpp    the schema, opening a store; open_local_store(); file helpers
//   users_buckets.cpp  users, access keys, Swift users, buckets (and their cache)
//   writer.cpp         LocalWriter: a body into tmp/, published under data/
//   group_commit.*     writers' publishes committed in batches, one COMMIT each
//   reader.cpp         LocalReader: the read path (open_reader, stat_object)
//   rows.h, row_cache.*  an object version's row and body files; the
//                      per-process cache of them that reads look in first
//   objects.cpp        remove_object, update_object, listing
//   versions.cpp       a key's versions: current, added, dropped
//   multipart.cpp      multipart uploads
//   gc.cpp             garbage and gc()
//   expiry.cpp         the expiry queue (table `expiry`) and the agents' leases
//   sqlite.*           the SQLite wrapper
//   shared_counter.*   the words all processes share: the bucket epoch, and
//   change_counters.*  the write transactions begun and ended (row_cache.h)
//   read_connections.* the pool of read connections
//   write_lock.*       the cross-process write lock writers queue on
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "local/change_counters.h"
#include "local/read_connections.h"
#include "local/row_cache.h"
#include "local/rows.h"
#include "local/shared_counter.h"
#include "local/sqlite.h"
#include "store.h"
#include "util.h"

namespace rgw::local {

// Path helpers (local_store.cpp): a + "/" + b; mkdir (an existing directory
// is fine); fsync of a directory (makes a rename into it durable).
std::string join(const std::string& a, const std::string& b);
void make_dir(const std::string& path);
void fsync_dir(const std::string& path);

// The store handle's write lock: a std::mutex whose lock() fails with
// -EWOULDBLOCK in no-wait mode (util.h), so that nothing that writes, or waits
// behind a writer, ever runs on a door's event loop.
class StoreMutex {
 public:
  void lock() {
    fail_if_no_wait("the local store's write lock");
    m_.lock();
  }
  void unlock() { m_.unlock(); }

 private:
  std::mutex m_;
};

class GroupCommit;

class LocalStore : public Store {
 public:
  // Opens the store in `dir` (created if missing, with data/ and tmp/), and
  // its database, creating the schema or upgrading an older one
  // (local_store.cpp).
  explicit LocalStore(const std::string& dir);

  const std::string& dir() const { return dir_; }

  std::string data_path(const std::string& id) const {
    return dir_ + "/data/" + id.substr(0, 2) + "/" + id;
  }

  // ------------------------------------ users (users_buckets.cpp)
  void create_user(const User& user) override;
  User get_user(const std::string& uid) override;
  User get_user_by_credential(CredentialKind kind, const std::string& id) override;
  std::vector<std::string> list_users() override;
  void update_user(const std::string& uid, const UserUpdate& update) override;
  void add_access_key(const std::string& uid, const AccessKey& key) override;
  void remove_access_key(const std::string& uid, const std::string& access_key) override;
  void set_swift_credentials(const std::string& uid, const std::string& swift_user,
                             const std::string& swift_key) override;
  void remove_user(const std::string& uid) override;

  // ---------------------------------- buckets (users_buckets.cpp)
  BucketInfo create_bucket(const BucketInfo& info) override;
  BucketInfo get_bucket(const std::string& name) override;
  void update_bucket(const BucketInfo& info) override;
  std::vector<BucketInfo> list_buckets(const std::string& owner) override;
  void remove_bucket(const std::string& name) override;
  BucketStats bucket_stats(const std::string& name) override;

  // ---------------------------------------------------------- objects
  // open_writer, publish: writer.cpp; open_reader, stat_object: reader.cpp;
  // remove_object, update_object, list_objects: objects.cpp.
  std::unique_ptr<ObjectWriter> open_writer(const std::string& bucket,
                                            const std::string& key) override;
  // conditions: WriteOptions::if_match / if_none_match, checked in the
  // transaction that commits.
  // The body is the file tmp_path (renamed under data/ as data_id), or, when
  // inline_bytes is given, those bytes (rows.h: data_id is then an inline one).
  ObjectInfo publish(const BucketInfo& bucket, ObjectInfo info, const std::string& data_id,
                     const std::string& tmp_path, const std::string* inline_bytes,
                     const WriteOptions& conditions);
  std::unique_ptr<ObjectReader> open_reader(const ObjectRef& ref,
                                            const ReadOptions& options) override;
  ObjectInfo stat_object(const ObjectRef& ref) override;
  ObjectInfo stat_version(const ObjectRef& ref) override;
  RemoveResult remove_object(const ObjectRef& ref, const RemoveOptions& options) override;
  ObjectInfo update_object(const ObjectRef& ref, const AttrsUpdate& update) override;
  ListResult list_objects(const std::string& bucket, const ListParams& p) override;

  // ------------------------------------ multipart (multipart.cpp)
  UploadInfo create_upload(const std::string& bucket, const std::string& key,
                           const WriteOptions& object) override;
  UploadInfo get_upload(const std::string& bucket, const std::string& upload_id) override;
  std::unique_ptr<ObjectWriter> open_part_writer(const std::string& bucket,
                                                 const std::string& upload_id,
                                                 int part_number) override;
  ObjectInfo publish_part(const BucketInfo& bucket, const std::string& upload_id, int number,
                          ObjectInfo info, const std::string& data_id, const std::string& tmp_path);
  std::vector<PartInfo> list_parts(const std::string& bucket,
                                   const std::string& upload_id) override;
  std::vector<PartInfo> list_part_uploads(const std::string& bucket,
                                          const std::string& upload_id) override;
  std::vector<UploadInfo> list_uploads(const std::string& bucket, const std::string& prefix,
                                       const std::string& after_key, const std::string& after_id,
                                       size_t limit) override;
  ObjectInfo complete_upload(const std::string& bucket, const std::string& upload_id,
                             const std::vector<std::pair<int, std::string>>& parts,
                             const std::string& etag, const WriteOptions& conditions) override;
  void abort_upload(const std::string& bucket, const std::string& upload_id) override;

  // ------------------------------------------------------ gc (gc.cpp)
  GcReport gc(const GcOptions& options) override;

  // ------------------------------- expiry queue, leases (expiry.cpp)
  std::vector<ExpiryEntry> list_expiry(unsigned shard, int64_t due, size_t limit) override;
  std::vector<ExpiryEntry> expire_objects(const std::vector<ExpiryEntry>& entries) override;
  bool take_lease(const std::string& name, const std::string& holder, int64_t seconds) override;
  void drop_lease(const std::string& name, const std::string& holder) override;

  // Reads run on read connections (no write lock) and wait for no SQLite
  // lock in no-wait mode; body files are opened, not read.
  bool can_read_without_waiting() const override { return true; }

 private:
  // Methods named *_locked run with mu_ held (and those that write, inside
  // their caller's Transaction).

  // users_buckets.cpp
  void insert_key_locked(const std::string& uid, const AccessKey& k);
  void insert_swift_locked(const std::string& uid, const std::string& swift_user);
  User get_user_locked(const std::string& uid) { return read_user(*db_, uid); }
  void put_user_locked(const User& u);
  BucketInfo get_bucket_locked(const std::string& name) { return read_bucket(*db_, name); }

  // multipart.cpp
  UploadInfo get_upload_locked(const BucketInfo& b, const std::string& upload_id);
  void end_upload_locked(const std::string& bucket_id, const std::string& upload_id, bool garbage);

  // reader.cpp: the version a ref names, readable (not a delete marker,
  // not expired); `body`, if given, gets the files of its body.
  // Looks in the row cache first (row_cache.h).
  ObjectInfo lookup(const ObjectRef& ref, std::vector<Segment>* body);
  // The row a ref names (found or not) and, with_body, the files of its
  // body, from a read connection.
  std::shared_ptr<const RowCache::Row> read_row(const std::string& bucket_id, const ObjectRef& ref,
                                                bool with_body);

  // objects.cpp: ListObjectVersions' listing (ListParams::versions).
  ListResult list_versions_locked(const BucketInfo& b, const ListParams& p);

  // versions.cpp
  // The row of version_id ("": the current version) of a key; false if none.
  bool find_version_locked(const std::string& bucket_id, const std::string& key,
                           const std::string& version_id, VersionRow* row) {
    return find_version(*db_, bucket_id, key, version_id, row);
  }
  // Adds a version (info: key, body's size and etag, ...; delete_marker for
  // a marker) as the key's current one, as the bucket's versioning state
  // says (store.h): a new id when enabled, else the null version, replacing
  // the old null one.  Returns info with its version id.
  ObjectInfo put_version_locked(const BucketInfo& b, ObjectInfo info, const std::string& data_id);
  // Drops one version for good (its body goes to gc); when it was current,
  // the newest remaining becomes current.  False if there was no such version.
  bool drop_version_locked(const std::string& bucket_id, const std::string& key,
                           const std::string& version_id);
  // The files of a version's body.
  void body_locked(const std::string& bucket_id, const VersionRow& row,
                   std::vector<Segment>* body) {
    read_body(*db_, bucket_id, row, body);
  }

  // Reads that run on any connection: the write connection (the *_locked
  // forms above, under mu_) or a read connection (readers_, without mu_).
  static User read_user(Db& db, const std::string& uid);
  static BucketInfo read_bucket(Db& db, const std::string& name);
  static bool find_version(Db& db, const std::string& bucket_id, const std::string& key,
                           const std::string& version_id, VersionRow* row);
  static void read_body(Db& db, const std::string& bucket_id, const VersionRow& row,
                        std::vector<Segment>* body);
  // A bucket's record for reads, from the per-process cache (filled through
  // a read connection); never inside a write transaction.
  BucketInfo get_bucket_cached(const std::string& name);

  // local_store.cpp: schema upgrade to version 3.
  void queue_existing_expiries_locked();
  // expiry.cpp: the queue entry of an object given delete_at (0: none).
  void queue_expiry_locked(const std::string& bucket, const std::string& key, int64_t delete_at);
  // gc.cpp
  void garbage_locked(const std::string& data_id);
  static std::vector<std::string> list_dir(const std::string& path);
  static void remove_file(const std::string& path, GcReport& report);

  static constexpr size_t kBucketCacheMax = 4096;

  std::string dir_;
  // The store's shared words (shared_counter.h), and the change counters in
  // them that every write transaction of db_ counts itself in.  Before db_:
  // they outlive it.
  std::unique_ptr<SharedWords> shared_;
  std::unique_ptr<ChangeCounters> changes_;
  StoreMutex mu_;  // one SQLite connection per store handle
  std::unique_ptr<Db> db_;
  // Writers' publishes, committed in batches under mu_ (group_commit.h).
  // (~LocalStore is out of line: GroupCommit is incomplete here.)
  std::unique_ptr<GroupCommit> group_commit_;

 public:
  ~LocalStore() override;

 private:
  // Bumped after every committed change of a bucket, in any process; the
  // cache below is dropped when it moved (get_bucket_cached_locked).
  std::unique_ptr<SharedCounter> bucket_epoch_;
  std::mutex cache_mu_;  // held only to look up or fill: no I/O under it
  std::unordered_map<std::string, BucketInfo> bucket_cache_;  // under cache_mu_
  uint64_t bucket_cache_epoch_ = 0;                           // under cache_mu_
  // Read connections (read_connections.h): reads do not take mu_.
  std::unique_ptr<ReadConnections> readers_;
  // Object rows kept for reads (row_cache.h; lookup in reader.cpp).
  std::unique_ptr<RowCache> rows_;

 public:
  // For tests: lookups answered from the row cache.
  uint64_t row_cache_hits() const { return rows_->hits(); }
};

// Keeps a body of at most kInlineBodyMax bytes in memory, or streams it into
// tmp/ (a part's always); commit() publishes it through the store
// (writer.cpp).
class LocalWriter : public ObjectWriter {
 public:
  LocalWriter(LocalStore& store, BucketInfo bucket, std::string key);
  // A part writer: commit() publishes part `part_number` of the upload.
  LocalWriter(LocalStore& store, BucketInfo bucket, std::string key, std::string upload_id,
              int part_number);
  ~LocalWriter() override;
  void write(const char* data, size_t len) override;
  uint64_t bytes_written() const override { return size_; }
  std::string md5_hex_so_far() const override { return md5_.hex_digest_so_far(); }
  ObjectInfo commit(const WriteOptions& options) override;
  void abort() override;

 private:
  void open_file();  // the body's file in tmp/
  void write_file(const char* data, size_t len);

  LocalStore& store_;
  BucketInfo bucket_;
  std::string key_;
  std::string id_;
  std::string tmp_path_;
  int fd_ = -1;
  bool in_tmp_ = false;  // the body is (being) written to tmp_path_
  std::string buffer_;   // the body while it is small enough to go inline
  uint64_t size_ = 0;
  Md5 md5_;
  bool finished_ = false;
  std::string failed_;  // why a write failed: the writer then refuses to commit
  std::string upload_id_;
  int part_number_ = 0;  // 0: an object writer
};

}  // namespace rgw::local
