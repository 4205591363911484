/*
 * test_capi_model.c - the C API's handles and options: users described and
 * modified, access policies, buckets with policies and attributes, object
 * reads and writes with option handles (versions, ranges, policies,
 * delete_at, if_match), in-place updates, listings with an end marker,
 * multipart uploads, gc reports and the version numbers.
 *
 * Usage: test_capi_model [STORE_URI]   (default: a fresh local store)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librgw/librgw.h>

#include "check.h"

static char tag[32];

/* A name unique to this run, in one of 8 rotating buffers: copy it to keep
 * it longer. */
static const char *name(const char *base) {
  static char buf[8][96];
  static int next;
  char *out = buf[next++ % 8];
  snprintf(out, sizeof buf[0], "%s-%s", base, tag);
  return out;
}

/* Writes body with options; returns the committed object's info (or NULL). */
static rgw_object_t *put(rgw_store_t *s, const char *b, const char *k, const char *body,
                         const rgw_write_opts_t *opts) {
  rgw_writer_t *w = NULL;
  rgw_object_t *info = NULL;
  CHECK_RC(rgw_writer_open(s, b, k, &w), 0);
  if (!w) return NULL;
  CHECK_RC(rgw_writer_write(w, body, strlen(body)), 0);
  CHECK(rgw_writer_bytes(w) == strlen(body));
  CHECK_RC(rgw_writer_commit_v2(w, opts, &info), 0);
  rgw_writer_free(w);
  return info;
}

static void test_version(void) {
  CHECK(rgw_version_code() == LIBRGW_VERSION_CODE);
  CHECK(strcmp(rgw_version(), LIBRGW_VERSION_STRING) == 0);
  CHECK(LIBRGW_VERSION_CODE ==
        LIBRGW_MAKE_VERSION(LIBRGW_VERSION_MAJOR, LIBRGW_VERSION_MINOR, LIBRGW_VERSION_PATCH));
  CHECK(strcmp(rgw_strerror(RGW_ERR_NO_SUCH_VERSION), "NoSuchVersion") == 0);
  CHECK(strcmp(rgw_strerror(-ENOENT), "ENOENT") == 0);
  CHECK(strcmp(rgw_strerror(-99999), "UnknownError") == 0);
}

static void test_acl(void) {
  rgw_acl_t *a = NULL;
  CHECK_RC(rgw_acl_new_canned("public-read", "alice", NULL, &a), 0);
  CHECK(strcmp(rgw_acl_owner(a), "alice") == 0);
  CHECK(rgw_acl_grant_count(a) == 2);
  int kind;
  const char *id;
  unsigned perms;
  CHECK_RC(rgw_acl_grant_at(a, 0, &kind, &id, &perms), 0); /* groups first */
  CHECK(kind == RGW_GRANTEE_GROUP && strcmp(id, RGW_GROUP_ALL_USERS) == 0 &&
        perms == RGW_PERM_READ);
  CHECK_RC(rgw_acl_grant_at(a, 2, &kind, &id, &perms), -ERANGE);
  CHECK(strcmp(rgw_acl_canned_name(a, NULL), "public-read") == 0);
  CHECK(rgw_acl_permissions(a, NULL, NULL) == RGW_PERM_READ);
  CHECK(rgw_acl_permissions(a, "alice", NULL) == RGW_PERM_FULL_CONTROL);
  CHECK_RC(rgw_acl_add_grant(a, RGW_GRANTEE_USER, "bob", RGW_PERM_WRITE), 0);
  CHECK(rgw_acl_canned_name(a, NULL) == NULL);
  CHECK(rgw_acl_permissions(a, "bob", NULL) == (RGW_PERM_READ | RGW_PERM_WRITE));
  CHECK_RC(rgw_acl_add_grant(a, 9, "x", RGW_PERM_READ), RGW_ERR_INVALID_ARGUMENT);
  CHECK_RC(rgw_acl_add_grant(a, RGW_GRANTEE_GROUP, "everyone", RGW_PERM_READ),
           RGW_ERR_INVALID_ARGUMENT);
  CHECK_RC(rgw_acl_add_grant(a, RGW_GRANTEE_USER, "", RGW_PERM_READ), RGW_ERR_INVALID_ARGUMENT);
  CHECK_RC(rgw_acl_add_grant(a, RGW_GRANTEE_USER, "bob", 0), RGW_ERR_INVALID_ARGUMENT);
  CHECK_RC(rgw_acl_add_grant(a, RGW_GRANTEE_USER, "bob", 0x100), RGW_ERR_INVALID_ARGUMENT);
  rgw_acl_free(a);
  CHECK_RC(rgw_acl_new_canned("aws-exec-read", "alice", NULL, &a), RGW_ERR_INVALID_ARGUMENT);
  /* An empty owner: the bucket owner's, with full control. */
  CHECK_RC(rgw_acl_new(NULL, &a), 0);
  CHECK(strcmp(rgw_acl_canned_name(a, "bob"), "private") == 0);
  CHECK(rgw_acl_permissions(a, "bob", "bob") & RGW_PERM_FULL_CONTROL);
  CHECK(rgw_acl_permissions(a, "carol", "bob") == 0);
  rgw_acl_free(a);
}

