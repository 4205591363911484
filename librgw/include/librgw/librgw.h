/*
 * librgw.h - the C API of librgw, the RADOS Gateway as a library.
 *
 * Conventions (as in librados and SQLite):
 *  - every object is an opaque handle created by a *_create/_open/_new
 *    function and released by the matching *_close/_free/_destroy function;
 *  - functions return 0 (or a non-negative count) on success and a negative
 *    code on failure: one of the RGW_ERR_* codes below or a negative errno
 *    (-EINVAL, -EIO, -ENOMEM, -ETIMEDOUT, ...);
 *  - rgw_strerror() names a code; rgw_last_error() gives the detailed message
 *    of the last failure on the calling thread;
 *  - strings are NUL-terminated UTF-8; returned "const char *" values live as
 *    long as the handle they came from;
 *  - a rgw_store_t may be used from several threads at once.  Open stores
 *    after fork(), never before: a RADOS connection does not survive fork().
 *
 * Ceph ships an unrelated library also called librgw (librgw.so.2,
 * <rados/librgw.h>).  Ours is librgwcore.so.0 with headers under <librgw/>,
 * so the two install side by side.
 */
#ifndef LIBRGW_LIBRGW_H
#define LIBRGW_LIBRGW_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* --------------------------------------------------------------- version */

/* The version of this header.  rgw_version_code() gives the library's own
 * (they differ when a program runs against a newer library than the one it
 * was built with). */
#define LIBRGW_VERSION_MAJOR  0
#define LIBRGW_VERSION_MINOR  2
#define LIBRGW_VERSION_PATCH  0
#define LIBRGW_VERSION_STRING "0.2.0" /* the three above, as text */

#define LIBRGW_MAKE_VERSION(major, minor, patch) (((major) << 16) | ((minor) << 8) | (patch))
#define LIBRGW_VERSION_CODE \
  LIBRGW_MAKE_VERSION(LIBRGW_VERSION_MAJOR, LIBRGW_VERSION_MINOR, LIBRGW_VERSION_PATCH)

/* The library's version as "major.minor.patch"; never NULL. */
const char *rgw_version(void);

/* The library's version as LIBRGW_MAKE_VERSION(major, minor, patch), to
 * compare with LIBRGW_VERSION_CODE. */
int rgw_version_code(void);

/* ---------------------------------------------------------------- errors */

/*
 * The core's own error codes, in one list:
 *   X(NAME, code, "ShortName", "kind", "meaning")
 * gives RGW_ERR_NAME = code; rgw_strerror(code) = "ShortName"; kind says
 * what sort of failure it is, for bindings that map codes to exception
 * classes: "not-found", "exists", "invalid", "state" (the operation does not
 * fit the current state) or "store" (the storage failed).  Functions may
 * also return a negative errno (-EINVAL, -ENOMEM, -EIO, -ETIMEDOUT, ...).
 */
#define RGW_ERROR_LIST(X)                                                                        \
  X(NO_SUCH_USER, -1001, "NoSuchUser", "not-found", "uid or Swift user unknown")                 \
  X(NO_SUCH_ACCESS_KEY, -1002, "NoSuchAccessKey", "not-found", "S3 access key unknown")          \
  X(NO_SUCH_BUCKET, -1003, "NoSuchBucket", "not-found", "bucket unknown")                        \
  X(NO_SUCH_KEY, -1004, "NoSuchKey", "not-found", "object key not in the bucket")                \
  X(USER_EXISTS, -1005, "UserExists", "exists", "uid taken")                                     \
  X(ACCESS_KEY_EXISTS, -1006, "AccessKeyExists", "exists", "access key taken (any user)")        \
  X(BUCKET_EXISTS, -1007, "BucketExists", "exists", "bucket name taken (any owner)")             \
  X(BUCKET_NOT_EMPTY, -1008, "BucketNotEmpty", "state", "the bucket still holds objects")        \
  X(USER_HAS_BUCKETS, -1009, "UserHasBuckets", "state", "remove the user's buckets first")       \
  X(INVALID_BUCKET_NAME, -1010, "InvalidBucketName", "invalid", "not a valid bucket name")       \
  X(INVALID_KEY, -1011, "InvalidKey", "invalid",                                                 \
    "object key empty, over 1024 bytes, not UTF-8 or with NUL")                                  \
  X(INVALID_RANGE, -1012, "InvalidRange", "invalid", "range starts past the end")                \
  X(INVALID_URI, -1013, "InvalidStoreURI", "invalid", "store URI not understood")                \
  X(INVALID_ARGUMENT, -1014, "InvalidArgument", "invalid", "bad argument; see rgw_last_error()") \
  X(CONFLICT, -1015, "Conflict", "state", "lost a race that could not be retried")               \
  X(STORE, -1016, "StoreError", "store", "the store backend failed; see rgw_last_error()")       \
  X(NO_SUCH_UPLOAD, -1017, "NoSuchUpload", "not-found",                                          \
    "multipart upload id unknown (or completed or aborted)")                                     \
  X(INVALID_PART, -1018, "InvalidPart", "invalid",                                               \
    "a part to complete is missing or its ETag differs")                                         \
  X(NO_SUCH_VERSION, -1019, "NoSuchVersion", "not-found", "no such version of the object")       \
  X(PRECONDITION_FAILED, -1020, "PreconditionFailed", "state",                                   \
    "a write's if_match / if_none_match did not hold")

#define RGW_ERROR_ENUM_ENTRY_(name, code, short_name, kind, meaning) RGW_ERR_##name = (code),
enum rgw_error_code { RGW_OK = 0, RGW_ERROR_LIST(RGW_ERROR_ENUM_ENTRY_) };
#undef RGW_ERROR_ENUM_ENTRY_

/* Short name of a code ("NoSuchBucket", "EIO", "OK", "UnknownError"); never
 * NULL.  Thread-safe. */
const char *rgw_strerror(int code);

/* Detailed message of the last failed call on the calling thread ("" if
 * none); valid until that thread's next call into the library. */
const char *rgw_last_error(void);

/* ----------------------------------------------------------------- store */

typedef struct rgw_store rgw_store_t;

/*
 * Opens a store.  Store URIs (docs/store-uri.md):
 *   local:/var/lib/librgw        the embedded local driver (SQLite + files);
 *   local:///var/lib/librgw      the same;  a bare absolute path also works;
 *   rados:PREFIX?conf=/etc/ceph/ceph.conf&client=admin&timeout=30
 *                                Ceph RADOS, pools PREFIX.meta, PREFIX.index,
 *                                PREFIX.data (created when missing).
 * Returns 0 and *out, or RGW_ERR_INVALID_URI (malformed URI, or a driver
 * this build lacks), RGW_ERR_STORE or a negative errno (the store did not
 * open; rgw_last_error() says why).  Open stores after fork().
 */
int rgw_store_open(const char *uri, rgw_store_t **out);

/* Closes the store; every handle obtained from it (readers, writers,
 * queues) must be released first.  NULL is ignored. */
void rgw_store_close(rgw_store_t *store);

/*
 * The canonical name of the store a URI names, checked without opening
 * anything: two URIs name the same store exactly when their canonical names
 * are equal ("local:/x", "local:///x" and "/x/" are all "local:/x"; a RADOS
 * URI spells out every parameter, defaults included).  A local store's is
 * "local:" and its directory.  Copies it (NUL-terminated) into out; -ERANGE
 * if out_size is too small, RGW_ERR_INVALID_URI for a malformed URI or one
 * of a driver this build lacks.
 */
int rgw_store_uri_canonical(const char *uri, char *out, size_t out_size);

/* ------------------------------------------------------- string lists */

/* Frees a NULL-terminated array of strings returned by rgw_user_list() or
 * rgw_bucket_list(); NULL is ignored. */
void rgw_free_strings(char **strings);

/* -------------------------------------------------------- attributes */

/* Attributes: lower-case header names ("content-type", "x-amz-meta-foo")
 * to values, for objects, buckets and users. */
typedef struct rgw_attrs rgw_attrs_t;

/* A new empty set, or NULL when out of memory. */
rgw_attrs_t *rgw_attrs_new(void);
/* Sets (or replaces) one attribute; the name is lower-cased.  -EINVAL for a
 * NULL or empty name or a NULL value. */
int rgw_attrs_set(rgw_attrs_t *attrs, const char *name, const char *value);
/* Frees the set; NULL is ignored. */
void rgw_attrs_free(rgw_attrs_t *attrs);

/* ------------------------------------------------- access control lists */

/*
 * An access policy as the core evaluates it: an owner (a uid) and a list of
 * grants, each giving a set of permissions to a grantee.  The owner always
 * holds RGW_PERM_READ_ACP and RGW_PERM_WRITE_ACP; the rest comes from the
 * grants.  An object policy with an empty owner belongs to the bucket's
 * owner, who then has full control (objects written without a policy).
 */
typedef struct rgw_acl rgw_acl_t;

