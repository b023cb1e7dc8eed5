/* para: choosing the line breaks of a paragraph.
 *
 * Total fit (the default), in the spirit of Knuth and Plass's paragraph
 * breaking: every break opportunity is a state, a line between two states
 * has a cost, and the paragraph takes the path of least total cost.  The
 * cost of a line is JLReq's adjustment (3.8): how far it must be compressed
 * (3.8.3: punctuation and Japanese-Western spaces, JLReq Appendix C/D
 * amounts, held in the glue from jlreq.c) or expanded (3.8.4: spread
 * evenly over its gaps, each up to a cap), as a badness 100 r^3 of the
 * ratio r of what it needs to what it may give (25 r^3 for compression,
 * which 3.8.2 prefers).  On top of that:
 *  - a line that needs more than its gaps give within the cap (a quarter
 *    em added to a gap between Japanese characters, half an em of
 *    Japanese-Western space) costs more than any line within it when its
 *    Western words can take the rest (letter-spaced up to an eighth of an
 *    em), and far more than any other choice when its Japanese gaps would
 *    open past the cap, so a different break is taken wherever one exists;
 *  - a break inside an unbreakable Western run (a URL, a path, an
 *    identifier) wider than the measure costs less than a line over the
 *    cap and more than any line within it, a quarter as much after
 *    punctuation (- _ .) as between letters; a break after "/" costs a
 *    little; between two letters of a run no wider than the measure (a
 *    word that could go whole to the next line, JLReq 3.1.10 f) it costs
 *    as much as a line two ems over the cap, so it is taken only where
 *    keeping the word whole would leave a line gaping;
 *  - a break at a hyphenation point of a Western word (hyphen.c; JIS X
 *    4051 and JLReq 3.1.10 break a Western word at a line end only there,
 *    with a hyphen) costs about what a line half-way to its cap does; two
 *    hyphenated lines in a row cost more, and so does a hyphen on the line
 *    before the paragraph's last (TeX's \hyphenpenalty,
 *    \doublehyphendemerits, \finalhyphendemerits), so a word is broken
 *    only where keeping it whole would open the line's gaps, and never
 *    between letters without a hyphen where a hyphenation point serves;
 *  - a paragraph's last line of one character (「進」。) costs, instead of
 *    being forbidden;
 *  - two consecutive lines ending in the same punctuation cost a little;
 *  - a line whose 、。 hangs past the measure (ぶら下げ, 3.8.3, when the
 *    layout allows it) costs next to nothing of its own: a book that hangs
 *    its punctuation does so wherever 、。 would otherwise be pushed in or
 *    push a character out; only a tie goes to the line that does not hang.
 * Demerits per line are (10 + badness)^2 plus the costs above (TeX's
 * scheme).  Floating point only here, for the cost; positions stay
 * integers.
 *
 * Time: a first pass looks only at lines within the cap, found with a
 * moving window over the states (each line end looks back over the few
 * states that can start a line ending there); only when that finds no way
 * through does a second pass allow everything.  A paragraph that fits on
 * one line takes no search at all.
 *
 * First fit (layout option `line-breaking: first-fit`): the line holds
 * what fits at natural spacing, and the characters at the overflow point
 * are pushed in when they can be, else pushed out (3.8.2). */
#include <math.h>
#include <string.h>

#include "para/internal.h"

#define LINE_DEMERITS 10.0
/* 3.8.2: pushing in is preferred to pushing out, so a fully compressed
 * line costs what a line expanded to 0.63 of its cap does */
#define SHRINK_BAD 25.0
#define BAD_OVER 1000.0        /* badness of a line just over the even
                                  stretch, its Western words letter-spaced */
#define BAD_SPACED 1000.0      /* badness of letter-spacing every Western
                                  gap of a line by an eighth of an em */
#define BAD_OVER_CAP 10000.0   /* badness of a line whose gaps between
                                  Japanese characters open past their cap */
#define BAD_OVERFULL 100000.0  /* no way to fit the measure */
#define PEN_SLASH 500.0
#define PEN_EMERGENCY 400000.0
/* a break inside a run no wider than the measure that would fit on a line
 * of its own (a path, an acronym) costs what a line two ems over its
 * letter-spaced stretch does: JLReq 3.1.10 f keeps words whole */
#define PEN_WORD ((LINE_DEMERITS + BAD_OVER + 200.0) * (LINE_DEMERITS + BAD_OVER + 200.0))
/* a break between two letters of a word with hyphenation points, without
 * a hyphen, costs what a line whose Japanese gaps open two ems past their
 * cap does: the last resort (JIS X 4051 breaks a word only with a hyphen) */
