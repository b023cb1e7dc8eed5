/* para: shaped glyph runs -> lines.
 *
 * A paragraph becomes a row of boxes (one per cluster) with glue between
 * them, after JLReq (https://www.w3.org/TR/jlreq/) and JIS X 4051:
 *  - full-width 「」、。・ are half-em ink boxes plus half (quarter) em
 *    glue, taken from the class-pair table in jlreq.c (3.1.2, 3.1.4);
 *  - a space touching a Japanese character or a bracket is absorbed into
 *    the glue the table gives (the quarter em of 3.2.6, or none);
 *  - break opportunities are ICU's UAX #14 ones ("ja@lb=strict") that the
 *    JLReq kinsoku rules also allow (3.1.7, 3.1.8, 3.1.10);
 *  - a '\n' in the text is a forced line break; the line before it is set
 *    like a paragraph's last line;
 *  - lines are chosen over the whole paragraph (breaks.c: total fit, with
 *    JLReq's adjustment as each line's cost), or first fit as a layout
 *    option; then each line is justified by spending shrink tier by tier
 *    (3.8.3) or stretch evenly over its gaps up to a cap (3.8.4);
 *  - a verbatim paragraph (a code block) keeps its spaces, takes no
 *    spacing or justification, and wraps at any character with a
 *    continuation mark.
 *
 * Positions are integers (kh_fixed); linear in the paragraph's length.
 *
 * The line-end punctuation space: a non-final justified line that ends in
 * 」、。 keeps the half em after it inside the measure (3.1.9, as JIS X 4051
 * keeps it after 。), so the glyph's advance ends on the measure; it is the
 * first space removed when a line must be compressed (3.8.3 b), and then the
 * ink box ends on the measure.  Lines that are not stretched to the measure
 * (the last line, left, centred and right-aligned text) end at the ink. */
#include <ctype.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/utext.h>

#include "para/internal.h"

/* Adjustment passes (3.8.3, 3.8.4), beyond the glue's own tiers. */
enum {
  PASS_SHRINK,      /* glue shrink of one tier */
  PASS_STRETCH,     /* glue stretch of one tier */
  PASS_SPREAD,      /* letter-spacing up to a quarter em (3.8.4 c) */
  PASS_SPREAD_WORD, /* inside Western words, up to an eighth of an em */
  PASS_SPREAD_FREE, /* letter-spacing without limit (3.8.4 d) */
  PASS_SPREAD_LAST  /* also inside words and beside punctuation */
};

/* The ink of a full-width punctuation glyph sits in one half of it; a
 * narrower glyph is set as Western (a proportional font's “), unless it is
 * a half-width form of CJK punctuation. */
#define FULLWIDTH_MIN(em) ((em) * 3 / 4)
#define HALFWIDTH_MIN(em) ((em) * 3 / 8)

static kh_fixed eighths(kh_fixed em, int n) { return kh_fixed_muldiv(em, n, 8); }

static int is_space(const kh_glyph *g, kh_jclass cls) {
  if (cls == KH_CL_IDEO_SPACE) return 0; /* a full-width character here */
  return cls == KH_CL_WESTERN_SPACE || (g->flags & KH_GLYPH_SPACE);
}

static int is_punct_group(int grp) {
  return grp == KH_JG_OPEN || grp == KH_JG_CLOSE || grp == KH_JG_STOP ||
         grp == KH_JG_MIDDLE;
}

/* ---- ICU ------------------------------------------------------------------*/

static void breaker_free(void *p) { ubrk_close(p); }

/* The line-break iterator kept in the context across paragraphs. */
static kh_status breaker(kh_ctx *ctx, UBreakIterator **out) {
  if (!ctx->cache[KH_CACHE_PARA]) {
    UErrorCode err = U_ZERO_ERROR;
    UBreakIterator *bi = ubrk_open(UBRK_LINE, "ja@lb=strict", NULL, 0, &err);
    if (U_FAILURE(err))
      return kh_error(ctx, (kh_srcpos){0}, KH_LIBRARY,
                      "ICU line break iterator: %s", u_errorName(err));
    ctx->cache[KH_CACHE_PARA] = bi;
    ctx->cache_free[KH_CACHE_PARA] = breaker_free;
  }
  *out = ctx->cache[KH_CACHE_PARA];
  return KH_OK;
}

/* Marks the glue where ICU finds a line-break opportunity.  Offsets are
 * UTF-8 byte offsets because the iterator reads a UTF-8 UText. */
static kh_status mark_icu_breaks(kh_ctx *ctx, para *p) {
  const kh_spara *sp = p->sh->sp;
  UBreakIterator *bi;
  kh_status ret = breaker(ctx, &bi);
  if (ret != KH_OK) return ret;
  UErrorCode err = U_ZERO_ERROR;
  UText ut = UTEXT_INITIALIZER;
  /* the text that was shaped: all of it, or a window of a long paragraph
   * (window.c), whose runs style clipped to it */
  uint32_t lo = sp->nruns ? sp->runs[0].start : 0;
  uint32_t hi = sp->nruns ? sp->runs[sp->nruns - 1].end : sp->len;
  utext_openUTF8(&ut, sp->text + lo, (int64_t)(hi - lo), &err);
  ubrk_setUText(bi, &ut, &err); /* the iterator keeps a shallow clone */
  utext_close(&ut);
  if (U_FAILURE(err))
    return kh_error(ctx, (kh_srcpos){0}, KH_LIBRARY,
                    "ICU line break iterator: %s", u_errorName(err));
  uint32_t k = 0;
  ubrk_first(bi);
  for (int32_t rel = ubrk_next(bi); rel != UBRK_DONE; rel = ubrk_next(bi)) {
    int64_t pos = (int64_t)rel + lo;
    while (k + 1 < p->nu && p->u[k + 1].t0 < (uint32_t)pos) k++;
    if (k + 1 >= p->nu) break;
    /* a boundary inside a cluster is no place to break */
    if (p->u[k].t1 <= (uint32_t)pos && (uint32_t)pos <= p->u[k + 1].t0)
      p->g[k].brk = 1;
  }
  return KH_OK;
}