/* Permissions (bits). */
#define RGW_PERM_READ         0x01 /* bucket: list; object: read data and metadata */
#define RGW_PERM_WRITE        0x02 /* bucket: create, overwrite, delete objects */
#define RGW_PERM_READ_ACP     0x04 /* read the policy */
#define RGW_PERM_WRITE_ACP    0x08 /* replace the policy */
#define RGW_PERM_FULL_CONTROL 0x0f /* the four above */
#define RGW_PERM_READ_OBJECTS 0x10 /* bucket: read any of its objects (Swift) */

/* Grantee kinds, and the groups a RGW_GRANTEE_GROUP grant can name. */
#define RGW_GRANTEE_USER              1 /* id: a uid */
#define RGW_GRANTEE_EMAIL             2 /* id: a user's e-mail address */
#define RGW_GRANTEE_GROUP             3 /* id: one of the RGW_GROUP_* names */
#define RGW_GRANTEE_REFERRER          4 /* id: "*", a host, or ".domain" (hosts under it) */
#define RGW_GROUP_ALL_USERS           "all-users" /* anonymous included */
#define RGW_GROUP_AUTHENTICATED_USERS "authenticated-users"
#define RGW_GROUP_LOG_DELIVERY        "log-delivery"

/* A policy with this owner ("" or NULL: the bucket's owner) and no grants.
 * -ENOMEM. */
int rgw_acl_new(const char *owner, rgw_acl_t **out);
/* S3's canned ACL `name` ("private", "public-read", "public-read-write",
 * "authenticated-read", "bucket-owner-read", "bucket-owner-full-control",
 * "log-delivery-write") for owner; bucket_owner (may be NULL) is named by the
 * bucket-owner-* ACLs.  RGW_ERR_INVALID_ARGUMENT for another name. */
int rgw_acl_new_canned(const char *name, const char *owner, const char *bucket_owner,
                       rgw_acl_t **out);
/* Adds a grant: kind RGW_GRANTEE_*, the grantee's id, RGW_PERM_* bits.
 * RGW_ERR_INVALID_ARGUMENT for a bad kind, an empty id, an unknown group or
 * no permission. */
int rgw_acl_add_grant(rgw_acl_t *acl, int kind, const char *id, unsigned permissions);
/* The owner ("" = the bucket's owner). */
const char *rgw_acl_owner(const rgw_acl_t *acl);
/* The number of grants. */
size_t rgw_acl_grant_count(const rgw_acl_t *acl);
/* The i-th grant; -ERANGE past the end.  Out-pointers may be NULL. */
int rgw_acl_grant_at(const rgw_acl_t *acl, size_t i, int *kind, const char **id,
                     unsigned *permissions);
/* The canned ACL the policy is exactly ("private", "public-read", ...), or
 * NULL if none; bucket_owner (may be NULL) stands in for an empty owner. */
const char *rgw_acl_canned_name(const rgw_acl_t *acl, const char *bucket_owner);
/* The RGW_PERM_* bits that uid (NULL or "": anonymous) holds under the
 * policy; bucket_owner stands in for an empty owner. */
unsigned rgw_acl_permissions(const rgw_acl_t *acl, const char *uid, const char *bucket_owner);
/* Frees the policy; NULL is ignored. */
void rgw_acl_free(rgw_acl_t *acl);

/* ----------------------------------------------------------------- users */

/*
 * A user: uid, display name, e-mail, S3 key pairs, a Swift identity,
 * attributes (account metadata, temp-URL keys, ...), creation time and a
 * suspended flag.  Handles come from rgw_user_get()/rgw_user_find() (what
 * is stored) or rgw_user_new() (a description to create or modify).
 */
typedef struct rgw_user rgw_user_t;

/* Kinds of credential a user is found by (rgw_user_find). */
#define RGW_CREDENTIAL_S3_ACCESS_KEY 1 /* id: an S3 access key id */
#define RGW_CREDENTIAL_SWIFT_USER    2 /* id: "account:user" as in X-Auth-User */

/* A description of user uid, with nothing else set. */
int rgw_user_new(const char *uid, rgw_user_t **out);
/* The setters below fill a description for rgw_user_add() and
 * rgw_user_modify(); the getters read a handle (their strings live as long
 * as it).  A handle is used by one thread at a time. */

/* Sets the display name.  -EINVAL for NULL. */
int rgw_user_set_display_name(rgw_user_t *user, const char *display_name);
/* Sets the e-mail address (grants may name users by it).  -EINVAL for NULL. */
int rgw_user_set_email(rgw_user_t *user, const char *email);
/* Suspends (nonzero) or reinstates (0) the user: a suspended user's
 * requests are refused.  -EINVAL for NULL. */
int rgw_user_set_suspended(rgw_user_t *user, int suspended);
/* Sets one attribute (value NULL: removes it from the description).  For
 * rgw_user_modify() the attributes are then one of the fields set: the
 * description's attributes become the user's whole set. */
int rgw_user_set_attr(rgw_user_t *user, const char *name, const char *value);
/* Empties the description's attributes, and (for rgw_user_modify()) marks
 * them set: the user's attributes become the empty set plus any set after. */
int rgw_user_clear_attrs(rgw_user_t *user);
/* For rgw_user_add(): a key pair, and the Swift identity. */
int rgw_user_add_key(rgw_user_t *user, const char *access_key, const char *secret_key);
/* For rgw_user_add(): the Swift identity ("account:user") and its key.
 * -EINVAL for NULL. */
int rgw_user_set_swift(rgw_user_t *user, const char *swift_user, const char *swift_key);

/* The uid. */
const char *rgw_user_uid(const rgw_user_t *user);
/* The display name. */
const char *rgw_user_display_name(const rgw_user_t *user);
/* The e-mail address ("" if none). */
const char *rgw_user_email(const rgw_user_t *user);
/* When the user was created, in ns since the epoch (0 in a description). */
int64_t rgw_user_created_ns(const rgw_user_t *user);
/* 1 if the user is suspended, else 0. */
int rgw_user_suspended(const rgw_user_t *user);
/* The Swift user ("account:user"), "" if none. */
const char *rgw_user_swift_user(const rgw_user_t *user);
/* The Swift key, "" if none. */
const char *rgw_user_swift_key(const rgw_user_t *user);
/* The number of S3 key pairs. */
size_t rgw_user_key_count(const rgw_user_t *user);
/* The i-th key pair; -ERANGE past the end. */
int rgw_user_key_at(const rgw_user_t *user, size_t i, const char **access_key,
                    const char **secret_key);
/* The value of one attribute, or NULL if unset. */
const char *rgw_user_attr(const rgw_user_t *user, const char *name);
/* The number of attributes. */
size_t rgw_user_attr_count(const rgw_user_t *user);
/* The i-th attribute in name order; -ERANGE past the end. */
int rgw_user_attr_at(const rgw_user_t *user, size_t i, const char **name, const char **value);
/* Frees the handle; NULL is ignored. */
void rgw_user_free(rgw_user_t *user);

/* Creates a user as described (keys, Swift identity and attributes
 * included), atomically.  RGW_ERR_USER_EXISTS, RGW_ERR_ACCESS_KEY_EXISTS
 * (a key or the Swift user is taken), RGW_ERR_INVALID_ARGUMENT. */
int rgw_user_add(rgw_store_t *store, const rgw_user_t *user);
/* The short form: a user with one S3 key pair (both NULL for none). */
int rgw_user_create(rgw_store_t *store, const char *uid, const char *display_name,
                    const char *access_key, const char *secret_key);
/* The stored user; RGW_ERR_NO_SUCH_USER. */
int rgw_user_get(rgw_store_t *store, const char *uid, rgw_user_t **out);
/* The user a credential belongs to (kind RGW_CREDENTIAL_*):
 * RGW_ERR_NO_SUCH_ACCESS_KEY, RGW_ERR_NO_SUCH_USER. */
int rgw_user_find(rgw_store_t *store, int kind, const char *id, rgw_user_t **out);
/* Changes what the description sets -- display name, e-mail, suspended,
 * attributes (the whole set, when any attribute was set) -- of the user it
 * names, and nothing else.  RGW_ERR_NO_SUCH_USER. */
int rgw_user_modify(rgw_store_t *store, const rgw_user_t *changes);
/* The uids, sorted, as a NULL-terminated array (rgw_free_strings()); returns
 * how many. */
int rgw_user_list(rgw_store_t *store, char ***uids);
/* Removes a user and its keys; RGW_ERR_USER_HAS_BUCKETS while it owns
 * buckets. */
int rgw_user_remove(rgw_store_t *store, const char *uid);
/* Adds an S3 key pair: RGW_ERR_ACCESS_KEY_EXISTS, RGW_ERR_NO_SUCH_USER. */
int rgw_user_key_add(rgw_store_t *store, const char *uid, const char *access_key,
                     const char *secret_key);
