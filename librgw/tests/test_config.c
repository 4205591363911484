/*
 * test_config.c - the gateway option table of the C ABI: rgw_config_option(),
 * rgw_config_get(), rgw_config_get_uint(), rgw_config_same_gateway(), and an
 * aio queue created with 0 threads (the store driver's default).
 *
 * Usage: test_config [STORE_URI]   (default: a fresh local store)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librgw/librgw.h>

#include "check.h"

#define ALL_FLAGS (RGW_OPT_GATEWAY | RGW_OPT_DOOR | RGW_OPT_AIO | RGW_OPT_REQUIRED)

static int streq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static void test_table(void) {
  static const struct {
    const char *name, *type, *def;
    unsigned flags;
  } want[] = {
      {"store", "uri", "", RGW_OPT_GATEWAY | RGW_OPT_REQUIRED},
      {"region", "string", "us-east-1", RGW_OPT_GATEWAY},
      {"domains", "list", "", RGW_OPT_GATEWAY},
      {"max_object_size", "size", "5g", RGW_OPT_GATEWAY},
      {"swift_prefix", "string", "swift/v1", RGW_OPT_GATEWAY},
      {"buffer_size", "size", "128k", RGW_OPT_DOOR},
      {"threads", "count", "0", RGW_OPT_AIO},
      {"loop_reads", "flag", "on", RGW_OPT_AIO},
      {"loop_writes", "flag", "on", RGW_OPT_AIO},
  };
  size_t n = rgw_config_option_count();
  CHECK(n == sizeof want / sizeof want[0]);
  for (size_t i = 0; i < n && i < sizeof want / sizeof want[0]; ++i) {
    const char *name = NULL, *type = NULL, *def = NULL, *doc = NULL;
    unsigned flags = 0;
    CHECK_RC(rgw_config_option(i, &name, &type, &def, &flags, &doc), 0);
    CHECK(streq(name, want[i].name));
    CHECK(streq(type, want[i].type));
    CHECK(streq(def, want[i].def));
    CHECK(flags == want[i].flags && (flags & ~ALL_FLAGS) == 0);
    CHECK(doc && *doc && !strchr(doc, '\n') && !strchr(doc, '|'));
    /* every out-pointer may be NULL */
    CHECK_RC(rgw_config_option(i, NULL, NULL, NULL, NULL, NULL), 0);
    const char *only = NULL;
    CHECK_RC(rgw_config_option(i, NULL, NULL, NULL, NULL, &only), 0);
    CHECK(only == doc);
  }
  const char *untouched = "x";
  unsigned flags = 42;
  CHECK_RC(rgw_config_option(n, &untouched, NULL, NULL, &flags, NULL), -ERANGE);
  CHECK(streq(untouched, "x") && flags == 42);
  CHECK_RC(rgw_config_option((size_t)-1, NULL, NULL, NULL, NULL, NULL), -ERANGE);
}

