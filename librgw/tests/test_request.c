/*
 * test_request.c - the request API of the C ABI (what the web-server modules
 * use): configuration, a gateway, requests served synchronously and through
 * the asynchronous queue, signed with the core's own presigner.
 *
 * Usage: test_request [STORE_URI]   (default: a fresh local store)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librgw/librgw.h>

#include "check.h"

#define HOST "127.0.0.1:8080"

static char bucket[64], uid[64], ak[64], sk[64];
static rgw_gateway_t *gw;

struct response {
  int status;
  char body[65536];
  size_t len;
  int64_t length;
  char etag[80];
  char request_id[80];
};

static const char *header(rgw_request_t *req, const char *name) {
  const char *n, *v;
  for (size_t i = 0; rgw_response_header(req, i, &n, &v) == 0; ++i)
    if (strcasecmp(n, name) == 0) return v;
  return NULL;
}

static void collect(rgw_request_t *req, struct response *out) {
  out->status = rgw_response_status(req);
  out->length = rgw_response_length(req);
  const char *etag = header(req, "ETag");
  snprintf(out->etag, sizeof out->etag, "%s", etag ? etag : "");
  const char *id = header(req, "x-amz-request-id");
  snprintf(out->request_id, sizeof out->request_id, "%s", id ? id : "");
  CHECK(strcmp(out->request_id, rgw_request_id(req)) == 0);
  out->len = 0;
  for (;;) {
    int64_t n = rgw_response_read(req, out->body + out->len, 1000); /* small reads on purpose */
    CHECK(n >= 0);
    if (n <= 0) break;
    out->len += (size_t)n;
    if (out->len + 1000 > sizeof out->body) break;
  }
  out->body[out->len] = 0;
}

/* Serves one request synchronously; body (may be NULL) is fed in chunks. */
static void serve(const char *method, const char *target, const char *host, const char *body,
                  size_t chunk, struct response *out) {
  rgw_request_t *req = NULL;
  CHECK_RC(rgw_request_create(gw, method, target, &req), 0);
  if (!req) return;
  CHECK_RC(rgw_request_add_header(req, "Host", 4, host, strlen(host)), 0);
  if (body) {
    char len[32];
    snprintf(len, sizeof len, "%zu", strlen(body));
    CHECK_RC(rgw_request_add_header(req, "content-length", 14, len, strlen(len)), 0);
  }
  int rc = rgw_request_start(req);
  CHECK(rc == RGW_REQUEST_WANTS_BODY || rc == RGW_REQUEST_DONE);
  if (rc == RGW_REQUEST_WANTS_BODY) {
    size_t total = body ? strlen(body) : 0;
    for (size_t off = 0; off < total && rc == RGW_REQUEST_WANTS_BODY; off += chunk) {
      size_t n = total - off < chunk ? total - off : chunk;
      rc = rgw_request_body(req, body + off, n);
    }
    if (rc == RGW_REQUEST_WANTS_BODY) CHECK_RC(rgw_request_body_end(req), RGW_REQUEST_DONE);
  }
  collect(req, out);
  rgw_request_free(req);
}

static void presigned(const char *method, const char *key, char *target, size_t size) {
  char path[256], q[2048];
  snprintf(path, sizeof path, "/%s/%s", bucket, key);
  CHECK_RC(
      rgw_s3_presign(method, HOST, path, ak, sk, "us-east-1", (int64_t)time(NULL), 60, q, sizeof q),
      0);
  snprintf(target, size, "%s?%s", path, q);
}

/* A PUT request to target (signed by presigned()) with Host and the given
 * Content-Length, not started; NULL (and a failed check) if not made. */
static rgw_request_t *put_request(const char *target, const char *content_length) {
  rgw_request_t *req = NULL;
  CHECK_RC(rgw_request_create(gw, "PUT", target, &req), 0);
  if (!req) return NULL;
  CHECK_RC(rgw_request_add_header(req, "host", 4, HOST, strlen(HOST)), 0);
  CHECK_RC(
      rgw_request_add_header(req, "content-length", 14, content_length, strlen(content_length)), 0);
  return req;
}

/* Makes an object readable by anyone: a public-read bucket only lists its
 * keys, as in S3; anonymous reads need the object's own grant. */
static void make_public(const char *key) {
  rgw_acl_t *acl = NULL;
  rgw_write_opts_t *opts = NULL;
  CHECK_RC(rgw_acl_new_canned("public-read", uid, uid, &acl), 0);
  CHECK_RC(rgw_write_opts_new(&opts), 0);
  CHECK_RC(rgw_write_opts_set_acl(opts, acl), 0);
  CHECK_RC(rgw_object_update(rgw_gateway_store(gw), bucket, key, opts, NULL), 0);
  rgw_write_opts_free(opts);
  rgw_acl_free(acl);
}

static void test_config_errors(void) {
  rgw_config_t *cfg = NULL;
  CHECK_RC(rgw_config_create(&cfg), 0);
  CHECK_RC(rgw_config_set(cfg, "bogus", "x"), RGW_ERR_INVALID_ARGUMENT);
  CHECK(strstr(rgw_last_error(), "bogus") != NULL);
  CHECK_RC(rgw_config_set(cfg, "max_object_size", "12q"), RGW_ERR_INVALID_ARGUMENT);
  CHECK_RC(rgw_config_set(cfg, "domains", "ok.example, bad_domain!"), RGW_ERR_INVALID_ARGUMENT);
  rgw_gateway_t *g = NULL;
  CHECK_RC(rgw_gateway_open(cfg, &g), RGW_ERR_INVALID_ARGUMENT); /* no store */
  rgw_config_free(cfg);
  char q[16];
  CHECK_RC(rgw_s3_presign("GET", HOST, "/b/k", "a", "s", NULL, 0, 60, q, sizeof q), -ERANGE);
  CHECK_RC(rgw_s3_presign("GET", HOST, "/b/k", "a", "s", NULL, 0, 604801, q, sizeof q), -EINVAL);
}