/* Removes an S3 key pair; requests signed with it fail from then on, in
 * every process.  RGW_ERR_NO_SUCH_ACCESS_KEY. */
int rgw_user_key_remove(rgw_store_t *store, const char *uid, const char *access_key);
/* Sets (or with swift_user "" removes) the user's Swift identity.
 * RGW_ERR_ACCESS_KEY_EXISTS if another user has that Swift user. */
int rgw_user_set_swift_credentials(rgw_store_t *store, const char *uid, const char *swift_user,
                                   const char *swift_key);
/*
 * Looks up an access key: copies the owner's uid and the secret (NUL
 * terminated) into the caller's buffers (either may be NULL).  -ERANGE if a
 * buffer is too small.  RGW_ERR_NO_SUCH_ACCESS_KEY.
 */
int rgw_user_lookup_key(rgw_store_t *store, const char *access_key, char *uid, size_t uid_size,
                        char *secret, size_t secret_size);

/* --------------------------------------------------------------- buckets */

/* A bucket: name, owner, id (new at each creation), creation time,
 * versioning state, access policy, attributes. */
typedef struct rgw_bucket rgw_bucket_t;

#define RGW_VERSIONING_OFF       0 /* never enabled */
#define RGW_VERSIONING_ENABLED   1
#define RGW_VERSIONING_SUSPENDED 2

/* A description of a bucket to create (rgw_bucket_add) with a private
 * policy for owner_uid. */
int rgw_bucket_new(const char *name, const char *owner_uid, rgw_bucket_t **out);
/* The setters below fill a description for rgw_bucket_add() and
 * rgw_bucket_update(); the getters read a handle (their strings and policy
 * live as long as it).  A handle is used by one thread at a time. */

/* Sets the access policy (the handle keeps a copy).  -EINVAL for NULL. */
int rgw_bucket_set_acl(rgw_bucket_t *bucket, const rgw_acl_t *acl);
/* Sets the versioning state (RGW_VERSIONING_*); RGW_ERR_INVALID_ARGUMENT
 * for another value. */
int rgw_bucket_set_versioning(rgw_bucket_t *bucket, int state);
/* Sets one attribute (value NULL removes it).  -EINVAL for a NULL or empty
 * name. */
int rgw_bucket_set_attr(rgw_bucket_t *bucket, const char *name, const char *value);

/* The bucket's name. */
const char *rgw_bucket_name(const rgw_bucket_t *bucket);
/* The owner's uid. */
const char *rgw_bucket_owner(const rgw_bucket_t *bucket);
/* The bucket's id, new at each creation ("" in a description). */
const char *rgw_bucket_id(const rgw_bucket_t *bucket);
/* When the bucket was created, in ns since the epoch. */
int64_t rgw_bucket_created_ns(const rgw_bucket_t *bucket);
/* The versioning state (RGW_VERSIONING_*). */
int rgw_bucket_versioning(const rgw_bucket_t *bucket);
/* The access policy (owned by the handle). */
const rgw_acl_t *rgw_bucket_acl(const rgw_bucket_t *bucket);
/* The value of one attribute, or NULL if unset. */
const char *rgw_bucket_attr(const rgw_bucket_t *bucket, const char *name);
/* The number of attributes. */
size_t rgw_bucket_attr_count(const rgw_bucket_t *bucket);
/* The i-th attribute in name order; -ERANGE past the end. */
int rgw_bucket_attr_at(const rgw_bucket_t *bucket, size_t i, const char **name, const char **value);
/* Frees the handle; NULL is ignored. */
void rgw_bucket_free(rgw_bucket_t *bucket);

/* Creates a bucket as described; *out (may be NULL) receives what was
 * stored (its id and creation time).  RGW_ERR_BUCKET_EXISTS,
 * RGW_ERR_INVALID_BUCKET_NAME, RGW_ERR_NO_SUCH_USER. */
int rgw_bucket_add(rgw_store_t *store, const rgw_bucket_t *bucket, rgw_bucket_t **out);
/* The short form: acl "private" or "public-read" (NULL = private). */
int rgw_bucket_create(rgw_store_t *store, const char *name, const char *owner_uid, const char *acl);
/* The stored bucket; RGW_ERR_NO_SUCH_BUCKET. */
int rgw_bucket_get(rgw_store_t *store, const char *name, rgw_bucket_t **out);
/* Replaces the policy, versioning state and attributes of the bucket the
 * handle names (its owner and id stay).  RGW_ERR_NO_SUCH_BUCKET. */
int rgw_bucket_update(rgw_store_t *store, const rgw_bucket_t *bucket);
/* Removes an empty bucket; RGW_ERR_BUCKET_NOT_EMPTY otherwise (uploads in
 * progress are aborted with it). */
int rgw_bucket_remove(rgw_store_t *store, const char *name);
/* 0 if the bucket exists: its owner (copied into owner_uid when non-NULL;
 * -ERANGE if too small), object count and bytes (either may be NULL). */
int rgw_bucket_stat(rgw_store_t *store, const char *name, char *owner_uid, size_t owner_size,
                    uint64_t *num_objects, uint64_t *size_bytes);
/* Bucket names (all owners when owner_uid is NULL or ""), sorted, as a
 * NULL-terminated array for rgw_free_strings(); returns how many. */
int rgw_bucket_list(rgw_store_t *store, const char *owner_uid, char ***names);

/* The buckets themselves (all owners when owner_uid is NULL or ""), by name. */
typedef struct rgw_bucket_listing rgw_bucket_listing_t;
/* The buckets (all owners when owner_uid is NULL or ""), by name, with all
 * that is known of each, into *out (rgw_bucket_listing_free()). */
int rgw_bucket_list_v2(rgw_store_t *store, const char *owner_uid, rgw_bucket_listing_t **out);
/* The number of buckets listed. */
size_t rgw_bucket_listing_count(const rgw_bucket_listing_t *list);
/* The i-th bucket (owned by the list), NULL past the end. */
const rgw_bucket_t *rgw_bucket_listing_at(const rgw_bucket_listing_t *list, size_t i);
/* Frees the listing and its buckets; NULL is ignored. */
void rgw_bucket_listing_free(rgw_bucket_listing_t *list);

/* ---------------------------------------------------------- object info */

/* What is known of one object version.  Released with rgw_object_free()
 * (except where owned by a reader, listing or upload). */
typedef struct rgw_object rgw_object_t;

/* The object's key. */
const char *rgw_object_key(const rgw_object_t *obj);
/* The version id ("null" for the null version). */
const char *rgw_object_version_id(const rgw_object_t *obj);
/* The size in bytes. */
uint64_t rgw_object_size(const rgw_object_t *obj);
/* The ETag: hex MD5 of the body, unquoted ("<hex>-N" for multipart). */
const char *rgw_object_etag(const rgw_object_t *obj);
/* The last modification, in ns since the epoch. */
int64_t rgw_object_mtime_ns(const rgw_object_t *obj);
/* When the object expires, in s since the epoch; 0 = never. */
int64_t rgw_object_delete_at(const rgw_object_t *obj);
/* 1 if this is the current version, else 0. */
int rgw_object_is_latest(const rgw_object_t *obj);
/* 1 if this version is a delete marker, else 0. */
int rgw_object_is_delete_marker(const rgw_object_t *obj);
/* The object's access policy (owned by the object). */
const rgw_acl_t *rgw_object_acl(const rgw_object_t *obj);
/* Value of one attribute, or NULL. */
const char *rgw_object_attr(const rgw_object_t *obj, const char *name);
/* The number of attributes. */
size_t rgw_object_attr_count(const rgw_object_t *obj);
/* The i-th attribute in name order; -ERANGE past the end. */
int rgw_object_attr_at(const rgw_object_t *obj, size_t i, const char **name, const char **value);
/* Frees the info; NULL is ignored (never for infos owned by a reader,
 * listing or upload). */
void rgw_object_free(rgw_object_t *obj);

/* ------------------------------------------------------ operation options */

/*
 * Options of object operations, in the style of librados' read and write
 * ops: a handle gathers what one call should do beyond the defaults, so that
 * a new knob is a new setter, never a new signature.  Handles are not bound
 * to a store; one may be reused for many calls.  Each call says which
 * options it reads; it ignores the others.
 */
typedef struct rgw_read_opts rgw_read_opts_t;
typedef struct rgw_write_opts rgw_write_opts_t;

/* New read options: the current version, the whole object.  -ENOMEM. */
int rgw_read_opts_new(rgw_read_opts_t **out);
/* The version to read ("" or NULL: the current one; "null": the null
 * version).  Unknown versions fail with RGW_ERR_NO_SUCH_VERSION. */
int rgw_read_opts_set_version(rgw_read_opts_t *opts, const char *version_id);
/* A byte range: length < 0 reads to the end. */
int rgw_read_opts_set_range(rgw_read_opts_t *opts, uint64_t offset, int64_t length);
/* Frees the options; NULL is ignored. */
void rgw_read_opts_free(rgw_read_opts_t *opts);

