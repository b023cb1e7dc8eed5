/* page: ruby (JLReq 3.3) and 圏点 (JLReq 3.2) over a composed line.
 *
 * An annotation's em box sits on the base's em box (JLReq 3.3.4: ruby
 * touches the base); ruby is centred over its base as composed (after
 * justification) -- the readings of a jukugo word that do not each fit
 * over their own character together over the word's characters on the
 * line (JLReq 3.3.7) -- or, where a group ruby is shorter than its base, spread
 * 1:2:1 over it (JLReq 3.3.6 b); a sesame dot is centred over its
 * character.  Nothing reaches past the measure: ruby overhanging at a line
 * edge is pulled back to it (JLReq 3.3.6: a line-start or line-end ruby is
 * aligned with the edge). */
#include <string.h>

#include "page/page.h"

#define EM_ASCENT(size) kh_fixed_muldiv((size), 880, 1000)
#define EM_DESCENT(size) ((size) - EM_ASCENT(size))

static kh_status put(kh_arena *A, const kh_lines *ls, const kh_line *ln, const kh_annot *an,
                     kh_fixed left, kh_fixed base,
                     kh_status (*add)(void *user, kh_item it), void *user) {
  const kh_shaped *sh = ls->sh;
  const kh_spara *sp = sh->sp;
  uint32_t k0 = an->g0 - ln->first, k1 = an->g1 - ln->first;
  const kh_glyph *last = &sh->glyphs[an->g1 - 1];
  kh_fixed bx0 = left + ln->x0 + ln->x[k0];
  kh_fixed bx1 = left + ln->x0 + ln->x[k1 - 1] + last->adv;
  kh_fixed bsize = sh->glyphs[an->g0].size;
  kh_item it = {0};
  it.kind = KH_ITEM_GLYPHS;
  it.flags = an->kind == KH_ANNOT_RUBY ? KH_ITEM_RUBY : KH_ITEM_EMPHASIS | KH_ITEM_ARTIFACT;
  it.node = sp->node;
  it.base_start = an->node_start;
  it.base_end = an->node_end;
  it.font = an->glyphs[0].font;
  it.size = an->size;
  it.y = base - EM_ASCENT(bsize) - EM_DESCENT(an->size);
  it.n = an->n;
  it.glyphs = kh_arena_alloc(A, (an->n + 1) * sizeof *it.glyphs);
  const char *text = kh_arena_strndup(A, an->text, an->text_len);
  if (!it.glyphs || !text) return KH_NOMEM;
  kh_fixed gap = 0, x;
  uint32_t nclusters = 0;
  for (uint32_t i = 0; i < an->n; i++)
    nclusters += !!(an->glyphs[i].flags & KH_GLYPH_CLUSTER_START);
  if (an->kind == KH_ANNOT_RUBY && an->group && nclusters > 1 && an->width < bx1 - bx0) {
    gap = (bx1 - bx0 - an->width) / (kh_fixed)nclusters;
    x = bx0 + gap / 2;
  } else { /* centred, or moved over the one neighbour it may overhang */
    x = (bx0 + bx1) / 2 - an->width / 2 + an->shift;
  }
  /* at the edges of the measure */
  kh_fixed lo = left, hi = left + sp->measure;
  kh_fixed w = an->width + gap * (kh_fixed)(nclusters ? nclusters - 1 : 0);
  if (an->kind == KH_ANNOT_RUBY) {
    if (x + w > hi) x = hi - w;
    if (x < lo) x = lo;
  }
  for (uint32_t i = 0; i < an->n; i++) {
    const kh_glyph *g = &an->glyphs[i];
    kh_pglyph *pg = &it.glyphs[i];
    if (i > 0 && (g->flags & KH_GLYPH_CLUSTER_START)) x += gap;
    pg->gid = g->gid;
    pg->x = x + g->dx;
    pg->dy = g->dy;
    pg->adv = g->adv;
    if (g->flags & KH_GLYPH_CLUSTER_START) {
      pg->text = text + g->cluster;
      pg->text_len = g->cluster_end - g->cluster;
    }
    x += g->adv;
  }
  it.x = it.glyphs[0].x;
  return add(user, it);
}

/* The first annotation that may stand on line ln: annotations are in text
 * order, so in glyph order; by bisection. */
