/* shape: the fontset, every font the layout names, loaded once.
 *
 * Each font file is mapped (hb_blob_create_from_file_or_fail mmaps it), made
 * into an hb_face and an hb_font at the default scale (units per em, so
 * advances read back as font units), and both are made immutable: they are
 * shared by every paragraph the shaper sees and by the PDF embedder, and
 * nothing may change them after loading.  The fontset owns them; everything
 * handed out is "transfer none". */
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <hb-ot.h>
#include <hb.h>

#include "shape/shape.h"

struct kh_font {
  char *path;      /* owned copy: the layout's arena may go first */
  hb_blob_t *blob; /* the mapped file */
  hb_face_t *face;
  hb_font_t *font; /* scale = upem */
  unsigned upem;
  int has_color_png; /* CBDT/sbix bitmaps, drawn as images */
  int32_t v_origin;  /* kh_font_v_origin, found when the font loads */
};

static int32_t v_origin_of(const kh_font *font);

struct kh_fontset {
  kh_font *fonts; /* one per layout->fonts[i], same index */
  int n;
  atomic_int refs; /* builds and caches holding it, in any thread */
};

static void font_clear(kh_font *f) {
  hb_font_destroy(f->font);
  hb_face_destroy(f->face);
  hb_blob_destroy(f->blob);
  free(f->path);
  memset(f, 0, sizeof *f);
}

typedef struct mapping {
  const void *data;
  size_t len;
} mapping;

static void mapping_free(void *user) {
  mapping *m = user;
  kh_file_unmap(m->data, m->len);
  free(m);
}

/* The file, mapped: a regular file in the publication's folders (or found
 * by fontconfig), within the size limit for fonts. */
static kh_status font_map(kh_ctx *ctx, const kh_font_ref *ref, hb_blob_t **out) {
  mapping *m = calloc(1, sizeof *m);
  if (!m)
    return KH_NOMEM;
  kh_status ret = kh_file_map(ctx, ref->pos, "font", ref->name ? ref->name : ref->path,
                              ref->path, ref->system ? 0 : KH_FILE_CONFINE, &m->data, &m->len);
  if (ret != KH_OK) {
    free(m);
    return ret;
  }
  if (m->len > UINT_MAX) {
    mapping_free(m);
    return kh_error(ctx, ref->pos, KH_LIMIT, "font '%s' is larger than 4 GiB", ref->name);
  }
  *out = hb_blob_create(m->data, (unsigned)m->len, HB_MEMORY_MODE_READONLY, m, mapping_free);
  return KH_OK;
}

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned table_length(hb_face_t *face, hb_tag_t tag) {
  hb_blob_t *b = hb_face_reference_table(face, tag);
  unsigned n = hb_blob_get_length(b);
  hb_blob_destroy(b);
  return n;
}

/* Checks a font where the layout names it, so that a damaged file fails
 * there and not in the PDF stage: every table of its directory lies inside
 * the file (a truncated file fails), the tables shaping and embedding read
 * are present at their minimum sizes (OpenType 1.9: head 54, hhea 36,
 * maxp 6 bytes), the units per em are in OpenType's range (16 to 16384),
 * and loca covers every glyph.  Returns a reason, or NULL. */
static const char *font_damage(hb_blob_t *blob, hb_face_t *face, int bitmap) {
  unsigned len = 0;
  const unsigned char *d = (const unsigned char *)hb_blob_get_data(blob, &len);
  uint32_t dir = 0;
  if (len >= 16 && be32(d) == HB_TAG('t', 't', 'c', 'f')) dir = be32(d + 12); /* first face */
  if (len < 16 || dir > len - 12) return "the file is too short for a font";
  unsigned ntables = (unsigned)d[dir + 4] << 8 | d[dir + 5];
  if ((uint64_t)dir + 12 + (uint64_t)ntables * 16 > len) return "its table directory is cut off";
  for (unsigned i = 0; i < ntables; i++) {
    const unsigned char *rec = d + dir + 12 + i * 16;
    if ((uint64_t)be32(rec + 8) + be32(rec + 12) > len) return "a table is cut off (truncated file?)";
  }
  if (table_length(face, HB_TAG('h', 'e', 'a', 'd')) < 54) return "no 'head' table";
  if (table_length(face, HB_TAG('h', 'h', 'e', 'a')) < 36) return "no 'hhea' table";
  if (table_length(face, HB_TAG('m', 'a', 'x', 'p')) < 6) return "no 'maxp' table";
  if (table_length(face, HB_TAG('h', 'm', 't', 'x')) < 4) return "no 'hmtx' table";
  if (table_length(face, HB_TAG('c', 'm', 'a', 'p')) < 4) return "no 'cmap' table";
  unsigned upem = hb_face_get_upem(face);
  if (upem < 16 || upem > 16384) return "its units per em are outside 16 to 16384";
  unsigned loca = table_length(face, HB_TAG('l', 'o', 'c', 'a'));
  unsigned glyphs = hb_face_get_glyph_count(face);
  if (!bitmap && loca > 0 && (uint64_t)loca < ((uint64_t)glyphs + 1) * 2)
    return "its 'loca' table is shorter than its glyph count";
  return NULL;
}