/* New write options: nothing set.  -ENOMEM. */
int rgw_write_opts_new(rgw_write_opts_t **out);
/* The attributes to store (a copy of attrs replaces any set before). */
int rgw_write_opts_set_attrs(rgw_write_opts_t *opts, const rgw_attrs_t *attrs);
/* The access policy to store (a copy). */
int rgw_write_opts_set_acl(rgw_write_opts_t *opts, const rgw_acl_t *acl);
/* When the object expires: epoch seconds, 0 = never. */
int rgw_write_opts_set_delete_at(rgw_write_opts_t *opts, int64_t delete_at);
/* The ETag to record instead of the MD5 the writer computes (hex, unquoted;
 * multipart completion's "<md5>-N"). */
int rgw_write_opts_set_etag(rgw_write_opts_t *opts, const char *etag);
/* Apply only if the current object's ETag is this one (else
 * RGW_ERR_CONFLICT); NULL or "" clears the condition. */
int rgw_write_opts_set_if_match(rgw_write_opts_t *opts, const char *etag);
/* The version a remove or update applies to ("" or NULL: the current). */
int rgw_write_opts_set_version(rgw_write_opts_t *opts, const char *version_id);
/* Frees the options; NULL is ignored. */
void rgw_write_opts_free(rgw_write_opts_t *opts);

/* --------------------------------------------------------------- objects */

typedef struct rgw_writer rgw_writer_t;
typedef struct rgw_reader rgw_reader_t;

/*
 * Writing: open, write any number of chunks (memory stays bounded whatever
 * the size), then commit or abort.  Nothing is visible before commit; commit
 * replaces an existing object atomically.  rgw_writer_free() on a writer that
 * was not committed aborts it.  A writer is used by one thread at a time.
 * RGW_ERR_NO_SUCH_BUCKET, RGW_ERR_INVALID_KEY.
 */
int rgw_writer_open(rgw_store_t *store, const char *bucket, const char *key, rgw_writer_t **out);
/* Appends len bytes. */
int rgw_writer_write(rgw_writer_t *w, const void *data, size_t len);
/* Publishes the object with attrs (may be NULL) and delete_at (epoch
 * seconds, 0 = never); *info (if non-NULL) receives the stored object's
 * info, to release with rgw_object_free(). */
int rgw_writer_commit(rgw_writer_t *w, const rgw_attrs_t *attrs, int64_t delete_at,
                      rgw_object_t **info);
/* The same with options (may be NULL): attrs, acl, delete_at, etag. */
int rgw_writer_commit_v2(rgw_writer_t *w, const rgw_write_opts_t *opts, rgw_object_t **info);
/* Bytes written so far. */
uint64_t rgw_writer_bytes(const rgw_writer_t *w);
/* Aborts (unless committed) and frees; NULL is ignored. */
void rgw_writer_free(rgw_writer_t *w);

/*
 * Reading: open a byte range (length < 0: to the end) and read it in chunks.
 * The object is pinned at open: a concurrent overwrite does not tear it.
 * RGW_ERR_NO_SUCH_KEY (also for an expired object), RGW_ERR_INVALID_RANGE
 * if offset > size.  A reader is used by one thread at a time.
 */
int rgw_reader_open(rgw_store_t *store, const char *bucket, const char *key, uint64_t offset,
                    int64_t length, rgw_reader_t **out);
/* The same with options (may be NULL: the whole current object): version,
 * range.  RGW_ERR_NO_SUCH_VERSION. */
int rgw_reader_open_v2(rgw_store_t *store, const char *bucket, const char *key,
                       const rgw_read_opts_t *opts, rgw_reader_t **out);
/* The object being read (owned by the reader); NULL only when out of
 * memory. */
const rgw_object_t *rgw_reader_object(const rgw_reader_t *r);
/* Reads up to len bytes; returns the count, 0 at the end of the range. */
int64_t rgw_reader_read(rgw_reader_t *r, void *buf, size_t len);
/* Bytes of the range not read yet. */
uint64_t rgw_reader_remaining(const rgw_reader_t *r);
/* Frees the reader (and the object info it owns); NULL is ignored. */
void rgw_reader_free(rgw_reader_t *r);

/* The current object's info.  RGW_ERR_NO_SUCH_KEY. */
int rgw_object_stat(rgw_store_t *store, const char *bucket, const char *key, rgw_object_t **out);
/* The same with options (may be NULL): version. */
int rgw_object_stat_v2(rgw_store_t *store, const char *bucket, const char *key,
                       const rgw_read_opts_t *opts, rgw_object_t **out);
/* Idempotent: removing a missing key returns 0.  RGW_ERR_NO_SUCH_BUCKET. */
int rgw_object_remove(rgw_store_t *store, const char *bucket, const char *key);
/* The same with options (may be NULL): version, if_match (RGW_ERR_CONFLICT
 * when the current object's ETag differs; a missing object is still 0). */
int rgw_object_remove_v2(rgw_store_t *store, const char *bucket, const char *key,
                         const rgw_write_opts_t *opts);
/*
 * The same, saying what it did: *out (may be NULL) gets the version removed
 * for good (a version named in opts, or the only one of an unversioned
 * key), or the delete marker made (versioning enabled or suspended, no
 * version named): rgw_object_version_id() and rgw_object_is_delete_marker()
 * tell which; *out is NULL when nothing was there to remove.
 */
int rgw_object_remove_v3(rgw_store_t *store, const char *bucket, const char *key,
                         const rgw_write_opts_t *opts, rgw_object_t **out);
/*
 * The version opts names (NULL or no version: the current one), whatever it
 * is: rgw_object_is_delete_marker() tells a delete marker, and an expired
 * version is returned too.  RGW_ERR_NO_SUCH_KEY (the key has no version),
 * RGW_ERR_NO_SUCH_VERSION.
 */
int rgw_object_stat_version(rgw_store_t *store, const char *bucket, const char *key,
                            const rgw_read_opts_t *opts, rgw_object_t **out);
/* Copies an object; attrs NULL keeps the source's attributes. */
int rgw_object_copy(rgw_store_t *store, const char *src_bucket, const char *src_key,
                    const char *dst_bucket, const char *dst_key, const rgw_attrs_t *attrs,
                    rgw_object_t **info);
/*
 * Changes an object's metadata in place, without rewriting its data (size,
 * ETag, mtime stay): whatever the options set of attrs (the whole new set),
 * acl and delete_at, on the version they name, if_match guarding against a
 * concurrent overwrite.  Atomic: readers see the old or the new metadata.
 * RGW_ERR_NO_SUCH_KEY, RGW_ERR_CONFLICT (if_match differs).
 */
int rgw_object_update(rgw_store_t *store, const char *bucket, const char *key,
                      const rgw_write_opts_t *opts, rgw_object_t **info);

/* --------------------------------------------------------------- listing */

typedef struct rgw_listing rgw_listing_t;
typedef struct rgw_list_opts rgw_list_opts_t;

/*
 * Lists keys after marker (NULL/"" = from the start) that start with prefix,
 * rolling keys that contain delimiter after the prefix into common prefixes.
 * max_keys counts objects and prefixes together (at most 1000).
 */
int rgw_object_list(rgw_store_t *store, const char *bucket, const char *prefix,
                    const char *delimiter, const char *marker, unsigned max_keys,
                    rgw_listing_t **out);

/* Listing options: prefix, delimiter, marker (list keys after it),
 * end_marker (list keys before it), max_keys (default and at most 1000). */
int rgw_list_opts_new(rgw_list_opts_t **out);
/* Lists only keys that start with prefix (NULL or "": all). */
int rgw_list_opts_set_prefix(rgw_list_opts_t *opts, const char *prefix);
/* Rolls keys containing delimiter after the prefix into common prefixes
 * (NULL or "": none). */
int rgw_list_opts_set_delimiter(rgw_list_opts_t *opts, const char *delimiter);
/* Lists keys strictly after marker (NULL or "": from the start). */
int rgw_list_opts_set_marker(rgw_list_opts_t *opts, const char *marker);
/* Lists keys strictly before end_marker (NULL or "": to the end). */
int rgw_list_opts_set_end_marker(rgw_list_opts_t *opts, const char *end_marker);
/* Non-zero: lists every version and delete marker of each key, newest first
 * (rgw_object_is_latest() says which is current); 0 (the default): the
 * current version of each key, without delete markers. */
int rgw_list_opts_set_versions(rgw_list_opts_t *opts, int versions);
/* With versions and a marker: resumes after this version of the marker key
 * (NULL or "": after every version of the key).  An id the key does not
 * have makes the listing fail with RGW_ERR_NO_SUCH_VERSION. */
int rgw_list_opts_set_version_marker(rgw_list_opts_t *opts, const char *version_marker);
/* Lists at most max_keys entries, objects and prefixes together (over
 * 1000: 1000). */