/* A PUT of "12345" in one rgw_request_body_last() call that declares
 * another Content-Length: refused with 400, and nothing stored. */
static void put_last_refused(const char *key, const char *content_length) {
  char target[2400];
  rgw_request_t *req = NULL;
  presigned("PUT", key, target, sizeof target);
  req = put_request(target, content_length);
  CHECK_RC(rgw_request_start(req), RGW_REQUEST_WANTS_BODY);
  CHECK_RC(rgw_request_body_last(req, "12345", 5), RGW_REQUEST_DONE);
  CHECK(rgw_response_status(req) == 400);
  rgw_request_free(req);
  struct response r;
  presigned("HEAD", key, target, sizeof target);
  serve("HEAD", target, HOST, NULL, 0, &r);
  CHECK(r.status == 404);
}

static void test_sync(void) {
  struct response r;
  char target[2400];
  const char *body = "the quick brown fox jumps over the lazy dog";

  presigned("PUT", "fox", target, sizeof target);
  serve("PUT", target, HOST, body, 7, &r);
  CHECK(r.status == 200);
  CHECK(strcmp(r.etag, "\"77add1d5f41223d5582fca736a5cb335\"") == 0);

  make_public("fox");

  serve("GET", "/", HOST, NULL, 0, &r); /* anonymous service listing: empty, as radosgw's */
  CHECK(r.status == 200 && strstr(r.body, "<Owner><ID>anonymous</ID><DisplayName></DisplayName>") &&
        strstr(r.body, "<Buckets></Buckets>"));

  char path[128];
  snprintf(path, sizeof path, "/%s/fox", bucket);
  serve("GET", path, HOST, NULL, 0, &r); /* anonymous read of a public-read object */
  CHECK(r.status == 200 && r.len == strlen(body) && memcmp(r.body, body, r.len) == 0);
  CHECK(r.length == (int64_t)strlen(body));

  rgw_request_t *req = NULL;
  CHECK_RC(rgw_request_create(gw, "GET", path, &req), 0);
  CHECK_RC(rgw_request_add_header(req, "Range", 5, "bytes=4-8", 9), 0);
  CHECK_RC(rgw_request_start(req), RGW_REQUEST_DONE);
  collect(req, &r);
  rgw_request_free(req);
  CHECK(r.status == 206 && r.len == 5 && memcmp(r.body, "quick", 5) == 0);

  serve("HEAD", path, HOST, NULL, 0, &r);
  CHECK(r.status == 200 && r.len == 0 && r.length == (int64_t)strlen(body));

  snprintf(path, sizeof path, "/%s/missing", bucket);
  serve("GET", path, HOST, NULL, 0, &r);
  CHECK(r.status == 404 && strstr(r.body, "<Code>NoSuchKey</Code>"));
  CHECK(strstr(r.body, r.request_id) != NULL);
  CHECK(r.length == (int64_t)r.len);

  /* Anonymous PUT: refused at start(), before any body byte. */
  snprintf(path, sizeof path, "/%s/anon", bucket);
  CHECK_RC(rgw_request_create(gw, "PUT", path, &req), 0);
  CHECK_RC(rgw_request_add_header(req, "content-length", 14, "3", 1), 0);
  CHECK_RC(rgw_request_start(req), RGW_REQUEST_DONE);
  CHECK(rgw_response_status(req) == 403);
  rgw_request_free(req);

  /* A tampered signature is refused before the body too. */
  presigned("PUT", "tampered", target, sizeof target);
  char *sig = strstr(target, "X-Amz-Signature=");
  CHECK(sig != NULL);
  if (sig) sig[16] = sig[16] == 'a' ? 'b' : 'a';
  req = put_request(target, "3");
  CHECK_RC(rgw_request_start(req), RGW_REQUEST_DONE);
  CHECK(rgw_response_status(req) == 403);
  rgw_request_free(req);

  /* A request freed mid-body (client gone) stores nothing. */
  presigned("PUT", "abandoned", target, sizeof target);
  req = put_request(target, "10");
  CHECK_RC(rgw_request_start(req), RGW_REQUEST_WANTS_BODY);
  CHECK_RC(rgw_request_body(req, "12345", 5), RGW_REQUEST_WANTS_BODY);
  CHECK(rgw_response_status(req) < 0); /* no response yet */
  rgw_request_free(req);
  snprintf(path, sizeof path, "/%s/abandoned", bucket);
  serve("HEAD", path, HOST, NULL, 0, &r);
  CHECK(r.status == 404);

  /* A body shorter than its Content-Length is not stored either. */
  req = put_request(target, "10");
  CHECK_RC(rgw_request_start(req), RGW_REQUEST_WANTS_BODY);
  CHECK_RC(rgw_request_body(req, "12345", 5), RGW_REQUEST_WANTS_BODY);
  CHECK_RC(rgw_request_body_end(req), RGW_REQUEST_DONE);
  CHECK(rgw_response_status(req) == 400);
  rgw_request_free(req);
  serve("HEAD", path, HOST, NULL, 0, &r);
  CHECK(r.status == 404);

  /* The last piece and the end in one call: stored whole. */
  presigned("PUT", "last", target, sizeof target);
  CHECK_RC(rgw_request_create(gw, "PUT", target, &req), 0);
  CHECK_RC(rgw_request_add_header(req, "host", 4, HOST, strlen(HOST)), 0);
  char clen[32];
  snprintf(clen, sizeof clen, "%zu", strlen(body));
  CHECK_RC(rgw_request_add_header(req, "content-length", 14, clen, strlen(clen)), 0);
  CHECK_RC(rgw_request_start(req), RGW_REQUEST_WANTS_BODY);
  CHECK_RC(rgw_request_body(req, body, 9), RGW_REQUEST_WANTS_BODY);
  CHECK_RC(rgw_request_body_last(req, body + 9, strlen(body) - 9), RGW_REQUEST_DONE);
  CHECK(rgw_response_status(req) == 200);
  const char *etag = header(req, "ETag");
  CHECK(etag && strcmp(etag, "\"77add1d5f41223d5582fca736a5cb335\"") == 0);
  rgw_request_free(req);
  presigned("GET", "last", target, sizeof target);
  serve("GET", target, HOST, NULL, 0, &r);
  CHECK(r.status == 200 && r.len == strlen(body) && memcmp(r.body, body, r.len) == 0);

  /* The whole body in one last call, short of its Content-Length: refused
   * at the end; more bytes than it: refused by the body step, so the end
   * never runs.  Nothing stored either way. */
  put_last_refused("last-short", "10");
  put_last_refused("last-long", "3");

  /* Virtual-hosted style. */
  char vhost[128];
  snprintf(vhost, sizeof vhost, "%s.s3.test:8080", bucket);
  serve("GET", "/fox", vhost, NULL, 0, &r);
  CHECK(r.status == 200 && r.len == strlen(body));

  /* Misuse is an error code, not a crash. */
  CHECK_RC(rgw_request_create(gw, "GET", path, &req), 0);
  CHECK(rgw_response_read(req, r.body, 10) < 0);
  CHECK_RC(rgw_request_body(req, "x", 1), RGW_ERR_INVALID_ARGUMENT); /* before start() */
  CHECK_RC(rgw_request_body_end(req), RGW_ERR_INVALID_ARGUMENT);
  CHECK_RC(rgw_request_body_last(req, "x", 1), RGW_ERR_INVALID_ARGUMENT);
  CHECK_RC(rgw_request_body_last(req, NULL, 1), -EINVAL);
  rgw_request_free(req);
}

