/*
 * test_capi.c - core-level tests of the C API.
 *
 * Usage: test_capi [STORE_URI]   (default: a fresh local store in a temp dir)
 * With a rados: URI the same checks run against Ceph (bucket names are made
 * unique per run so a shared pool prefix is fine).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <librgw/librgw.h>

#include "check.h"

static char bucket[64], bucket2[64];

/* Deterministic pseudo-random body. */
static void fill(unsigned char *buf, size_t len, unsigned seed) {
  for (size_t i = 0; i < len; ++i) {
    seed = seed * 1103515245u + 12345u;
    buf[i] = (unsigned char)(seed >> 16);
  }
}

static int put(rgw_store_t *s, const char *b, const char *k, const void *data, size_t len,
               size_t chunk) {
  rgw_writer_t *w = NULL;
  int rc = rgw_writer_open(s, b, k, &w);
  if (rc < 0) return rc;
  for (size_t off = 0; off < len; off += chunk) {
    size_t n = len - off < chunk ? len - off : chunk;
    rc = rgw_writer_write(w, (const char *)data + off, n);
    if (rc < 0) break;
  }
  if (rc == 0) {
    rgw_attrs_t *a = rgw_attrs_new();
    rgw_attrs_set(a, "Content-Type", "application/x-test");
    rgw_attrs_set(a, "x-amz-meta-color", "blue");
    rc = rgw_writer_commit(w, a, 0, NULL);
    rgw_attrs_free(a);
  }
  rgw_writer_free(w);
  return rc;
}

/* Reads [off, off+len) into a malloc'd buffer; *got receives the count. */
static unsigned char *get(rgw_store_t *s, const char *b, const char *k, uint64_t off, int64_t len,
                          size_t *got, int *rc_out) {
  rgw_reader_t *r = NULL;
  *got = 0;
  *rc_out = rgw_reader_open(s, b, k, off, len, &r);
  if (*rc_out < 0) return NULL;
  size_t cap = rgw_object_size(rgw_reader_object(r)) + 1;
  unsigned char *buf = malloc(cap);
  for (;;) {
    int64_t n = rgw_reader_read(r, buf + *got, 65536 < cap - *got ? 65536 : cap - *got);
    if (n < 0) {
      *rc_out = (int)n;
      break;
    }
    if (n == 0) break;
    *got += (size_t)n;
  }
  rgw_reader_free(r);
  return buf;
}

static void test_users(rgw_store_t *s, const char *tag) {
  char uid[64], ak[64], ak2[64], got_uid[64], secret[64];
  snprintf(uid, sizeof uid, "user-%s", tag);
  snprintf(ak, sizeof ak, "AK%s", tag);
  snprintf(ak2, sizeof ak2, "AK2%s", tag);
  CHECK_RC(rgw_user_create(s, uid, "Test User", ak, "secret1"), 0);
  CHECK_RC(rgw_user_create(s, uid, "Again", NULL, NULL), RGW_ERR_USER_EXISTS);
  CHECK_RC(rgw_user_create(s, "other-user-x", "X", ak, "s"), RGW_ERR_ACCESS_KEY_EXISTS);
  CHECK_RC(rgw_user_key_add(s, uid, ak2, "secret2"), 0);
  CHECK_RC(rgw_user_lookup_key(s, ak2, got_uid, sizeof got_uid, secret, sizeof secret), 0);
  CHECK(strcmp(got_uid, uid) == 0 && strcmp(secret, "secret2") == 0);
  CHECK_RC(rgw_user_lookup_key(s, ak, got_uid, 2, secret, sizeof secret), -ERANGE);
  CHECK_RC(rgw_user_key_remove(s, uid, ak2), 0);
  CHECK_RC(rgw_user_lookup_key(s, ak2, NULL, 0, NULL, 0), RGW_ERR_NO_SUCH_ACCESS_KEY);
  CHECK_RC(rgw_user_create(s, "bad/uid", "x", NULL, NULL), RGW_ERR_INVALID_ARGUMENT);
}

