/* Unit tests of the tagged PDF's structure tree (src/pdf/tag.c) for the node
 * kinds that the page stage does not draw yet: a footnote and its reference
 * with a link each way, figures with and without alt text and a caption,
 * a table caption, ruby.  Pages of hand-made items go through the PDF
 * writer; the file is written to KH_TEST_OUT for tests/tagcheck.py (the
 * structure against the content, pdfinfo -struct-text) and checked here for
 * the elements and the warning. */
#include <string.h>
#include <zlib.h>

#include "check.h"
#include "pdf/pdf.h"

static int contains_raw(const char *s, size_t len, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= len; i++)
    if (!memcmp(s + i, needle, n)) return 1;
  return 0;
}

/* The needle in the file's bytes or in any of its Flate streams (the
 * structure elements live in compressed object streams). */
static int contains(const char *s, size_t len, const char *needle) {
  if (contains_raw(s, len, needle)) return 1;
  for (size_t i = 0; i + 7 < len; i++) {
    if (memcmp(s + i, "stream\n", 7)) continue;
    z_stream z = {0};
    if (inflateInit(&z) != Z_OK) return 0;
    static char buf[1 << 20];
    z.next_in = (Bytef *)(s + i + 7);
    z.avail_in = (uInt)(len - i - 7);
    z.next_out = (Bytef *)buf;
    z.avail_out = sizeof buf;
    int rc = inflate(&z, Z_FINISH);
    size_t got = sizeof buf - z.avail_out;
    inflateEnd(&z);
    if ((rc == Z_STREAM_END || rc == Z_BUF_ERROR) && contains_raw(buf, got, needle)) return 1;
  }
  return 0;
}

static kh_status mem_write(void *user, const void *data, size_t len) {
  return kh_buf_append(user, data, len);
}

static kh_node *leaf(kh_node *n, kh_node_kind kind, const char *style, const char *text) {
  memset(n, 0, sizeof *n);
  n->kind = kind;
  n->style = style;
  n->text.text = text;
  n->text.len = (uint32_t)strlen(text);
  return n;
}

/* A glyph run of font 0 drawing `text` (one glyph per character). */
static kh_item glyphs(const kh_fontset *fonts, kh_pglyph *g, const char *text,
                      const kh_node *node, const kh_mark *mark, kh_fixed x, kh_fixed y) {
  kh_item it = {0};
  it.kind = KH_ITEM_GLYPHS;
  it.node = node;
  it.mark = mark;
  it.font = 0;
  it.size = KH_PT(10.5);
  it.x = x;
  it.y = y;
  size_t i = 0, len = strlen(text);
  while (i < len) {
    size_t at = i;
    int32_t cp = kh_utf8_next(text, len, &i);
    memset(&g[it.n], 0, sizeof g[it.n]);
    g[it.n].gid = kh_font_glyph(kh_fontset_get(fonts, 0), cp);
    g[it.n].x = x + KH_PT(10.5) * it.n;
    g[it.n].adv = KH_PT(10.5);
    g[it.n].text = text + at;
    g[it.n].text_len = (uint32_t)(i - at);
    it.n++;
  }
  it.glyphs = g;
  return it;
}

