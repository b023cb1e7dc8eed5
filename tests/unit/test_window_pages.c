/* Unit tests: the page stage holds one window of a long paragraph at a
 * time (para/window.c).  The paragraph is composed here in windows, as the
 * driver composes it, and each window's arena is given a large block of
 * ballast; the heap in use when a window after the first is asked for
 * (glibc's mallinfo2) shows whether any window before it is still held.
 * Where the allocator is not glibc's (the sanitizer build), the ballast
 * does not show and the check says it is skipped. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "page/page.h"

#define WINDOW 4096u
#define BALLAST ((size_t)32 << 20)

typedef struct driver {
  kh_ctx *ctx;
  const kh_layout *layout;
  const kh_fontset *fonts;
  size_t base;      /* heap in use when the first window was asked for */
  size_t seen;      /* the ballast as the heap counts it (0: not seen) */
  size_t most;      /* the most heap in use when a later window was */
  unsigned windows; /* windows composed */
} driver;

static size_t heap(void) {
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

static kh_status compose(void *user, kh_arena *arena, const kh_node *node,
                         const kh_pstyle *style, const char *marker, kh_fixed measure,
                         kh_writing_mode mode, kh_lines *out) {
  driver *d = user;
  kh_spara *sp = kh_arena_alloc(arena, sizeof *sp);
  kh_shaped *sh = kh_arena_alloc(arena, sizeof *sh);
  if (!sp || !sh) return KH_NOMEM;
  out->next = 0;
  int windowed = out->window && node->text.len > WINDOW;
  uint32_t from = out->from;
  if (windowed) {
    size_t now = heap();
    if (from == 0) d->base = now;
    else if (now - d->base > d->most) d->most = now - d->base;
  }
  kh_status ret = kh_style_para(d->ctx, arena, d->layout, node, style, marker, measure, mode, sp);
  if (ret != KH_OK) return ret;
  if (!windowed) {
    ret = kh_shape_para(d->ctx, arena, d->fonts, d->layout, sp, sh);
    return ret == KH_OK ? kh_para_compose(d->ctx, arena, sh, 0, out) : ret;
  }
  uint32_t to = sp->len - from > WINDOW ? from + WINDOW : sp->len;
  while (to > from && to < sp->len && ((unsigned char)sp->text[to] & 0xC0) == 0x80) to--;
  kh_spara *w = kh_arena_alloc(arena, sizeof *w);
  if (!w) return KH_NOMEM;
  if ((ret = kh_style_window(arena, sp, style, from, to, w)) != KH_OK) return ret;
  /* the ballast: freed with the window's arena */
  size_t before = heap();
  void *ballast = malloc(BALLAST);
  if (!ballast || kh_arena_adopt(arena, ballast) != KH_OK) {
    free(ballast);
    return KH_NOMEM;
  }
  if (from == 0) d->seen = heap() - before >= BALLAST ? BALLAST : 0;
  d->windows++;
  if ((ret = kh_shape_para(d->ctx, arena, d->fonts, d->layout, w, sh)) != KH_OK) return ret;
  out->from = from;
  return kh_para_compose_window(d->ctx, arena, sh, 0, to == sp->len, out);
}

static kh_status sink(void *user, const kh_page *page, uint32_t index) {
  (void)user, (void)page, (void)index;
  return KH_OK;
}

int main(void) {
  const char *s = "住民・事業者・行政が連携し、移動を支える仕組みです。";
  kh_buf md = {0};
  kh_buf_printf(&md, "# 長い段落\n\n");
  while (md.len < 30000) kh_buf_append(&md, s, strlen(s));
  kh_buf_printf(&md, "\n\n次の段落。\n");
  kh_ctx *ctx = kh_ctx_new();
  kh_ctx_set_diag(ctx, kh_test_capture, NULL);
  kh_doc *doc = NULL;
  kh_layout *layout = NULL;
  kh_fontset *fonts = NULL;
  kh_outline *outline = NULL;
  driver d = {ctx, NULL, NULL, 0, 0, 0, 0};
  CHECK(kh_doc_load_memory(ctx, "long.md", md.data, md.len, &doc) == KH_OK);
  CHECK(kh_layout_load(ctx, "press-release", &layout) == KH_OK);
  CHECK(layout && kh_fontset_new(ctx, layout, &fonts) == KH_OK);
  d.layout = layout;
  d.fonts = fonts;
  if (doc && fonts) CHECK(kh_page_build(ctx, doc, layout, compose, sink, &d, &outline) == KH_OK);
  CHECK(d.windows >= 5);
  if (d.seen) {
    /* one window's ballast at most is held when the next is asked for:
     * the one before it is dropped first (none was held twice) */
    CHECK(d.most < BALLAST);
    fprintf(stderr, "%u windows; the most heap held as one was asked for: %zu kB\n",
            d.windows, d.most >> 10);
  } else {
    fprintf(stderr, "skipped: the heap does not show the ballast (not glibc's malloc)\n");
  }
  kh_outline_drop(outline);
  kh_fontset_drop(fonts);
  kh_layout_drop(layout);
  kh_doc_drop(doc);
  kh_ctx_drop(ctx);
  kh_buf_free(&md);
  return kh_test_report();
}
