/* para: hyphenation points of Western words (JIS X 4051 and JLReq 3.1.10:
 * a Western word is not broken at a line end, except at a hyphenation point
 * with a hyphen set at the end of the line).
 *
 * The points come from libhyphen (the hyphenation library of LibreOffice,
 * Liang's patterns) with Debian's US English patterns (hyphen-en-us), loaded
 * once a context.  A point becomes a break opportunity (BRK_HYPHEN) that
 * breaks.c takes at a cost; the line then ends with the hyphen glyph of the
 * word's font (kh_shaped.hyphens), which the line's width includes
 * (kh_para_line_end).  Words are hyphenated only where nothing else would
 * break them: a run of ASCII letters with no break opportunity inside,
 * at least HYPHEN_LEFT_MIN letters before the point and HYPHEN_RIGHT_MIN
 * after it.  No hyphen is ever added to a URL, a path, a mail address, a
 * file or host name or a hyphenated compound (a run holding "/", "@", ":",
 * "-" or a "." before a letter: libharfbuzz-dev, pkg-config): a reader
 * would take it for part of the name; those break, as before, at their own
 * punctuation.  Nor are words in capitals (acronyms) hyphenated.  A word of
 * an identifier joined by "_" is hyphenated like any other word. */
#include <ctype.h>
#include <string.h>

#include <hyphen.h>

#include "para/internal.h"

/* The fragments a hyphenation may leave: TeX's \lefthyphenmin and
 * \righthyphenmin for English, the pattern file's LEFTHYPHENMIN and
 * RIGHTHYPHENMIN */
#define HYPHEN_LEFT_MIN 2
#define HYPHEN_RIGHT_MIN 3
/* longer "words" are no words (libhyphen's own limit is 100 characters) */
#define HYPHEN_WORD_MAX 64

typedef struct patterns {
  HyphenDict *dict; /* NULL when the file could not be read */
} patterns;

static void patterns_free(void *p) {
  patterns *pt = p;
  if (pt->dict) hnj_hyphen_free(pt->dict);
  free(pt);
}

/* What loading the patterns takes at its peak, with room to spare (the
 * US English patterns hold about 0.7 MiB once loaded). */
#define HYPHEN_LOAD_ROOM (8u << 20)

/* The patterns kept in the context, loaded when a paragraph first has a
 * word to hyphenate; NULL (after one warning) when the file is missing,
 * and then no word is hyphenated. */
static kh_status load(kh_ctx *ctx, HyphenDict **out) {
  if (!ctx->cache[KH_CACHE_HYPHEN]) {
    /* libhyphen ends the process (exit 1) when an allocation fails: out of
     * memory must be kumihan's own KH_NOMEM, so the room is made sure of
     * first */
    void *room = malloc(HYPHEN_LOAD_ROOM);
    if (!room) return KH_NOMEM;
    free(room);
    patterns *pt = calloc(1, sizeof *pt);
    if (!pt) return KH_NOMEM;
    pt->dict = hnj_hyphen_load(KH_HYPHEN_DICT);
    ctx->cache[KH_CACHE_HYPHEN] = pt;
    ctx->cache_free[KH_CACHE_HYPHEN] = patterns_free;
    if (!pt->dict)
      kh_warning(ctx, (kh_srcpos){0},
                 "no hyphenation patterns at %s (Debian's hyphen-en-us): Western "
                 "words are not hyphenated", KH_HYPHEN_DICT);
  }
  *out = ((patterns *)ctx->cache[KH_CACHE_HYPHEN])->dict;
  return KH_OK;
}

static int adjacent(const para *p, uint32_t i) {
  return i + 1 < p->nu && p->u[i].t1 == p->u[i + 1].t0 && !p->u[i].hard;
}

/* Whether unit i is letters only (a ligature is one unit of two). */
static int letters(const para *p, uint32_t i) {
  const char *t = p->sh->sp->text;
  const unit *u = &p->u[i];
  if (u->grp != KH_JG_WEST) return 0;
  for (uint32_t b = u->t0; b < u->t1; b++)
    if (!isalpha((unsigned char)t[b])) return 0;
  return u->t1 > u->t0;
}