int main(void) {
  kh_ctx *ctx = kh_ctx_new();
  unsigned warnings = 0;
  kh_ctx_set_diag(ctx, kh_test_capture, &warnings);
  kh_layout *L = NULL;
  kh_fontset *fonts = NULL;
  CHECK(kh_layout_load(ctx, "press-release", &L) == KH_OK);
  CHECK(L && kh_fontset_new(ctx, L, &fonts) == KH_OK);
  if (!fonts) goto done;

  /* the document: title, a paragraph with a footnote reference and ruby,
   * a figure with alt text and caption, one without, a captioned table */
  kh_node title, para, note, note_p, fig, fig_noalt, cap, table, row, cell, ruby_p;
  leaf(&title, KH_NODE_PARA, "title", "脚注と図");
  leaf(&para, KH_NODE_PARA, "body", "本文1です");
  leaf(&note_p, KH_NODE_PARA, "body", "注の本文");
  memset(&note, 0, sizeof note);
  note.kind = KH_NODE_FOOTNOTE;
  note.child = &note_p;
  note.number = 1;
  kh_mark footref = {6, 7, KH_MARK_FOOTREF, NULL, &note, NULL};
  para.text.marks = &footref;
  para.text.nmarks = 1;
  leaf(&fig, KH_NODE_FIGURE, "figure", "図1 収穫量");
  fig.alt = "収穫量の推移を示す棒グラフ";
  leaf(&fig_noalt, KH_NODE_FIGURE, "figure", "");
  leaf(&cap, KH_NODE_CAPTION, "caption", "表1 一覧");
  memset(&table, 0, sizeof table);
  table.kind = KH_NODE_TABLE;
  memset(&row, 0, sizeof row);
  row.kind = KH_NODE_ROW;
  row.header = 1;
  leaf(&cell, KH_NODE_CELL, "cell", "項目");
  table.child = &row;
  row.child = &cell;
  leaf(&ruby_p, KH_NODE_PARA, "body", "漢字です");
  kh_mark ruby = {0, 6, KH_MARK_RUBY, NULL, NULL, "かんじ"};
  ruby_p.text.marks = &ruby;
  ruby_p.text.nmarks = 1;
  title.next = &para;
  para.next = &fig;
  fig.next = &fig_noalt;
  fig_noalt.next = &cap;
  cap.next = &table;
  table.next = &ruby_p;
  kh_part part = {0};
  part.body = &title;
  part.notes = &note;
  kh_doc doc = {0};
  doc.parts = &part;
  doc.title = "脚注と図";
  doc.lang = "ja";

  kh_pdf_meta meta = {doc.title, NULL, NULL, "kumihan test", 0, "ja", &doc, 1, 0, 0};
  kh_pdf *pdf = NULL;
  kh_buf file = {0};
  warnings = 0;
  CHECK(kh_pdf_new(ctx, fonts, &meta, KH_PT(595), KH_PT(842), mem_write, &file, &pdf) ==
        KH_OK);
  CHECK_EQ_INT(warnings, 1); /* the figure without alt text */
  CHECK(strstr(kh_test_last, "no alt text") != NULL);
  if (!pdf) goto done;

  kh_pglyph g[8][16];
  kh_item items[16];
  uint32_t n = 0;
  kh_fixed y = KH_PT(100), pitch = KH_PT(17);
  items[n] = glyphs(fonts, g[0], "脚注と図", &title, NULL, KH_PT(72), y), n++;
  items[n] = glyphs(fonts, g[1], "本文", &para, NULL, KH_PT(72), y += pitch), n++;
  items[n] = glyphs(fonts, g[2], "1", &para, &footref, KH_PT(93), y), n++;
  kh_item link = {0};
  link.kind = KH_ITEM_LINK;
  link.node = &para;
  link.mark = &footref;
  link.x = KH_PT(93), link.x2 = KH_PT(100), link.y = y - KH_PT(9), link.y2 = y;
  link.href = "https://example.com/#note1";
  items[n++] = link;
  items[n] = glyphs(fonts, g[3], "です", &para, NULL, KH_PT(103.5), y), n++;
  kh_item frame = {0}; /* the figure's drawing, as a rule here */
  frame.kind = KH_ITEM_LINE;
  frame.node = &fig;
  frame.x = KH_PT(72), frame.x2 = KH_PT(300), frame.y = frame.y2 = y += pitch;
  frame.width = KH_PT(1);
  items[n++] = frame;
  items[n] = glyphs(fonts, g[4], "図1", &fig, NULL, KH_PT(72), y += pitch), n++;
  items[n] = glyphs(fonts, g[5], "表1", &cap, NULL, KH_PT(72), y += pitch), n++;
  items[n] = glyphs(fonts, g[6], "項目", &cell, NULL, KH_PT(72), y += pitch), n++;
  items[n] = glyphs(fonts, g[7], "漢字", &ruby_p, &ruby, KH_PT(72), y += pitch), n++;
  kh_pglyph gn[8];
  items[n] = glyphs(fonts, gn, "注の本文", &note_p, NULL, KH_PT(72), KH_PT(780)), n++;
  kh_item back = link; /* the note's link back to its reference */
  back.node = &note_p;
  back.mark = NULL;
  back.y = KH_PT(771), back.y2 = KH_PT(780);
  back.href = "https://example.com/#ref1";
  items[n++] = back;
  kh_page page = {.items = items, .n = n, .width = KH_PT(595), .height = KH_PT(842)};
  CHECK(kh_pdf_add_page(pdf, &page) == KH_OK);
  CHECK(kh_pdf_finish(pdf, NULL, 0) == KH_OK);
  kh_pdf_drop(pdf);
  unsigned char *out = (unsigned char *)file.data;
  size_t len = file.len;
  if (out) {
    const char *s = (const char *)out;
    CHECK(contains(s, len, "/S/Note"));
    CHECK(contains(s, len, "/S/Reference"));
    CHECK(contains(s, len, "/ID(note00000001)"));
    CHECK(contains(s, len, "/IDTree"));
    CHECK(contains(s, len, "/S/Figure"));
    CHECK(contains(s, len, "/S/Caption"));
    CHECK(contains(s, len, "/S/Ruby"));
    CHECK(contains(s, len, "/S/RB"));
    FILE *f = fopen(KH_TEST_OUT "/tags-synthetic.pdf", "wb");
    CHECK(f != NULL);
    if (f) {
      CHECK(fwrite(out, 1, len, f) == len);
      fclose(f);
    }
  }
  free(out);
done:
  kh_fontset_drop(fonts);
  kh_layout_drop(L);
  kh_ctx_drop(ctx);
  return kh_test_report();
}