/* ---- boxes and glue -------------------------------------------------------*/

static int verbatim(const para *p) { return (p->options & KH_PARA_VERBATIM) != 0; }

/* Letters, digits and the signs that belong to a number (45%, $5): the
 * Western text that 3.2.2 spaces from Japanese.  Western punctuation
 * ("(", ")", ",", "<") sets solid against Japanese. */
static int western_word_char(const unit *u) {
  int32_t c = u->cp;
  if (u->grp != KH_JG_WEST) return 0;
  return u->cls == KH_CL_NUMERAL || (c < 0x80 && (isalnum(c) || c == '%' || c == '$')) ||
         (c >= 0xC0 && c < 0x2000 && c != 0xD7 && c != 0xF7);
}

static void make_unit(para *p, uint32_t g0, uint32_t c0, uint32_t c1,
                      kh_fixed adv, uint32_t t1) {
  const kh_glyph *first = &p->sh->glyphs[c0];
  unit *u = &p->u[p->nu++];
  memset(u, 0, sizeof *u);
  u->g0 = g0;
  u->g1 = c1;
  u->t0 = p->sh->glyphs[g0].cluster;
  u->t1 = t1;
  u->cp = first->cp;
  u->em = first->size;
  u->cls = (uint8_t)kh_jlreq_class(first->cp);
  /* 縦中横: one em box of the column, set as a kanji (Appendix A cl-30) */
  if (first->flags & KH_GLYPH_TCY) u->cls = KH_CL_TATECHUYOKO;
  if (verbatim(p)) { /* code: every glyph as it is, nothing around it */
    u->grp = KH_JG_OTHER;
    u->box = adv;
    return;
  }
  /* a full-width glyph: ink in one half; a half-width form of CJK
   * punctuation (OpenType hwid/halt): the advance is the box */
  int wide = adv >= FULLWIDTH_MIN(u->em);
  int half = !wide && first->cp >= 0x2E80 && adv >= HALFWIDTH_MIN(u->em);
  u->grp = (uint8_t)kh_jlreq_group((kh_jclass)u->cls, wide || half);
  const kh_jbox *bx = kh_jlreq_box((kh_jgroup)u->grp);
  u->box = adv - (wide ? eighths(u->em, bx->trim) : 0);
  u->pen = wide ? eighths(u->em, bx->pen) : 0;
  u->lead = eighths(u->em, bx->lead);
  u->end = eighths(u->em, bx->end);
  u->end_removable = (uint8_t)bx->end_removable;
  /* 3.8.3 (ぶら下げ): only 、。 (and their full-width ，．) hang */
  u->hang = wide && (u->cls == KH_CL_COMMA || u->cls == KH_CL_FULL_STOP);
  u->word = (uint8_t)western_word_char(u);
  /* 3.2.2: Western punctuation is no Western *text*: "(必要ならば)" and
   * "<座長>" set solid against kana and kanji, like full-width symbols */
  if (u->grp == KH_JG_WEST && !u->word) u->grp = KH_JG_OTHER;
}

/* Groups glyphs into units.  Leading and trailing white space belongs to no
 * unit, so it is never part of a line (in a verbatim paragraph a space is
 * a unit).  A '\n' is counted as a forced break after the unit before it. */
static void build_units(para *p) {
  const kh_glyph *gl = p->sh->glyphs;
  uint32_t n = p->sh->n, pending = UINT32_MAX;
  for (uint32_t i = 0; i < n;) {
    uint32_t j = i + 1, t1 = gl[i].cluster_end;
    kh_fixed adv = gl[i].adv;
    while (j < n && gl[j].cluster == gl[i].cluster) {
      if (gl[j].cluster_end > t1) t1 = gl[j].cluster_end;
      adv += gl[j++].adv;
    }
    kh_jclass cls = kh_jlreq_class(gl[i].cp);
    if (gl[i].cp == '\n') {
      if (p->nu == 0) p->lead_hard++;
      else p->u[p->nu - 1].hard++;
      pending = UINT32_MAX; /* a mark before a break goes with nothing */
    } else if (is_space(&gl[i], cls) && !verbatim(p)) {
      /* glue; zero-width glyphs waiting for a unit go with the next one */
    } else if (adv == 0 && p->nu > 0 && p->u[p->nu - 1].g1 == i) {
      p->u[p->nu - 1].g1 = j; /* ZWSP, a mark in a cluster of its own */
      if (t1 > p->u[p->nu - 1].t1) p->u[p->nu - 1].t1 = t1;
    } else if (adv == 0 && !verbatim(p)) {
      if (pending == UINT32_MAX) pending = i;
    } else {
      make_unit(p, pending == UINT32_MAX ? i : pending, i, j, adv, t1);
      pending = UINT32_MAX;
    }
    i = j;
  }
}