/* Whether the run of Western characters with no space around units
 * [a, z] is a name that takes no added hyphen (see the file's comment). */
static int is_name(const para *p, uint32_t a, uint32_t z) {
  const char *t = p->sh->sp->text;
  while (a > 0 && adjacent(p, a - 1) && p->u[a - 1].cp < 0x80) a--;
  while (adjacent(p, z) && p->u[z + 1].cp < 0x80) z++;
  for (uint32_t b = p->u[a].t0; b < p->u[z].t1; b++) {
    char c = t[b];
    if (c == '/' || c == '@' || c == ':' || c == '-') return 1;
    if (c == '.' && b + 1 < p->u[z].t1 && isalpha((unsigned char)t[b + 1])) return 1;
  }
  return 0;
}

/* Marks the hyphenation points of the word of units [a, z]. */
static kh_status hyphenate_word(kh_ctx *ctx, para *p, uint32_t a, uint32_t z) {
  const char *t = p->sh->sp->text;
  uint32_t w0 = p->u[a].t0, len = p->u[z].t1 - w0;
  if (len > HYPHEN_WORD_MAX) return KH_OK;
  char word[HYPHEN_WORD_MAX + 1], hy[HYPHEN_WORD_MAX + 5];
  int upper = 0;
  for (uint32_t b = 0; b < len; b++) {
    upper += isupper((unsigned char)t[w0 + b]) != 0;
    word[b] = (char)tolower((unsigned char)t[w0 + b]);
  }
  word[len] = '\0';
  if (upper == (int)len) return KH_OK; /* an acronym */
  /* a break inside it must be one composition would otherwise refuse */
  for (uint32_t i = a; i < z; i++)
    if (p->g[i].brk != BRK_WORD && p->g[i].brk != BRK_EMERGENCY) return KH_OK;
  if (is_name(p, a, z)) return KH_OK;
  /* a word (of an identifier wider than the measure too) breaks between
   * two letters without a hyphen only as the last resort */
  for (uint32_t i = a; i < z; i++) p->g[i].brk = BRK_LETTER;
  if (len < HYPHEN_LEFT_MIN + HYPHEN_RIGHT_MIN) return KH_OK;
  HyphenDict *dict = NULL;
  kh_status ret = load(ctx, &dict);
  if (ret != KH_OK || !dict) return ret;
  char **rep = NULL;
  int *pos = NULL, *cut = NULL;
  memset(hy, 0, sizeof hy);
  if (hnj_hyphen_hyphenate2(dict, word, (int)len, hy, NULL, &rep, &pos, &cut) == 0) {
    uint32_t i = a;
    for (uint32_t b = HYPHEN_LEFT_MIN - 1; b + HYPHEN_RIGHT_MIN < len; b++) {
      if (!(hy[b] & 1) || (rep && rep[b])) continue; /* English needs no replacement */
      while (i < z && p->u[i].t1 < w0 + b + 1) i++;
      if (i == z || p->u[i].t1 != w0 + b + 1) continue;
      /* the hyphen it would set: the word's font, at its size */
      const kh_glyph *h = &p->sh->hyphens[p->sh->glyphs[p->u[i].g1 - 1].run];
      if (h->adv <= 0) continue; /* none to set: no point */
      p->g[i].brk = BRK_HYPHEN;
      p->u[i].hyph = h->adv;
    }
  }
  if (rep) {
    for (uint32_t b = 0; b < len; b++) free(rep[b]);
    free(rep);
  }
  free(pos);
  free(cut);
  return KH_OK;
}

kh_status kh_para_hyphenate(kh_ctx *ctx, para *p) {
  if (!p->sh->hyphens || (p->options & KH_PARA_NO_HYPHENATION) || p->nu < 2) return KH_OK;
  for (uint32_t a = 0; a < p->nu;) {
    if (!letters(p, a)) {
      a++;
      continue;
    }
    uint32_t z = a;
    while (adjacent(p, z) && letters(p, z + 1)) z++;
    kh_status ret = hyphenate_word(ctx, p, a, z);
    if (ret != KH_OK) return ret;
    a = z + 1;
  }
  return KH_OK;
}