struct pending {
  int done;
  int result;
};

static void on_done(int result, void *arg) {
  struct pending *p = arg;
  p->done = 1;
  p->result = result;
}

static int wait_for(rgw_aio_queue_t *q, struct pending *p) {
  struct pollfd pfd = {.fd = rgw_aio_queue_fd(q), .events = POLLIN};
  while (!p->done) {
    if (poll(&pfd, 1, 10000) <= 0) return -ETIMEDOUT;
    rgw_aio_queue_run(q);
  }
  return p->result;
}

static void test_aio(void) {
  rgw_aio_queue_t *q = NULL;
  CHECK_RC(rgw_aio_queue_create(rgw_gateway_store(gw), 2, &q), 0);
  if (!q) return;
  char target[2400];
  presigned("PUT", "aio", target, sizeof target);
  rgw_request_t *req = NULL;
  req = put_request(target, "65536");
  struct pending p = {0, 0};
  CHECK_RC(rgw_aio_request_start(q, req, on_done, &p), 0);
  CHECK_RC(wait_for(q, &p), RGW_REQUEST_WANTS_BODY);
  static char chunk[16384];
  for (int i = 0; i < 4; ++i) {
    memset(chunk, 'a' + i, sizeof chunk);
    p.done = 0;
    CHECK_RC(rgw_aio_request_body(q, req, chunk, sizeof chunk, on_done, &p), 0);
    CHECK_RC(wait_for(q, &p), RGW_REQUEST_WANTS_BODY);
  }
  p.done = 0;
  CHECK_RC(rgw_aio_request_body_end(q, req, on_done, &p), 0);
  CHECK_RC(wait_for(q, &p), RGW_REQUEST_DONE);
  CHECK(rgw_response_status(req) == 200);
  rgw_request_free(req);

  make_public("aio");

  char path[128];
  snprintf(path, sizeof path, "/%s/aio", bucket);
  CHECK_RC(rgw_request_create(gw, "GET", path, &req), 0);
  p.done = 0;
  CHECK_RC(rgw_aio_request_start(q, req, on_done, &p), 0);
  CHECK_RC(wait_for(q, &p), RGW_REQUEST_DONE);
  CHECK(rgw_response_status(req) == 200 && rgw_response_length(req) == 65536);
  static char buf[8192];
  size_t total = 0;
  int ok = 1;
  for (;;) {
    p.done = 0;
    CHECK_RC(rgw_aio_response_read(q, req, buf, sizeof buf, on_done, &p), 0);
    int n = wait_for(q, &p);
    if (n <= 0) {
      CHECK(n == 0);
      break;
    }
    for (int i = 0; i < n; ++i) ok &= buf[i] == 'a' + (int)((total + (size_t)i) / 16384);
    total += (size_t)n;
  }
  CHECK(total == 65536 && ok);
  rgw_request_free(req);

  /* Read-ahead: the first 20000 bytes come back with the response; reads
   * continue after them.  A HEAD reads nothing ahead. */
  CHECK_RC(rgw_request_create(gw, "GET", path, &req), 0);
  CHECK_RC(rgw_request_set_readahead(req, 20000), 0);
  const void *ahead = NULL;
  CHECK(rgw_response_readahead(req, &ahead) == 0 && ahead == NULL);
  p.done = 0;
  CHECK_RC(rgw_aio_request_start(q, req, on_done, &p), 0);
  CHECK_RC(wait_for(q, &p), RGW_REQUEST_DONE);
  CHECK(rgw_response_readahead(req, &ahead) == 20000 && ahead != NULL);
  ok = 1;
  for (size_t i = 0; ahead && i < 20000; ++i)
    ok &= ((const char *)ahead)[i] == 'a' + (int)(i / 16384);
  total = 20000;
  for (;;) {
    int64_t n = rgw_response_read(req, buf, sizeof buf);
    if (n <= 0) {
      CHECK(n == 0);
      break;
    }
    for (int64_t i = 0; i < n; ++i) ok &= buf[i] == 'a' + (int)((total + (size_t)i) / 16384);
    total += (size_t)n;
  }
  CHECK(total == 65536 && ok);
  rgw_request_free(req);

  CHECK_RC(rgw_request_create(gw, "HEAD", path, &req), 0);
  CHECK_RC(rgw_request_set_readahead(req, 20000), 0);
  CHECK_RC(rgw_request_start(req), RGW_REQUEST_DONE);
  CHECK(rgw_response_status(req) == 200 && rgw_response_length(req) == 65536);
  CHECK(rgw_response_readahead(req, &ahead) == 0);
  rgw_request_free(req);

  /* The body's last piece and its end in one trip. */
  presigned("PUT", "aio-last", target, sizeof target);
  req = put_request(target, "16384");
  p.done = 0;
  CHECK_RC(rgw_aio_request_start(q, req, on_done, &p), 0);
  CHECK_RC(wait_for(q, &p), RGW_REQUEST_WANTS_BODY);
  memset(chunk, 'z', sizeof chunk);
  p.done = 0;
  CHECK_RC(rgw_aio_request_body_last(q, req, chunk, sizeof chunk, on_done, &p), 0);
  CHECK_RC(wait_for(q, &p), RGW_REQUEST_DONE);
  CHECK(rgw_response_status(req) == 200);
  rgw_request_free(req);
  static struct response got;
  presigned("GET", "aio-last", target, sizeof target);
  serve("GET", target, HOST, NULL, 0, &got);
  CHECK(got.status == 200 && got.len == sizeof chunk && memcmp(got.body, chunk, got.len) == 0);

  /* The start and the whole body in one trip; a refusal at the start
   * leaves the body alone (the anonymous PUT stores nothing). */
  presigned("PUT", "aio-whole", target, sizeof target);
  req = put_request(target, "16384");
  memset(chunk, 'w', sizeof chunk);
  p.done = 0;
  CHECK_RC(rgw_aio_request_start_body(q, req, chunk, sizeof chunk, on_done, &p), 0);
  CHECK_RC(wait_for(q, &p), RGW_REQUEST_DONE);
  CHECK(rgw_response_status(req) == 200);
  rgw_request_free(req);
  presigned("GET", "aio-whole", target, sizeof target);
  serve("GET", target, HOST, NULL, 0, &got);
  CHECK(got.status == 200 && got.len == sizeof chunk && memcmp(got.body, chunk, got.len) == 0);
  char anon[128];
  snprintf(anon, sizeof anon, "/%s/aio-whole-anon", bucket);
  CHECK_RC(rgw_request_create(gw, "PUT", anon, &req), 0);
  CHECK_RC(rgw_request_add_header(req, "content-length", 14, "3", 1), 0);
  CHECK_RC(rgw_request_start_body(req, "abc", 3), RGW_REQUEST_DONE);
  CHECK(rgw_response_status(req) == 403);
  rgw_request_free(req);
  presigned("HEAD", "aio-whole-anon", target, sizeof target);
  serve("HEAD", target, HOST, NULL, 0, &got);
  CHECK(got.status == 404);
  /* A short body is refused, and nothing is stored. */
  presigned("PUT", "aio-short", target, sizeof target);
  req = put_request(target, "16384");
  CHECK_RC(rgw_request_start_body(req, chunk, 100), RGW_REQUEST_DONE);
  CHECK(rgw_response_status(req) == 400);
  rgw_request_free(req);
  presigned("HEAD", "aio-short", target, sizeof target);
  serve("HEAD", target, HOST, NULL, 0, &got);
  CHECK(got.status == 404);
  CHECK_RC(rgw_request_create(gw, "PUT", anon, &req), 0);
  CHECK_RC(rgw_request_start_body(req, NULL, 3), -EINVAL);
  CHECK_RC(rgw_request_start_body(NULL, "abc", 3), -EINVAL);
  rgw_request_free(req);
  rgw_aio_queue_destroy(q);
}