static void test_users(rgw_store_t *s) {
  char uid[96];
  snprintf(uid, sizeof uid, "%s", name("mu"));
  rgw_user_t *u = NULL;
  CHECK_RC(rgw_user_new(uid, &u), 0);
  CHECK_RC(rgw_user_set_display_name(u, "Model User"), 0);
  CHECK_RC(rgw_user_set_email(u, "mu@example.com"), 0);
  CHECK_RC(rgw_user_add_key(u, name("AKM1"), "secret-1"), 0);
  CHECK_RC(rgw_user_add_key(u, name("AKM2"), "secret-2"), 0);
  CHECK_RC(rgw_user_set_swift(u, name("acct:mu"), "swiftkey"), 0);
  CHECK_RC(rgw_user_set_attr(u, "Temp-URL-Key", "tk"), 0);
  CHECK_RC(rgw_user_add(s, u), 0);
  CHECK_RC(rgw_user_add(s, u), RGW_ERR_USER_EXISTS);
  rgw_user_free(u);

  CHECK_RC(rgw_user_get(s, uid, &u), 0);
  CHECK(strcmp(rgw_user_uid(u), uid) == 0 && strcmp(rgw_user_display_name(u), "Model User") == 0);
  CHECK(strcmp(rgw_user_email(u), "mu@example.com") == 0);
  CHECK(rgw_user_key_count(u) == 2 && rgw_user_created_ns(u) > 0 && !rgw_user_suspended(u));
  const char *ak, *sk;
  CHECK_RC(rgw_user_key_at(u, 1, &ak, &sk), 0);
  CHECK(strcmp(ak, name("AKM2")) == 0 && strcmp(sk, "secret-2") == 0);
  CHECK_RC(rgw_user_key_at(u, 2, &ak, &sk), -ERANGE);
  CHECK(strcmp(rgw_user_swift_user(u), name("acct:mu")) == 0);
  CHECK(strcmp(rgw_user_swift_key(u), "swiftkey") == 0);
  CHECK(strcmp(rgw_user_attr(u, "temp-url-key"), "tk") == 0 && rgw_user_attr_count(u) == 1);
  rgw_user_free(u);

  /* One lookup by credential kind. */
  CHECK_RC(rgw_user_find(s, RGW_CREDENTIAL_S3_ACCESS_KEY, name("AKM1"), &u), 0);
  CHECK(strcmp(rgw_user_uid(u), uid) == 0);
  rgw_user_free(u);
  CHECK_RC(rgw_user_find(s, RGW_CREDENTIAL_SWIFT_USER, name("acct:mu"), &u), 0);
  CHECK(strcmp(rgw_user_uid(u), uid) == 0);
  rgw_user_free(u);
  CHECK_RC(rgw_user_find(s, RGW_CREDENTIAL_S3_ACCESS_KEY, "nope", &u), RGW_ERR_NO_SUCH_ACCESS_KEY);
  CHECK_RC(rgw_user_find(s, RGW_CREDENTIAL_SWIFT_USER, "no:pe", &u), RGW_ERR_NO_SUCH_USER);
  CHECK_RC(rgw_user_find(s, 7, "x", &u), RGW_ERR_INVALID_ARGUMENT);

  /* Modify changes what the description sets, nothing else. */
  CHECK_RC(rgw_user_new(uid, &u), 0);
  CHECK_RC(rgw_user_set_suspended(u, 1), 0);
  CHECK_RC(rgw_user_clear_attrs(u), 0);
  CHECK_RC(rgw_user_set_attr(u, "x-account-meta-color", "blue"), 0);
  CHECK_RC(rgw_user_modify(s, u), 0);
  rgw_user_free(u);
  CHECK_RC(rgw_user_get(s, uid, &u), 0);
  CHECK(rgw_user_suspended(u) == 1);
  CHECK(strcmp(rgw_user_display_name(u), "Model User") == 0 && rgw_user_key_count(u) == 2);
  CHECK(rgw_user_attr(u, "temp-url-key") == NULL);
  CHECK(strcmp(rgw_user_attr(u, "x-account-meta-color"), "blue") == 0);
  rgw_user_free(u);
  CHECK_RC(rgw_user_new(name("ghost"), &u), 0);
  CHECK_RC(rgw_user_set_email(u, "g@example.com"), 0);
  CHECK_RC(rgw_user_modify(s, u), RGW_ERR_NO_SUCH_USER);
  rgw_user_free(u);

  /* Swift credentials move; the old name stops resolving. */
  CHECK_RC(rgw_user_set_swift_credentials(s, uid, name("acct:mu2"), "k2"), 0);
  CHECK_RC(rgw_user_find(s, RGW_CREDENTIAL_SWIFT_USER, name("acct:mu"), &u), RGW_ERR_NO_SUCH_USER);
  CHECK_RC(rgw_user_find(s, RGW_CREDENTIAL_SWIFT_USER, name("acct:mu2"), &u), 0);
  rgw_user_free(u);

  char **uids = NULL;
  int n = rgw_user_list(s, &uids);
  CHECK(n >= 1);
  int found = 0;
  for (int i = 0; i < n; ++i) found += strcmp(uids[i], uid) == 0;
  CHECK(found == 1 && uids[n] == NULL);
  rgw_free_strings(uids);
}

