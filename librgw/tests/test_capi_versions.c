/*
 * test_capi_versions.c - object versions through the C API: a bucket's
 * versioning states, a version per write, reads and removals of named
 * versions, delete markers, the null version of a suspended bucket,
 * multipart completion and copy in a versioned bucket, listings of every
 * version with markers, and concurrent writers of one key.
 *
 * Usage: test_capi_versions [STORE_URI]   (default: a fresh local store)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librgw/librgw.h>

#include "check.h"

static char tag[32];

static rgw_object_t *put(rgw_store_t *s, const char *b, const char *k, const char *body) {
  rgw_writer_t *w = NULL;
  rgw_object_t *info = NULL;
  CHECK_RC(rgw_writer_open(s, b, k, &w), 0);
  if (!w) return NULL;
  CHECK_RC(rgw_writer_write(w, body, strlen(body)), 0);
  CHECK_RC(rgw_writer_commit_v2(w, NULL, &info), 0);
  rgw_writer_free(w);
  return info;
}

/* The body of a version (NULL: the current one) into buf; the rc. */
static int get(rgw_store_t *s, const char *b, const char *k, const char *version, char *buf,
               size_t size) {
  rgw_read_opts_t *ro = NULL;
  rgw_reader_t *r = NULL;
  CHECK_RC(rgw_read_opts_new(&ro), 0);
  if (version) CHECK_RC(rgw_read_opts_set_version(ro, version), 0);
  int rc = rgw_reader_open_v2(s, b, k, ro, &r);
  rgw_read_opts_free(ro);
  if (rc < 0) return rc;
  int64_t n = rgw_reader_read(r, buf, size - 1);
  CHECK(n >= 0);
  buf[n < 0 ? 0 : n] = '\0';
  rgw_reader_free(r);
  return 0;
}

/* Removes version (NULL: the current one); *vid gets what was removed or
 * made ("" when nothing), *marker whether it is a delete marker. */
static void removal(rgw_store_t *s, const char *b, const char *k, const char *version, char *vid,
                    int *marker) {
  rgw_write_opts_t *wo = NULL;
  rgw_object_t *o = NULL;
  CHECK_RC(rgw_write_opts_new(&wo), 0);
  if (version) CHECK_RC(rgw_write_opts_set_version(wo, version), 0);
  CHECK_RC(rgw_object_remove_v3(s, b, k, wo, &o), 0);
  rgw_write_opts_free(wo);
  vid[0] = '\0';
  *marker = 0;
  if (o) {
    snprintf(vid, 64, "%s", rgw_object_version_id(o));
    *marker = rgw_object_is_delete_marker(o);
    rgw_object_free(o);
  }
}

static void set_versioning(rgw_store_t *s, const char *b, int state) {
  rgw_bucket_t *got = NULL;
  CHECK_RC(rgw_bucket_get(s, b, &got), 0);
  CHECK_RC(rgw_bucket_set_versioning(got, state), 0);
  CHECK_RC(rgw_bucket_update(s, got), 0);
  rgw_bucket_free(got);
}

/* The versions of key k, newest first, as "id:latest:marker" joined by ",". */
static void versions_of(rgw_store_t *s, const char *b, const char *k, char (*ids)[64], size_t max,
                        size_t *count) {
  rgw_list_opts_t *lo = NULL;
  rgw_listing_t *l = NULL;
  CHECK_RC(rgw_list_opts_new(&lo), 0);
  CHECK_RC(rgw_list_opts_set_versions(lo, 1), 0);
  CHECK_RC(rgw_list_opts_set_prefix(lo, k), 0);
  CHECK_RC(rgw_object_list_v2(s, b, lo, &l), 0);
  *count = 0;
  for (size_t i = 0; l && i < rgw_listing_count(l) && *count < max; ++i) {
    const rgw_object_t *o = rgw_listing_object(l, i);
    if (strcmp(rgw_object_key(o), k) != 0) continue;
    snprintf(ids[(*count)++], 64, "%s", rgw_object_version_id(o));
  }
  rgw_listing_free(l);
  rgw_list_opts_free(lo);
}