int rgw_list_opts_set_max_keys(rgw_list_opts_t *opts, unsigned max_keys);
/* Frees the options; NULL is ignored. */
void rgw_list_opts_free(rgw_list_opts_t *opts);
/* Lists with options (NULL: the defaults). */
int rgw_object_list_v2(rgw_store_t *store, const char *bucket, const rgw_list_opts_t *opts,
                       rgw_listing_t **out);

/* The number of objects listed. */
size_t rgw_listing_count(const rgw_listing_t *l);
/* The i-th object (owned by the listing), NULL past the end. */
const rgw_object_t *rgw_listing_object(const rgw_listing_t *l, size_t i);
/* The number of common prefixes listed. */
size_t rgw_listing_prefix_count(const rgw_listing_t *l);
/* The i-th common prefix (owned by the listing), NULL past the end. */
const char *rgw_listing_prefix(const rgw_listing_t *l, size_t i);
/* 1 if more entries follow (list again from rgw_listing_next_marker()). */
int rgw_listing_truncated(const rgw_listing_t *l);
/* The marker to list the next page from (the last key or prefix listed). */
const char *rgw_listing_next_marker(const rgw_listing_t *l);
/* With versions: the version marker to list the next page from (the last
 * version listed; "" when the page ended on a prefix). */
const char *rgw_listing_next_version_marker(const rgw_listing_t *l);
/* Frees the listing and its objects; NULL is ignored. */
void rgw_listing_free(rgw_listing_t *l);

/* ------------------------------------------------------ multipart uploads */

/*
 * A multipart upload: parts are stored as they arrive (in any order, each
 * replacing an earlier part of its number), then completion stitches the
 * chosen parts into one object -- without copying their data -- which
 * replaces any old object atomically.
 */
typedef struct rgw_upload rgw_upload_t;
typedef struct rgw_upload_listing rgw_upload_listing_t;
typedef struct rgw_part_listing rgw_part_listing_t;

/* Starts an upload for key; opts (may be NULL) give the final object's
 * attrs, acl and delete_at.  RGW_ERR_NO_SUCH_BUCKET, RGW_ERR_INVALID_KEY. */
int rgw_upload_create(rgw_store_t *store, const char *bucket, const char *key,
                      const rgw_write_opts_t *opts, rgw_upload_t **out);
/* An upload in progress; RGW_ERR_NO_SUCH_UPLOAD (also once completed or
 * aborted). */
int rgw_upload_get(rgw_store_t *store, const char *bucket, const char *upload_id,
                   rgw_upload_t **out);
/* The upload id: opaque, URL-safe, unique. */
const char *rgw_upload_id(const rgw_upload_t *u);
/* The key the upload completes into. */
const char *rgw_upload_key(const rgw_upload_t *u);
/* When the upload was created, in ns since the epoch. */
int64_t rgw_upload_initiated_ns(const rgw_upload_t *u);
/* The final object's access policy (owned by the handle). */
const rgw_acl_t *rgw_upload_acl(const rgw_upload_t *u);
/* The value of one of the final object's attributes, or NULL. */
const char *rgw_upload_attr(const rgw_upload_t *u, const char *name);
/* The number of the final object's attributes. */
size_t rgw_upload_attr_count(const rgw_upload_t *u);
/* The i-th attribute in name order; -ERANGE past the end. */
int rgw_upload_attr_at(const rgw_upload_t *u, size_t i, const char **name, const char **value);
/* Frees the handle; NULL is ignored (never for uploads owned by a
 * listing). */
void rgw_upload_free(rgw_upload_t *u);

/* A writer for part part_number (1..10000) of the upload; its commit (any
 * options ignored) publishes the part, and the info it returns has the
 * part's size, ETag and mtime.  An upload of a part number already
 * uploaded replaces it in listings, but the earlier upload is kept (one per
 * ETag) until the upload ends: a completion naming its ETag takes it.
 * RGW_ERR_NO_SUCH_UPLOAD, RGW_ERR_INVALID_ARGUMENT (part number). */
int rgw_part_writer_open(rgw_store_t *store, const char *bucket, const char *upload_id,
                         int part_number, rgw_writer_t **out);

/* The upload's parts, by number (for each, the upload committed last). */
int rgw_upload_list_parts(rgw_store_t *store, const char *bucket, const char *upload_id,
                          rgw_part_listing_t **out);
/* The number of parts listed. */
size_t rgw_part_listing_count(const rgw_part_listing_t *parts);
/* The i-th part; -ERANGE past the end.  Out-pointers may be NULL. */
int rgw_part_listing_at(const rgw_part_listing_t *parts, size_t i, int *number, uint64_t *size,
                        const char **etag, int64_t *mtime_ns);
/* Frees the listing; NULL is ignored. */
void rgw_part_listing_free(rgw_part_listing_t *parts);

/* Uploads in progress whose key starts with prefix, by key then upload id
 * (the ids of one key sort by initiation time), after (after_key,
 * after_id) when after_key is non-empty; at most limit (1..1000).  Memory
 * stays bounded however many uploads a bucket holds. */
int rgw_upload_list(rgw_store_t *store, const char *bucket, const char *prefix,
                    const char *after_key, const char *after_id, size_t limit,
                    rgw_upload_listing_t **out);
/* The number of uploads listed. */
size_t rgw_upload_listing_count(const rgw_upload_listing_t *list);
/* The i-th upload (owned by the list), NULL past the end. */
const rgw_upload_t *rgw_upload_listing_at(const rgw_upload_listing_t *list, size_t i);
/* Frees the listing and its uploads; NULL is ignored. */
void rgw_upload_listing_free(rgw_upload_listing_t *list);

/*
 * Completes an upload with nparts parts, in ascending order of number, each
 * with the hex ETag it was stored with (quotes allowed): of a part uploaded
 * more than once, the upload with that ETag.  etag (NULL or "") defaults to
 * S3's multipart ETag (MD5 of the parts' MD5s, "-", the count).
 * RGW_ERR_INVALID_PART (a part missing or never uploaded with that ETag;
 * nothing changes), RGW_ERR_NO_SUCH_UPLOAD.  *info (may be NULL) gets the
 * object; the part uploads not chosen become garbage for gc.
 */
int rgw_upload_complete(rgw_store_t *store, const char *bucket, const char *upload_id,
                        size_t nparts, const int *numbers, const char *const *etags,
                        const char *etag, rgw_object_t **info);
/* Ends an upload; its parts become garbage for gc.  RGW_ERR_NO_SUCH_UPLOAD. */
int rgw_upload_abort(rgw_store_t *store, const char *bucket, const char *upload_id);

/* -------------------------------------------------- garbage collection */

/*
 * Runs one explicit garbage-collection pass (nothing runs in the background):
 * reclaims data of overwritten/deleted objects and of writers that died,
 * leaving anything younger than grace_seconds alone.  Counts (may be NULL).
 */
int rgw_gc_run(rgw_store_t *store, int64_t grace_seconds, uint64_t *removed_objects,
               uint64_t *removed_bytes);
/* The same, also counting the index entries repaired after crashed writers. */
int rgw_gc_run_v2(rgw_store_t *store, int64_t grace_seconds, uint64_t *removed_objects,
                  uint64_t *removed_bytes, uint64_t *repaired_entries);

/* Progress of a gc pass: the counts so far, each time one grows. */
typedef void (*rgw_gc_progress_cb)(uint64_t removed_objects, uint64_t removed_bytes,
                                   uint64_t repaired_entries, void *arg);

/*
 * rgw_gc_run_v2() that also calls progress(counts so far, arg) on the calling
 * thread each time a count grows (progress may be NULL), for a progress
 * report over a long pass.  The callback must not call into the store.
 */
int rgw_gc_run_progress(rgw_store_t *store, int64_t grace_seconds, rgw_gc_progress_cb progress,
                        void *arg, uint64_t *removed_objects, uint64_t *removed_bytes,
                        uint64_t *repaired_entries);

/* ----------------------------------------------------- object expiry */

/*
 * Objects given a delete_at (Swift X-Delete-At / X-Delete-After) read as
 * missing once it passes; an expirer pass removes them.  Every write that
 * gives an object a delete_at queues it in the store's expiry queue, so a
 * pass costs in proportion to the objects due, not to the store's size.
 * Several expirers may run at once against one store: each shard of the queue
 * is worked on under a lease (a RADOS object lock, a row of the local store),
 * and an object whose expiry changed after it was queued is never removed.
 * See docs/expiry.md.
 */

/* The counts of an expirer pass. */
typedef struct rgw_expire_report {
  uint64_t removed_objects; /* objects past their delete_at, removed */
  uint64_t stale_entries;   /* queue entries whose object had changed or gone */
  uint32_t shards_done;     /* queue shards drained by this pass */
  uint32_t shards_busy;     /* shards leased by another expirer, left to it */
} rgw_expire_report_t;

