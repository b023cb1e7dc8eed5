/* style: styled runs.
 *
 * Splits a leaf block's text into runs of one font, size and script.  The
 * font comes from the paragraph style's composite face (or its strong face
 * inside **strong**: Japanese has no faux bold, bold is the Gothic), chosen
 * per script as LuaTeX-ja pairs a Japanese font with a Latin one. */
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>

#include "style/style.h"

kh_script kh_script_of(int32_t cp) {
  /* ASCII: letters, digits and punctuation are the Latin font's */
  if (cp < 0x80) return KH_SCRIPT_LATIN;
  /* CJK symbols, kana, kanji: what ICU says of them, without asking (none
   * has Emoji_Presentation) */
  if (cp >= 0x3000 && cp <= 0x9FFF) return KH_SCRIPT_JA;
  if (cp == 0xFE0F || u_hasBinaryProperty(cp, UCHAR_EMOJI_PRESENTATION)) return KH_SCRIPT_EMOJI;
  UErrorCode err = U_ZERO_ERROR;
  UScriptCode sc = uscript_getScript(cp, &err);
  if (U_FAILURE(err)) return KH_SCRIPT_JA;
  switch (sc) {
  case USCRIPT_LATIN:
    /* full-width Ｌａｔｉｎ is Japanese text (JIS X 0208 row 3), and so are
     * the letterlike symbols (K Å Ⅎ, with ℃ and №) */
    if (cp >= 0x2100 && cp < 0x2C00) return KH_SCRIPT_JA;
    return u_getIntPropertyValue(cp, UCHAR_EAST_ASIAN_WIDTH) == U_EA_FULLWIDTH ? KH_SCRIPT_JA
                                                                               : KH_SCRIPT_LATIN;
  case USCRIPT_INHERITED: /* combining marks (a run keeps them with their
                             base; alone they are Latin, as before) */
    return cp < 0x370 ? KH_SCRIPT_LATIN : KH_SCRIPT_JA;
  case USCRIPT_COMMON:
    /* punctuation and symbols before General Punctuation, and the Western
     * spaces, go with Latin text; × ÷ are Japanese (JIS X 0208 row 1,
     * full-width, cl-18), as is everything from U+2000 on */
    if (cp < 0x2000) return cp == 0xD7 || cp == 0xF7 ? KH_SCRIPT_JA : KH_SCRIPT_LATIN;
    if (cp <= 0x200A) return KH_SCRIPT_LATIN;
    return KH_SCRIPT_JA;
  case USCRIPT_HAN:
  case USCRIPT_HIRAGANA:
  case USCRIPT_KATAKANA:
  case USCRIPT_KATAKANA_OR_HIRAGANA:
  case USCRIPT_BOPOMOFO:
  case USCRIPT_HANGUL:
  case USCRIPT_YI:
  case USCRIPT_TANGUT:
  case USCRIPT_NUSHU:
  /* Greek and Cyrillic too: the Japanese font has them full-width (JIS X
   * 0208 rows 6 and 7), and JLReq's class table follows (cl-19) */
  case USCRIPT_GREEK:
  case USCRIPT_CYRILLIC:
    return KH_SCRIPT_JA;
  default: /* other scripts are Western text, from the Latin font or a
              fallback */
    return KH_SCRIPT_LATIN;
  }
}

/* Between two Western characters they are Western (A—B), elsewhere
 * Japanese (「——」, “引用”). */
int kh_script_neutral(int32_t cp) {
  return cp == 0x2010 || cp == 0x2013 || cp == 0x2014 || cp == 0x2018 ||
         cp == 0x2019 || cp == 0x201C || cp == 0x201D;
}

static kh_script context_script(const char *text, uint32_t len, size_t before, size_t after) {
  int32_t prev = -1, next = -1;
  /* a run of dashes longer than this is Japanese (――――): bounds the work */
  int budget = 16;
  while (before > 0 && budget-- > 0) { /* the code point ending at `before` */
    size_t b = before - 1;
    while (b > 0 && ((unsigned char)text[b] & 0xC0) == 0x80) b--;
    size_t i = b;
    prev = kh_utf8_next(text, len, &i);
    if (!kh_script_neutral(prev)) break;
    before = b;
    prev = -1;
  }
  budget = 16;
  for (size_t i = after; i < len && budget-- > 0;) {
    next = kh_utf8_next(text, len, &i);
    if (!kh_script_neutral(next)) break;
    next = -1;
  }
  return prev >= 0 && next >= 0 && kh_script_of(prev) == KH_SCRIPT_LATIN &&
                 kh_script_of(next) == KH_SCRIPT_LATIN && prev != ' ' && next != ' '
             ? KH_SCRIPT_LATIN
             : KH_SCRIPT_JA;
}