/* A GET started on the caller's thread without waiting, and a body handed
 * over as an open file: on a local store a plain object's GET starts right
 * away and its body (of more than 16 KiB: not inline) is a range of one file; a listing (which
 * needs the store's write lock) or a PUT would wait, and is then started as usual. On RADOS every
 * try gives -EWOULDBLOCK. */
static void test_try_start_and_files(int local) {
  char target[2300], body[20001];
  for (int i = 0; i < 20000; ++i) body[i] = (char)('A' + i % 26);
  body[20000] = 0;
  struct response r;
  presigned("PUT", "filed", target, sizeof target);
  serve("PUT", target, HOST, body, 20000, &r);
  CHECK(r.status == 200);

  rgw_request_t *req = NULL;
  int fd = -1;
  int64_t offset = -1;
  char buf[20000];

  /* GET: started here, the body (larger than the read-ahead) a file
   * range; nothing read ahead */
  presigned("GET", "filed", target, sizeof target);
  CHECK_RC(rgw_request_create(gw, "GET", target, &req), 0);
  CHECK_RC(rgw_request_add_header(req, "Host", 4, HOST, strlen(HOST)), 0);
  CHECK_RC(rgw_request_set_readahead(req, 19999), 0);
  CHECK_RC(rgw_request_allow_file(req, 1), 0);
  int rc = rgw_request_try_start(req);
  if (local) {
    CHECK_RC(rc, RGW_REQUEST_DONE);
  } else {
    CHECK_RC(rc, -EWOULDBLOCK);
    CHECK_RC(rgw_request_start(req), RGW_REQUEST_DONE);
  }
  CHECK(rgw_response_status(req) == 200 && rgw_response_length(req) == 20000);
  if (local) {
    CHECK_RC(rgw_response_file(req, &fd, &offset), 0);
    CHECK(fd >= 0 && offset == 0);
    CHECK(rgw_response_readahead(req, NULL) == 0);
    CHECK(pread(fd, buf, sizeof buf, (off_t)offset) == 20000 && memcmp(buf, body, 20000) == 0);
  } else {
    CHECK_RC(rgw_response_file(req, &fd, &offset), -ENOENT);
  }
  rgw_request_free(req);

  /* a body that fits the read-ahead is read ahead, not handed over */
  CHECK_RC(rgw_request_create(gw, "GET", target, &req), 0);
  CHECK_RC(rgw_request_add_header(req, "Host", 4, HOST, strlen(HOST)), 0);
  CHECK_RC(rgw_request_set_readahead(req, 20000), 0);
  CHECK_RC(rgw_request_allow_file(req, 1), 0);
  if (rgw_request_try_start(req) == -EWOULDBLOCK) CHECK_RC(rgw_request_start(req), 0);
  CHECK_RC(rgw_response_file(req, &fd, &offset), -ENOENT);
  const void *ahead = NULL;
  CHECK(rgw_response_readahead(req, &ahead) == 20000 && memcmp(ahead, body, 20000) == 0);
  rgw_request_free(req);

  /* a range: the file from the range's first byte */
  CHECK_RC(rgw_request_create(gw, "GET", target, &req), 0);
  CHECK_RC(rgw_request_add_header(req, "Host", 4, HOST, strlen(HOST)), 0);
  CHECK_RC(rgw_request_add_header(req, "Range", 5, "bytes=100-199", 13), 0);
  CHECK_RC(rgw_request_allow_file(req, 1), 0);
  if (rgw_request_try_start(req) == -EWOULDBLOCK) CHECK_RC(rgw_request_start(req), 0);
  CHECK(rgw_response_status(req) == 206 && rgw_response_length(req) == 100);
  if (local) {
    CHECK_RC(rgw_response_file(req, &fd, &offset), 0);
    CHECK(offset == 100 && pread(fd, buf, 100, (off_t)offset) == 100 &&
          memcmp(buf, body + 100, 100) == 0);
  }
  rgw_request_free(req);

  /* without rgw_request_allow_file the body is read, never a file */
  CHECK_RC(rgw_request_create(gw, "GET", target, &req), 0);
  CHECK_RC(rgw_request_add_header(req, "Host", 4, HOST, strlen(HOST)), 0);
  CHECK_RC(rgw_request_start(req), RGW_REQUEST_DONE);
  CHECK_RC(rgw_response_file(req, &fd, &offset), -ENOENT);
  CHECK(rgw_response_read(req, buf, sizeof buf) == 20000 && memcmp(buf, body, 20000) == 0);
  rgw_request_free(req);

  /* a missing key: answered here too, with its 404 */
  presigned("GET", "not-there", target, sizeof target);
  CHECK_RC(rgw_request_create(gw, "GET", target, &req), 0);
  CHECK_RC(rgw_request_add_header(req, "Host", 4, HOST, strlen(HOST)), 0);
  if (local)
    CHECK_RC(rgw_request_try_start(req), RGW_REQUEST_DONE);
  else
    CHECK_RC(rgw_request_start(req), RGW_REQUEST_DONE);
  CHECK(rgw_response_status(req) == 404);
  CHECK_RC(rgw_response_file(req, &fd, &offset), -ENOENT);
  rgw_request_free(req);

  /* a listing would wait for the write lock: -EWOULDBLOCK, then the same
   * request, started again, is answered in full */
  char path[128];
  snprintf(path, sizeof path, "/%s", bucket);
  CHECK_RC(rgw_request_create(gw, "GET", path, &req), 0);
  CHECK_RC(rgw_request_add_header(req, "Host", 4, HOST, strlen(HOST)), 0);
  CHECK_RC(rgw_request_try_start(req), -EWOULDBLOCK);
  CHECK_RC(rgw_request_start(req), RGW_REQUEST_DONE);
  collect(req, &r);
  CHECK(r.status == 200 && strstr(r.body, "<Key>filed</Key>") != NULL);
  rgw_request_free(req);

  /* a PUT is never tried */
  presigned("PUT", "filed2", target, sizeof target);
  CHECK_RC(rgw_request_create(gw, "PUT", target, &req), 0);
  CHECK_RC(rgw_request_add_header(req, "Host", 4, HOST, strlen(HOST)), 0);
  CHECK_RC(rgw_request_add_header(req, "content-length", 14, "1", 1), 0);
  CHECK_RC(rgw_request_try_start(req), -EWOULDBLOCK);
  CHECK_RC(rgw_request_start(req), RGW_REQUEST_WANTS_BODY);
  CHECK_RC(rgw_request_body(req, "x", 1), RGW_REQUEST_WANTS_BODY);
  CHECK_RC(rgw_request_body_end(req), RGW_REQUEST_DONE);
  CHECK(rgw_response_status(req) == 200);
  rgw_request_free(req);

  CHECK_RC(rgw_request_try_start(NULL), -EINVAL);
  CHECK_RC(rgw_request_allow_file(NULL, 1), -EINVAL);
  CHECK_RC(rgw_response_file(NULL, &fd, &offset), -EINVAL);
}

