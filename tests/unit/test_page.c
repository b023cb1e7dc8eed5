/* Unit tests of the page stage's figures, before the Markdown side makes
 * them: a document from memory gets KH_NODE_FIGURE nodes built here, and
 * goes through the same stages as the driver's build.  Writes the PDF to
 * argv[1] for the pdfimages and pdftotext checks (tests/CMakeLists.txt).
 *   test_page OUT.pdf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pdf/pdf.h"

#define FIG KH_TEST_DATA "/figures/"

typedef struct driver {
  kh_ctx *ctx;
  const kh_layout *layout;
  const kh_fontset *fonts;
  kh_pdf *pdf;
} driver;

static kh_status compose(void *user, kh_arena *arena, const kh_node *node,
                         const kh_pstyle *style, const char *marker, kh_fixed measure, kh_writing_mode mode,
                         kh_lines *out) {
  driver *d = user;
  kh_spara *sp = kh_arena_alloc(arena, sizeof *sp);
  kh_shaped *sh = kh_arena_alloc(arena, sizeof *sh);
  if (!sp || !sh) return KH_NOMEM;
  kh_status ret = kh_style_para(d->ctx, arena, d->layout, node, style, marker, measure, mode, sp);
  if (ret == KH_OK) ret = kh_shape_para(d->ctx, arena, d->fonts, d->layout, sp, sh);
  if (ret == KH_OK) ret = kh_para_compose(d->ctx, arena, sh, 0, out);
  return ret;
}

static kh_status sink(void *user, const kh_page *page, uint32_t index) {
  (void)index;
  driver *d = user;
  return kh_pdf_add_page(d->pdf, page);
}

/* A figure node after `after`, its caption `caption`, at the source offset
 * of `after` (so errors name that line). */
static kh_node *figure(kh_doc *doc, kh_node *after, const char *image, const char *caption,
                       int permille) {
  kh_node *n = kh_arena_alloc(doc->arena, sizeof *n);
  if (!n) return NULL;
  memset(n, 0, sizeof *n);
  n->kind = KH_NODE_FIGURE;
  n->style = "figure";
  n->image = image;
  n->alt = caption;
  n->text.text = caption;
  n->text.len = (uint32_t)strlen(caption);
  n->text.src = after->text.src;
  n->width_permille = permille;
  n->pos = after->pos;
  n->next = after->next;
  after->next = n;
  return n;
}

/* The PDF's bytes, into a buffer. */
static kh_status append(void *user, const void *data, size_t len) {
  return kh_buf_append(user, data, len);
}

/* Builds `md` with a figure of each image after its first paragraphs. */
static kh_status build(kh_ctx *ctx, const char *md, const char *const *images, int nimages,
                       unsigned char **pdf, size_t *len) {
  kh_status ret = KH_OK;
  kh_doc *doc = NULL;
  kh_layout *layout = NULL;
  kh_fontset *fonts = NULL;
  kh_outline *outline = NULL;
  driver d = {ctx, NULL, NULL, NULL};
  kh_buf out = {0};
  *pdf = NULL;
  *len = 0;
  KH_CHECK(kh_doc_load_memory(ctx, "fig.md", md, strlen(md), &doc));
  kh_node *at = doc->parts->body;
  for (int i = 0; i < nimages && at; i++) {
    kh_node *f = figure(doc, at, images[i], i % 2 ? "図2　圃場の様子" : "図1　収量の推移",
                        i == 0 ? 600 : 0);
    if (!f) {
      ret = KH_NOMEM;
      goto cleanup;
    }
    at = f->next ? f->next : f;
  }
  KH_CHECK(kh_layout_load(ctx, "press-release", &layout));
  KH_CHECK(kh_fontset_new(ctx, layout, &fonts));
  d.layout = layout;
  d.fonts = fonts;
  kh_pdf_meta meta = {"figures", NULL, NULL, "kumihan", 0, "ja", doc, 0, 0, 0};
  KH_CHECK(kh_pdf_new(ctx, fonts, &meta, layout->page_w, layout->page_h, append, &out,
                      &d.pdf));
  KH_CHECK(kh_page_build(ctx, doc, layout, compose, sink, &d, &outline));
  KH_CHECK(kh_pdf_finish(d.pdf, outline->entries, outline->n));
  *pdf = (unsigned char *)out.data;
  *len = out.len;
  out.data = NULL;
cleanup:
  kh_buf_free(&out);
  kh_pdf_drop(d.pdf);
  kh_outline_drop(outline);
  kh_fontset_drop(fonts);
  kh_layout_drop(layout);
  kh_doc_drop(doc);
  return ret;
}

static unsigned ndiag;

int main(int argc, char **argv) {
  const char *md = "---\ntitle: 図の試験\n---\n\n"
                   "本文の第一段落。下に図を置く。\n\n"
                   "第二段落。図の後に続く本文。\n\n"
                   "第三段落。\n\n"
                   "第四段落。\n";
  kh_ctx *ctx = kh_ctx_new();
  kh_ctx_set_diag(ctx, kh_test_capture, &ndiag);
  CHECK(kh_ctx_allow_path(ctx, KH_TEST_DATA) == KH_OK);
  /* a PNG at 60% of the measure, a JPEG, the same PNG again: two images */
  const char *images[] = {FIG "yield.png", FIG "field.jpg", FIG "yield.png"};
  unsigned char *pdf = NULL;
  size_t len = 0;
  CHECK(build(ctx, md, images, 3, &pdf, &len) == KH_OK);
  CHECK_EQ_INT(kh_ctx_error_count(ctx), 0);
  if (pdf && argc > 1) {
    FILE *f = fopen(argv[1], "wb");
    CHECK(f && fwrite(pdf, 1, len, f) == len);
    if (f) fclose(f);
  }
  free(pdf);
  pdf = NULL;

  /* a file that is no image: an error at the figure's line, no PDF */
  const char *garbage[] = {FIG "garbage.png"};
  CHECK(build(ctx, md, garbage, 1, &pdf, &len) != KH_OK);
  CHECK(pdf == NULL);
  CHECK(strstr(kh_test_last, "fig.md:2:8: error: image") != NULL);
  CHECK(strstr(kh_test_last, "corrupt") != NULL);
  /* a PNG cut short: its header is whole, its data is not; libharu says
   * so, and the error still names the figure's line */
  const char *truncated[] = {FIG "truncated.png"};
  CHECK(build(ctx, md, truncated, 1, &pdf, &len) != KH_OK);
  CHECK(pdf == NULL);
  CHECK(strstr(kh_test_last, "fig.md:2:8: error: image") != NULL);
  /* a file that is not there */
  const char *missing[] = {FIG "missing.png"};
  CHECK(build(ctx, md, missing, 1, &pdf, &len) != KH_OK);
  CHECK(strstr(kh_test_last, "fig.md:2:8: error:") != NULL);
  kh_ctx_drop(ctx);
  return kh_test_report();
}
