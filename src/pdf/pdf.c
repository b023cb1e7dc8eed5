/* pdf: blocks on pages -> PDF (libharu).
 *
 * libharu makes the document: pages, their content streams (Flate), link
 * annotations, PNG images, the outline and the Info dictionary.  Glyph runs
 * are written as raw operators into the page's content stream, showing glyph
 * IDs through the fonts of embed.c (ISO 32000-1, 9.4 Text Objects):
 *
 *   BT /KH0 10.5 Tf 1 0 0 1 x y Tm [<0F3A0F3B>-120<0412>] TJ ET
 *
 * Each glyph must land at its kh_pglyph.x, so the TJ adjustments are
 * computed in integers from where the previous glyph's width (as written in
 * /W, whole units) leaves the pen.  The pen is tracked exactly, so rounding
 * never accumulates along a line, and a drift below 1/1000 pt is left alone:
 * full-width Japanese at its natural advance needs no numbers at all.  Numbers
 * are printed from integers with at most three decimals: no locale, no floating
 * point in the content we write.
 *
 * Text extraction: each font's ToUnicode maps a glyph to the text of the
 * first cluster that drew it; a cluster whose glyphs would extract as
 * something else is wrapped in a /Span with /ActualText (14.9.4), and so is a
 * colour emoji drawn as an image, with a blank glyph inside that extracts as
 * the emoji for readers that pass over ActualText (the stand-in font,
 * embed.c).
 *
 * Reproducible: no clock (dates come from kh_pdf_meta) and the trailer /ID
 * is an MD5 of the file's bytes (write.c). */
#include <stdlib.h>
#include <string.h>

#include <hb-ot.h>
#include <hb.h>
#include <png.h>

#include "pdf/tag.h"

/* Deepest outline level kept; deeper entries hang under the last one. */
#define OUTLINE_DEPTH 16
/* The longest outline title and Info string, in UTF-16 code units: libharu
 * refuses binary strings beyond HPDF_LIMIT_MAX_STRING_LEN bytes. */
#define TEXT_MAX_UNITS 16384
/* U+3000 IDEOGRAPHIC SPACE, the invisible stand-in glyph of an emoji. */
#define IDEOGRAPHIC_SPACE 0x3000
static const char ideographic_space_utf8[] = "\xE3\x80\x80";

typedef struct image_entry {
  int font;
  uint32_t gid;
  HPDF_Image image; /* NULL: the glyph has no PNG (warned once) */
} image_entry;

/* A figure's image file, embedded once however often it is drawn. */
typedef struct figure_entry {
  const char *path; /* the item's, compared by content */
  char *owned;      /* a copy: items are freed with their page */
  HPDF_Image image;
} figure_entry;

/* A place inside the document that links lead to (a footnote, a footnote
 * reference), and a link's destination still waiting for its place. */
typedef struct anchor_entry {
  const void *key;
  uint32_t page;
  int64_t x, top; /* kh_fixed, from the page's bottom-left */
} anchor_entry;

typedef struct dest_wait {
  const void *key;
  HPDF_Array dest;
} dest_wait;

struct kh_pdf {
  kh_pdf_lib lib;
  KH_VEC(anchor_entry) anchors;
  KH_VEC(dest_wait) waiting;
  kh_pdf_meta meta; /* its strings must live until kh_pdf_finish */
  kh_fixed page_w, page_h;
  const kh_fontset *set;
  kh_pdf_fonts *fonts;
  int nfonts;
  KH_VEC(HPDF_Page) page_of; /* libharu page per page index */
  KH_VEC(kh_fixed) page_height; /* and its height */
  uint32_t outline_root;        /* the outline's object ID, 0: none */
  HPDF_Page page;       /* the page being drawn */
  HPDF_Dict page_fonts; /* its /Resources /Font, once created */
  uint8_t *on_page;     /* per font, then per vertical font (nfonts +
                           font): already in page_fonts */
  uint8_t *warned;      /* per font: "cannot embed" already said */
  KH_VEC(image_entry) images;
  KH_VEC(figure_entry) figures;
  kh_buf ops;       /* operators of the item being drawn */
  kh_pdf_out *out;  /* the file being written */
  /* The page's text state (9.3), which lasts across text objects: the
   * font and size of the last Tf (font -1: none yet), the character
   * spacing Tc in millionths of a point, and whether a BT is open with
   * the start of its last line (Td) at lx, ly (1/1000 pt). */
  int cur_font;
  int64_t cur_size, cur_tc;
  int in_text;
  int64_t lx, ly;
  unsigned char digest[16]; /* the XMP's document ID (xmp.c) */
  kh_pdf_tags *tags;        /* the structure tree (tag.c) */
  kh_fixed tail_x;          /* the run being drawn is followed on its line,
                               across a ruby base's spacing, by a glyph at
                               this x (0: not so) */
};
typedef struct kh_pdf writer;

static void HPDF_STDCALL on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no,
                                  void *user) {
  kh_pdf_lib *lib = user;
  if (!lib->error) { /* the first error is the cause, the rest follow it */
    lib->error = error_no;
    lib->detail = detail_no;
  }
}

/* ---- numbers -------------------------------------------------------------*/

/* a / b rounded half away from zero, b > 0. */
static int64_t div_round(int64_t a, int64_t b) {
  return a >= 0 ? (a + b / 2) / b : -((-a + b / 2) / b);
}

/* A distance of `d` / 65536 thousandths of a point in 1e-9 em at `size`
 * (1/1000 pt): d * 1e9 / (65536 * size), where 1e9 / 65536 is 1953125 /
 * 128.  In two steps, so that no product leaves 64 bits however far a
 * glyph lies from its line's start (a line overfull with an unbreakable URL
 * runs tens of thousands of points); rounded as in one step. */
static int64_t nano_em(int64_t d, int64_t size) {
  const int64_t den = 128 * size;
  return d / den * 1953125 + div_round(d % den * 1953125, den);
}

/* kh_fixed -> 1/1000 pt */
static int64_t milli(int64_t fixed) {
  return div_round(fixed * 1000, KH_FIXED_ONE);
}

/* v / 10^decimals as a content-stream number, without the 0 before the
 * point: .5 and -.25 are numbers as much as 0.5 and -0.25 (7.3.3), and
 * one byte shorter in every TJ number and Tc below a unit. */
static kh_status put_num(kh_buf *b, int64_t v, unsigned decimals) {
  size_t at = b->len;
  kh_status ret = kh_pdf_put_decimal(b, v, decimals);
  if (ret != KH_OK)
    return ret;
  size_t lead = at + (v < 0); /* where the integer part starts */
  if (b->len > lead + 1 && b->data[lead] == '0' && b->data[lead + 1] == '.') {
    memmove(b->data + lead, b->data + lead + 1, b->len - lead - 1);
    b->len--;
  }
  return KH_OK;
}

/* 1/1000 pt, or 1/1000 of a glyph space unit in TJ, with three decimals. */
static kh_status put_milli(kh_buf *b, int64_t m) {
  return put_num(b, m, 3);
}

/* libharu's drawing calls take floats; rules, images and rectangles need no
 * more than float precision. */
static HPDF_REAL pt(int64_t fixed) {
  return (HPDF_REAL)((double)fixed / KH_FIXED_ONE);
}

/* ---- fonts on pages ------------------------------------------------------*/

/* Whether a glyph run can be drawn: a font that cannot be embedded (colour
 * bitmaps only, or CFF outlines) is a warning, once, and its runs are left
 * out rather than drawn with a font the viewer would have to invent. */
static kh_status glyphs_drawable(writer *w, const kh_item *it, int *ok) {
  *ok = 0;
  if (it->font < 0 || it->font >= w->nfonts)
    return kh_error_file(w->lib.ctx, NULL, KH_LIBRARY,
                         "internal: a glyph run uses font %d of %d", it->font,
                         w->nfonts);
  if (it->n == 0 || milli(it->size) <= 0)
    return KH_OK;
  if (!kh_pdf_fonts_embeddable(w->fonts, it->font)) {
    if (!w->warned[it->font]) {
      w->warned[it->font] = 1;
      kh_warning(w->lib.ctx, (kh_srcpos){0},
                 "font %s has no TrueType outlines to embed; its text is "
                 "left out of the PDF",
                 kh_font_path(kh_fontset_get(w->set, it->font)));
    }
    return KH_OK;
  }
  *ok = 1;
  return KH_OK;
}

/* The invisible glyph drawn inside an emoji's span, or -1 for none. */
static int64_t emoji_stand_in(const writer *w, const kh_item *it) {
  if (it->n == 0 || it->glyphs[0].text_len == 0 || w->nfonts == 0 ||
      !kh_pdf_fonts_embeddable(w->fonts, 0) || it->x2 <= it->x)
    return -1;
  return kh_font_glyph(kh_fontset_get(w->set, 0), IDEOGRAPHIC_SPACE);
}

/* The glyphs of a run and their text.  A glyph that does not start its
 * cluster is noted with its cluster's text, so that every glyph drawn has a
 * ToUnicode entry (PDF/A-2u 6.2.11.7.2); such a cluster is drawn in an
 * ActualText span, so the text is not doubled.  Under PDF/A, .notdef is
 * never drawn (6.2.11.8): shape/ refuses the characters no font has. */
static kh_status note_glyphs(writer *w, const kh_item *it) {
  kh_status ret = KH_OK;
  const char *cluster = NULL;
  uint32_t cluster_len = 0;
  for (uint32_t g = 0; g < it->n; g++) {
    const kh_pglyph *pg = &it->glyphs[g];
    if (pg->gid == 0 && w->meta.pdfa)
      return kh_error_file(w->lib.ctx, NULL, KH_FONT,
                           "a character no font has would be drawn as .notdef, "
                           "which PDF/A forbids");
    if (pg->text && pg->text_len) {
      cluster = pg->text;
      cluster_len = pg->text_len;
      KH_CHECK(kh_pdf_fonts_note(w->fonts, it->font, pg->gid, pg->text, pg->text_len));
    } else {
      KH_CHECK(kh_pdf_fonts_note(w->fonts, it->font, pg->gid, cluster, cluster_len));
    }
  }
cleanup:
  return ret;
}