static void test_enabled(rgw_store_t *s, const char *b) {
  char buf[64], vid[64];
  int marker = 0;
  rgw_object_t *o = put(s, b, "k", "before"); /* the null version, from before */
  CHECK(o && strcmp(rgw_object_version_id(o), "null") == 0);
  rgw_object_free(o);
  set_versioning(s, b, RGW_VERSIONING_ENABLED);
  char v1[64] = "", v2[64] = "";
  o = put(s, b, "k", "one");
  if (o) snprintf(v1, sizeof v1, "%s", rgw_object_version_id(o));
  rgw_object_free(o);
  o = put(s, b, "k", "two");
  if (o) snprintf(v2, sizeof v2, "%s", rgw_object_version_id(o));
  rgw_object_free(o);
  CHECK(strlen(v1) == 32 && strlen(v2) == 32 && strcmp(v1, v2) != 0);
  /* The current version is the newest; every version reads by its id. */
  CHECK_RC(get(s, b, "k", NULL, buf, sizeof buf), 0);
  CHECK(strcmp(buf, "two") == 0);
  CHECK_RC(get(s, b, "k", v1, buf, sizeof buf), 0);
  CHECK(strcmp(buf, "one") == 0);
  CHECK_RC(get(s, b, "k", "null", buf, sizeof buf), 0);
  CHECK(strcmp(buf, "before") == 0);
  CHECK_RC(get(s, b, "k", "0000000000000000000000000000000A", buf, sizeof buf),
           RGW_ERR_NO_SUCH_VERSION);
  char ids[8][64];
  size_t n = 0;
  versions_of(s, b, "k", ids, 8, &n);
  CHECK(n == 3 && strcmp(ids[0], v2) == 0 && strcmp(ids[1], v1) == 0 &&
        strcmp(ids[2], "null") == 0);

  /* Removing the current version makes a delete marker: the key is gone,
   * its versions stay. */
  removal(s, b, "k", NULL, vid, &marker);
  CHECK(marker == 1 && strlen(vid) == 32);
  char dm[64];
  snprintf(dm, sizeof dm, "%s", vid);
  CHECK_RC(get(s, b, "k", NULL, buf, sizeof buf), RGW_ERR_NO_SUCH_KEY);
  CHECK_RC(rgw_object_stat(s, b, "k", &o), RGW_ERR_NO_SUCH_KEY);
  CHECK_RC(rgw_object_stat_version(s, b, "k", NULL, &o), 0);
  CHECK(o && rgw_object_is_delete_marker(o) && strcmp(rgw_object_version_id(o), dm) == 0);
  rgw_object_free(o);
  CHECK_RC(get(s, b, "k", v2, buf, sizeof buf), 0);
  CHECK(strcmp(buf, "two") == 0);
  rgw_listing_t *l = NULL;
  CHECK_RC(rgw_object_list(s, b, "k", NULL, NULL, 1000, &l), 0);
  CHECK(rgw_listing_count(l) == 0); /* the current listing leaves it out */
  rgw_listing_free(l);
  versions_of(s, b, "k", ids, 8, &n);
  CHECK(n == 4 && strcmp(ids[0], dm) == 0);

  /* Removing the marker by its id brings the newest version back. */
  removal(s, b, "k", dm, vid, &marker);
  CHECK(marker == 1 && strcmp(vid, dm) == 0);
  CHECK_RC(get(s, b, "k", NULL, buf, sizeof buf), 0);
  CHECK(strcmp(buf, "two") == 0);
  /* Removing the current version by id: the one before becomes current. */
  removal(s, b, "k", v2, vid, &marker);
  CHECK(marker == 0 && strcmp(vid, v2) == 0);
  CHECK_RC(get(s, b, "k", NULL, buf, sizeof buf), 0);
  CHECK(strcmp(buf, "one") == 0);
  CHECK_RC(get(s, b, "k", v2, buf, sizeof buf), RGW_ERR_NO_SUCH_VERSION);
  /* A version that is not there: nothing removed, no error. */
  removal(s, b, "k", v2, vid, &marker);
  CHECK(vid[0] == '\0');

  /* A copy and a multipart completion add versions too. */
  rgw_object_t *c = NULL;
  CHECK_RC(rgw_object_copy(s, b, "k", b, "k", NULL, &c), 0);
  CHECK(c && strlen(rgw_object_version_id(c)) == 32);
  rgw_object_free(c);
  rgw_upload_t *u = NULL;
  CHECK_RC(rgw_upload_create(s, b, "k", NULL, &u), 0);
  rgw_writer_t *w = NULL;
  CHECK_RC(rgw_part_writer_open(s, b, rgw_upload_id(u), 1, &w), 0);
  CHECK_RC(rgw_writer_write(w, "multi", 5), 0);
  rgw_object_t *part = NULL;
  CHECK_RC(rgw_writer_commit_v2(w, NULL, &part), 0);
  rgw_writer_free(w);
  const char *etags[] = {part ? rgw_object_etag(part) : ""};
  int numbers[] = {1};
  CHECK_RC(rgw_upload_complete(s, b, rgw_upload_id(u), 1, numbers, etags, NULL, &c), 0);
  CHECK(c && strlen(rgw_object_version_id(c)) == 32);
  rgw_object_free(c);
  rgw_object_free(part);
  rgw_upload_free(u);
  CHECK_RC(get(s, b, "k", NULL, buf, sizeof buf), 0);
  CHECK(strcmp(buf, "multi") == 0);
  versions_of(s, b, "k", ids, 8, &n);
  CHECK(n == 4 && strcmp(ids[2], v1) == 0 && strcmp(ids[3], "null") == 0);

  /* A bucket with versions is not empty until every version is gone. */
  CHECK_RC(rgw_bucket_remove(s, b), RGW_ERR_BUCKET_NOT_EMPTY);
}