/* The classes that depend on context (Appendix A): cl-25, Western letters
 * right after a numeral that make a unit ("4km", "100MB": one to three
 * letters ending the word), and cl-20, the characters of a footnote
 * reference (KH_MARK_FOOTREF).  The ruby classes (cl-22, 23) are the ruby
 * stage's, cl-30 (縦中横) shape's (KH_GLYPH_TCY); there is no warichu
 * (cl-28, 29) yet. */
static void contextual_classes(para *p) {
  const unit *u = p->u;
  for (uint32_t i = 1; i < p->nu; i++) {
    if (u[i - 1].cls != KH_CL_NUMERAL || u[i - 1].t1 != u[i].t0 || u[i].cp >= 0x80 ||
        !isalpha(u[i].cp))
      continue;
    uint32_t j = i;
    while (j < p->nu && u[j].cp < 0x80 && isalpha(u[j].cp) && u[j].t0 == u[j - 1].t1) j++;
    int ends = j == p->nu || u[j].t0 != u[j - 1].t1 || !(u[j].cp < 0x80 && isalnum(u[j].cp));
    if (ends && j - i <= 3)
      for (uint32_t k = i; k < j; k++) p->u[k].cls = KH_CL_UNIT;
    i = j;
  }
  const kh_node *node = p->sh->sp->node;
  uint32_t ml = p->sh->sp->marker_len;
  for (uint32_t m = 0; node && m < node->text.nmarks; m++) {
    const kh_mark *mk = &node->text.marks[m];
    if (!(mk->flags & KH_MARK_FOOTREF)) continue;
    uint32_t lo = 0, hi = p->nu; /* the first unit at or after the mark */
    while (lo < hi) {
      uint32_t mid = lo + (hi - lo) / 2;
      if (u[mid].t0 < mk->start + ml) lo = mid + 1;
      else hi = mid;
    }
    for (uint32_t i = lo; i < p->nu && u[i].t1 <= mk->end + ml; i++) {
      p->u[i].cls = KH_CL_REFERENCE;
      p->u[i].grp = KH_JG_OTHER;
    }
  }
}

static int fullwidth_digit(int32_t cp) { return cp >= 0xFF10 && cp <= 0xFF19; }

/* Inside a run of Western characters with no space, where neither JLReq
 * nor UAX #14 allows a break (a URL, a path, an identifier), a line may
 * still break at any character rather than leave the line before it
 * spaced out (issue: unbreakable Latin runs).  Not next to punctuation
 * that kinsoku keeps with its neighbour. */
static int emergency_break(const unit *a, const unit *b) {
  int wa = a->cls == KH_CL_WESTERN || a->cls == KH_CL_NUMERAL;
  int wb = b->cls == KH_CL_WESTERN || b->cls == KH_CL_NUMERAL;
  return wa && wb && a->t1 == b->t0;
}

/* Whether unit i is the "/" that opens a path (/usr/...): a line does not
 * end on it alone. */
static int path_start(const para *p, uint32_t i) {
  if (i == 0) return 1;
  const unit *a = &p->u[i - 1];
  return a->t1 != p->u[i].t0 || !(a->cls == KH_CL_WESTERN || a->cls == KH_CL_NUMERAL);
}

/* The glue between units i and i + 1 and whether a line may break there
 * (ICU's opinion is already in g->brk). */
