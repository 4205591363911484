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

#define LIBRGW_VERSION_MAJOR 0
#define LIBRGW_VERSION_MINOR 1
#define LIBRGW_VERSION_PATCH 0

/* ---------------------------------------------------------------- errors */

#define RGW_OK                     0
#define RGW_ERR_NO_SUCH_USER       (-1001) /* uid or Swift user unknown */
#define RGW_ERR_NO_SUCH_ACCESS_KEY (-1002) /* S3 access key unknown */
#define RGW_ERR_NO_SUCH_BUCKET     (-1003)
#define RGW_ERR_NO_SUCH_KEY        (-1004) /* object key not in the bucket */
#define RGW_ERR_USER_EXISTS        (-1005)
#define RGW_ERR_ACCESS_KEY_EXISTS  (-1006) /* access key taken (any user) */
#define RGW_ERR_BUCKET_EXISTS      (-1007) /* name taken (any owner) */
#define RGW_ERR_BUCKET_NOT_EMPTY   (-1008)
#define RGW_ERR_USER_HAS_BUCKETS   (-1009) /* remove the buckets first */
#define RGW_ERR_INVALID_BUCKET_NAME (-1010)
#define RGW_ERR_INVALID_KEY        (-1011) /* object key: empty, > 1024 bytes, not UTF-8, NUL */
#define RGW_ERR_INVALID_RANGE      (-1012) /* range starts past the end */
#define RGW_ERR_INVALID_URI        (-1013) /* store URI not understood */
#define RGW_ERR_INVALID_ARGUMENT   (-1014)
#define RGW_ERR_CONFLICT           (-1015) /* lost a race that could not be retried */
#define RGW_ERR_STORE              (-1016) /* store backend failed; see rgw_last_error() */
#define RGW_ERR_NO_SUCH_UPLOAD     (-1017) /* multipart upload id unknown (or completed/aborted) */
#define RGW_ERR_INVALID_PART       (-1018) /* a part to complete is missing or its ETag differs */

/* Short name of a code ("NoSuchBucket", "EIO", ...); never NULL. */
const char *rgw_strerror(int code);

/* Detailed message of the last failed call on this thread ("" if none). */
const char *rgw_last_error(void);

/* Library version as "major.minor.patch". */
const char *rgw_version(void);

/* ----------------------------------------------------------------- store */

typedef struct rgw_store rgw_store_t;

/*
 * Opens a store.  Store URIs (docs/store-uri.md):
 *   local:/var/lib/librgw        the embedded local driver (SQLite + files);
 *   local:///var/lib/librgw      the same;  a bare absolute path also works;
 *   rados:PREFIX?conf=/etc/ceph/ceph.conf&client=admin&timeout=30
 *                                Ceph RADOS, pools PREFIX.meta, PREFIX.index,
 *                                PREFIX.data (created when missing).
 */
int rgw_store_open(const char *uri, rgw_store_t **out);

/* Closes the store; every handle obtained from it must be released first. */
void rgw_store_close(rgw_store_t *store);

/* ----------------------------------------------------------------- users */

/* Creates a user with one S3 key pair (both may be NULL for none). */
int rgw_user_create(rgw_store_t *store, const char *uid, const char *display_name,
                    const char *access_key, const char *secret_key);

/* Removes a user; RGW_ERR_USER_HAS_BUCKETS while it owns buckets. */
int rgw_user_remove(rgw_store_t *store, const char *uid);

int rgw_user_key_add(rgw_store_t *store, const char *uid, const char *access_key,
                     const char *secret_key);
int rgw_user_key_remove(rgw_store_t *store, const char *uid, const char *access_key);

/*
 * Looks up an access key: copies the owner's uid and the secret (NUL
 * terminated) into the caller's buffers.  -ERANGE if a buffer is too small.
 */
int rgw_user_lookup_key(rgw_store_t *store, const char *access_key, char *uid,
                        size_t uid_size, char *secret, size_t secret_size);

/* --------------------------------------------------------------- buckets */

/* acl: "private" or "public-read" (NULL = private). */
int rgw_bucket_create(rgw_store_t *store, const char *name, const char *owner_uid,
                      const char *acl);

/* Removes an empty bucket; RGW_ERR_BUCKET_NOT_EMPTY otherwise. */
int rgw_bucket_remove(rgw_store_t *store, const char *name);

/* 0 if the bucket exists (owner copied into owner_uid when non-NULL). */
int rgw_bucket_stat(rgw_store_t *store, const char *name, char *owner_uid, size_t owner_size,
                    uint64_t *num_objects, uint64_t *size_bytes);

/*
 * Lists bucket names (all owners when owner_uid is NULL), sorted.  On success
 * *names is a NULL-terminated array to release with rgw_free_strings().
 */
int rgw_bucket_list(rgw_store_t *store, const char *owner_uid, char ***names);
void rgw_free_strings(char **strings);

/* ----------------------------------------------------- object attributes */

/* Attributes: lower-case header names ("content-type", "x-amz-meta-foo"). */
typedef struct rgw_attrs rgw_attrs_t;

rgw_attrs_t *rgw_attrs_new(void);
/* Sets (or replaces) one attribute; the name is lower-cased. */
int rgw_attrs_set(rgw_attrs_t *attrs, const char *name, const char *value);
void rgw_attrs_free(rgw_attrs_t *attrs);

/* ---------------------------------------------------------- object info */

/* What is known of one object version.  Released with rgw_object_free(). */
typedef struct rgw_object rgw_object_t;