static void test_buckets(rgw_store_t *s, const char *tag) {
  char uid[64];
  snprintf(uid, sizeof uid, "user-%s", tag);
  CHECK_RC(rgw_bucket_create(s, bucket, uid, NULL), 0);
  CHECK_RC(rgw_bucket_create(s, bucket, uid, NULL), RGW_ERR_BUCKET_EXISTS);
  CHECK_RC(rgw_bucket_create(s, bucket2, uid, "public-read"), 0);
  CHECK_RC(rgw_bucket_create(s, "nobody-bucket", "no-such-user", NULL), RGW_ERR_NO_SUCH_USER);
  CHECK_RC(rgw_bucket_create(s, "a/b", uid, NULL), RGW_ERR_INVALID_BUCKET_NAME);
  char owner[64];
  uint64_t n = 99, bytes = 99;
  CHECK_RC(rgw_bucket_stat(s, bucket, owner, sizeof owner, &n, &bytes), 0);
  CHECK(strcmp(owner, uid) == 0 && n == 0 && bytes == 0);
  CHECK_RC(rgw_bucket_stat(s, "missing-bucket", NULL, 0, NULL, NULL), RGW_ERR_NO_SUCH_BUCKET);
  char **names = NULL;
  int count = rgw_bucket_list(s, uid, &names);
  CHECK(count == 2);
  if (count == 2) CHECK(strcmp(names[0], bucket) == 0 && strcmp(names[1], bucket2) == 0);
  rgw_free_strings(names);
  CHECK_RC(rgw_user_remove(s, uid), RGW_ERR_USER_HAS_BUCKETS);
}

static void test_objects(rgw_store_t *s) {
  size_t big = 9 * 1024 * 1024 + 123; /* spans RADOS stripes */
  unsigned char *data = malloc(big);
  fill(data, big, 7);
  CHECK_RC(put(s, bucket, "big", data, big, 1000003), 0);
  size_t got;
  int rc;
  unsigned char *back = get(s, bucket, "big", 0, -1, &got, &rc);
  CHECK(rc == 0 && got == big && memcmp(back, data, big) == 0);
  free(back);
  /* A range across the 4 MiB stripe boundary. */
  back = get(s, bucket, "big", 4 * 1024 * 1024 - 10, 20, &got, &rc);
  CHECK(rc == 0 && got == 20 && memcmp(back, data + 4 * 1024 * 1024 - 10, 20) == 0);
  free(back);
  back = get(s, bucket, "big", big, -1, &got, &rc);
  CHECK(rc == 0 && got == 0);
  free(back);
  back = get(s, bucket, "big", big + 1, -1, &got, &rc);
  CHECK(rc == RGW_ERR_INVALID_RANGE);
  free(back);

  rgw_object_t *o = NULL;
  CHECK_RC(rgw_object_stat(s, bucket, "big", &o), 0);
  if (o) {
    CHECK(rgw_object_size(o) == big);
    CHECK(strlen(rgw_object_etag(o)) == 32);
    CHECK(strcmp(rgw_object_version_id(o), "null") == 0);
    CHECK(rgw_object_attr(o, "content-type") &&
          strcmp(rgw_object_attr(o, "content-type"), "application/x-test") == 0);
    CHECK(rgw_object_attr(o, "x-amz-meta-color") &&
          strcmp(rgw_object_attr(o, "x-amz-meta-color"), "blue") == 0);
    CHECK(rgw_object_attr_count(o) == 2);
    rgw_object_free(o);
  }
  /* Empty object, overwrite small over big. */
  CHECK_RC(put(s, bucket, "big", "", 0, 1), 0);
  CHECK_RC(rgw_object_stat(s, bucket, "big", &o), 0);
  if (o) {
    CHECK(rgw_object_size(o) == 0);
    CHECK(strcmp(rgw_object_etag(o), "d41d8cd98f00b204e9800998ecf8427e") == 0);
    rgw_object_free(o);
  }
  CHECK_RC(put(s, bucket, "hello", "hello world", 11, 4), 0);
  CHECK_RC(rgw_object_stat(s, bucket, "hello", &o), 0);
  if (o) {
    CHECK(strcmp(rgw_object_etag(o), "5eb63bbbe01eeed093cb22bb8f5acdc3") == 0);
    rgw_object_free(o);
  }
  CHECK_RC(rgw_object_copy(s, bucket, "hello", bucket2, "copied", NULL, &o), 0);
  if (o) {
    CHECK(strcmp(rgw_object_etag(o), "5eb63bbbe01eeed093cb22bb8f5acdc3") == 0);
    rgw_object_free(o);
  }
  back = get(s, bucket2, "copied", 6, 5, &got, &rc);
  CHECK(rc == 0 && got == 5 && memcmp(back, "world", 5) == 0);
  free(back);
  CHECK_RC(rgw_object_remove(s, bucket, "hello"), 0);
  CHECK_RC(rgw_object_remove(s, bucket, "hello"), 0);
  CHECK_RC(rgw_object_stat(s, bucket, "hello", &o), RGW_ERR_NO_SUCH_KEY);
  CHECK_RC(rgw_object_stat(s, "missing-bucket", "hello", &o), RGW_ERR_NO_SUCH_BUCKET);
  CHECK_RC(put(s, bucket, "", "x", 1, 1), RGW_ERR_INVALID_KEY);
  CHECK_RC(put(s, bucket, "bad\xff", "x", 1, 1), RGW_ERR_INVALID_KEY);
  /* An aborted writer leaves nothing behind. */
  rgw_writer_t *w = NULL;
  CHECK_RC(rgw_writer_open(s, bucket, "aborted", &w), 0);
  CHECK_RC(rgw_writer_write(w, "partial", 7), 0);
  rgw_writer_free(w);
  CHECK_RC(rgw_object_stat(s, bucket, "aborted", &o), RGW_ERR_NO_SUCH_KEY);
  free(data);
}

