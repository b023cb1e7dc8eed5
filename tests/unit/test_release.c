/* Unit tests: the document's blocks and source text given back behind the
 * page builder (doc/store.c) change nothing a build makes.
 *
 * A long generated document with everything that reads a block after it is
 * placed or reads the source after its pages (footnotes referred to before
 * and after their definitions, which stand in the middle; tables with their
 * caption below, moved above; headings a running head prints with
 * {section}; a template printing {pages}, whose first pass reads every
 * block; lists, boxes, code, ruby, links; a warning repeated past its
 * folding, whose summary names a line given back long before) is built
 * with every top-level block a group of its own (ctx->doc_group_bytes = 1),
 * with groups of 4 kB, and as one group.  Released memory faults when read,
 * so a forgotten reader crashes this test; the PDFs and every diagnostic
 * (with its source excerpt) must be the same byte for byte. */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "check.h"
#include "kumihan.h"

static void put(kh_buf *b, const char *s) { kh_buf_append(b, s, strlen(s)); }

/* The document: `layout` names its layout, `page` its page template. */
static char *make_doc(const char *layout, const char *page) {
  kh_buf b = {0};
  kh_buf_printf(&b, "---\ntitle: 返す試験\ndate: 2022-03-31\nlayout: %s\n%s%s%s---\n\n", layout,
                page ? "page: " : "", page ? page : "", page ? "\n" : "");
  for (int i = 0; i < 90; i++) {
    kh_buf_printf(&b, "## 見出し%d\n\n", i);
    kh_buf_printf(&b,
                  "段落%dの本文は、まちづくりの{取組|とりくみ}を述べる。注の参照[^n%d]と"
                  "[リンク](https://example.com/%d)と**強調**がある。",
                  i, i % 6, i);
    for (int k = 0; k < 6; k++) put(&b, "都市の課題を解決し、新たな価値を創出する。");
    if (i % 4 == 1 && i > 30) put(&b, "<span>未対応</span>"); /* a warning, folded */
    put(&b, "\n行を継ぐ二行目の文。\n\n");
    if (i % 7 == 3) {
      kh_buf_printf(&b, "| 項目 | 値 |\n|---|---|\n| 甲%d | 一 |\n| 乙 | 二 |\n\n: 表%d 下の見出し\n\n",
                    i, i);
    }
    if (i % 5 == 2) {
      put(&b, "1. 第一の項目\n2. 第二の項目\n   - 入れ子の項目\n\n> 囲みの文章。\n\n");
      put(&b, "```\ncode line one\ncode line two\n```\n\n");
    }
    if (i == 80) /* another warning: the position last looked up moves on */
      put(&b, "<div>\n未対応の塊\n</div>\n\n");
    if (i == 45) /* the definitions, in the middle */
      for (int k = 0; k < 6; k++)
        kh_buf_printf(&b, "[^n%d]: 注%dの本文。参照より前にも後にもある。\n\n", k, k);
  }
  return b.data;
}

typedef struct built {
  unsigned char *pdf;
  size_t len;
  kh_buf diags; /* each diagnostic's text and excerpt */
  int ok;
} built;

static void record(void *user, const kh_diagnostic *d) {
  kh_buf *b = user;
  kh_buf_printf(b, "%s\n%s\n", d->text, d->excerpt ? d->excerpt : "");
}

static void build(const char *md, uint32_t group, const char *layout_dir, built *out) {
  memset(out, 0, sizeof *out);
  kh_ctx *ctx = kh_ctx_new();
  if (layout_dir) kh_ctx_set_layout_dir(ctx, layout_dir);
  kh_ctx_set_diagnostic_fn(ctx, record, &out->diags);
  kh_ctx_set_source_date_epoch(ctx, 0);
  ctx->doc_group_bytes = group;
  out->ok = kh_build_memory(ctx, "release.md", md, strlen(md), &out->pdf, &out->len) == KH_OK;
  kh_ctx_drop(ctx);
}

static void same(const char *layout, const char *page, const char *layout_dir) {
  char *md = make_doc(layout, page);
  built one, every, small;
  build(md, UINT32_MAX, layout_dir, &one);
  build(md, 1, layout_dir, &every);
  build(md, 4096, layout_dir, &small);
  CHECK(one.ok && every.ok && small.ok);
  if (!one.ok && one.diags.data) fputs(one.diags.data, stderr);
  CHECK(one.len > 10000);
  CHECK(one.len == every.len && !memcmp(one.pdf, every.pdf, one.len));
  CHECK(one.len == small.len && !memcmp(one.pdf, small.pdf, one.len));
  /* the folded warnings' summary names the first hidden one's line */
  CHECK(one.diags.data && strstr(one.diags.data, "more warnings of this kind"));
  CHECK(one.diags.len == every.diags.len && !memcmp(one.diags.data, every.diags.data, one.diags.len));
  CHECK(one.diags.len == small.diags.len && !memcmp(one.diags.data, small.diags.data, one.diags.len));
  built *all[] = {&one, &every, &small};
  for (int i = 0; i < 3; i++) {
    free(all[i]->pdf);
    kh_buf_free(&all[i]->diags);
  }
  free(md);
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  same("press-release", NULL, NULL);
  /* {section} in the running head; {pages} in the folio (two passes) */
  same("layout", "release", KH_TEST_DATA "/pages");
  same("layout", "wide", KH_TEST_DATA "/pages");
  return kh_test_report();
}