static void test_buckets(rgw_store_t *s, const char *owner) {
  char bname[96];
  snprintf(bname, sizeof bname, "%s", name("mb"));
  rgw_bucket_t *b = NULL, *got = NULL;
  CHECK_RC(rgw_bucket_new(bname, owner, &b), 0);
  CHECK(strcmp(rgw_acl_canned_name(rgw_bucket_acl(b), owner), "private") == 0);
  rgw_acl_t *acl = NULL;
  CHECK_RC(rgw_acl_new_canned("authenticated-read", owner, NULL, &acl), 0);
  CHECK_RC(rgw_bucket_set_acl(b, acl), 0);
  rgw_acl_free(acl);
  CHECK_RC(rgw_bucket_set_attr(b, "X-Container-Meta-Kind", "photos"), 0);
  CHECK_RC(rgw_bucket_set_versioning(b, 5), RGW_ERR_INVALID_ARGUMENT);
  CHECK_RC(rgw_bucket_add(s, b, &got), 0);
  CHECK_RC(rgw_bucket_add(s, b, NULL), RGW_ERR_BUCKET_EXISTS);
  rgw_bucket_free(b);
  CHECK(strlen(rgw_bucket_id(got)) > 0 && rgw_bucket_created_ns(got) > 0);
  rgw_bucket_free(got);

  CHECK_RC(rgw_bucket_get(s, bname, &got), 0);
  CHECK(strcmp(rgw_bucket_name(got), bname) == 0 && strcmp(rgw_bucket_owner(got), owner) == 0);
  CHECK(strcmp(rgw_acl_canned_name(rgw_bucket_acl(got), owner), "authenticated-read") == 0);
  CHECK(strcmp(rgw_bucket_attr(got, "x-container-meta-kind"), "photos") == 0);
  CHECK(rgw_bucket_versioning(got) == RGW_VERSIONING_OFF);
  /* Update: policy and attributes; owner and id stay (versioning:
   * test_capi_versions.c). */
  char id[64];
  snprintf(id, sizeof id, "%s", rgw_bucket_id(got));
  CHECK_RC(rgw_acl_new_canned("public-read", owner, NULL, &acl), 0);
  CHECK_RC(rgw_bucket_set_acl(got, acl), 0);
  rgw_acl_free(acl);
  CHECK_RC(rgw_bucket_set_attr(got, "x-container-meta-kind", NULL), 0);
  CHECK_RC(rgw_bucket_update(s, got), 0);
  rgw_bucket_free(got);
  CHECK_RC(rgw_bucket_get(s, bname, &got), 0);
  CHECK(strcmp(rgw_acl_canned_name(rgw_bucket_acl(got), owner), "public-read") == 0);
  CHECK(rgw_bucket_attr_count(got) == 0 && strcmp(rgw_bucket_id(got), id) == 0);
  rgw_bucket_free(got);

  rgw_bucket_listing_t *l = NULL;
  CHECK_RC(rgw_bucket_list_v2(s, owner, &l), 0);
  CHECK(rgw_bucket_listing_count(l) == 1);
  CHECK(strcmp(rgw_bucket_name(rgw_bucket_listing_at(l, 0)), bname) == 0);
  CHECK(rgw_bucket_listing_at(l, 1) == NULL);
  rgw_bucket_listing_free(l);
  CHECK_RC(rgw_bucket_remove(s, bname), 0);
  CHECK_RC(rgw_bucket_get(s, bname, &got), RGW_ERR_NO_SUCH_BUCKET);
}