static void make_glue(para *p, uint32_t i) {
  const unit *a = &p->u[i], *b = &p->u[i + 1];
  const kh_glyph *gl = p->sh->glyphs;
  glue *g = &p->g[i];
  int icu = g->brk;
  memset(g, 0, sizeof *g);
  g->em = a->em > b->em ? a->em : b->em;
  if (verbatim(p)) { /* code: solid, and a wrap may come anywhere */
    g->spread = KH_SPREAD_NEVER;
    g->brk = BRK_EMERGENCY;
    return;
  }
  kh_fixed sw = 0;
  uint32_t nsp = 0;
  for (uint32_t j = a->g1; j < b->g0; j++) {
    sw += gl[j].adv;
    nsp += (j == a->g1 || gl[j].cluster != gl[j - 1].cluster);
  }
  const kh_jglue *t = kh_jlreq_glue((kh_jgroup)a->grp, (kh_jgroup)b->grp);
  int jw = (a->grp == KH_JG_JA && b->grp == KH_JG_WEST) ||
           (a->grp == KH_JG_WEST && b->grp == KH_JG_JA);
  if (nsp == 0 || jw || is_punct_group(a->grp) || is_punct_group(b->grp)) {
    /* the table's spacing; a space here is the editor's way of asking for
     * the quarter em of 3.2.6 (or sits by a bracket, which has its own) */
    g->nat = eighths(g->em, t->nat);
    g->shrink = eighths(g->em, t->shrink);
    g->stretch = eighths(g->em, t->stretch);
    g->shrink_tier = t->shrink_tier;
    g->stretch_tier = t->stretch_tier;
    g->spread = (uint8_t)kh_jlreq_spread((kh_jclass)a->cls, (kh_jclass)b->cls);
    /* 3.8.4 c, d space out only places (a) and (b) did not: the
     * Japanese-Western space stops at its half em but as a last resort */
    if (t->stretch_tier == KH_STRETCH_JW && g->spread == KH_SPREAD_OK)
      g->spread = KH_SPREAD_LAST;
    g->absorbed = nsp > 0;
  } else {
    /* a Western word space (3.2.2): the font's space, reducible to a
     * quarter em (3.8.3 a) and extensible to a half em (3.8.4 a) */
    kh_fixed lo = (kh_fixed)nsp * eighths(g->em, 2);
    kh_fixed hi = (kh_fixed)nsp * eighths(g->em, 4);
    g->nat = sw;
    g->shrink = sw > lo ? sw - lo : 0;
    g->stretch = hi > sw ? hi - sw : 0;
    g->shrink_tier = KH_SHRINK_SPACE;
    g->stretch_tier = KH_STRETCH_SPACE;
    g->spread = KH_SPREAD_LAST;
  }
  /* ‥ … may start a line (JLReq cl-08: not among the characters of
   * 3.1.7); UAX #14 (LB22) keeps them with what precedes */
  if (b->cls == KH_CL_INSEPARABLE && (b->cp == 0x2025 || b->cp == 0x2026)) icu = 1;
  int ok = icu;
  if (nsp == 0)
    ok = ok && kh_jlreq_may_break((kh_jclass)a->cls, (kh_jclass)b->cls);
  else
    ok = ok && kh_jlreq_may_break((kh_jclass)a->cls, KH_CL_WESTERN_SPACE) &&
         kh_jlreq_may_break(KH_CL_WESTERN_SPACE, (kh_jclass)b->cls);
  /* 3.1.10 c: European numerals, also full-width ones (２０２１) */
  if (nsp == 0 && fullwidth_digit(a->cp) && fullwidth_digit(b->cp)) ok = 0;
  g->brk = ok ? BRK_OK : BRK_NONE;
  g->inword = nsp == 0 && emergency_break(a, b);
  /* deviation: 3.1.10 f keeps Western words whole, but a URL or a path is
   * no word: it may break after "/" where UAX #14 allows (not before a
   * digit), at a small cost */
  if (!ok && nsp == 0 && icu && a->cp == '/' && b->cls == KH_CL_WESTERN && !path_start(p, i))
    g->brk = BRK_SLASH;
  else if (!ok && nsp == 0 && emergency_break(a, b))
    g->brk = a->word || a->cls == KH_CL_NUMERAL ? BRK_EMERGENCY : BRK_SOFT;
  /* a list marker and its text: fixed, so the hanging indent holds */
  uint32_t ml = p->sh->sp->marker_len;
  if (ml > 0 && a->t1 <= ml && b->t0 >= ml) {
    g->shrink = g->stretch = 0;
    g->shrink_tier = g->stretch_tier = 0;
    g->spread = KH_SPREAD_NEVER;
    g->brk = BRK_NONE;
  }
}

/* ---- widths and adjustment ------------------------------------------------*/

kh_fixed kh_para_lead(const para *p, uint32_t s) {
  if (p->u[s].grp == KH_JG_OPEN && !(p->options & KH_PARA_OPENING_HALF)) return 0; /* 3.1.5 */
  return p->u[s].lead;
}

/* The space kept after unit k when it ends a line: the half em after
 * 」、。 (3.1.9) unless the layout sets line-end punctuation half-width;
 * the hyphen when the line breaks at a hyphenation point after it (a
 * stretch's last unit never has one: hyphen.c marks no point before a
 * forced break, and the paragraph's last glue is none). */
kh_fixed kh_para_line_end(const para *p, uint32_t k) {
  if (p->g[k].brk == BRK_HYPHEN) return p->u[k].hyph; /* a letter: no space */
  if ((p->options & KH_PARA_CLOSING_HALF) && p->u[k].end_removable) return 0;
  return p->u[k].end;
}

/* Natural width of units [s, k] without the line-end space. */
int64_t kh_para_natural(const para *p, uint32_t s, uint32_t k) {
  int64_t w = kh_para_lead(p, s);
  for (uint32_t i = s; i <= k; i++) {
    w += p->u[i].box;
    if (i < k) w += p->g[i].nat;
  }
  return w;
}

/* The cap on any one gap (3.8.4, issue: expansion caps): a word space up to
 * half an em (3.8.4 a), a Japanese-Western space up to half an em (3.8.4
 * b), letter-spacing between Japanese characters up to a quarter em
 * (3.8.4 c); each gets the same extra, up to its cap. */
kh_fixed kh_para_capped_stretch(const glue *g) {
  if (g->stretch_tier) return g->stretch;
  return g->spread == KH_SPREAD_OK ? g->em / 4 : 0;
}

kh_fixed kh_para_word_spacing(const glue *g) {
  return g->inword && g->spread != KH_SPREAD_NEVER ? g->em / 8 : 0;
}

/* How much glue i can give in a pass; `*weight` is set instead for the
 * passes without a limit. */