static kh_status font_load(kh_ctx *ctx, const kh_font_ref *ref, kh_font *f) {
  size_t n = strlen(ref->path) + 1;
  f->path = malloc(n);
  if (!f->path)
    return KH_NOMEM;
  memcpy(f->path, ref->path, n);

  kh_status ret = font_map(ctx, ref, &f->blob);
  if (ret != KH_OK)
    return ret;
  if (f->blob) {
    f->face = hb_face_create(f->blob, 0);
    /* hb_face_create never fails: a file that is not a font gives the empty
     * face, which has no glyphs; treat it like a missing file. */
    if (hb_face_get_glyph_count(f->face) == 0) {
      hb_face_destroy(f->face);
      f->face = NULL;
    }
  }
  if (!f->face)
    return kh_error(ctx, ref->pos, KH_FONT, "cannot load font '%s' (%s)",
                    ref->name ? ref->name : "", ref->path);
  hb_face_make_immutable(f->face);
  const char *damage = font_damage(f->blob, f->face, hb_ot_color_has_png(f->face));
  if (damage)
    return kh_error(ctx, ref->pos, KH_FONT, "font '%s' (%s) is damaged: %s",
                    ref->name ? ref->name : "", ref->path, damage);

  f->font = hb_font_create(f->face);
  if (!f->font || f->font == hb_font_get_empty())
    return KH_NOMEM;
  hb_font_make_immutable(f->font);

  f->upem = hb_face_get_upem(f->face);
  f->has_color_png = hb_ot_color_has_png(f->face) ? 1 : 0;
  f->v_origin = v_origin_of(f);
  /* The PDF embeds TrueType outlines (FontFile2); a font with CFF outlines
   * would lose its text, so it is refused here, where the layout names it.
   * A colour-bitmap font is drawn as images and needs no outlines. */
  hb_blob_t *glyf = hb_face_reference_table(f->face, HB_TAG('g', 'l', 'y', 'f'));
  int truetype = hb_blob_get_length(glyf) > 0;
  hb_blob_destroy(glyf);
  if (!truetype && !f->has_color_png)
    return kh_error(ctx, ref->pos, KH_UNSUPPORTED,
                    "font '%s' (%s) has no TrueType outlines; only TrueType "
                    "fonts can be embedded",
                    ref->name ? ref->name : "", ref->path);
  return KH_OK;
}

kh_status kh_fontset_new(kh_ctx *ctx, const kh_layout *layout,
                         kh_fontset **out) {
  kh_status ret = KH_OK;
  kh_fontset *set = NULL;
  *out = NULL;

  set = calloc(1, sizeof *set);
  if (!set)
    return KH_NOMEM;
  atomic_init(&set->refs, 1);
  if (layout->nfonts > 0) {
    set->fonts = calloc((size_t)layout->nfonts, sizeof *set->fonts);
    if (!set->fonts) {
      ret = KH_NOMEM;
      goto cleanup;
    }
  }
  for (int i = 0; i < layout->nfonts; i++) {
    set->n = i + 1; /* so that cleanup also frees a half-loaded font */
    KH_CHECK(font_load(ctx, &layout->fonts[i], &set->fonts[i]));
  }
  *out = set;
  set = NULL;

cleanup:
  kh_fontset_drop(set);
  return ret;
}

kh_fontset *kh_fontset_keep(kh_fontset *set) {
  if (set)
    atomic_fetch_add(&set->refs, 1);
  return set;
}

void kh_fontset_drop(kh_fontset *set) {
  if (!set || atomic_fetch_sub(&set->refs, 1) > 1)
    return;
  for (int i = 0; i < set->n; i++)
    font_clear(&set->fonts[i]);
  free(set->fonts);
  free(set);
}

int kh_fontset_count(const kh_fontset *set) {
  return set ? set->n : 0;
}

kh_font *kh_fontset_get(const kh_fontset *set, int index) {
  if (!set || index < 0 || index >= set->n)
    return NULL;
  return &set->fonts[index];
}

