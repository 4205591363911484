// store.h - the narrow store interface and its driver factory.
//
// A Store holds users, buckets, objects and the bucket index.  It is not
// shaped like RADOS: each driver maps it onto its medium.  All methods are
// synchronous and thread-safe; the asynchronous form (aio.h) runs them on the
// core's I/O threads and hands completions back to the host's own thread.
// Failures throw rgw::Error (errors.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model.h"

namespace rgw {

// Streams one object body into the store.  Nothing is visible to readers
// until commit(); commit() replaces any previous object atomically (a reader
// sees the old or the new bytes, never a mix).  Destroying a writer that was
// not committed aborts it.
class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;
  virtual void write(const char* data, size_t len) = 0;
  // Bytes written so far and their running MD5 are kept by the writer.
  virtual uint64_t bytes_written() const = 0;
  // The hex MD5 of the bytes written so far (writing may go on): what a
  // caller checks a client's Content-MD5 or Swift ETag against, instead of
  // hashing the body a second time.
  virtual std::string md5_hex_so_far() const = 0;
  // Publishes the object with the options' attrs, acl and delete_at.
  // info.etag is the writer's hex MD5 unless options.etag is non-empty
  // (multipart completion).  A part writer's commit ignores the options.
  virtual ObjectInfo commit(const WriteOptions& options) = 0;
  virtual void abort() = 0;
};

// Streams a byte range of one object out of the store.  The object seen is
// fixed when the reader is opened: a concurrent overwrite does not change it.
class ObjectReader {
 public:
  virtual ~ObjectReader() = default;
  virtual const ObjectInfo& info() const = 0;
  // Reads up to len bytes of the range; returns 0 at the end of the range.
  virtual size_t read(char* buf, size_t len) = 0;
  // Bytes of the range not read yet.
  virtual uint64_t remaining() const = 0;
  // When the rest of the range is the bytes of one open file (an immutable
  // body file of the local store), that file's descriptor and the offset of
  // the next byte in it, so that a door may send it with sendfile instead of
  // reading; the descriptor is the reader's (open while it lives).  The
  // default: false.
  virtual bool file_range(int* fd, uint64_t* offset) const {
    (void)fd;
    (void)offset;
    return false;
  }
  // When the rest of the range is in memory already (an inline body the
  // RADOS driver read with the head), those bytes, so that a door may send
  // them without copying; they stay valid, unchanged, while the reader
  // lives, whatever read() does.  The default: false.
  virtual bool memory_range(const char** data, size_t* len) const {
    (void)data;
    (void)len;
    return false;
  }
};

// Objects are named by an ObjectRef: bucket, key, and a version id ("" the
// current version; "null" the null version, the only one an object of an
// unversioned bucket has).  A version id no object has is
// RGW_ERR_NO_SUCH_VERSION.  Calls that take options take them as one struct
// (model.h), so that a new knob is a new field, not a new signature.
//
// Versioning (docs/versioning.md) follows the bucket's state when a write or
// removal is carried out:
//   unversioned: a key has at most one version, "null"; a write replaces it
//     and a removal deletes it.
//   enabled: every commit (writer, copy, multipart completion) adds a version
//     with a new id (new_version_id()), which becomes the current one; the
//     older ones stay.  Removing the current version ("" ref) adds a delete
//     marker, itself a version, which becomes current: the key then reads
//     and lists as missing.
//   suspended: a commit writes the "null" version (replacing the old null
//     version, whichever place it had among the versions) and makes it
//     current; removing the current version replaces the null version with a
//     delete marker whose id is "null".
// Removing a named version deletes it for good, delete markers included; when
// it was the current one, the newest remaining becomes current.  Concurrent
// writers of one key each get their own version; the one whose commit was
// carried out last is current.  Drivers that cannot hold versions fail
// update_bucket with -ENOTSUP for a state other than unversioned.
class Store {
 public:
  virtual ~Store() = default;