#define PEN_LETTER ((LINE_DEMERITS + BAD_OVER_CAP + 200.0) * (LINE_DEMERITS + BAD_OVER_CAP + 200.0))
#define PEN_LONE_LAST 50000.0
#define PEN_SAME_END 3000.0
#define PEN_HANG 1.0
/* a hyphenated line: what a line stretched to 0.9 of its cap costs more
 * than one that needs nothing, (10 + 73)^2 - 10^2 */
#define PEN_HYPHEN 6800.0
#define PEN_HYPHEN_TWICE 10000.0 /* the line before ends with one too */
#define PEN_HYPHEN_FINAL 5000.0  /* the paragraph's last line is its tail */

typedef struct fit {
  const para *p;
  uint32_t a, z;
  unsigned options;
  int64_t *W;  /* W[i - a]: box + glue of units [a, i) */
  int64_t *SH; /* glue shrink of [a, i) */
  int64_t *S1; /* glue capped stretch of [a, i) */
  int64_t *S2; /* letter-spacing inside Western words of [a, i) */
} fit;

/* Width of units [s, k] at natural spacing, without the line-end space. */
static int64_t width(const fit *f, uint32_t s, uint32_t k) {
  return kh_para_lead(f->p, s) + f->W[k + 1 - f->a] - f->W[s - f->a] - f->p->g[k].nat;
}

static int64_t shrink_of(const fit *f, uint32_t s, uint32_t k) {
  return f->SH[k - f->a] - f->SH[s - f->a];
}

static int64_t stretch_of(const fit *f, uint32_t s, uint32_t k) {
  return f->S1[k - f->a] - f->S1[s - f->a];
}

static int64_t word_spacing_of(const fit *f, uint32_t s, uint32_t k) {
  return f->S2[k - f->a] - f->S2[s - f->a];
}

/* Badness of a line that needs `need` more than its capped stretch `cap`
 * gives: first spaced inside its Western words (kh_para_word_spacing,
 * up to an eighth of an em a gap), which costs more than any line within
 * the caps and grows with the square of what each letter takes (thin
 * spacing over a long identifier or URL costs little, English at a narrow
 * measure is hyphenated rather than letter-spaced); what is left opens its
 * Japanese gaps past the cap, which costs far more than any break of a URL
 * or path between letters. */
static double over_badness(const fit *f, uint32_t s, uint32_t k, int64_t need, int64_t cap) {
  int64_t words = word_spacing_of(f, s, k);
  double em = (double)f->p->u[k].em;
  if (need - cap <= words) {
    double r = (double)(need - cap) / (double)words; /* of what the letters may take */
    return 100.0 + BAD_SPACED * r * r;
  }
  return BAD_OVER_CAP + 100.0 * (double)(need - cap - words) / em;
}

enum { FIT_OK, FIT_LONG, FIT_SHORT };

/* Badness of units [s, k] set to `avail` (justified unless `last`). */
static int badness(const fit *f, uint32_t s, uint32_t k, kh_fixed avail, int last,
                   int over_ok, double *out) {
  const para *p = f->p;
  kh_fixed end = last ? 0 : kh_para_line_end(p, k);
  int64_t need = (int64_t)avail - (width(f, s, k) + end);
  if (need < 0) {
    int64_t cap = shrink_of(f, s, k) + (p->u[k].end_removable ? end : 0);
    if (-need > cap) return FIT_LONG;
    double r = (double)-need / (double)cap;
    *out = SHRINK_BAD * r * r * r;
    return FIT_OK;
  }
  if (last || need == 0) {
    *out = 0;
    return FIT_OK;
  }
  int64_t cap = stretch_of(f, s, k);
  if (need <= cap) {
    double r = (double)need / (double)cap;
    *out = 100.0 * r * r * r;
    return FIT_OK;
  }
  if (!over_ok) return FIT_SHORT;
  *out = over_badness(f, s, k, need, cap);
  return FIT_OK;
}

/* The same for a line whose last unit (、。) hangs: [s, k - 1] is set to
 * the measure and u[k] goes just past it. */
static int hang_badness(const fit *f, uint32_t s, uint32_t k, kh_fixed avail, int over_ok,
                        double *out) {
  const para *p = f->p;
  int64_t need = (int64_t)avail - (width(f, s, k - 1) + p->g[k - 1].nat);
  if (need < 0) {
    int64_t cap = shrink_of(f, s, k - 1);
    if (-need > cap) return FIT_LONG;
    double r = (double)-need / (double)cap;
    *out = SHRINK_BAD * r * r * r;
    return FIT_OK;
  }
  int64_t cap = stretch_of(f, s, k - 1);
  if (need == 0 || need <= cap) {
    double r = need ? (double)need / (double)cap : 0;
    *out = 100.0 * r * r * r;
    return FIT_OK;
  }
  if (!over_ok) return FIT_SHORT;
  *out = over_badness(f, s, k - 1, need, cap);
  return FIT_OK;
}

