/* para: ruby groups as units of line breaking (JLReq 3.3.5).
 *
 * A group ruby's base is not broken across lines; mono-ruby and jukugo
 * ruby may break between their base characters, each with its own
 * reading.  compose.c asks, for each break opportunity, whether it falls
 * inside a group.
 *
 * A reading that overhangs the character before or after its base (JLReq
 * 3.3.6) has nothing to overhang at a line's start or end, where it must
 * not pass the measure either: there the base moves in by the overhang
 * (the unit's line-start lead, its line-end space). */
#include "para/internal.h"

int kh_para_inside_ruby(const kh_shaped *sh, uint32_t t) {
  /* the last annotation starting before t (they are ordered by t0) */
  uint32_t lo = 0, hi = sh->nannots;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (sh->annots[mid].t0 < t) lo = mid + 1;
    else hi = mid;
  }
  /* groups do not nest or overlap; a sesame dot may share a start */
  for (uint32_t i = lo, steps = 0; i-- > 0 && steps++ < 256;) { /* bounded */
    const kh_annot *a = &sh->annots[i];
    if (a->kind == KH_ANNOT_RUBY && a->group) return t < a->t1;
    if (a->kind == KH_ANNOT_RUBY) return 0;
  }
  return 0;
}

/* The unit holding glyph g (units are in glyph order). */
static uint32_t unit_of(const para *p, uint32_t g) {
  uint32_t lo = 0, hi = p->nu;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (p->u[mid].g1 <= g) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

void kh_para_ruby_edges(para *p) {
  const kh_shaped *sh = p->sh;
  for (uint32_t i = 0; i < sh->nannots; i++) {
    const kh_annot *an = &sh->annots[i];
    if (an->kind != KH_ANNOT_RUBY || an->g0 >= an->g1) continue;
    uint32_t a = unit_of(p, an->g0), z = unit_of(p, an->g1 - 1);
    if (an->over_before > 0 && a < p->nu && p->u[a].lead < an->over_before)
      p->u[a].lead = an->over_before;
    if (an->over_after > 0 && z < p->nu && p->u[z].end < an->over_after)
      p->u[z].end = an->over_after;
  }
}