static void test_objects(rgw_store_t *s, const char *b, const char *owner) {
  /* A write with every option: attrs, a policy, delete_at, an etag. */
  rgw_write_opts_t *wo = NULL;
  CHECK_RC(rgw_write_opts_new(&wo), 0);
  rgw_attrs_t *attrs = rgw_attrs_new();
  CHECK_RC(rgw_attrs_set(attrs, "Content-Type", "text/plain"), 0);
  CHECK_RC(rgw_write_opts_set_attrs(wo, attrs), 0);
  rgw_acl_t *acl = NULL;
  CHECK_RC(rgw_acl_new_canned("public-read", owner, owner, &acl), 0);
  CHECK_RC(rgw_write_opts_set_acl(wo, acl), 0);
  CHECK_RC(rgw_write_opts_set_delete_at(wo, 4102444800), 0); /* 2100-01-01 */
  CHECK_RC(rgw_write_opts_set_delete_at(wo, -1), -EINVAL);
  rgw_object_t *o = put(s, b, "opts", "hello world", wo);
  CHECK(o && rgw_object_delete_at(o) == 4102444800);
  CHECK(o && strcmp(rgw_object_etag(o), "5eb63bbbe01eeed093cb22bb8f5acdc3") == 0);
  CHECK(o && strcmp(rgw_acl_canned_name(rgw_object_acl(o), owner), "public-read") == 0);
  rgw_object_free(o);
  CHECK_RC(rgw_write_opts_set_etag(wo, "feedface-2"), 0);
  o = put(s, b, "etag", "x", wo);
  CHECK(o && strcmp(rgw_object_etag(o), "feedface-2") == 0);
  rgw_object_free(o);
  rgw_write_opts_free(wo);
  rgw_attrs_free(attrs);
  rgw_acl_free(acl);

  /* What was stored is what stat and readers see. */
  CHECK_RC(rgw_object_stat(s, b, "opts", &o), 0);
  CHECK(strcmp(rgw_object_attr(o, "content-type"), "text/plain") == 0);
  CHECK(strcmp(rgw_object_version_id(o), "null") == 0 && rgw_object_is_latest(o));
  CHECK(!rgw_object_is_delete_marker(o) && rgw_object_delete_at(o) == 4102444800);
  CHECK(strcmp(rgw_acl_canned_name(rgw_object_acl(o), owner), "public-read") == 0);
  rgw_object_free(o);

  /* Read options: versions (the null one, or none) and ranges. */
  rgw_read_opts_t *ro = NULL;
  rgw_reader_t *r = NULL;
  char buf[64];
  CHECK_RC(rgw_read_opts_new(&ro), 0);
  CHECK_RC(rgw_read_opts_set_range(ro, 6, 3), 0);
  CHECK_RC(rgw_read_opts_set_version(ro, "null"), 0);
  CHECK_RC(rgw_reader_open_v2(s, b, "opts", ro, &r), 0);
  CHECK(rgw_reader_remaining(r) == 3);
  CHECK(rgw_reader_read(r, buf, sizeof buf) == 3 && memcmp(buf, "wor", 3) == 0);
  CHECK(rgw_reader_remaining(r) == 0);
  rgw_reader_free(r);
  CHECK_RC(rgw_read_opts_set_version(ro, "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"), 0);
  CHECK_RC(rgw_reader_open_v2(s, b, "opts", ro, &r), RGW_ERR_NO_SUCH_VERSION);
  CHECK_RC(rgw_object_stat_v2(s, b, "opts", ro, &o), RGW_ERR_NO_SUCH_VERSION);
  rgw_read_opts_free(ro);
  CHECK_RC(rgw_reader_open_v2(s, b, "opts", NULL, &r), 0);
  CHECK(rgw_reader_read(r, buf, sizeof buf) == 11);
  rgw_reader_free(r);

  /* In-place updates: policy, delete_at, attrs; data and etag stay. */
  CHECK_RC(rgw_write_opts_new(&wo), 0);
  CHECK_RC(rgw_acl_new_canned("private", owner, owner, &acl), 0);
  CHECK_RC(rgw_write_opts_set_acl(wo, acl), 0);
  rgw_acl_free(acl);
  CHECK_RC(rgw_write_opts_set_delete_at(wo, 0), 0);
  CHECK_RC(rgw_write_opts_set_if_match(wo, "00000000000000000000000000000000"), 0);
  CHECK_RC(rgw_object_update(s, b, "opts", wo, &o), RGW_ERR_CONFLICT);
  CHECK_RC(rgw_write_opts_set_if_match(wo, "5eb63bbbe01eeed093cb22bb8f5acdc3"), 0);
  CHECK_RC(rgw_object_update(s, b, "opts", wo, &o), 0);
  CHECK(strcmp(rgw_acl_canned_name(rgw_object_acl(o), owner), "private") == 0);
  CHECK(rgw_object_delete_at(o) == 0 && rgw_object_size(o) == 11);
  CHECK(strcmp(rgw_object_attr(o, "content-type"), "text/plain") == 0); /* not set: kept */
  rgw_object_free(o);
  CHECK_RC(rgw_object_update(s, b, "nope", wo, &o), RGW_ERR_NO_SUCH_KEY);
  rgw_write_opts_free(wo);
  /* An expired object reads as missing. */
  CHECK_RC(rgw_write_opts_new(&wo), 0);
  CHECK_RC(rgw_write_opts_set_delete_at(wo, 1), 0);
  CHECK_RC(rgw_object_update(s, b, "etag", wo, NULL), 0);
  CHECK_RC(rgw_object_stat(s, b, "etag", &o), RGW_ERR_NO_SUCH_KEY);
  rgw_write_opts_free(wo);

  /* Conditional removes. */
  CHECK_RC(rgw_write_opts_new(&wo), 0);
  CHECK_RC(rgw_write_opts_set_if_match(wo, "ffffffffffffffffffffffffffffffff"), 0);
  CHECK_RC(rgw_object_remove_v2(s, b, "opts", wo), RGW_ERR_CONFLICT);
  CHECK_RC(rgw_object_stat(s, b, "opts", &o), 0);
  rgw_object_free(o);
  CHECK_RC(rgw_object_remove_v2(s, b, "never-there", wo), 0); /* missing: nothing to refuse */
  CHECK_RC(rgw_write_opts_set_if_match(wo, "5eb63bbbe01eeed093cb22bb8f5acdc3"), 0);
  CHECK_RC(rgw_object_remove_v2(s, b, "opts", wo), 0);
  CHECK_RC(rgw_object_stat(s, b, "opts", &o), RGW_ERR_NO_SUCH_KEY);
  CHECK_RC(rgw_write_opts_set_if_match(wo, NULL), 0);
  CHECK_RC(rgw_write_opts_set_version(wo, "v2"), 0);
  CHECK_RC(rgw_object_remove_v2(s, b, "etag", wo), 0); /* no such version: nothing removed */
  rgw_write_opts_free(wo);
  CHECK_RC(rgw_object_remove_v2(s, b, "etag", NULL), 0);
}