static int is_end_punct(const unit *u) {
  return u->cls == KH_CL_CLOSING || u->cls == KH_CL_COMMA || u->cls == KH_CL_FULL_STOP ||
         u->cls == KH_CL_DIVIDING || u->cls == KH_CL_MIDDLE_DOT;
}

static double break_cost(const para *p, uint32_t k, uint32_t z) {
  if (k == z) return 0;
  switch (p->g[k].brk) {
  case BRK_SLASH: return PEN_SLASH;
  case BRK_SOFT: return PEN_EMERGENCY / 4;
  case BRK_EMERGENCY: return PEN_EMERGENCY;
  case BRK_WORD: return PEN_WORD;
  case BRK_HYPHEN: return PEN_HYPHEN;
  case BRK_LETTER: return PEN_LETTER;
  case BRK_PHRASE: return PEN_EMERGENCY;
  default: return 0;
  }
}

/* May a line end after unit k in this pass? */
static int is_state(const para *p, uint32_t k, uint32_t z, int pass) {
  if (k == z) return 1;
  uint8_t b = p->g[k].brk;
  return b == BRK_OK || b == BRK_SLASH || b == BRK_HYPHEN || (pass > 0 && b >= BRK_SOFT);
}

typedef struct best {
  double d;
  int32_t prev; /* state index of the line's start - 1 (0 = paragraph start) */
  uint8_t hang, overfull;
} best;

/* One pass of the search.  Returns 1 when the end was reached. */
static int search(const fit *f, kh_fixed avail_first, kh_fixed avail, int pass, best *B,
                  uint32_t *cand) {
  const para *p = f->p;
  uint32_t a = f->a, z = f->z, n = z - a + 1;
  int hang_ok = (f->options & KH_PARA_HANG) != 0;
  /* state i (0..n): a line ended after unit a + i - 1; 0 is the start */
  for (uint32_t i = 0; i <= n; i++) B[i] = (best){INFINITY, -1, 0, 0};
  B[0].d = 0;
  uint32_t ncand = 0, lo = 0;
  cand[ncand++] = 0;
  for (uint32_t k = a; k <= z; k++) {
    if (!is_state(p, k, z, pass)) continue;
    int last = k == z;
    best *bk = &B[k - a + 1];
    /* starts that make the line too long now stay too long */
    while (lo < ncand) {
      uint32_t s = a + cand[lo];
      kh_fixed av = cand[lo] == 0 ? avail_first : avail;
      double b;
      if (s > k) break;
      int r = badness(f, s, k, av, last, 1, &b);
      if (r == FIT_LONG && hang_ok && !last && p->u[k].hang && k > s)
        r = hang_badness(f, s, k, av, 1, &b);
      if (r != FIT_LONG) break;
      lo++;
    }
    for (uint32_t ci = lo; ci < ncand; ci++) {
      uint32_t j = cand[ci]; /* the line is [a + j, k] */
      uint32_t s = a + j;
      if (s > k) break;
      kh_fixed av = j == 0 ? avail_first : avail;
      double b = 0, bh = 0;
      int r = badness(f, s, k, av, last, pass > 0, &b);
      double d = r == FIT_OK ? (LINE_DEMERITS + b) * (LINE_DEMERITS + b) : INFINITY;
      int hang = 0;
      if (hang_ok && !last && p->u[k].hang && k > s &&
          hang_badness(f, s, k, av, pass > 0, &bh) == FIT_OK) {
        double dh = (LINE_DEMERITS + bh) * (LINE_DEMERITS + bh) + PEN_HANG;
        if (dh < d) {
          d = dh;
          r = FIT_OK;
          hang = 1;
        }
      }
      if (r == FIT_SHORT) break; /* shorter lines are shorter still */
      if (r != FIT_OK) continue;
      d += break_cost(p, k, z);
      if (j > 0 && p->u[a + j - 1].cp == p->u[k].cp && is_end_punct(&p->u[k]) && !last)
        d += PEN_SAME_END;
      if (last && s > a && kh_para_core_units(p, s, k) == 1) d += PEN_LONE_LAST;
      if (j > 0 && p->g[a + j - 1].brk == BRK_HYPHEN)
        d += last ? PEN_HYPHEN_FINAL : p->g[k].brk == BRK_HYPHEN ? PEN_HYPHEN_TWICE : 0;
      d += B[j].d;
      /* on a tie, the earlier lines fuller */
      if (d <= bk->d) *bk = (best){d, (int32_t)j, (uint8_t)hang, 0};
    }
    if (isinf(bk->d) && pass > 0 && ncand > 0) {
      /* nothing fits: the shortest line there is, overfull */
      uint32_t j = cand[ncand - 1];
      *bk = (best){B[j].d + BAD_OVERFULL * BAD_OVERFULL, (int32_t)j, 0, 1};
    }
    if (!isinf(bk->d)) cand[ncand++] = k - a + 1;
  }
  return !isinf(B[n].d);
}