static uint32_t first_on(const kh_shaped *sh, const kh_line *ln) {
  uint32_t lo = 0, hi = sh->nannots;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (sh->annots[mid].g0 < ln->first) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Whether annotation i is the first piece of its jukugo word on line ln. */
static int first_piece(const kh_shaped *sh, const kh_line *ln, uint32_t i) {
  for (uint32_t j = i; j-- > 0;) {
    const kh_annot *p = &sh->annots[j];
    if (p->g1 <= ln->first) return 1;
    if (p->kind == KH_ANNOT_RUBY && p->word == sh->annots[i].word) return 0;
  }
  return 1;
}

/* The pieces of annotation i's jukugo word that stand on the line (up to
 * glyph `end`) as one reading over their characters (JLReq 3.3.7). */
static kh_status join_word(kh_arena *A, const kh_shaped *sh, uint32_t i, uint32_t end,
                           kh_annot *out) {
  const kh_annot *a0 = &sh->annots[i];
  uint32_t n = 0, len = 0, last = i;
  for (uint32_t j = i; j < sh->nannots && sh->annots[j].g0 < end; j++) {
    const kh_annot *p = &sh->annots[j];
    if (p->kind != KH_ANNOT_RUBY || p->word != a0->word || p->g1 > end) continue;
    n += p->n;
    len += p->text_len;
    last = j;
  }
  *out = *a0;
  out->glyphs = kh_arena_alloc(A, (n + 1) * sizeof *out->glyphs);
  char *text = kh_arena_alloc(A, len + 1);
  if (!out->glyphs || !text) return KH_NOMEM;
  out->n = out->text_len = 0;
  out->width = 0;
  for (uint32_t j = i; j <= last; j++) {
    const kh_annot *p = &sh->annots[j];
    if (p->kind != KH_ANNOT_RUBY || p->word != a0->word) continue;
    for (uint32_t k = 0; k < p->n; k++) {
      kh_glyph g = p->glyphs[k];
      g.cluster += out->text_len;
      g.cluster_end += out->text_len;
      out->glyphs[out->n++] = g;
    }
    memcpy(text + out->text_len, p->text, p->text_len);
    out->text_len += p->text_len;
    out->width += p->width;
    out->g1 = p->g1;
    out->t1 = p->t1;
    out->node_end = p->node_end;
  }
  out->text = text;
  return KH_OK;
}

kh_fixed kh_page_annot_height(const kh_lines *ls, uint32_t li) {
  const kh_shaped *sh = ls->sh;
  const kh_line *ln = &ls->lines[li];
  kh_fixed h = 0;
  if (!sh->nannots || ln->count == 0) return 0;
  for (uint32_t i = first_on(sh, ln); i < sh->nannots && sh->annots[i].g0 < ln->first + ln->count;
       i++) {
    const kh_annot *an = &sh->annots[i];
    if (an->n == 0 || an->g1 > ln->first + ln->count) continue;
    if (an->size > h) h = an->size;
  }
  return h;
}

kh_status kh_page_annots(kh_arena *A, const kh_lines *ls, uint32_t li, kh_fixed left,
                         kh_fixed base, kh_status (*add)(void *user, kh_item it),
                         void *user) {
  const kh_shaped *sh = ls->sh;
  const kh_line *ln = &ls->lines[li];
  if (!sh->nannots || ln->count == 0) return KH_OK;
  uint32_t lo = first_on(sh, ln), end = ln->first + ln->count;
  for (uint32_t i = lo; i < sh->nannots && sh->annots[i].g0 < end; i++) {
    const kh_annot *an = &sh->annots[i];
    /* only what stands wholly on this line (a group is never broken) */
    if (an->n == 0 || an->g0 < ln->first || an->g1 > end) continue;
    kh_annot word;
    if (an->word) { /* jukugo ruby: its pieces on this line, once */
      if (!first_piece(sh, ln, i)) continue;
      kh_status ret = join_word(A, sh, i, end, &word);
      if (ret != KH_OK) return ret;
      an = &word;
    }
    kh_status ret = put(A, ls, ln, an, left, base, add, user);
    if (ret != KH_OK) return ret;
  }
  return KH_OK;
}