static void test_get(void) {
  rgw_config_t *cfg = NULL;
  CHECK_RC(rgw_config_create(&cfg), 0);
  if (!cfg) return;

  /* A fresh config holds every default, as text and as numbers. */
  for (size_t i = 0; i < rgw_config_option_count(); ++i) {
    const char *name, *def;
    CHECK_RC(rgw_config_option(i, &name, NULL, &def, NULL, NULL), 0);
    CHECK(streq(rgw_config_get(cfg, name), def));
  }
  uint64_t v = 1;
  CHECK_RC(rgw_config_get_uint(cfg, "max_object_size", &v), 0);
  CHECK(v == 5ull << 30);
  /* a flag reads as 1 (on) or 0 (off) */
  CHECK_RC(rgw_config_get_uint(cfg, "loop_reads", &v), 0);
  CHECK(v == 1);
  CHECK_RC(rgw_config_set(cfg, "loop_reads", "off"), 0);
  CHECK_RC(rgw_config_get_uint(cfg, "loop_reads", &v), 0);
  CHECK(v == 0 && streq(rgw_config_get(cfg, "loop_reads"), "off"));
  CHECK_RC(rgw_config_set(cfg, "loop_reads", "yes"), RGW_ERR_INVALID_ARGUMENT);
  CHECK(streq(rgw_config_get(cfg, "loop_reads"), "off"));
  CHECK_RC(rgw_config_set(cfg, "loop_reads", "on"), 0);
  CHECK_RC(rgw_config_get_uint(cfg, "loop_writes", &v), 0);
  CHECK(v == 1);
  CHECK_RC(rgw_config_set(cfg, "loop_writes", "off"), 0);
  CHECK_RC(rgw_config_get_uint(cfg, "loop_writes", &v), 0);
  CHECK(v == 0 && streq(rgw_config_get(cfg, "loop_writes"), "off"));
  CHECK_RC(rgw_config_set(cfg, "loop_writes", "maybe"), RGW_ERR_INVALID_ARGUMENT);
  CHECK_RC(rgw_config_get_uint(cfg, "buffer_size", &v), 0);
  CHECK(v == 128 * 1024);
  CHECK_RC(rgw_config_get_uint(cfg, "threads", &v), 0);
  CHECK(v == 0);

  /* Every default (but the required store's "") is a value the option takes. */
  for (size_t i = 0; i < rgw_config_option_count(); ++i) {
    const char *name, *def;
    unsigned flags;
    CHECK_RC(rgw_config_option(i, &name, NULL, &def, &flags, NULL), 0);
    if (!(flags & RGW_OPT_REQUIRED)) CHECK_RC(rgw_config_set(cfg, name, def), 0);
  }

  /* Set values read back as given; a refused one leaves the option alone. */
  CHECK_RC(rgw_config_set(cfg, "buffer_size", "64K"), 0);
  CHECK(streq(rgw_config_get(cfg, "buffer_size"), "64K"));
  CHECK_RC(rgw_config_get_uint(cfg, "buffer_size", &v), 0);
  CHECK(v == 65536);
  CHECK_RC(rgw_config_set(cfg, "buffer_size", "0"), RGW_ERR_INVALID_ARGUMENT);
  CHECK(strstr(rgw_last_error(), "buffer_size") != NULL);
  CHECK(streq(rgw_config_get(cfg, "buffer_size"), "64K"));
  CHECK_RC(rgw_config_get_uint(cfg, "buffer_size", &v), 0);
  CHECK(v == 65536);
  CHECK_RC(rgw_config_set(cfg, "max_object_size", "1m"), 0);
  CHECK_RC(rgw_config_get_uint(cfg, "max_object_size", &v), 0);
  CHECK(v == 1 << 20);
  CHECK_RC(rgw_config_set(cfg, "domains", "a.test, B.test"), 0);
  CHECK_RC(rgw_config_set(cfg, "domains", "ok.test,bad_domain!"), RGW_ERR_INVALID_ARGUMENT);
  CHECK(streq(rgw_config_get(cfg, "domains"), "a.test, B.test"));
  /* swift_prefix: path segments, or "" for none; never hiding /auth or /info */
  CHECK_RC(rgw_config_set(cfg, "swift_prefix", ""), 0);
  CHECK(streq(rgw_config_get(cfg, "swift_prefix"), ""));
  CHECK_RC(rgw_config_set(cfg, "swift_prefix", "object-store/v1"), 0);
  const char *bad_prefixes[] = {"/swift", "swift/", "a//b", "x/../y",
                                "sw ift", "auth",   "info", "auth/v1"};
  for (size_t i = 0; i < sizeof bad_prefixes / sizeof bad_prefixes[0]; ++i)
    CHECK_RC(rgw_config_set(cfg, "swift_prefix", bad_prefixes[i]), RGW_ERR_INVALID_ARGUMENT);
  CHECK(streq(rgw_config_get(cfg, "swift_prefix"), "object-store/v1"));
  /* domains are DNS names */
  const char *bad_domains[] = {
      "-a.test",
      "a-.test",
      "a..test",
      ".a.test",
      "a.test.",
      "a_b.test",
      "a.test:80",
      "*.a.test",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test"};
  for (size_t i = 0; i < sizeof bad_domains / sizeof bad_domains[0]; ++i) {
    CHECK_RC(rgw_config_set(cfg, "domains", bad_domains[i]), RGW_ERR_INVALID_ARGUMENT);
    CHECK(strncmp(rgw_last_error(), "domains: not a domain name: ", 28) == 0);
  }
  CHECK_RC(rgw_config_set(cfg, "domains", "x-1.a0.test,localhost"), 0);
  CHECK_RC(rgw_config_set(cfg, "domains", "a.test, B.test"), 0);
  CHECK(streq(rgw_config_get(cfg, "store"), ""));
  CHECK_RC(rgw_config_set(cfg, "store", "local:/tmp/x"), 0);
  CHECK(streq(rgw_config_get(cfg, "store"), "local:/tmp/x"));

  /* threads: 0 (the store's default) to 256, digits only */
  CHECK_RC(rgw_config_set(cfg, "threads", "256"), 0);
  CHECK_RC(rgw_config_get_uint(cfg, "threads", &v), 0);
  CHECK(v == 256);
  const char *bad_threads[] = {"257", "-1", "1k", "", " 4", "99999999999999999999"};
  for (size_t i = 0; i < sizeof bad_threads / sizeof bad_threads[0]; ++i) {
    CHECK_RC(rgw_config_set(cfg, "threads", bad_threads[i]), RGW_ERR_INVALID_ARGUMENT);
    CHECK(strncmp(rgw_last_error(), "threads: ", 9) == 0);
  }
  CHECK(streq(rgw_config_get(cfg, "threads"), "256"));
  const char *bad_sizes[] = {"0", "-1", "5t", "1.5g", "+5", " 5", "", "99999999999g"};
  for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; ++i) {
    CHECK_RC(rgw_config_set(cfg, "max_object_size", bad_sizes[i]), RGW_ERR_INVALID_ARGUMENT);
    CHECK(strncmp(rgw_last_error(), "max_object_size: ", 17) == 0);
  }

  /* unknown names, non-numeric options, NULL */
  CHECK(rgw_config_get(cfg, "bogus") == NULL);
  CHECK(rgw_config_get(cfg, NULL) == NULL && rgw_config_get(NULL, "region") == NULL);
  CHECK_RC(rgw_config_get_uint(cfg, "bogus", &v), RGW_ERR_INVALID_ARGUMENT);
  CHECK(strstr(rgw_last_error(), "bogus") != NULL);
  CHECK_RC(rgw_config_get_uint(cfg, "region", &v), RGW_ERR_INVALID_ARGUMENT);
  CHECK(strstr(rgw_last_error(), "region") != NULL);
  CHECK_RC(rgw_config_get_uint(cfg, "store", &v), RGW_ERR_INVALID_ARGUMENT);
  CHECK_RC(rgw_config_get_uint(cfg, "threads", NULL), -EINVAL);
  CHECK_RC(rgw_config_get_uint(NULL, "threads", &v), -EINVAL);
  rgw_config_free(cfg);
}