static void test_suspended(rgw_store_t *s, const char *b) {
  char buf[64], vid[64], ids[8][64];
  int marker = 0;
  size_t n = 0;
  set_versioning(s, b, RGW_VERSIONING_SUSPENDED);
  rgw_bucket_t *got = NULL;
  CHECK_RC(rgw_bucket_get(s, b, &got), 0);
  CHECK(rgw_bucket_versioning(got) == RGW_VERSIONING_SUSPENDED);
  /* Versioning never goes back to off: an update that says off keeps it. */
  CHECK_RC(rgw_bucket_set_versioning(got, RGW_VERSIONING_OFF), 0);
  CHECK_RC(rgw_bucket_update(s, got), 0);
  rgw_bucket_free(got);
  CHECK_RC(rgw_bucket_get(s, b, &got), 0);
  CHECK(rgw_bucket_versioning(got) == RGW_VERSIONING_SUSPENDED);
  rgw_bucket_free(got);

  versions_of(s, b, "k", ids, 8, &n);
  const size_t before = n; /* the versions test_enabled left: "null" last */
  /* A write makes the null version current, replacing the old null one. */
  rgw_object_t *o = put(s, b, "k", "suspended");
  CHECK(o && strcmp(rgw_object_version_id(o), "null") == 0);
  rgw_object_free(o);
  versions_of(s, b, "k", ids, 8, &n);
  CHECK(n == before && strcmp(ids[0], "null") == 0);
  CHECK_RC(get(s, b, "k", "null", buf, sizeof buf), 0);
  CHECK(strcmp(buf, "suspended") == 0);
  /* A removal replaces the null version with a null delete marker. */
  removal(s, b, "k", NULL, vid, &marker);
  CHECK(marker == 1 && strcmp(vid, "null") == 0);
  versions_of(s, b, "k", ids, 8, &n);
  CHECK(n == before && strcmp(ids[0], "null") == 0);
  CHECK_RC(get(s, b, "k", NULL, buf, sizeof buf), RGW_ERR_NO_SUCH_KEY);
  /* Every version removed by id empties the bucket. */
  for (size_t i = 0; i < n; ++i) {
    removal(s, b, "k", ids[i], vid, &marker);
    CHECK(strcmp(vid, ids[i]) == 0);
  }
  versions_of(s, b, "k", ids, 8, &n);
  CHECK(n == 0);
}