/* The marks over a paragraph, walked once in the order of their starts:
 * the marks covering a character are the open ones, so a paragraph of
 * 50,000 links costs 50,000 steps, not 50,000 per character.  Offsets
 * asked for never decrease. */
typedef struct mark_walk {
  const kh_mark *marks;
  uint32_t n;
  struct by { uint32_t start, i; } *order; /* by start; NULL when in order */
  uint32_t next;    /* next in order not opened yet */
  KH_VEC(uint32_t) open; /* marks opened and perhaps ended, by index */
} mark_walk;

static int by_start(const void *a, const void *b) {
  const struct by *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start ? 1 : x->i < y->i ? -1 : x->i > y->i;
}

static kh_status walk_init(mark_walk *w, const kh_inline *in) {
  memset(w, 0, sizeof *w);
  w->marks = in->marks;
  w->n = in->nmarks;
  for (uint32_t i = 1; i < w->n; i++)
    if (w->marks[i].start < w->marks[i - 1].start) { /* a post-pass added some */
      if (!(w->order = malloc(w->n * sizeof *w->order))) return KH_NOMEM;
      for (uint32_t k = 0; k < w->n; k++) w->order[k] = (struct by){w->marks[k].start, k};
      qsort(w->order, w->n, sizeof *w->order, by_start);
      break;
    }
  return KH_OK;
}

static void walk_free(mark_walk *w) {
  free(w->order);
  kh_vec_free(&w->open);
}

static kh_status flags_at(mark_walk *w, uint32_t off, unsigned *flags, const char **href,
                          int sesame) {
  unsigned f = 0;
  *href = NULL;
  while (w->next < w->n) {
    uint32_t i = w->order ? w->order[w->next].i : w->next;
    if (w->marks[i].start > off) break;
    if (kh_vec_push(&w->open, i) != KH_OK) return KH_NOMEM;
    w->next++;
  }
  size_t keep = 0, href_mark = 0;
  for (size_t k = 0; k < w->open.n; k++) {
    uint32_t i = w->open.v[k];
    const kh_mark *m = &w->marks[i];
    if (off >= m->end) continue; /* ended: dropped for good */
    w->open.v[keep++] = i;
    /* Japanese has no italic: emphasis takes the strong (Gothic) face */
    if (m->flags & KH_MARK_STRONG) f |= KH_RUN_STRONG;
    /* ... unless the layout sets it with 圏点 (shape/annot.c) */
    if ((m->flags & KH_MARK_EM) && !sesame) f |= KH_RUN_STRONG;
    if (m->flags & KH_MARK_CODE) f |= KH_RUN_CODE;
    if (m->flags & KH_MARK_STRIKE) f |= KH_RUN_STRIKE;
    if (m->flags & KH_MARK_UNDERLINE) f |= KH_RUN_UNDERLINE;
    if (m->flags & KH_MARK_FOOTREF) f |= KH_RUN_FOOTREF;
    if ((m->flags & KH_MARK_LINK) && (!*href || i >= href_mark)) {
      f |= KH_RUN_LINK;
      *href = m->href; /* the innermost (last) link, as the marks list them */
      href_mark = i;
    }
  }
  w->open.n = keep;
  *flags = f;
  return KH_OK;
}

/* A footnote reference's number is set superscript: 60 % of the size,
 * raised so its top meets the top of the em box (the usual 脚注 合印). */
static void footref_size(const kh_pstyle *style, unsigned flags, kh_fixed *size, kh_fixed *rise) {
  if (!(flags & KH_RUN_FOOTREF)) return;
  *size = kh_fixed_muldiv(style->size, 600, 1000);
  *rise = kh_fixed_muldiv(style->size, 330, 1000);
}

/* Digits that must line up.  In table cells, as the layout says (key
 * table-figures): from the Japanese font, whose digits are all half an em
 * (fixed), or the Latin font's tabular figures (tnum, applied by shape).
 * In a list's numbers, always the Japanese font's: the markers are
 * right-aligned in their column, and with proportional digits (BIZ UDP
 * Mincho's 1 is narrower than its 2, and it has no tnum) (1) would start
 * to the right of (2). */
static kh_script aligned_figure(const kh_layout *layout, const kh_node *node, int32_t cp,
                                kh_script script, unsigned *flags) {
  if (cp < '0' || cp > '9') return script;
  if (node->kind == KH_NODE_LIST_ITEM) return KH_SCRIPT_JA;
  if (node->kind != KH_NODE_CELL) return script;
  if (layout->table_figures == KH_FIGURES_FIXED) return KH_SCRIPT_JA;
  if (layout->table_figures == KH_FIGURES_TNUM) *flags |= KH_RUN_TNUM;
  return script;
}