/* rgw_aio_request_try_start: a GET or HEAD started from the caller's thread
 * (the event loop) without an I/O thread.  On a local store it is done at
 * once; on RADOS the object's head is read asynchronously and the request
 * finishes in rgw_aio_queue_run() (-EINPROGRESS, then the callback, once),
 * with an inline body handed over from memory (rgw_request_allow_memory).
 * What needs anything else (a segmented body, a listing, a PUT, a cold
 * cache) goes to an I/O thread and gives the same answers. */
struct counted {
  int calls;
  int result;
};

static void on_counted(int result, void *arg) {
  struct counted *c = arg;
  c->calls++;
  c->result = result;
}

static int loop_start(rgw_aio_queue_t *q, rgw_request_t *req, int *went_async) {
  struct counted c = {0, 0};
  int rc = rgw_aio_request_try_start(q, req, on_counted, &c);
  *went_async = rc == -EINPROGRESS;
  if (rc != -EINPROGRESS) return rc;
  struct pollfd pfd = {.fd = rgw_aio_queue_fd(q), .events = POLLIN};
  while (c.calls == 0) {
    if (poll(&pfd, 1, 10000) <= 0) return -ETIMEDOUT;
    rgw_aio_queue_run(q);
  }
  CHECK(c.calls == 1);
  return c.result;
}