static void test_listing(rgw_store_t *s, const char *b) {
  /* a: 3 versions, b/x and b/y under a prefix, c: a delete marker. */
  set_versioning(s, b, RGW_VERSIONING_ENABLED);
  const char *puts[] = {"a", "a", "a", "b/x", "b/y", "c"};
  for (size_t i = 0; i < 6; ++i) rgw_object_free(put(s, b, puts[i], "x"));
  char vid[64];
  int marker = 0;
  removal(s, b, "c", NULL, vid, &marker);
  rgw_list_opts_t *lo = NULL;
  rgw_listing_t *l = NULL;
  CHECK_RC(rgw_list_opts_new(&lo), 0);
  CHECK_RC(rgw_list_opts_set_versions(lo, 1), 0);
  CHECK_RC(rgw_object_list_v2(s, b, lo, &l), 0);
  CHECK(rgw_listing_count(l) == 7);
  CHECK(rgw_object_is_latest(rgw_listing_object(l, 0)) &&
        !rgw_object_is_latest(rgw_listing_object(l, 1)));
  CHECK(rgw_object_is_delete_marker(rgw_listing_object(l, 5)) &&
        rgw_object_is_latest(rgw_listing_object(l, 5)));
  char a1[64];
  snprintf(a1, sizeof a1, "%s", rgw_object_version_id(rgw_listing_object(l, 1)));
  rgw_listing_free(l);
  /* Pages of two, resumed from the markers, give the same seven. */
  CHECK_RC(rgw_list_opts_set_max_keys(lo, 2), 0);
  size_t total = 0, pages = 0;
  for (;;) {
    CHECK_RC(rgw_object_list_v2(s, b, lo, &l), 0);
    if (!l) break;
    total += rgw_listing_count(l);
    ++pages;
    int more = rgw_listing_truncated(l);
    CHECK_RC(rgw_list_opts_set_marker(lo, rgw_listing_next_marker(l)), 0);
    CHECK_RC(rgw_list_opts_set_version_marker(lo, rgw_listing_next_version_marker(l)), 0);
    rgw_listing_free(l);
    if (!more || pages > 10) break;
  }
  CHECK(total == 7 && pages == 4);
  /* After a's second version: its third, then the rest. */
  CHECK_RC(rgw_list_opts_set_max_keys(lo, 1000), 0);
  CHECK_RC(rgw_list_opts_set_marker(lo, "a"), 0);
  CHECK_RC(rgw_list_opts_set_version_marker(lo, a1), 0);
  CHECK_RC(rgw_object_list_v2(s, b, lo, &l), 0);
  CHECK(rgw_listing_count(l) == 5 && strcmp(rgw_object_key(rgw_listing_object(l, 0)), "a") == 0);
  rgw_listing_free(l);
  /* A delimiter rolls b/ up once, whatever its versions. */
  CHECK_RC(rgw_list_opts_set_version_marker(lo, NULL), 0);
  CHECK_RC(rgw_list_opts_set_marker(lo, NULL), 0);
  CHECK_RC(rgw_list_opts_set_delimiter(lo, "/"), 0);
  CHECK_RC(rgw_object_list_v2(s, b, lo, &l), 0);
  CHECK(rgw_listing_count(l) == 5 && rgw_listing_prefix_count(l) == 1);
  rgw_listing_free(l);
  CHECK_RC(rgw_list_opts_set_marker(lo, "a"), 0);
  CHECK_RC(rgw_list_opts_set_version_marker(lo, "0000000000000000000000000000000A"), 0);
  CHECK_RC(rgw_object_list_v2(s, b, lo, &l), RGW_ERR_NO_SUCH_VERSION);
  rgw_list_opts_free(lo);
}

struct racer {
  rgw_store_t *s;
  const char *b;
  char ids[20][64];
};

static void *race(void *arg) {
  struct racer *r = arg;
  for (int i = 0; i < 20; ++i) {
    rgw_object_t *o = put(r->s, r->b, "race", "r");
    snprintf(r->ids[i], 64, "%s", o ? rgw_object_version_id(o) : "");
    rgw_object_free(o);
  }
  return NULL;
}

