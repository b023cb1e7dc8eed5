/* A minimal unit-test harness: CHECK records a failure and goes on; the
 * runner prints "N passed, M failed" (read by CI) and exits non-zero on any
 * failure. */
#ifndef KH_TEST_CHECK_H
#define KH_TEST_CHECK_H
#include <stdio.h>

#include "kumihan.h"

static int kh_test_passed, kh_test_failed;

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (cond) kh_test_passed++;                                              \
    else {                                                                   \
      kh_test_failed++;                                                      \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                        \
  } while (0)

#define CHECK_EQ_INT(a, b)                                                   \
  do {                                                                       \
    long long a_ = (long long)(a), b_ = (long long)(b);                      \
    if (a_ == b_) kh_test_passed++;                                          \
    else {                                                                   \
      kh_test_failed++;                                                      \
      fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, a_, b_); \
    }                                                                        \
  } while (0)

/* The last diagnostic line, kept by kh_test_capture() (a kh_diag_fn); a non-NULL
 * user pointer is taken as an unsigned counter of diagnostics. */
static char kh_test_last[512];
__attribute__((unused)) static void kh_test_capture(void *user, kh_severity sev,
                                                    const char *line) {
  (void)sev;
  if (user) ++*(unsigned *)user;
  snprintf(kh_test_last, sizeof kh_test_last, "%s", line);
}

static int kh_test_report(void) {
  printf("%d passed, %d failed\n", kh_test_passed, kh_test_failed);
  return kh_test_failed ? 1 : 0;
}
#endif
