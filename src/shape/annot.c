/* shape: annotations over the base text: ruby (JLReq 3.3) and 圏点 sesame
 * dots (JLReq 3.2).
 *
 * Each reading is shaped on its own, half the base size, in the base's
 * font.  Where a reading is wider than its base (JLReq 3.3.6), it first
 * overhangs adjacent kana (or the blank half of adjacent punctuation) by up
 * to half a ruby character (never kanji); the
 * rest of the excess spaces the base out, 1:2:1 (a share before the first
 * base character, two between characters, one after the last), which is
 * done here by widening the base glyphs, so that line composition sees the
 * widths it must set.  Sesame dots are one glyph (U+FE45 ﹅) per base
 * character that is not punctuation or space.  Placing the annotations over
 * the composed lines is the page stage's. */
#include <hb.h>
#include <string.h>

#include "shape/shape.h"

#define SESAME 0xFE45

static int is_kana(int32_t cp) {
  return (cp >= 0x3041 && cp <= 0x309F) || (cp >= 0x30A0 && cp <= 0x30FF);
}

/* What a reading may overhang before its base: kana, or the blank half of
 * a full-width 、。 or closing bracket (JLReq 3.3.6, Appendix F). */
static int overhang_before(int32_t cp) {
  return is_kana(cp) || cp == 0x3001 || cp == 0x3002 || cp == 0xFF0C || cp == 0xFF0E ||
         cp == 0x300D || cp == 0x300F || cp == 0xFF09 || cp == 0x3011 || cp == 0x3015;
}

/* ... and after it: kana, or the blank half of an opening bracket. */
static int overhang_after(int32_t cp) {
  return is_kana(cp) || cp == 0x300C || cp == 0x300E || cp == 0xFF08 || cp == 0x3010 ||
         cp == 0x3014;
}

/* Punctuation, separators and controls carry no 圏点 (JLReq 3.2.4 note). */
static int takes_dot(int32_t cp) {
  switch (hb_unicode_general_category(hb_unicode_funcs_get_default(), (hb_codepoint_t)cp)) {
  case HB_UNICODE_GENERAL_CATEGORY_CONNECT_PUNCTUATION:
  case HB_UNICODE_GENERAL_CATEGORY_DASH_PUNCTUATION:
  case HB_UNICODE_GENERAL_CATEGORY_OPEN_PUNCTUATION:
  case HB_UNICODE_GENERAL_CATEGORY_CLOSE_PUNCTUATION:
  case HB_UNICODE_GENERAL_CATEGORY_INITIAL_PUNCTUATION:
  case HB_UNICODE_GENERAL_CATEGORY_FINAL_PUNCTUATION:
  case HB_UNICODE_GENERAL_CATEGORY_OTHER_PUNCTUATION:
  case HB_UNICODE_GENERAL_CATEGORY_SPACE_SEPARATOR:
  case HB_UNICODE_GENERAL_CATEGORY_LINE_SEPARATOR:
  case HB_UNICODE_GENERAL_CATEGORY_PARAGRAPH_SEPARATOR:
  case HB_UNICODE_GENERAL_CATEGORY_CONTROL:
  case HB_UNICODE_GENERAL_CATEGORY_FORMAT:
  case HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK:
    return 0;
  default:
    return 1;
  }
}

typedef struct annotator {
  kh_ctx *ctx;
  kh_arena *arena;
  const kh_fontset *set;
  kh_shaped *sh;
  hb_buffer_t *buf;
  KH_VEC(kh_annot) out;
} annotator;