static void test_listing(rgw_store_t *s) {
  const char *keys[] = {"a/1", "a/2", "b", "c/x/1", "c/y", "d"};
  for (size_t i = 0; i < sizeof keys / sizeof *keys; ++i)
    CHECK_RC(put(s, bucket2, keys[i], "v", 1, 1), 0);
  rgw_listing_t *l = NULL;
  CHECK_RC(rgw_object_list(s, bucket2, "", "/", NULL, 1000, &l), 0);
  if (l) {
    /* objects: b, copied, d; prefixes: a/, c/ */
    CHECK(rgw_listing_count(l) == 3 && rgw_listing_prefix_count(l) == 2);
    CHECK(strcmp(rgw_object_key(rgw_listing_object(l, 0)), "b") == 0);
    CHECK(strcmp(rgw_listing_prefix(l, 0), "a/") == 0);
    CHECK(strcmp(rgw_listing_prefix(l, 1), "c/") == 0);
    CHECK(!rgw_listing_truncated(l));
    rgw_listing_free(l);
  }
  /* Paging two at a time with a delimiter visits a/, b, c/, copied, d once each. */
  char marker[256] = "";
  char seen[1024] = "";
  int pages = 0;
  for (;;) {
    CHECK_RC(rgw_object_list(s, bucket2, "", "/", marker, 2, &l), 0);
    if (!l) break;
    ++pages;
    for (size_t i = 0; i < rgw_listing_prefix_count(l); ++i) {
      strcat(seen, rgw_listing_prefix(l, i));
      strcat(seen, " ");
    }
    for (size_t i = 0; i < rgw_listing_count(l); ++i) {
      strcat(seen, rgw_object_key(rgw_listing_object(l, i)));
      strcat(seen, " ");
    }
    int more = rgw_listing_truncated(l);
    snprintf(marker, sizeof marker, "%s", rgw_listing_next_marker(l));
    rgw_listing_free(l);
    if (!more || pages > 10) break;
  }
  CHECK(pages == 3);
  CHECK(strcmp(seen, "a/ b c/ copied d ") == 0);
  if (strcmp(seen, "a/ b c/ copied d ") != 0) fprintf(stderr, "paged listing: '%s'\n", seen);
  CHECK_RC(rgw_object_list(s, bucket2, "c/", "/", NULL, 1000, &l), 0);
  if (l) {
    CHECK(rgw_listing_count(l) == 1 && rgw_listing_prefix_count(l) == 1);
    CHECK(strcmp(rgw_listing_prefix(l, 0), "c/x/") == 0);
    rgw_listing_free(l);
  }
  CHECK_RC(rgw_bucket_remove(s, bucket2), RGW_ERR_BUCKET_NOT_EMPTY);
}