/*
 * Called on the calling thread after each batch of a pass: the counts so far,
 * and the n objects that batch removed (buckets[i], keys[i]).  Returns 0 to go
 * on, non-zero to end the pass after this batch (its leases are given back).
 * The callback must not call into the store.
 */
typedef int (*rgw_expire_progress_cb)(const rgw_expire_report_t *so_far, size_t n,
                                      const char *const *buckets, const char *const *keys,
                                      void *arg);

/*
 * Runs one expirer pass: every queue shard that no other expirer holds,
 * drained of the entries due when the pass started.  holder names this
 * expirer's leases (unique per process, e.g. "host:pid"); lease_seconds (>= 1)
 * is how long a shard stays leased to it without renewal -- how long the
 * shards of an expirer that died wait for another; batch is how many entries
 * are listed and removed at once (0: 1000).  progress may be NULL; report
 * (may be NULL) gets the counts.  RGW_ERR_INVALID_ARGUMENT.
 */
int rgw_expire_run(rgw_store_t *store, const char *holder, int64_t lease_seconds, size_t batch,
                   rgw_expire_progress_cb progress, void *arg, rgw_expire_report_t *report);

/* ------------------------------------------------------ S3 lifecycle */

/* The counts of a lifecycle pass (rgw_lifecycle_run). */
typedef struct rgw_lifecycle_report {
  uint64_t buckets;             /* buckets whose configuration was applied */
  uint64_t busy_buckets;        /* leased by another lifecycle agent, left to it */
  uint64_t expired_objects;     /* objects an Expiration rule removed */
  uint64_t aborted_uploads;     /* uploads an AbortIncompleteMultipartUpload rule aborted */
  uint64_t bad_configurations;  /* stored configurations that no longer parse, skipped */
  uint64_t noncurrent_versions; /* versions a NoncurrentVersionExpiration rule removed */
  uint64_t delete_markers; /* expired delete markers an ExpiredObjectDeleteMarker rule removed */
} rgw_lifecycle_report_t;

/*
 * Called on the calling thread after each object expired, upload aborted,
 * noncurrent version or delete marker removed (what: "expired", "aborted",
 * "noncurrent", "delete-marker"), with the counts so far.  Returns 0 to go on,
 * non-zero to end the pass there.  The callback must not call into the store.
 */
typedef int (*rgw_lifecycle_progress_cb)(const rgw_lifecycle_report_t *so_far, const char *bucket,
                                         const char *key, const char *what, void *arg);

/*
 * Runs one lifecycle pass: applies the S3 lifecycle configuration of every
 * bucket that has one (bucket NULL), or of one bucket, under a lease per
 * bucket (holder, lease_seconds as for rgw_expire_run): objects whose
 * Expiration (Days, Date) has passed are removed -- unless rewritten since
 * they were listed -- and uploads due under AbortIncompleteMultipartUpload
 * are aborted.  day_seconds 0: days are days (S3's rules, rounded up to
 * midnight UTC); 1 to 86400: a day lasts that many seconds, unrounded (for
 * tests).
 * progress and report may be NULL.  RGW_ERR_INVALID_ARGUMENT,
 * RGW_ERR_NO_SUCH_BUCKET (the bucket named).
 */
int rgw_lifecycle_run(rgw_store_t *store, const char *holder, int64_t lease_seconds,
                      const char *bucket, int64_t day_seconds, rgw_lifecycle_progress_cb progress,
                      void *arg, rgw_lifecycle_report_t *report);

/* ------------------------------------------------ gateway configuration */

/*
 * The one configuration every door (nginx, WSGI, Python, C) shares: named
 * options set from text.  The core owns the list of options (the table that
 * rgw_config_option() reports; docs/gateway-config.md is generated from it):
 *   store            store URI (required), as for rgw_store_open()
 *   region           region this gateway answers for (default us-east-1)
 *   domains          virtual-hosted-style domains, comma separated
 *                    ("s3.example.com": Host bucket.s3.example.com names bucket)
 *   max_object_size  largest single PUT or part, e.g. "5g" (default 5 GiB)
 *   buffer_size      one store read or write, and a door's body chunks
 *                    (default 128k)
 *   threads          I/O threads of a door's aio queue (default 0: the store
 *                    driver's default, see rgw_aio_queue_create())
 * Sizes are digits with an optional k, m or g suffix (powers of 1024).
 *
 * A rgw_config_t is used by one thread at a time.  The option table is
 * constant: rgw_config_option_count() and rgw_config_option() may be called
 * from any thread, at any time, without a config.
 */
typedef struct rgw_config rgw_config_t;

/* Option flags (rgw_config_option()): who reads the option. */
#define RGW_OPT_GATEWAY                                                         \
  0x1u                        /* the core's gateway: two configs that differ in \
                                 such an option cannot share a gateway */
#define RGW_OPT_DOOR     0x2u /* every door that serves requests (buffer_size) */
#define RGW_OPT_AIO      0x4u /* only doors that run an aio queue (nginx: threads) */
#define RGW_OPT_REQUIRED 0x8u /* must be set before rgw_gateway_open() (store) */

/* A configuration with every option at its default; release it with
 * rgw_config_free().  -EINVAL if out is NULL, -ENOMEM. */
int rgw_config_create(rgw_config_t **out);

/*
 * Sets one option from text.  RGW_ERR_INVALID_ARGUMENT for an unknown option
 * or a bad value (the message, in rgw_last_error(), names the option); the
 * option then keeps its previous value.  -EINVAL if an argument is NULL.
 */
int rgw_config_set(rgw_config_t *cfg, const char *name, const char *value);
/* Frees the configuration; NULL is ignored. */
void rgw_config_free(rgw_config_t *cfg);

/* The number of options in the table. */
size_t rgw_config_option_count(void);

/*
 * Describes the i-th option (0 <= i < rgw_config_option_count(), in the
 * table's order): its name, its type ("uri", "string", "list", "size" or
 * "count"), its default as text ("" for none), its RGW_OPT_* flags and one
 * line of documentation.  Any out-pointer may be NULL.  The strings are
 * static.  Returns 0, or -ERANGE past the end (out-pointers untouched).
 */
int rgw_config_option(size_t i, const char **name, const char **type, const char **default_value,
                      unsigned *flags, const char **doc);

/*
 * The current value of an option as text: what was last set, or the default
 * ("" for none) if it was not.  NULL for an unknown name (or a NULL
 * argument).  The string stays valid until the option is next set or the
 * config is freed.
 */
const char *rgw_config_get(const rgw_config_t *cfg, const char *name);

/*
 * The current value of a "size" or "count" option as a number (sizes in
 * bytes), into *out.  Returns 0; RGW_ERR_INVALID_ARGUMENT for an unknown
 * option or one that is not a number; -EINVAL if an argument is NULL.
 */
int rgw_config_get_uint(const rgw_config_t *cfg, const char *name, uint64_t *out);

/*
 * Whether two configurations may share one gateway: 1 if every
 * RGW_OPT_GATEWAY option holds the same value in both, else 0 (-EINVAL if an
 * argument is NULL).  The core decides what "the same" means: sizes compare
 * as numbers, domains as the parsed lists (case and separators aside), store
 * URIs as the store they name ("local:/x" and "/x" are the same).  Options
 * without RGW_OPT_GATEWAY (buffer_size, threads) may differ.
 */
int rgw_config_same_gateway(const rgw_config_t *a, const rgw_config_t *b);

/* ------------------------------------------------------------- gateway */

/* A configured gateway: the store it serves and its options.  Open it once
 * per process, after fork(); it may be used from several threads at once. */
typedef struct rgw_gateway rgw_gateway_t;

/* Opens the store the configuration names and makes a gateway of it, into
 * *out.  RGW_ERR_INVALID_ARGUMENT if no store is set; otherwise what
 * rgw_store_open() returns.  Call it after fork(). */
int rgw_gateway_open(const rgw_config_t *cfg, rgw_gateway_t **out);
/* The gateway's store (owned by the gateway), for admin calls and for
 * rgw_aio_queue_create(). */
rgw_store_t *rgw_gateway_store(rgw_gateway_t *gw);
/* Closes the gateway; every request made from it must be freed first. */
void rgw_gateway_close(rgw_gateway_t *gw);

/* ------------------------------------------------------------- requests */

