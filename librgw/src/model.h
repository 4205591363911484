// model.h - the data model shared by every store driver and every door.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "acl.h"

namespace rgw {

// Object and bucket attributes: lower-case HTTP header names to values.
// Objects keep "content-type", "content-encoding", "content-disposition",
// "cache-control", "expires", "content-language" and "x-amz-meta-*" here.
using Attrs = std::map<std::string, std::string>;

struct AccessKey {
  std::string access_key;
  std::string secret_key;
};

struct User {
  std::string uid;
  std::string display_name;
  std::string email;
  std::vector<AccessKey> keys;
  std::string swift_user;  // "account:user" as sent in X-Auth-User, or empty
  std::string swift_key;
  int64_t created_ns = 0;
  bool suspended = false;
  Attrs attrs;  // account metadata, temp-URL keys, ...
};

// The kinds of credential a user is found by (Store::get_user_by_credential).
enum class CredentialKind {
  s3_access_key = RGW_CREDENTIAL_S3_ACCESS_KEY,  // an S3 access key id
  swift_user = RGW_CREDENTIAL_SWIFT_USER,        // "account:user"
};

// What Store::update_user changes: the fields that are set.
struct UserUpdate {
  std::optional<std::string> display_name;
  std::optional<std::string> email;
  std::optional<bool> suspended;
  std::optional<Attrs> attrs;  // the whole new set
};

// Versioning states of a bucket.
enum class Versioning { unversioned = 0, enabled = 1, suspended = 2 };

struct BucketInfo {
  std::string name;
  std::string owner;  // uid
  std::string id;     // unique per creation: a re-created bucket gets a new id
  int64_t created_ns = 0;
  Versioning versioning = Versioning::unversioned;
  Acl acl;      // who may do what (its owner is the bucket's)
  Attrs attrs;  // bucket/container metadata, temp-URL keys, ...
};

// One version of an object.  Unversioned objects have version_id "null";
// a versioned bucket gives each write a version id of its own
// (new_version_id()); a delete marker is a version without a body.
struct ObjectInfo {
  std::string key;
  std::string version_id = "null";
  uint64_t size = 0;
  std::string etag;  // hex MD5 of the body (multipart: md5-of-md5s "-N")
  int64_t mtime_ns = 0;
  int64_t delete_at = 0;  // epoch seconds, 0 = never
  bool delete_marker = false;
  bool is_latest = true;
  Attrs attrs;
  Acl acl;  // owner "" = the bucket's owner, with full control
};

// Names one object version: version_id "" is the current version, "null"
// the null version (the only one an object in an unversioned bucket has, and
// the one a versioning-suspended bucket writes), anything else a version id.
struct ObjectRef {
  std::string bucket;
  std::string key;
  std::string version_id;
};

// How to read an object.
struct ReadOptions {
  uint64_t offset = 0;
  int64_t length = -1;  // < 0: to the end
};

// What a writer's commit() publishes with the body.
struct WriteOptions {
  Attrs attrs;
  Acl acl;                // owner "" = the bucket's owner
  int64_t delete_at = 0;  // epoch seconds, 0 = never
  std::string etag;       // "" = the writer's MD5 (multipart completion: "<md5>-N")
  // Conditional write (S3's If-Match / If-None-Match on PUT and
  // CompleteMultipartUpload), checked against the current object atomically
  // with the commit (check_write_conditions()):
  //   if_match "*" or an etag: the current object must exist
  //     (RGW_ERR_NO_SUCH_KEY) and, for an etag, have it
  //     (RGW_ERR_PRECONDITION_FAILED);
  //   if_none_match "*": there must be no current object; an etag: the
  //     current object must not have it (RGW_ERR_PRECONDITION_FAILED).
  // A delete marker or an expired object is no current object.
  std::string if_match;
  std::string if_none_match;
};

// How to remove an object.
struct RemoveOptions {
  std::string if_match;  // non-empty: only if the current object has this
                         // etag (else RGW_ERR_CONFLICT)
  // Non-zero: only if the current object's delete_at is this and has passed
  // (the expirer's guard: an expiry changed or removed meanwhile keeps the
  // object); otherwise nothing happens and it is no error.
  int64_t if_delete_at = 0;
  // Non-zero: only if the current object was written at this time (its
  // mtime_ns): the lifecycle agent's guard against an object rewritten since
  // it was listed; otherwise nothing happens and it is no error.
  int64_t if_mtime_ns = 0;
};

// What Store::remove_object did.
struct RemoveResult {
  bool removed = false;        // a version went, or a delete marker was made
  std::string version_id;      // the version removed, or the delete marker made
  bool delete_marker = false;  // that version is (was) a delete marker
};

// One entry of a store's expiry queue (docs/expiry.md): an object was given
// `delete_at` when it was written or updated.  Entries are hints: the object
// may have been overwritten, given another expiry, or removed since, which
// the expirer checks when it removes it.
struct ExpiryEntry {
  int64_t delete_at = 0;  // epoch seconds
  std::string bucket;     // the bucket's name
  std::string key;
};

// What Store::update_object changes: the fields that are set.
struct AttrsUpdate {
  std::optional<Attrs> attrs;  // the whole new set
  std::optional<Acl> acl;
  std::optional<int64_t> delete_at;
  std::string if_match;  // non-empty: only if the object still has this etag
};

// How to copy an object.
struct CopyOptions {
  std::optional<Attrs> attrs;        // the copy's attributes (default: the source's)
  Acl acl;                           // the copy's policy
  std::optional<int64_t> delete_at;  // default: the source's
};

struct ListParams {
  std::string prefix;
  std::string delimiter;
  std::string marker;      // list keys strictly after this one
  std::string end_marker;  // list keys strictly before this one ("": no limit)
  // false: the current version of each key, delete markers left out.  true:
  // every version and delete marker, by key, then newest first (S3's
  // ListObjectVersions); each entry's is_latest says which is current.
  bool versions = false;
  // With marker and versions: resume after this version of the marker key
  // (S3's version-id-marker); "" resumes after every version of the key.  A
  // version the key does not have is RGW_ERR_NO_SUCH_VERSION.
  std::string version_marker;
  unsigned max_keys = 1000;
};

struct ListResult {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_marker;  // last key or common prefix returned
  // With versions: the version of next_marker's key last returned ("" when
  // next_marker is a common prefix).
  std::string next_version_marker;
};

// A multipart upload in progress.
struct UploadInfo {
  std::string upload_id;  // unique, opaque, URL-safe
  std::string key;
  int64_t initiated_ns = 0;
  Attrs attrs;            // the object's attributes, given at creation
  Acl acl;                // the object's policy, given at creation
  int64_t delete_at = 0;  // the object's expiry, given at creation
};

// One uploaded part of a multipart upload.
struct PartInfo {
  int number = 0;  // 1..10000
  uint64_t size = 0;
  std::string etag;  // hex MD5 of the part's bytes
  int64_t mtime_ns = 0;
};

struct BucketStats {
  uint64_t num_objects = 0;
  uint64_t size_bytes = 0;
};

struct GcReport;

struct GcOptions {
  int64_t grace_seconds = 3600;  // leave younger leftovers alone (writers in flight)
  // Called with the counts so far each time one grows (may be empty).
  std::function<void(const GcReport&)> progress;
};

struct GcReport {
  uint64_t removed_objects = 0;  // data files / RADOS tail objects reclaimed
  uint64_t removed_bytes = 0;
  uint64_t repaired_entries = 0;       // index entries fixed up after crashed writers
  const GcOptions* options = nullptr;  // whose progress callback counted() calls

