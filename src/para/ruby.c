/* para: ruby groups as units of line breaking (JLReq 3.3.5).
 *
 * A group ruby's base is not broken across lines; mono-ruby and jukugo
 * ruby may break between their base characters, each with its own
 * reading.  compose.c asks, for each break opportunity, whether it falls
 * inside a group. */
#include "para/para.h"

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