/*
 * One HTTP request, served by the core (S3 today).  The door:
 *  1. rgw_request_create() with the method and the request target exactly as
 *     received ("/bucket/key?query", still percent-encoded);
 *  2. rgw_request_add_header() for every header (names in any case);
 *  3. rgw_request_start(): routes and authenticates from the headers.
 *     Returns RGW_REQUEST_WANTS_BODY if the operation reads the body (a door
 *     holding "Expect: 100-continue" may now send 100 Continue), or
 *     RGW_REQUEST_DONE if the response is ready (errors included: a bad
 *     signature is refused before a single body byte is read);
 *  4. rgw_request_body() for each piece of the body as received (any size;
 *     Transfer-Encoding already removed, aws-chunked left to the core):
 *     RGW_REQUEST_WANTS_BODY to go on, RGW_REQUEST_DONE if the response is
 *     ready early (an error: stop reading the body);
 *     then rgw_request_body_end() when the body is complete: it verifies
 *     the body (hashes, chunk signatures, checksums) and only then commits;
 *  5. sends rgw_response_status(), the headers from rgw_response_header(),
 *     Content-Length from rgw_response_length() (unless -1), and the body
 *     pulled with rgw_response_read() (none for HEAD, 204 and 304).
 * Memory stays bounded whatever the object size.  A request freed before it
 * completed (client gone) stores nothing.  A request is used by one thread at
 * a time.  Negative returns mean misuse or resource failure (answer 500).
 */
typedef struct rgw_request rgw_request_t;

#define RGW_REQUEST_DONE       0
#define RGW_REQUEST_WANTS_BODY 1

/* Starts a request of gw with the method ("GET") and the request target
 * exactly as received; *out is freed with rgw_request_free().  -EINVAL for a
 * NULL argument.  A malformed target is answered (400) by rgw_request_start(). */
int rgw_request_create(rgw_gateway_t *gw, const char *method, const char *uri, rgw_request_t **out);
/* Past 100 headers or 64 KiB of header text the request is answered with
 * 400 RequestHeaderSectionTooLarge by rgw_request_start(). */
int rgw_request_add_header(rgw_request_t *req, const char *name, size_t name_len, const char *value,
                           size_t value_len);
/* The client's IP address as the door sees it ("192.0.2.1", "2001:db8::1";
 * not a proxy's X-Forwarded-For): what IP conditions test (Swift's
 * temp_url_ip_range).  Optional; before rgw_request_start().  -EINVAL for a
 * NULL argument or an address longer than 64 bytes. */
int rgw_request_set_remote_addr(rgw_request_t *req, const char *addr);
/* Routes, authenticates and authorizes from the request line and headers
 * (step 3 above): RGW_REQUEST_WANTS_BODY or RGW_REQUEST_DONE; -EINVAL if
 * called twice. */
int rgw_request_start(rgw_request_t *req);
/* rgw_request_start() for a door's own thread (an event loop), where it
 * must not wait: on a store that can read without waiting (the local store)
 * a GET or HEAD is started in no-wait mode, with the same results as
 * rgw_request_start() (read-ahead included).  -EWOULDBLOCK when it would
 * have had to wait (a lock held by a writer, or another store, or another
 * method): nothing was done, the request is as it was, and the door calls
 * rgw_request_start() (or rgw_aio_request_start()) instead. */
int rgw_request_try_start(rgw_request_t *req);
/* Feeds len body bytes (step 4): RGW_REQUEST_WANTS_BODY to go on,
 * RGW_REQUEST_DONE once the response is ready; RGW_ERR_INVALID_ARGUMENT
 * before start, -EINVAL for NULL data with len > 0. */
int rgw_request_body(rgw_request_t *req, const void *data, size_t len);
/* The body is complete: verifies it, then commits (step 4);
 * RGW_REQUEST_DONE.  RGW_ERR_INVALID_ARGUMENT before start. */
int rgw_request_body_end(rgw_request_t *req);
/* The last len body bytes, then the end: rgw_request_body() and, unless
 * that made the response ready (an error), rgw_request_body_end(), in one
 * call (one trip to an I/O thread with rgw_aio_request_body_last(), where
 * a small body arrives whole); RGW_REQUEST_DONE.  len may be 0.
 * RGW_ERR_INVALID_ARGUMENT before start, -EINVAL for NULL data with
 * len > 0. */
int rgw_request_body_last(rgw_request_t *req, const void *data, size_t len);
/* rgw_request_start(), then, if the request wants its body, the whole body
 * (len bytes, as its Content-Length says) with rgw_request_body_last(): for a
 * door that already holds the whole body when the headers arrive (a small
 * PUT), one call and one trip to an I/O thread with
 * rgw_aio_request_start_body().  Returns RGW_REQUEST_DONE, or what
 * rgw_request_start() returned when it was not RGW_REQUEST_WANTS_BODY: the
 * body was then not looked at, and the door skips it as after any answer
 * given from the headers alone.  -EINVAL for a NULL request, or NULL data
 * with len > 0 (nothing is done). */
int rgw_request_start_body(rgw_request_t *req, const void *data, size_t len);

/* The response, once start/body/body_end returned RGW_REQUEST_DONE. */
int rgw_response_status(const rgw_request_t *req);
/* The status's reason phrase ("OK", "Not Found"); never NULL. */
const char *rgw_response_reason(const rgw_request_t *req);
/* The number of response headers (Content-Length excluded); 0 until the
 * response is ready. */
size_t rgw_response_header_count(const rgw_request_t *req);
/* The i-th header (Content-Length excluded); -ERANGE past the end. */
int rgw_response_header(const rgw_request_t *req, size_t i, const char **name, const char **value);
/* The Content-Length to send (for HEAD: the length a GET would have); -1:
 * send no Content-Length and no body (204, 304). */
int64_t rgw_response_length(const rgw_request_t *req);
/* The request id (also in the x-amz-request-id header), for logs. */
const char *rgw_request_id(const rgw_request_t *req);
/* Copies up to len body bytes into buf; returns the count, 0 at the end. */
int64_t rgw_response_read(rgw_request_t *req, void *buf, size_t len);

/*
 * Read-ahead, for doors that pay for every trip to an I/O thread: once the
 * response is ready, the call that returns RGW_REQUEST_DONE (start, body or
 * body_end) also reads up to max bytes of the response body, on the same
 * thread, so that a small GET needs one trip.  Set it before
 * rgw_request_start(); 0 (the default) reads nothing ahead.
 * rgw_response_readahead() gives those bytes (*data stays valid until
 * rgw_request_free()) and rgw_response_read() continues after them.
 */
int rgw_request_set_readahead(rgw_request_t *req, size_t max);
/* The body bytes read ahead (see above): their count, and *data pointing
 * at them (NULL and 0 if none). */
size_t rgw_response_readahead(const rgw_request_t *req, const void **data);
/*
 * Body files.  A door that can send a file's bytes itself (sendfile) calls
 * rgw_request_allow_file(req, 1) before rgw_request_start(): when the whole
 * response body is a byte range of one file of the store (a plain object of
 * the local store) and is larger than the read-ahead (a smaller one is read
 * ahead: it goes out with the headers in one write), the core then reads
 * nothing ahead and rgw_response_file() gives the open file: the door sends
 * rgw_response_length() bytes of *fd from *offset.  The descriptor stays
 * open until rgw_request_free() (the door must not close it) and keeps the
 * object read, even if it is overwritten or removed meanwhile: bodies are
 * immutable files. */
int rgw_request_allow_file(rgw_request_t *req, int allow);
/* The response body as a file range (see above): 0 with *fd and *offset,
 * or -ENOENT when the body must be pulled with rgw_response_read() (any
 * other response, or rgw_request_allow_file() not set); -EINVAL for a NULL
 * argument. */
int rgw_response_file(const rgw_request_t *req, int *fd, int64_t *offset);
/* Bodies in memory.  A door that sends the read-ahead from the core's
 * memory (as it must: *data of rgw_response_readahead() is the core's)
 * calls rgw_request_allow_memory(req, 1) before the request starts: when
 * the store holds the whole response body in memory already (an object
 * that fits its head on RADOS, read with it), rgw_response_readahead()
 * then gives that whole body, however long, without a copy, whatever the
 * read-ahead's size.  -EINVAL for a NULL request. */
int rgw_request_allow_memory(rgw_request_t *req, int allow);
/* Frees the request; one freed before it completed stores nothing.  NULL
 * is ignored. */
void rgw_request_free(rgw_request_t *req);

/*
 * Signs a URL for S3 (SigV4 presigned query, payload unsigned): method, host
 * ("host[:port]" as the client will send it), path (percent-encoded as sent,
 * "/bucket/key"), the key pair, region, the signing time (epoch seconds) and
 * the validity (1..604800 s).  Writes the query string (without '?') into
 * out; -ERANGE if out_size is too small, -EINVAL for a bad expiry.
 */
int rgw_s3_presign(const char *method, const char *host, const char *path, const char *access_key,
                   const char *secret_key, const char *region, int64_t now, int64_t expires,
                   char *out, size_t out_size);

/*
 * Signs an S3 POST form's policy (a browser upload, POST Object) with SigV4,
 * as the gateway checks it: the hex HMAC-SHA256 of policy_b64 (the base64
 * policy document, sent as the form's "policy" field) under the signing key
 * of secret_key for date8 ("YYYYMMDD", the date of the form's
 * x-amz-credential and x-amz-date), region (NULL: "us-east-1") and the "s3"
 * service.  Writes the NUL-terminated signature, sent as x-amz-signature (65
 * bytes always suffice), into out; -ERANGE if out_size is too small, -EINVAL
 * for a NULL argument or a date8 that is not 8 digits.
 */