  // The drivers call it after each count they raise.
  void counted() const {
    if (options && options->progress) options->progress(*this);
  }
};

// The info of an object a writer commits now: mtime is now, version "null".
// The etag is options.etag if given, else `etag` (the writer's MD5).
ObjectInfo committed_object_info(const std::string& key, uint64_t size, std::string etag,
                                 const WriteOptions& options);

// Version ids: 32 characters of [0-9A-Za-z], the first 11 the time
// inverted (so that ids made later sort first), the rest random.
std::string new_version_id();
// "null", or what new_version_id makes: anything else names no version
// (S3 answers 400 for it, where a well-formed unknown id is 404).
bool valid_version_id(const std::string& id);

// Whether an object's delete-at time has passed (it then reads as missing).
bool is_expired(const ObjectInfo& info);

// Validation shared by all drivers (throws rgw::Error).
void validate_bucket_name(const std::string& name);
void validate_object_key(const std::string& key);
void validate_uid(const std::string& uid);
// Prefix, delimiter, marker, end marker: at most 1024 bytes of UTF-8 without NUL
// (RGW_ERR_INVALID_ARGUMENT), like keys, except that they may be empty.
void validate_list_params(const ListParams& params);

// Multipart: part numbers 1..kMaxPartNumber (RGW_ERR_INVALID_ARGUMENT).
constexpr int kMaxPartNumber = 10000;
void validate_part_number(int number);
// The parts a completion names: at least one, ascending, each once, numbers
// in range (else RGW_ERR_INVALID_PART); ETags lose any surrounding quotes.
std::vector<std::pair<int, std::string>> checked_completion_parts(
    const std::vector<std::pair<int, std::string>>& parts);

}  // namespace rgw
