/* Unit tests: a long paragraph composed a window at a time (para/window.c)
 * sets the same text in lines of the same kind as the paragraph composed
 * whole.  The window is made small (ctx->para_window) so that a paragraph
 * of some 40 kB crosses a dozen windows; the lines are read from the
 * "lines" trace of both builds (folios left out: a page's folio is
 * composed when the page ends, which comes sooner when the paragraph is
 * placed a window at a time). */
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "base/base.h"
#include "check.h"
#include "kumihan.h"

typedef struct trace {
  char *buf;
  size_t len;
  unsigned lines, short_lines, indented, overfull;
  kh_buf text; /* every line's text, white space dropped */
  long width;  /* the widest w=, in thousandths of a point */
} trace;

static long thousandths(const char *s) {
  long a = strtol(s, (char **)&s, 10);
  long b = *s == '.' ? strtol(s + 1, NULL, 10) : 0;
  return a * 1000 + b;
}

/* Reads "  [w=W adj=... x0=...] text|" lines. */
static void read_trace(trace *t) {
  char *save = NULL;
  for (char *ln = strtok_r(t->buf, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
    if (strncmp(ln, "  [w=", 5)) continue;
    long w = thousandths(ln + 5);
    char *close = strchr(ln, ']');
    char *bar = strrchr(ln, '|');
    if (!close || !bar) continue;
    /* a folio: composed when its page ends, which is sooner in windows */
    if (strspn(close + 2, "0123456789") == (size_t)(bar - close - 2)) continue;
    t->lines++;
    if (w > t->width) t->width = w;
    *close = 0;
    if (strstr(ln, " x0=")) t->indented++;
    if (strstr(ln, " overfull")) t->overfull++;
    for (char *c = close + 2; c < bar; c++)
      if (*c != ' ' && *c != '\n') kh_buf_append(&t->text, c, 1);
  }
}

static void count_short(trace *t, const char *copy) {
  /* a second pass, now that the measure (the widest line) is known */
  const char *p = copy;
  while ((p = strstr(p, "  [w="))) {
    const char *text = strstr(p, "] "), *bar = text ? strchr(text, '|') : NULL;
    int folio = text && bar && strspn(text + 2, "0123456789") == (size_t)(bar - text - 2);
    if (!folio && thousandths(p + 5) < t->width) t->short_lines++;
    p += 5;
  }
}

static char layout_dir[64]; /* press-release with 'pdf-a: false' */

/* Builds `md` with paragraphs composed in windows of `window` bytes, its
 * `kind` trace into *buf and its diagnostics to `diag`; the warnings'
 * count into *nwarnings (when given).  Whether the build succeeded. */
static int traced_build(uint32_t window, const char *md, kh_trace_stage kind, int own_layout,
                        kh_diag_fn diag, void *user,
                        char **buf, size_t *len, unsigned *nwarnings) {
  kh_ctx *ctx = kh_ctx_new();
  if (own_layout && layout_dir[0]) kh_ctx_set_layout_dir(ctx, layout_dir);
  kh_ctx_set_diag(ctx, diag, user);
  kh_ctx_set_source_date_epoch(ctx, 0);
  ctx->para_window = window;
  FILE *f = open_memstream(buf, len);
  kh_ctx_set_trace(ctx, kind, f);
  unsigned char *pdf = NULL;
  size_t pdf_len = 0;
  kh_status ret = kh_build_memory(ctx, "window.md", md, strlen(md), &pdf, &pdf_len);
  fclose(f);
  free(pdf);
  if (nwarnings) *nwarnings = ctx->nwarnings;
  kh_ctx_drop(ctx);
  return ret == KH_OK;
}

static int build(uint32_t window, const char *md, trace *t) {
  int ok = traced_build(window, md, KH_TRACE_LINES, 0, kh_test_capture, NULL, &t->buf, &t->len,
                        NULL);
  char *copy = strdup(t->buf);
  read_trace(t);
  count_short(t, copy);
  free(copy);
  return ok;
}

/* ---- a build's pages and diagnostics -----------------------------------*/

typedef struct built {
  char *pages; /* the "pages" trace: every item at its place */
  size_t len;
  kh_buf diags; /* every diagnostic's first line, one a line */
  unsigned nwarnings;
} built;

static void collect_diag(void *user, kh_severity sev, const char *line) {
  (void)sev;
  kh_buf *b = user;
  kh_buf_append(b, line, strlen(line));
  kh_buf_append(b, "\n", 1);
}

static int build_pages(uint32_t window, const char *md, built *out) {
  memset(out, 0, sizeof *out);
  return traced_build(window, md, KH_TRACE_PAGES, 1, collect_diag, &out->diags, &out->pages,
                      &out->len, &out->nwarnings);
}

static void built_free(built *b) {
  free(b->pages);
  kh_buf_free(&b->diags);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The diagnostics' lines, sorted (windows give a paragraph's warnings a
 * window at a time: shaping's and composition's interleave). */
static char *sorted_diags(const kh_buf *b) {
  char *copy = strndup(b->data ? b->data : "", b->len);
  size_t n = 0;
  for (char *c = copy; *c; c++) n += *c == '\n';
  char **ls = calloc(n + 1, sizeof *ls);
  size_t k = 0;
  char *save = NULL;
  for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) ls[k++] = l;
  qsort(ls, k, sizeof *ls, cmp_str);
  kh_buf out = {0};
  for (size_t i = 0; i < k; i++) kh_buf_printf(&out, "%s\n", ls[i]);
  free(ls);
  free(copy);
  char *r = strndup(out.data ? out.data : "", out.len);
  kh_buf_free(&out);
  return r;
}