/* Shapes `text` in `font` at `size` into arena glyphs. */
static kh_status shape_text(annotator *a, int font, kh_fixed size, const char *text,
                            uint32_t len, kh_annot *an) {
  kh_font *f = kh_fontset_get(a->set, font);
  /* vertical text: ruby and dots stand upright beside the column */
  int up = a->sh->sp->writing_mode == KH_WRITING_VERTICAL;
  hb_buffer_clear_contents(a->buf);
  hb_buffer_add_utf8(a->buf, text, (int)len, 0, (int)len);
  hb_buffer_set_direction(a->buf, up ? HB_DIRECTION_TTB : HB_DIRECTION_LTR);
  hb_buffer_set_script(a->buf, HB_SCRIPT_HIRAGANA);
  hb_buffer_set_language(a->buf, hb_language_from_string("ja", 2));
  hb_buffer_set_cluster_level(a->buf, HB_BUFFER_CLUSTER_LEVEL_MONOTONE_CHARACTERS);
  /* OpenType 'ruby': the font's ruby forms, where it has them */
  hb_feature_t ruby = {HB_TAG('r', 'u', 'b', 'y'), 1, 0, (unsigned)-1};
  hb_shape(kh_font_hb_font(f), a->buf, &ruby, 1);
  unsigned n;
  hb_glyph_info_t *info = hb_buffer_get_glyph_infos(a->buf, &n);
  hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(a->buf, &n);
  int64_t upem = kh_font_upem(f);
  an->glyphs = kh_arena_alloc(a->arena, (n + 1) * sizeof *an->glyphs);
  if (!an->glyphs) return KH_NOMEM;
  an->n = n;
  an->width = 0;
  for (unsigned i = 0; i < n; i++) {
    kh_glyph *g = &an->glyphs[i];
    g->gid = info[i].codepoint;
    g->font = (int16_t)font;
    g->cluster = info[i].cluster;
    g->cluster_end = i + 1 < n ? info[i + 1].cluster : len;
    size_t at = g->cluster;
    g->cp = kh_utf8_next(text, len, &at);
    g->size = size;
    if (i == 0 || info[i - 1].cluster != info[i].cluster) g->flags |= KH_GLYPH_CLUSTER_START;
    if (up) {
      kh_shape_upright(g, pos[i].x_offset, pos[i].y_offset, pos[i].y_advance,
                       hb_font_get_glyph_h_advance(kh_font_hb_font(f), g->gid),
                       kh_font_v_origin(f), upem);
    } else {
      g->adv = kh_fixed_muldiv(size, pos[i].x_advance, upem);
      g->dx = kh_fixed_muldiv(size, pos[i].x_offset, upem);
      g->dy = -kh_fixed_muldiv(size, pos[i].y_offset, upem);
    }
    an->width += g->adv;
  }
  an->text = text;
  an->text_len = len;
  return KH_OK;
}