/* Before a page is drawn: every glyph on it and its text, so that each
 * ToUnicode entry is the first text a glyph stands for in the document and
 * drawing knows which clusters need ActualText.  Pages come in order, so a
 * glyph's entry is settled by the time it is drawn. */
static kh_status note_page(writer *w, const kh_page *pg) {
  kh_status ret = KH_OK;
  for (uint32_t i = 0; i < pg->n; i++) {
    const kh_item *it = &pg->items[i];
    if (it->kind == KH_ITEM_GLYPHS) {
      int ok;
      KH_CHECK(glyphs_drawable(w, it, &ok));
      if (ok)
        KH_CHECK(note_glyphs(w, it));
      for (uint32_t g = 0; ok && (it->flags & KH_ITEM_UPRIGHT) && g < it->n; g++)
        KH_CHECK(kh_pdf_fonts_note_vertical(w->fonts, it->font, it->glyphs[g].gid));
    } else if (it->kind == KH_ITEM_IMAGE) {
      int64_t gid = emoji_stand_in(w, it);
      if (gid >= 0)
        KH_CHECK(kh_pdf_fonts_note(w->fonts, 0, (uint32_t)gid, ideographic_space_utf8, 3));
    }
  }
cleanup:
  return ret;
}

/* The font number of the stand-in font (kh_pdf_fonts_stand_in) on a page
 * and in the text state: after the fonts and their vertical fonts. */
#define STAND_IN_FONT(w) ((w)->nfonts * 2)

/* Puts the font (with `vertical`, its Identity-V font; font
 * STAND_IN_FONT, the stand-in font) in the current page's /Resources
 * /Font. */
static kh_status page_font_of(writer *w, int font, int vertical, const char **name) {
  kh_status ret = KH_OK;
  HPDF_Dict dict;
  if (font == STAND_IN_FONT(w))
    KH_CHECK(kh_pdf_fonts_use_stand_in(w->fonts, &dict, name));
  else if (vertical)
    KH_CHECK(kh_pdf_fonts_use_vertical(w->fonts, font, &dict, name));
  else
    KH_CHECK(kh_pdf_fonts_use(w->fonts, font, &dict, name));
  font += vertical ? w->nfonts : 0;
  if (w->on_page[font])
    return KH_OK;
  if (!w->page_fonts) {
    HPDF_Dict res =
        HPDF_Page_GetInheritableItem(w->page, "Resources", HPDF_OCLASS_DICT);
    if (!res)
      return kh_pdf_lib_fail(&w->lib, 0, "finding page resources");
    HPDF_Dict fonts = HPDF_Dict_GetItem(res, "Font", HPDF_OCLASS_DICT);
    if (!fonts) {
      fonts = HPDF_Dict_New(kh_pdf_mmgr(&w->lib));
      KH_CHECK(kh_pdf_lib_check(&w->lib, HPDF_Dict_Add(res, "Font", fonts),
                                "adding page resources"));
    }
    w->page_fonts = fonts;
  }
  KH_CHECK(kh_pdf_lib_check(&w->lib, HPDF_Dict_Add(w->page_fonts, *name, dict),
                            "adding a font to a page"));
  w->on_page[font] = 1;
cleanup:
  return ret;
}

/* Appends the operators to the page's content stream. */
static kh_status emit(writer *w) {
  kh_status ret = kh_pdf_lib_check(
      &w->lib, kh_pdf_page_write(w->page, w->ops.data, w->ops.len), "writing a page");
  w->ops.len = 0;
  return ret;
}

/* Ends the open text object, if any.  Glyph runs leave theirs open so that
 * the runs of a line share one BT ... ET; anything else drawn ends it. */
static kh_status text_end(writer *w) {
  if (!w->in_text)
    return KH_OK;
  w->in_text = 0;
  kh_buf tail = w->ops;
  w->ops = (kh_buf){0};
  kh_status ret = kh_pdf_tags_close(w->tags, &w->ops); /* a held sequence */
  if (ret == KH_OK)
    ret = kh_buf_append(&w->ops, "ET\n", 3);
  if (ret == KH_OK)
    ret = emit(w);
  kh_buf_free(&w->ops);
  w->ops = tail;
  return ret;
}

/* Writes the operators in w->ops, after ending an open text object: for
 * everything but glyph runs (marked-content operators, spans, images). */
static kh_status flush_ops(writer *w) {
  kh_status ret = text_end(w);
  return ret == KH_OK ? emit(w) : ret;
}

/* ---- glyph runs ----------------------------------------------------------*/

/* A TJ array being written: whether "[" and a "(" string are open, where
 * the "[" is, and whether a number has been written in it.  Glyph codes are
 * written as the bytes of literal strings (7.3.4.2), half the length of hex
 * strings; an array without a number is shown with Tj. */
typedef struct tj {
  kh_buf *b;
  int open, str, nums;
  size_t at; /* offset of the "[" */
} tj;

static kh_status tj_close(tj *t) {
  kh_status ret = KH_OK;
  if (t->str)
    KH_CHECK(kh_buf_append(t->b, ")", 1));
  if (t->open && !t->nums) { /* [(...)] TJ is (...) Tj */
    memmove(t->b->data + t->at, t->b->data + t->at + 1, t->b->len - t->at - 1);
    t->b->len--;
    KH_CHECK(kh_buf_append(t->b, "Tj\n", 3));
  } else if (t->open) {
    KH_CHECK(kh_buf_append(t->b, "]TJ\n", 4));
  }
  t->open = t->str = t->nums = 0;
cleanup:
  return ret;
}

static kh_status tj_open(tj *t) {
  if (t->open)
    return KH_OK;
  t->open = 1;
  t->at = t->b->len;
  return kh_buf_append(t->b, "[", 1);
}

/* A TJ number for a pen `over` 1e-9 em past where the next glyph goes, in
 * 1e-6 em (TJ's thousandths of a unit): to the nearest tenth of a unit,
 * 1/10,000 em (0.00105 pt at 10.5 pt), so none while the pen is within
 * 1/20,000 em.  The pen is tracked from the numbers as written, so the
 * rounding is carried to the next glyph and never adds up along a line:
 * every glyph lands within 1/20,000 em of its place (0.0005 pt at 10.5
 * pt; a 2,400 dpi device pixel is 0.03 pt), where three decimals (0.098,
 * 12.521, for /W widths rounded to whole units and spacing that is not
 * in them) bought nothing a device can show. */
static int64_t tj_round(int64_t over) {
  return div_round(over, 100000) * 100;
}

static kh_status tj_adjust(tj *t, int64_t milli_units) {
  kh_status ret = KH_OK;
  KH_CHECK(tj_open(t));
  if (t->str)
    KH_CHECK(kh_buf_append(t->b, ")", 1));
  t->str = 0;
  t->nums = 1;
  KH_CHECK(put_milli(t->b, milli_units));
cleanup:
  return ret;
}

/* The bytes of a glyph code in a literal string, with the bytes that would
 * end it or be read otherwise escaped: ( ) \ and CR, which a reader turns
 * into LF (7.3.4.2). */
static kh_status put_bytes(kh_buf *b, const unsigned char *code, unsigned len) {
  char out[6];
  size_t n = 0;
  for (unsigned i = 0; i < len; i++) {
    char c = (char)code[i];
    if (c == '(' || c == ')' || c == '\\')
      out[n++] = '\\', out[n++] = c;
    else if (c == '\r')
      out[n++] = '\\', out[n++] = 'r';
    else
      out[n++] = c;
  }
  return kh_buf_append(b, out, n);
}

/* A two-byte code (the stand-in font's, Identity-H). */
static kh_status put_code(kh_buf *b, uint32_t code) {
  unsigned char c[2] = {(unsigned char)(code >> 8), (unsigned char)code};
  return put_bytes(b, c, 2);
}

/* The glyph of CID `cid` in the TJ array, in its short code (embed.c)
 * with `shortc`, else in two bytes. */
static kh_status tj_glyph(tj *t, uint32_t cid, int shortc) {
  kh_status ret = KH_OK;
  unsigned char c[2];
  KH_CHECK(tj_open(t));
  if (!t->str)
    KH_CHECK(kh_buf_append(t->b, "(", 1));
  t->str = 1;
  if (shortc)
    KH_CHECK(put_bytes(t->b, c, kh_pdf_code_bytes(cid, c)));
  else
    KH_CHECK(put_code(t->b, cid));
cleanup:
  return ret;
}

/* An ActualText span; tag.c writes it, as it must split the structure's
 * marked content around it. */
static kh_status put_actual_text(writer *w, kh_buf *b, const char *text, size_t len) {
  return kh_pdf_tags_actual_text(w->tags, b, text, len);
}

/* Whether the cluster starting at glyph i would extract as something other
 * than its text through the ToUnicode entries. */
static int cluster_needs_span(const writer *w, const kh_item *it, uint32_t i) {
  for (uint32_t j = i; j < it->n; j++) {
    const kh_pglyph *g = &it->glyphs[j];
    if (j > i && g->text_len > 0)
      break;
    uint32_t len = (j == i && g->text) ? g->text_len : 0;
    if (kh_pdf_fonts_text_differs(w->fonts, it->font, g->gid, g->text, len))
      return 1;
  }
  return 0;
}

/* End (exclusive) of the cluster that starts at glyph i. */
static uint32_t cluster_end(const kh_item *it, uint32_t i) {
  uint32_t j = i + 1;
  while (j < it->n && it->glyphs[j].text_len == 0) j++;
  return j;
}

/* End of the group of clusters from glyph i whose glyph boxes overlap their
 * neighbours'.  JLReq spacing of consecutive punctuation (）、 」「 。」)
 * sets a full-width glyph half an em into the next one's box; extractors
 * that group by boxes then misplace or split the characters, so such a
 * group is given one ActualText span (14.9.4) with its text in order. */
static uint32_t overlap_group_end(const writer *w, const kh_item *it, uint32_t i) {
  uint32_t end = cluster_end(it, i);
  while (end < it->n) {
    const kh_pglyph *last = &it->glyphs[end - 1], *next = &it->glyphs[end];
    int64_t box = (int64_t)kh_pdf_fonts_width(w->fonts, it->font, last->gid) * it->size / 1000;
    if ((int64_t)next->x >= (int64_t)last->x + box - KH_FIXED_ONE / 100) break;
    end = cluster_end(it, end);
  }
  return end;
}

