/* shape: styled runs -> glyphs, with HarfBuzz.
 *
 * Each run is split where a character needs another font: the run's own
 * font first, then the other fonts of its composite face, then the layout's
 * fallback fonts (emoji).  A character that no font has is an error at
 * its position under PDF/A (the default), else a warning, and is drawn as the
 * primary font's .notdef.
 * Positions are converted to kh_fixed once, here. */
#include <hb-ot.h>
#include <hb.h>
#include <string.h>

#include "shape/shape.h"

/* Characters that need no glyph of their own: variation selectors, joiners
 * and other default-ignorables are shaped with their base. */
static int ignorable(int32_t cp) {
  return cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0x2060 ||
         (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF) ||
         cp == 0xFEFF || cp < 0x20;
}

static int is_space(int32_t cp) {
  return cp == 0x20 || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A);
}

/* The font to use for cp in run r: the run's font if it has the glyph, else
 * the face's other fonts, else the fallbacks; -1 when none has it. */
static int pick_font(const kh_fontset *set, const kh_layout *L, const kh_run *r,
                     int32_t cp) {
  if (kh_font_glyph(kh_fontset_get(set, r->font), cp)) return r->font;
  const kh_face *fc = &L->faces[r->fallback_face];
  for (int s = 0; s < KH_SCRIPT_COUNT; s++) {
    int f = fc->font[s];
    if (f >= 0 && f != r->font && kh_font_glyph(kh_fontset_get(set, f), cp)) return f;
  }
  for (int i = 0; i < L->nfallback; i++)
    if (kh_font_glyph(kh_fontset_get(set, L->fallback[i]), cp)) return L->fallback[i];
  return -1;
}

/* Dashes and quotation marks in a Japanese run (kh_script_neutral) take the
 * font's own full-width form, OpenType 'fwid': fonts often give them a
 * Western, proportional glyph where JLReq sets them full-width.  Nothing
 * else is changed, so half-width katakana stay as written.  The form is
 * found by shaping the character alone, once per paragraph, font and
 * character: substituting after shaping keeps shaping linear, where a
 * feature range per character would not be. */
#define NFULLWIDTH 8 /* more than the neutral characters there are */
typedef struct fullwidth_form {
  int32_t cp;          /* 0: a free entry */
  int font;
  uint32_t gid;
  hb_glyph_position_t pos; /* font units */
} fullwidth_form;

typedef struct shaper {
  kh_ctx *ctx;
  const kh_fontset *set;
  const kh_spara *sp;
  hb_buffer_t *buf;
  hb_direction_t dir;  /* of upright text: LTR, or TTB in vertical text */
  KH_VEC(kh_glyph) out;
  fullwidth_form fw[NFULLWIDTH]; /* by character, for the font last asked */
} shaper;

static const fullwidth_form *fullwidth_of(shaper *s, int font, int32_t cp, hb_direction_t dir) {
  fullwidth_form *f = &s->fw[0];
  for (size_t i = 0; i < NFULLWIDTH; i++) {
    f = &s->fw[i];
    if (f->cp == cp || f->cp == 0) break;
  }
  if (f->cp == cp && f->font == font) return f;
  f->cp = cp;
  f->font = font;
  f->gid = 0;
  memset(&f->pos, 0, sizeof f->pos);
  hb_buffer_t *one = hb_buffer_create();
  char utf8[4];
  int n = kh_utf8_encode(cp, utf8);
  hb_buffer_add_utf8(one, utf8, n, 0, n);
  /* top to bottom in vertical text, so the full-width form takes its
   * vertical form ('vert') as well: a dash stays a vertical line */
  hb_buffer_set_direction(one, dir);
  hb_buffer_set_script(one, HB_SCRIPT_HAN);
  hb_buffer_set_language(one, hb_language_from_string("ja", 2));
  hb_feature_t fwid = {HB_TAG('f', 'w', 'i', 'd'), 1, 0, (unsigned)-1};
  hb_shape(kh_font_hb_font(kh_fontset_get(s->set, font)), one, &fwid, 1);
  unsigned len;
  hb_glyph_info_t *info = hb_buffer_get_glyph_infos(one, &len);
  hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(one, &len);
  if (len == 1) {
    f->gid = info[0].codepoint;
    f->pos = pos[0];
  }
  hb_buffer_destroy(one);
  return f;
}

/* Vertical text: an upright glyph's advance and offsets from HarfBuzz's
 * top-to-bottom positions, which are relative to the glyph's vertical origin
 * (x: half its width, y: the font's v origin): down the column and across
 * it, towards the next column.  A plain full-width glyph has none. */
