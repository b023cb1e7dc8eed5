/* Unit tests: the public API (include/kumihan.h) from memory to memory. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "kumihan.h"

static unsigned ndiag;

int main(void) {
  kh_ctx *ctx = kh_ctx_new();
  kh_ctx_set_diag(ctx, kh_test_capture, &ndiag);
  kh_ctx_set_source_date_epoch(ctx, 0);
  const char *md = "# 見出し\n\n本文の段落。「括弧」と、𠮟る。\n";
  unsigned char *pdf = NULL, *pdf2 = NULL;
  size_t len = 0, len2 = 0;
  CHECK(kh_build_memory(ctx, "mem.md", md, strlen(md), &pdf, &len) == KH_OK);
  CHECK(pdf && len > 1000 && memcmp(pdf, "%PDF-1.", 7) == 0);
  CHECK(pdf && memcmp(pdf + len - 6, "%%EOF", 5) == 0);
  /* the same input gives the same bytes */
  CHECK(kh_build_memory(ctx, "mem.md", md, strlen(md), &pdf2, &len2) == KH_OK);
  CHECK(len == len2 && pdf && pdf2 && memcmp(pdf, pdf2, len) == 0);
  CHECK_EQ_INT(kh_ctx_error_count(ctx), 0);
  free(pdf);
  free(pdf2);

  /* bad input: an error through the callback, no buffer */
  pdf = (unsigned char *)"";
  CHECK(kh_build_memory(ctx, "mem.md", "ok\n\xC3", 4, &pdf, &len) == KH_SYNTAX);
  CHECK(pdf == NULL && len == 0);
  CHECK(strcmp(kh_test_last, "mem.md:2:1: error: invalid UTF-8 (byte 0xC3)") == 0);
  CHECK_EQ_INT(kh_ctx_error_count(ctx), 1);
  CHECK(strcmp(kh_status_string(KH_SYNTAX), "syntax error") == 0);
  CHECK(strcmp(kh_version(), KUMIHAN_VERSION) == 0);
  kh_ctx_drop(ctx);
  kh_ctx_drop(NULL);

  /* a document in memory names no file outside the layout folder */
  ctx = kh_ctx_new();
  kh_ctx_set_diag(ctx, kh_test_capture, NULL);
  const char *fm = "---\nlayout: /etc/hostname\n---\n本文\n";
  CHECK(kh_build_memory(ctx, "mem.md", fm, strlen(fm), &pdf, &len) == KH_IO);
  /* reported at the front-matter line naming it */
  CHECK(strstr(kh_test_last, "mem.md:2:9: error: layout '/etc/hostname' is outside the "
                             "publication's folder") != NULL);
  kh_ctx_drop(ctx);

  /* the size limit on text, set through the API */
  ctx = kh_ctx_new();
  kh_ctx_set_diag(ctx, kh_test_capture, NULL);
  char path[] = "/tmp/kh-test-limit-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  for (int i = 0; f && i < 100; i++) fputs("本文です。", f);
  if (f) fclose(f);
  kh_ctx_set_size_limit(ctx, KH_INPUT_TEXT, 1000);
  CHECK(kh_build_file(ctx, path, NULL) == KH_LIMIT);
  CHECK(strstr(kh_test_last, "error: larger than the limit of") != NULL);
  kh_ctx_set_size_limit(ctx, KH_INPUT_TEXT, 0); /* the default again */
  CHECK(kh_build_file(ctx, path, NULL) == KH_OK);
  unlink(path);
  kh_ctx_drop(ctx);
  return kh_test_report();
}