static rgw_request_t *loop_request(rgw_gateway_t *g, const char *method, const char *key,
                                   const char *range) {
  char target[2300];
  presigned(method, key, target, sizeof target);
  rgw_request_t *req = NULL;
  CHECK_RC(rgw_request_create(g, method, target, &req), 0);
  CHECK_RC(rgw_request_add_header(req, "Host", 4, HOST, strlen(HOST)), 0);
  if (range) CHECK_RC(rgw_request_add_header(req, "Range", 5, range, strlen(range)), 0);
  CHECK_RC(rgw_request_set_readahead(req, 1000), 0);
  CHECK_RC(rgw_request_allow_memory(req, 1), 0);
  return req;
}

static void test_loop_start(int local, const char *uri) {
  /* serve() sends a NUL-terminated body: one byte more, the NUL, each */
  static char small_z[5000 + 1], big_z[(5u << 20) + 1 + 1];
  for (size_t i = 0; i + 1 < sizeof small_z; ++i) small_z[i] = (char)('a' + i % 23);
  for (size_t i = 0; i + 1 < sizeof big_z; ++i) big_z[i] = (char)('0' + i % 10);
  const char *small = small_z, *big = big_z;
  const size_t big_size = sizeof big_z - 1;
  char target[2300];
  struct response r;
  presigned("PUT", "loop-small", target, sizeof target);
  serve("PUT", target, HOST, small, 65536, &r);
  CHECK(r.status == 200);
  presigned("PUT", "loop-big", target, sizeof target);
  serve("PUT", target, HOST, big, 65536, &r);
  CHECK(r.status == 200);

  rgw_aio_queue_t *q = NULL;
  CHECK_RC(rgw_aio_queue_create(rgw_gateway_store(gw), 2, &q), 0);
  if (!q) return;
  int async = 0;
  const void *data = NULL;

  /* a small GET: the whole body from memory (past the read-ahead's 1000
   * bytes): inline in the head on RADOS, in the database on a local store */
  rgw_request_t *req = loop_request(gw, "GET", "loop-small", NULL);
  CHECK_RC(loop_start(q, req, &async), RGW_REQUEST_DONE);
  CHECK(async == !local);
  CHECK(rgw_response_status(req) == 200 && rgw_response_length(req) == 5000);
  size_t n = rgw_response_readahead(req, &data);
  CHECK(n == 5000u && data && memcmp(data, small, n) == 0);
  CHECK(strcmp(header(req, "ETag") ? header(req, "ETag") : "", "") != 0);
  char rest[5000];
  int64_t got = rgw_response_read(req, rest, sizeof rest);
  CHECK(got == (int64_t)(5000 - n) && memcmp(rest, small + n, (size_t)got) == 0);
  rgw_request_free(req);

  /* a range of it */
  req = loop_request(gw, "GET", "loop-small", "bytes=100-199");
  CHECK_RC(loop_start(q, req, &async), RGW_REQUEST_DONE);
  CHECK(rgw_response_status(req) == 206 && rgw_response_length(req) == 100);
  CHECK(rgw_response_readahead(req, &data) == 100 && memcmp(data, small + 100, 100) == 0);
  rgw_request_free(req);

  /* a suffix range: the handler reads the head twice (its size, then the
   * range), each read from the loop */
  req = loop_request(gw, "GET", "loop-small", "bytes=-100");
  CHECK_RC(loop_start(q, req, &async), RGW_REQUEST_DONE);
  CHECK(async == !local);
  CHECK(rgw_response_status(req) == 206 && rgw_response_length(req) == 100);
  CHECK(rgw_response_readahead(req, &data) == 100 && memcmp(data, small + 4900, 100) == 0);
  rgw_request_free(req);

  /* HEAD, and a missing key (404) */
  req = loop_request(gw, "HEAD", "loop-small", NULL);
  CHECK_RC(loop_start(q, req, &async), RGW_REQUEST_DONE);
  CHECK(async == !local);
  CHECK(rgw_response_status(req) == 200 && rgw_response_length(req) == 5000);
  CHECK(rgw_response_readahead(req, &data) == 0);
  rgw_request_free(req);
  req = loop_request(gw, "GET", "loop-missing", NULL);
  CHECK_RC(loop_start(q, req, &async), RGW_REQUEST_DONE);
  CHECK(async == !local);
  CHECK(rgw_response_status(req) == 404);
  rgw_request_free(req);

  /* a segmented body on RADOS: the head is read here, then the request
   * goes to an I/O thread; never handed over from memory */
  req = loop_request(gw, "GET", "loop-big", NULL);
  CHECK_RC(loop_start(q, req, &async), RGW_REQUEST_DONE);
  CHECK(rgw_response_status(req) == 200 && rgw_response_length(req) == (int64_t)big_size);
  n = rgw_response_readahead(req, &data);
  CHECK(n == 1000 && memcmp(data, big, n) == 0);
  {
    static char back[(5u << 20) + 1];
    size_t total = n;
    for (;;) {
      got = rgw_response_read(req, back + total, sizeof back - total);
      if (got <= 0) break;
      total += (size_t)got;
    }
    CHECK(total == big_size && memcmp(back + 1000, big + 1000, big_size - 1000) == 0);
  }
  rgw_request_free(req);

  /* a listing and a PUT: to an I/O thread, answered in full */
  char path[128];
  snprintf(path, sizeof path, "/%s", bucket);
  CHECK_RC(rgw_request_create(gw, "GET", path, &req), 0);
  CHECK_RC(rgw_request_add_header(req, "Host", 4, HOST, strlen(HOST)), 0);
  CHECK_RC(loop_start(q, req, &async), RGW_REQUEST_DONE);
  collect(req, &r);
  CHECK(r.status == 200 && strstr(r.body, "<Key>loop-small</Key>") != NULL);
  rgw_request_free(req);
  req = loop_request(gw, "PUT", "loop-put", NULL);
  CHECK_RC(rgw_request_add_header(req, "content-length", 14, "1", 1), 0);
  CHECK_RC(loop_start(q, req, &async), RGW_REQUEST_WANTS_BODY);
  CHECK(async);
  CHECK_RC(rgw_request_body(req, "x", 1), RGW_REQUEST_WANTS_BODY);
  CHECK_RC(rgw_request_body_end(req), RGW_REQUEST_DONE);
  CHECK(rgw_response_status(req) == 200);
  rgw_request_free(req);

  /* another gateway, its caches cold: the first GET goes to an I/O thread
   * (the user's and the bucket's reads), then the next is served by the
   * read from the loop */
  rgw_config_t *cfg = NULL;
  rgw_gateway_t *cold = NULL;
  CHECK_RC(rgw_config_create(&cfg), 0);
  CHECK_RC(rgw_config_set(cfg, "store", uri), 0);
  CHECK_RC(rgw_gateway_open(cfg, &cold), 0);
  rgw_config_free(cfg);
  rgw_aio_queue_t *cq = NULL;
  if (cold) CHECK_RC(rgw_aio_queue_create(rgw_gateway_store(cold), 1, &cq), 0);
  for (int i = 0; cq && i < 2; ++i) {
    req = loop_request(cold, "GET", "loop-small", NULL);
    CHECK_RC(loop_start(cq, req, &async), RGW_REQUEST_DONE);
    CHECK(rgw_response_status(req) == 200);
    CHECK(rgw_response_readahead(req, &data) == 5000u && memcmp(data, small, 5000) == 0);
    rgw_request_free(req);
  }

  /* the queue destroyed with a read in flight: destroy waits for the
   * store's completion; the request is freed after (never started) */
  req = loop_request(cold ? cold : gw, "GET", "loop-small", NULL);
  struct counted c = {0, 0};
  int rc = rgw_aio_request_try_start(cq ? cq : q, req, on_counted, &c);
  CHECK(rc == (local ? RGW_REQUEST_DONE : -EINPROGRESS));
  if (cq) rgw_aio_queue_destroy(cq);
  CHECK(c.calls == 0);
  rgw_request_free(req);
  rgw_gateway_close(cold);

  CHECK_RC(rgw_aio_request_try_start(NULL, NULL, on_counted, &c), -EINVAL);
  CHECK_RC(rgw_aio_request_try_start(q, NULL, on_counted, &c), -EINVAL);
  CHECK_RC(rgw_request_allow_memory(NULL, 1), -EINVAL);
  rgw_aio_queue_destroy(q);
}