/* A paragraph of some 40 kB in 4 kB windows sets the very same pages as
 * composed whole (every line, its glyphs and their places), and gives the
 * very same diagnostics: characters no font has, spread over the whole
 * paragraph, each warned of once (shaping sees the text after a window's
 * kept lines twice: with its window and with the next). */
static void same_lines_and_diagnostics(void) {
  /* a layout that draws .notdef: a PDF/A file may not (an error) */
  const char *dir = getenv("KUMIHAN_LAYOUT_DIR");
  snprintf(layout_dir, sizeof layout_dir, "/tmp/kh-window-XXXXXX");
  CHECK(dir && mkdtemp(layout_dir));
  char from[4096], to[128];
  snprintf(from, sizeof from, "%s/press-release.yaml", dir ? dir : ".");
  snprintf(to, sizeof to, "%s/press-release.yaml", layout_dir);
  FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
  CHECK(in && out);
  char buf[4096];
  for (size_t n; in && out && (n = fread(buf, 1, sizeof buf, in)) > 0;) fwrite(buf, 1, n, out);
  if (out) fputs("\npdf-a: false\n", out);
  if (in) fclose(in);
  if (out) fclose(out);
  static const char *const pieces[] = {
      "スマートシティの実装に向けた実証事業に取り組む皆様へ、知見集を公開します。",
      "国土交通省は、open data platform と呼ぶ基盤を2022年3月31日に公開しました。",
      "タイ文字のกは、どのフォントにもない文字です。",
      "「都市の課題」を**データ**で解決する（実証実験）取組を進めます。",
      "ABC-123/456 のような識別子や、https://example.jp/a/very/long/path/name も含みます。",
      "ここで改行します。\\\n",
      "住民・事業者・行政が連携し、10km圏内の移動を支える仕組みです。"};
  kh_buf md = {0};
  kh_buf_printf(&md, "# 長い段落\n\n");
  for (int i = 0; md.len < 40000; i++) {
    const char *s = pieces[(i * 5 + i / 7) % 7];
    kh_buf_append(&md, s, strlen(s));
  }
  kh_buf_printf(&md, "\n\n次の段落。\n");
  built whole, win;
  CHECK(build_pages(0, md.data, &whole));
  CHECK(build_pages(4096, md.data, &win));
  CHECK(whole.len > 40000);
  CHECK_EQ_INT(win.len, whole.len);
  CHECK(win.len == whole.len && memcmp(win.pages, whole.pages, whole.len) == 0);
  CHECK(strstr(whole.diags.data, "U+0E01") != NULL);
  CHECK(whole.nwarnings > 20);
  CHECK_EQ_INT(win.nwarnings, whole.nwarnings);
  char *a = sorted_diags(&whole.diags), *b = sorted_diags(&win.diags);
  CHECK(strcmp(a, b) == 0);
  free(a);
  free(b);
  built_free(&whole);
  built_free(&win);
  kh_buf_free(&md);
  remove(to);
  rmdir(layout_dir);
  layout_dir[0] = 0;
}

/* The widow rule (a page ends a line early rather than carry a
 * paragraph's last line alone to the next) is a rule of the paragraph's
 * end: a paragraph composed in windows of 2 kB keeps it.  A lead of 1 to 45
 * one-line paragraphs moves the long one's end down the page a line at a
 * time, so that some build would end a page at its last line but one; in
 * none does the last page hold that line alone, and the rule is seen to
 * act (composed whole or in windows, the paragraph's lines may differ:
 * total fit chooses over a whole window, not the whole paragraph). */