static kh_status put_group_text(writer *w, kh_buf *b, const kh_item *it, uint32_t i,
                                uint32_t end) {
  kh_buf text = {0};
  kh_status ret = KH_OK;
  for (uint32_t k = i; k < end; k++)
    if (it->glyphs[k].text_len)
      KH_CHECK(kh_buf_append(&text, it->glyphs[k].text, it->glyphs[k].text_len));
  KH_CHECK(put_actual_text(w, b, text.data ? text.data : "", text.len));
cleanup:
  kh_buf_free(&text);
  return ret;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* Character spacing (Tc, 9.3.2) for a run, in millionths of a point: the
 * space that most of its glyphs leave after their /W advance.  A justified
 * line expands (or compresses) every gap between its characters by the same
 * amount, so one Tc replaces a TJ number per glyph; the gaps that differ
 * (JLReq spacing around punctuation, rounding) keep their TJ numbers, and
 * the pen tracking in draw_glyphs keeps every glyph where it was.  Returns
 * the current Tc when no amount is shared by most gaps. */
static kh_status run_spacing(const writer *w, const kh_item *it, int64_t *tc) {
  *tc = w->cur_tc;
  if (it->n < 3)
    return KH_OK;
  int64_t small[64], *gap = small;
  if (it->n - 1 > 64 && !(gap = malloc((it->n - 1) * sizeof *gap)))
    return KH_NOMEM;
  size_t n = 0;
  for (uint32_t i = 1; i < it->n; i++) {
    const kh_pglyph *a = &it->glyphs[i - 1], *b = &it->glyphs[i];
    if (a->dy != b->dy)
      continue;
    int64_t adv = (int64_t)kh_pdf_fonts_width(w->fonts, it->font, a->gid) * it->size;
    /* the gap in millionths of a point: (x diff - advance) / 65536 * 1e6 */
    gap[n++] = div_round((((int64_t)b->x - a->x) * 1000 - adv) * 1000, KH_FIXED_ONE);
  }
  /* the widest run of gaps within 2/1000 pt of each other */
  qsort(gap, n, sizeof *gap, cmp_i64);
  size_t best = 0, at = 0;
  for (size_t lo = 0, hi = 0; hi < n; hi++) {
    while (gap[hi] - gap[lo] > 2000)
      lo++;
    if (hi - lo + 1 > best)
      best = hi - lo + 1, at = lo;
  }
  if (best * 2 > n) {
    int64_t median = gap[at + best / 2];
    if (median - w->cur_tc > 1000 || w->cur_tc - median > 1000)
      *tc = median;
  } else if (n > 0) {
    *tc = 0;
  }
  if (gap != small)
    free(gap);
  return KH_OK;
}

/* Opens a text object unless one is open: its line matrix starts at the
 * origin (9.4.2). */
static kh_status text_begin(writer *w) {
  if (w->in_text)
    return KH_OK;
  w->in_text = 1;
  w->lx = w->ly = 0;
  return kh_buf_append(&w->ops, "BT\n", 3);
}

/* Sets the font and size unless they are already the text state's. */
static kh_status text_font(writer *w, int font, const char *name, int64_t size) {
  kh_status ret = KH_OK;
  if (w->cur_font == font && w->cur_size == size)
    return KH_OK;
  KH_CHECK(kh_buf_append(&w->ops, "/", 1));
  KH_CHECK(kh_buf_append(&w->ops, name, strlen(name)));
  KH_CHECK(kh_buf_append(&w->ops, " ", 1));
  KH_CHECK(put_milli(&w->ops, size));
  KH_CHECK(kh_buf_append(&w->ops, " Tf\n", 4));
  w->cur_font = font;
  w->cur_size = size;
cleanup:
  return ret;
}

/* Starts a new line at (x, y), 1/1000 pt, relative to the last (Td). */
static kh_status text_move(writer *w, int64_t x, int64_t y) {
  kh_status ret = KH_OK;
  KH_CHECK(put_milli(&w->ops, x - w->lx));
  KH_CHECK(kh_buf_append(&w->ops, " ", 1));
  KH_CHECK(put_milli(&w->ops, y - w->ly));
  KH_CHECK(kh_buf_append(&w->ops, " Td\n", 4));
  w->lx = x;
  w->ly = y;
cleanup:
  return ret;
}

/* A ruby base spaced out for a reading wider than it (JLReq 3.3.6) leaves
 * gaps between its characters and around it.  Extractors read a gap
 * between two glyph boxes as a word space (pdftotext gave 羅 生 門), so the
 * base, and the character before it, are each drawn inside an ActualText
 * span (14.9.4) with the gap after each glyph set as character spacing
 * (Tc, 9.3.2) rather than a TJ number: a span's box runs to the end of its
 * last glyph's advance, Tc included, so it meets the next glyph, and the
 * span's text is read whole.  Tc is back to the run's own before the span
 * ends. */
static int ruby_base(const kh_item *it) {
  return it->kind == KH_ITEM_GLYPHS && it->mark && (it->mark->flags & KH_MARK_RUBY) &&
         !(it->flags & (KH_ITEM_RUBY | KH_ITEM_EMPHASIS));
}

/* The space between glyph a's advance and x, in millionths of a point. */
static int64_t space_to(const writer *w, const kh_item *it, const kh_pglyph *a, kh_fixed x) {
  int64_t adv = (int64_t)kh_pdf_fonts_width(w->fonts, it->font, a->gid) * it->size;
  return div_round((((int64_t)x - a->x) * 1000 - adv) * 1000, KH_FIXED_ONE);
}

/* The x of the glyph that follows run i on its line across a ruby base's
 * spacing (the run is a ruby base, or the next one is), else 0. */
static kh_fixed spaced_tail(const writer *w, const kh_page *pg, uint32_t i) {
  const kh_item *it = &pg->items[i], *next = i + 1 < pg->n ? &pg->items[i + 1] : NULL;
  if (it->kind != KH_ITEM_GLYPHS || !next || next->kind != KH_ITEM_GLYPHS || !it->n ||
      !next->n || !it->line || next->line != it->line || next->y != it->y ||
      (it->flags | next->flags) & (KH_ITEM_UPRIGHT | KH_ITEM_SIDEWAYS | KH_ITEM_TCY))
    return 0;
  if (!ruby_base(it) && !ruby_base(next)) return 0;
  if (space_to(w, it, &it->glyphs[it->n - 1], next->glyphs[0].x) <= 1000) return 0;
  return next->glyphs[0].x;
}

/* Whether ruby base run `it` is spaced out between its glyphs. */
static int spaced_base(const writer *w, const kh_item *it) {
  if (!ruby_base(it)) return 0;
  for (uint32_t i = 0; i + 1 < it->n; i++)
    if (it->glyphs[i + 1].dy == it->glyphs[i].dy &&
        space_to(w, it, &it->glyphs[i], it->glyphs[i + 1].x) > 1000)
      return 1;
  return 0;
}

/* The resource name of a run's font (its Identity-V font with
 * `vertical`) on the page, or NULL when the run cannot be drawn. */
static kh_status run_font(writer *w, const kh_item *it, int vertical, const char **name) {
  int ok;
  *name = NULL;
  kh_status ret = glyphs_drawable(w, it, &ok);
  if (ret != KH_OK || !ok)
    return ret;
  return page_font_of(w, it->font, vertical, name);
}

/* A glyph run being drawn: its TJ array, its open ActualText span (14.9.4)
 * and the glyph where that ends, its size as written after Tf (1/1000 pt),
 * its baseline offset, and whether it stands upright in a column. */
typedef struct run_draw {
  tj t;
  int span_open;
  uint32_t span_end;
  int64_t size;
  kh_fixed seg_dy;
  int vertical;
  int drawn; /* 0: the run cannot be drawn (glyphs_drawable) */
} run_draw;

/* Opens run `it` in the text object, with its font (its Identity-V font
 * with `vertical`) and size, unless it cannot be drawn. */
static kh_status run_begin(writer *w, const kh_item *it, int vertical, run_draw *r) {
  kh_status ret = KH_OK;
  const char *name = NULL;
  *r = (run_draw){{&w->ops, 0, 0, 0, 0}, 0, 0, milli(it->size), 0, vertical, 0};
  KH_CHECK(run_font(w, it, vertical, &name));
  if (!name)
    return KH_OK;
  KH_CHECK(text_begin(w));
  KH_CHECK(text_font(w, it->font + (vertical ? w->nfonts : 0), name, r->size));
  r->drawn = 1;
cleanup:
  return ret;
}

/* At glyph i, where a cluster starts: ends the open span if it ends here,
 * and opens the one the text from i needs, if any.  A horizontal run may
 * need one span to its end (`spaced`: a ruby base spaced out from glyph 0,
 * or the last character before a gap by one, see ruby_base) or one over
 * clusters whose boxes overlap (overlap_group_end); any cluster whose
 * glyphs would extract as other text (cluster_needs_span) gets one of its
 * own. */
static kh_status cluster_span(writer *w, const kh_item *it, uint32_t i, int spaced,
                              run_draw *r) {
  kh_status ret = KH_OK;
  if (r->span_open && i >= r->span_end) {
    KH_CHECK(tj_close(&r->t));
    KH_CHECK(kh_pdf_tags_actual_text_end(w->tags, r->t.b, 1));
    r->span_open = 0;
  }
  if (r->span_open)
    return KH_OK;
  const kh_pglyph *g = &it->glyphs[i];
  uint32_t cend = cluster_end(it, i);
  uint32_t group = r->vertical ? cend : overlap_group_end(w, it, i);
  if (!r->vertical && ((spaced && i == 0) || (w->tail_x && cend == it->n))) {
    /* one span to the run's end, whose box reaches the next glyph */
    KH_CHECK(tj_close(&r->t));
    KH_CHECK(put_group_text(w, r->t.b, it, i, it->n));
    r->span_end = it->n;
  } else if (group > cend) {
    KH_CHECK(tj_close(&r->t));
    KH_CHECK(put_group_text(w, r->t.b, it, i, group));
    r->span_end = group;
  } else if (cluster_needs_span(w, it, i)) {
    KH_CHECK(tj_close(&r->t));
    KH_CHECK(put_actual_text(w, r->t.b, g->text, g->text ? g->text_len : 0));
    r->span_end = cend;
  } else {
    return KH_OK;
  }
  r->span_open = 1;
cleanup:
  return ret;
}

/* After a run's last glyph: closes its TJ array and its open span. */
static kh_status run_end(writer *w, run_draw *r) {
  kh_status ret = tj_close(&r->t);
  if (ret != KH_OK || !r->span_open)
    return ret;
  r->span_open = 0;
  return kh_pdf_tags_actual_text_end(w->tags, r->t.b, 0);
}

static kh_status draw_glyphs(writer *w, const kh_item *it) {
  kh_status ret = KH_OK;
  run_draw r;
  KH_CHECK(run_begin(w, it, 0, &r));
  if (!r.drawn)
    return KH_OK;

  kh_buf *b = &w->ops;
  const int64_t size = r.size;
  int64_t x0 = 0;     /* the line's x, 1/1000 pt */
  int64_t pen = 0;    /* where the current glyph starts: 1e-9 em from x0 */
  int64_t prev_w = 0; /* the previous glyph's advance, 1e-9 em */
  int64_t tc;

  KH_CHECK(run_spacing(w, it, &tc));
  if (tc != w->cur_tc) {
    KH_CHECK(put_num(b, tc, 6));
    KH_CHECK(kh_buf_append(b, " Tc\n", 4));
    w->cur_tc = tc;
  }
  /* Tc in 1e-9 em: tc * 1e-6 pt / (size * 1e-3 pt) * 1e9 */
  const int64_t pen_tc = div_round(tc * 1000000, size);
  const int spaced = spaced_base(w, it);
  KH_CHECK(kh_pdf_tags_begin(w->tags, it, b)); /* inside the text object */
  for (uint32_t i = 0; i < it->n; i++) {
    const kh_pglyph *g = &it->glyphs[i];
    if (i == 0 || g->text_len > 0) /* a cluster starts */
      KH_CHECK(cluster_span(w, it, i, spaced, &r));
    if (i == 0 || g->dy != r.seg_dy) {
      /* A new baseline offset: a new line in the text object (dy is in
       * page space, positive downwards, like the item's y). */
      KH_CHECK(tj_close(&r.t));
      x0 = milli(g->x);
      KH_CHECK(text_move(w, x0, milli((int64_t)w->page_h - it->y - g->dy)));
      pen = 0;
      r.seg_dy = g->dy;
    } else {
      /* The glyph's x from x0 in 1e-9 em (nano_em) */
      int64_t target = nano_em((int64_t)g->x * 1000 - x0 * KH_FIXED_ONE, size);
      int64_t over = pen + prev_w - target; /* where the pen would overshoot */
      /* TJ number: 1/1000 glyph unit = 1e-6 em */
      int64_t adjust = tj_round(over);
      if (adjust != 0)
        KH_CHECK(tj_adjust(&r.t, adjust));
      pen += prev_w - adjust * 1000;
    }
    /* a ruby base's spacing after this glyph as Tc (ruby_base above) */
    int64_t gtc = tc, gap = 0;
    if (i + 1 < it->n && spaced && it->glyphs[i + 1].dy == g->dy)
      gap = space_to(w, it, g, it->glyphs[i + 1].x);
    else if (i + 1 == it->n && w->tail_x)
      gap = space_to(w, it, g, w->tail_x);
    if (gap > 1000) /* over a thousandth of a point */
      gtc = gap;
    if (gtc != w->cur_tc) {
      KH_CHECK(tj_close(&r.t));
      KH_CHECK(put_num(b, gtc, 6));
      KH_CHECK(kh_buf_append(b, " Tc\n", 4));
      w->cur_tc = gtc;
    }
    KH_CHECK(tj_glyph(&r.t, kh_pdf_fonts_cid(w->fonts, it->font, g->gid),
                        kh_pdf_fonts_short(w->fonts, it->font)));
    prev_w = (int64_t)kh_pdf_fonts_width(w->fonts, it->font, g->gid) * 1000000 +
             (gtc == tc ? pen_tc : div_round(gtc * 1000000, size));
  }
  KH_CHECK(tj_close(&r.t));
  if (w->cur_tc != tc) { /* the run's own spacing for what follows */
    KH_CHECK(put_num(b, tc, 6));
    KH_CHECK(kh_buf_append(b, " Tc\n", 4));
    w->cur_tc = tc;
  }
  KH_CHECK(run_end(w, &r));
  kh_pdf_tags_hold(w->tags); /* ended by the next item, or at ET */
  KH_CHECK(emit(w)); /* the text object stays open for the next run */
cleanup:
  return ret;
}

/* ---- images --------------------------------------------------------------*/

/* libharu writes an indexed PNG's palette into the image's /ColorSpace as
 * a hex string, outside every stream (the emoji's: 690 bytes).  The lookup
 * table may as well be a stream (8.6.6.3), which is compressed: the
 * /ColorSpace is made again with the same palette as a Flate stream.  hival
 * is the palette's entries less one, as libharu writes it. */
static kh_status palette_as_stream(writer *w, HPDF_Image image) {
  /* asked by name first: HPDF_Dict_GetItem records an error when the item
   * is of another type, which a /DeviceRGB name would be */
  const char *space = HPDF_Image_GetColorSpace(image);
  if (!space || strcmp(space, "Indexed") != 0)
    return KH_OK;
  HPDF_Array cs = HPDF_Dict_GetItem(image, "ColorSpace", HPDF_OCLASS_ARRAY);
  if (!cs || HPDF_Array_Items(cs) != 4)
    return KH_OK;
  HPDF_Name kind = HPDF_Array_GetItem(cs, 0, HPDF_OCLASS_NAME);
  HPDF_Name base = HPDF_Array_GetItem(cs, 1, HPDF_OCLASS_NAME);
  HPDF_Binary lookup = HPDF_Array_GetItem(cs, 3, HPDF_OCLASS_BINARY);
  if (!kind || !base || !lookup || strcmp(HPDF_Name_GetValue(kind), "Indexed") != 0 ||
      strcmp(HPDF_Name_GetValue(base), "DeviceRGB") != 0)
    return KH_OK;
  HPDF_UINT len = HPDF_Binary_GetLen(lookup);
  if (len == 0 || len % 3 != 0 || len > 256 * 3)
    return KH_OK;
  HPDF_Dict s = kh_pdf_stream_new(&w->lib, 1);
  HPDF_Array ncs = HPDF_Array_New(kh_pdf_mmgr(&w->lib));
  if (!s || !ncs)
    return kh_pdf_lib_fail(&w->lib, 0, "writing an image's palette");
  HPDF_STATUS st = kh_pdf_stream_write(s, HPDF_Binary_GetValue(lookup), len);
  st |= HPDF_Array_AddName(ncs, "Indexed");
  st |= HPDF_Array_AddName(ncs, "DeviceRGB");
  st |= HPDF_Array_AddNumber(ncs, (HPDF_INT32)(len / 3 - 1));
  st |= HPDF_Array_Add(ncs, s);
  st |= HPDF_Dict_Add(image, "ColorSpace", ncs);
  return kh_pdf_lib_check(&w->lib, st, "writing an image's palette");
}

/* The glyph's PNG as an image XObject, loaded once per (font, glyph). */
static kh_status image_of(writer *w, int font, uint32_t gid, HPDF_Image *out) {
  kh_status ret = KH_OK;
  for (size_t i = 0; i < w->images.n; i++)
    if (w->images.v[i].font == font && w->images.v[i].gid == gid) {
      *out = w->images.v[i].image;
      return KH_OK;
    }
  image_entry e = {font, gid, NULL};
  const kh_font *f = kh_fontset_get(w->set, font);
  hb_blob_t *png = hb_ot_color_glyph_reference_png(kh_font_hb_font(f), gid);
  unsigned len = 0;
  const char *data = hb_blob_get_data(png, &len);
  if (len == 0) {
    kh_warning(w->lib.ctx, (kh_srcpos){0},
               "no colour bitmap for glyph %u of %s; the emoji is not drawn",
               gid, kh_font_path(f));
  } else {
    e.image =
        HPDF_LoadPngImageFromMem(w->lib.doc, (const HPDF_BYTE *)data, len);
    if (!e.image) {
      ret = kh_pdf_lib_fail(&w->lib, 0, "loading an emoji's PNG");
    } else {
      /* libharu compresses the colour data but stores the soft mask it
       * makes from the alpha channel or tRNS uncompressed. */
      HPDF_Dict smask = HPDF_Dict_GetItem(e.image, "SMask", HPDF_OCLASS_DICT);
      kh_pdf_stream_flate(smask);
      ret = palette_as_stream(w, e.image);
    }
  }
  hb_blob_destroy(png);
  if (ret == KH_OK)
    ret = kh_vec_push(&w->images, e);
  *out = e.image;
  return ret;
}

/* ---- figures -------------------------------------------------------------*/

/* A PNG decoded whole with libpng's simplified API before libharu sees
 * it: libharu 2.3.0 sets no recovery point for libpng's errors, so a
 * corrupt PNG would abort the process inside it. */
static kh_status png_valid(kh_ctx *ctx, kh_srcpos pos, const char *name, const void *d,
                           size_t len) {
  png_image img;
  memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&img, d, len))
    return kh_error(ctx, pos, KH_SYNTAX, "image '%s' is corrupt: %s", name, img.message);
  img.format = PNG_FORMAT_RGBA;
  if ((uint64_t)img.width * img.height > 64u * 1024 * 1024) {
    png_image_free(&img);
    return kh_error(ctx, pos, KH_LIMIT, "image '%s' is too large (%u x %u pixels)", name,
                    (unsigned)img.width, (unsigned)img.height);
  }
  void *pixels = malloc(PNG_IMAGE_SIZE(img));
  if (!pixels) {
    png_image_free(&img);
    return KH_NOMEM;
  }
  int ok = png_image_finish_read(&img, NULL, pixels, 0, NULL);
  free(pixels);
  if (!ok) return kh_error(ctx, pos, KH_SYNTAX, "image '%s' is corrupt: %s", name, img.message);
  return KH_OK;
}