/* rgw_aio_request_try_start_body: small PUTs whose bodies the caller holds,
 * started from the caller's thread.  On RADOS a plain PUT runs there, its
 * writer's waits suspending it (-EINPROGRESS, then the callback once, from
 * rgw_aio_queue_run()); on a local store it goes to an I/O thread.  Many
 * in flight at once, some of one key, all land; a queue destroyed with
 * PUTs suspended waits for their ops, and freeing them unwinds them. */
static rgw_request_t *body_request(const char *key, size_t len) {
  rgw_request_t *req = loop_request(gw, "PUT", key, NULL);
  char n[24];
  snprintf(n, sizeof n, "%zu", len);
  CHECK_RC(rgw_request_add_header(req, "content-length", 14, n, strlen(n)), 0);
  return req;
}

static void test_loop_start_body(void) {
  enum { kPuts = 12, kKeys = 4, kLen = 300 };
  static char bodies[kPuts][kLen];
  rgw_request_t *reqs[kPuts];
  struct counted c[kPuts];
  char key[64];
  rgw_aio_queue_t *q = NULL;
  CHECK_RC(rgw_aio_queue_create(rgw_gateway_store(gw), 1, &q), 0);
  if (!q) return;
  for (int i = 0; i < kPuts; ++i) {
    memset(bodies[i], 'A' + i, kLen);
    snprintf(key, sizeof key, "loop-body-%d", i % kKeys);
    reqs[i] = body_request(key, kLen);
    c[i].calls = 0;
    c[i].result = 0;
    int rc = rgw_aio_request_try_start_body(q, reqs[i], bodies[i], kLen, on_counted, &c[i]);
    CHECK(rc == -EINPROGRESS || rc == RGW_REQUEST_DONE);
    if (rc == RGW_REQUEST_DONE) {
      c[i].calls = 1;
      c[i].result = rc;
    }
  }
  struct pollfd pfd = {.fd = rgw_aio_queue_fd(q), .events = POLLIN};
  for (;;) {
    int waiting = 0;
    for (int i = 0; i < kPuts; ++i) waiting += c[i].calls == 0;
    if (!waiting || poll(&pfd, 1, 10000) <= 0) break;
    rgw_aio_queue_run(q);
  }
  for (int i = 0; i < kPuts; ++i) {
    CHECK(c[i].calls == 1 && c[i].result == RGW_REQUEST_DONE);
    CHECK(rgw_response_status(reqs[i]) == 200);
    rgw_request_free(reqs[i]);
  }
  /* each key holds one of the bodies PUT to it, whole */
  for (int k = 0; k < kKeys; ++k) {
    snprintf(key, sizeof key, "loop-body-%d", k);
    rgw_request_t *req = loop_request(gw, "GET", key, NULL);
    int async = 0;
    CHECK_RC(loop_start(q, req, &async), RGW_REQUEST_DONE);
    const void *data = NULL;
    CHECK(rgw_response_status(req) == 200 && rgw_response_readahead(req, &data) == kLen);
    int found = 0;
    for (int i = k; i < kPuts; i += kKeys) found |= data && memcmp(data, bodies[i], kLen) == 0;
    CHECK(found);
    rgw_request_free(req);
  }

  /* a refused PUT (a bad signature) is answered, nothing stored */
  rgw_request_t *req = body_request("loop-body-refused", 3);
  CHECK_RC(rgw_request_add_header(req, "Authorization", 13, "AWS x:y", 7), 0);
  struct counted one = {0, 0};
  int rc = rgw_aio_request_try_start_body(q, req, "abc", 3, on_counted, &one);
  if (rc == -EINPROGRESS) {
    while (one.calls == 0 && poll(&pfd, 1, 10000) > 0) rgw_aio_queue_run(q);
    rc = one.result;
  }
  CHECK(rc == RGW_REQUEST_DONE);
  CHECK(rgw_response_status(req) >= 400);
  rgw_request_free(req);

  /* the queue destroyed with PUTs in flight (suspended on RADOS) */
  rgw_aio_queue_t *q2 = NULL;
  CHECK_RC(rgw_aio_queue_create(rgw_gateway_store(gw), 1, &q2), 0);
  if (q2) {
    for (int i = 0; i < kKeys; ++i) {
      snprintf(key, sizeof key, "loop-body-gone-%d", i);
      reqs[i] = body_request(key, kLen);
      c[i].calls = 0;
      rc = rgw_aio_request_try_start_body(q2, reqs[i], bodies[i], kLen, on_counted, &c[i]);
      CHECK(rc == -EINPROGRESS || rc == RGW_REQUEST_DONE);
    }
    rgw_aio_queue_destroy(q2);
    for (int i = 0; i < kKeys; ++i) {
      CHECK(c[i].calls == 0);
      rgw_request_free(reqs[i]);
    }
  }

  CHECK_RC(rgw_aio_request_try_start_body(NULL, NULL, "x", 1, on_counted, &one), -EINVAL);
  CHECK_RC(rgw_aio_request_try_start_body(q, NULL, "x", 1, on_counted, &one), -EINVAL);
  rgw_aio_queue_destroy(q);
}