/* The accessors accept NULL (what kh_fontset_get gives for an index out of
 * range) and answer "nothing". */
const char *kh_font_path(const kh_font *font) {
  return font ? font->path : NULL;
}

struct hb_face_t *kh_font_hb_face(const kh_font *font) {
  return font ? font->face : NULL;
}

struct hb_font_t *kh_font_hb_font(const kh_font *font) {
  return font ? font->font : NULL;
}

unsigned kh_font_upem(const kh_font *font) {
  return font ? font->upem : 0;
}

int kh_font_has_color_png(const kh_font *font) {
  return font ? font->has_color_png : 0;
}

int32_t kh_font_v_origin(const kh_font *font) { return font->v_origin; }

/* The vertical origin of a full-width glyph (永, else あ), as HarfBuzz
 * finds it (vmtx and the glyph's box); the ascender when the font has
 * neither. */
static int32_t v_origin_of(const kh_font *font) {
  hb_position_t x = 0, y = 0;
  hb_codepoint_t g = kh_font_glyph(font, 0x6C38); /* 永 */
  if (!g) g = kh_font_glyph(font, 0x3042);        /* あ */
  if (g) {
    hb_font_get_glyph_v_origin(font->font, g, &x, &y);
  } else {
    hb_font_extents_t e = {0};
    hb_font_get_h_extents(font->font, &e);
    y = e.ascender;
  }
  return y;
}

uint32_t kh_font_glyph(const kh_font *font, int32_t cp) {
  hb_codepoint_t gid = 0;
  if (!font || cp < 0 ||
      !hb_font_get_nominal_glyph(font->font, (hb_codepoint_t)cp, &gid))
    return 0;
  return gid;
}

/* ---- the layout's choices against its fonts --------------------------------*/

static int has_feature(hb_face_t *face, hb_tag_t table, hb_tag_t tag) {
  hb_tag_t tags[64];
  unsigned start = 0, n;
  do {
    n = 64;
    hb_ot_layout_table_get_feature_tags(face, table, start, &n, tags);
    for (unsigned i = 0; i < n; i++)
      if (tags[i] == tag) return 1;
    start += n;
  } while (n == 64);
  return 0;
}

/* Digits 0-9 of one advance already: tabular without the feature. */
static int digits_even(const kh_font *f) {
  hb_position_t w = -1;
  for (int32_t cp = '0'; cp <= '9'; cp++) {
    uint32_t gid = kh_font_glyph(f, cp);
    if (!gid) return 0;
    hb_position_t a = hb_font_get_glyph_h_advance(f->font, gid);
    if (w >= 0 && a != w) return 0;
    w = a;
  }
  return 1;
}

static int is_cell_style(const char *name) {
  const char *dot = strrchr(name, '.');
  const char *base = dot ? dot + 1 : name;
  return !strcmp(base, "cell") || !strcmp(base, "cell-head");
}

void kh_shape_check_layout(kh_ctx *ctx, const kh_layout *layout, const kh_fontset *set) {
  if (layout->table_figures != KH_FIGURES_TNUM) return;
  /* the Latin fonts digits of table cells are set in (runs.c
   * table_figure), each once */
  unsigned char *seen = calloc((size_t)layout->nfonts + 1, 1);
  if (!seen) return;
  for (int s = 0; s < layout->nstyles; s++) {
    const kh_pstyle *st = &layout->styles[s];
    if (!is_cell_style(st->name)) continue;
    int faces[2] = {st->face, st->strong_face};
    for (int k = 0; k < 2; k++) {
      if (faces[k] < 0 || faces[k] >= layout->nfaces) continue;
      int fi = layout->faces[faces[k]].font[KH_SCRIPT_LATIN];
      const kh_font *f = kh_fontset_get(set, fi);
      if (!f || seen[fi]) continue;
      seen[fi] = 1;
      if (has_feature(f->face, HB_OT_TAG_GSUB, HB_TAG('t', 'n', 'u', 'm')) ||
          has_feature(f->face, HB_OT_TAG_GPOS, HB_TAG('t', 'n', 'u', 'm')) || digits_even(f))
        continue;
      kh_warning(ctx, layout->table_figures_pos,
                 "table-figures: tnum, but font '%s' (%s) of style '%s' has no tabular "
                 "figures (OpenType tnum): its digits stay proportional and columns of "
                 "numbers will not line up (use table-figures: fixed)",
                 layout->fonts[fi].name, layout->fonts[fi].path, st->name);
    }
  }
  free(seen);
}