static void test_listing(rgw_store_t *s, const char *b) {
  const char *keys[] = {"a", "b/1", "b/2", "c", "d"};
  for (size_t i = 0; i < 5; ++i) rgw_object_free(put(s, b, keys[i], "x", NULL));
  rgw_list_opts_t *lo = NULL;
  rgw_listing_t *l = NULL;
  CHECK_RC(rgw_list_opts_new(&lo), 0);
  CHECK_RC(rgw_list_opts_set_marker(lo, "a"), 0);
  CHECK_RC(rgw_list_opts_set_end_marker(lo, "d"), 0);
  CHECK_RC(rgw_list_opts_set_delimiter(lo, "/"), 0);
  CHECK_RC(rgw_object_list_v2(s, b, lo, &l), 0);
  CHECK(rgw_listing_count(l) == 1 && strcmp(rgw_object_key(rgw_listing_object(l, 0)), "c") == 0);
  CHECK(rgw_listing_prefix_count(l) == 1 && strcmp(rgw_listing_prefix(l, 0), "b/") == 0);
  CHECK(!rgw_listing_truncated(l));
  rgw_listing_free(l);
  /* Paging stops at the end marker, and is not truncated there. */
  CHECK_RC(rgw_list_opts_set_delimiter(lo, NULL), 0);
  CHECK_RC(rgw_list_opts_set_marker(lo, NULL), 0);
  CHECK_RC(rgw_list_opts_set_end_marker(lo, "c"), 0);
  CHECK_RC(rgw_list_opts_set_max_keys(lo, 3), 0);
  CHECK_RC(rgw_object_list_v2(s, b, lo, &l), 0);
  CHECK(rgw_listing_count(l) == 3 && !rgw_listing_truncated(l));
  CHECK(strcmp(rgw_listing_next_marker(l), "b/2") == 0);
  rgw_listing_free(l);
  CHECK_RC(rgw_list_opts_set_end_marker(lo, "b/2"), 0);
  CHECK_RC(rgw_list_opts_set_max_keys(lo, 1), 0);
  CHECK_RC(rgw_object_list_v2(s, b, lo, &l), 0);
  CHECK(rgw_listing_count(l) == 1 && rgw_listing_truncated(l));
  rgw_listing_free(l);
  /* A version marker names the null version of the marker key. */
  CHECK_RC(rgw_list_opts_set_versions(lo, 1), 0);
  CHECK_RC(rgw_list_opts_set_end_marker(lo, NULL), 0);
  CHECK_RC(rgw_list_opts_set_max_keys(lo, 1000), 0);
  CHECK_RC(rgw_list_opts_set_marker(lo, "b/2"), 0);
  CHECK_RC(rgw_list_opts_set_version_marker(lo, "null"), 0);
  CHECK_RC(rgw_object_list_v2(s, b, lo, &l), 0);
  CHECK(rgw_listing_count(l) == 2 && strcmp(rgw_object_key(rgw_listing_object(l, 0)), "c") == 0);
  rgw_listing_free(l);
  CHECK_RC(rgw_list_opts_set_version_marker(lo, "3HL4kqtJlcpXroDTDmJ"), 0);
  CHECK_RC(rgw_object_list_v2(s, b, lo, &l), RGW_ERR_NO_SUCH_VERSION);
  CHECK_RC(rgw_list_opts_set_version_marker(lo, NULL), 0);
  CHECK_RC(rgw_list_opts_set_versions(lo, 0), 0);
  CHECK_RC(rgw_list_opts_set_end_marker(lo, "x\xff"), 0);
  CHECK_RC(rgw_object_list_v2(s, b, lo, &l), RGW_ERR_INVALID_ARGUMENT); /* not UTF-8 */
  rgw_list_opts_free(lo);
  CHECK_RC(rgw_object_list_v2(s, b, NULL, &l), 0);
  CHECK(rgw_listing_count(l) == 5);
  rgw_listing_free(l);
  for (size_t i = 0; i < 5; ++i) CHECK_RC(rgw_object_remove(s, b, keys[i]), 0);
}