int main(int argc, char **argv) {
  char uri[512];
  if (!test_store_uri(argc, argv, uri, sizeof uri)) return 2;
  char tag[32];
  test_tag(tag, sizeof tag);
  snprintf(bucket, sizeof bucket, "req-%s", tag);
  snprintf(uid, sizeof uid, "requser-%s", tag);
  snprintf(ak, sizeof ak, "AKREQ%s", tag);
  snprintf(sk, sizeof sk, "sk/%s+secret", tag);

  test_config_errors();

  rgw_config_t *cfg = NULL;
  CHECK_RC(rgw_config_create(&cfg), 0);
  CHECK_RC(rgw_config_set(cfg, "store", uri), 0);
  CHECK_RC(rgw_config_set(cfg, "domains", "s3.test"), 0);
  CHECK_RC(rgw_config_set(cfg, "max_object_size", "64m"), 0);
  int rc = rgw_gateway_open(cfg, &gw);
  rgw_config_free(cfg); /* the gateway keeps its own copy */
  if (rc < 0) {
    fprintf(stderr, "cannot open a gateway on %s: %s: %s\n", uri, rgw_strerror(rc),
            rgw_last_error());
    return 2;
  }
  rgw_store_t *s = rgw_gateway_store(gw);
  CHECK_RC(rgw_user_create(s, uid, "Request tests", ak, sk), 0);
  CHECK_RC(rgw_bucket_create(s, bucket, uid, "public-read"), 0);

  test_sync();
  test_aio();
  test_try_start_and_files(strncmp(uri, "rados:", 6) != 0);
  test_loop_start(strncmp(uri, "rados:", 6) != 0, uri);
  test_loop_start_body();

  rgw_gateway_close(gw);
  return test_report("test_request", uri);
}