static kh_fixed capacity(const glue *g, int pass, int tier, kh_fixed *weight) {
  *weight = 0;
  switch (pass) {
  case PASS_SHRINK: return g->shrink_tier == tier ? g->shrink : 0;
  case PASS_STRETCH: return g->stretch_tier == tier ? g->stretch : 0;
  case PASS_SPREAD: return kh_para_capped_stretch(g);
  case PASS_SPREAD_WORD: return kh_para_word_spacing(g);
  case PASS_SPREAD_FREE:
    if (g->spread == KH_SPREAD_OK) *weight = g->em;
    return 0;
  case PASS_SPREAD_LAST:
    if (g->spread != KH_SPREAD_NEVER) *weight = g->em;
    return 0;
  }
  return 0;
}

static int64_t total_capacity(const para *p, uint32_t s, uint32_t k, int pass,
                              int tier) {
  int64_t c = 0;
  kh_fixed w;
  for (uint32_t i = s; i < k; i++) c += capacity(&p->g[i], pass, tier, &w);
  return c;
}

/* Spends up to `need` of one pass over the glue [s, k), evenly in
 * proportion to each glue's capacity (or em size), adding it to delta with
 * `sign`.  Sums are exact: the rounding remainder goes one unit at a time
 * to the first glues.  Returns what was spent. */
static int64_t spend(const para *p, uint32_t s, uint32_t k, int pass,
                     int tier, int64_t need, int sign, kh_fixed *delta) {
  if (need <= 0 || k <= s) return 0;
  int64_t cap = 0, wsum = 0;
  for (uint32_t i = s; i < k; i++) {
    kh_fixed w;
    cap += capacity(&p->g[i], pass, tier, &w);
    wsum += w;
  }
  int limited = wsum == 0;
  int64_t base = limited ? cap : wsum;
  if (base == 0) return 0;
  if (limited && cap <= need) {
    for (uint32_t i = s; i < k; i++) {
      kh_fixed w;
      delta[i] += sign * capacity(&p->g[i], pass, tier, &w);
    }
    return cap;
  }
  int64_t given = 0;
  for (uint32_t i = s; i < k; i++) {
    kh_fixed w;
    kh_fixed c = capacity(&p->g[i], pass, tier, &w);
    int64_t share = (limited ? c : w) * need / base;
    delta[i] += (kh_fixed)(sign * share);
    given += share;
  }
  for (uint32_t i = s; i < k && given < need; i++) {
    kh_fixed w;
    kh_fixed c = capacity(&p->g[i], pass, tier, &w);
    if (limited ? c == 0 : w == 0) continue;
    /* a limited share is below its capacity here, so one more unit fits */
    delta[i] += sign;
    given++;
  }
  return need;
}

/* Spreads `need` over the glue [s, k) as the same extra on every gap that
 * can take some, each up to its cap (kh_para_capped_stretch): water
 * filling, so no gap opens wider than another unless the other is at its
 * cap.  Exact: the remainder goes one unit at a time to the first gaps
 * below their cap.  Returns what was spent. */
static int64_t spread_even(const para *p, uint32_t s, uint32_t k, int64_t need,
                           kh_fixed *delta) {
  if (need <= 0 || k <= s) return 0;
  int64_t cap = 0, n = 0;
  for (uint32_t i = s; i < k; i++) {
    kh_fixed c = kh_para_capped_stretch(&p->g[i]);
    cap += c;
    n += c > 0;
  }
  if (n == 0) return 0;
  if (cap <= need) {
    for (uint32_t i = s; i < k; i++) delta[i] += kh_para_capped_stretch(&p->g[i]);
    return cap;
  }
  /* the level e: every gap gets min(cap, e); raise e past the small caps */
  int64_t rest = need, e = 0;
  for (;;) {
    e = rest / n;
    int64_t sat = 0, nsat = 0;
    for (uint32_t i = s; i < k; i++) {
      kh_fixed c = kh_para_capped_stretch(&p->g[i]);
      if (c > 0 && c <= e) sat += c, nsat++;
    }
    int64_t left = need - sat, nleft = 0;
    for (uint32_t i = s; i < k; i++) {
      kh_fixed c = kh_para_capped_stretch(&p->g[i]);
      nleft += c > e;
    }
    int64_t e2 = nleft ? left / nleft : e;
    if (e2 == e || nleft == 0) break;
    rest = left;
    n = nleft;
    if (e2 < e) break; /* cannot happen; keeps the loop finite */
  }
  int64_t given = 0;
  for (uint32_t i = s; i < k; i++) {
    kh_fixed c = kh_para_capped_stretch(&p->g[i]);
    kh_fixed d = c < e ? c : (kh_fixed)e;
    delta[i] += d;
    given += d;
  }
  for (uint32_t i = s; i < k && given < need; i++) {
    kh_fixed c = kh_para_capped_stretch(&p->g[i]);
    if (c > e) {
      delta[i] += 1;
      given++;
    }
  }
  return given;
}

/* Stretches the glue [s, k) by `need` (3.8.4): evenly over word spaces,
 * Japanese-Western spaces and the gaps between Japanese characters, each
 * up to its cap; beyond that (a line breaking would not spare: one holding
 * a long identifier that no break point lets fill its line) letter-spacing
 * inside its Western words, evenly and up to an eighth of an em, where it
 * is spread thin over many letters instead of opening the few Japanese
 * gaps past their cap; then letter-spacing between Japanese characters,
 * and as the very last resort inside Western words and beside punctuation
 * without limit.  Returns what could not be given. */
