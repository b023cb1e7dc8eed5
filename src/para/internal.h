/* para: what compose.c (boxes, glue, adjustment) and breaks.c (choosing
 * the breaks) share.  Private to src/para. */
#ifndef KH_PARA_INTERNAL_H
#define KH_PARA_INTERNAL_H

#include "para/para.h"

/* An option of kh_para_compose's own: the paragraph is verbatim (a code
 * block), set from the node's kind. */
#define KH_PARA_VERBATIM (1u << 16)

/* One cluster that is not white space, with zero-width clusters next to it
 * folded in (in a verbatim paragraph, spaces are units too). */
typedef struct unit {
  uint32_t g0, g1;  /* glyphs [g0, g1) */
  uint32_t t0, t1;  /* text bytes [t0, t1) */
  int32_t cp;       /* first code point */
  kh_fixed box;     /* width of its box (the ink half for punctuation) */
  kh_fixed pen;     /* pen of its first glyph from the start of the box */
  kh_fixed lead;    /* space before it at a line start */
  kh_fixed end;     /* space after it at a line end */
  kh_fixed em;
  uint8_t cls, grp, end_removable;
  uint8_t hang;     /* 、。 that may hang past the line end (ぶら下げ) */
  uint8_t word;     /* a letter, digit or unit sign of Western text */
  uint32_t hard;    /* forced line breaks ('\n') after it */
  kh_fixed hyph;    /* the hyphen set after it when a line breaks at the
                       hyphenation point after it (BRK_HYPHEN) */
} unit;

/* Kinds of break opportunity (glue.brk). */
enum {
  BRK_NONE = 0,
  BRK_OK,       /* JLReq and UAX #14 allow it */
  BRK_SLASH,    /* after "/" in a URL or path (a deviation, with a cost) */
  BRK_SOFT,     /* inside an unbreakable Western run, after punctuation
                   (- _ . : ...), at a cost */
  BRK_EMERGENCY, /* inside an unbreakable Western run, at a higher cost */
  BRK_WORD,     /* between two letters of a run no wider than the measure:
                   a last resort, dearer than a line well over the cap */
  BRK_HYPHEN,   /* a hyphenation point of a Western word (hyphen.c): the
                   line ends with a hyphen, at a cost */
  BRK_LETTER,   /* between two letters of a Western word that has
                   hyphenation points (hyphen.c), without a hyphen: dearer
                   than a line whose Japanese gaps open past the cap */
  BRK_PHRASE    /* a title or heading: between two Japanese characters
                   of one phrase (phrase.c), only where no phrase boundary
                   fits the line */
};

/* The glue between unit i and unit i + 1; it holds the white-space glyphs
 * between them, [u[i].g1, u[i + 1].g0). */
typedef struct glue {
  kh_fixed nat, shrink, stretch, em;
  uint8_t shrink_tier, stretch_tier, spread;
  uint8_t brk;      /* BRK_* */
  uint8_t absorbed; /* its spaces take no room of their own */
  uint8_t inword;   /* between two letters or digits of a Western run with
                       no space (a word, an identifier) */
} glue;

typedef struct para {
  const kh_shaped *sh;
  unit *u;
  glue *g;
  uint32_t nu;
  unsigned options;  /* KH_PARA_* */
  uint32_t lead_hard; /* forced breaks before the first unit */
} para;

/* A line as chosen: units [s, k]. */
typedef struct span {
  uint32_t s, k;
  uint8_t overfull;
  uint8_t hang;     /* unit k hangs past the measure */
  uint8_t justify;  /* stretched or compressed to the measure */
  uint8_t empty;    /* an empty line (between two forced breaks): s, k
                       unused */
} span;

typedef KH_VEC(span) span_vec;

/* compose.c */
kh_fixed kh_para_lead(const para *p, uint32_t s);
kh_fixed kh_para_line_end(const para *p, uint32_t k);
int64_t kh_para_natural(const para *p, uint32_t s, uint32_t k);
/* What glue i may give when a line is stretched within the caps: the
 * first, even expansion (see stretch() in compose.c). */
kh_fixed kh_para_capped_stretch(const glue *g);
/* What glue i may give as letter-spacing inside a Western word once every
 * gap is at its cap (up to an eighth of an em; see stretch()). */
kh_fixed kh_para_word_spacing(const glue *g);
/* Units on a line other than the brackets and punctuation around its
 * characters: 「進」。 holds one. */
uint32_t kh_para_core_units(const para *p, uint32_t s, uint32_t k);

/* hyphen.c: turns the hyphenation points of Western words that nothing
 * else breaks into BRK_HYPHEN, with the hyphen's width (unit.hyph). */
kh_status kh_para_hyphenate(kh_ctx *ctx, para *p);

/* phrase.c: in a title or heading, a break between two Japanese
 * characters that is no phrase boundary becomes BRK_PHRASE. */
kh_status kh_para_phrases(kh_ctx *ctx, para *p);

/* ruby.c: a ruby base at a line's start or end moves in by what its
 * reading would overhang there (the units' lead and end). */
void kh_para_ruby_edges(para *p);

/* breaks.c: lines for the units [a, z], a stretch of the paragraph between
 * forced breaks, appended to `out`.  The first line has `avail_first`, the
 * others `avail`; the last line is not justified. */
kh_status kh_para_first_fit(kh_ctx *ctx, const para *p, uint32_t a, uint32_t z,
                            kh_fixed avail_first, kh_fixed avail, int justify,
                            span_vec *out);
kh_status kh_para_total_fit(kh_ctx *ctx, const para *p, uint32_t a, uint32_t z,
                            kh_fixed avail_first, kh_fixed avail, int justify,
                            span_vec *out);

#endif