struct aio_state {
  int calls;
  int last;
  char message[256];
};

static void aio_done(int result, void *arg) {
  struct aio_state *st = arg;
  st->calls++;
  st->last = result;
  snprintf(st->message, sizeof st->message, "%s", rgw_last_error());
}

static void aio_wait(rgw_aio_queue_t *q, struct aio_state *st, int want) {
  struct pollfd p = {.fd = rgw_aio_queue_fd(q), .events = POLLIN};
  while (st->calls < want) {
    if (poll(&p, 1, 10000) <= 0) {
      CHECK(!"aio completion timed out");
      return;
    }
    rgw_aio_queue_run(q);
  }
}

static void test_aio(rgw_store_t *s) {
  rgw_aio_queue_t *q = NULL;
  CHECK_RC(rgw_aio_queue_create(s, 2, &q), 0);
  if (!q) return;
  struct aio_state st = {0, 0, ""};
  rgw_writer_t *w = NULL;
  CHECK_RC(rgw_aio_writer_open(q, bucket, "aio-key", &w, aio_done, &st), 0);
  aio_wait(q, &st, 1);
  CHECK(st.last == 0 && w != NULL);
  CHECK_RC(rgw_aio_write(q, w, "async!", 6, aio_done, &st), 0);
  aio_wait(q, &st, 2);
  CHECK(st.last == 0);
  rgw_object_t *info = NULL;
  CHECK_RC(rgw_aio_commit(q, w, NULL, 0, &info, aio_done, &st), 0);
  aio_wait(q, &st, 3);
  CHECK(st.last == 0 && info && rgw_object_size(info) == 6);
  rgw_object_free(info);
  rgw_writer_free(w);
  rgw_reader_t *r = NULL;
  CHECK_RC(rgw_aio_reader_open(q, bucket, "aio-key", 1, 4, &r, aio_done, &st), 0);
  aio_wait(q, &st, 4);
  CHECK(st.last == 0 && r != NULL);
  char buf[16] = {0};
  if (r) {
    CHECK_RC(rgw_aio_read(q, r, buf, sizeof buf, aio_done, &st), 0);
    aio_wait(q, &st, 5);
    CHECK(st.last == 4 && memcmp(buf, "sync", 4) == 0);
    rgw_reader_free(r);
  }
  rgw_object_t *o = NULL;
  CHECK_RC(rgw_aio_stat(q, bucket, "no-such-key", &o, aio_done, &st), 0);
  aio_wait(q, &st, 6);
  CHECK(st.last == RGW_ERR_NO_SUCH_KEY);
  CHECK(strstr(st.message, "no such key") != NULL); /* the I/O thread's message */
  CHECK_RC(rgw_aio_remove(q, bucket, "aio-key", aio_done, &st), 0);
  aio_wait(q, &st, 7);
  CHECK(st.last == 0);
  rgw_aio_queue_destroy(q);
}

int main(int argc, char **argv) {
  char uri[512];
  if (!test_store_uri(argc, argv, uri, sizeof uri)) return 2;
  char tag[32];
  test_tag(tag, sizeof tag);
  snprintf(bucket, sizeof bucket, "capi-%s", tag);
  snprintf(bucket2, sizeof bucket2, "capi2-%s", tag);

  rgw_store_t *s = NULL;
  CHECK_RC(rgw_store_open("ftp://nope", &s), RGW_ERR_INVALID_URI);
  CHECK_RC(rgw_store_open("local:relative/dir", &s), RGW_ERR_INVALID_URI);
  int rc = rgw_store_open(uri, &s);
  if (rc < 0) {
    fprintf(stderr, "cannot open %s: %s: %s\n", uri, rgw_strerror(rc), rgw_last_error());
    return 2;
  }
  test_users(s, tag);
  test_buckets(s, tag);
  test_objects(s);
  test_listing(s);
  test_aio(s);
  uint64_t removed = 0, bytes = 0;
  CHECK_RC(rgw_gc_run(s, 0, &removed, &bytes), 0);
  CHECK(removed >= 1 && bytes >= 9 * 1024 * 1024); /* the overwritten 9 MiB body */
  rgw_store_close(s);
  return test_report("test_capi", uri);
}