/* A figure's image: JPEG passed through as DCT, PNG through libharu's
 * decoder (Flate, its alpha as an SMask), each file loaded once.  A file
 * libharu cannot read is an error at the figure's line. */
static kh_status figure_image(writer *w, const kh_item *it, HPDF_Image *out) {
  kh_status ret = KH_OK;
  kh_ctx *ctx = w->lib.ctx;
  kh_srcpos pos = it->node ? it->node->pos : (kh_srcpos){0};
  void *raw = NULL;
  size_t len = 0;
  for (size_t i = 0; i < w->figures.n; i++)
    if (!strcmp(w->figures.v[i].path, it->image)) {
      *out = w->figures.v[i].image;
      return KH_OK;
    }
  char *data = NULL;
  KH_CHECK(kh_file_read(ctx, pos, "image", it->image, it->image, KH_FILE_CONFINE | KH_FILE_BINARY,
                        &data, &len));
  raw = data;
  const unsigned char *d = raw;
  HPDF_Image image = NULL;
  if (len >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8)) {
    KH_CHECK(png_valid(ctx, pos, it->image, d, len));
    image = HPDF_LoadPngImageFromMem(w->lib.doc, d, (HPDF_UINT)len);
  }
  else if (len >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
    image = HPDF_LoadJpegImageFromMem(w->lib.doc, d, (HPDF_UINT)len);
  else {
    ret = kh_error(ctx, pos, KH_UNSUPPORTED, "image '%s' is neither PNG nor JPEG", it->image);
    goto cleanup;
  }
  if (!image) {
    ret = kh_error(ctx, pos, KH_SYNTAX, "image '%s' cannot be read (libharu error 0x%04lX): "
                   "is it corrupt?", it->image,
                   (unsigned long)(w->lib.error ? w->lib.error : HPDF_GetError(w->lib.doc)));
    goto cleanup;
  }
  {
    /* as the emoji: libharu leaves a PNG's soft mask unfiltered */
    HPDF_Dict smask = HPDF_Dict_GetItem(image, "SMask", HPDF_OCLASS_DICT);
    kh_pdf_stream_flate(smask);
  }
  KH_CHECK(palette_as_stream(w, image));
  figure_entry e = {NULL, NULL, image};
  if (!(e.owned = malloc(strlen(it->image) + 1))) {
    ret = KH_NOMEM;
    goto cleanup;
  }
  strcpy(e.owned, it->image);
  e.path = e.owned;
  if ((ret = kh_vec_push(&w->figures, e)) != KH_OK) {
    free(e.owned);
    goto cleanup;
  }
  *out = image;
cleanup:
  free(raw);
  return ret;
}