static int64_t stretch(const para *p, uint32_t s, uint32_t k, int64_t need,
                       kh_fixed *delta) {
  need -= spread_even(p, s, k, need, delta);
  need -= spend(p, s, k, PASS_SPREAD_WORD, 0, need, 1, delta);
  need -= spend(p, s, k, PASS_SPREAD_FREE, 0, need, 1, delta);
  need -= spend(p, s, k, PASS_SPREAD_LAST, 0, need, 1, delta);
  return need;
}

static const int k_shrink_after_end[] = {KH_SHRINK_MIDDLE, KH_SHRINK_PUNCT,
                                         KH_SHRINK_JW};

/* Compresses the glue [s, k) by `need` (3.8.3): word spaces, the line-end
 * space (`*end`, all or nothing), middle dots, brackets and commas,
 * Japanese-Western spaces.  Returns what could not be taken. */
static int64_t shrink(const para *p, uint32_t s, uint32_t k, int64_t need,
                      kh_fixed *end, kh_fixed *delta) {
  need -= spend(p, s, k, PASS_SHRINK, KH_SHRINK_SPACE, need, -1, delta);
  int64_t give_back = 0;
  if (need > 0 && *end > 0 && p->u[k].end_removable) {
    int64_t rest = 0;
    for (size_t t = 0; t < sizeof k_shrink_after_end / sizeof(int); t++)
      rest += total_capacity(p, s, k, PASS_SHRINK, k_shrink_after_end[t]);
    /* deviation: 3.8.3 removes it before anything mid-line; when it is
     * more than the line needs and the mid-line spaces can give the rest,
     * we keep it rather than remove it and then space the line out again */
    if (need >= *end || rest < need) {
      give_back = *end > need ? *end - need : 0;
      need = need > *end ? need - *end : 0;
      *end = 0;
    }
  }
  for (size_t t = 0; t < sizeof k_shrink_after_end / sizeof(int); t++)
    need -= spend(p, s, k, PASS_SHRINK, k_shrink_after_end[t], need, -1, delta);
  if (give_back > 0) stretch(p, s, k, give_back, delta);
  return need;
}

/* Sets units [s, k] as one line: adjustment, pen positions, width.  A
 * hanging line is justified without its last unit, which then sits just
 * past the measure. */
static void set_line(const para *p, const span *b, kh_fixed x0, kh_fixed avail,
                     kh_fixed *delta, kh_fixed *xs, kh_line *ln) {
  uint32_t s = b->s, k = b->k;
  const kh_glyph *gl = p->sh->glyphs;
  int justify = b->justify;
  for (uint32_t i = s; i <= k; i++) delta[i] = 0;
  uint32_t kj = b->hang ? k - 1 : k; /* the last unit inside the measure */
  int hyphen = p->g[k].brk == BRK_HYPHEN && k + 1 < p->nu;
  kh_fixed end = justify && !b->hang ? kh_para_line_end(p, k) : hyphen ? p->u[k].hyph : 0;
  int64_t w = kh_para_natural(p, s, kj) + end + (b->hang ? p->g[kj].nat : 0);
  int64_t nat = b->hang ? kh_para_natural(p, s, k) : w;
  int overfull = b->overfull;
  if (justify && w < avail) {
    stretch(p, s, kj, avail - w, delta);
  } else if (w > avail) {
    if (shrink(p, s, kj, w - avail, &end, delta) > 0) overfull = 1;
  }
  int64_t x = kh_para_lead(p, s);
  kh_fixed max_gap = 0;
  for (uint32_t i = s; i <= k; i++) {
    const unit *u = &p->u[i];
    int64_t pen = x + u->pen;
    for (uint32_t j = u->g0; j < u->g1; j++) {
      xs[j] = (kh_fixed)pen;
      pen += gl[j].adv;
    }
    x += u->box;
    if (i == k) break;
    const glue *g = &p->g[i];
    int64_t sx = x;
    for (uint32_t j = u->g1; j < p->u[i + 1].g0; j++) {
      xs[j] = (kh_fixed)sx;
      if (!g->absorbed) sx += gl[j].adv;
    }
    x += g->nat + delta[i];
    if (delta[i] > max_gap) max_gap = delta[i];
  }
  ln->first = p->u[s].g0;
  ln->count = p->u[k].g1 - p->u[s].g0;
  ln->x = xs + ln->first;
  ln->width = (kh_fixed)(x + end);
  ln->natural = (kh_fixed)nat;
  ln->x0 = x0;
  ln->text_start = p->u[s].t0;
  ln->text_end = p->u[k].t1;
  ln->overfull = overfull;
  ln->hang = b->hang;
  ln->max_gap = max_gap;
  if (hyphen) {
    ln->hyphen = &p->sh->hyphens[gl[p->u[k].g1 - 1].run];
    ln->hyphen_x = (kh_fixed)x;
  }
}

uint32_t kh_para_core_units(const para *p, uint32_t s, uint32_t k) {
  while (k > s) {
    int c = p->u[k].cls;
    if (c != KH_CL_CLOSING && c != KH_CL_FULL_STOP && c != KH_CL_COMMA &&
        c != KH_CL_DIVIDING)
      break;
    k--;
  }
  while (s < k && p->u[s].cls == KH_CL_OPENING) s++;
  return k - s + 1;
}

/* ---- verbatim lines -------------------------------------------------------*/

/* A code line longer than the measure wraps at the last character that
 * fits with the continuation mark after it (issue 6: never off the page). */