kh_status kh_para_total_fit(kh_ctx *ctx, const para *p, uint32_t a, uint32_t z,
                            kh_fixed avail_first, kh_fixed avail, int justify,
                            span_vec *out) {
  kh_status ret = KH_OK;
  uint32_t n = z - a + 1;
  if (!justify) return kh_para_first_fit(ctx, p, a, z, avail_first, avail, justify, out);
  fit f = {p, a, z, p->options, NULL, NULL, NULL, NULL};
  best *B = NULL;
  uint32_t *cand = NULL, *path = NULL;
  f.W = malloc((n + 1) * sizeof *f.W);
  f.SH = malloc((n + 1) * sizeof *f.SH);
  f.S1 = malloc((n + 1) * sizeof *f.S1);
  f.S2 = malloc((n + 1) * sizeof *f.S2);
  if (!f.W || !f.SH || !f.S1 || !f.S2) KH_CHECK(KH_NOMEM);
  f.W[0] = f.SH[0] = f.S1[0] = f.S2[0] = 0;
  for (uint32_t i = a; i <= z; i++) {
    const glue *g = &p->g[i];
    f.W[i - a + 1] = f.W[i - a] + p->u[i].box + g->nat;
    f.SH[i - a + 1] = f.SH[i - a] + g->shrink;
    f.S1[i - a + 1] = f.S1[i - a] + kh_para_capped_stretch(g);
    f.S2[i - a + 1] = f.S2[i - a] + kh_para_word_spacing(g);
  }
  /* the fast path: the whole stretch fits on its first line */
  if (width(&f, a, z) <= avail_first) {
    span b = {a, z, 0, 0, 0, 0};
    KH_CHECK(kh_vec_push(out, b));
    goto cleanup;
  }
  B = malloc((n + 1) * sizeof *B);
  cand = malloc((n + 1) * sizeof *cand);
  path = malloc((n + 1) * sizeof *path);
  if (!B || !cand || !path) KH_CHECK(KH_NOMEM);
  if (!search(&f, avail_first, avail, 0, B, cand)) search(&f, avail_first, avail, 1, B, cand);
  uint32_t np = 0;
  for (int32_t i = (int32_t)n; i > 0; i = B[i].prev) path[np++] = (uint32_t)i;
  for (uint32_t t = np; t-- > 0;) {
    uint32_t i = path[t];
    uint32_t s = B[i].prev >= 0 ? a + (uint32_t)B[i].prev : a;
    span b = {s, a + i - 1, B[i].overfull, B[i].hang, (uint8_t)(t != 0), 0};
    KH_CHECK(kh_vec_push(out, b));
  }
cleanup:
  free(f.W);
  free(f.SH);
  free(f.S1);
  free(f.S2);
  free(B);
  free(cand);
  free(path);
  return ret;
}

/* ---- first fit ------------------------------------------------------------*/

/* The line from unit s: what fits at natural spacing, up to its last break
 * opportunity.  Only the break at which the text overflows is a candidate
 * for compression: if the line up to it fits once its glue is compressed,
 * it is pushed in (追い込み); otherwise the line ends at the last natural
 * break and is expanded (追い出し).  A break inside an unbreakable Western
 * run is taken only when the line would otherwise be expanded beyond the
 * cap.  With no break that fits, the first one is taken and the line is
 * overfull. */