void kh_shape_upright(kh_glyph *g, int32_t x_offset, int32_t y_offset, int32_t y_advance,
                      int32_t h_advance, int32_t vorig, int64_t upem) {
  g->adv = kh_fixed_muldiv(g->size, -y_advance, upem);
  g->dx = kh_fixed_muldiv(g->size, -(y_offset + vorig), upem);
  g->dy = -kh_fixed_muldiv(g->size, x_offset + h_advance / 2, upem);
}

/* Vertical text sets “ ” as the quotation marks 〝 〟 (JLReq 3.1.2 note:
 * the double prime quotation marks of vertical text). */
static int32_t vertical_quote(int32_t cp) {
  return cp == 0x201C ? 0x301D : cp == 0x201D ? 0x301F : cp;
}

/* Vertical text: the glyphs [from, to) of a 縦中横 number, shaped
 * horizontally, become one em of the column (see kh_glyph). */
static void tate_chu_yoko(kh_glyph *g, uint32_t from, uint32_t to) {
  for (uint32_t i = from; i < to; i++) {
    g[i].dx = g[i].adv;
    g[i].adv = i == from ? g[i].size : 0;
    g[i].dy = 0;
    g[i].flags |= KH_GLYPH_TCY;
  }
}

static kh_status shape_piece(shaper *s, uint32_t run, int font, uint32_t start,
                             uint32_t end) {
  const kh_spara *sp = s->sp;
  const kh_run *r = &sp->runs[run];
  kh_font *f = kh_fontset_get(s->set, font);
  /* vertical text: upright runs top to bottom (HarfBuzz applies 'vert'),
   * sideways and 縦中横 runs as horizontal text */
  int up = s->dir == HB_DIRECTION_TTB &&
           !(r->flags & (KH_RUN_SIDEWAYS | KH_RUN_TCY | KH_RUN_UPRIGHT));
  int32_t vorig = up ? kh_font_v_origin(f) : 0;
  hb_buffer_clear_contents(s->buf);
  hb_buffer_add_utf8(s->buf, sp->text, (int)sp->len, start, (int)(end - start));
  hb_buffer_set_direction(s->buf, up ? HB_DIRECTION_TTB : HB_DIRECTION_LTR);
  hb_buffer_set_script(s->buf, r->script == KH_SCRIPT_LATIN ? HB_SCRIPT_LATIN : HB_SCRIPT_HAN);
  hb_buffer_set_language(s->buf, hb_language_from_string("ja", 2));
  hb_buffer_set_cluster_level(s->buf, HB_BUFFER_CLUSTER_LEVEL_MONOTONE_CHARACTERS);
  /* joiners and variation selectors leave no glyph of their own: a colour
   * font has no bitmap for one, and nothing would be drawn for it anyway */
  hb_buffer_set_flags(s->buf, HB_BUFFER_FLAG_REMOVE_DEFAULT_IGNORABLES);
  hb_feature_t tnum = {HB_TAG('t', 'n', 'u', 'm'), 1, 0, (unsigned)-1};
  hb_shape(kh_font_hb_font(f), s->buf, &tnum, (r->flags & KH_RUN_TNUM) ? 1 : 0);
  unsigned n;
  hb_glyph_info_t *info = hb_buffer_get_glyph_infos(s->buf, &n);
  hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(s->buf, &n);
  int64_t upem = kh_font_upem(f);
  int image = kh_font_has_color_png(f);
  if (kh_vec_reserve(&s->out, s->out.n + n) != KH_OK) return KH_NOMEM;
  size_t first = s->out.n;
  for (unsigned i = 0; i < n; i++) {
    kh_glyph g = {0};
    g.gid = info[i].codepoint;
    g.font = (int16_t)font;
    g.cluster = info[i].cluster;
    g.cluster_end = end;
    for (unsigned j = i + 1; j < n; j++)
      if (info[j].cluster != g.cluster) {
        g.cluster_end = info[j].cluster;
        break;
      }
    size_t at = g.cluster;
    g.cp = kh_utf8_next(sp->text, sp->len, &at);
    g.size = r->size;
    g.run = run;
    if (i == 0 || info[i - 1].cluster != g.cluster) g.flags |= KH_GLYPH_CLUSTER_START;
    if (is_space(g.cp)) g.flags |= KH_GLYPH_SPACE;
    if (r->flags & KH_RUN_SIDEWAYS) g.flags |= KH_GLYPH_SIDEWAYS;
    if (image) {
      /* a colour pictograph is set in an em square, like a kanji */
      g.flags |= KH_GLYPH_IMAGE;
      g.adv = (g.flags & KH_GLYPH_CLUSTER_START) ? r->size : 0;
    } else {
      char one[4]; /* only a cluster of that one character */
      int32_t form = up ? vertical_quote(g.cp) : g.cp;
      if (((r->script == KH_SCRIPT_JA && kh_script_neutral(g.cp)) || form != g.cp) &&
          g.cluster_end - g.cluster == (uint32_t)kh_utf8_encode(g.cp, one)) {
        const fullwidth_form *fw = fullwidth_of(s, font, form, up ? s->dir : HB_DIRECTION_LTR);
        if (fw->gid) {
          g.gid = fw->gid;
          pos[i] = fw->pos;
        }
      }
      if (up) {
        kh_shape_upright(&g, pos[i].x_offset, pos[i].y_offset, pos[i].y_advance,
                         hb_font_get_glyph_h_advance(kh_font_hb_font(f), g.gid), vorig, upem);
      } else {
        g.adv = kh_fixed_muldiv(r->size, pos[i].x_advance, upem);
        g.dx = kh_fixed_muldiv(r->size, pos[i].x_offset, upem);
        /* HarfBuzz's y grows upwards, page space's downwards */
        g.dy = -kh_fixed_muldiv(r->size, pos[i].y_offset, upem) - r->rise;
      }
    }
    s->out.v[s->out.n++] = g;
  }
  if ((r->flags & KH_RUN_TCY) && s->dir == HB_DIRECTION_TTB)
    tate_chu_yoko(s->out.v, (uint32_t)first, (uint32_t)s->out.n);
  /* upright Western letters: each its own em, centred like 縦中横 */
  for (size_t i = first; (r->flags & KH_RUN_UPRIGHT) && s->dir == HB_DIRECTION_TTB && i < s->out.n;) {
    size_t j = i + 1;
    while (j < s->out.n && !(s->out.v[j].flags & KH_GLYPH_CLUSTER_START)) j++;
    tate_chu_yoko(s->out.v, (uint32_t)i, (uint32_t)j);
    i = j;
  }
  return KH_OK;
}

