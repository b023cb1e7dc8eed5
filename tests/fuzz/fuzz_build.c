/* libFuzzer target: any bytes as a Markdown document, typeset to a PDF in
 * memory.  Errors are fine; crashes, leaks and sanitizer reports are not.
 * Build: cmake -DKH_FUZZ=ON with CC=clang (see tests/fuzz/README.md). */
#include <stdint.h>
#include <stdlib.h>

#include "base/base.h"
#include "fuzz.h"
#include "kumihan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 64 * 1024) return 0; /* keep each run short */
  kh_ctx *ctx = kh_ctx_new();
  if (!ctx) return 0;
  kh_ctx_set_diag(ctx, kh_fuzz_quiet, NULL);
  kh_ctx_set_source_date_epoch(ctx, 0);
  /* a paragraph over 1 kB is composed in windows (para/window.c), as one
   * over 256 kB is in a real build: the fuzzer's inputs reach them */
  ctx->para_window = 1024;
  unsigned char *pdf = NULL;
  size_t len = 0;
  kh_build_memory(ctx, "fuzz.md", (const char *)data, size, &pdf, &len);
  free(pdf);
  kh_ctx_drop(ctx);
  return 0;
}