static kh_status draw_figure(writer *w, const kh_item *it) {
  kh_status ret = KH_OK;
  HPDF_Image image = NULL;
  KH_CHECK(figure_image(w, it, &image));
  /* its marked-content sequence is already in w->ops: out before the Do */
  if (w->ops.len)
    KH_CHECK(flush_ops(w));
  KH_CHECK(text_end(w));
  KH_CHECK(kh_pdf_lib_check(
      &w->lib,
      HPDF_Page_DrawImage(w->page, image, pt(it->x), pt((int64_t)w->page_h - it->y2),
                          pt((int64_t)it->x2 - it->x), pt((int64_t)it->y2 - it->y)),
      "drawing a figure"));
cleanup:
  return ret;
}

static kh_status draw_image(writer *w, const kh_item *it) {
  kh_status ret = KH_OK;
  HPDF_Image image;
  if (it->image) return draw_figure(w, it);
  if (it->font < 0 || it->font >= w->nfonts || it->n == 0)
    return kh_error_file(w->lib.ctx, NULL, KH_LIBRARY,
                         "internal: an image item without its glyph");
  const kh_pglyph *g = &it->glyphs[0];
  KH_CHECK(image_of(w, it->font, g->gid, &image));

  const int span = g->text && g->text_len > 0;
  if (span)
    KH_CHECK(put_actual_text(w, &w->ops, g->text, g->text_len));
  if (w->ops.len)
    KH_CHECK(flush_ops(w));
  KH_CHECK(text_end(w));
  if (image)
    KH_CHECK(kh_pdf_lib_check(
        &w->lib,
        HPDF_Page_DrawImage(
            w->page, image, pt(it->x), pt((int64_t)w->page_h - it->y2),
            pt((int64_t)it->x2 - it->x), pt((int64_t)it->y2 - it->y)),
        "drawing an image"));
  if (span) {
    /* Inside the span, font 0's ideographic space as wide as the image and
     * standing on its bottom edge, drawn through the stand-in font under a
     * code that extracts as the emoji's text.  A blank glyph is drawn in
     * the normal rendering mode, as MuPDF's text extraction (1.21) passes
     * over invisible text (3 Tr); one with ink (some other font 0) is drawn
     * invisible. */
    int64_t gid = emoji_stand_in(w, it);
    kh_buf *b = &w->ops;
    if (gid >= 0) {
      const char *name;
      unsigned code;
      KH_CHECK(kh_pdf_fonts_stand_in(w->fonts, (uint32_t)gid, g->text, g->text_len, &code));
      KH_CHECK(page_font_of(w, STAND_IN_FONT(w), 0, &name));
      int64_t adv = kh_pdf_fonts_stand_in_width(w->fonts); /* 1/1000 em */
      if (adv <= 0)
        adv = 1000;
      int64_t size = div_round(milli((int64_t)it->x2 - it->x) * 1000, adv);
      int64_t base =
          milli((int64_t)w->page_h - it->y2) -
          div_round((int64_t)kh_pdf_fonts_descent(w->fonts, 0) * size, 1000);
      KH_CHECK(text_begin(w));
      const int blank = kh_pdf_fonts_stand_in_blank(w->fonts);
      KH_CHECK(text_font(w, STAND_IN_FONT(w), name, size));
      if (!blank)
        KH_CHECK(kh_buf_append(b, "3 Tr\n", 5));
      KH_CHECK(text_move(w, milli(it->x), base));
      KH_CHECK(kh_buf_append(b, "(", 1));
      KH_CHECK(put_code(b, code));
      KH_CHECK(kh_buf_append(b, ")Tj\n", 4));
      if (!blank)
        KH_CHECK(kh_buf_append(b, "0 Tr\n", 5));
      KH_CHECK(kh_buf_append(b, "ET\n", 3));
      w->in_text = 0;
    }
    KH_CHECK(kh_pdf_tags_actual_text_end(w->tags, b, 0));
    KH_CHECK(flush_ops(w));
  }
cleanup:
  return ret;
}

/* ---- rules and links -----------------------------------------------------*/

static kh_status draw_line(writer *w, const kh_item *it) {
  if (it->width <= 0)
    return KH_OK;
  kh_status ret = text_end(w);
  if (ret != KH_OK)
    return ret;
  const int64_t h = w->page_h;
  HPDF_STATUS st = HPDF_Page_SetLineWidth(w->page, pt(it->width));
  st |= HPDF_Page_MoveTo(w->page, pt(it->x), pt(h - it->y));
  st |= HPDF_Page_LineTo(w->page, pt(it->x2), pt(h - it->y2));
  st |= HPDF_Page_Stroke(w->page);
  return kh_pdf_lib_check(&w->lib, st, "drawing a rule");
}

/* A URI is 7-bit ASCII (RFC 3986); other bytes and spaces are
 * percent-encoded, existing %XX escapes are kept. */
static kh_status uri_ascii(kh_buf *b, const char *href) {
  kh_status ret = KH_OK;
  for (const unsigned char *p = (const unsigned char *)href; *p; p++) {
    if (*p <= 0x20 || *p >= 0x7F)
      KH_CHECK(kh_buf_printf(b, "%%%02X", *p));
    else
      KH_CHECK(kh_buf_append(b, p, 1));
  }
  KH_CHECK(kh_buf_append(b, "", 0)); /* NUL-terminated even when empty */
cleanup:
  return ret;
}

/* `v` held to 0 .. `max` */
static int64_t clamp(int64_t v, int64_t max) {
  return v < 0 ? 0 : v > max ? max : v;
}

/* A link's rectangle, held to the page: the part off the page cannot be
 * clicked, and libharu refuses numbers beyond ±32,767, which a link on an
 * overfull line (an unbreakable URL in a table cell) can reach. */
static HPDF_Rect link_rect(const writer *w, const kh_item *it) {
  const int64_t h = w->page_h, wd = w->page_w;
  HPDF_Rect r = {pt(clamp(it->x, wd)), pt(clamp(h - it->y2, h)), pt(clamp(it->x2, wd)),
                 pt(clamp(h - it->y, h))};
  return r;
}

/* [page /XYZ left top 0], the zoom left as the reader has it (12.3.2.2);
 * direct in its annotation, as the outline's are (see add_outline_entry).
 * The place is held to its page, as link_rect holds a link. */
static kh_status fill_dest(writer *w, HPDF_Array d, const anchor_entry *a) {
  HPDF_STATUS st = HPDF_Array_Add(d, w->page_of.v[a->page]);
  st |= HPDF_Array_AddName(d, "XYZ");
  st |= HPDF_Array_AddReal(d, pt(clamp(a->x, w->page_w)));
  st |= HPDF_Array_AddReal(d, pt(clamp(a->top, w->page_h)));
  st |= HPDF_Array_AddNumber(d, 0);
  return kh_pdf_lib_check(&w->lib, st, "adding a link");
}

/* The page's anchors; links that were waiting for one get their place.  A
 * link looks for its anchor from the newest back: a footnote's number
 * links to a reference on its own page or one shortly before. */
static kh_status page_anchors(writer *w, const kh_page *pg) {
  kh_status ret = KH_OK;
  for (uint32_t i = 0; i < pg->nanchors; i++) {
    const kh_anchor *a = &pg->anchors[i];
    int64_t top = w->page_h - a->y;
    anchor_entry e = {a->key, (uint32_t)w->page_of.n - 1, a->x, top < 0 ? 0 : top};
    KH_CHECK(kh_vec_push(&w->anchors, e));
    for (size_t k = 0; k < w->waiting.n;) {
      if (w->waiting.v[k].key != a->key) {
        k++;
        continue;
      }
      KH_CHECK(fill_dest(w, w->waiting.v[k].dest, &e));
      w->waiting.v[k] = w->waiting.v[--w->waiting.n];
    }
  }
cleanup:
  return ret;
}