/* The continuation mark of a verbatim paragraph: the first of these a font
 * of the paragraph's face (or a fallback) has. */
static const int32_t k_cont_marks[] = {0x23CE /* ⏎ */, 0x21A9 /* ↩ */, 0x2192 /* → */};

static void cont_mark(const kh_fontset *set, const kh_layout *layout, const kh_spara *sp,
                      kh_glyph *out) {
  memset(out, 0, sizeof *out);
  if (!sp->node || sp->node->kind != KH_NODE_CODE || sp->nruns == 0) return;
  const kh_run *r = &sp->runs[0];
  for (size_t i = 0; i < sizeof k_cont_marks / sizeof *k_cont_marks; i++) {
    int f = pick_font(set, layout, r, k_cont_marks[i]);
    if (f < 0) continue;
    kh_font *font = kh_fontset_get(set, f);
    out->gid = kh_font_glyph(font, k_cont_marks[i]);
    out->font = (int16_t)f;
    out->cp = k_cont_marks[i];
    out->size = r->size;
    out->flags = KH_GLYPH_CLUSTER_START;
    out->adv = kh_fixed_muldiv(r->size, hb_font_get_glyph_h_advance(kh_font_hb_font(font), out->gid),
                               kh_font_upem(font));
    return;
  }
}

/* The hyphen of each run (kh_shaped.hyphens): the glyph of U+002D in the
 * font that has the run's letters (its Western font), as HarfBuzz advances
 * it alone; only horizontal prose has one. */
static kh_status hyphen_glyphs(kh_arena *arena, const kh_fontset *set, const kh_layout *layout,
                               const kh_spara *sp, kh_shaped *out) {
  if (sp->nruns == 0 || sp->writing_mode == KH_WRITING_VERTICAL ||
      (sp->node && sp->node->kind == KH_NODE_CODE))
    return KH_OK;
  kh_glyph *h = kh_arena_alloc(arena, sp->nruns * sizeof *h);
  if (!h) return KH_NOMEM;
  memset(h, 0, sp->nruns * sizeof *h);
  for (uint32_t i = 0; i < sp->nruns; i++) {
    const kh_run *r = &sp->runs[i];
    int f = pick_font(set, layout, r, 'a');
    if (f < 0 || !kh_font_glyph(kh_fontset_get(set, f), '-')) continue;
    kh_font *font = kh_fontset_get(set, f);
    h[i].gid = kh_font_glyph(font, '-');
    h[i].font = (int16_t)f;
    h[i].cp = '-';
    h[i].size = r->size;
    h[i].run = i;
    h[i].flags = KH_GLYPH_CLUSTER_START;
    h[i].adv = kh_fixed_muldiv(r->size, hb_font_get_glyph_h_advance(kh_font_hb_font(font), h[i].gid),
                               kh_font_upem(font));
    h[i].dy = -r->rise;
  }
  out->hyphens = h;
  return KH_OK;
}