static void test_multipart(rgw_store_t *s, const char *b, const char *owner) {
  rgw_write_opts_t *wo = NULL;
  rgw_upload_t *u = NULL;
  CHECK_RC(rgw_write_opts_new(&wo), 0);
  rgw_attrs_t *attrs = rgw_attrs_new();
  CHECK_RC(rgw_attrs_set(attrs, "x-amz-meta-k", "v"), 0);
  CHECK_RC(rgw_write_opts_set_attrs(wo, attrs), 0);
  rgw_attrs_free(attrs);
  rgw_acl_t *acl = NULL;
  CHECK_RC(rgw_acl_new_canned("public-read", owner, owner, &acl), 0);
  CHECK_RC(rgw_write_opts_set_acl(wo, acl), 0);
  rgw_acl_free(acl);
  CHECK_RC(rgw_write_opts_set_delete_at(wo, 4102444800), 0);
  CHECK_RC(rgw_upload_create(s, b, "mp", wo, &u), 0);
  rgw_write_opts_free(wo);
  char id[128];
  snprintf(id, sizeof id, "%s", rgw_upload_id(u));
  CHECK(strcmp(rgw_upload_key(u), "mp") == 0 && rgw_upload_initiated_ns(u) > 0);
  CHECK(strcmp(rgw_upload_attr(u, "x-amz-meta-k"), "v") == 0 && rgw_upload_attr_count(u) == 1);
  CHECK(strcmp(rgw_acl_canned_name(rgw_upload_acl(u), owner), "public-read") == 0);
  rgw_upload_free(u);
  CHECK_RC(rgw_upload_get(s, b, id, &u), 0);
  CHECK(strcmp(rgw_upload_id(u), id) == 0);
  rgw_upload_free(u);
  CHECK_RC(rgw_upload_get(s, b, "nope", &u), RGW_ERR_NO_SUCH_UPLOAD);

  const char *bodies[] = {"first part ", "second"};
  char etags[2][64];
  for (int n = 1; n <= 2; ++n) {
    rgw_writer_t *w = NULL;
    rgw_object_t *o = NULL;
    CHECK_RC(rgw_part_writer_open(s, b, id, n, &w), 0);
    CHECK_RC(rgw_writer_write(w, bodies[n - 1], strlen(bodies[n - 1])), 0);
    CHECK_RC(rgw_writer_commit_v2(w, NULL, &o), 0);
    snprintf(etags[n - 1], sizeof etags[0], "%s", rgw_object_etag(o));
    CHECK(rgw_object_size(o) == strlen(bodies[n - 1]));
    rgw_object_free(o);
    rgw_writer_free(w);
  }
  rgw_writer_t *w = NULL;
  CHECK_RC(rgw_part_writer_open(s, b, id, 10001, &w), RGW_ERR_INVALID_ARGUMENT);
  rgw_part_listing_t *parts = NULL;
  CHECK_RC(rgw_upload_list_parts(s, b, id, &parts), 0);
  CHECK(rgw_part_listing_count(parts) == 2);
  int number;
  uint64_t size;
  const char *etag;
  int64_t mtime;
  CHECK_RC(rgw_part_listing_at(parts, 1, &number, &size, &etag, &mtime), 0);
  CHECK(number == 2 && size == 6 && strcmp(etag, etags[1]) == 0 && mtime > 0);
  CHECK_RC(rgw_part_listing_at(parts, 2, &number, NULL, NULL, NULL), -ERANGE);
  rgw_part_listing_free(parts);

  rgw_upload_listing_t *ul = NULL;
  CHECK_RC(rgw_upload_list(s, b, "", "", "", 1000, &ul), 0);
  CHECK(rgw_upload_listing_count(ul) == 1);
  CHECK(strcmp(rgw_upload_id(rgw_upload_listing_at(ul, 0)), id) == 0);
  rgw_upload_listing_free(ul);
  CHECK_RC(rgw_upload_list(s, b, "", "", "", 0, &ul), RGW_ERR_INVALID_ARGUMENT);

  int numbers[] = {1, 2};
  const char *wrong[] = {etags[0], "00000000000000000000000000000000"};
  rgw_object_t *o = NULL;
  CHECK_RC(rgw_upload_complete(s, b, id, 2, numbers, wrong, NULL, &o), RGW_ERR_INVALID_PART);
  const char *right[] = {etags[0], etags[1]};
  CHECK_RC(rgw_upload_complete(s, b, id, 2, numbers, right, NULL, &o), 0);
  CHECK(rgw_object_size(o) == 17 && strstr(rgw_object_etag(o), "-2") != NULL);
  /* The upload's attrs, policy and delete_at are the object's. */
  CHECK(strcmp(rgw_object_attr(o, "x-amz-meta-k"), "v") == 0);
  CHECK(strcmp(rgw_acl_canned_name(rgw_object_acl(o), owner), "public-read") == 0);
  CHECK(rgw_object_delete_at(o) == 4102444800);
  rgw_object_free(o);
  CHECK_RC(rgw_upload_get(s, b, id, &u), RGW_ERR_NO_SUCH_UPLOAD);
  rgw_reader_t *r = NULL;
  char buf[32];
  CHECK_RC(rgw_reader_open(s, b, "mp", 0, -1, &r), 0);
  int64_t got = 0, n;
  while ((n = rgw_reader_read(r, buf + got, sizeof buf - (size_t)got)) > 0) got += n;
  CHECK(got == 17 && memcmp(buf, "first part second", 17) == 0);
  rgw_reader_free(r);

  /* An aborted upload is gone. */
  CHECK_RC(rgw_upload_create(s, b, "mp2", NULL, &u), 0);
  snprintf(id, sizeof id, "%s", rgw_upload_id(u));
  rgw_upload_free(u);
  CHECK_RC(rgw_upload_abort(s, b, id), 0);
  CHECK_RC(rgw_upload_abort(s, b, id), RGW_ERR_NO_SUCH_UPLOAD);
  CHECK_RC(rgw_object_remove(s, b, "mp"), 0);
}

static char tag_bucket[96];

/* What a gc pass reported through its progress callback. */
struct gc_seen {
  uint64_t calls, last_objects, last_bytes;
  int went_back;
};

static void on_gc_progress(uint64_t objects, uint64_t bytes, uint64_t repaired, void *arg) {
  struct gc_seen *seen = arg;
  (void)repaired;
  if (objects < seen->last_objects || bytes < seen->last_bytes) seen->went_back = 1;
  seen->calls++;
  seen->last_objects = objects;
  seen->last_bytes = bytes;
}

