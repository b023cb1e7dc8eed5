/* libFuzzer target: any bytes as a part's YAML front matter, read into the
 * document tree (no layout, no typesetting). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc/doc.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 64 * 1024) return 0;
  static const char head[] = "---\n", foot[] = "\n---\n本文\n";
  char *md = malloc(size + sizeof head + sizeof foot);
  if (!md) return 0;
  memcpy(md, head, sizeof head - 1);
  memcpy(md + sizeof head - 1, data, size);
  memcpy(md + sizeof head - 1 + size, foot, sizeof foot - 1);
  size_t len = sizeof head - 1 + size + sizeof foot - 1;
  kh_ctx *ctx = kh_ctx_new();
  if (ctx) {
    kh_ctx_set_diag(ctx, kh_fuzz_quiet, NULL);
    kh_doc *doc = NULL;
    kh_doc_load_memory(ctx, "fuzz.md", md, len, &doc);
    kh_doc_drop(doc);
    kh_ctx_drop(ctx);
  }
  free(md);
  return 0;
}