/* A link inside the document (a footnote reference to its note, a note's
 * number back to its reference): a Link annotation with a /Dest, which
 * waits for its page when the place is further on. */
static kh_status add_goto(writer *w, const kh_item *it) {
  kh_status ret = KH_OK;
  HPDF_Rect r = link_rect(w, it);
  /* libharu's link with a destination wants an indirect one (which PDFBox
   * cannot read); its URI link's action is a direct dictionary, replaced */
  HPDF_Annotation a = HPDF_Page_CreateURILinkAnnot(w->page, r, "#");
  HPDF_Array d = HPDF_Array_New(w->lib.doc->mmgr);
  if (!a || !d)
    KH_CHECK(kh_pdf_lib_fail(&w->lib, 0, "adding a link"));
  HPDF_STATUS st = HPDF_Dict_RemoveElement(a, "A");
  st |= HPDF_Dict_Add(a, "Dest", d);
  st |= HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);
  KH_CHECK(kh_pdf_lib_check(&w->lib, st, "adding a link"));
  const anchor_entry *found = NULL;
  for (size_t k = w->anchors.n; k-- > 0;)
    if (w->anchors.v[k].key == it->dest) {
      found = &w->anchors.v[k];
      break;
    }
  if (found) {
    KH_CHECK(fill_dest(w, d, found));
  } else {
    dest_wait dw = {it->dest, d};
    KH_CHECK(kh_vec_push(&w->waiting, dw));
  }
  KH_CHECK(kh_pdf_tags_annot(w->tags, it, a));
cleanup:
  return ret;
}

static kh_status add_link(writer *w, const kh_item *it) {
  kh_status ret = KH_OK;
  kh_buf uri = {0};
  if (it->dest)
    return add_goto(w, it);
  if (!it->href || !it->href[0])
    return KH_OK;
  HPDF_Rect r = link_rect(w, it);
  KH_CHECK(uri_ascii(&uri, it->href));
  HPDF_Annotation a = HPDF_Page_CreateURILinkAnnot(w->page, r, uri.data);
  if (!a)
    KH_CHECK(kh_pdf_lib_fail(&w->lib, 0, "adding a link"));
  KH_CHECK(kh_pdf_lib_check(&w->lib, HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0),
                            "adding a link"));
  KH_CHECK(kh_pdf_tags_annot(w->tags, it, a));
cleanup:
  kh_buf_free(&uri);
  return ret;
}

/* ---- pages ---------------------------------------------------------------*/

static kh_status add_page(writer *w) {
  HPDF_Page page = HPDF_AddPage(w->lib.doc);
  if (!page)
    return kh_pdf_lib_fail(&w->lib, 0, "adding a page");
  if (kh_vec_push(&w->page_of, page) != KH_OK ||
      kh_vec_push(&w->page_height, w->page_h) != KH_OK)
    return KH_NOMEM;
  HPDF_STATUS st = HPDF_Page_SetWidth(page, pt(w->page_w));
  st |= HPDF_Page_SetHeight(page, pt(w->page_h));
  w->page = page;
  w->page_fonts = NULL;
  /* a content stream starts with the default text state */
  w->cur_font = -1;
  w->cur_size = w->cur_tc = 0;
  w->in_text = 0;
  if (w->nfonts)
    memset(w->on_page, 0, (size_t)w->nfonts * 2 + 1);
  kh_status ret = kh_pdf_lib_check(&w->lib, st, "setting the page size");
  return ret == KH_OK ? kh_pdf_tags_page(w->tags, page) : ret;
}

/* The page's content goes out now, compressed, and leaves memory. */
static kh_status end_page(writer *w) {
  kh_status ret = text_end(w);
  return ret == KH_OK ? kh_pdf_out_page(w->out, w->page) : ret;
}

/* ---- vertical text (縦組) -------------------------------------------------*/

/* Sets Tc to zero: in vertical mode it would move the glyphs up the column
 * (9.3.2), and these runs place every glyph with TJ numbers. */
static kh_status no_char_spacing(writer *w) {
  if (w->cur_tc == 0)
    return KH_OK;
  w->cur_tc = 0;
  return kh_buf_append(&w->ops, "0 Tc\n", 5);
}

/* Glyphs standing upright in a column, through the font's Identity-V
 * font: each at its pen (the top centre of its em box, the vertical
 * origin), the pen moving down by the glyph's /W2 advance, a TJ number
 * moving it further down (9.4.4: ty = (w1 - Tj/1000) Tfs, the opposite
 * sign to horizontal text). */
static kh_status draw_upright(writer *w, const kh_item *it) {
  kh_status ret = KH_OK;
  run_draw r;
  KH_CHECK(run_begin(w, it, 1, &r));
  if (!r.drawn)
    return KH_OK;
  int64_t next = 0; /* where the pen stands after the last glyph, 1/1000 pt
                       down from the top of the page */
  KH_CHECK(no_char_spacing(w));
  KH_CHECK(kh_pdf_tags_begin(w->tags, it, r.t.b));
  for (uint32_t i = 0; i < it->n; i++) {
    const kh_pglyph *g = &it->glyphs[i];
    if (i == 0 || g->text_len > 0) /* a cluster starts */
      KH_CHECK(cluster_span(w, it, i, 0, &r));
    int64_t y = milli(g->x); /* down the page */
    if (i == 0 || g->dy != r.seg_dy) {
      KH_CHECK(tj_close(&r.t));
      KH_CHECK(text_move(w, milli(it->x + g->dy), milli(w->page_h) - y));
      r.seg_dy = g->dy;
    } else {
      /* the extra distance down, in 1e-6 em (a TJ number's thousandths) */
      int64_t adjust = div_round((y - next) * 1000000, r.size);
      if (adjust > -1000 && adjust < 1000) /* under 1/1000 em: leave it */
        adjust = 0;
      if (adjust != 0)
        KH_CHECK(tj_adjust(&r.t, adjust));
      y = next + div_round(adjust * r.size, 1000000);
    }
    KH_CHECK(tj_glyph(&r.t, kh_pdf_fonts_cid(w->fonts, it->font, g->gid),
                        kh_pdf_fonts_short(w->fonts, it->font)));
    next = y + div_round((int64_t)kh_pdf_fonts_vadvance(w->fonts, it->font, g->gid) * r.size, 1000);
  }
  KH_CHECK(run_end(w, &r));
  KH_CHECK(kh_pdf_tags_end(w->tags, r.t.b));
  KH_CHECK(emit(w));
cleanup:
  return ret;
}

/* A run drawn in a text object of its own whose matrix turns or narrows
 * it: sideways Western text (turned 90° clockwise, Tm [0 -1 1 0 x y]) and
 * a 縦中横 number narrowed to its em (Tm [s 0 0 1 x y]).  The run is drawn
 * as an ordinary one in the matrix's own space: pens along its x from its
 * first glyph, offsets across as its y. */
static kh_status draw_turned(writer *w, const kh_item *it) {
  kh_status ret = KH_OK;
  int sideways = (it->flags & KH_ITEM_SIDEWAYS) != 0;
  int64_t scale = it->hscale ? it->hscale : 1000;
  kh_item local = *it;
  local.glyphs = malloc((it->n + 1) * sizeof *local.glyphs);
  if (!local.glyphs)
    return KH_NOMEM;
  kh_fixed x0 = it->n ? it->glyphs[0].x : 0;
  local.y = w->page_h;
  for (uint32_t i = 0; i < it->n; i++) {
    local.glyphs[i] = it->glyphs[i];
    local.glyphs[i].x = (kh_fixed)kh_fixed_muldiv(it->glyphs[i].x - x0, 1000, scale);
    /* across: rightwards on the paper is the turned run's up */
    local.glyphs[i].dy = sideways ? -it->glyphs[i].dy : it->glyphs[i].dy;
  }
  KH_CHECK(text_end(w));
  KH_CHECK(text_begin(w));
  if (sideways) {
    KH_CHECK(kh_buf_append(&w->ops, "0 -1 1 0 ", 9));
    KH_CHECK(put_milli(&w->ops, milli(it->x)));
    KH_CHECK(kh_buf_append(&w->ops, " ", 1));
    KH_CHECK(put_milli(&w->ops, milli(w->page_h - x0)));
  } else {
    KH_CHECK(kh_pdf_put_decimal(&w->ops, scale, 3));
    KH_CHECK(kh_buf_append(&w->ops, " 0 0 1 ", 7));
    KH_CHECK(put_milli(&w->ops, milli(x0)));
    KH_CHECK(kh_buf_append(&w->ops, " ", 1));
    KH_CHECK(put_milli(&w->ops, milli(w->page_h - it->y)));
  }
  KH_CHECK(kh_buf_append(&w->ops, " Tm\n", 4));
  KH_CHECK(draw_glyphs(w, &local));
  KH_CHECK(text_end(w)); /* the next run must not start in this matrix */
cleanup:
  free(local.glyphs);
  return ret;
}

/* A glyph run, drawn as its kind of text asks. */
static kh_status draw_run(writer *w, const kh_item *it) {
  if (it->flags & KH_ITEM_UPRIGHT)
    return draw_upright(w, it);
  if ((it->flags & KH_ITEM_SIDEWAYS) || it->hscale)
    return draw_turned(w, it);
  return draw_glyphs(w, it);
}

/* Ruby and 圏点 are drawn outside the text flow: an empty ActualText
 * (14.9.4) keeps them out of copy, search and extraction, which give the
 * base text alone (a search for 親文字 finds it).  A reading's marked
 * content (its RT's, tag.c) lies inside the span, and the RT element
 * carries the reading as its own ActualText (tag.c, ruby_text).  So is the
 * hyphen that ends a line broken inside a Western word (an artifact): the
 * word reads whole. */
static kh_status draw_annotation_glyphs(writer *w, const kh_item *it) {
  kh_status ret = KH_OK;
  if (!(it->flags & (KH_ITEM_RUBY | KH_ITEM_EMPHASIS | KH_ITEM_HYPHEN))) return draw_run(w, it);
  /* the span holds a whole text object: it must not straddle BT or ET */
  if (w->ops.len)
    KH_CHECK(flush_ops(w));
  KH_CHECK(text_end(w));
  KH_CHECK(kh_buf_printf(&w->ops, "/Span <</ActualText <FEFF>>> BDC\n"));
  KH_CHECK(draw_run(w, it));
  if (w->ops.len)
    KH_CHECK(flush_ops(w));
  KH_CHECK(text_end(w));
  KH_CHECK(kh_buf_printf(&w->ops, "EMC\n"));
  KH_CHECK(flush_ops(w));
cleanup:
  return ret;
}