static void test_concurrent(rgw_store_t *s, const char *b) {
  /* Four writers of one key: 80 distinct versions, exactly one current. */
  struct racer r[4];
  pthread_t t[4];
  for (int i = 0; i < 4; ++i) {
    r[i].s = s;
    r[i].b = b;
    CHECK(pthread_create(&t[i], NULL, race, &r[i]) == 0);
  }
  for (int i = 0; i < 4; ++i) pthread_join(t[i], NULL);
  rgw_list_opts_t *lo = NULL;
  rgw_listing_t *l = NULL;
  CHECK_RC(rgw_list_opts_new(&lo), 0);
  CHECK_RC(rgw_list_opts_set_versions(lo, 1), 0);
  CHECK_RC(rgw_list_opts_set_prefix(lo, "race"), 0);
  CHECK_RC(rgw_object_list_v2(s, b, lo, &l), 0);
  size_t n = l ? rgw_listing_count(l) : 0, latest = 0, found = 0;
  CHECK(n == 80);
  for (size_t i = 0; i < n; ++i) {
    const rgw_object_t *o = rgw_listing_object(l, i);
    latest += rgw_object_is_latest(o) ? 1 : 0;
    for (int w = 0; w < 4; ++w)
      for (int j = 0; j < 20; ++j) found += strcmp(r[w].ids[j], rgw_object_version_id(o)) == 0;
  }
  CHECK(latest == 1 && found == 80);
  rgw_object_t *cur = NULL;
  CHECK_RC(rgw_object_stat(s, b, "race", &cur), 0);
  CHECK(cur && l &&
        strcmp(rgw_object_version_id(cur), rgw_object_version_id(rgw_listing_object(l, 0))) == 0);
  rgw_object_free(cur);
  rgw_listing_free(l);
  rgw_list_opts_free(lo);
}

/* Removes every version of every key, then the bucket. */
static void empty_and_remove(rgw_store_t *s, const char *b) {
  rgw_list_opts_t *lo = NULL;
  rgw_listing_t *l = NULL;
  CHECK_RC(rgw_list_opts_new(&lo), 0);
  CHECK_RC(rgw_list_opts_set_versions(lo, 1), 0);
  for (int round = 0; round < 100; ++round) {
    CHECK_RC(rgw_object_list_v2(s, b, lo, &l), 0);
    size_t n = l ? rgw_listing_count(l) : 0;
    for (size_t i = 0; i < n; ++i) {
      const rgw_object_t *o = rgw_listing_object(l, i);
      rgw_write_opts_t *wo = NULL;
      CHECK_RC(rgw_write_opts_new(&wo), 0);
      CHECK_RC(rgw_write_opts_set_version(wo, rgw_object_version_id(o)), 0);
      CHECK_RC(rgw_object_remove_v2(s, b, rgw_object_key(o), wo), 0);
      rgw_write_opts_free(wo);
    }
    rgw_listing_free(l);
    if (n == 0) break;
  }
  rgw_list_opts_free(lo);
  CHECK_RC(rgw_bucket_remove(s, b), 0);
}

int main(int argc, char **argv) {
  char uri[512];
  if (!test_store_uri(argc, argv, uri, sizeof uri)) return 2;
  test_tag(tag, sizeof tag);
  rgw_store_t *s = NULL;
  int rc = rgw_store_open(uri, &s);
  if (rc < 0) {
    fprintf(stderr, "cannot open %s: %s: %s\n", uri, rgw_strerror(rc), rgw_last_error());
    return 2;
  }
  char owner[96], bucket[96];
  snprintf(owner, sizeof owner, "vowner-%s", tag);
  snprintf(bucket, sizeof bucket, "versions-%s", tag);
  CHECK_RC(rgw_user_create(s, owner, "Owner", NULL, NULL), 0);
  CHECK_RC(rgw_bucket_create(s, bucket, owner, NULL), 0);
  test_enabled(s, bucket);
  test_suspended(s, bucket);
  test_listing(s, bucket);
  test_concurrent(s, bucket);
  empty_and_remove(s, bucket);
  CHECK_RC(rgw_user_remove(s, owner), 0);
  rgw_store_close(s);
  return test_report("test_capi_versions", uri);
}