int rgw_s3_post_policy_sign(const char *policy_b64, const char *secret_key, const char *date8,
                            const char *region, char *out, size_t out_size);

/*
 * Signs a Swift temporary URL as the gateway checks it (and as Swift's
 * tempurl middleware does): the HMAC, under key, of
 * "[ip=<ip_range>\n]<method>\n<expires>\n<path>".  digest is "sha1",
 * "sha256" or "sha512"; method the one the URL is for ("GET", "PUT", ...; a
 * GET, PUT or POST URL also allows HEAD); expires in epoch seconds; path as
 * the client will request it, not percent-encoded
 * ("/swift/v1/AUTH_alice/photos/cat.jpg"), or
 * "prefix:/swift/v1/AUTH_alice/photos/<object prefix>" for a URL that serves
 * every object of the container whose name starts with the prefix (sent as
 * temp_url_prefix); ip_range NULL or "" for none, else the address or CIDR
 * network the URL is limited to (sent as temp_url_ip_range).  key is the
 * account's or the container's Temp-URL-Key (or -Key-2) metadata.  Writes
 * the NUL-terminated signature, sent as temp_url_sig, as python-swiftclient
 * writes it (hex for sha1 and sha256, "sha512:" and unpadded URL-safe
 * base64 for sha512) into out (129 bytes always suffice); -ERANGE if
 * out_size is too small, -EINVAL for a NULL argument or an unknown digest.
 */
int rgw_swift_temp_url_sign(const char *digest, const char *method, const char *path,
                            int64_t expires, const char *ip_range, const char *key, char *out,
                            size_t out_size);

/* ---------------------------------------------------- asynchronous form */

/*
 * For event loops that must never block (nginx).  A queue runs store calls on
 * its own I/O threads; when one finishes, its completion is queued and the
 * queue's file descriptor becomes readable.  The host then calls
 * rgw_aio_queue_run() on its own thread, which invokes the callbacks there.
 * No callback ever runs on an I/O thread.
 */
typedef struct rgw_aio_queue rgw_aio_queue_t;
typedef void (*rgw_aio_cb)(int result, void *arg);

/*
 * Creates a queue with threads I/O threads (1..256) for store, which must
 * outlive it.  threads = 0 takes the store driver's default: 8, for a local
 * store (its writers of one process share commits and fsyncs, so more
 * writers in flight make bigger batches) as for RADOS (a call waits on the
 * network, so more calls in flight pay).  -EINVAL for a NULL argument or more
 * than 256 threads; -EAGAIN if a thread cannot be started; a negative errno
 * if the eventfd cannot be created.
 */
int rgw_aio_queue_create(rgw_store_t *store, unsigned threads, rgw_aio_queue_t **out);
/* Readable (eventfd) while completions wait for rgw_aio_queue_run(). */
int rgw_aio_queue_fd(const rgw_aio_queue_t *q);
/* Runs the waiting callbacks on the calling thread; returns how many ran. */
int rgw_aio_queue_run(rgw_aio_queue_t *q);
/* Finishes the operations already submitted (their callbacks are not run),
 * stops the I/O threads and frees the queue.  Call it on the host thread. */
void rgw_aio_queue_destroy(rgw_aio_queue_t *q);

/* Each call below starts the operation and returns 0, or fails at once.  The
 * callback gets the result the synchronous call would have returned, and
 * during the callback rgw_last_error() gives that call's message.  Buffers and
 * out-pointers passed in must stay valid until the callback has run (or
 * rgw_aio_queue_destroy() has returned). */
int rgw_aio_stat(rgw_aio_queue_t *q, const char *bucket, const char *key, rgw_object_t **out,
                 rgw_aio_cb cb, void *arg);
/* rgw_reader_open() on the queue. */
int rgw_aio_reader_open(rgw_aio_queue_t *q, const char *bucket, const char *key, uint64_t offset,
                        int64_t length, rgw_reader_t **out, rgw_aio_cb cb, void *arg);
/* result = bytes read (0 at the end); at most INT_MAX bytes per call. */
int rgw_aio_read(rgw_aio_queue_t *q, rgw_reader_t *r, void *buf, size_t len, rgw_aio_cb cb,
                 void *arg);
/* rgw_writer_open() on the queue. */
int rgw_aio_writer_open(rgw_aio_queue_t *q, const char *bucket, const char *key, rgw_writer_t **out,
                        rgw_aio_cb cb, void *arg);
/* rgw_writer_write() on the queue. */
int rgw_aio_write(rgw_aio_queue_t *q, rgw_writer_t *w, const void *data, size_t len, rgw_aio_cb cb,
                  void *arg);
/* rgw_writer_commit() on the queue. */
int rgw_aio_commit(rgw_aio_queue_t *q, rgw_writer_t *w, const rgw_attrs_t *attrs, int64_t delete_at,
                   rgw_object_t **info, rgw_aio_cb cb, void *arg);
/* rgw_object_remove() on the queue. */
int rgw_aio_remove(rgw_aio_queue_t *q, const char *bucket, const char *key, rgw_aio_cb cb,
                   void *arg);

/* Requests, asynchronously: the same steps run on the queue's I/O threads
 * (the queue may come from any store; rgw_gateway_store() gives the
 * gateway's).  result is what the synchronous call returns. */
int rgw_aio_request_start(rgw_aio_queue_t *q, rgw_request_t *req, rgw_aio_cb cb, void *arg);
/* rgw_request_start() from the host's thread without an I/O thread where
 * the store allows: a GET or HEAD is tried there in no-wait mode (see
 * rgw_request_try_start()); on RADOS, where the only wait of a GET or HEAD
 * whose bucket and user are cached is the read of the object's head, that
 * read is submitted asynchronously and the request, suspended on a stack of
 * its own (a fiber), resumes on the host's thread (in rgw_aio_queue_run())
 * when it completes.  A request whose try is suspended when the queue is
 * destroyed must be freed on the host's thread (its fiber is unwound
 * there).  Anything
 * that would wait otherwise goes to an I/O thread, as with
 * rgw_aio_request_start().  Returns RGW_REQUEST_DONE or
 * RGW_REQUEST_WANTS_BODY when the request started at once (the callback
 * is not called), -EINPROGRESS when it will be called with the result
 * rgw_request_start() would have returned, or another negative errno
 * (-EINVAL for a NULL argument, -ESHUTDOWN for a queue being destroyed).
 * The request must not be freed before the callback has run. */
int rgw_aio_request_try_start(rgw_aio_queue_t *q, rgw_request_t *req, rgw_aio_cb cb, void *arg);
/* rgw_request_start_body() from the host's thread without an I/O thread
 * where the store allows: a PUT whose whole body (len bytes) the door holds
 * is tried there as rgw_aio_request_try_start() tries a GET.  On RADOS a
 * plain PUT whose bucket and user are cached runs to its answer on the
 * host's thread, suspended (in a fiber) while the cluster writes, with no
 * I/O thread; versioned writes, parts, copies, and anything that would
 * wait before the object's writer began go to an I/O thread as with
 * rgw_aio_request_start_body().  Returns RGW_REQUEST_DONE when it finished
 * at once (the callback is not called), -EINPROGRESS when the callback
 * will be called with what rgw_request_start_body() would have returned,
 * or another negative errno (-EINVAL for a NULL argument, -ESHUTDOWN for a
 * queue being destroyed).  data must stay valid, and the request must not
 * be freed, until the callback has run. */
int rgw_aio_request_try_start_body(rgw_aio_queue_t *q, rgw_request_t *req, const void *data,
                                   size_t len, rgw_aio_cb cb, void *arg);
/* rgw_request_body() on the queue; data must stay valid until the
 * callback. */
int rgw_aio_request_body(rgw_aio_queue_t *q, rgw_request_t *req, const void *data, size_t len,
                         rgw_aio_cb cb, void *arg);
/* rgw_request_body_end() on the queue. */
int rgw_aio_request_body_end(rgw_aio_queue_t *q, rgw_request_t *req, rgw_aio_cb cb, void *arg);
/* rgw_request_body_last() on the queue; data must stay valid until the
 * callback. */
int rgw_aio_request_body_last(rgw_aio_queue_t *q, rgw_request_t *req, const void *data, size_t len,
                              rgw_aio_cb cb, void *arg);
/* rgw_request_start_body() on the queue; data must stay valid until the
 * callback. */
int rgw_aio_request_start_body(rgw_aio_queue_t *q, rgw_request_t *req, const void *data, size_t len,
                               rgw_aio_cb cb, void *arg);
/* result = bytes read (0 at the end); at most INT_MAX bytes per call. */
int rgw_aio_response_read(rgw_aio_queue_t *q, rgw_request_t *req, void *buf, size_t len,
                          rgw_aio_cb cb, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* LIBRGW_LIBRGW_H */