static rgw_config_t *config(const char *const *pairs) {
  rgw_config_t *cfg = NULL;
  CHECK_RC(rgw_config_create(&cfg), 0);
  for (; cfg && pairs && pairs[0]; pairs += 2) CHECK_RC(rgw_config_set(cfg, pairs[0], pairs[1]), 0);
  return cfg;
}

/* Whether configs made from a and b may share a gateway (either way round). */
static int same(const char *const *a, const char *const *b) {
  rgw_config_t *x = config(a), *y = config(b);
  int r = rgw_config_same_gateway(x, y);
  CHECK(r == rgw_config_same_gateway(y, x));
  CHECK(rgw_config_same_gateway(x, x) == 1);
  rgw_config_free(x);
  rgw_config_free(y);
  return r;
}

#define OPTS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Whether this build has the RADOS driver; a build without it must refuse
 * rados: URIs saying so. */
static int has_rados(void) {
  rgw_config_t *cfg;
  CHECK_RC(rgw_config_create(&cfg), 0);
  int rc = rgw_config_set(cfg, "store", "rados:p");
  if (rc != 0) {
    CHECK_RC(rc, RGW_ERR_INVALID_URI);
    CHECK(strstr(rgw_last_error(), "without the rados driver") != NULL);
  }
  rgw_config_free(cfg);
  return rc == 0;
}

static void test_same_gateway(void) {
  CHECK(same(NULL, NULL) == 1);
  CHECK(same(OPTS("store", "local:/a"), OPTS("store", "local:/a")) == 1);
  CHECK(same(OPTS("store", "local:/a"), NULL) == 0);
  CHECK(same(OPTS("store", "local:/a"), OPTS("store", "local:/b")) == 0);
  CHECK(same(OPTS("store", "local:/a"), OPTS("store", "local:///a")) == 1);
  CHECK(same(OPTS("store", "local:/a"), OPTS("store", "/a")) == 1);
  CHECK(same(OPTS("store", "local:/a/b"), OPTS("store", "local:/a//b/")) == 1);
  CHECK(same(OPTS("store", "local:/a/b"), OPTS("store", "local:/a/b/c")) == 0);
  if (has_rados()) {
    CHECK(same(OPTS("store", "local:/a"), OPTS("store", "rados:a")) == 0);
    CHECK(same(OPTS("store", "rados:p"), OPTS("store", "rados:p?conf=/etc/ceph/ceph.conf")) == 1);
    CHECK(same(OPTS("store", "rados:p"), OPTS("store", "rados:p?client=other")) == 0);
    CHECK(same(OPTS("store", "rados:p"), OPTS("store", "rados:q")) == 0);
  }
  /* defaults are values: setting one explicitly changes nothing */
  CHECK(same(OPTS("region", "us-east-1"), NULL) == 1);
  CHECK(same(OPTS("region", "eu-west-1"), NULL) == 0);
  CHECK(same(OPTS("max_object_size", "5g"), OPTS("max_object_size", "5120M")) == 1);
  CHECK(same(OPTS("max_object_size", "5g"), OPTS("max_object_size", "4g")) == 0);
  CHECK(same(OPTS("domains", "A.test, b.test"), OPTS("domains", "a.test,b.test")) == 1);
  CHECK(same(OPTS("domains", "a.test,b.test"), OPTS("domains", "b.test,a.test")) == 0);
  CHECK(same(OPTS("domains", ""), NULL) == 1);
  CHECK(same(OPTS("domains", "a.test"), NULL) == 0);
  /* only RGW_OPT_GATEWAY options count */
  CHECK(same(OPTS("store", "local:/a", "buffer_size", "1m"),
             OPTS("store", "local:/a", "buffer_size", "4k")) == 1);
  CHECK(same(OPTS("threads", "3"), OPTS("threads", "0")) == 1);
  rgw_config_t *cfg = config(NULL);
  CHECK_RC(rgw_config_same_gateway(cfg, NULL), -EINVAL);
  CHECK_RC(rgw_config_same_gateway(NULL, cfg), -EINVAL);
  rgw_config_free(cfg);
}

