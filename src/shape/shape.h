/* shape: styled runs -> shaped glyph runs (HarfBuzz).
 *
 * Loads the layout's fonts once (immutable hb fonts, shared by every
 * paragraph), shapes each run, and falls back per character to the face's
 * other fonts and then to the layout's fallback fonts (emoji).  A character no
 * font covers is a warning at its file:line:col, never a silent .notdef. */
#ifndef KH_SHAPE_H
#define KH_SHAPE_H

#include "style/style.h"

typedef struct kh_font kh_font;
typedef struct kh_fontset kh_fontset;

/* Loads every font the layout names.  A missing or unreadable font file is
 * an error at the layout line naming it. */
kh_status kh_fontset_new(kh_ctx *ctx, const kh_layout *layout,
                         kh_fontset **out);
/* A fontset is immutable once made (its HarfBuzz faces and fonts are made
 * immutable), so builds in several threads may share one: each holds a
 * reference (keep), and the last drop frees it. */
kh_fontset *kh_fontset_keep(kh_fontset *set);
void kh_fontset_drop(kh_fontset *set);
int kh_fontset_count(const kh_fontset *set);
kh_font *kh_fontset_get(const kh_fontset *set, int index);

/* Facts about a font for the PDF embedder (transfer none). */
const char *kh_font_path(const kh_font *font);
struct hb_face_t *kh_font_hb_face(const kh_font *font);
struct hb_font_t *kh_font_hb_font(const kh_font *font); /* scale = upem */
unsigned kh_font_upem(const kh_font *font);
int kh_font_has_color_png(const kh_font *font); /* CBDT/sbix bitmaps */
/* Vertical writing: the height of a full-width glyph's vertical origin
 * above its baseline, in font units (HarfBuzz's v origin of 永; the PDF's
 * /DW2 gives the same). */
int32_t kh_font_v_origin(const kh_font *font);
/* Nominal glyph of a code point; 0 when the font has none. */
uint32_t kh_font_glyph(const kh_font *font, int32_t cp);
/* Checks the layout's composition choices against its fonts, once a
 * build: `table-figures: tnum` with a table cell's Latin font that has no
 * OpenType 'tnum' (and proportional digits) is a warning at that line. */
void kh_shape_check_layout(kh_ctx *ctx, const kh_layout *layout, const kh_fontset *set);

enum {
  KH_GLYPH_IMAGE = 1u << 0,          /* draw as the font's colour bitmap */
  KH_GLYPH_SPACE = 1u << 1,          /* a white-space character */
  KH_GLYPH_CLUSTER_START = 1u << 2,  /* first glyph of its cluster */
  /* vertical text (the run's KH_RUN_SIDEWAYS, KH_RUN_TCY; neither is
   * upright): see kh_glyph */
  KH_GLYPH_SIDEWAYS = 1u << 3,
  KH_GLYPH_TCY = 1u << 4
};

typedef struct kh_glyph {
  uint32_t gid;
  int16_t font;       /* index into the fontset (= layout->fonts) */
  uint16_t flags;
  uint32_t cluster;   /* byte offset of the cluster in the paragraph text */
  uint32_t cluster_end; /* byte offset where the cluster ends */
  int32_t cp;         /* first code point of the cluster */
  uint32_t run;       /* index of the styled run it came from (here, not
                         last: no padding, 56 bytes a glyph) */
  kh_fixed size;      /* font size */
  kh_fixed adv;       /* advance (an image glyph: exactly one em) */
  kh_fixed dx, dy;    /* offset of the glyph from its pen position; dy grows
                         downwards, as page space does */
} kh_glyph;
/* Vertical text keeps these meanings along the line, a column: adv and dx
 * run down it, dy across it towards the next column (leftwards), so para/
 * composes a column as it composes a line.  Upright glyphs: the pen is the
 * top centre of the em box (the PDF's vertical origin); sideways glyphs:
 * horizontal glyphs whose line is turned 90° clockwise.  A 縦中横 group
 * (KH_GLYPH_TCY) is one em of the column: its first glyph's adv is the em
 * and the others' 0, and dx holds each glyph's own horizontal advance, for
 * page/ to set the group across the column. */