static void widow_in_last_window(void) {
  const char *s = "住民・事業者・行政が連携し、移動を支える仕組みです。";
  int widows = 0, alone = 0;
  for (int lead = 1; lead <= 45; lead++) {
    kh_buf md = {0};
    for (int i = 0; i < lead; i++) kh_buf_printf(&md, "一行の段落%d。\n\n", i);
    while (md.len < (size_t)lead * 20 + 9000) kh_buf_append(&md, s, strlen(s));
    kh_buf_printf(&md, "\n");
    built win;
    CHECK(build_pages(2048, md.data, &win));
    widows += strstr(win.pages, "short: widow") != NULL;
    const char *last = win.pages, *p = win.pages;
    while ((p = strstr(p, "\npage "))) last = ++p;
    const char *used = strstr(last, " lines ");
    if (used && atoi(used + 7) < 2) {
      alone++;
      fprintf(stderr, "lead %d: the paragraph's last line alone on its page\n", lead);
    }
    built_free(&win);
    kh_buf_free(&md);
  }
  CHECK(widows > 0);
  CHECK_EQ_INT(alone, 0);
}

int main(void) {
  static const char *const pieces[] = {
      "スマートシティの実装に向けた実証事業に取り組む皆様へ、知見集を公開します。",
      "国土交通省は、open data platform と呼ぶ基盤を2022年3月31日に公開しました。",
      "詳しくは[都市局のページ](https://example.jp/toshi)をご覧ください。",
      "「都市の課題」を**データ**で解決する（実証実験）取組を進めます。",
      "ABC-123/456 のような識別子や、https://example.jp/a/very/long/path/name も含みます。",
      "ここで改行します。\\\n",
      "住民・事業者・行政が連携し、10km圏内の移動を支える仕組みです。"};
  kh_buf md = {0};
  kh_buf_append(&md, "# 長い段落\n\n", strlen("# 長い段落\n\n"));
  for (int i = 0; md.len < 40000; i++) {
    const char *s = pieces[(i * 5 + i / 7) % 7];
    kh_buf_append(&md, s, strlen(s));
  }
  kh_buf_append(&md, "\n\n次の段落。\n", strlen("\n\n次の段落。\n"));
  kh_buf_append(&md, "", 1); /* NUL */

  trace whole = {0}, win = {0};
  CHECK(build(0, md.data, &whole));
  CHECK(build(4096, md.data, &win));
  /* the same text, nothing lost or set twice */
  CHECK(whole.text.len > 30000);
  CHECK_EQ_INT(win.text.len, whole.text.len);
  CHECK(whole.text.len == win.text.len &&
        memcmp(whole.text.data, win.text.data, whole.text.len) == 0);
  /* lines of the same kind: as many short lines (last lines, lines before
   * a forced break, the heading), one indent (the paragraph's first line,
   * not each window's), no overfull line */
  CHECK(whole.lines > 300);
  CHECK_EQ_INT(win.width, whole.width);
  CHECK_EQ_INT(win.short_lines, whole.short_lines);
  CHECK_EQ_INT(win.indented, whole.indented);
  CHECK_EQ_INT(win.overfull, whole.overfull);
  CHECK(win.lines + 2 >= whole.lines && win.lines <= whole.lines + 2);
  fprintf(stderr, "whole: %u lines (%u short), windows: %u lines (%u short)\n", whole.lines,
          whole.short_lines, win.lines, win.short_lines);

  free(whole.buf);
  free(win.buf);
  kh_buf_free(&whole.text);
  kh_buf_free(&win.text);

  /* windows of nothing but white space (no line of their own) in the
   * middle of a paragraph: the text after them is still set */
  md.len = 0;
  kh_buf_append(&md, "前の文。", strlen("前の文。"));
  for (int i = 0; i < 20000; i++) kh_buf_append(&md, " ", 1);
  kh_buf_append(&md, "後の文。\n", strlen("後の文。\n"));
  kh_buf_append(&md, "", 1);
  trace spw = {0}, spc = {0};
  CHECK(build(0, md.data, &spw));
  CHECK(build(4096, md.data, &spc));
  CHECK_EQ_INT(spc.text.len, spw.text.len);
  CHECK(spc.text.len == spw.text.len && spc.text.len > strlen("前の文。") &&
        memcmp(spc.text.data, spw.text.data, spc.text.len) == 0);
  free(spw.buf);
  free(spc.buf);
  kh_buf_free(&spw.text);
  kh_buf_free(&spc.text);
  kh_buf_free(&md);
  same_lines_and_diagnostics();
  widow_in_last_window();
  return kh_test_report();
}