kh_status kh_shape_para(kh_ctx *ctx, kh_arena *arena, const kh_fontset *set,
                        const kh_layout *layout, const kh_spara *sp,
                        kh_shaped *out) {
  kh_status ret = KH_OK;
  shaper s = {ctx, set, sp, hb_buffer_create(),
              sp->writing_mode == KH_WRITING_VERTICAL ? HB_DIRECTION_TTB : HB_DIRECTION_LTR,
              {0}, {{0}}};
  memset(out, 0, sizeof *out);
  out->sp = sp;
  if (!hb_buffer_allocation_successful(s.buf)) {
    ret = KH_NOMEM;
    goto cleanup;
  }
  /* about one glyph per character: reserved at once, so the array is not
   * copied as it grows (pages never touched cost nothing) */
  size_t chars = 0;
  uint32_t lo = sp->nruns ? sp->runs[0].start : 0; /* a window of a long paragraph */
  uint32_t hi = sp->nruns ? sp->runs[sp->nruns - 1].end : 0;
  for (uint32_t i = lo; i < hi; i++) chars += ((unsigned char)sp->text[i] & 0xC0) != 0x80;
  KH_CHECK(kh_vec_reserve(&s.out, chars + 1));
  for (uint32_t ri = 0; ri < sp->nruns; ri++) {
    const kh_run *r = &sp->runs[ri];
    uint32_t piece = r->start;
    int piece_font = -2;
    size_t i = r->start;
    while (i < r->end) {
      uint32_t at = (uint32_t)i;
      int32_t cp = kh_utf8_next(sp->text, r->end, &i);
      int f;
      if (ignorable(cp) || is_space(cp)) {
        f = piece_font >= 0 ? piece_font : r->font;
      } else {
        f = pick_font(set, layout, r, cp);
        if (f < 0) {
          uint32_t off = at >= sp->marker_len ? at - sp->marker_len : 0;
          /* PDF/A-2 (ISO 19005-2, 6.2.11.8) forbids drawing .notdef */
          if (layout->pdf_a) {
            ret = kh_error(ctx, kh_inline_pos(&sp->node->text, off), KH_FONT,
                           "no font has a glyph for U+%04X (a PDF/A file cannot "
                           "show it; the layout's 'pdf-a: false' draws .notdef)",
                           (unsigned)cp);
            goto cleanup;
          }
          kh_warning(ctx, kh_inline_pos(&sp->node->text, off),
                     "no font has a glyph for U+%04X", (unsigned)cp);
          f = r->font;
        }
      }
      if (f != piece_font) {
        if (piece_font >= 0 && at > piece)
          KH_CHECK(shape_piece(&s, ri, piece_font, piece, at));
        piece = at;
        piece_font = f;
      }
    }
    if (piece_font >= 0 && r->end > piece) KH_CHECK(shape_piece(&s, ri, piece_font, piece, r->end));
  }
  /* the glyphs stay with the paragraph without a copy: a paragraph of
   * millions of characters must not need twice their memory at the end */
  if (s.out.n == 0 || !s.out.v) KH_CHECK(kh_vec_reserve(&s.out, 1));
  kh_glyph *exact = realloc(s.out.v, s.out.n * sizeof *exact + sizeof *exact);
  if (exact) s.out.v = exact;
  out->glyphs = s.out.v;
  out->n = (uint32_t)s.out.n;
  s.out.v = NULL;
  s.out.n = s.out.cap = 0;
  KH_CHECK(kh_arena_adopt(arena, out->glyphs));
  cont_mark(set, layout, sp, &out->cont);
  KH_CHECK(hyphen_glyphs(arena, set, layout, sp, out));
  KH_CHECK(kh_shape_annotations(ctx, arena, set, layout, out));
cleanup:
  hb_buffer_destroy(s.buf);
  kh_vec_free(&s.out);
  return ret;
}

void kh_shape_trace(const kh_layout *layout, const kh_shaped *sh, FILE *out) {
  fputc('[', out);
  for (uint32_t i = 0; i < sh->n; i++) {
    const kh_glyph *g = &sh->glyphs[i];
    fprintf(out, "%s%s:%u=%u+%.3f", i ? "|" : "", layout->fonts[g->font].name, g->gid,
            g->cluster, KH_FIXED_TO_PT(g->adv));
    if (g->dx || g->dy) fprintf(out, "@%.3f,%.3f", KH_FIXED_TO_PT(g->dx), KH_FIXED_TO_PT(g->dy));
    if (g->flags & KH_GLYPH_IMAGE) fputs("#img", out);
  }
  fputs("]\n", out);
}