/* Five overwrites of a 5 MiB object leave five bodies to collect (on RADOS:
 * their tail objects; small bodies live in the head): the callback sees the
 * counts grow one by one and ends at the pass's totals. */
static void test_gc_progress(rgw_store_t *s, const char *bucket) {
  size_t size = 5u << 20;
  char *body = malloc(size + 1);
  CHECK(body != NULL);
  if (!body) return;
  memset(body, 'g', size);
  body[size] = '\0';
  for (int i = 0; i < 6; i++) rgw_object_free(put(s, bucket, "gc-progress", body, NULL));
  free(body);
  struct gc_seen seen = {0, 0, 0, 0};
  uint64_t objects = 0, bytes = 0, repaired = 0;
  CHECK_RC(rgw_gc_run_progress(s, 0, on_gc_progress, &seen, &objects, &bytes, &repaired), 0);
  CHECK(objects >= 5 && seen.calls >= 5 && !seen.went_back);
  CHECK(seen.last_objects == objects && seen.last_bytes == bytes);
  CHECK_RC(rgw_gc_run_progress(s, 0, NULL, NULL, NULL, NULL, NULL), 0);
  CHECK_RC(rgw_gc_run_progress(s, -1, on_gc_progress, &seen, NULL, NULL, NULL), -EINVAL);
  CHECK_RC(rgw_object_remove(s, bucket, "gc-progress"), 0);
}

/* What an expirer pass reported through its progress callback. */
struct expire_seen {
  uint64_t calls, removed_named;
  int named_ours, stop;
};

static int on_expire_progress(const rgw_expire_report_t *so_far, size_t n,
                              const char *const *buckets, const char *const *keys, void *arg) {
  struct expire_seen *seen = arg;
  seen->calls++;
  CHECK(so_far->removed_objects >= n);
  for (size_t i = 0; i < n; i++) {
    seen->removed_named++;
    if (strcmp(buckets[i], tag_bucket) == 0 && strncmp(keys[i], "exp-", 4) == 0) seen->named_ours++;
  }
  return seen->stop;
}

/* Objects given a delete_at one second ahead: a pass before it removes none
 * of them, a pass after it removes them (and names them to the callback),
 * not the object without one; a callback asking to stop ends the pass. */
static void test_expiry(rgw_store_t *s, const char *bucket) {
  rgw_write_opts_t *opts = NULL;
  CHECK_RC(rgw_write_opts_new(&opts), 0);
  if (!opts) return;
  const int64_t due = (int64_t)time(NULL) + 2;
  CHECK_RC(rgw_write_opts_set_delete_at(opts, due), 0);
  rgw_object_free(put(s, bucket, "exp-1", "one", opts));
  rgw_object_free(put(s, bucket, "exp-2", "two", opts));
  rgw_object_free(put(s, bucket, "exp-kept", "kept", NULL));
  rgw_write_opts_free(opts);
  snprintf(tag_bucket, sizeof tag_bucket, "%s", bucket);
  char holder[64];
  snprintf(holder, sizeof holder, "test-capi-%d", (int)getpid());
  struct expire_seen seen = {0, 0, 0, 0};
  rgw_expire_report_t r;
  memset(&r, 0xff, sizeof r);
  CHECK_RC(rgw_expire_run(s, holder, 30, 0, on_expire_progress, &seen, &r), 0);
  CHECK(seen.named_ours == 0 && r.shards_done + r.shards_busy == 16);
  uint64_t objects = 0;
  CHECK_RC(rgw_bucket_stat(s, bucket, NULL, 0, &objects, NULL), 0);
  CHECK(objects == 3);
  while ((int64_t)time(NULL) <= due) usleep(100000);
  /* The first pass may have removed (and named) other tests' objects due
   * already: the store's queue is shared on RADOS.  Count this pass alone. */
  seen.removed_named = 0;
  CHECK_RC(rgw_expire_run(s, holder, 30, 1, on_expire_progress, &seen, &r), 0);
  CHECK(seen.named_ours == 2 && r.removed_objects >= 2 && r.removed_objects == seen.removed_named);
  CHECK_RC(rgw_bucket_stat(s, bucket, NULL, 0, &objects, NULL), 0);
  CHECK(objects == 1);
  rgw_object_t *kept = NULL;
  CHECK_RC(rgw_object_stat(s, bucket, "exp-kept", &kept), 0);
  rgw_object_free(kept);
  seen.stop = 1;
  CHECK_RC(rgw_expire_run(s, holder, 30, 1, on_expire_progress, &seen, NULL), 0);
  CHECK_RC(rgw_expire_run(s, "", 30, 0, NULL, NULL, NULL), RGW_ERR_INVALID_ARGUMENT);
  CHECK_RC(rgw_expire_run(s, holder, 0, 0, NULL, NULL, NULL), RGW_ERR_INVALID_ARGUMENT);
  CHECK_RC(rgw_expire_run(s, NULL, 30, 0, NULL, NULL, NULL), -EINVAL);
  CHECK_RC(rgw_object_remove(s, bucket, "exp-kept"), 0);
}