  // Users and keys.
  virtual void create_user(const User& user) = 0;  // RGW_ERR_USER_EXISTS, RGW_ERR_ACCESS_KEY_EXISTS
  virtual User get_user(const std::string& uid) = 0;  // RGW_ERR_NO_SUCH_USER
  // The user a credential belongs to: RGW_ERR_NO_SUCH_ACCESS_KEY (S3 key),
  // RGW_ERR_NO_SUCH_USER (Swift user).
  virtual User get_user_by_credential(CredentialKind kind, const std::string& id) = 0;
  virtual std::vector<std::string> list_users() = 0;  // uids, sorted
  // Changes the fields the update sets; RGW_ERR_NO_SUCH_USER.
  virtual void update_user(const std::string& uid, const UserUpdate& update) = 0;
  virtual void add_access_key(const std::string& uid, const AccessKey& key) = 0;
  virtual void remove_access_key(const std::string& uid, const std::string& access_key) = 0;
  // swift_user "" removes the user's Swift identity.
  virtual void set_swift_credentials(const std::string& uid, const std::string& swift_user,
                                     const std::string& swift_key) = 0;
  virtual void remove_user(const std::string& uid) = 0;  // RGW_ERR_USER_HAS_BUCKETS

  // Buckets.
  virtual BucketInfo create_bucket(const BucketInfo& info) = 0;  // RGW_ERR_BUCKET_EXISTS
  virtual BucketInfo get_bucket(const std::string& name) = 0;    // RGW_ERR_NO_SUCH_BUCKET
  // Changes acl, versioning and attrs.  Versioning never goes back to
  // unversioned once set: unversioned then leaves the state as it is.
  virtual void update_bucket(const BucketInfo& info) = 0;
  virtual std::vector<BucketInfo> list_buckets(
      const std::string& owner) = 0;                        // "" = all; sorted by name
  virtual void remove_bucket(const std::string& name) = 0;  // RGW_ERR_BUCKET_NOT_EMPTY
  virtual BucketStats bucket_stats(const std::string& name) = 0;

  // Objects.
  virtual std::unique_ptr<ObjectWriter> open_writer(const std::string& bucket,
                                                    const std::string& key) = 0;
  // RGW_ERR_INVALID_RANGE if options.offset > size (offset == size gives an
  // empty range).
  virtual std::unique_ptr<ObjectReader> open_reader(const ObjectRef& ref,
                                                    const ReadOptions& options) = 0;
  // RGW_ERR_NO_SUCH_KEY when the version named (or the current one) is a
  // delete marker, or has expired.
  virtual ObjectInfo stat_object(const ObjectRef& ref) = 0;
  // The version named, or the current one, whatever it is: a delete marker
  // (info.delete_marker) or an expired version too.  RGW_ERR_NO_SUCH_KEY only
  // when the key has no version at all.  The S3 door asks it to answer a 404
  // or 405 about a delete marker.  The default is stat_object.
  virtual ObjectInfo stat_version(const ObjectRef& ref);
  // Removing a missing key or version succeeds (S3 semantics) with nothing
  // removed; a missing bucket does not.  options.if_match non-empty: only if
  // the current object has that etag (RGW_ERR_CONFLICT otherwise; a missing
  // object is still no error).  What a removal does follows the versioning
  // state (above).
  virtual RemoveResult remove_object(const ObjectRef& ref, const RemoveOptions& options) = 0;
  virtual ListResult list_objects(const std::string& bucket, const ListParams& params) = 0;
  // Copies bytes, attributes (options.attrs replaces them), the policy
  // options give and the expiry (options.delete_at, default the source's).
  virtual ObjectInfo copy_object(const ObjectRef& src, const std::string& dst_bucket,
                                 const std::string& dst_key, const CopyOptions& options);
  // Changes what the update sets -- attrs (the whole new set), acl,
  // delete_at -- without rewriting the data: size, etag, mtime and body stay
  // (S3 keeps LastModified on an ACL change).  Plain and multipart objects
  // alike.  Atomic against concurrent overwrites and removals: it applies to
  // the version read, or to nothing; it never brings back a replaced or
  // removed version, never lands on a newer one when update.if_match says
  // otherwise, and a reader or listing sees the old or the new metadata of
  // that version, never a mix (a crash mid-update leaves one or the other).
  //   RGW_ERR_NO_SUCH_KEY: no current object (or an expired one), whatever
  //     if_match says.
  //   RGW_ERR_CONFLICT: if_match is non-empty and the current object's etag
  //     differs (it was replaced since the caller read it).
  //   RGW_ERR_NO_SUCH_BUCKET.
  // Returns the updated ObjectInfo.
  virtual ObjectInfo update_object(const ObjectRef& ref, const AttrsUpdate& update) = 0;

