/* check.h - the assertion macros of the C-level tests (counted, not fatal). */
#ifndef LIBRGW_TESTS_CHECK_H
#define LIBRGW_TESTS_CHECK_H

#include <stdio.h>

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

#endif