static kh_status verbatim_lines(const para *p, uint32_t a, uint32_t z, kh_fixed avail,
                                span_vec *out) {
  kh_status ret = KH_OK;
  kh_fixed mark = p->sh->cont.adv;
  for (uint32_t s = a; s <= z;) {
    int64_t w = 0;
    uint32_t k = s;
    for (; k <= z; k++) {
      if (w + p->u[k].box > avail) break;
      w += p->u[k].box;
    }
    if (k > z) { /* the rest fits */
      span b = {s, z, 0, 0, 0, 0};
      KH_CHECK(kh_vec_push(out, b));
      break;
    }
    /* room for the mark: give back characters until it fits */
    while (k > s + 1 && w + mark > avail) w -= p->u[--k].box;
    span b = {s, k > s ? k - 1 : s, k == s, 0, 0, 0};
    KH_CHECK(kh_vec_push(out, b));
    s = b.k + 1;
  }
cleanup:
  return ret;
}

/* ---- entry points ---------------------------------------------------------*/

/* JLReq 3.1.10 f keeps a Western word whole: a break between two letters
 * or digits of a run of Western characters with no break opportunity is
 * an emergency break (BRK_EMERGENCY) only where that run (a word, an
 * identifier, a whole URL or path), from one BRK_OK opportunity to the
 * next, is wider than the measure and could not be set otherwise (issue 6:
 * such a run breaks rather than overflows).  In a shorter one it becomes
 * BRK_WORD, a last resort dearer than a line well over the cap (breaks.c);
 * such a run breaks, at a cost, after "/" (BRK_SLASH) and after its own
 * punctuation (pkg-|config, total_fit_|and: BRK_SOFT), where English
 * typesetting breaks a compound. */
static void keep_words_whole(para *p, kh_fixed measure) {
  uint32_t a = 0;
  while (a < p->nu) {
    /* the run [a, z]: no BRK_OK and no forced break inside (a URL or a
     * path is one run, its "/" breaks included) */
    uint32_t z = a;
    int64_t w = p->u[a].box;
    int inner = 0;
    while (z + 1 < p->nu && !p->u[z].hard && p->g[z].brk != BRK_OK) {
      inner |= p->g[z].brk == BRK_EMERGENCY;
      w += p->g[z].nat + p->u[z + 1].box;
      z++;
    }
    if (inner && w <= measure)
      for (uint32_t i = a; i < z; i++)
        if (p->g[i].brk == BRK_EMERGENCY) p->g[i].brk = BRK_WORD;
    a = z + 1;
  }
}

/* Titles and headings (and the subtitle under a title) break at phrase
 * boundaries (phrase.c). */
static int phrased(const kh_spara *sp) {
  if (!sp->node) return 0;
  if (sp->node->kind == KH_NODE_HEADING) return 1;
  return sp->style && sp->style->name && !strcmp(sp->style->name, "subtitle");
}

static kh_status push_empty(span_vec *out, uint32_t n) {
  span e = {0, 0, 0, 0, 0, 1};
  for (uint32_t i = 0; i < n; i++) {
    kh_status ret = kh_vec_push(out, e);
    if (ret != KH_OK) return ret;
  }
  return KH_OK;
}

/* Breaks the paragraph into lines: each stretch between forced breaks on
 * its own, the first line of the paragraph shorter by `indent`. */
static kh_status choose_lines(kh_ctx *ctx, const para *p, kh_fixed measure,
                              kh_fixed indent, int justify, span_vec *out) {
  kh_status ret = KH_OK;
  KH_CHECK(push_empty(out, p->lead_hard));
  for (uint32_t a = 0; a < p->nu;) {
    uint32_t z = a;
    while (z + 1 < p->nu && !p->u[z].hard) z++;
    kh_fixed first = measure - (out->n == 0 ? indent : 0);
    if (verbatim(p)) KH_CHECK(verbatim_lines(p, a, z, measure, out));
    else if (p->options & KH_PARA_FIRST_FIT)
      KH_CHECK(kh_para_first_fit(ctx, p, a, z, first, measure, justify, out));
    else KH_CHECK(kh_para_total_fit(ctx, p, a, z, first, measure, justify, out));
    /* n forced breaks end this line and leave n - 1 empty ones; the
     * paragraph's own end is no line */
    if (p->u[z].hard > 1) KH_CHECK(push_empty(out, p->u[z].hard - 1));
    a = z + 1;
  }
cleanup:
  return ret;
}