/* ---- vertical text: how each character stands in its column -------------
 * UAX #50 (ICU's Vertical_Orientation) says which characters are set
 * sideways: R is turned 90° clockwise with the Western text around it; U,
 * Tu and Tr stand upright, shaped top to bottom, the font's 'vert'/'vrt2'
 * giving the vertical forms of Tu and Tr (、。「」ー…).  A number of up to
 * `tcy_digits` ASCII digits that is not part of a Western word (no letter,
 * digit or . , : / % next to it) is 縦中横 (JLReq 3.2.4 cl-30): set across
 * the column in one em. */
static int western_neighbour(int c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         c == '.' || c == ',' || c == ':' || c == '/' || c == '%';
}

/* The end of the 縦中横 number starting at byte `at`, or `at` when the
 * digits there are not one. */
static uint32_t tcy_end(const char *s, uint32_t len, uint32_t at, int max) {
  if (max <= 0 || s[at] < '0' || s[at] > '9') return at;
  if (at > 0 && western_neighbour((unsigned char)s[at - 1])) return at;
  uint32_t e = at;
  while (e < len && s[e] >= '0' && s[e] <= '9') e++;
  if (e - at > (uint32_t)max || (e < len && western_neighbour((unsigned char)s[e]))) return at;
  return e;
}

static int ascii_letter(int c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/* The end of the upright Western word (upright-latin) starting at `at`,
 * or `at`. */
static uint32_t upright_end(const char *s, uint32_t len, uint32_t at, int max) {
  if (max <= 0 || !ascii_letter(s[at])) return at;
  if (at > 0 && western_neighbour((unsigned char)s[at - 1])) return at;
  uint32_t e = at;
  while (e < len && ascii_letter(s[e])) e++;
  if (e - at > (uint32_t)max || (e < len && western_neighbour((unsigned char)s[e]))) return at;
  return e;
}

static unsigned orientation(int32_t cp) {
  return u_getIntPropertyValue(cp, UCHAR_VERTICAL_ORIENTATION) == U_VO_ROTATED ? KH_RUN_SIDEWAYS
                                                                                : 0;
}

kh_status kh_style_para(kh_ctx *ctx, kh_arena *arena, const kh_layout *layout,
                        const kh_node *node, const kh_pstyle *style,
                        const char *marker, kh_fixed measure, kh_writing_mode mode,
                        kh_spara *out) {
  (void)ctx;
  memset(out, 0, sizeof *out);
  size_t mlen = marker ? strlen(marker) : 0;
  uint32_t len = node->text.len + (uint32_t)mlen;
  /* the node's own text when there is no marker to put before it */
  char *text = mlen || !node->text.text ? kh_arena_alloc(arena, len + 1) : NULL;
  KH_VEC(kh_run) runs = {0};
  if (mlen || !node->text.text) {
    if (!text) return KH_NOMEM;
    if (mlen) memcpy(text, marker, mlen);
    if (node->text.len) memcpy(text + mlen, node->text.text, node->text.len);
  }
  const char *use = text ? text : node->text.text;
  out->node = node;
  out->style = style;
  out->text = use;
  out->len = len;
  out->marker_len = (uint32_t)mlen;
  out->measure = measure - style->left - style->right;
  out->writing_mode = mode;
  uint32_t tcy_to = 0; /* the 縦中横 number being set ends here */
  uint32_t up_to = 0;  /* the upright Western word being set ends here */

  mark_walk walk;
  if (walk_init(&walk, &node->text) != KH_OK) return KH_NOMEM;
  size_t i = 0;
  while (i < len) {
    uint32_t at = (uint32_t)i;
    int32_t cp = kh_utf8_next(use, len, &i);
    const char *href = NULL;
    unsigned flags = 0;
    if (at >= mlen && flags_at(&walk, at - (uint32_t)mlen, &flags, &href,
                                   layout->emphasis == KH_EMPHASIS_SESAME) != KH_OK) {
      walk_free(&walk);
      kh_vec_free(&runs);
      return KH_NOMEM;
    }
    kh_script script = kh_script_neutral(cp) ? context_script(use, len, at, i) : kh_script_of(cp);
    script = aligned_figure(layout, node, cp, script, &flags);
    if (mode == KH_WRITING_VERTICAL) {
      if (at >= tcy_to) tcy_to = tcy_end(use, len, at, layout->tcy_digits);
      if (at >= up_to) up_to = upright_end(use, len, at, layout->upright_latin);
      flags |= at < tcy_to ? KH_RUN_TCY : at < up_to ? KH_RUN_UPRIGHT : orientation(cp);
      /* 縦中横 takes the Japanese font's digits, half an em each */
      if (flags & KH_RUN_TCY) script = KH_SCRIPT_JA;
    }
    /* a variation selector or combining mark stays with its base */
    if (runs.n && (cp == 0xFE0F || cp == 0xFE0E || (cp >= 0xE0100 && cp <= 0xE01EF) ||
              (cp >= 0x300 && cp < 0x370) || cp == 0x200D)) {
      script = runs.v[runs.n - 1].script;
      flags = (flags & ~(unsigned)(KH_RUN_SIDEWAYS | KH_RUN_TCY | KH_RUN_UPRIGHT)) |
              (runs.v[runs.n - 1].flags & (KH_RUN_SIDEWAYS | KH_RUN_TCY | KH_RUN_UPRIGHT));
    }
    int face = (flags & KH_RUN_CODE)     ? style->code_face
               : (flags & KH_RUN_STRONG) ? style->strong_face
                                         : style->face;
    const kh_face *fc = &layout->faces[face];
    int font = fc->font[script];
    if (font < 0 && script == KH_SCRIPT_EMOJI && layout->nfallback)
      font = layout->fallback[0];
    if (font < 0) font = fc->font[KH_SCRIPT_JA];
    kh_fixed size = style->size, rise = 0;
    if (script == KH_SCRIPT_LATIN && fc->latin_scale != 1000)
      size = kh_fixed_muldiv(size, fc->latin_scale, 1000);
    if (script == KH_SCRIPT_LATIN && fc->latin_rise)
      rise = kh_fixed_muldiv(style->size, fc->latin_rise, 1000);
    footref_size(style, flags, &size, &rise);
    kh_run *prev = runs.n ? &runs.v[runs.n - 1] : NULL;
    if (prev && prev->font == font && prev->size == size && prev->script == script &&
        prev->flags == flags && prev->href == href && prev->rise == rise) {
      prev->end = (uint32_t)i;
      continue;
    }
    kh_run r = {at, (uint32_t)i, font, face, size, script, flags, href, rise};
    if (kh_vec_push(&runs, r) != KH_OK) {
      walk_free(&walk);
      kh_vec_free(&runs);
      return KH_NOMEM;
    }
  }
  walk_free(&walk);
  /* the runs stay with the paragraph, in the arena, at their real count */
  out->runs = kh_arena_alloc(arena, (runs.n + 1) * sizeof *out->runs);
  if (out->runs && runs.n) memcpy(out->runs, runs.v, runs.n * sizeof *out->runs);
  out->nruns = (uint32_t)runs.n;
  kh_vec_free(&runs);
  return out->runs ? KH_OK : KH_NOMEM;
}

kh_status kh_style_window(kh_arena *arena, const kh_spara *sp, const kh_pstyle *style,
                          uint32_t from, uint32_t to, kh_spara *out) {
  *out = *sp;
  out->style = style;
  out->runs = NULL;
  out->nruns = 0;
  uint32_t lo = 0, hi = sp->nruns; /* the first run that ends after from */
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (sp->runs[mid].end <= from) lo = mid + 1;
    else hi = mid;
  }
  uint32_t end = lo;
  while (end < sp->nruns && sp->runs[end].start < to) end++;
  out->runs = kh_arena_alloc(arena, (end - lo + 1) * sizeof *out->runs);
  if (!out->runs) return KH_NOMEM;
  if (end > lo) memcpy(out->runs, sp->runs + lo, (end - lo) * sizeof *out->runs);
  out->nruns = end - lo;
  if (out->nruns) {
    if (out->runs[0].start < from) out->runs[0].start = from;
    if (out->runs[out->nruns - 1].end > to) out->runs[out->nruns - 1].end = to;
  }
  return KH_OK;
}