/* Glyphs [g0, g1) whose clusters lie in text [t0, t1). */
static uint32_t first_at(const kh_shaped *sh, uint32_t t) {
  /* clusters never decrease in logical order (monotone cluster level) */
  uint32_t lo = 0, hi = sh->n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (sh->glyphs[mid].cluster < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

static void glyph_range(const kh_shaped *sh, uint32_t t0, uint32_t t1, uint32_t *g0,
                        uint32_t *g1) {
  *g0 = first_at(sh, t0);
  *g1 = first_at(sh, t1);
}

/* JLReq 3.3.6: a reading wider than its base overhangs adjacent kana by up
 * to half a ruby character each side, the same on both so that it stays
 * centred; the remaining excess spaces the base 1:2:1. */
static void fit_base(kh_shaped *sh, const kh_annot *an) {
  kh_fixed base = 0;
  uint32_t nchars = 0;
  for (uint32_t i = an->g0; i < an->g1; i++) {
    base += sh->glyphs[i].adv;
    nchars += !!(sh->glyphs[i].flags & KH_GLYPH_CLUSTER_START);
  }
  if (an->width <= base || nchars == 0) return;
  kh_fixed excess = an->width - base, half = an->size / 2;
  kh_fixed before = an->g0 > 0 && overhang_before(sh->glyphs[an->g0 - 1].cp) ? half : 0;
  kh_fixed after = an->g1 < sh->n && overhang_after(sh->glyphs[an->g1].cp) ? half : 0;
  kh_fixed oh = before < after ? before : after;
  if (oh > excess / 2) oh = excess / 2;
  kh_fixed spread = excess - 2 * oh;
  if (spread <= 0) return;
  /* each base character gets a share on either side: 1:2:1 overall */
  kh_fixed share = spread / (2 * (kh_fixed)nchars), rest = spread - share * 2 * (kh_fixed)nchars;
  for (uint32_t i = an->g0; i < an->g1; i++) {
    kh_glyph *g = &sh->glyphs[i];
    if (!(g->flags & KH_GLYPH_CLUSTER_START)) continue;
    uint32_t last = i;
    while (last + 1 < an->g1 && !(sh->glyphs[last + 1].flags & KH_GLYPH_CLUSTER_START)) last++;
    for (uint32_t k = i; k <= last; k++) sh->glyphs[k].dx += share;
    sh->glyphs[last].adv += 2 * share;
  }
  sh->glyphs[an->g1 - 1].adv += rest;
}

static kh_status add_ruby(annotator *a, const kh_mark *m, uint32_t shift) {
  kh_shaped *sh = a->sh;
  const kh_spara *sp = sh->sp;
  uint32_t t0 = m->start + shift, t1 = m->end + shift;
  uint32_t g0, g1;
  glyph_range(sh, t0, t1, &g0, &g1);
  if (g0 >= g1) return KH_OK;
  const kh_glyph *bg = &sh->glyphs[g0];
  const char *r = m->ruby;
  uint32_t rlen = (uint32_t)strlen(r), nread = 1, nclusters = 0;
  for (uint32_t i = 0; i < rlen; i++) nread += r[i] == '|';
  for (uint32_t i = g0; i < g1; i++) nclusters += !!(sh->glyphs[i].flags & KH_GLYPH_CLUSTER_START);
  kh_fixed size = bg->size / 2;
  if (nread == 1 || nread != nclusters) {
    /* group ruby (or readings that do not match the clusters: as a group,
     * the bars dropped) */
    char *text = kh_arena_alloc(a->arena, rlen + 1);
    uint32_t n = 0;
    if (!text) return KH_NOMEM;
    for (uint32_t i = 0; i < rlen; i++)
      if (r[i] != '|') text[n++] = r[i];
    kh_annot an = {0};
    an.kind = KH_ANNOT_RUBY;
    an.group = 1;
    an.t0 = t0;
    an.t1 = t1;
    an.g0 = g0;
    an.g1 = g1;
    an.size = size;
    an.node_start = m->start;
    an.node_end = m->end;
    kh_status st = shape_text(a, bg->font, size, text, n, &an);
    if (st != KH_OK) return st;
    fit_base(sh, &an);
    return kh_vec_push(&a->out, an);
  }
  /* mono-ruby (jukugo ruby over a word): one reading per base character,
   * each centred over its own character; the line may break between them */
  uint32_t ri = 0;
  for (uint32_t i = g0; i < g1;) {
    uint32_t j = i + 1;
    while (j < g1 && !(sh->glyphs[j].flags & KH_GLYPH_CLUSTER_START)) j++;
    uint32_t re = ri;
    while (re < rlen && r[re] != '|') re++;
    kh_annot an = {0};
    an.kind = KH_ANNOT_RUBY;
    an.t0 = sh->glyphs[i].cluster;
    an.t1 = j < g1 ? sh->glyphs[j].cluster : t1;
    an.g0 = i;
    an.g1 = j;
    an.size = size;
    an.node_start = an.t0 - shift;
    an.node_end = an.t1 - shift;
    char *text = kh_arena_strndup(a->arena, r + ri, re - ri);
    if (!text) return KH_NOMEM;
    kh_status st = shape_text(a, sh->glyphs[i].font, size, text, re - ri, &an);
    if (st != KH_OK) return st;
    fit_base(sh, &an);
    if ((st = kh_vec_push(&a->out, an)) != KH_OK) return st;
    ri = re + 1;
    i = j;
  }
  (void)sp;
  return KH_OK;
}

/* The font's ﹅ has its ink where vertical text wants it, off the centre
 * of its box: move the ink to the centre of the em box (JLReq 3.2: the dot
 * is centred over the character). */
static void centre_ink(annotator *a, kh_annot *an) {
  if (an->n != 1) return;
  kh_glyph *g = &an->glyphs[0];
  kh_font *f = kh_fontset_get(a->set, g->font);
  hb_glyph_extents_t e;
  if (!hb_font_get_glyph_extents(kh_font_hb_font(f), g->gid, &e)) return;
  int64_t upem = kh_font_upem(f);
  /* ink centre, font units: x from the pen, y up from the baseline */
  int64_t cx = e.x_bearing + e.width / 2, cy = e.y_bearing + e.height / 2;
  if (a->sh->sp->writing_mode == KH_WRITING_VERTICAL) {
    /* the pen is the box's top centre: half an em down, none across */
    int64_t w = hb_font_get_glyph_h_advance(kh_font_hb_font(f), g->gid);
    g->dx = kh_fixed_muldiv(an->size, (int64_t)upem / 2 - (kh_font_v_origin(f) - cy), upem);
    g->dy = kh_fixed_muldiv(an->size, cx - w / 2, upem);
    return;
  }
  int64_t box_cy = (int64_t)upem * 380 / 1000; /* em box: 0.88 up, 0.12 down */
  g->dx = kh_fixed_muldiv(an->size, (int64_t)upem / 2 - cx, upem);
  g->dy = kh_fixed_muldiv(an->size, cy - box_cy, upem);
  (void)g->adv;
}

static kh_status add_sesame(annotator *a, const kh_mark *m, uint32_t shift) {
  kh_shaped *sh = a->sh;
  uint32_t g0, g1;
  glyph_range(sh, m->start + shift, m->end + shift, &g0, &g1);
  for (uint32_t i = g0; i < g1; i++) {
    const kh_glyph *g = &sh->glyphs[i];
    if (!(g->flags & KH_GLYPH_CLUSTER_START) || (g->flags & KH_GLYPH_SPACE) || !takes_dot(g->cp))
      continue;
    uint32_t j = i + 1;
    while (j < g1 && !(sh->glyphs[j].flags & KH_GLYPH_CLUSTER_START)) j++;
    /* the dot from the Japanese font of the character, or the first font
     * that has one */
    int font = g->font;
    if (!kh_font_glyph(kh_fontset_get(a->set, font), SESAME))
      for (font = 0; font < kh_fontset_count(a->set); font++)
        if (kh_font_glyph(kh_fontset_get(a->set, font), SESAME)) break;
    if (font >= kh_fontset_count(a->set)) {
      kh_warning(a->ctx, kh_inline_pos(&sh->sp->node->text, m->start),
                 "no font has the sesame dot U+FE45 for 圏点");
      return KH_OK;
    }
    kh_annot an = {0};
    an.kind = KH_ANNOT_SESAME;
    an.t0 = g->cluster;
    an.t1 = sh->glyphs[j - 1].cluster_end;
    an.g0 = i;
    an.g1 = j;
    an.size = g->size / 2;
    an.node_start = an.t0 - shift;
    an.node_end = an.t1 - shift;
    kh_status st = shape_text(a, font, an.size, "\xEF\xB9\x85", 3, &an);
    if (st != KH_OK) return st;
    centre_ink(a, &an);
    if ((st = kh_vec_push(&a->out, an)) != KH_OK) return st;
    i = j - 1;
  }
  return KH_OK;
}

static int by_start(const void *x, const void *y) {
  const kh_annot *a = x, *b = y;
  return a->t0 < b->t0 ? -1 : a->t0 > b->t0 ? 1 : (int)a->kind - (int)b->kind;
}

kh_status kh_shape_annotations(kh_ctx *ctx, kh_arena *arena, const kh_fontset *set,
                               const kh_layout *layout, kh_shaped *sh) {
  const kh_spara *sp = sh->sp;
  const kh_node *node = sp->node;
  if (!node || node->text.nmarks == 0 || sh->n == 0) return KH_OK;
  kh_status ret = KH_OK;
  annotator a = {ctx, arena, set, sh, NULL, {0}};
  for (uint32_t i = 0; i < node->text.nmarks; i++) {
    const kh_mark *m = &node->text.marks[i];
    int sesame = (m->flags & KH_MARK_SESAME) ||
                 ((m->flags & KH_MARK_EM) && layout->emphasis == KH_EMPHASIS_SESAME);
    if (!((m->flags & KH_MARK_RUBY) && m->ruby) && !sesame) continue;
    if (!a.buf) {
      a.buf = hb_buffer_create();
      if (!hb_buffer_allocation_successful(a.buf)) KH_CHECK(KH_NOMEM);
    }
    if ((m->flags & KH_MARK_RUBY) && m->ruby) KH_CHECK(add_ruby(&a, m, sp->marker_len));
    if (sesame) KH_CHECK(add_sesame(&a, m, sp->marker_len));
  }
  if (a.out.n) {
    qsort(a.out.v, a.out.n, sizeof *a.out.v, by_start);
    sh->annots = kh_arena_alloc(arena, a.out.n * sizeof *sh->annots);
    if (!sh->annots) KH_CHECK(KH_NOMEM);
    memcpy(sh->annots, a.out.v, a.out.n * sizeof *sh->annots);
    sh->nannots = (uint32_t)a.out.n;
  }
cleanup:
  if (a.buf) hb_buffer_destroy(a.buf);
  kh_vec_free(&a.out);
  return ret;
}