static void read_comm(const char *path, char *buf, size_t size) {
  FILE *f = fopen(path, "r");
  buf[0] = 0;
  if (!f) return;
  if (!fgets(buf, (int)size, f)) buf[0] = 0;
  fclose(f);
}

/* Threads named rgw-io: the queue's I/O threads (a driver's own threads
 * have their own names: librados' msgr-worker-0, log, ...). */
static int thread_count(void) {
  char self[64] = "rgw-io\n", comm[64], path[300];
  DIR *d = opendir("/proc/self/task");
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
    read_comm(path, comm, sizeof comm);
    if (strcmp(comm, self) == 0) ++n;
  }
  closedir(d);
  return n;
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

/* thread_count() once it equals want, or after 3 s: librados starts threads
 * of its own now and then, which carry the program's name until they rename
 * themselves, a moment later. */
static int settled_thread_count(int want) {
  int n = thread_count();
  for (int i = 0; i < 300 && n != want; i++) {
    usleep(10000);
    n = thread_count();
  }
  return n;
}

/* A queue made with 0 threads gets the driver's default and works. */
static void check_default_queue(rgw_store_t *store, int want_threads) {
  int before = thread_count();
  rgw_aio_queue_t *q = NULL;
  CHECK_RC(rgw_aio_queue_create(store, 0, &q), 0);
  if (!q) return;
  CHECK(settled_thread_count(before + want_threads) - before == want_threads);
  rgw_object_t *obj = NULL;
  struct pending p = {0, 0};
  CHECK_RC(rgw_aio_stat(q, "no-such-bucket-for-test-config", "k", &obj, on_done, &p), 0);
  struct pollfd pfd = {.fd = rgw_aio_queue_fd(q), .events = POLLIN};
  while (!p.done && poll(&pfd, 1, 10000) > 0) rgw_aio_queue_run(q);
  CHECK(p.done && (p.result == RGW_ERR_NO_SUCH_BUCKET || p.result == RGW_ERR_NO_SUCH_KEY));
  CHECK(obj == NULL);
  rgw_aio_queue_destroy(q);
  CHECK(settled_thread_count(before) == before);

  CHECK_RC(rgw_aio_queue_create(store, 257, &q), -EINVAL);
  CHECK_RC(rgw_aio_queue_create(store, 3, &q), 0);
  CHECK(settled_thread_count(before + 3) - before == 3);
  rgw_aio_queue_destroy(q);
}

static void test_default_threads(const char *uri) {
  const int want = 8; /* the local and the RADOS driver alike */
  rgw_store_t *store = NULL;
  int rc = rgw_store_open(uri, &store);
  if (rc < 0) {
    fprintf(stderr, "cannot open %s: %s: %s\n", uri, rgw_strerror(rc), rgw_last_error());
    CHECK(0);
    return;
  }
  check_default_queue(store, want);
  rgw_store_close(store);

  /* the same through a gateway's store */
  rgw_config_t *cfg = config(OPTS("store", uri));
  rgw_gateway_t *gw = NULL;
  CHECK_RC(rgw_gateway_open(cfg, &gw), 0);
  rgw_config_free(cfg);
  if (!gw) return;
  check_default_queue(rgw_gateway_store(gw), want);
  rgw_gateway_close(gw);
}

int main(int argc, char **argv) {
  char uri[512];
  if (!test_store_uri(argc, argv, uri, sizeof uri)) return 2;
  test_table();
  test_get();
  test_same_gateway();
  test_default_threads(uri);
  return test_report("test_config", uri);
}