kh_status kh_para_compose(kh_ctx *ctx, kh_arena *arena, const kh_shaped *sh,
                          unsigned options, kh_lines *out) {
  kh_status ret = KH_OK;
  const kh_spara *sp = sh->sp;
  const kh_pstyle *st = sp->style;
  para p = {sh, NULL, NULL, 0, options, 0};
  span_vec lines = {0};
  kh_fixed *delta = NULL;
  out->sh = sh;
  out->lines = NULL;
  out->n = 0;
  if (sh->n == 0) return KH_OK;
  if (sp->node && sp->node->kind == KH_NODE_CODE) p.options |= KH_PARA_VERBATIM;
  if (phrased(sp)) p.options |= KH_PARA_PHRASES;

  p.u = malloc(sh->n * sizeof *p.u);
  p.g = calloc(sh->n, sizeof *p.g);
  delta = malloc(sh->n * sizeof *delta);
  if (!p.u || !p.g || !delta) KH_CHECK(KH_NOMEM);
  build_units(&p);
  if (!verbatim(&p)) contextual_classes(&p);
  if (!verbatim(&p) && sh->nannots) kh_para_ruby_edges(&p);
  if (p.nu > 0 && !verbatim(&p)) KH_CHECK(mark_icu_breaks(ctx, &p));
  for (uint32_t i = 0; i + 1 < p.nu; i++) make_glue(&p, i);
  for (uint32_t i = 0; sh->nannots && i + 1 < p.nu; i++) /* JLReq 3.3.5 */
    if (p.g[i].brk && kh_para_inside_ruby(sh, p.u[i + 1].t0)) p.g[i].brk = 0;
  if (!verbatim(&p)) keep_words_whole(&p, sp->measure);
  if (!verbatim(&p)) KH_CHECK(kh_para_hyphenate(ctx, &p));
  if (p.options & KH_PARA_PHRASES) KH_CHECK(kh_para_phrases(ctx, &p));

  kh_align align = st ? st->align : KH_ALIGN_DEFAULT;
  int justify = !verbatim(&p) && (align == KH_ALIGN_JUSTIFY || align == KH_ALIGN_DEFAULT);
  if (p.options & KH_PARA_PHRASES) justify = 0; /* lines broken by meaning */
  kh_fixed indent = st ? st->indent : 0; /* never adjusted */
  /* a paragraph that starts with U+3000 brings its own indent: it stands
   * for the style's, not in addition to it (issue 7) */
  if (p.nu > 0 && p.lead_hard == 0 && p.u[0].cp == 0x3000 && p.u[0].t0 == sp->marker_len)
    indent = 0;
  if (verbatim(&p)) indent = 0;
  KH_CHECK(choose_lines(ctx, &p, sp->measure, indent, justify, &lines));

  kh_line *ls = kh_arena_alloc(arena, (lines.n + 1) * sizeof *ls);
  kh_fixed *xs = kh_arena_alloc(arena, (sh->n + 1) * sizeof *xs);
  if (!ls || !xs) KH_CHECK(KH_NOMEM);
  const kh_node *node = sp->node;
  uint32_t at = 0; /* text offset, for empty lines */
  for (size_t i = 0; i < lines.n; i++) {
    kh_line *ln = &ls[i];
    memset(ln, 0, sizeof *ln);
    kh_fixed x0 = i == 0 ? indent : 0;
    kh_fixed avail = sp->measure - x0;
    const span *b = &lines.v[i];
    if (b->empty) {
      ln->x = xs;
      ln->x0 = x0;
      ln->text_start = ln->text_end = at;
      continue;
    }
    set_line(&p, b, x0, avail, delta, xs, ln);
    at = ln->text_end;
    if (verbatim(&p) && b->k + 1 < p.nu && !p.u[b->k].hard && sh->cont.adv > 0) {
      ln->cont = 1;
      ln->cont_x = avail - sh->cont.adv;
      ln->width = avail;
    }
    if (ln->width < avail && align == KH_ALIGN_CENTER)
      ln->x0 += (avail - ln->width) / 2;
    else if (ln->width < avail && align == KH_ALIGN_RIGHT)
      ln->x0 += avail - ln->width;
    if (ln->overfull) {
      /* the node's text is the paragraph's less the list marker */
      uint32_t off = ln->text_start > sp->marker_len
                         ? ln->text_start - sp->marker_len : 0;
      kh_srcpos pos = node ? kh_inline_pos(&node->text, off) : (kh_srcpos){0};
      kh_warning(ctx, pos, "overfull line");
    }
  }
  out->lines = ls;
  out->n = (uint32_t)lines.n;

cleanup:
  free(p.u);
  free(p.g);
  free(delta);
  kh_vec_free(&lines);
  return ret;
}

/* Prints a length in points with three decimals, by integer arithmetic so
 * that the trace is the same on every machine. */
static void put_pt(FILE *out, kh_fixed v, int sign) {
  int64_t a = v < 0 ? -(int64_t)v : v;
  int64_t m = (a * 1000 + 32768) / 65536; /* thousandths, rounded */
  fprintf(out, "%s%lld.%03lld", v < 0 ? "-" : (sign ? "+" : ""),
          (long long)(m / 1000), (long long)(m % 1000));
}

void kh_para_trace(const kh_lines *lines, FILE *out) {
  const char *text = lines->sh->sp->text;
  for (uint32_t i = 0; i < lines->n; i++) {
    const kh_line *ln = &lines->lines[i];
    fputs("  [w=", out);
    put_pt(out, ln->width, 0);
    fputs(" adj=", out);
    put_pt(out, ln->width - ln->natural, 1);
    fputs(" gap=", out);
    put_pt(out, ln->max_gap, 0);
    if (ln->x0) {
      fputs(" x0=", out);
      put_pt(out, ln->x0, 0);
    }
    if (ln->hang) fputs(" hang", out);
    if (ln->cont) fputs(" cont", out);
    if (ln->overfull) fputs(" overfull", out);
    fputs("] ", out);
    fwrite(text + ln->text_start, 1, ln->text_end - ln->text_start, out);
    fputs(ln->hyphen ? "-|\n" : "|\n", out); /* the hyphen set at a hyphenation point */
  }
}
