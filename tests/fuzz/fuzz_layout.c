/* libFuzzer target: any bytes as a layout file, parsed and checked (the
 * fonts it names are resolved, not loaded).  Nothing is read from the
 * filesystem but the layout and font folders (a KH_FUZZING build). */
#include <stdint.h>
#include <stdlib.h>

#include "style/style.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 256 * 1024) return 0;
  kh_ctx *ctx = kh_ctx_new();
  if (!ctx) return 0;
  kh_ctx_set_diag(ctx, kh_fuzz_quiet, NULL);
  kh_source *src = NULL;
  kh_layout *L = NULL;
  if (kh_source_from_memory(ctx, "fuzz.yaml", (const char *)data, size, &src) == KH_OK &&
      kh_layout_parse(ctx, "fuzz", src, &L) == KH_OK) {
    /* what the later stages ask of a layout */
    kh_layout_style(L, "attachment", "title");
    kh_layout_page(L, "attachment");
  }
  kh_layout_drop(L);
  kh_ctx_drop(ctx);
  return 0;
}