/* The end (exclusive) of the items of the line that item i starts, when
 * that line is a vertical column, else i.  Extractors that sort glyphs by
 * position pull sideways and 縦中横 runs out of their column, and read the
 * spacing of a justified column as word spaces, so each column is given
 * one ActualText (14.9.4) with its text in order. */
static uint32_t column_end_of(const kh_page *pg, uint32_t i) {
  const kh_item *it = &pg->items[i];
  if (!it->line || (i > 0 && pg->items[i - 1].line == it->line))
    return i;
  uint32_t j = i;
  int vertical = 0;
  for (; j < pg->n && pg->items[j].line == it->line; j++)
    vertical |= (pg->items[j].flags & (KH_ITEM_UPRIGHT | KH_ITEM_SIDEWAYS | KH_ITEM_TCY)) != 0;
  return vertical ? j : i;
}

static kh_status column_text_begin(writer *w, const kh_page *pg, uint32_t i, uint32_t end) {
  kh_status ret = KH_OK;
  kh_buf text = {0};
  for (uint32_t k = i; k < end; k++)
    for (uint32_t g = 0; g < pg->items[k].n; g++)
      if (pg->items[k].glyphs[g].text_len)
        KH_CHECK(kh_buf_append(&text, pg->items[k].glyphs[g].text,
                               pg->items[k].glyphs[g].text_len));
  KH_CHECK(text_end(w)); /* the span holds whole text objects */
  KH_CHECK(kh_buf_printf(&w->ops, "/Span <</ActualText <FEFF"));
  KH_CHECK(kh_pdf_utf16be(&w->ops, text.data ? text.data : "", text.len, 16000, 1));
  KH_CHECK(kh_buf_printf(&w->ops, ">>> BDC\n"));
  KH_CHECK(flush_ops(w));
cleanup:
  kh_buf_free(&text);
  return ret;
}

static kh_status draw_page(writer *w, const kh_page *pg) {
  kh_status ret = KH_OK;
  uint32_t column_end = 0; /* an ActualText column is open up to here */
  KH_CHECK(add_page(w));
  KH_CHECK(page_anchors(w, pg));
  for (uint32_t i = 0; i < pg->n; i++) {
    const kh_item *it = &pg->items[i];
    if (i >= column_end) {
      column_end = column_end_of(pg, i);
      if (column_end > i)
        KH_CHECK(column_text_begin(w, pg, i, column_end));
    }
    /* its marked-content sequence (tag.c); a glyph run opens its own
     * inside its text object */
    if (it->kind != KH_ITEM_GLYPHS && it->kind != KH_ITEM_LINK)
      KH_CHECK(text_end(w)); /* its sequence must not start inside BT */
    if (it->kind != KH_ITEM_GLYPHS)
      KH_CHECK(kh_pdf_tags_begin(w->tags, it, &w->ops));
    /* drawn through libharu's page calls: the BDC goes first (an emoji's
     * image may still turn it into its ActualText span) */
    if (it->kind != KH_ITEM_GLYPHS && it->kind != KH_ITEM_IMAGE && w->ops.len)
      KH_CHECK(flush_ops(w));
    switch (it->kind) {
    case KH_ITEM_GLYPHS:
      w->tail_x = spaced_tail(w, pg, i);
      ret = draw_annotation_glyphs(w, it);
      w->tail_x = 0;
      KH_CHECK(ret);
      break;
    case KH_ITEM_IMAGE:
      KH_CHECK(draw_image(w, it));
      break;
    case KH_ITEM_LINE:
      KH_CHECK(draw_line(w, it));
      break;
    case KH_ITEM_LINK:
      KH_CHECK(add_link(w, it));
      break;
    }
    KH_CHECK(kh_pdf_tags_end(w->tags, &w->ops));
    if (w->ops.len)
      KH_CHECK(flush_ops(w));
    if (i + 1 == column_end) {
      KH_CHECK(text_end(w));
      KH_CHECK(kh_buf_append(&w->ops, "EMC\n", 4));
      KH_CHECK(flush_ops(w));
    }
  }
  KH_CHECK(end_page(w));
cleanup:
  return ret;
}

/* ---- outline and Info ----------------------------------------------------*/

/* A text string as UTF-16BE with a byte order mark (7.9.2.2): libharu's own
 * string objects would write UTF-8 bytes as PDFDocEncoding. */
static kh_status utf16_string(writer *w, const char *s, HPDF_Binary *out) {
  kh_status ret = KH_OK;
  kh_buf b = {0};
  *out = NULL;
  KH_CHECK(kh_buf_append(&b, "\xFE\xFF", 2));
  KH_CHECK(kh_pdf_utf16be(&b, s, strlen(s), TEXT_MAX_UNITS, 0));
  *out =
      HPDF_Binary_New(kh_pdf_mmgr(&w->lib), (HPDF_BYTE *)b.data, (HPDF_UINT)b.len);
  if (!*out)
    ret = kh_pdf_lib_fail(&w->lib, 0, "making a text string");
cleanup:
  kh_buf_free(&b);
  return ret;
}

/* The outline is written as bytes after the last page (write.c), not made
 * of libharu objects: a long document has thousands of entries.  Levels
 * go down by one at most (a skipped level hangs the entry under the
 * previous one), at most OUTLINE_DEPTH deep; every entry is open. */
static int outline_usable(const writer *w, const kh_outline_entry *e) {
  return e->page >= 0 && (size_t)e->page < w->page_of.n;
}

/* Before the writer is sealed: the catalog's /Outlines, an ID reserved. */
static kh_status add_outline(writer *w, const kh_outline_entry *outline, uint32_t n) {
  kh_status ret = KH_OK;
  int any = 0;
  for (uint32_t i = 0; i < n && !any; i++) any = outline_usable(w, &outline[i]);
  if (!any)
    return KH_OK;
  void *ref;
  KH_CHECK(kh_pdf_out_reserve(w->out, &ref, &w->outline_root));
  KH_CHECK(kh_pdf_lib_check(&w->lib, HPDF_Dict_Add(kh_pdf_catalog(&w->lib), "Outlines", ref),
                            "adding the outline"));
  KH_CHECK(kh_pdf_lib_check(
      &w->lib, HPDF_SetPageMode(w->lib.doc, HPDF_PAGE_MODE_USE_OUTLINE),
      "showing the outline"));
cleanup:
  return ret;
}

typedef struct outline_node {
  uint32_t entry, id, parent; /* parent: index in the nodes, or NONE_NODE */
  uint32_t first, last, prev, next, count;
} outline_node;
#define NONE_NODE UINT32_MAX

static kh_status put_ref(kh_buf *b, uint32_t id) {
  return kh_buf_printf(b, "%u 0 R", (unsigned)id);
}

/* After the writer is sealed: the outline's root and entries. */
static kh_status write_outline(writer *w, const kh_outline_entry *outline, uint32_t n) {
  kh_status ret = KH_OK;
  kh_buf b = {0};
  outline_node *nodes = NULL;
  if (!w->outline_root)
    return KH_OK;
  nodes = calloc(n ? n : 1, sizeof *nodes);
  if (!nodes)
    return KH_NOMEM;
  uint32_t stack[OUTLINE_DEPTH + 1]; /* [level]: the last node at it */
  uint32_t m = 0, top_first = NONE_NODE, top_last = NONE_NODE;
  int depth = 0;
  for (uint32_t i = 0; i < n; i++) {
    const kh_outline_entry *e = &outline[i];
    if (!outline_usable(w, e))
      continue;
    int level = e->level < 1 ? 1 : e->level;
    if (level > depth + 1)
      level = depth + 1;
    if (level > OUTLINE_DEPTH)
      level = OUTLINE_DEPTH;
    outline_node *nd = &nodes[m];
    *nd = (outline_node){i, kh_pdf_out_new_id(w->out), level > 1 ? stack[level - 1] : NONE_NODE,
                         NONE_NODE, NONE_NODE, NONE_NODE, NONE_NODE, 0};
    uint32_t *first = nd->parent == NONE_NODE ? &top_first : &nodes[nd->parent].first;
    uint32_t *last = nd->parent == NONE_NODE ? &top_last : &nodes[nd->parent].last;
    if (*last != NONE_NODE) {
      nodes[*last].next = m;
      nd->prev = *last;
    } else {
      *first = m;
    }
    *last = m;
    for (uint32_t p = nd->parent; p != NONE_NODE; p = nodes[p].parent)
      nodes[p].count++;
    stack[level] = m++;
    depth = level;
  }
  KH_CHECK(kh_buf_printf(&b, "<</Type/Outlines/First %u 0 R/Last %u 0 R/Count %u>>",
                         (unsigned)nodes[top_first].id, (unsigned)nodes[top_last].id,
                         (unsigned)m));
  KH_CHECK(kh_pdf_out_raw(w->out, w->outline_root, b.data, b.len));
  for (uint32_t i = 0; i < m; i++) {
    const outline_node *nd = &nodes[i];
    const kh_outline_entry *e = &outline[nd->entry];
    const char *title = e->title ? e->title : "";
    b.len = 0;
    KH_CHECK(kh_buf_append(&b, "<</Title", 8));
    KH_CHECK(kh_pdf_out_text(&b, title, strlen(title), TEXT_MAX_UNITS - 1));
    KH_CHECK(kh_buf_append(&b, "/Parent ", 8));
    KH_CHECK(put_ref(&b, nd->parent == NONE_NODE ? w->outline_root : nodes[nd->parent].id));
    const char *key[4] = {"/Prev ", "/Next ", "/First ", "/Last "};
    const uint32_t to[4] = {nd->prev, nd->next, nd->first, nd->last};
    for (int k = 0; k < 4; k++)
      if (to[k] != NONE_NODE) {
        KH_CHECK(kh_buf_append(&b, key[k], strlen(key[k])));
        KH_CHECK(put_ref(&b, nodes[to[k]].id));
      }
    if (nd->count)
      KH_CHECK(kh_buf_printf(&b, "/Count %u", (unsigned)nd->count));
    /* [page /XYZ 0 top 0]: zoom 0 keeps the reader's zoom (12.3.2.2) */
    int64_t top = (int64_t)w->page_height.v[e->page] - e->y;
    KH_CHECK(kh_buf_append(&b, "/Dest[", 6));
    KH_CHECK(put_ref(&b, kh_pdf_out_id(w->page_of.v[e->page])));
    KH_CHECK(kh_buf_append(&b, "/XYZ 0 ", 7));
    KH_CHECK(put_milli(&b, milli(top < 0 ? 0 : top)));
    KH_CHECK(kh_buf_append(&b, " 0]>>", 5));
    KH_CHECK(kh_pdf_out_raw(w->out, nd->id, b.data, b.len));
  }
cleanup:
  free(nodes);
  kh_buf_free(&b);
  return ret;
}