const char *rgw_object_key(const rgw_object_t *obj);
const char *rgw_object_version_id(const rgw_object_t *obj);  /* "null" if unversioned */
uint64_t rgw_object_size(const rgw_object_t *obj);
const char *rgw_object_etag(const rgw_object_t *obj);        /* hex, unquoted */
int64_t rgw_object_mtime_ns(const rgw_object_t *obj);
int64_t rgw_object_delete_at(const rgw_object_t *obj);       /* epoch s, 0 = never */
/* Value of one attribute, or NULL. */
const char *rgw_object_attr(const rgw_object_t *obj, const char *name);
size_t rgw_object_attr_count(const rgw_object_t *obj);
/* The i-th attribute in name order; -ERANGE past the end. */
int rgw_object_attr_at(const rgw_object_t *obj, size_t i, const char **name, const char **value);
void rgw_object_free(rgw_object_t *obj);

/* --------------------------------------------------------------- objects */

typedef struct rgw_writer rgw_writer_t;
typedef struct rgw_reader rgw_reader_t;

/*
 * Writing: open, write any number of chunks (memory stays bounded whatever
 * the size), then commit or abort.  Nothing is visible before commit; commit
 * replaces an existing object atomically.  rgw_writer_free() on a writer that
 * was not committed aborts it.
 */
int rgw_writer_open(rgw_store_t *store, const char *bucket, const char *key, rgw_writer_t **out);
int rgw_writer_write(rgw_writer_t *w, const void *data, size_t len);
/* attrs may be NULL; delete_at is epoch seconds or 0.  *info (if non-NULL)
 * receives the stored object's info, to release with rgw_object_free(). */
int rgw_writer_commit(rgw_writer_t *w, const rgw_attrs_t *attrs, int64_t delete_at,
                      rgw_object_t **info);
void rgw_writer_free(rgw_writer_t *w);

/*
 * Reading: open a byte range (length < 0: to the end) and read it in chunks.
 * The object is pinned at open: a concurrent overwrite does not tear it.
 * RGW_ERR_INVALID_RANGE if offset > size.
 */
int rgw_reader_open(rgw_store_t *store, const char *bucket, const char *key, uint64_t offset,
                    int64_t length, rgw_reader_t **out);
/* The object being read (owned by the reader). */
const rgw_object_t *rgw_reader_object(const rgw_reader_t *r);
/* Reads up to len bytes; returns the count, 0 at the end of the range. */
int64_t rgw_reader_read(rgw_reader_t *r, void *buf, size_t len);
void rgw_reader_free(rgw_reader_t *r);

int rgw_object_stat(rgw_store_t *store, const char *bucket, const char *key, rgw_object_t **out);
/* Idempotent: removing a missing key returns 0. */
int rgw_object_remove(rgw_store_t *store, const char *bucket, const char *key);
/* Copies an object; attrs NULL keeps the source's attributes. */
int rgw_object_copy(rgw_store_t *store, const char *src_bucket, const char *src_key,
                    const char *dst_bucket, const char *dst_key, const rgw_attrs_t *attrs,
                    rgw_object_t **info);

/* --------------------------------------------------------------- listing */

typedef struct rgw_listing rgw_listing_t;

/*
 * Lists keys after marker (NULL/"" = from the start) that start with prefix,
 * rolling keys that contain delimiter after the prefix into common prefixes.
 * max_keys counts objects and prefixes together (at most 1000).
 */
int rgw_object_list(rgw_store_t *store, const char *bucket, const char *prefix,
                    const char *delimiter, const char *marker, unsigned max_keys,
                    rgw_listing_t **out);
size_t rgw_listing_count(const rgw_listing_t *l);
const rgw_object_t *rgw_listing_object(const rgw_listing_t *l, size_t i);
size_t rgw_listing_prefix_count(const rgw_listing_t *l);
const char *rgw_listing_prefix(const rgw_listing_t *l, size_t i);
int rgw_listing_truncated(const rgw_listing_t *l);
const char *rgw_listing_next_marker(const rgw_listing_t *l);
void rgw_listing_free(rgw_listing_t *l);

/* -------------------------------------------------- garbage collection */

/*
 * Runs one explicit garbage-collection pass (nothing runs in the background):
 * reclaims data of overwritten/deleted objects and of writers that died,
 * leaving anything younger than grace_seconds alone.
 */
int rgw_gc_run(rgw_store_t *store, int64_t grace_seconds, uint64_t *removed_objects,
               uint64_t *removed_bytes);

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
int rgw_aio_reader_open(rgw_aio_queue_t *q, const char *bucket, const char *key,
                        uint64_t offset, int64_t length, rgw_reader_t **out, rgw_aio_cb cb,
                        void *arg);
/* result = bytes read (0 at the end); at most INT_MAX bytes per call. */
int rgw_aio_read(rgw_aio_queue_t *q, rgw_reader_t *r, void *buf, size_t len, rgw_aio_cb cb,
                 void *arg);
int rgw_aio_writer_open(rgw_aio_queue_t *q, const char *bucket, const char *key,
                        rgw_writer_t **out, rgw_aio_cb cb, void *arg);
int rgw_aio_write(rgw_aio_queue_t *q, rgw_writer_t *w, const void *data, size_t len,
                  rgw_aio_cb cb, void *arg);
int rgw_aio_commit(rgw_aio_queue_t *q, rgw_writer_t *w, const rgw_attrs_t *attrs,
                   int64_t delete_at, rgw_object_t **info, rgw_aio_cb cb, void *arg);
int rgw_aio_remove(rgw_aio_queue_t *q, const char *bucket, const char *key, rgw_aio_cb cb,
                   void *arg);

#ifdef __cplusplus
}
#endif

#endif /* LIBRGW_LIBRGW_H */