void kh_style_trace(const kh_layout *layout, const kh_spara *sp, FILE *out) {
  static const char *scripts[] = {"ja", "latin", "emoji"};
  fprintf(out, "para[%s] measure=%.3f\n", sp->style->name, KH_FIXED_TO_PT(sp->measure));
  for (uint32_t i = 0; i < sp->nruns; i++) {
    const kh_run *r = &sp->runs[i];
    fprintf(out, "  [%s %s %.2fpt", layout->fonts[r->font].name, scripts[r->script],
            KH_FIXED_TO_PT(r->size));
    if (r->rise) fprintf(out, " rise=%.3f", KH_FIXED_TO_PT(r->rise));
    fprintf(out, "%s%s%s%s%s%s] \"%.*s\"\n",
            r->flags & KH_RUN_STRONG ? " strong" : "", r->flags & KH_RUN_LINK ? " link" : "",
            r->flags & KH_RUN_STRIKE ? " strike" : "", r->flags & KH_RUN_FOOTREF ? " footref" : "",
            r->flags & KH_RUN_SIDEWAYS ? " sideways" : "",
            r->flags & KH_RUN_TCY ? " tcy" : r->flags & KH_RUN_UPRIGHT ? " upright" : "",
            (int)(r->end - r->start), sp->text + r->start);
  }
}