/* Something set over the base text (annot.c): ruby (JLReq 3.3) or a 圏点
 * sesame dot (JLReq 3.2).  Its glyphs are shaped at their own size; the
 * page stage places them over the base as composed. */
enum { KH_ANNOT_RUBY = 1, KH_ANNOT_SESAME = 2 };

typedef struct kh_annot {
  uint8_t kind;        /* KH_ANNOT_* */
  uint8_t group;       /* group ruby: no line break inside its base */
  uint32_t word;       /* jukugo ruby (JLReq 3.3.7) whose readings do not
                          each fit over their own character: the word's
                          first text byte + 1, shared by its pieces, which
                          are set together over the part of the word on
                          each line; 0 otherwise */
  uint32_t t0, t1;     /* the base: bytes of the paragraph text */
  uint32_t g0, g1;     /* the base: glyphs [g0, g1) */
  uint32_t node_start, node_end; /* the base: bytes of the node's text */
  kh_fixed size;       /* the annotation's size (half the base's) */
  kh_fixed width;      /* natural width of its glyphs */
  kh_fixed over_before, over_after; /* how far it reaches over the
                          character before / after its base (JLReq 3.3.6);
                          at a line's start or end the base moves in by
                          that much instead (para/ruby.c) */
  kh_fixed shift;      /* where its centre stands after its base's centre:
                          not 0 when a reading wider than its base
                          overhangs one neighbour only (JLReq 3.3.6) */
  kh_glyph *glyphs;    /* clusters index `text` */
  uint32_t n;
  const char *text;    /* the reading (or ﹅), UTF-8 */
  uint32_t text_len;
} kh_annot;

typedef struct kh_shaped {
  const kh_spara *sp;
  kh_glyph *glyphs;   /* in logical order, from the arena */
  uint32_t n;
  kh_annot *annots;   /* ordered by t0; NULL when none */
  uint32_t nannots;
  kh_glyph cont;      /* a verbatim paragraph (KH_NODE_CODE): the mark drawn
                         at the end of a line that wraps (U+21A9 ↩, from
                         the paragraph's first font that has it); adv 0
                         when there is none */
  kh_glyph *hyphens;  /* per styled run (sp->runs): the hyphen (U+002D) that
                         ends a line broken inside one of its Western words
                         (para/hyphen.c), from the font its letters take,
                         at its size and rise; adv 0 where there is none
                         (vertical text, code, a font without one).  NULL:
                         no word is hyphenated */
} kh_shaped;

kh_status kh_shape_para(kh_ctx *ctx, kh_arena *arena, const kh_fontset *set,
                        const kh_layout *layout, const kh_spara *sp,
                        kh_shaped *out);
/* Shapes the ruby and sesame dots over a shaped paragraph (annot.c), and
 * spaces a base that is narrower than its ruby.  Called by kh_shape_para. */
kh_status kh_shape_annotations(kh_ctx *ctx, kh_arena *arena, const kh_fontset *set,
                               const kh_layout *layout, kh_shaped *sh);
/* Internal to shape/: an upright glyph of vertical text from HarfBuzz's
 * top-to-bottom position (font units; h_advance the glyph's horizontal
 * advance, vorig kh_font_v_origin): adv, dx, dy as kh_glyph says. */
void kh_shape_upright(kh_glyph *g, int32_t x_offset, int32_t y_offset, int32_t y_advance,
                      int32_t h_advance, int32_t vorig, int64_t upem);
/* Serialises glyphs like hb-shape: [font:gid=cluster+advance|...]. */
void kh_shape_trace(const kh_layout *layout, const kh_shaped *sh, FILE *out);

/* Versions for kumihan --version (shape/version.c). */
void kh_shape_versions(kh_buf *out);
/* The font's version string (name ID 5) into buf. */
void kh_font_version(const kh_font *font, char *buf, size_t n);

#endif