static span next_line(const para *p, uint32_t s, kh_fixed avail) {
  span b = {s, s, 0, 0, 1, 0};
  int64_t wmin = kh_para_lead(p, s), wnat = wmin, cap = 0;
  int64_t cap_at_fit = 0, wnat_at_fit = 0;
  int have_nat = 0, have_em = 0, have_word = 0, have_phrase = 0;
  uint32_t em_k = s, word_k = s, phrase_k = s;
  for (uint32_t k = s; k < p->nu; k++) {
    if (k > s) {
      wnat += p->g[k - 1].nat;
      wmin += p->g[k - 1].nat - p->g[k - 1].shrink;
      cap += kh_para_capped_stretch(&p->g[k - 1]);
    }
    wnat += p->u[k].box;
    wmin += p->u[k].box;
    int last = k + 1 == p->nu;
    if (!last && p->g[k].brk == BRK_NONE) continue;
    int em = !last && p->g[k].brk >= BRK_SOFT;
    if (wnat + kh_para_line_end(p, k) <= avail) { /* still fits as set */
      if (em && p->g[k].brk == BRK_PHRASE) {
        phrase_k = k;
        have_phrase = 1;
      } else if (em && (p->g[k].brk == BRK_WORD || p->g[k].brk == BRK_LETTER)) {
        word_k = k;
        have_word = 1;
      } else if (em) {
        em_k = k;
        have_em = 1;
      } else {
        b.k = k;
        have_nat = 1;
        cap_at_fit = cap;
        wnat_at_fit = wnat + kh_para_line_end(p, k);
      }
      continue;
    }
    /* past the measure even when compressed (wmin only grows): no later
     * break fits, so unless a break inside a word is still to be found,
     * the line's end is known now (a run broken only inside words, a URL
     * or a table cell of one long word, was scanned to its end for every
     * line: quadratic) */
    if (em && (wmin <= avail || !(have_em || have_word || have_nat))) continue;
    /* a break inside a word no wider than the measure only where the line
     * kept whole would be two ems over its cap (as PEN_WORD) */
    int64_t short_by = have_nat ? avail - wnat_at_fit - cap_at_fit : INT64_MAX;
    if (wmin <= avail) b.k = k;    /* push in */
    else if (have_em && short_by > 0) b.k = em_k;
    else if (have_word && short_by > 2 * (int64_t)p->u[word_k].em) b.k = word_k;
    /* a title's phrase that does not fit a line breaks inside */
    else if (!have_nat && have_phrase) b.k = phrase_k;
    else if (!have_nat) b.k = k, b.overfull = 1;
    return b;                      /* else push out: b.k is the last fit */
  }
  return b;
}

/* JLReq 3.8 (paragraph end): a last line of one character (「進」 alone) is
 * avoided by pushing the previous line's last break one opportunity back,
 * when that line can still be justified within the caps and the new last
 * line fits. */
static void avoid_lone_last(const para *p, span *lines, size_t n, int justify,
                            kh_fixed avail_prev) {
  if (n < 2 || kh_para_core_units(p, lines[n - 1].s, lines[n - 1].k) != 1) return;
  span *prev = &lines[n - 2], *last = &lines[n - 1];
  uint32_t k = prev->k;
  while (k > prev->s && p->g[k - 1].brk != BRK_OK) k--;
  if (k == prev->s || prev->overfull) return;
  uint32_t nk = k - 1; /* the previous line ends after unit nk */
  int64_t nat = kh_para_natural(p, prev->s, nk) + (justify ? kh_para_line_end(p, nk) : 0);
  if (nat > avail_prev) return;
  if (justify) {
    int64_t room = 0;
    for (uint32_t i = prev->s; i < nk; i++) room += kh_para_capped_stretch(&p->g[i]);
    if (avail_prev - nat > room) return;
  }
  int64_t min = kh_para_lead(p, nk + 1);
  for (uint32_t i = nk + 1; i <= last->k; i++) {
    min += p->u[i].box;
    if (i < last->k) min += p->g[i].nat - p->g[i].shrink;
  }
  if (min > avail_prev) return;
  prev->k = nk;
  last->s = nk + 1;
}

kh_status kh_para_first_fit(kh_ctx *ctx, const para *p, uint32_t a, uint32_t z,
                            kh_fixed avail_first, kh_fixed avail, int justify,
                            span_vec *out) {
  (void)ctx;
  kh_status ret = KH_OK;
  size_t first = out->n;
  /* a stretch between forced breaks is a paragraph of its own here */
  para q = *p;
  q.nu = z + 1;
  for (uint32_t s = a; s <= z;) {
    span b = next_line(&q, s, out->n == first ? avail_first : avail);
    b.justify = (uint8_t)justify;
    KH_CHECK(kh_vec_push(out, b));
    s = b.k + 1;
  }
  out->v[out->n - 1].justify = 0;
  avoid_lone_last(p, out->v + first, out->n - first, justify,
                  out->n - first == 2 ? avail_first : avail);
cleanup:
  return ret;
}