  // Multipart uploads.  Parts are stored as they arrive; completion stitches
  // the chosen parts into one object, which replaces any old object
  // atomically.  Drivers that can reference the parts' data in place do so
  // (no copy).  The defaults throw -ENOTSUP.
  //   create_upload: the final object's attrs, acl and delete_at (object's
  //     etag is ignored).  RGW_ERR_NO_SUCH_BUCKET, RGW_ERR_INVALID_KEY.
  //   get_upload, open_part_writer, list_parts, abort_upload, complete_upload:
  //     RGW_ERR_NO_SUCH_UPLOAD when the id is unknown in this bucket (or the
  //     upload was completed or aborted).
  //   open_part_writer: part numbers 1..10000 (RGW_ERR_INVALID_ARGUMENT); the
  //     writer's commit (options ignored) publishes the part, replacing an
  //     earlier part with the same number, and returns its size and etag (in
  //     ObjectInfo; key = object key).  Each upload of a part stays distinct:
  //     the replaced one is kept (unless the new one has its etag) until
  //     the upload ends, so that a completion may still choose it.
  //   list_parts: the latest upload of each part (the last to commit).
  //   list_part_uploads: every upload of each part still kept, by number:
  //     the latest, then those it replaced (each of another etag).
  //   complete_upload: parts as (number, hex etag) in ascending order; each
  //     must have been uploaded with that etag, latest or replaced (else
  //     RGW_ERR_INVALID_PART, nothing changes).  Publishes the object with
  //     the given etag ("<md5>-N") and the upload's attrs, acl and
  //     delete_at, ends the upload, and leaves unchosen part uploads to gc.
  //   abort_upload: ends the upload; its part uploads become garbage for gc.
  //   list_uploads: uploads whose key starts with prefix and whose (key,
  //     upload id) sorts after (after_key, after_id) -- all of them when
  //     after_key is empty -- by key then upload id (ids of one key sort by
  //     initiation time), at most limit of them: memory stays bounded however
  //     many uploads a bucket holds.
  //   remove_bucket aborts the bucket's remaining uploads.
  virtual UploadInfo create_upload(const std::string& bucket, const std::string& key,
                                   const WriteOptions& object);
  virtual UploadInfo get_upload(const std::string& bucket, const std::string& upload_id);
  virtual std::unique_ptr<ObjectWriter> open_part_writer(const std::string& bucket,
                                                         const std::string& upload_id,
                                                         int part_number);
  virtual std::vector<PartInfo> list_parts(const std::string& bucket, const std::string& upload_id);
  virtual std::vector<PartInfo> list_part_uploads(const std::string& bucket,
                                                  const std::string& upload_id);
  virtual std::vector<UploadInfo> list_uploads(const std::string& bucket, const std::string& prefix,
                                               const std::string& after_key = "",
                                               const std::string& after_id = "",
                                               size_t limit = 1000);
  //   complete_upload's conditions: WriteOptions::if_match and
  //     if_none_match (only those fields of `conditions` count).
  virtual ObjectInfo complete_upload(const std::string& bucket, const std::string& upload_id,
                                     const std::vector<std::pair<int, std::string>>& parts,
                                     const std::string& etag,
                                     const WriteOptions& conditions = WriteOptions());
  virtual void abort_upload(const std::string& bucket, const std::string& upload_id);

  // Explicit garbage collection: reclaims data left by overwrites, deletes and
  // crashed writers, and repairs index entries.  Never runs on its own.
  virtual GcReport gc(const GcOptions& options) = 0;