static int on_lifecycle_progress(const rgw_lifecycle_report_t *so_far, const char *bucket,
                                 const char *key, const char *what, void *arg) {
  int *seen = arg;
  CHECK(so_far->expired_objects + so_far->aborted_uploads >= 1);
  if (strcmp(what, "expired") == 0 && strcmp(key, "old/a") == 0) seen[0]++;
  if (strcmp(what, "aborted") == 0 && strcmp(key, "up") == 0) seen[1]++;
  (void)bucket;
  return 0;
}

/* A bucket whose lifecycle configuration (the S3 attribute, as
 * PutBucketLifecycleConfiguration stores it) expires old/ after a day and
 * aborts uploads after a day, with days of one second: the object under old/
 * and the upload go, the other object stays.  A configuration that does not
 * parse is counted and skipped. */
static void test_lifecycle(rgw_store_t *s, const char *owner) {
  char b[96], bad[96];
  snprintf(b, sizeof b, "%s", name("lc"));
  snprintf(bad, sizeof bad, "%s", name("lcbad"));
  CHECK_RC(rgw_bucket_create(s, b, owner, NULL), 0);
  CHECK_RC(rgw_bucket_create(s, bad, owner, NULL), 0);
  const char *doc =
      "<LifecycleConfiguration><Rule><ID>old</ID><Filter><Prefix>old/</Prefix></Filter>"
      "<Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>"
      "<Rule><ID>up</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>"
      "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation>"
      "</AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>";
  const char *names[2] = {b, bad};
  const char *docs[2] = {doc, "<LifecycleConfiguration><Rule>"};
  for (int i = 0; i < 2; i++) {
    rgw_bucket_t *h = NULL;
    CHECK_RC(rgw_bucket_get(s, names[i], &h), 0);
    if (!h) return;
    CHECK_RC(rgw_bucket_set_attr(h, "rgw-s3-lifecycle", docs[i]), 0);
    CHECK_RC(rgw_bucket_update(s, h), 0);
    rgw_bucket_free(h);
  }
  rgw_object_free(put(s, b, "old/a", "a", NULL));
  rgw_object_free(put(s, b, "new/b", "b", NULL));
  rgw_upload_t *u = NULL;
  CHECK_RC(rgw_upload_create(s, b, "up", NULL, &u), 0);
  char upload_id[128] = "";
  if (u) snprintf(upload_id, sizeof upload_id, "%s", rgw_upload_id(u));
  rgw_upload_free(u);
  sleep(2);
  int seen[2] = {0, 0};
  rgw_lifecycle_report_t r;
  memset(&r, 0xff, sizeof r);
  CHECK_RC(rgw_lifecycle_run(s, "test-capi", 30, b, 1, on_lifecycle_progress, seen, &r), 0);
  CHECK(r.buckets == 1 && r.expired_objects == 1 && r.aborted_uploads == 1 && r.busy_buckets == 0);
  CHECK(seen[0] == 1 && seen[1] == 1);
  rgw_object_t *o = NULL;
  CHECK_RC(rgw_object_stat(s, b, "old/a", &o), RGW_ERR_NO_SUCH_KEY);
  CHECK_RC(rgw_object_stat(s, b, "new/b", &o), 0);
  rgw_object_free(o);
  CHECK_RC(rgw_upload_get(s, b, upload_id, &u), RGW_ERR_NO_SUCH_UPLOAD);
  CHECK_RC(rgw_lifecycle_run(s, "test-capi", 30, bad, 0, NULL, NULL, &r), 0);
  CHECK(r.buckets == 0 && r.bad_configurations == 1);
  CHECK_RC(rgw_lifecycle_run(s, "test-capi", 30, "no-such-bucket-lc", 0, NULL, NULL, NULL),
           RGW_ERR_NO_SUCH_BUCKET);
  CHECK_RC(rgw_lifecycle_run(s, "test-capi", 30, b, -1, NULL, NULL, NULL),
           RGW_ERR_INVALID_ARGUMENT);
  CHECK_RC(rgw_object_remove(s, b, "new/b"), 0);
  CHECK_RC(rgw_bucket_remove(s, b), 0);
  CHECK_RC(rgw_bucket_remove(s, bad), 0);
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
  test_version();
  test_acl();
  test_users(s);
  char owner[96], bucket[96];
  snprintf(owner, sizeof owner, "%s", name("owner"));
  snprintf(bucket, sizeof bucket, "%s", name("objs"));
  CHECK_RC(rgw_user_create(s, owner, "Owner", NULL, NULL), 0);
  test_buckets(s, owner);
  CHECK_RC(rgw_bucket_create(s, bucket, owner, NULL), 0);
  test_objects(s, bucket, owner);
  test_listing(s, bucket);
  test_multipart(s, bucket, owner);
  uint64_t objects = 0, bytes = 0, repaired = 99;
  CHECK_RC(rgw_gc_run_v2(s, 0, &objects, &bytes, &repaired), 0);
  CHECK(objects >= 1 && repaired == 0);
  CHECK_RC(rgw_gc_run_v2(s, -1, NULL, NULL, NULL), -EINVAL);
  test_gc_progress(s, bucket);
  test_expiry(s, bucket);
  test_lifecycle(s, owner);
  CHECK_RC(rgw_bucket_remove(s, bucket), 0);
  rgw_store_close(s);
  return test_report("test_capi_model", uri);
}
