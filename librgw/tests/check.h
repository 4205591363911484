/* check.h - the assertion macros of the C-level tests (counted, not fatal). */
#ifndef LIBRGW_TESTS_CHECK_H
#define LIBRGW_TESTS_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librgw/librgw.h>

static int failures = 0, checks = 0;

#define CHECK(cond)                                                                            \
  do {                                                                                         \
    ++checks;                                                                                  \
    if (!(cond)) {                                                                             \
      ++failures;                                                                              \
      fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__, __LINE__, #cond, \
              rgw_last_error());                                                               \
    }                                                                                          \
  } while (0)

#define CHECK_RC(expr, expected)                                                                \
  do {                                                                                          \
    int rc_ = (expr);                                                                           \
    ++checks;                                                                                   \
    if (rc_ != (expected)) {                                                                    \
      ++failures;                                                                               \
      fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d (%s): %s\n", __FILE__, __LINE__, \
              #expr, rc_, rgw_strerror(rc_), (expected), rgw_strerror(expected),                \
              rgw_last_error());                                                                \
    }                                                                                           \
  } while (0)

/* A temporary directory made by test_store_uri(), removed by test_report(). */
static char test_dir_[64];

/* The store a test program runs on, into uri: its first argument, or else a
 * fresh local store in a new temporary directory.  Returns uri, or NULL (with
 * a message) if no directory could be made. */
static inline const char *test_store_uri(int argc, char **argv, char *uri, size_t size) {
  if (argc > 1) {
    snprintf(uri, size, "%s", argv[1]);
    return uri;
  }
  snprintf(test_dir_, sizeof test_dir_, "/tmp/librgw-test-XXXXXX");
  if (!mkdtemp(test_dir_)) {
    perror("mkdtemp");
    return NULL;
  }
  snprintf(uri, size, "local:%s/store", test_dir_);
  return uri;
}

/* A tag unique to this run, for names on shared pools. */
static inline void test_tag(char *tag, size_t size) {
  srand((unsigned)time(NULL) ^ (unsigned)getpid());
  snprintf(tag, size, "%x%x", (unsigned)rand(), (unsigned)getpid());
}

/* Removes the temporary store, prints the tally (the last line in the form
 * every test runner here reads) and gives main's exit status. */
static inline int test_report(const char *program, const char *uri) {
  if (test_dir_[0]) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", test_dir_);
    if (system(cmd) != 0) fprintf(stderr, "cleanup of %s failed\n", test_dir_);
  }
  printf("%s %s: %d checks, %d failed\n", program, uri, checks, failures);
  printf("%d passed, %d failed\n", checks - failures, failures);
  return failures ? 1 : 0;
}

#endif