  // The expiry queue (docs/expiry.md), kept by every write that gives an
  // object a delete_at, in kExpiryShards shards (expiry_shard()); the entry
  // is made before the object is published, so no expiring object lacks one.
  // Read and drained by the expirer (expiry.h), never by the doors.
  //   list_expiry: the shard's entries due at `due` (delete_at <= due),
  //     oldest first, at most `limit`: the cost follows the entries due, not
  //     the store's size.
  //   expire_objects: for each entry, removes the object if it is still the
  //     one the entry names (its current delete_at is the entry's, and has
  //     passed: RemoveOptions::if_delete_at), and drops the entry either way
  //     (a missing bucket or object drops it too).  Returns the entries whose
  //     object it removed.
  //   take_lease: takes or renews the lease `name` for `holder` for
  //     `seconds`; false while another holder's lease runs.  A holder that
  //     dies loses it when it runs out.  drop_lease gives it back (a lease
  //     held by another is left alone).
  virtual std::vector<ExpiryEntry> list_expiry(unsigned shard, int64_t due, size_t limit) = 0;
  virtual std::vector<ExpiryEntry> expire_objects(const std::vector<ExpiryEntry>& entries) = 0;
  virtual bool take_lease(const std::string& name, const std::string& holder, int64_t seconds) = 0;
  virtual void drop_lease(const std::string& name, const std::string& holder) = 0;

  // Whether reads (users, buckets, stat, open_reader) may be tried in no-wait
  // mode (util.h) on a door's event loop: a driver that says yes fails them
  // with -EWOULDBLOCK, having changed nothing, instead of waiting for a lock
  // or the network.  Writes always wait (but see can_write_async).  The
  // default: no.
  virtual bool can_read_without_waiting() const { return false; }
  // Whether GET and HEAD may be tried in no-wait mode with an AsyncReads in
  // scope (async_reads.h): the driver starts the read it would wait for
  // asynchronously instead, and finds its result when the request is tried
  // again.  The default: no.
  virtual bool can_read_async() const { return false; }
  // Whether a PUT with its whole body may be tried in a fiber on a door's
  // event loop (Exchange::try_start_body): the driver's writer begins side
  // effects (util.h) only once it can no longer need to give the try up,
  // and its waits for the cluster suspend the fiber (async_reads.h).  Implies
  // can_read_async.  The default: no.
  virtual bool can_write_async() const { return false; }
};

// The expiry queue's shards, and the shard of an object.
constexpr unsigned kExpiryShards = 16;
unsigned expiry_shard(const std::string& bucket, const std::string& key);

// Drivers' helper for WriteOptions::if_match / if_none_match: current is the
// key's current object, or null when there is none (missing, a delete marker,
// expired).  Throws RGW_ERR_NO_SUCH_KEY or RGW_ERR_PRECONDITION_FAILED.
void check_write_conditions(const WriteOptions& options, const ObjectInfo* current);

// Drivers' helpers: RGW_ERR_NO_SUCH_VERSION unless ref names the current or
// the null version (for drivers that hold no other versions); and
// RGW_ERR_CONFLICT when an if_match condition found another etag.
void check_version(const ObjectRef& ref);
[[noreturn]] void fail_etag_changed(const std::string& key, const std::string& etag,
                                    const std::string& expected);

// Store URIs (docs/store-uri.md; the drivers: store_driver.h).
// Checks a URI without opening anything (configuration checks such as
// nginx -t use it): RGW_ERR_INVALID_URI if it is malformed or names a driver
// this build lacks.  Returns the store's canonical name: two URIs name the
// same store exactly when their canonical names are equal.
std::string canonical_store_uri(const std::string& uri);

// The I/O threads an aio queue on this store gets by default
// (rgw_aio_queue_create() with 0 threads): the driver's choice.
unsigned default_io_threads(const std::string& uri);

// Opens a store from a store URI (docs/store-uri.md):
//   local:/abs/dir   local:///abs/dir   /abs/dir   (the embedded local driver)
//   rados:PREFIX[?conf=/etc/ceph/ceph.conf&client=admin&timeout=30]
std::unique_ptr<Store> open_store(const std::string& uri);

std::unique_ptr<Store> open_local_store(const std::string& dir);
std::unique_ptr<Store> open_rados_store(const std::string& pool_prefix,
                                        const std::string& conf_path,
                                        const std::string& client_name, int op_timeout_seconds);

}  // namespace rgw
