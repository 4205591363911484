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
#define RGW_OPT_GATEWAY  0x1u /* the core's gateway: two configs that differ in
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
int rgw_config_option(size_t i, const char **name, const char **type,
                      const char **default_value, unsigned *flags, const char **doc);

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

int rgw_request_create(rgw_gateway_t *gw, const char *method, const char *uri,
                       rgw_request_t **out);
/* Past 100 headers or 64 KiB of header text the request is answered with
 * 400 RequestHeaderSectionTooLarge by rgw_request_start(). */
int rgw_request_add_header(rgw_request_t *req, const char *name, size_t name_len,
                           const char *value, size_t value_len);
int rgw_request_start(rgw_request_t *req);
int rgw_request_body(rgw_request_t *req, const void *data, size_t len);
int rgw_request_body_end(rgw_request_t *req);

/* The response, once start/body/body_end returned RGW_REQUEST_DONE. */
int rgw_response_status(const rgw_request_t *req);
const char *rgw_response_reason(const rgw_request_t *req);   /* "OK", "Not Found" */
size_t rgw_response_header_count(const rgw_request_t *req);
/* The i-th header (Content-Length excluded); -ERANGE past the end. */
int rgw_response_header(const rgw_request_t *req, size_t i, const char **name,
                        const char **value);
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
size_t rgw_response_readahead(const rgw_request_t *req, const void **data);
void rgw_request_free(rgw_request_t *req);

/*
 * Signs a URL for S3 (SigV4 presigned query, payload unsigned): method, host
 * ("host[:port]" as the client will send it), path (percent-encoded as sent,
 * "/bucket/key"), the key pair, region, the signing time (epoch seconds) and
 * the validity (1..604800 s).  Writes the query string (without '?') into
 * out; -ERANGE if out_size is too small, -EINVAL for a bad expiry.
 */
int rgw_s3_presign(const char *method, const char *host, const char *path,
                   const char *access_key, const char *secret_key, const char *region,
                   int64_t now, int64_t expires, char *out, size_t out_size);

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
 * outlive it.  threads = 0 takes the store driver's default: 2 for a local
 * store (its metadata is serialized on one SQLite connection per process, so
 * more threads only cost wake-ups), 8 for RADOS (a call waits on the
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

/* Requests, asynchronously: the same steps run on the queue's I/O threads
 * (the queue may come from any store; rgw_gateway_store() gives the
 * gateway's).  result is what the synchronous call returns. */
int rgw_aio_request_start(rgw_aio_queue_t *q, rgw_request_t *req, rgw_aio_cb cb, void *arg);
int rgw_aio_request_body(rgw_aio_queue_t *q, rgw_request_t *req, const void *data, size_t len,
                         rgw_aio_cb cb, void *arg);
int rgw_aio_request_body_end(rgw_aio_queue_t *q, rgw_request_t *req, rgw_aio_cb cb, void *arg);
/* result = bytes read (0 at the end); at most INT_MAX bytes per call. */
int rgw_aio_response_read(rgw_aio_queue_t *q, rgw_request_t *req, void *buf, size_t len,
                          rgw_aio_cb cb, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* LIBRGW_LIBRGW_H */