/* Seconds since 1970 -> libharu's UTC date. */
static HPDF_Date utc_date(int64_t t) {
  HPDF_Date d = {0};
  kh_civil c = kh_civil_of(t);
  d.year = c.year;
  d.month = c.month;
  d.day = c.day;
  d.hour = c.hour;
  d.minutes = c.minute;
  d.seconds = c.second;
  d.ind = '+'; /* +00'00': PDFBox cannot read libharu's Z00'00' */
  return d;
}

static int is_ascii(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7F)
      return 0;
  return 1;
}

static kh_status info_text(writer *w, const char *key, const char *value) {
  kh_status ret = KH_OK;
  HPDF_Binary s;
  if (!value || !value[0])
    return KH_OK;
  KH_CHECK(utf16_string(w, value, &s));
  KH_CHECK(kh_pdf_lib_check(&w->lib, HPDF_Dict_Add(kh_pdf_info(&w->lib), key, s),
                            "writing the document information"));
cleanup:
  return ret;
}

static kh_status set_info(writer *w, const kh_pdf_meta *meta) {
  kh_status ret = KH_OK;
  HPDF_Doc doc = w->lib.doc;
  HPDF_STATUS st = HPDF_OK;
  /* HPDF_SetInfoAttr writes strings byte for byte (PDFDocEncoding): fine
   * for ASCII, so the Creator goes that way when it can and the rest go
   * into the Info dictionary (made by HPDF_New for /Producer) as UTF-16. */
  if (meta->creator && meta->creator[0] && is_ascii(meta->creator))
    st = HPDF_SetInfoAttr(doc, HPDF_INFO_CREATOR, meta->creator);
  KH_CHECK(kh_pdf_lib_check(&w->lib, st, "writing the document information"));
  if (!kh_pdf_info(&w->lib))
    KH_CHECK(kh_pdf_lib_fail(&w->lib, 0, "writing the document information"));
  if (meta->creator && !is_ascii(meta->creator))
    KH_CHECK(info_text(w, "Creator", meta->creator));
  KH_CHECK(info_text(w, "Title", meta->title));
  KH_CHECK(info_text(w, "Author", meta->author));
  KH_CHECK(info_text(w, "Subject", meta->subject));
  /* Years beyond 9999 do not fit the date format (7.9.4). */
  if (meta->date_epoch >= 0 && meta->date_epoch < 253402300800) {
    HPDF_Date d = utc_date(meta->date_epoch);
    st = HPDF_SetInfoDateAttr(doc, HPDF_INFO_CREATION_DATE, d);
    st |= HPDF_SetInfoDateAttr(doc, HPDF_INFO_MOD_DATE, d);
    KH_CHECK(kh_pdf_lib_check(&w->lib, st, "writing the document dates"));
  }
cleanup:
  return ret;
}

/* The catalog: /Lang (14.9.2.1) so that assistive technology reads the text
 * as the right language, and /DisplayDocTitle (12.2) so that viewers show
 * the Japanese title rather than the file's name. */
static kh_status set_catalog(writer *w, const kh_pdf_meta *meta) {
  HPDF_STATUS st = HPDF_OK;
  if (meta->lang && meta->lang[0] && is_ascii(meta->lang))
    st |= HPDF_Dict_Add(kh_pdf_catalog(&w->lib), "Lang",
                        HPDF_String_New(kh_pdf_mmgr(&w->lib), meta->lang, NULL));
  HPDF_Dict vp = HPDF_Dict_New(kh_pdf_mmgr(&w->lib));
  if (!vp) return kh_pdf_lib_fail(&w->lib, 0, "writing the viewer preferences");
  st |= HPDF_Dict_AddBoolean(vp, "DisplayDocTitle", HPDF_TRUE);
  st |= HPDF_Dict_Add(kh_pdf_catalog(&w->lib), "ViewerPreferences", vp);
  return kh_pdf_lib_check(&w->lib, st, "writing the catalog");
}

/* The structure tree, the XMP metadata and, for PDF/A, the output intent
 * (tag.c, xmp.c).  The XMP's document ID is the MD5 of the file's bytes so
 * far: the header and every page's content (write.c). */
static kh_status finish_archive(writer *w) {
  kh_status ret = KH_OK;
  KH_CHECK(kh_pdf_tags_finish(w->tags, w->out));
  /* the Producer libharu wrote, repeated in the XMP */
  char producer[128] = "";
  kh_pdf_info_string(&w->lib, "Producer", producer, sizeof producer);
  kh_pdf_out_digest(w->out, w->digest);
  KH_CHECK(kh_pdf_xmp(&w->lib, &w->meta, producer, w->digest, w->meta.pdfa));
  if (w->meta.pdfa)
    KH_CHECK(kh_pdf_output_intent(&w->lib));
cleanup:
  return ret;
}

/* ---- entry ---------------------------------------------------------------*/

kh_status kh_pdf_new(kh_ctx *ctx, const kh_fontset *fonts, const kh_pdf_meta *meta,
                     kh_fixed page_w, kh_fixed page_h, kh_pdf_write_fn write,
                     void *user, kh_pdf **out) {
  kh_status ret = KH_OK;
  *out = NULL;
  writer *w = calloc(1, sizeof *w);
  if (!w)
    return KH_NOMEM;
  w->lib.ctx = ctx;
  w->page_w = page_w;
  w->page_h = page_h;
  w->set = fonts;
  w->nfonts = kh_fontset_count(fonts);
  w->lib.doc = HPDF_New(on_error, &w->lib);
  if (!w->lib.doc) {
    free(w);
    return kh_error_file(ctx, NULL, KH_LIBRARY, "libharu cannot create a document");
  }
  /* Before the first page: libharu sets each page's filter as it adds it. */
  KH_CHECK(kh_pdf_lib_check(&w->lib, HPDF_SetCompressionMode(w->lib.doc, HPDF_COMP_ALL),
                            "setting compression"));
  KH_CHECK(kh_pdf_fonts_new(&w->lib, fonts, meta->keep_hinting, meta->threads,
                            &w->fonts));
  w->on_page = calloc((size_t)w->nfonts * 2 + 1, 1);
  w->warned = calloc((size_t)w->nfonts + 1, 1);
  if (!w->on_page || !w->warned) {
    ret = KH_NOMEM;
    goto cleanup;
  }
  KH_CHECK(kh_pdf_tags_new(&w->lib, meta->doc, &w->tags));
  /* A tagged PDF/UA-1 file is PDF 1.7 (ISO 14289-1 builds on ISO 32000-1);
   * libharu only raises its default for features it writes itself, and
   * the header is written now. */
  kh_pdf_need_version(&w->lib, HPDF_VER_17);
  KH_CHECK(kh_pdf_out_new(&w->lib, write, user, &w->out));
  w->meta = *meta;
  *out = w;
  return KH_OK;
cleanup:
  kh_pdf_drop(w);
  return ret;
}

/* ---- page size -----------------------------------------------------------*/

/* Each page has its template's paper (a landscape attachment between
 * portrait parts); a page that gives none keeps the document's. */
static void page_size(writer *w, const kh_page *page) {
  if (page->width > 0 && page->height > 0) {
    w->page_w = page->width;
    w->page_h = page->height;
  }
}

kh_status kh_pdf_add_page(kh_pdf *w, const kh_page *page) {
  kh_status ret = KH_OK;
  page_size(w, page);
  KH_CHECK(kh_pdf_tags_upto(w->tags, page->part, page->next));
  KH_CHECK(note_page(w, page));
  KH_CHECK(draw_page(w, page));
cleanup:
  return ret;
}

kh_status kh_pdf_finish(kh_pdf *w, const kh_outline_entry *outline, uint32_t noutline) {
  kh_status ret = KH_OK;
  if (w->page_of.n == 0) { /* a PDF needs a page */
    KH_CHECK(add_page(w));
    KH_CHECK(end_page(w));
  }
  if (w->waiting.n) /* page/ places every note it links to */
    KH_CHECK(kh_pdf_lib_fail(&w->lib, 0, "linking a footnote that is on no page"));
  KH_CHECK(add_outline(w, outline, noutline));
  KH_CHECK(set_info(w, &w->meta));
  KH_CHECK(set_catalog(w, &w->meta));
  KH_CHECK(kh_pdf_fonts_finish(w->fonts, w->out));
  KH_CHECK(finish_archive(w));
  /* libharu's objects are all made: the rest is written as bytes */
  KH_CHECK(kh_pdf_out_seal(w->out));
  KH_CHECK(kh_pdf_tags_write(w->tags, w->out));
  KH_CHECK(write_outline(w, outline, noutline));
  KH_CHECK(kh_pdf_out_finish(w->out));
cleanup:
  return ret;
}

void kh_pdf_drop(kh_pdf *w) {
  if (!w)
    return;
  kh_pdf_out_drop(w->out); /* its libharu stream first */
  HPDF_Free(w->lib.doc);
  kh_pdf_tags_drop(w->tags);
  kh_pdf_fonts_drop(w->fonts);
  free(w->on_page);
  free(w->warned);
  kh_vec_free(&w->page_of);
  kh_vec_free(&w->page_height);
  kh_vec_free(&w->anchors);
  kh_vec_free(&w->waiting);
  kh_vec_free(&w->images);
  for (size_t i = 0; i < w->figures.n; i++) free(w->figures.v[i].owned);
  kh_vec_free(&w->figures);
  kh_buf_free(&w->ops);
  free(w);
}
