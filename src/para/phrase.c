/* para: titles and headings break at phrase boundaries.
 *
 * A title or heading that takes more than one line is broken where its
 * meaning allows, between phrases (文節), never inside a word (関す|る調査
 * 報告書 is the defect this prevents), and its lines are set at their
 * natural width, flush to the style's alignment, not spread to the measure
 * (JLReq 3.4, headings: a line break at a break in meaning).  Body text is
 * broken at any character as kinsoku allows, as before.
 *
 * Phrase boundaries come from ICU's word break iterator with its Japanese
 * dictionary: a boundary between two words where the first ends in
 * hiragana (its particle or okurigana: …の, …に関する) and the second
 * starts with something else (the next phrase's content word: 実現, 調査,
 * スマートシティ).  Breaks at spaces and after punctuation stay as they
 * were.  A break between two Japanese characters anywhere else becomes
 * BRK_PHRASE, taken only where no phrase boundary fits a line. */
#include <unicode/ubrk.h>
#include <unicode/utext.h>

#include "para/internal.h"

static void words_free(void *p) { ubrk_close(p); }

static kh_status words(kh_ctx *ctx, UBreakIterator **out) {
  if (!ctx->cache[KH_CACHE_WORDS]) {
    UErrorCode err = U_ZERO_ERROR;
    UBreakIterator *bi = ubrk_open(UBRK_WORD, "ja", NULL, 0, &err);
    if (U_FAILURE(err))
      return kh_error(ctx, (kh_srcpos){0}, KH_LIBRARY, "ICU word break iterator: %s",
                      u_errorName(err));
    ctx->cache[KH_CACHE_WORDS] = bi;
    ctx->cache_free[KH_CACHE_WORDS] = words_free;
  }
  *out = ctx->cache[KH_CACHE_WORDS];
  return KH_OK;
}

static int hiragana(int32_t cp) { return cp >= 0x3041 && cp <= 0x309F; }

/* A unit that takes part in a phrase: kana, kanji (and the iteration and
 * prolonged sound marks), not punctuation or Western text. */
static int japanese(const unit *u) { return u->grp == KH_JG_JA; }

/* The last code point of unit u's text. */
static int32_t last_cp(const para *p, const unit *u) {
  const char *t = p->sh->sp->text;
  uint32_t b = u->t1;
  while (b > u->t0 && ((unsigned char)t[b - 1] & 0xC0) == 0x80) b--;
  if (b > u->t0) b--;
  size_t at = b;
  return kh_utf8_next(t, u->t1, &at);
}

/* Whether first fit, which sets titles and headings (compose.c: their
 * lines are not justified), puts each stretch between forced breaks on one
 * line whichever of its breaks are phrase boundaries: it breaks only where
 * the text up to a break opportunity and its line-end space pass the
 * measure (breaks.c, next_line), so if that holds at no unit, the phrase
 * boundaries are never asked for.  The narrower of the first line and the
 * others is taken for every line, and every unit checked, not only the
 * break opportunities: a stricter test than first fit's.  Most titles fit
 * one line, and ICU's dictionary engine, which costs a few milliseconds to
 * load, is then not loaded at all. */
static int fits_as_set(const para *p) {
  const kh_spara *sp = p->sh->sp;
  kh_fixed indent = sp->style ? sp->style->indent : 0;
  int64_t avail = (int64_t)sp->measure - (indent > 0 ? indent : 0);
  for (uint32_t a = 0; a < p->nu;) {
    uint32_t z = a;
    while (z + 1 < p->nu && !p->u[z].hard) z++;
    int64_t w = kh_para_lead(p, a);
    for (uint32_t k = a; k <= z; k++) {
      if (k > a) w += p->g[k - 1].nat;
      w += p->u[k].box;
      if (w + kh_para_line_end(p, k) > avail) return 0;
    }
    a = z + 1;
  }
  return 1;
}

kh_status kh_para_phrases(kh_ctx *ctx, para *p) {
  const kh_spara *sp = p->sh->sp;
  UBreakIterator *bi;
  if (p->nu < 2 || fits_as_set(p)) return KH_OK;
  kh_status ret = words(ctx, &bi);
  if (ret != KH_OK) return ret;
  UErrorCode err = U_ZERO_ERROR;
  UText ut = UTEXT_INITIALIZER;
  uint32_t lo = sp->nruns ? sp->runs[0].start : 0;
  uint32_t hi = sp->nruns ? sp->runs[sp->nruns - 1].end : sp->len;
  utext_openUTF8(&ut, sp->text + lo, (int64_t)(hi - lo), &err);
  ubrk_setUText(bi, &ut, &err);
  utext_close(&ut);
  if (U_FAILURE(err))
    return kh_error(ctx, (kh_srcpos){0}, KH_LIBRARY, "ICU word break iterator: %s",
                    u_errorName(err));
  /* walk the glue and the word boundaries together (both in text order) */
  int32_t next = ubrk_first(bi);
  for (uint32_t i = 0; i + 1 < p->nu; i++) {
    glue *g = &p->g[i];
    const unit *a = &p->u[i], *b = &p->u[i + 1];
    if (g->brk != BRK_OK || !japanese(a) || !japanese(b) || a->t1 != b->t0) continue;
    uint32_t t = b->t0;
    while (next != UBRK_DONE && (uint32_t)next + lo < t) next = ubrk_next(bi);
    int boundary = next != UBRK_DONE && (uint32_t)next + lo == t;
    if (!(boundary && hiragana(last_cp(p, a)) && !hiragana(b->cp))) g->brk = BRK_PHRASE;
  }
  return KH_OK;
}
